// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdevkit: the device helper for VFIO devices that are not PCI.
 *
 * Implements the mdk_vfio_device_ops of a device from a const struct
 * mdk_vdev_desc: the region layout (index << offset_shift), the generic
 * VFIO_DEVICE_* ioctls and the IRQ indexes (vfio/irqs.c).
 *
 * Locking: vd->lock (a mutex) is held around every driver callback but
 * ioctl. User copies happen outside it, through a bounce buffer.
 */
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <mdevkit/vdev.h>

/* Accesses up to this size bounce through the stack. */
#define MDK_VDEV_SMALL_ACCESS	128

static unsigned int mdk_vdev_shift(const struct mdk_vdev_desc *d)
{
	return d->offset_shift ? d->offset_shift : MDK_VFIO_OFFSET_SHIFT;
}

/* Region @index, or NULL when the device has no such index. */
static const struct mdk_vdev_region *mdk_vdev_region(struct mdk_vdev *vd,
						     u64 index)
{
	const struct mdk_vdev_desc *d = vd->desc;

	if (index >= d->nr_regions)
		return NULL;
	return &d->regions[array_index_nospec(index, d->nr_regions)];
}

static ssize_t mdk_vdev_rw(struct mdk_vdev *vd, char __user *ubuf,
			   size_t count, loff_t pos, bool write)
{
	const unsigned int shift = mdk_vdev_shift(vd->desc);
	u64 index = (u64)pos >> shift;
	u64 off = (u64)pos & ((1ULL << shift) - 1);
	u64 small[MDK_VDEV_SMALL_ACCESS / sizeof(u64)];
	const struct mdk_vdev_region *r;
	u8 *buf = (u8 *)small;
	u64 end;
	int ret;

	r = pos < 0 ? NULL : mdk_vdev_region(vd, index);
	if (!r || !r->rw || !(r->flags & (write ? VFIO_REGION_INFO_FLAG_WRITE :
					  VFIO_REGION_INFO_FLAG_READ)))
		return -EINVAL;
	if (check_add_overflow(off, (u64)count, &end) || end > r->size)
		return -EINVAL;
	if (!count)
		return 0;

	if (count > sizeof(small)) {
		buf = kmalloc(count, GFP_KERNEL);	/* <= r->size <= PAGE_SIZE */
		if (!buf)
			return -ENOMEM;
	}
	if (write && copy_from_user(buf, ubuf, count)) {
		ret = -EFAULT;
		goto out_free;
	}
	mutex_lock(&vd->lock);
	ret = r->rw(vd, index, off, buf, count, write);
	mutex_unlock(&vd->lock);
	if (!ret && !write && copy_to_user(ubuf, buf, count))
		ret = -EFAULT;
out_free:
	if (buf != (u8 *)small)
		kfree(buf);
	return ret ? ret : count;
}

static ssize_t mdk_vdev_read(struct mdk_vfio_device *vdev, char __user *buf,
			     size_t count, loff_t *ppos)
{
	return mdk_vdev_rw(to_mdk_vdev(vdev), buf, count, *ppos, false);
}

static ssize_t mdk_vdev_write(struct mdk_vfio_device *vdev,
			      const char __user *buf, size_t count,
			      loff_t *ppos)
{
	return mdk_vdev_rw(to_mdk_vdev(vdev), (char __user *)buf, count, *ppos,
			   true);
}

