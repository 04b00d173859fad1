// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO type1 IOMMU backend for emulated IOMMU groups.
 *
 * The user describes its DMA space with VFIO_IOMMU_MAP_DMA /
 * VFIO_IOMMU_UNMAP_DMA on the container, with the semantics of upstream
 * Linux 6.1's vfio_iommu_type1 for containers whose groups are all
 * emulated (mediated devices, no hardware IOMMU):
 *
 *  - MAP_DMA only records the mapping: nothing is pinned, so a mapping of
 *    any size costs O(log n).
 *  - Vendor drivers pin pages of the mappings on demand (pin_pages), which
 *    charges them to the mapping process's locked_vm under RLIMIT_MEMLOCK,
 *    or copy to and from them (dma_rw).
 *  - UNMAP_DMA of a mapping with pinned pages asks every registered device
 *    (ops->dma_unmap) to unpin them first.
 *
 * Mappings live in an rbtree keyed by IOVA (they never overlap, so it is
 * ordered by their ends too); each mapping keeps its pinned pages in an
 * xarray indexed by page offset within the mapping.
 *
 * Locking (see struct mdk_type1): @devices_lock is taken before @lock and
 * never while holding it, because the vendor's ops->dma_unmap, called with
 * @devices_lock held, unpins through pin/unpin_pages, which take @lock.
 * No vendor code is ever called with @lock held. @lock nests outside
 * mmap_lock of the mappings' address spaces (GUP and locked_vm accounting).
 *
 * Auxiliary domains: when a group whose device declared an IOMMU
 * (mdk_vfio_device_set_iommu(), AUX enabled) joins the container, it gets
 * an I/O page table of its own (struct mdk_type1_aux), attached to that
 * IOMMU under a fresh PASID. From then on, as upstream type1 does with a
 * hardware IOMMU domain, every mapping is pinned whole (FOLL_LONGTERM, in
 * batches, charged once to RLIMIT_MEMLOCK whatever the number of domains)
 * and mapped into every auxiliary domain: at MAP_DMA, or at attach time
 * for the mappings that exist already. UNMAP_DMA unmaps it from every
 * domain first (once mdk_iommu_unmap() returns, no device DMA touches the
 * pages), then unpins and uncharges. When the last auxiliary domain goes,
 * the container returns to pinning nothing.
 *
 * Dirty page tracking is not supported (hence no MIGRATION capability in
 * IOMMU_GET_INFO), nor VFIO_UPDATE_VADDR.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/xarray.h>
#include <mdevkit/compat.h>
#include <mdevkit/iommu.h>
#include "vfio.h"

static unsigned int dma_entry_limit __read_mostly = U16_MAX;
module_param(dma_entry_limit, uint, 0644);
MODULE_PARM_DESC(dma_entry_limit,
		 "Maximum number of user DMA mappings per container (65535).");

/* Upstream's VFIO_PIN_PAGES_MAX_ENTRIES. */
#define MDK_TYPE1_PIN_MAX	512
/* How often UNMAP_DMA asks the devices to unpin before forcing it. */
#define MDK_TYPE1_UNMAP_RETRIES	8
/* Pages pinned per pin_user_pages_remote() call for auxiliary domains. */
#define MDK_TYPE1_AUX_BATCH	1024
/* The last IOVA of the auxiliary domains' (4-level, 48-bit) page tables. */
#define MDK_TYPE1_AUX_IOVA_LAST	((1ULL << 48) - 1)

/**
 * struct mdk_type1_pin - a page pinned for vendor drivers
 * @page: the page, pinned once with FOLL_PIN | FOLL_LONGTERM
 * @refs: pin_pages() calls not yet matched by unpin_pages()
 */
struct mdk_type1_pin {
	struct page *page;
	unsigned int refs;
};

/**
 * struct mdk_type1_dma - one user mapping (VFIO_IOMMU_MAP_DMA)
 * @node: link in &mdk_type1.dmas, ordered by @iova
 * @iova: first IOVA of the mapping
 * @size: its length in bytes, a multiple of PAGE_SIZE
 * @vaddr: the user address backing @iova in @mm
 * @prot: IOMMU_READ | IOMMU_WRITE, from the device's point of view
 * @lock_cap: @task had CAP_IPC_LOCK at map time (no RLIMIT_MEMLOCK)
 * @task: the mapping process's group leader (for RLIMIT_MEMLOCK)
 * @mm: its address space (mmgrab'ed; mmget_not_zero() before use)
 * @pins: page index within the mapping -> struct mdk_type1_pin
 * @npinned: entries in @pins, all charged to @mm->locked_vm
 * @aux_pages: while the container has auxiliary domains, every page of
 *	the mapping, pinned and charged once, mapped into each domain; else
 *	NULL
 *
 * Every field is protected by &mdk_type1.lock.
 */
struct mdk_type1_dma {
	struct rb_node node;
	u64 iova;
	u64 size;
	unsigned long vaddr;
	int prot;
	bool lock_cap;
	struct task_struct *task;
	struct mm_struct *mm;
	struct xarray pins;
	unsigned long npinned;
	struct page **aux_pages;
};

