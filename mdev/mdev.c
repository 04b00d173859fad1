// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_mdev.ko: creating and removing mediated devices.
 *
 * Life of a device:
 *   create (type.c)    UUID parsed, then mdk_mdev_create(): inserted in the
 *                      UUID tree (EEXIST), reserved (ENOSPC), device_add(),
 *                      bound to the vendor driver (its probe's error, or the
 *                      driver core's), links made; active.
 *   remove attribute   claimed (removing), the VFIO user asked to let go
 *                      (interruptible), then mdk_mdev_remove_common().
 *   parent unregister  claims and removes every child the same way, waiting
 *                      uninterruptibly for users (through the vendor's
 *                      remove and mdk_vfio_unregister_device()).
 * Both creators and removers hold parent->unreg_sem for read, so that
 * parent unregistration (write) sees only active, unclaimed children.
 */
#include <linux/device.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <mdevkit/vfio.h>
#include "mdev_private.h"

/*
 * Protects mdk_mdev_tree (every live mdev, keyed by UUID, from before
 * device_add() until after device_del()) and each mdev's @removing and
 * @active flags. Never held while sleeping on userspace.
 */
static DEFINE_MUTEX(mdk_mdev_tree_lock);
static struct rb_root mdk_mdev_tree = RB_ROOT;

static int mdk_mdev_cmp(struct rb_node *a, const struct rb_node *b)
{
	return memcmp(&rb_entry(a, struct mdk_mdev, node)->uuid,
		      &rb_entry(b, struct mdk_mdev, node)->uuid, sizeof(guid_t));
}

/* Insert @mdev unless its UUID is taken (in any letter case). */
static int mdk_mdev_tree_insert(struct mdk_mdev *mdev)
{
	struct rb_node *old;

	mutex_lock(&mdk_mdev_tree_lock);
	old = rb_find_add(&mdev->node, &mdk_mdev_tree, mdk_mdev_cmp);
	mutex_unlock(&mdk_mdev_tree_lock);
	return old ? -EEXIST : 0;
}

static void mdk_mdev_tree_erase(struct mdk_mdev *mdev)
{
	mutex_lock(&mdk_mdev_tree_lock);
	rb_erase(&mdev->node, &mdk_mdev_tree);
	mutex_unlock(&mdk_mdev_tree_lock);
}

/*
 * Become the one who removes @mdev: -EAGAIN while it is still being
 * created, -ENODEV when someone else is removing it.
 */
static int mdk_mdev_claim(struct mdk_mdev *mdev)
{
	int ret = 0;

	mutex_lock(&mdk_mdev_tree_lock);
	if (!mdev->active)
		ret = -EAGAIN;
	else if (mdev->removing)
		ret = -ENODEV;
	else
		mdev->removing = true;
	mutex_unlock(&mdk_mdev_tree_lock);
	return ret;
}

static void mdk_mdev_unclaim(struct mdk_mdev *mdev)
{
	mutex_lock(&mdk_mdev_tree_lock);
	mdev->removing = false;
	mutex_unlock(&mdk_mdev_tree_lock);
}

static void mdk_mdev_release(struct device *dev)
{
	struct mdk_mdev *mdev = to_mdk_mdev(dev);

	dev_dbg(dev, "MDEV: released\n");
	kfree(mdev);
}

/*
 * Undo a successful mdk_mdev_create(). The caller holds the parent's
 * unreg_sem and claimed @mdev; on return @mdev may be freed.
 */
static void mdk_mdev_remove_common(struct mdk_mdev *mdev)
{
	struct mdk_type_obj *tobj = mdev->type_obj;

	lockdep_assert_held(&mdev->parent->unreg_sem);

	sysfs_remove_link(tobj->devices_kobj, dev_name(&mdev->dev));
	sysfs_remove_link(&mdev->dev.kobj, "mdev_type");
	/* Unbinds: the vendor's remove unregisters the VFIO device. */
	device_del(&mdev->dev);
	mdk_type_unreserve(tobj);
	mdk_mdev_tree_erase(mdev);
	dev_dbg(mdev->parent->dev, "MDEV: removed %pUl\n", &mdev->uuid);
	/* Balances device_initialize() in mdk_mdev_create(). */
	put_device(&mdev->dev);
}

static ssize_t remove_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct mdk_mdev *mdev = to_mdk_mdev(dev);
	struct mdk_mdev_parent *parent = mdev->parent;
	unsigned long val;
	int ret;

	if (kstrtoul(buf, 0, &val))
		return -EINVAL;
	if (!val)
		return count;

	/* Fails once the parent is going away: it removes the device. */
	if (!down_read_trylock(&parent->unreg_sem))
		return -ENODEV;
	ret = mdk_mdev_claim(mdev);
	if (ret)
		goto out_unlock;

	/*
	 * Ask the VFIO user to release the device (REQ) and wait for it; a
	 * signal aborts the removal and the device stays usable. The device
	 * lock keeps mdev->vdev stable against an unbind through sysfs.
	 */
	device_lock(dev);
	if (mdev->vdev)
		ret = mdk_vfio_device_quiesce(mdev->vdev, true);
	device_unlock(dev);
	if (ret)
		goto out_unclaim;

	/* Lets device_del() remove this very attribute under our feet. */
	if (!device_remove_file_self(dev, attr)) {
		ret = -ENODEV;
		goto out_unquiesce;
	}
	mdk_mdev_remove_common(mdev);
	up_read(&parent->unreg_sem);
	return count;

out_unquiesce:
	device_lock(dev);
	if (mdev->vdev)
		mdk_vfio_device_unquiesce(mdev->vdev);
	device_unlock(dev);
out_unclaim:
	mdk_mdev_unclaim(mdev);
out_unlock:
	up_read(&parent->unreg_sem);
	return ret;
}
static DEVICE_ATTR_WO(remove);