static long mdk_vdev_get_info(struct mdk_vdev *vd, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = vd->desc->flags;
	if (vd->desc->reset)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = vd->desc->nr_regions;
	info.num_irqs = vd->desc->nr_irqs;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long mdk_vdev_get_region_info(struct mdk_vdev *vd, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct mdk_vfio_info_cap caps = {};
	struct vfio_region_info_cap_type *type;
	const struct mdk_vdev_region *r;
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	r = mdk_vdev_region(vd, info.index);
	if (!r)
		return -EINVAL;
	info.offset = (u64)info.index << mdk_vdev_shift(vd->desc);
	info.size = r->size;
	info.flags = r->size ? r->flags & (VFIO_REGION_INFO_FLAG_READ |
					   VFIO_REGION_INFO_FLAG_WRITE) : 0;
	info.cap_offset = 0;
	if (r->size && r->type) {
		type = (void *)mdk_vfio_info_cap_add(&caps, sizeof(*type),
						     VFIO_REGION_INFO_CAP_TYPE,
						     1);
		if (IS_ERR(type))
			return PTR_ERR(type);
		type->type = r->type;
		type->subtype = r->subtype;
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		ret = mdk_vfio_info_cap_copy(&caps, arg, sizeof(info),
					     info.argsz, &info.cap_offset,
					     &info.argsz);
		if (ret)
			return ret;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long mdk_vdev_ioctl(struct mdk_vfio_device *vdev, unsigned int cmd,
			   unsigned long arg)
{
	struct mdk_vdev *vd = to_mdk_vdev(vdev);
	int ret;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return mdk_vdev_get_info(vd, (void __user *)arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return mdk_vdev_get_region_info(vd, (void __user *)arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mdk_vfio_irqs_get_info(&vd->irqs, arg);
	case VFIO_DEVICE_SET_IRQS:
		return mdk_vfio_irqs_set(&vd->irqs, arg);
	case VFIO_DEVICE_RESET:
		if (!vd->desc->reset)
			return -EINVAL;
		mutex_lock(&vd->lock);
		ret = vd->desc->reset(vd);
		mdk_vfio_irqs_reset(&vd->irqs);
		mutex_unlock(&vd->lock);
		return ret;
	}
	return vd->desc->ioctl ? vd->desc->ioctl(vd, cmd, arg) : -ENOTTY;
}

static int mdk_vdev_open_device(struct mdk_vfio_device *vdev)
{
	struct mdk_vdev *vd = to_mdk_vdev(vdev);
	int ret = 0;

	if (vd->desc->open) {
		mutex_lock(&vd->lock);
		ret = vd->desc->open(vd);
		mutex_unlock(&vd->lock);
	}
	return ret;
}

static void mdk_vdev_close_device(struct mdk_vfio_device *vdev)
{
	struct mdk_vdev *vd = to_mdk_vdev(vdev);

	mdk_vfio_irqs_disable_all(&vd->irqs);
	if (vd->desc->close) {
		mutex_lock(&vd->lock);
		vd->desc->close(vd);
		mutex_unlock(&vd->lock);
	}
}

static void mdk_vdev_request(struct mdk_vfio_device *vdev, unsigned int count)
{
	struct mdk_vdev *vd = to_mdk_vdev(vdev);
	unsigned int i;

	for (i = 0; i < vd->desc->nr_irqs; i++) {
		if (!vd->desc->irqs[i].request)
			continue;
		if (mdk_vdev_signal(vd, i)) {
			/* The first request is routine; repeated ones are news. */
			if (count)
				dev_notice_ratelimited(vdev->dev, "relaying device request to user (#%u)\n",
						       count);
			return;
		}
		break;
	}
	if (!count)
		dev_notice(vdev->dev, "no device request channel registered, blocked until released by user\n");
}

static void mdk_vdev_dma_unmap(struct mdk_vfio_device *vdev, u64 iova,
			       u64 length)
{
	struct mdk_vdev *vd = to_mdk_vdev(vdev);

	if (!vd->desc->dma_unmap)
		return;
	mutex_lock(&vd->lock);
	vd->desc->dma_unmap(vd, iova, length);
	mutex_unlock(&vd->lock);
}

static const struct mdk_vfio_device_ops mdk_vdev_ops = {
	.name		= "mdk_vdev",
	.open_device	= mdk_vdev_open_device,
	.close_device	= mdk_vdev_close_device,
	.read		= mdk_vdev_read,
	.write		= mdk_vdev_write,
	.ioctl		= mdk_vdev_ioctl,
	.request	= mdk_vdev_request,
	.dma_unmap	= mdk_vdev_dma_unmap,
};

static int mdk_vdev_check_desc(struct device *dev,
			       const struct mdk_vdev_desc *d)
{
	unsigned int shift = mdk_vdev_shift(d), i, requests = 0;

	if (shift < 8 || shift > MDK_VFIO_OFFSET_SHIFT ||
	    (d->nr_regions && !d->regions) || (d->nr_irqs && !d->irqs) ||
	    d->nr_regions > (1U << 16)) {
		dev_err(dev, "vdev: invalid description (shift %u, %u regions, %u IRQ indexes)\n",
			shift, d->nr_regions, d->nr_irqs);
		return -EINVAL;
	}
	for (i = 0; i < d->nr_regions; i++) {
		const struct mdk_vdev_region *r = &d->regions[i];

		if (r->size > PAGE_SIZE || r->size > (1U << shift) ||
		    (r->size && !r->rw)) {
			dev_err(dev, "vdev: invalid region %u (size %u)\n", i,
				r->size);
			return -EINVAL;
		}
	}
	for (i = 0; i < d->nr_irqs; i++)
		requests += d->irqs[i].request;
	if (requests > 1) {
		dev_err(dev, "vdev: %u request IRQ indexes\n", requests);
		return -EINVAL;
	}
	return 0;
}

/**
 * mdk_vdev_init() - set up a device
 * @vd: the device state (embedded in the driver's)
 * @dev: the struct device it stands for (for an mdev: &mdev->dev)
 * @desc: its description; must stay valid until mdk_vdev_uninit()
 *
 * Checks @desc, defines the IRQ indexes and initializes @vd->vdev with the
 * helper's device ops. The caller then registers @vd->vdev.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for an invalid @desc (logged), or -ENOMEM.
 */
int mdk_vdev_init(struct mdk_vdev *vd, struct device *dev,
		  const struct mdk_vdev_desc *desc)
{
	unsigned int i;
	int ret;

	ret = mdk_vdev_check_desc(dev, desc);
	if (ret)
		return ret;
	ret = mdk_vfio_irqs_init(&vd->irqs, desc->nr_irqs);
	if (ret)
		return ret;
	for (i = 0; i < desc->nr_irqs; i++)
		mdk_vfio_irqs_define(&vd->irqs, i, desc->irqs[i].count,
				     desc->irqs[i].flags);
	vd->desc = desc;
	mutex_init(&vd->lock);
	mdk_vfio_device_init(&vd->vdev, dev, &mdk_vdev_ops);
	return 0;
}
EXPORT_SYMBOL_GPL(mdk_vdev_init);

/**
 * mdk_vdev_uninit() - release what mdk_vdev_init() set up
 * @vd: the device, no longer registered with the VFIO core
 *
 * Context: process context; may sleep.
 */
void mdk_vdev_uninit(struct mdk_vdev *vd)
{
	mdk_vfio_irqs_destroy(&vd->irqs);
	mutex_destroy(&vd->lock);
}
EXPORT_SYMBOL_GPL(mdk_vdev_uninit);
