// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO devices: registration, the device file and the DMA helpers of the
 * driver API.
 *
 * Open accounting: @open_count of a device changes only with both its
 * group's lock and its open_lock held, so either lock gives a stable
 * value. The first open registers the device with the container's backend
 * and calls ops->open_device; the last close calls ops->close_device and
 * unregisters it. Each device file holds a reference on the group file
 * (so the group cannot leave its container under it) and one on the
 * driver's module.
 *
 * Removal: mdk_vfio_device_quiesce() blocks new opens, asks the user to
 * let go (ops->request) and waits for the last close. A closing file
 * wakes the waiter with its group's lock still held and touches the
 * device no more after dropping it; mdk_vfio_unregister_device() takes
 * that lock before tearing down, so the driver may free the device as
 * soon as it returns.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"

/* Time between two requests to release a device being removed. */
#define MDK_VFIO_REQUEST_INTERVAL	(10 * HZ)

/**
 * mdk_vfio_group_has_open_device() - whether a device of @group is open
 * @group: the group
 *
 * Context: the caller holds @group->lock.
 * Return: true when at least one device file of @group is open.
 */
bool mdk_vfio_group_has_open_device(struct mdk_vfio_group *group)
{
	struct mdk_vfio_device *vdev;

	lockdep_assert_held(&group->lock);

	list_for_each_entry(vdev, &group->device_list, group_entry)
		if (vdev->open_count)
			return true;
	return false;
}

/* First open: the backend learns about the device, then the driver. */
static int mdk_vfio_device_first_open(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_container *container = vdev->group->container;
	int ret = 0;

	lockdep_assert_held(&vdev->open_lock);

	down_read(&container->group_lock);
	container->iommu_ops->register_device(container->iommu_data, vdev);
	up_read(&container->group_lock);

	if (vdev->ops->open_device) {
		ret = vdev->ops->open_device(vdev);
		if (ret) {
			down_read(&container->group_lock);
			container->iommu_ops->unregister_device(container->iommu_data,
								vdev);
			up_read(&container->group_lock);
		}
	}
	return ret;
}

static void mdk_vfio_device_last_close(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_container *container = vdev->group->container;

	lockdep_assert_held(&vdev->open_lock);

	if (vdev->ops->close_device)
		vdev->ops->close_device(vdev);

	down_read(&container->group_lock);
	container->iommu_ops->unregister_device(container->iommu_data, vdev);
	up_read(&container->group_lock);
}

/* Account one more open file of @vdev; see mdk_vfio_device_open_file(). */
static int mdk_vfio_device_get(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_group *group = vdev->group;
	struct mdk_vfio_container *container = group->container;
	struct module *owner;
	int ret = 0;

	lockdep_assert_held(&group->lock);

	mutex_lock(&vdev->open_lock);
	if (vdev->blocked) {
		ret = -ENODEV;		/* being removed */
		goto out_unlock;
	}
	/* As upstream: EINVAL without a container or before SET_IOMMU. */
	if (!container) {
		ret = -EINVAL;
		goto out_unlock;
	}
	down_read(&container->group_lock);
	if (!container->iommu_ops)
		ret = -EINVAL;
	up_read(&container->group_lock);
	if (ret)
		goto out_unlock;

	/* A bound driver (owner NULL when built in) is held while open. */
	if (!vdev->dev->driver) {
		ret = -ENODEV;
		goto out_unlock;
	}
	owner = vdev->dev->driver->owner;
	if (!try_module_get(owner)) {
		ret = -ENODEV;
		goto out_unlock;
	}

	/* WRITE_ONCE: mdk_vfio_device_quiesce() reads it without lock. */
	WRITE_ONCE(vdev->open_count, vdev->open_count + 1);
	if (vdev->open_count == 1) {
		ret = mdk_vfio_device_first_open(vdev);
		if (ret) {
			WRITE_ONCE(vdev->open_count, 0);
			module_put(owner);
			goto out_unlock;
		}
	}
	/* Put in mdk_vfio_device_put(). */
	get_file(group->opened_file);
out_unlock:
	mutex_unlock(&vdev->open_lock);
	return ret;
}