static struct attribute *mdk_mdev_attrs[] = {
	&dev_attr_remove.attr,
	NULL,
};

static const struct attribute_group mdk_mdev_group = {
	.attrs = mdk_mdev_attrs,
};

static const struct attribute_group *mdk_mdev_groups[] = {
	&mdk_mdev_group,
	NULL,
};

/**
 * mdk_mdev_create() - create a mediated device of a type
 * @tobj: the type
 * @uuid: its UUID, also its name (in lower case)
 *
 * Context: process context; may sleep (the vendor's probe).
 * Return: 0; -ENODEV when the parent is being unregistered or no driver
 * took the device; -EEXIST when @uuid is in use; -ENOSPC when the type
 * has no instance left; -ENOMEM; or the error of the vendor's probe.
 */
int mdk_mdev_create(struct mdk_type_obj *tobj, const guid_t *uuid)
{
	struct mdk_mdev_parent *parent = tobj->parent;
	struct mdk_mdev *mdev;
	int ret;

	if (!down_read_trylock(&parent->unreg_sem))
		return -ENODEV;
	if (parent->unregistered) {
		ret = -ENODEV;
		goto out_unlock;
	}

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	guid_copy(&mdev->uuid, uuid);
	mdev->type = tobj->type;
	mdev->type_obj = tobj;
	mdev->parent = parent;
	device_initialize(&mdev->dev);
	mdev->dev.parent = parent->dev;
	mdev->dev.bus = &mdk_mdev_bus_type;
	mdev->dev.release = mdk_mdev_release;
	mdev->dev.groups = mdk_mdev_groups;
	ret = dev_set_name(&mdev->dev, "%pUl", uuid);
	if (ret)
		goto out_put_device;

	ret = mdk_mdev_tree_insert(mdev);
	if (ret)
		goto out_put_device;
	ret = mdk_type_reserve(tobj);
	if (ret)
		goto out_erase;

	ret = device_add(&mdev->dev);
	if (ret)
		goto out_unreserve;
	/*
	 * The bus matches no device still being created (bus.c), so that
	 * device_add() does not bind it and swallow why binding failed:
	 * the vendor's probe error, or -ENOMEM from the driver core.
	 */
	ret = device_driver_attach(&parent->drv->driver, &mdev->dev);
	if (ret)
		goto out_del;

	ret = sysfs_create_link(&mdev->dev.kobj, &tobj->kobj, "mdev_type");
	if (ret)
		goto out_del;
	ret = sysfs_create_link(tobj->devices_kobj, &mdev->dev.kobj,
				dev_name(&mdev->dev));
	if (ret)
		goto out_remove_type_link;

	mutex_lock(&mdk_mdev_tree_lock);
	WRITE_ONCE(mdev->active, true);
	mutex_unlock(&mdk_mdev_tree_lock);
	up_read(&parent->unreg_sem);
	dev_dbg(parent->dev, "MDEV: created %pUl\n", uuid);
	return 0;

out_remove_type_link:
	sysfs_remove_link(&mdev->dev.kobj, "mdev_type");
out_del:
	device_del(&mdev->dev);
out_unreserve:
	mdk_type_unreserve(tobj);
out_erase:
	mdk_mdev_tree_erase(mdev);
out_put_device:
	put_device(&mdev->dev);
out_unlock:
	up_read(&parent->unreg_sem);
	return ret;
}

