// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdevkit VFIO core: module init/exit of mdk_vfio.ko.
 *
 * The core has three kinds of objects, each in its own file:
 *  - the container, /dev/vfio/vfio (container.c): an IOMMU context that
 *    groups are attached to and that one backend (type1.c) serves;
 *  - the group, /dev/vfio/N (group.c): one per IOMMU group; mdevs get an
 *    emulated group each;
 *  - the device file descriptor (device.c), obtained from a group with
 *    VFIO_GROUP_GET_DEVICE_FD, whose operations go to the driver.
 *
 * Lock order (outer to inner):
 *
 *	group->lock
 *	  vdev->open_lock
 *	    container->group_lock
 *	      the backend's own lock(s)
 *
 * The I/O path (read/write/mmap/ioctl on a device fd) takes none of them:
 * the file reference keeps the device open, and an open device keeps its
 * group, container and backend from changing.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <mdevkit/compat.h>

#include "vfio.h"

struct class *mdk_vfio_group_class;
dev_t mdk_vfio_group_devt;

static struct miscdevice mdk_vfio_misc = {
	.minor = VFIO_MINOR,
	.name = "vfio",
	.fops = &mdk_vfio_container_fops,
	.nodename = "vfio/vfio",
	.mode = 0666,
};

static char *mdk_vfio_devnode(MDK_DEVNODE_CONST struct device *dev,
			      umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vfio/%s", dev_name(dev));
}

static int __init mdk_vfio_init(void)
{
	int ret;

	/*
	 * First, so that a conflict with the distribution's vfio module is
	 * reported as such rather than as a clash of class names.
	 */
	ret = misc_register(&mdk_vfio_misc);
	if (ret == -EBUSY) {
		pr_err("mdk_vfio: /dev/vfio/vfio is already provided by another VFIO driver (the distribution's vfio module?); unload it first\n");
		return ret;
	}
	if (ret)
		return ret;

	mdk_vfio_group_class = mdk_class_create("vfio");
	if (IS_ERR(mdk_vfio_group_class)) {
		ret = PTR_ERR(mdk_vfio_group_class);
		goto err_misc;
	}
	mdk_vfio_group_class->devnode = mdk_vfio_devnode;

	ret = alloc_chrdev_region(&mdk_vfio_group_devt, 0,
				  MDK_VFIO_GROUP_MINORS, "vfio");
	if (ret)
		goto err_class;

	ret = mdk_vfio_type1_init();
	if (ret)
		goto err_chrdev;

	return 0;

err_chrdev:
	unregister_chrdev_region(mdk_vfio_group_devt, MDK_VFIO_GROUP_MINORS);
err_class:
	class_destroy(mdk_vfio_group_class);
err_misc:
	misc_deregister(&mdk_vfio_misc);
	return ret;
}

static void __exit mdk_vfio_exit(void)
{
	/*
	 * The modules using our exports are gone, and every open file
	 * holds a reference on this module: no container or group is left.
	 */
	misc_deregister(&mdk_vfio_misc);
	mdk_vfio_type1_exit();
	unregister_chrdev_region(mdk_vfio_group_devt, MDK_VFIO_GROUP_MINORS);
	class_destroy(mdk_vfio_group_class);
	mdk_vfio_group_exit();
}

module_init(mdk_vfio_init);
module_exit(mdk_vfio_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit VFIO core: containers, groups, device files");
MODULE_AUTHOR("mdevkit developers");