/**
 * struct mdk_type1_aux - the auxiliary domain of one group
 * @entry: link in &mdk_type1.aux
 * @group: the group (emulated, one device)
 * @idev: the IOMMU its device's DMA goes through
 * @domain: the I/O page table mirroring the container's mappings
 * @pasid: @domain's PASID on @idev
 *
 * Protected by &mdk_type1.lock.
 */
struct mdk_type1_aux {
	struct list_head entry;
	struct mdk_vfio_group *group;
	struct mdk_iommu_dev *idev;
	struct mdk_iommu_domain *domain;
	u32 pasid;
};

/**
 * struct mdk_type1 - the backend state of one container
 * @lock: protects @dmas, @dma_avail, @aux and every mapping in @dmas
 * @dmas: the mappings (struct mdk_type1_dma), keyed by IOVA
 * @dma_avail: mappings that may still be created
 * @aux: the auxiliary domains (struct mdk_type1_aux)
 * @v2: VFIO_TYPE1v2_IOMMU semantics (else VFIO_TYPE1_IOMMU)
 * @devices_lock: protects @devices; held while calling ops->dma_unmap so
 *	that a device cannot unregister meanwhile. Taken before @lock.
 * @devices: open devices with an ops->dma_unmap (vdev->iommu_entry)
 */
struct mdk_type1 {
	struct mutex lock;	/* @dmas, @dma_avail, @aux, the mappings */
	struct rb_root dmas;
	unsigned int dma_avail;
	struct list_head aux;
	bool v2;
	struct mutex devices_lock;	/* @devices; taken before @lock */
	struct list_head devices;
};

static inline u64 dma_last(const struct mdk_type1_dma *dma)
{
	return dma->iova + dma->size - 1;
}

/* The lowest mapping intersecting [@start, @last], or NULL. */
static struct mdk_type1_dma *type1_find(struct mdk_type1 *t, u64 start,
					u64 last)
{
	struct rb_node *n = t->dmas.rb_node;
	struct mdk_type1_dma *found = NULL;

	lockdep_assert_held(&t->lock);
	while (n) {
		struct mdk_type1_dma *dma = rb_entry(n, struct mdk_type1_dma,
						     node);

		if (dma_last(dma) < start) {
			n = n->rb_right;
		} else {
			if (dma->iova <= last)
				found = dma;
			n = n->rb_left;
		}
	}
	return found;
}

static void type1_link(struct mdk_type1 *t, struct mdk_type1_dma *new)
{
	struct rb_node **link = &t->dmas.rb_node, *parent = NULL;

	lockdep_assert_held(&t->lock);
	while (*link) {
		struct mdk_type1_dma *dma = rb_entry(*link,
						     struct mdk_type1_dma,
						     node);

		parent = *link;
		link = new->iova < dma->iova ? &parent->rb_left :
					       &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &t->dmas);
}

/*
 * Charge (@npage > 0) or uncharge (@npage < 0) pages to the locked_vm of
 * @dma's address space, enforcing RLIMIT_MEMLOCK of its task. Nothing is
 * left to uncharge once the address space is gone.
 */
static int type1_lock_acct(struct mdk_type1_dma *dma, long npage)
{
	struct mm_struct *mm;
	int ret;

	if (!npage)
		return 0;
	mm = dma->mm;
	if (!mmget_not_zero(mm))
		return npage > 0 ? -ESRCH : 0;
	if (npage > 0) {
		ret = mmap_write_lock_killable(mm);
		if (ret)
			goto out_mmput;
	} else {
		mmap_write_lock(mm);
	}
	ret = __account_locked_vm(mm, abs(npage), npage > 0, dma->task,
				  dma->lock_cap);
	mmap_write_unlock(mm);
out_mmput:
	mmput(mm);
	return ret;
}

/*
 * Drop one pin_pages() reference on page @idx of @dma. Returns 1 when the
 * page got unpinned (the caller uncharges it), 0 when references remain,
 * -ENOENT when it is not pinned.
 */
static int type1_put_pin(struct mdk_type1 *t, struct mdk_type1_dma *dma,
			 unsigned long idx)
{
	struct mdk_type1_pin *pin;

	lockdep_assert_held(&t->lock);
	pin = xa_load(&dma->pins, idx);
	if (!pin)
		return -ENOENT;
	if (--pin->refs)
		return 0;
	xa_erase(&dma->pins, idx);
	unpin_user_pages_dirty_lock(&pin->page, 1, dma->prot & IOMMU_WRITE);
	kfree(pin);
	dma->npinned--;
	return 1;
}

/*
 * Drop one reference on each of the @npage pages from @iova, uncharging
 * the pages that get unpinned. A page that is not pinned is a bug of the
 * caller (a vendor driver): warn once and skip it.
 */
static void type1_unpin_range(struct mdk_type1 *t, u64 iova, int npage)
{
	struct mdk_type1_dma *dma, *acct = NULL;
	long unlocked = 0;
	int i, ret;

	lockdep_assert_held(&t->lock);
	for (i = 0; i < npage; i++, iova += PAGE_SIZE) {
		dma = type1_find(t, iova, iova);
		ret = dma ? type1_put_pin(t, dma,
					  (iova - dma->iova) >> PAGE_SHIFT) :
			    -ENOENT;
		if (WARN_ON_ONCE(ret < 0))
			continue;
		if (dma != acct) {
			if (acct)
				type1_lock_acct(acct, -unlocked);
			acct = dma;
			unlocked = 0;
		}
		unlocked += ret;
	}
	if (acct)
		type1_lock_acct(acct, -unlocked);
}

