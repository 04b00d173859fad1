// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO groups, /dev/vfio/N: one per IOMMU group, N being the IOMMU
 * group's id.
 *
 * An mdev has no IOMMU of its own: like upstream, each one gets an
 * emulated group, a fresh kernel IOMMU group named "vfio-noiommu" holding
 * only that device (/sys/kernel/iommu_groups/N and the device's
 * iommu_group link). Its DMA is mediated by the container's backend.
 *
 * A group file is exclusive: one open file at a time. Device files hold a
 * reference on it, so its release runs only once every device file of
 * the group is closed; it then leaves its container.
 *
 * Lifetime: struct mdk_vfio_group is freed by the release of its class
 * device. The cdev holds a reference on that device for as long as a file
 * of it is open, so a group torn down under an open group file (device
 * removed) keeps its memory until that file is closed, while its /dev
 * node and its IOMMU group are gone at once.
 */
#include <linux/cdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "vfio.h"

/* Minors of /dev/vfio/N (internally locked). */
static DEFINE_IDA(mdk_vfio_group_ida);

/*
 * Every live group keyed by IOMMU group id, for the lookup of hardware
 * groups that several devices share; the xarray's own lock protects it.
 */
static DEFINE_XARRAY(mdk_vfio_groups);

static long mdk_vfio_group_get_status(struct mdk_vfio_group *group,
				      struct vfio_group_status __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status status;
	int ret = 0;

	if (copy_from_user(&status, arg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;

	mutex_lock(&group->lock);
	if (!group->iommu_group) {
		ret = -ENODEV;
	} else {
		/* No other driver can claim DMA ownership of our groups. */
		status.flags = VFIO_GROUP_FLAGS_VIABLE;
		if (group->container)
			status.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
	}
	mutex_unlock(&group->lock);
	if (ret)
		return ret;

	if (copy_to_user(arg, &status, minsz))
		return -EFAULT;
	return 0;
}

static long mdk_vfio_group_set_container(struct mdk_vfio_group *group,
					 int __user *arg)
{
	struct mdk_vfio_container *container;
	struct file *file;
	long ret;
	int fd;

	if (get_user(fd, arg))
		return -EFAULT;
	file = fget(fd);
	if (!file)
		return -EBADF;

	mutex_lock(&group->lock);
	container = mdk_vfio_container_from_file(file);
	if (group->container)
		ret = -EINVAL;
	else if (!group->iommu_group)
		ret = -ENODEV;
	else if (!container)
		ret = -EINVAL;
	else
		ret = mdk_vfio_container_attach_group(container, group);
	mutex_unlock(&group->lock);

	fput(file);
	return ret;
}

static long mdk_vfio_group_unset_container(struct mdk_vfio_group *group)
{
	long ret = 0;

	mutex_lock(&group->lock);
	if (!group->container)
		ret = -EINVAL;
	else if (mdk_vfio_group_has_open_device(group))
		ret = -EBUSY;
	else
		mdk_vfio_container_detach_group(group);
	mutex_unlock(&group->lock);
	return ret;
}

static long mdk_vfio_group_get_device_fd(struct mdk_vfio_group *group,
					 char __user *arg)
{
	struct file *file;
	char *name;
	int fd;

	name = strndup_user(arg, PAGE_SIZE);
	if (IS_ERR(name))
		return PTR_ERR(name);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto out_free_name;

	file = mdk_vfio_device_open_file(group, name);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out_free_name;
	}
	fd_install(fd, file);

out_free_name:
	kfree(name);
	return fd;
}

static long mdk_vfio_group_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct mdk_vfio_group *group = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GROUP_GET_STATUS:
		return mdk_vfio_group_get_status(group, uarg);
	case VFIO_GROUP_SET_CONTAINER:
		return mdk_vfio_group_set_container(group, uarg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return mdk_vfio_group_unset_container(group);
	case VFIO_GROUP_GET_DEVICE_FD:
		return mdk_vfio_group_get_device_fd(group, uarg);
	default:
		return -ENOTTY;
	}
}

static int mdk_vfio_group_open(struct inode *inode, struct file *file)
{
	struct mdk_vfio_group *group =
		container_of(inode->i_cdev, struct mdk_vfio_group, cdev);
	int ret = 0;

	mutex_lock(&group->lock);
	if (!group->iommu_group) {
		ret = -ENODEV;		/* torn down, reached through an old inode */
	} else if (group->opened_file) {
		ret = -EBUSY;
	} else {
		group->opened_file = file;
		file->private_data = group;
	}
	mutex_unlock(&group->lock);
	return ret;
}

static int mdk_vfio_group_release(struct inode *inode, struct file *file)
{
	struct mdk_vfio_group *group = file->private_data;

	/* Device files hold this file: none of them is open any more. */
	mutex_lock(&group->lock);
	if (group->container)
		mdk_vfio_container_detach_group(group);
	group->opened_file = NULL;
	mutex_unlock(&group->lock);
	return 0;
}