/* Undo mdk_vfio_device_get(): one device file of @vdev is gone. */
static void mdk_vfio_device_put(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_group *group = vdev->group;
	struct file *group_file;
	struct module *owner;

	mutex_lock(&group->lock);
	/* Same file as at open: it cannot be released while we hold it. */
	group_file = group->opened_file;
	owner = vdev->dev->driver->owner;

	mutex_lock(&vdev->open_lock);
	if (vdev->open_count == 1)
		mdk_vfio_device_last_close(vdev);
	WRITE_ONCE(vdev->open_count, vdev->open_count - 1);
	mutex_unlock(&vdev->open_lock);
	wake_up(&vdev->close_wq);
	/* Last access to @vdev: unregistration waits for this lock. */
	mutex_unlock(&group->lock);

	module_put(owner);
	fput(group_file);
}

static int mdk_vfio_device_release(struct inode *inode, struct file *file)
{
	mdk_vfio_device_put(file->private_data);
	return 0;
}

/* The I/O path: no core lock, the open file keeps everything alive. */
static ssize_t mdk_vfio_device_read(struct file *file, char __user *buf,
				    size_t count, loff_t *ppos)
{
	struct mdk_vfio_device *vdev = file->private_data;

	if (unlikely(!vdev->ops->read))
		return -EINVAL;
	return vdev->ops->read(vdev, buf, count, ppos);
}

static ssize_t mdk_vfio_device_write(struct file *file,
				     const char __user *buf, size_t count,
				     loff_t *ppos)
{
	struct mdk_vfio_device *vdev = file->private_data;

	if (unlikely(!vdev->ops->write))
		return -EINVAL;
	return vdev->ops->write(vdev, buf, count, ppos);
}

/*
 * VFIO_DEVICE_FEATURE: the header is checked here as upstream does; no
 * feature of the core (migration, DMA logging) is supported, so valid
 * requests go to the driver, which answers -ENOTTY to unknown ones.
 */