/* Unpin and uncharge every page of @dma, whatever its reference count. */
static void type1_unpin_all(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	struct mdk_type1_pin *pin;
	unsigned long idx;

	lockdep_assert_held(&t->lock);
	xa_for_each(&dma->pins, idx, pin) {
		unpin_user_pages_dirty_lock(&pin->page, 1,
					    dma->prot & IOMMU_WRITE);
		kfree(pin);
	}
	xa_destroy(&dma->pins);
	type1_lock_acct(dma, -(long)dma->npinned);
	dma->npinned = 0;
}

/*
 * Pin @npage pages of @dma from page index @idx, none of which is pinned
 * yet; charge and record them. Returns 0 with @pages filled, or -errno
 * with nothing kept.
 */
static int type1_pin_new(struct mdk_type1 *t, struct mdk_type1_dma *dma,
			 unsigned long idx, int npage, struct page **pages)
{
	/* Pin writable pages for writable mappings: later pins reuse them. */
	unsigned int flags = FOLL_LONGTERM |
			     (dma->prot & IOMMU_WRITE ? FOLL_WRITE : 0);
	struct mm_struct *mm = dma->mm;
	struct mdk_type1_pin *pin;
	long pinned;
	int i, ret;

	lockdep_assert_held(&t->lock);
	if (!mmget_not_zero(mm))
		return -ESRCH;
	mmap_read_lock(mm);
	pinned = mdk_pin_user_pages_remote(mm, dma->vaddr + idx * PAGE_SIZE,
					   npage, flags, pages, NULL);
	mmap_read_unlock(mm);
	mmput(mm);
	if (pinned != npage) {
		if (pinned > 0)
			unpin_user_pages(pages, pinned);
		return pinned < 0 ? pinned : -EFAULT;
	}

	ret = type1_lock_acct(dma, npage);
	if (ret) {
		if (ret == -ENOMEM)
			pr_warn_ratelimited(MDK_VFIO_PREFIX "%s (%d): RLIMIT_MEMLOCK (%lu) exceeded pinning pages for a device\n",
					    dma->task->comm,
					    task_pid_nr(dma->task),
					    task_rlimit(dma->task,
							RLIMIT_MEMLOCK));
		goto out_unpin;
	}

	for (i = 0; i < npage; i++) {
		pin = kmalloc(sizeof(*pin), GFP_KERNEL);
		if (!pin) {
			ret = -ENOMEM;
			goto out_forget;
		}
		pin->page = pages[i];
		pin->refs = 1;
		ret = xa_insert(&dma->pins, idx + i, pin, GFP_KERNEL);
		if (ret) {
			kfree(pin);
			goto out_forget;
		}
	}
	dma->npinned += npage;
	return 0;

out_forget:
	while (i--)
		kfree(xa_erase(&dma->pins, idx + i));
	type1_lock_acct(dma, -npage);
out_unpin:
	unpin_user_pages(pages, npage);
	return ret;
}

/* Pages of @dma from @iova to its end. */
static u64 dma_pages_from(const struct mdk_type1_dma *dma, u64 iova)
{
	return ((dma_last(dma) - iova) >> PAGE_SHIFT) + 1;
}

/* A page-aligned range of 1..MDK_TYPE1_PIN_MAX pages that does not wrap. */
static bool type1_valid_pin_range(u64 iova, int npage)
{
	u64 last;

	return npage > 0 && npage <= MDK_TYPE1_PIN_MAX && PAGE_ALIGNED(iova) &&
	       !check_add_overflow(iova, (u64)npage * PAGE_SIZE - 1, &last);
}

static int type1_pin_pages(void *data, struct mdk_vfio_device *vdev,
			   dma_addr_t user_iova, int npage, int prot,
			   struct page **pages)
{
	struct mdk_type1 *t = data;
	struct mdk_type1_dma *dma;
	struct mdk_type1_pin *pin;
	u64 iova = user_iova, cur;
	unsigned long idx;
	int i, n, run, ret;

	if (!pages || !type1_valid_pin_range(iova, npage) || !prot ||
	    prot & ~(IOMMU_READ | IOMMU_WRITE))
		return -EINVAL;
	if (!t->v2)	/* as upstream: pinning is a type1v2 feature */
		return -EACCES;

	mutex_lock(&t->lock);
	/* Check the whole range first: a failure then has no side effect. */
	for (i = 0; i < npage; i += n) {
		cur = iova + (u64)i * PAGE_SIZE;
		dma = type1_find(t, cur, cur);
		if (!dma) {
			ret = -EINVAL;
			goto out_unlock;
		}
		if ((dma->prot & prot) != prot) {
			ret = -EPERM;
			goto out_unlock;
		}
		n = min_t(u64, npage - i, dma_pages_from(dma, cur));
	}

