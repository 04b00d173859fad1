// SPDX-License-Identifier: GPL-2.0-only
/*
 * Auxiliary domains of the type1 backend: mirroring a container's mappings
 * into the I/O page tables of the devices that sit behind an IOMMU.
 *
 * When a group whose device declared an IOMMU (mdk_vfio_device_set_iommu(),
 * AUX enabled) joins the container, it gets an I/O page table of its own
 * (struct mdk_type1_aux), attached to that IOMMU under a fresh PASID. From
 * then on, as upstream type1 does with a hardware IOMMU domain, every
 * mapping is pinned whole (FOLL_LONGTERM, in batches, charged once to
 * RLIMIT_MEMLOCK whatever the number of domains) and mapped into every
 * auxiliary domain: at MAP_DMA, or at attach time for the mappings that
 * exist already. UNMAP_DMA unmaps it from every domain first (once
 * mdk_iommu_unmap() returns, no device DMA touches the pages), then unpins
 * and uncharges. When the last auxiliary domain goes, the container
 * returns to pinning nothing.
 *
 * Everything here runs under &mdk_type1.lock (see type1.h for its place
 * in the lock order); no vendor code is called from here.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <mdevkit/compat.h>
#include <mdevkit/iommu.h>
#include "type1.h"

/* Pages pinned per pin_user_pages_remote() call for auxiliary domains. */
#define MDK_TYPE1_AUX_BATCH	1024
/* The last IOVA of the auxiliary domains' (4-level, 48-bit) page tables. */
#define MDK_TYPE1_AUX_IOVA_LAST	((1ULL << 48) - 1)

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
	mdk_type1_lock_acct(dma, -(long)npages);
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
	ret = mdk_type1_lock_acct(dma, npages);
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
	mdk_type1_lock_acct(dma, -(long)npages);
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

/**
 * mdk_type1_aux_add_dma() - mirror a new mapping into the auxiliary domains
 * @t: the container's backend state
 * @dma: the new mapping, not linked into &mdk_type1.dmas yet
 *
 * A new mapping in a container with auxiliary domains: pin it, map it
 * into every domain. All or nothing.
 *
 * Context: process context; the caller holds &mdk_type1.lock.
 * Return: 0 (also when the container has no auxiliary domain), or -errno
 * with nothing pinned, charged or mapped.
 */
int mdk_type1_aux_add_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma)
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

/**
 * mdk_type1_aux_remove_dma() - take a mapping out of the auxiliary domains
 * @t: the container's backend state
 * @dma: the mapping being removed
 *
 * A mapping goes: out of every domain first (no DMA reaches its pages
 * once that returns), then unpinned.
 *
 * Context: process context; the caller holds &mdk_type1.lock.
 */
void mdk_type1_aux_remove_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma)
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

/**
 * mdk_type1_aux_device_pasid() - the PASID of a device's auxiliary domain
 * @data: the container's struct mdk_type1
 * @vdev: a device of a group attached to the container
 *
 * Context: process context; takes &mdk_type1.lock.
 * Return: the PASID, or -ENODEV when @vdev's group has no auxiliary domain.
 */
int mdk_type1_aux_device_pasid(void *data, struct mdk_vfio_device *vdev)
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

/**
 * mdk_type1_aux_iova_last() - the last IOVA the container can map
 * @t: the container's backend state
 *
 * Every IOVA is usable, but for the auxiliary domains' page tables.
 *
 * Context: the caller holds &mdk_type1.lock.
 * Return: the last IOVA that every auxiliary domain can map, or U64_MAX
 * when the container has none.
 */
u64 mdk_type1_aux_iova_last(struct mdk_type1 *t)
{
	lockdep_assert_held(&t->lock);
	return list_empty(&t->aux) ? U64_MAX : MDK_TYPE1_AUX_IOVA_LAST;
}

/**
 * mdk_type1_aux_attach_group() - give a joining group its auxiliary domain
 * @t: the container's backend state
 * @group: an emulated group joining the container
 *
 * Only a group whose device declared an AUX-capable IOMMU gets one. The
 * device list of an emulated group is its one device, set before the
 * group is visible; its unregistration detaches the group from the
 * container (under our caller's group_lock) before the device is freed.
 *
 * Context: process context; the caller holds the container's group_lock
 * for write. Takes &mdk_type1.lock.
 * Return: 0 (also when the group needs no domain), or -errno.
 */
int mdk_type1_aux_attach_group(struct mdk_type1 *t,
			       struct mdk_vfio_group *group)
{
	struct mdk_vfio_device *vdev;

	vdev = list_first_entry_or_null(&group->device_list,
					struct mdk_vfio_device, group_entry);
	if (!vdev || !vdev->iommu_dev ||
	    !mdk_iommu_dev_feature_enabled(vdev->iommu_dev,
					   MDK_IOMMU_DEV_FEAT_AUX))
		return 0;
	return type1_aux_attach(t, group, vdev->iommu_dev);
}

/**
 * mdk_type1_aux_detach_group() - release a leaving group's auxiliary domain
 * @t: the container's backend state
 * @group: a group leaving the container
 *
 * The group's auxiliary domain, if any, is detached (its PASID resolves
 * no more) and freed, and when it was the last, the pins go too.
 *
 * Context: process context; the caller holds the container's group_lock
 * for write. Takes &mdk_type1.lock.
 */
void mdk_type1_aux_detach_group(struct mdk_type1 *t,
				struct mdk_vfio_group *group)
{
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