static long mdk_vfio_device_feature(struct mdk_vfio_device *vdev,
				    unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_feature, flags);
	struct vfio_device_feature feature;

	if (copy_from_user(&feature, (void __user *)arg, minsz))
		return -EFAULT;
	if (feature.argsz < minsz)
		return -EINVAL;
	if (feature.flags & ~(VFIO_DEVICE_FEATURE_MASK |
			      VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	if (!(feature.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	return vdev->ops->ioctl(vdev, VFIO_DEVICE_FEATURE, arg);
}

static long mdk_vfio_device_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct mdk_vfio_device *vdev = file->private_data;

	if (unlikely(!vdev->ops->ioctl))
		return -ENOTTY;
	if (cmd == VFIO_DEVICE_FEATURE)
		return mdk_vfio_device_feature(vdev, arg);
	return vdev->ops->ioctl(vdev, cmd, arg);
}

static int mdk_vfio_device_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mdk_vfio_device *vdev = file->private_data;

	if (unlikely(!vdev->ops->mmap))
		return -EINVAL;
	return vdev->ops->mmap(vdev, vma);
}

static const struct file_operations mdk_vfio_device_fops = {
	.owner = THIS_MODULE,
	.release = mdk_vfio_device_release,
	.read = mdk_vfio_device_read,
	.write = mdk_vfio_device_write,
	.unlocked_ioctl = mdk_vfio_device_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mdk_vfio_device_mmap,
};

/**
 * mdk_vfio_device_open_file() - VFIO_GROUP_GET_DEVICE_FD
 * @group: the group whose file the ioctl came from
 * @name: the device's name
 *
 * Context: process context, may sleep; takes @group->lock.
 * Return: a new device file, or ERR_PTR(-ENODEV) when no device of @group
 * has that name or it is being removed, ERR_PTR(-EINVAL) when the group
 * has no container or the container no backend, or another ERR_PTR.
 */
struct file *mdk_vfio_device_open_file(struct mdk_vfio_group *group,
				       const char *name)
{
	struct mdk_vfio_device *vdev, *it;
	struct file *file;
	int ret = -ENODEV;

	mutex_lock(&group->lock);
	vdev = NULL;
	list_for_each_entry(it, &group->device_list, group_entry) {
		if (!strcmp(dev_name(it->dev), name)) {
			vdev = it;
			break;
		}
	}
	if (vdev)
		ret = mdk_vfio_device_get(vdev);
	mutex_unlock(&group->lock);
	if (ret)
		return ERR_PTR(ret);

	/* Not anon_inode_getfd(): the mode needs pread/pwrite added. */
	file = anon_inode_getfile("[vfio-device]", &mdk_vfio_device_fops, vdev,
				  O_RDWR);
	if (IS_ERR(file)) {
		mdk_vfio_device_put(vdev);
		return file;
	}
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	return file;
}

/**
 * mdk_vfio_device_init() - prepare a device for registration
 * @vdev: the device, usually embedded in the driver's state
 * @dev: the struct device it stands for (its name is what userspace
 *	passes to VFIO_GROUP_GET_DEVICE_FD)
 * @ops: the driver's callbacks
 *
 * Context: any context that may sleep.
 */
void mdk_vfio_device_init(struct mdk_vfio_device *vdev, struct device *dev,
			  const struct mdk_vfio_device_ops *ops)
{
	vdev->dev = dev;
	vdev->ops = ops;
	vdev->iommu_dev = NULL;
	vdev->group = NULL;
	INIT_LIST_HEAD(&vdev->group_entry);
	INIT_LIST_HEAD(&vdev->iommu_entry);
	mutex_init(&vdev->open_lock);
	vdev->open_count = 0;
	vdev->blocked = false;
	init_waitqueue_head(&vdev->close_wq);
	vdev->registered = false;
}
EXPORT_SYMBOL_GPL(mdk_vfio_device_init);

/**
 * mdk_vfio_register_emulated_device() - expose a device without IOMMU
 * @vdev: a device prepared with mdk_vfio_device_init()
 *
 * Creates the device's own emulated group: the kernel IOMMU group
 * (/sys/kernel/iommu_groups/N, the iommu_group link of @vdev->dev) and
 * /dev/vfio/N. The device's DMA goes through mdk_vfio_pin_pages() and
 * mdk_vfio_dma_rw() only. @vdev->dev must be bound to a driver when the
 * device is opened: its module is held while a device file is open.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno; nothing is left behind on error.
 */
int mdk_vfio_register_emulated_device(struct mdk_vfio_device *vdev)
{
	int ret;

	if (vdev->registered)
		return -EINVAL;

	vdev->blocked = false;
	vdev->registered = true;
	ret = mdk_vfio_group_create_emulated(vdev);
	if (ret)
		vdev->registered = false;
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_vfio_register_emulated_device);

/**
 * mdk_vfio_device_quiesce() - close a device to userspace
 * @vdev: a registered device
 * @interruptible: whether a signal may abort the wait
 *
 * Blocks new opens of @vdev, then, as long as a device file is open, asks
 * the user to release it through @vdev->ops->request (again every 10 s)
 * and waits. When @interruptible and a signal arrives, the device is
 * opened up again and stays usable.
 *
 * Context: process context, sleeps; no lock of the core held.
 * Return: 0 once no device file is open and none can be opened, or
 * -EINTR.
 */
int mdk_vfio_device_quiesce(struct mdk_vfio_device *vdev, bool interruptible)
{
	unsigned int count = 0;
	bool noticed = false;
	long left;

	mutex_lock(&vdev->open_lock);
	vdev->blocked = true;
	mutex_unlock(&vdev->open_lock);

	while (READ_ONCE(vdev->open_count)) {
		if (vdev->ops->request)
			vdev->ops->request(vdev, count++);

		if (interruptible) {
			left = wait_event_interruptible_timeout
				(vdev->close_wq, !READ_ONCE(vdev->open_count),
				 MDK_VFIO_REQUEST_INTERVAL);
			if (left < 0) {
				mdk_vfio_device_unquiesce(vdev);
				return -EINTR;
			}
		} else {
			left = wait_event_timeout(vdev->close_wq,
						  !READ_ONCE(vdev->open_count),
						  MDK_VFIO_REQUEST_INTERVAL);
			if (!left && !noticed) {
				dev_notice(vdev->dev,
					   "still in use, task \"%s\" (%d) waits for its release\n",
					   current->comm, task_pid_nr(current));
				noticed = true;
			}
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(mdk_vfio_device_quiesce);

/**
 * mdk_vfio_device_unquiesce() - undo mdk_vfio_device_quiesce()
 * @vdev: a registered device
 *
 * The device can be opened again, unless its unregistration began.
 *
 * Context: process context, may sleep.
 */
void mdk_vfio_device_unquiesce(struct mdk_vfio_device *vdev)
{
	mutex_lock(&vdev->open_lock);
	if (vdev->registered)
		vdev->blocked = false;
	mutex_unlock(&vdev->open_lock);
}
EXPORT_SYMBOL_GPL(mdk_vfio_device_unquiesce);

/**
 * mdk_vfio_unregister_device() - withdraw a device from userspace
 * @vdev: a registered device
 *
 * Waits for every device file to be closed (see mdk_vfio_device_quiesce();
 * the wait cannot be interrupted), then removes /dev/vfio/N and the
 * emulated IOMMU group. The driver may free @vdev once this returns.
 *
 * Context: process context, sleeps.
 */
void mdk_vfio_unregister_device(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_group *group = vdev->group;

	mutex_lock(&vdev->open_lock);
	vdev->registered = false;	/* nobody unblocks it from now on */
	mutex_unlock(&vdev->open_lock);

	mdk_vfio_device_quiesce(vdev, false);

	/* Waits for a closing file to be done with @vdev, see above. */
	mutex_lock(&group->lock);
	list_del_init(&vdev->group_entry);
	mutex_unlock(&group->lock);

	mdk_vfio_group_destroy_emulated(vdev);
}
EXPORT_SYMBOL_GPL(mdk_vfio_unregister_device);

/*
 * The container of an open device. While a device file is open its group
 * cannot leave the container (UNSET_CONTAINER fails, the group file is
 * held) and the container keeps its backend, so no lock is needed; none
 * may be taken either, as a driver calls the helpers below from its
 * dma_unmap callback, which runs under the container's group_lock.
 */
static struct mdk_vfio_container *
mdk_vfio_device_container(struct mdk_vfio_device *vdev)
{
	if (!READ_ONCE(vdev->open_count) || !vdev->group)
		return NULL;
	return vdev->group->container;
}

/**
 * mdk_vfio_pin_pages() - pin pages of the user's DMA space
 * @vdev: an open device whose driver implements ops->dma_unmap
 * @iova: first IOVA, page aligned
 * @npage: number of pages (at most 512)
 * @prot: IOMMU_READ and/or IOMMU_WRITE access needed
 * @pages: receives the @npage pinned pages
 *
 * The pages stay pinned until mdk_vfio_unpin_pages(); when the user
 * unmaps an IOVA range, the driver's ops->dma_unmap must unpin what it
 * pinned there. Pinned pages are charged to the mapping task's
 * RLIMIT_MEMLOCK.
 *
 * Context: process context, sleeps; only while a device file is open
 * (from open_device to close_device included).
 * Return: @npage, or -EINVAL (bad arguments, device not open, no backend
 * able to pin, IOVA not mapped), -EPERM (mapping lacks @prot), -ENOMEM.
 */
int mdk_vfio_pin_pages(struct mdk_vfio_device *vdev, dma_addr_t iova,
		       int npage, int prot, struct page **pages)
{
	struct mdk_vfio_container *container;

	if (!pages || npage <= 0 || !vdev->ops->dma_unmap)
		return -EINVAL;
	container = mdk_vfio_device_container(vdev);
	if (!container || !container->iommu_ops->pin_pages)
		return -EINVAL;
	return container->iommu_ops->pin_pages(container->iommu_data, vdev,
					       iova, npage, prot, pages);
}
EXPORT_SYMBOL_GPL(mdk_vfio_pin_pages);

/**
 * mdk_vfio_unpin_pages() - unpin pages pinned by mdk_vfio_pin_pages()
 * @vdev: the device that pinned them
 * @iova: first IOVA, page aligned
 * @npage: number of pages
 *
 * Drops one pin of each page; calls must balance mdk_vfio_pin_pages().
 *
 * Context: process context, sleeps; only while a device file is open,
 * including from ops->close_device and ops->dma_unmap.
 */
void mdk_vfio_unpin_pages(struct mdk_vfio_device *vdev, dma_addr_t iova,
			  int npage)
{
	struct mdk_vfio_container *container;

	container = mdk_vfio_device_container(vdev);
	if (WARN_ON_ONCE(npage <= 0 || !container ||
			 !container->iommu_ops->unpin_pages))
		return;
	container->iommu_ops->unpin_pages(container->iommu_data, vdev, iova,
					  npage);
}
EXPORT_SYMBOL_GPL(mdk_vfio_unpin_pages);

/**
 * mdk_vfio_dma_rw() - read or write the user's DMA space
 * @vdev: an open device
 * @iova: first IOVA
 * @data: kernel buffer
 * @len: bytes to copy
 * @write: true to copy @data to the IOVA range, false for the reverse
 *
 * The range may span several mappings; each must allow the access.
 *
 * Context: process context or a kernel thread, sleeps; only while a
 * device file is open.
 * Return: 0, or -EINVAL (bad arguments, device not open, range not
 * mapped), -EPERM (a mapping lacks the access), -EFAULT.
 */
int mdk_vfio_dma_rw(struct mdk_vfio_device *vdev, dma_addr_t iova,
		    void *data, size_t len, bool write)
{
	struct mdk_vfio_container *container;

	if (!data || !len)
		return -EINVAL;
	container = mdk_vfio_device_container(vdev);
	if (!container || !container->iommu_ops->dma_rw)
		return -EINVAL;
	return container->iommu_ops->dma_rw(container->iommu_data, iova, data,
					    len, write);
}
EXPORT_SYMBOL_GPL(mdk_vfio_dma_rw);

/**
 * mdk_vfio_device_pasid() - the PASID of a device's auxiliary domain
 * @vdev: an open device that declared an IOMMU (mdk_vfio_device_set_iommu())
 *
 * The container's backend gave the device's group an auxiliary domain
 * attached to the device's IOMMU, mirroring the user's mappings; DMA the
 * device model does with this PASID (mdk_iommu_dma_rw()) sees exactly the
 * container's DMA space. The value is stable while a device file is open.
 *
 * Context: process context; only while a device file is open (from
 * open_device to close_device included).
 * Return: the PASID, or -ENODEV when the device has no auxiliary domain.
 */
int mdk_vfio_device_pasid(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_container *container;

	container = mdk_vfio_device_container(vdev);
	if (!vdev->iommu_dev || !container ||
	    !container->iommu_ops->device_pasid)
		return -ENODEV;
	return container->iommu_ops->device_pasid(container->iommu_data, vdev);
}
EXPORT_SYMBOL_GPL(mdk_vfio_device_pasid);