	for (i = 0; i < npage; i += n) {
		cur = iova + (u64)i * PAGE_SIZE;
		dma = type1_find(t, cur, cur);
		idx = (cur - dma->iova) >> PAGE_SHIFT;
		pin = xa_load(&dma->pins, idx);
		if (pin) {
			pin->refs++;
			pages[i] = pin->page;
			n = 1;
			continue;
		}
		/* The run of pages of this mapping not pinned yet. */
		run = min_t(u64, npage - i, dma_pages_from(dma, cur));
		for (n = 1; n < run && !xa_load(&dma->pins, idx + n); n++)
			;
		ret = type1_pin_new(t, dma, idx, n, pages + i);
		if (ret) {
			type1_unpin_range(t, iova, i);
			goto out_unlock;
		}
	}
	ret = npage;
out_unlock:
	mutex_unlock(&t->lock);
	return ret;
}

static void type1_unpin_pages(void *data, struct mdk_vfio_device *vdev,
			      dma_addr_t iova, int npage)
{
	struct mdk_type1 *t = data;

	if (WARN_ON_ONCE(!type1_valid_pin_range(iova, npage)))
		return;
	mutex_lock(&t->lock);
	type1_unpin_range(t, iova, npage);
	mutex_unlock(&t->lock);
}

/*
 * Copy @len bytes between @buf and @vaddr of @mm, a page at a time: each
 * page is pinned for the copy only (no locked_vm charge), which works from
 * any process and from kernel threads alike.
 */
static int type1_rw_mm(struct mm_struct *mm, unsigned long vaddr, void *buf,
		       size_t len, bool write)
{
	struct page *page;
	size_t off, n;
	long pinned;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	for (; len; len -= n, vaddr += n, buf += n) {
		off = offset_in_page(vaddr);
		n = min_t(size_t, len, PAGE_SIZE - off);
		mmap_read_lock(mm);
		pinned = mdk_pin_user_pages_remote(mm, vaddr - off, 1,
						   write ? FOLL_WRITE : 0,
						   &page, NULL);
		mmap_read_unlock(mm);
		if (pinned != 1) {
			ret = pinned < 0 ? pinned : -EFAULT;
			break;
		}
		if (write)
			memcpy_to_page(page, off, buf, n);
		else
			memcpy_from_page(buf, page, off, n);
		unpin_user_pages_dirty_lock(&page, 1, write);
	}
	mmput(mm);
	return ret;
}

/*
 * The whole access holds @lock, so that once UNMAP_DMA returned no device
 * access reaches the old mapping.
 */
static int type1_dma_rw(void *data, dma_addr_t user_iova, void *buf,
			size_t len, bool write)
{
	int need = write ? IOMMU_WRITE : IOMMU_READ;
	struct mdk_type1 *t = data;
	struct mdk_type1_dma *dma;
	u64 iova = user_iova, last;
	size_t n;
	int ret = 0;

	might_sleep();
	if (!len)
		return 0;
	if (check_add_overflow(iova, (u64)len - 1, &last))
		return -EINVAL;

	mutex_lock(&t->lock);
	for (; len; len -= n, iova += n, buf += n) {
		dma = type1_find(t, iova, iova);
		if (!dma) {
			ret = -EINVAL;
			break;
		}
		if (!(dma->prot & need)) {
			ret = -EPERM;
			break;
		}
		n = min_t(u64, len, dma_last(dma) - iova + 1);
		ret = type1_rw_mm(dma->mm, dma->vaddr + (iova - dma->iova),
				  buf, n, write);
		if (ret)
			break;
	}
	mutex_unlock(&t->lock);
	return ret;
}

/* --- Auxiliary domains ----------------------------------------------- */

static int type1_mdk_prot(int prot)
{
	return (prot & IOMMU_READ ? MDK_IOMMU_READ : 0) |
	       (prot & IOMMU_WRITE ? MDK_IOMMU_WRITE : 0);
}

/* Unpin and uncharge the pages @dma holds for the auxiliary domains. */
static void type1_aux_unpin(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	unsigned long npages = dma->size >> PAGE_SHIFT, i, n;

	lockdep_assert_held(&t->lock);
	if (!dma->aux_pages)
		return;
	for (i = 0; i < npages; i += n) {
		n = min_t(unsigned long, npages - i, MDK_TYPE1_AUX_BATCH);
		unpin_user_pages_dirty_lock(dma->aux_pages + i, n,
					    dma->prot & IOMMU_WRITE);
		cond_resched();
	}
	kvfree(dma->aux_pages);
	dma->aux_pages = NULL;
	type1_lock_acct(dma, -(long)npages);
}

/*
 * Pin every page of @dma for the auxiliary domains, charging them to
 * RLIMIT_MEMLOCK first so that an over-limit request pins nothing.
 */
