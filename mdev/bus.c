// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_mdev.ko: the mdev bus, its drivers, and module init/exit.
 *
 * A mediated device is created by writing a UUID to a type's "create"
 * attribute (type.c, mdev.c); it lands on the "mdev" bus as a child of
 * its parent, and the bus binds it to the vendor driver that registered
 * the parent (parent.c), whose @probe exposes it through VFIO.
 *
 * Locking, outermost first:
 *   parent->unreg_sem   read: creating or removing one child;
 *                       write: unregistering the parent (parent.c)
 *   device_lock(mdev)   the vendor's probe/remove; mdev->vdev
 *   mdk_mdev_tree_lock  the UUID tree, every mdev's removing/active (mdev.c)
 *   parent->lock        instance accounting (type.c)
 * The tree lock and parent->lock are never held while sleeping on
 * userspace (waiting for a VFIO device to be closed).
 */
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <mdevkit/compat.h>
#include "mdev_private.h"

struct class_compat *mdk_mdev_compat_class;

static struct mdk_mdev_driver *
to_mdk_mdev_driver(MDK_BUS_MATCH_CONST struct device_driver *drv)
{
	return container_of(drv, struct mdk_mdev_driver, driver);
}

/*
 * A device binds to the driver that registered its parent, and only it;
 * mdk_mdev_create() binds a device it is creating itself (active unset).
 */
static int mdk_mdev_match(struct device *dev,
			  MDK_BUS_MATCH_CONST struct device_driver *drv)
{
	struct mdk_mdev *mdev = to_mdk_mdev(dev);

	return READ_ONCE(mdev->active) &&
	       mdev->parent->drv == to_mdk_mdev_driver(drv);
}

static int mdk_mdev_probe(struct device *dev)
{
	struct mdk_mdev_driver *drv = to_mdk_mdev_driver(dev->driver);
	struct mdk_mdev *mdev = to_mdk_mdev(dev);

	return drv->probe ? drv->probe(mdev) : 0;
}

static void mdk_mdev_bus_remove(struct device *dev)
{
	struct mdk_mdev_driver *drv = to_mdk_mdev_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_mdk_mdev(dev));
}

struct bus_type mdk_mdev_bus_type = {
	.name = "mdev",
	.match = mdk_mdev_match,
	.probe = mdk_mdev_probe,
	.remove = mdk_mdev_bus_remove,
};

/**
 * __mdk_mdev_register_driver() - register a vendor driver of mdevs
 * @drv: the driver; @drv->driver.name and @drv->device_api must be set
 * @owner: the module implementing it (THIS_MODULE via the
 *	mdk_mdev_register_driver() macro)
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL when @drv lacks a name, device_api or probe, or the
 * error of driver_register().
 */
int __mdk_mdev_register_driver(struct mdk_mdev_driver *drv,
			       struct module *owner)
{
	if (!drv->driver.name || !drv->device_api || !drv->probe)
		return -EINVAL;
	drv->driver.bus = &mdk_mdev_bus_type;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__mdk_mdev_register_driver);

/**
 * mdk_mdev_unregister_driver() - unregister a vendor driver of mdevs
 * @drv: a driver registered with mdk_mdev_register_driver()
 *
 * Every parent using @drv must have been unregistered before.
 *
 * Context: process context; may sleep.
 */
void mdk_mdev_unregister_driver(struct mdk_mdev_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(mdk_mdev_unregister_driver);

/* The distribution's mdev.ko owns /sys/bus/mdev when it is loaded. */
static bool mdk_mdev_bus_taken(void)
{
	struct path path;

	if (kern_path("/sys/bus/mdev", 0, &path))
		return false;
	path_put(&path);
	return true;
}

static int __init mdk_mdev_init(void)
{
	int ret;

	if (mdk_mdev_bus_taken()) {
		pr_err("mdk_mdev: the mdev bus is already registered (the distribution's mdev module?); unload it first\n");
		return -EBUSY;
	}

	ret = bus_register(&mdk_mdev_bus_type);
	if (ret)
		return ret;

	mdk_mdev_compat_class = class_compat_register("mdev_bus");
	if (!mdk_mdev_compat_class) {
		ret = -ENOMEM;
		goto err_unregister_bus;
	}
	return 0;

err_unregister_bus:
	bus_unregister(&mdk_mdev_bus_type);
	return ret;
}

static void __exit mdk_mdev_exit(void)
{
	class_compat_unregister(mdk_mdev_compat_class);
	bus_unregister(&mdk_mdev_bus_type);
}

module_init(mdk_mdev_init);
module_exit(mdk_mdev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit mediated device bus, parents and types");
MODULE_AUTHOR("mdevkit developers");