static int mdk_mdev_remove_child(struct device *dev, void *data)
{
	struct mdk_mdev *mdev;

	if (dev->bus != &mdk_mdev_bus_type)
		return 0;
	mdev = to_mdk_mdev(dev);
	/* With unreg_sem held for write, nobody else creates or removes. */
	if (!WARN_ON_ONCE(mdk_mdev_claim(mdev)))
		mdk_mdev_remove_common(mdev);
	return 0;
}

/**
 * mdk_mdev_remove_children() - remove every mediated device of a parent
 * @parent: the parent, being unregistered
 *
 * Context: process context, @parent->unreg_sem held for write; sleeps
 * until every child's VFIO user released it.
 */
void mdk_mdev_remove_children(struct mdk_mdev_parent *parent)
{
	lockdep_assert_held_write(&parent->unreg_sem);
	device_for_each_child(parent->dev, NULL, mdk_mdev_remove_child);
}

/**
 * mdk_mdev_register_vfio() - expose a mediated device through VFIO
 * @mdev: the device, from the vendor's probe
 * @vdev: its VFIO device, initialized with mdk_vfio_device_init()
 *
 * Creates the device's IOMMU group and /dev/vfio/N. Called from the
 * vendor's probe; undone by mdk_mdev_unregister_vfio() in its remove.
 *
 * Context: process context, from &struct mdk_mdev_driver.probe; may sleep.
 * Return: 0 or the error of mdk_vfio_register_emulated_device().
 */
int mdk_mdev_register_vfio(struct mdk_mdev *mdev,
			   struct mdk_vfio_device *vdev)
{
	int ret;

	mdev->vdev = vdev;
	ret = mdk_vfio_register_emulated_device(vdev);
	if (ret)
		mdev->vdev = NULL;
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_mdev_register_vfio);

/**
 * mdk_mdev_unregister_vfio() - withdraw a mediated device from VFIO
 * @mdev: a device registered with mdk_mdev_register_vfio()
 *
 * Asks an open user to release the device and waits until it did, then
 * removes its group. Afterwards no device operation runs or will run.
 *
 * Context: process context, from &struct mdk_mdev_driver.remove (or the
 * failing end of its probe); sleeps while the device is open.
 */
void mdk_mdev_unregister_vfio(struct mdk_mdev *mdev)
{
	mdk_vfio_unregister_device(mdev->vdev);
	mdev->vdev = NULL;
}
EXPORT_SYMBOL_GPL(mdk_mdev_unregister_vfio);