static int type1_aux_pin(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	unsigned int flags = FOLL_LONGTERM |
			     (dma->prot & IOMMU_WRITE ? FOLL_WRITE : 0);
	unsigned long npages = dma->size >> PAGE_SHIFT, done = 0, n;
	struct mm_struct *mm = dma->mm;
	struct page **pages;
	long pinned = 0;
	int ret;

	lockdep_assert_held(&t->lock);
	if (dma->aux_pages)
		return 0;
	ret = type1_lock_acct(dma, npages);
	if (ret) {
		if (ret == -ENOMEM)
			pr_warn_ratelimited(MDK_VFIO_PREFIX "%s (%d): RLIMIT_MEMLOCK (%lu) exceeded mapping for an IOMMU domain\n",
					    dma->task->comm,
					    task_pid_nr(dma->task),
					    task_rlimit(dma->task,
							RLIMIT_MEMLOCK));
		return ret;
	}
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		ret = -ENOMEM;
		goto out_uncharge;
	}
	if (!mmget_not_zero(mm)) {
		ret = -ESRCH;
		goto out_free;
	}
	for (; done < npages; done += pinned) {
		n = min_t(unsigned long, npages - done, MDK_TYPE1_AUX_BATCH);
		if (fatal_signal_pending(current)) {
			pinned = -EINTR;
			break;
		}
		mmap_read_lock(mm);
		pinned = mdk_pin_user_pages_remote(mm, dma->vaddr +
						   done * PAGE_SIZE, n, flags,
						   pages + done, NULL);
		mmap_read_unlock(mm);
		if (pinned <= 0)
			break;
		cond_resched();
	}
	mmput(mm);
	if (done < npages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		unpin_user_pages(pages, done);
		goto out_free;
	}
	dma->aux_pages = pages;
	return 0;

out_free:
	kvfree(pages);
out_uncharge:
	type1_lock_acct(dma, -(long)npages);
	return ret;
}

/*
 * Map the pinned pages of @dma into @domain, one call per physically
 * contiguous run (the page table uses large leaves where it can). All or
 * nothing.
 */
static int type1_aux_map(struct mdk_type1_aux *aux,
			 struct mdk_type1_dma *dma)
{
	unsigned long npages = dma->size >> PAGE_SHIFT, i, n;
	int prot = type1_mdk_prot(dma->prot);
	phys_addr_t phys;
	int ret;

	for (i = 0; i < npages; i += n) {
		phys = page_to_phys(dma->aux_pages[i]);
		for (n = 1; i + n < npages &&
		     page_to_phys(dma->aux_pages[i + n]) ==
		     phys + n * PAGE_SIZE; n++)
			;
		ret = mdk_iommu_map(aux->domain, dma->iova + i * PAGE_SIZE,
				    phys, n * PAGE_SIZE, prot);
		if (ret) {
			if (i)
				mdk_iommu_unmap(aux->domain, dma->iova,
						i * PAGE_SIZE);
			/* as upstream outside the IOVA ranges: EINVAL */
			return ret == -ERANGE ? -EINVAL : ret;
		}
		cond_resched();
	}
	return 0;
}

static void type1_aux_unmap(struct mdk_type1_aux *aux,
			    struct mdk_type1_dma *dma)
{
	size_t done = mdk_iommu_unmap(aux->domain, dma->iova, dma->size);

	WARN_ON_ONCE(done != dma->size);
}

/*
 * A new mapping in a container with auxiliary domains: pin it, map it
 * into every domain. All or nothing.
 */
static int type1_aux_add_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	struct mdk_type1_aux *aux;
	int ret;

	lockdep_assert_held(&t->lock);
	if (list_empty(&t->aux))
		return 0;
	ret = type1_aux_pin(t, dma);
	if (ret)
		return ret;
	list_for_each_entry(aux, &t->aux, entry) {
		ret = type1_aux_map(aux, dma);
		if (ret)
			goto err_unmap;
	}
	return 0;

err_unmap:
	list_for_each_entry_continue_reverse(aux, &t->aux, entry)
		type1_aux_unmap(aux, dma);
	type1_aux_unpin(t, dma);
	return ret;
}

/*
 * A mapping goes: out of every domain first (no DMA reaches its pages
 * once that returns), then unpinned.
 */
static void type1_aux_remove_dma(struct mdk_type1 *t,
				 struct mdk_type1_dma *dma)
{
	struct mdk_type1_aux *aux;

	lockdep_assert_held(&t->lock);
	if (!dma->aux_pages)
		return;
	list_for_each_entry(aux, &t->aux, entry)
		type1_aux_unmap(aux, dma);
	type1_aux_unpin(t, dma);
}

/* Unpin every mapping: the last auxiliary domain is gone. */
static void type1_aux_unpin_all(struct mdk_type1 *t)
{
	struct mdk_type1_dma *dma;
	struct rb_node *n;

	lockdep_assert_held(&t->lock);
	for (n = rb_first(&t->dmas); n; n = rb_next(n)) {
		dma = rb_entry(n, struct mdk_type1_dma, node);
		type1_aux_unpin(t, dma);
	}
}

/*
 * A new domain mirrors every existing mapping (pinning them when it is
 * the container's first). All or nothing.
 */
static int type1_aux_mirror(struct mdk_type1 *t, struct mdk_type1_aux *aux)
{
	struct mdk_type1_dma *dma;
	struct rb_node *n;
	int ret;

	lockdep_assert_held(&t->lock);
	for (n = rb_first(&t->dmas); n; n = rb_next(n)) {
		dma = rb_entry(n, struct mdk_type1_dma, node);
		ret = type1_aux_pin(t, dma);
		if (ret)
			goto err_unmap;
		ret = type1_aux_map(aux, dma);
		if (ret)
			goto err_unmap;
	}
	return 0;

err_unmap:
	while ((n = rb_prev(&dma->node))) {
		dma = rb_entry(n, struct mdk_type1_dma, node);
		type1_aux_unmap(aux, dma);
	}
	if (list_empty(&t->aux))
		type1_aux_unpin_all(t);
	return ret;
}

