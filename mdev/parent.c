// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_mdev.ko: parents, the devices mediated devices are created on.
 *
 * Registering a parent publishes its types under
 * <dev>/mdev_supported_types and links /sys/class/mdev_bus/<dev> to it;
 * unregistering removes every child first. Both announce themselves with
 * a KOBJ_CHANGE uevent carrying MDEV_STATE, which mdevctl's udev rules
 * rely on.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include "mdev_private.h"

static void mdk_parent_uevent(struct mdk_mdev_parent *parent,
			      bool registered)
{
	char *envp[2] = { NULL, NULL };

	envp[0] = registered ? "MDEV_STATE=registered" :
			       "MDEV_STATE=unregistered";
	kobject_uevent_env(&parent->dev->kobj, KOBJ_CHANGE, envp);
}

/**
 * mdk_mdev_register_parent() - let mediated devices be created on a device
 * @parent: the parent state, embedded in the vendor's structures; the
 *	core initializes it (its previous content is ignored)
 * @dev: the parent device; the caller keeps it alive until
 *	mdk_mdev_unregister_parent() returns
 * @drv: the vendor driver, registered with mdk_mdev_register_driver()
 * @types: table of @ntypes types; must stay valid until unregistration
 * @ntypes: number of types (at least one)
 * @capacity: resource units shared by all instances (0: unlimited), see
 *	&struct mdk_mdev_type.cost
 *
 * Creates <dev>/mdev_supported_types/<driver name>-<sysfs_name>/ for each
 * type and the /sys/class/mdev_bus/<dev> link, then emits a KOBJ_CHANGE
 * uevent with MDEV_STATE=registered.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL on a bad argument, -ENOMEM, or a sysfs error.
 */
int mdk_mdev_register_parent(struct mdk_mdev_parent *parent,
			     struct device *dev, struct mdk_mdev_driver *drv,
			     const struct mdk_mdev_type *types,
			     unsigned int ntypes, unsigned int capacity)
{
	int ret;

	if (!dev || !drv || !types || !ntypes)
		return -EINVAL;

	memset(parent, 0, sizeof(*parent));
	parent->dev = dev;
	parent->drv = drv;
	parent->types = types;
	parent->ntypes = ntypes;
	parent->capacity = capacity;
	mutex_init(&parent->lock);
	init_rwsem(&parent->unreg_sem);

	ret = mdk_types_add(parent);
	if (ret)
		goto err_destroy_lock;

	ret = class_compat_create_link(mdk_mdev_compat_class, dev, NULL);
	if (ret)
		goto err_remove_types;

	dev_info(dev, "MDEV: Registered\n");
	mdk_parent_uevent(parent, true);
	return 0;

err_remove_types:
	mdk_types_remove(parent);
err_destroy_lock:
	mutex_destroy(&parent->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_mdev_register_parent);

/**
 * mdk_mdev_unregister_parent() - remove a parent and all its children
 * @parent: a parent registered with mdk_mdev_register_parent()
 *
 * New creations fail with -ENODEV from now on. Every child is removed;
 * a child whose VFIO device is open is asked to be released (REQ) and
 * waited for, so this cannot fail but may block until userspace lets go.
 * Ends with a KOBJ_CHANGE uevent with MDEV_STATE=unregistered.
 *
 * Context: process context; may sleep for as long as a child is in use.
 */
void mdk_mdev_unregister_parent(struct mdk_mdev_parent *parent)
{
	dev_info(parent->dev, "MDEV: Unregistering\n");

	down_write(&parent->unreg_sem);
	parent->unregistered = true;
	class_compat_remove_link(mdk_mdev_compat_class, parent->dev, NULL);
	mdk_mdev_remove_children(parent);
	mdk_types_remove(parent);
	up_write(&parent->unreg_sem);

	mutex_destroy(&parent->lock);
	mdk_parent_uevent(parent, false);
}
EXPORT_SYMBOL_GPL(mdk_mdev_unregister_parent);
