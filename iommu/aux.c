// SPDX-License-Identifier: GPL-2.0-only
/*
 * Auxiliary domains: a domain attached to a device through a PASID of
 * its own. The device's requests tagged with that PASID translate through
 * the domain; one device serves many domains, one per PASID.
 */
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include "iommu.h"

static struct mdk_iommu_aux *aux_find(struct mdk_iommu_domain *domain,
				      struct mdk_iommu_dev *idev)
{
	struct mdk_iommu_aux *aux;

	lockdep_assert_held(&domain->attach_lock);
	list_for_each_entry(aux, &domain->attachments, node)
		if (aux->idev == idev)
			return aux;
	return NULL;
}

/**
 * mdk_iommu_aux_attach_device() - attach a domain to a device by PASID
 * @domain: the domain
 * @idev: the device's IOMMU context, with MDK_IOMMU_DEV_FEAT_AUX enabled
 *
 * Allocates a PASID in [MDK_PASID_MIN, MDK_PASID_MAX], charged to
 * @idev's quota, and installs PASID -> @domain in @idev's PASID table:
 * from then on mdk_iommu_dma_rw() on @idev with that PASID translates
 * through @domain. A domain may be attached to several devices, with one
 * PASID on each.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL (AUX not enabled), -EBUSY (@domain is already
 * attached to @idev), -EDQUOT (@idev holds its quota of PASIDs), -ENOSPC
 * (no PASID left) or -ENOMEM.
 */
int mdk_iommu_aux_attach_device(struct mdk_iommu_domain *domain,
				struct mdk_iommu_dev *idev)
{
	struct mdk_iommu_aux *aux;
	int ret;

	mutex_lock(&idev->lock);
	mutex_lock(&domain->attach_lock);
	if (!idev->aux_enabled) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (aux_find(domain, idev)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	aux = kzalloc(sizeof(*aux), GFP_KERNEL_ACCOUNT);
	if (!aux) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = mdk_pasid_alloc(&idev->owner, MDK_PASID_MIN, MDK_PASID_MAX,
			      domain);
	if (ret < 0)
		goto out_free_aux;
	aux->pasid = ret;
	aux->idev = idev;
	ret = xa_insert(&idev->pasids, aux->pasid, domain, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_free_pasid;
	list_add(&aux->node, &domain->attachments);
	idev->nr_aux++;
	mutex_unlock(&domain->attach_lock);
	mutex_unlock(&idev->lock);
	return 0;

out_free_pasid:
	mdk_pasid_free(&idev->owner, aux->pasid);
out_free_aux:
	kfree(aux);
out_unlock:
	mutex_unlock(&domain->attach_lock);
	mutex_unlock(&idev->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_iommu_aux_attach_device);

/**
 * mdk_iommu_aux_detach_device() - detach a domain from a device
 * @domain: the domain
 * @idev: a device @domain is attached to
 *
 * Removes the PASID from @idev's PASID table and waits for DMA that
 * already resolved it (an RCU grace period): when this returns, no
 * mdk_iommu_dma_rw() uses @domain through @idev, and the PASID is free
 * for reuse. Detaching a domain that is not attached warns once.
 *
 * Context: process context, sleeps.
 */
void mdk_iommu_aux_detach_device(struct mdk_iommu_domain *domain,
				 struct mdk_iommu_dev *idev)
{
	struct mdk_iommu_aux *aux;

	mutex_lock(&idev->lock);
	mutex_lock(&domain->attach_lock);
	aux = aux_find(domain, idev);
	if (WARN_ON_ONCE(!aux)) {
		mutex_unlock(&domain->attach_lock);
		mutex_unlock(&idev->lock);
		return;
	}
	xa_erase(&idev->pasids, aux->pasid);
	list_del(&aux->node);
	idev->nr_aux--;
	mutex_unlock(&domain->attach_lock);
	mutex_unlock(&idev->lock);

	synchronize_rcu();
	mdk_pasid_free(&idev->owner, aux->pasid);
	kfree(aux);
}
EXPORT_SYMBOL_GPL(mdk_iommu_aux_detach_device);

/**
 * mdk_iommu_aux_get_pasid() - the PASID of a domain on a device
 * @domain: the domain
 * @idev: the device
 *
 * Context: process context, may sleep.
 * Return: the PASID (>= MDK_PASID_MIN), or -EINVAL when @domain is not
 * attached to @idev.
 */
int mdk_iommu_aux_get_pasid(struct mdk_iommu_domain *domain,
			    struct mdk_iommu_dev *idev)
{
	struct mdk_iommu_aux *aux;
	int ret;

	mutex_lock(&domain->attach_lock);
	aux = aux_find(domain, idev);
	ret = aux ? aux->pasid : -EINVAL;
	mutex_unlock(&domain->attach_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_iommu_aux_get_pasid);