static struct mdk_type1_aux *type1_aux_find(struct mdk_type1 *t,
					    struct mdk_vfio_group *group)
{
	struct mdk_type1_aux *aux;

	lockdep_assert_held(&t->lock);
	list_for_each_entry(aux, &t->aux, entry)
		if (aux->group == group)
			return aux;
	return NULL;
}

/*
 * The group of a device with an AUX-capable IOMMU joins: give it a
 * domain, attach it (which allocates its PASID, under the IOMMU's quota),
 * mirror the mappings into it.
 */
static int type1_aux_attach(struct mdk_type1 *t, struct mdk_vfio_group *group,
			    struct mdk_iommu_dev *idev)
{
	struct mdk_type1_aux *aux;
	int ret;

	aux = kzalloc(sizeof(*aux), GFP_KERNEL_ACCOUNT);
	if (!aux)
		return -ENOMEM;
	aux->group = group;
	aux->idev = idev;
	aux->domain = mdk_iommu_domain_alloc();
	if (IS_ERR_OR_NULL(aux->domain)) {
		ret = aux->domain ? PTR_ERR(aux->domain) : -ENOMEM;
		goto out_free;
	}
	ret = mdk_iommu_aux_attach_device(aux->domain, idev);
	if (ret)
		goto out_free_domain;
	ret = mdk_iommu_aux_get_pasid(aux->domain, idev);
	if (ret < 0)
		goto out_detach;
	aux->pasid = ret;

	mutex_lock(&t->lock);
	ret = type1_aux_mirror(t, aux);
	if (!ret)
		list_add_tail(&aux->entry, &t->aux);
	mutex_unlock(&t->lock);
	if (ret)
		goto out_detach;
	return 0;

out_detach:
	mdk_iommu_aux_detach_device(aux->domain, idev);
out_free_domain:
	mdk_iommu_domain_free(aux->domain);
out_free:
	kfree(aux);
	return ret;
}

static int type1_device_pasid(void *data, struct mdk_vfio_device *vdev)
{
	struct mdk_type1 *t = data;
	struct mdk_type1_aux *aux;
	int ret;

	mutex_lock(&t->lock);
	aux = type1_aux_find(t, vdev->group);
	ret = aux ? aux->pasid : -ENODEV;
	mutex_unlock(&t->lock);
	return ret;
}

/*
 * Free @dma. Its pins must be gone (the callers see to it); it leaves the
 * auxiliary domains here.
 */
static void type1_remove_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	lockdep_assert_held(&t->lock);
	WARN_ON_ONCE(dma->npinned);
	type1_aux_remove_dma(t, dma);
	rb_erase(&dma->node, &t->dmas);
	t->dma_avail++;
	xa_destroy(&dma->pins);
	mmdrop(dma->mm);
	put_task_struct(dma->task);
	kfree(dma);
}

static int type1_map_dma(struct mdk_type1 *t, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	struct mdk_type1_dma *dma;
	unsigned long vend;
	u64 last;
	int prot = 0, ret;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		return -EINVAL;
	/* READ/WRITE from the device's point of view */
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;
	if (!prot || !map.size || (map.iova | map.vaddr | map.size) & ~PAGE_MASK)
		return -EINVAL;
	/* Neither the IOVA range nor the user range may wrap. */
	if (map.vaddr != (unsigned long)map.vaddr ||
	    map.size != (unsigned long)map.size ||
	    check_add_overflow(map.iova, map.size - 1, &last) ||
	    check_add_overflow((unsigned long)map.vaddr,
			       (unsigned long)map.size - 1, &vend))
		return -EINVAL;

	dma = kzalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;

	mutex_lock(&t->lock);
	if (type1_find(t, map.iova, last)) {
		ret = -EEXIST;
		goto out_free;
	}
	if (!t->dma_avail) {
		ret = -ENOSPC;
		goto out_free;
	}
	dma->iova = map.iova;
	dma->size = map.size;
	dma->vaddr = map.vaddr;
	dma->prot = prot;
	xa_init(&dma->pins);
	/*
	 * Pages are pinned later, possibly from another context: keep what
	 * RLIMIT_MEMLOCK accounting needs, the group leader (as upstream, so
	 * that every thread of the process shares one limit) and the mm.
	 */
	dma->task = get_task_struct(current->group_leader);
	dma->lock_cap = capable(CAP_IPC_LOCK);
	dma->mm = current->mm;
	mmgrab(dma->mm);
	/* Only auxiliary domains pin at map time. */
	ret = type1_aux_add_dma(t, dma);
	if (ret)
		goto out_put;
	type1_link(t, dma);
	t->dma_avail--;
	mutex_unlock(&t->lock);
	return 0;

out_put:
	mmdrop(dma->mm);
	put_task_struct(dma->task);
out_free:
	mutex_unlock(&t->lock);
	kfree(dma);
	return ret;
}

