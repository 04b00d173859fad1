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
 * Locking: see type1.h (struct mdk_type1 and the order of its locks).
 *
 * Auxiliary domains (type1_aux.c): when a group whose device declared an
 * AUX-capable IOMMU joins the container, every mapping is also pinned
 * whole and mirrored into that group's own I/O page table.
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
#include "type1.h"

static unsigned int dma_entry_limit __read_mostly = U16_MAX;
module_param(dma_entry_limit, uint, 0644);
MODULE_PARM_DESC(dma_entry_limit,
		 "Maximum number of user DMA mappings per container (65535).");

/* Upstream's VFIO_PIN_PAGES_MAX_ENTRIES. */
#define MDK_TYPE1_PIN_MAX	512
/* How often UNMAP_DMA asks the devices to unpin before forcing it. */
#define MDK_TYPE1_UNMAP_RETRIES	8

/**
 * struct mdk_type1_pin - a page pinned for vendor drivers
 * @page: the page, pinned once with FOLL_PIN | FOLL_LONGTERM
 * @refs: pin_pages() calls not yet matched by unpin_pages()
 */
struct mdk_type1_pin {
	struct page *page;
	unsigned int refs;
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

/**
 * mdk_type1_lock_acct() - charge or uncharge pinned pages of a mapping
 * @dma: the mapping whose process pays
 * @npage: pages to charge (> 0) or uncharge (< 0)
 *
 * Charge (@npage > 0) or uncharge (@npage < 0) pages to the locked_vm of
 * @dma's address space, enforcing RLIMIT_MEMLOCK of its task. Nothing is
 * left to uncharge once the address space is gone.
 *
 * Context: process context; takes mmap_lock of @dma's address space, so
 * the caller may hold &mdk_type1.lock but not that mmap_lock.
 * Return: 0, -ENOMEM over RLIMIT_MEMLOCK, -ESRCH when charging to an
 * address space that is gone, -EINTR when killed while charging.
 */
int mdk_type1_lock_acct(struct mdk_type1_dma *dma, long npage)
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
				mdk_type1_lock_acct(acct, -unlocked);
			acct = dma;
			unlocked = 0;
		}
		unlocked += ret;
	}
	if (acct)
		mdk_type1_lock_acct(acct, -unlocked);
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
	mdk_type1_lock_acct(dma, -(long)dma->npinned);
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

	ret = mdk_type1_lock_acct(dma, npage);
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
	mdk_type1_lock_acct(dma, -npage);
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

/*
 * Free @dma. Its pins must be gone (the callers see to it); it leaves the
 * auxiliary domains here.
 */
static void type1_remove_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma)
{
	lockdep_assert_held(&t->lock);
	WARN_ON_ONCE(dma->npinned);
	mdk_type1_aux_remove_dma(t, dma);
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
	ret = mdk_type1_aux_add_dma(t, dma);
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
	u64 iova_last;
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
	iova_last = mdk_type1_aux_iova_last(t);
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
 * Emulated groups only (hardware IOMMU groups are not supported); one
 * whose device has an AUX-capable IOMMU gets an auxiliary domain.
 */
static int type1_attach_group(void *data, struct mdk_vfio_group *group)
{
	if (group->type != MDK_VFIO_EMULATED_IOMMU)
		return -EINVAL;
	return mdk_type1_aux_attach_group(data, group);
}

/*
 * Mappings stay until UNMAP_DMA or the release of the container; only the
 * group's auxiliary domain goes now.
 */
static void type1_detach_group(void *data, struct mdk_vfio_group *group)
{
	mdk_type1_aux_detach_group(data, group);
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
	.device_pasid		= mdk_type1_aux_device_pasid,
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
