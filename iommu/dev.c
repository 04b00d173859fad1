// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software IOMMU of a parent device: its PASID table, its PASID
 * quota, its fault handler, and the device-feature interface through
 * which a driver enables auxiliary domains.
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/slab.h>
#include "iommu.h"

/**
 * mdk_iommu_dev_register() - create the IOMMU context of a parent device
 * @dev: the device whose DMA goes through it (a reference is taken)
 * @pasid_quota: most PASIDs (aux domains) it may hold at once; 0: no limit
 * @handler: called for each DMA fault of the device, or NULL
 * @data: for @handler
 *
 * The context supports MDK_IOMMU_DEV_FEAT_AUX, initially disabled.
 * @handler runs in the context of the mdk_iommu_dma_rw() call that
 * faulted, with no lock of this module held.
 *
 * Context: process context, may sleep.
 * Return: the context, or ERR_PTR(-EINVAL) (no @dev) or ERR_PTR(-ENOMEM).
 */
struct mdk_iommu_dev *mdk_iommu_dev_register(struct device *dev,
					     unsigned int pasid_quota,
					     mdk_iommu_fault_handler_t handler,
					     void *data)
{
	struct mdk_iommu_dev *idev;

	if (!dev)
		return ERR_PTR(-EINVAL);
	idev = kzalloc(sizeof(*idev), GFP_KERNEL);
	if (!idev)
		return ERR_PTR(-ENOMEM);
	idev->dev = get_device(dev);
	idev->handler = handler;
	idev->data = data;
	idev->owner.name = dev_name(dev);
	idev->owner.quota = pasid_quota;
	mutex_init(&idev->lock);
	xa_init(&idev->pasids);
	return idev;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_register);

/**
 * mdk_iommu_dev_unregister() - destroy an IOMMU context
 * @idev: from mdk_iommu_dev_register(), with every aux domain detached;
 *	NULL or an error pointer is ignored
 *
 * A domain still attached is a caller bug: it warns and leaks @idev
 * rather than free what the DMA path may use.
 *
 * Context: process context, may sleep.
 */
void mdk_iommu_dev_unregister(struct mdk_iommu_dev *idev)
{
	if (IS_ERR_OR_NULL(idev))
		return;
	if (WARN_ON(idev->nr_aux || !xa_empty(&idev->pasids)))
		return;
	xa_destroy(&idev->pasids);
	mutex_destroy(&idev->lock);
	put_device(idev->dev);
	kfree(idev);
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_unregister);

/**
 * mdk_iommu_dev_device() - the device of an IOMMU context
 * @idev: the context
 *
 * Context: any context.
 * Return: the @dev given to mdk_iommu_dev_register().
 */
struct device *mdk_iommu_dev_device(struct mdk_iommu_dev *idev)
{
	return idev->dev;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_device);

/**
 * mdk_iommu_dev_has_feature() - whether the IOMMU supports a feature
 * @idev: the context
 * @feat: the feature
 *
 * Context: any context.
 * Return: true for MDK_IOMMU_DEV_FEAT_AUX, false for anything else.
 */
bool mdk_iommu_dev_has_feature(struct mdk_iommu_dev *idev,
			       enum mdk_iommu_dev_feature feat)
{
	return feat == MDK_IOMMU_DEV_FEAT_AUX;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_has_feature);

/**
 * mdk_iommu_dev_enable_feature() - enable a feature
 * @idev: the context
 * @feat: the feature
 *
 * Enabling an enabled feature succeeds.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL for an unsupported feature.
 */
int mdk_iommu_dev_enable_feature(struct mdk_iommu_dev *idev,
				 enum mdk_iommu_dev_feature feat)
{
	if (!mdk_iommu_dev_has_feature(idev, feat))
		return -EINVAL;
	mutex_lock(&idev->lock);
	WRITE_ONCE(idev->aux_enabled, true);
	mutex_unlock(&idev->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_enable_feature);

/**
 * mdk_iommu_dev_disable_feature() - disable a feature
 * @idev: the context
 * @feat: the feature
 *
 * Disabling a disabled feature succeeds.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for an unsupported feature; -EBUSY while aux domains
 * are attached.
 */
int mdk_iommu_dev_disable_feature(struct mdk_iommu_dev *idev,
				  enum mdk_iommu_dev_feature feat)
{
	int ret = 0;

	if (!mdk_iommu_dev_has_feature(idev, feat))
		return -EINVAL;
	mutex_lock(&idev->lock);
	if (idev->nr_aux)
		ret = -EBUSY;
	else
		WRITE_ONCE(idev->aux_enabled, false);
	mutex_unlock(&idev->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_disable_feature);

/**
 * mdk_iommu_dev_feature_enabled() - whether a feature is enabled
 * @idev: the context
 * @feat: the feature
 *
 * Context: any context; the answer may change right after unless the
 * caller serialises with enable/disable.
 * Return: true when @feat is supported and enabled.
 */
bool mdk_iommu_dev_feature_enabled(struct mdk_iommu_dev *idev,
				   enum mdk_iommu_dev_feature feat)
{
	return feat == MDK_IOMMU_DEV_FEAT_AUX && READ_ONCE(idev->aux_enabled);
}
EXPORT_SYMBOL_GPL(mdk_iommu_dev_feature_enabled);