/* Ask every registered device to unpin what it holds in the range. */
static void type1_notify_unmap(struct mdk_type1 *t, u64 iova, u64 size)
{
	struct mdk_vfio_device *vdev;

	mutex_lock(&t->devices_lock);
	list_for_each_entry(vdev, &t->devices, iommu_entry)
		vdev->ops->dma_unmap(vdev, iova, size);
	mutex_unlock(&t->devices_lock);
}

/*
 * Remove the mappings in [@iova, @last]; *@unmapped gets their total size.
 * v2: a mapping that the range bisects fails the call. v1 (upstream
 * compatibility): stops at a mapping starting before @iova, removes a
 * mapping starting in the range whole.
 */
static int type1_do_unmap(struct mdk_type1 *t, u64 iova, u64 last,
			  bool all, u64 *unmapped)
{
	struct mdk_type1_dma *dma, *next;
	u64 busy = U64_MAX;	/* never the IOVA of a mapping */
	unsigned int retries = 0;
	int ret = 0;

	*unmapped = 0;
	mutex_lock(&t->lock);
again:
	if (t->v2 && !all) {
		dma = type1_find(t, iova, iova);
		if (dma && dma->iova != iova) {
			ret = -EINVAL;
			goto out_unlock;
		}
		dma = type1_find(t, last, last);
		if (dma && dma_last(dma) != last) {
			ret = -EINVAL;
			goto out_unlock;
		}
	}

	for (dma = type1_find(t, iova, last); dma && dma->iova <= last;
	     dma = next) {
		if (!t->v2 && dma->iova < iova)
			break;
		if (dma->npinned) {
			u64 d_iova = dma->iova, d_size = dma->size;

			if (d_iova != busy) {
				busy = d_iova;
				retries = 0;
			}
			if (retries++ < MDK_TYPE1_UNMAP_RETRIES) {
				mutex_unlock(&t->lock);
				type1_notify_unmap(t, d_iova, d_size);
				mutex_lock(&t->lock);
				goto again;	/* the tree may have changed */
			}
			pr_warn_ratelimited(MDK_VFIO_PREFIX "%lu pages at IOVA 0x%llx still pinned by a device after unmap, unpinning them\n",
					    dma->npinned, d_iova);
			type1_unpin_all(t, dma);
		}
		next = rb_entry_safe(rb_next(&dma->node), struct mdk_type1_dma,
				     node);
		*unmapped += dma->size;
		type1_remove_dma(t, dma);
		cond_resched();
	}
out_unlock:
	mutex_unlock(&t->lock);
	return ret;
}

static int type1_unmap_dma(struct mdk_type1 *t, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	u32 known = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
		    VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
	struct vfio_iommu_type1_dma_unmap unmap;
	bool all;
	u64 last;
	int ret;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || unmap.flags & ~known)
		return -EINVAL;
	/* No dirty tracking, no VFIO_UPDATE_VADDR with emulated groups. */
	if (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	all = unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL;
	if (all) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
		last = U64_MAX;
	} else if (!unmap.size || (unmap.iova | unmap.size) & ~PAGE_MASK ||
		   check_add_overflow(unmap.iova, unmap.size - 1, &last)) {
		return -EINVAL;
	}

	ret = type1_do_unmap(t, unmap.iova, last, all, &unmap.size);
	if (ret)
		return ret;
	return copy_to_user(arg, &unmap, minsz) ? -EFAULT : 0;
}