static const struct file_operations mdk_vfio_group_fops = {
	.owner = THIS_MODULE,
	.open = mdk_vfio_group_open,
	.release = mdk_vfio_group_release,
	.unlocked_ioctl = mdk_vfio_group_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static void mdk_vfio_group_free(struct device *dev)
{
	struct mdk_vfio_group *group =
		container_of(dev, struct mdk_vfio_group, dev);

	mutex_destroy(&group->lock);
	ida_free(&mdk_vfio_group_ida, MINOR(dev->devt));
	kfree(group);
}

/* A group for @iommu_group, not yet visible; put_device() frees it. */
static struct mdk_vfio_group *
mdk_vfio_group_alloc(struct iommu_group *iommu_group,
		     enum mdk_vfio_group_type type)
{
	struct mdk_vfio_group *group;
	int minor;

	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	minor = ida_alloc_max(&mdk_vfio_group_ida, MINORMASK, GFP_KERNEL);
	if (minor < 0) {
		kfree(group);
		return ERR_PTR(minor);
	}

	group->iommu_group = iommu_group;
	group->id = iommu_group_id(iommu_group);
	group->type = type;
	mutex_init(&group->lock);
	INIT_LIST_HEAD(&group->device_list);
	INIT_LIST_HEAD(&group->container_entry);

	device_initialize(&group->dev);
	group->dev.devt = MKDEV(MAJOR(mdk_vfio_group_devt), minor);
	group->dev.class = mdk_vfio_group_class;
	group->dev.release = mdk_vfio_group_free;
	cdev_init(&group->cdev, &mdk_vfio_group_fops);
	group->cdev.owner = THIS_MODULE;
	return group;
}

/**
 * mdk_vfio_group_create_emulated() - a new emulated group for one device
 * @vdev: the device; it becomes the only member of the group
 *
 * Creates a kernel IOMMU group holding @vdev->dev and the matching
 * /dev/vfio/N, and links @vdev into it before the node appears.
 * Everything is undone on failure.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int mdk_vfio_group_create_emulated(struct mdk_vfio_device *vdev)
{
	struct iommu_group *iommu_group;
	struct mdk_vfio_group *group;
	int ret;

	iommu_group = iommu_group_alloc();
	if (IS_ERR(iommu_group))
		return PTR_ERR(iommu_group);
	ret = iommu_group_set_name(iommu_group, "vfio-noiommu");
	if (ret)
		goto err_put_iommu_group;
	ret = iommu_group_add_device(iommu_group, vdev->dev);
	if (ret)
		goto err_put_iommu_group;

	group = mdk_vfio_group_alloc(iommu_group, MDK_VFIO_EMULATED_IOMMU);
	if (IS_ERR(group)) {
		ret = PTR_ERR(group);
		goto err_remove_device;
	}
	ret = dev_set_name(&group->dev, "%d", group->id);
	if (ret)
		goto err_put_group;
	ret = xa_insert(&mdk_vfio_groups, group->id, group, GFP_KERNEL);
	if (ret)
		goto err_put_group;

	/* Nobody can reach the group yet: no lock needed. */
	vdev->group = group;
	list_add_tail(&vdev->group_entry, &group->device_list);

	ret = cdev_device_add(&group->cdev, &group->dev);
	if (ret)
		goto err_unlink_device;
	return 0;

err_unlink_device:
	list_del_init(&vdev->group_entry);
	vdev->group = NULL;
	xa_erase(&mdk_vfio_groups, group->id);
err_put_group:
	put_device(&group->dev);
err_remove_device:
	iommu_group_remove_device(vdev->dev);
err_put_iommu_group:
	iommu_group_put(iommu_group);
	return ret;
}

/**
 * mdk_vfio_group_destroy_emulated() - tear down the group of a device
 * @vdev: the only device of an emulated group, already unlinked from the
 *	group's device list, with no file open and none to be opened
 *
 * Removes /dev/vfio/N, takes the group out of its container (its file may
 * still be open) and releases the IOMMU group, whose number the IOMMU core
 * hands out again. A still-open group file then only sees -ENODEV.
 *
 * Context: process context, may sleep.
 */
void mdk_vfio_group_destroy_emulated(struct mdk_vfio_device *vdev)
{
	struct mdk_vfio_group *group = vdev->group;
	struct iommu_group *iommu_group;

	cdev_device_del(&group->cdev, &group->dev);
	xa_erase(&mdk_vfio_groups, group->id);
	/*
	 * The device loses its iommu_group link before the container loses
	 * the group: a user that sees the latter finds the device gone.
	 */
	iommu_group_remove_device(vdev->dev);

	mutex_lock(&group->lock);
	if (group->container)
		mdk_vfio_container_detach_group(group);
	iommu_group = group->iommu_group;
	group->iommu_group = NULL;
	mutex_unlock(&group->lock);

	iommu_group_put(iommu_group);
	vdev->group = NULL;
	put_device(&group->dev);	/* an open group file keeps its own */
}

/**
 * mdk_vfio_group_exit() - module exit: release the group bookkeeping
 *
 * Context: module exit; no group is left.
 */
void mdk_vfio_group_exit(void)
{
	xa_destroy(&mdk_vfio_groups);
	ida_destroy(&mdk_vfio_group_ida);
}