static int type1_get_info(struct mdk_type1 *t, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	size_t capsz = offsetofend(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_iommu_type1_info_cap_iova_range *range;
	struct vfio_iommu_type1_info_dma_avail *avail;
	struct mdk_vfio_info_cap caps = { };
	struct vfio_iommu_type1_info info;
	struct vfio_info_cap_header *hdr;
	u64 iova_last = U64_MAX;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	/* cap_offset is only reported to callers that know the field. */
	if (info.argsz >= capsz)
		minsz = capsz;

	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = (u64)PAGE_MASK;
	info.cap_offset = 0;

	/* Every IOVA is usable, but for the auxiliary domains' page tables. */
	mutex_lock(&t->lock);
	if (!list_empty(&t->aux))
		iova_last = MDK_TYPE1_AUX_IOVA_LAST;
	mutex_unlock(&t->lock);
	hdr = mdk_vfio_info_cap_add(&caps, struct_size(range, iova_ranges, 1),
				    VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	range = container_of(hdr, typeof(*range), header);
	range->nr_iovas = 1;
	range->iova_ranges[0].start = 0;
	range->iova_ranges[0].end = iova_last;

	hdr = mdk_vfio_info_cap_add(&caps, sizeof(*avail),
				    VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	avail = container_of(hdr, typeof(*avail), header);
	mutex_lock(&t->lock);
	avail->avail = t->dma_avail;
	mutex_unlock(&t->lock);
	/*
	 * No VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: dirty page tracking is not
	 * implemented, so we do not advertise it.
	 */

	ret = mdk_vfio_info_cap_copy(&caps, arg, sizeof(info), info.argsz,
				     &info.cap_offset, &info.argsz);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int type1_check_extension(unsigned long arg)
{
	switch (arg) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	default:	/* no nesting, VADDR update, dirty tracking, DMA_CC */
		return 0;
	}
}

static long type1_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct mdk_type1 *t = data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return type1_check_extension(arg);
	case VFIO_IOMMU_GET_INFO:
		return type1_get_info(t, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return type1_map_dma(t, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return type1_unmap_dma(t, uarg);
	default:
		return -ENOTTY;
	}
}

static void *type1_open(unsigned long type)
{
	struct mdk_type1 *t;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return ERR_PTR(-EINVAL);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	mutex_init(&t->lock);
	t->dmas = RB_ROOT;
	t->dma_avail = READ_ONCE(dma_entry_limit);
	t->v2 = type == VFIO_TYPE1v2_IOMMU;
	INIT_LIST_HEAD(&t->aux);
	mutex_init(&t->devices_lock);
	INIT_LIST_HEAD(&t->devices);
	return t;
}

static void type1_release(void *data)
{
	struct mdk_type1 *t = data;
	struct mdk_type1_dma *dma;
	struct rb_node *n;
	bool warned = false;

	WARN_ON_ONCE(!list_empty(&t->devices));
	WARN_ON_ONCE(!list_empty(&t->aux));	/* groups are detached */
	mutex_lock(&t->lock);
	while ((n = rb_first(&t->dmas))) {
		dma = rb_entry(n, struct mdk_type1_dma, node);
		if (dma->npinned) {
			if (!warned)
				pr_warn(MDK_VFIO_PREFIX "a device left pages pinned in a closed container, unpinning them\n");
			warned = true;
			type1_unpin_all(t, dma);
		}
		type1_remove_dma(t, dma);
		cond_resched();
	}
	mutex_unlock(&t->lock);
	mutex_destroy(&t->lock);
	mutex_destroy(&t->devices_lock);
	kfree(t);
}

/*
 * Emulated groups only (hardware IOMMU groups are not supported). The
 * device list of an emulated group is its one device, set before the
 * group is visible; its unregistration detaches the group from the
 * container (under our caller's group_lock) before the device is freed.
 */
static int type1_attach_group(void *data, struct mdk_vfio_group *group)
{
	struct mdk_vfio_device *vdev;

	if (group->type != MDK_VFIO_EMULATED_IOMMU)
		return -EINVAL;
	vdev = list_first_entry_or_null(&group->device_list,
					struct mdk_vfio_device, group_entry);
	if (!vdev || !vdev->iommu_dev ||
	    !mdk_iommu_dev_feature_enabled(vdev->iommu_dev,
					   MDK_IOMMU_DEV_FEAT_AUX))
		return 0;
	return type1_aux_attach(data, group, vdev->iommu_dev);
}

/*
 * Mappings stay until UNMAP_DMA or the release of the container; the
 * group's auxiliary domain goes now: detached (its PASID resolves no
 * more), freed, and when it was the last, the pins go too.
 */
static void type1_detach_group(void *data, struct mdk_vfio_group *group)
{
	struct mdk_type1 *t = data;
	struct mdk_type1_aux *aux;

	mutex_lock(&t->lock);
	aux = type1_aux_find(t, group);
	if (!aux) {
		mutex_unlock(&t->lock);
		return;
	}
	list_del(&aux->entry);
	mdk_iommu_aux_detach_device(aux->domain, aux->idev);
	mdk_iommu_domain_free(aux->domain);
	kfree(aux);
	if (list_empty(&t->aux))
		type1_aux_unpin_all(t);
	mutex_unlock(&t->lock);
}

static void type1_register_device(void *data, struct mdk_vfio_device *vdev)
{
	struct mdk_type1 *t = data;

	if (!vdev->ops->dma_unmap)
		return;
	mutex_lock(&t->devices_lock);
	list_add_tail(&vdev->iommu_entry, &t->devices);
	mutex_unlock(&t->devices_lock);
}

static void type1_unregister_device(void *data, struct mdk_vfio_device *vdev)
{
	struct mdk_type1 *t = data;

	if (!vdev->ops->dma_unmap)
		return;
	mutex_lock(&t->devices_lock);
	list_del_init(&vdev->iommu_entry);
	mutex_unlock(&t->devices_lock);
}

const struct mdk_vfio_iommu_ops mdk_vfio_type1_ops = {
	.name			= "type1",
	.check_extension	= type1_check_extension,
	.open			= type1_open,
	.release		= type1_release,
	.ioctl			= type1_ioctl,
	.attach_group		= type1_attach_group,
	.detach_group		= type1_detach_group,
	.register_device	= type1_register_device,
	.unregister_device	= type1_unregister_device,
	.pin_pages		= type1_pin_pages,
	.unpin_pages		= type1_unpin_pages,
	.dma_rw			= type1_dma_rw,
	.device_pasid		= type1_device_pasid,
};

/**
 * mdk_vfio_type1_init() - set up the type1 backend at module load
 *
 * Context: process context, from mdk_vfio's module init.
 * Return: 0 (the backend keeps no global state).
 */
int mdk_vfio_type1_init(void)
{
	return 0;
}

/**
 * mdk_vfio_type1_exit() - tear the type1 backend down at module unload
 *
 * Context: process context, from mdk_vfio's module exit; every container
 * is gone by then.
 */
void mdk_vfio_type1_exit(void)
{
}
