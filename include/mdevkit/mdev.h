/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevkit mediated devices: parents, types and the mdev bus (module
 * mdk_mdev.ko).
 *
 * A vendor driver registers a struct mdk_mdev_driver once, then one
 * struct mdk_mdev_parent per physical (or virtual) parent device with the
 * table of types it can create. The framework then owns the whole sysfs
 * ABI of upstream Linux:
 *
 *   /sys/class/mdev_bus/<parent>/mdev_supported_types/<drv>-<type>/
 *           create name available_instances device_api description devices/
 *   /sys/bus/mdev/devices/<uuid>/ remove mdev_type iommu_group driver
 *
 * and calls the driver's @probe for each device created by UUID and its
 * @remove when the device goes away.
 *
 * Instance accounting is the framework's too: a parent may declare a pool
 * of @capacity resource units from which each instance of a type takes
 * @cost units, and a type may cap its own instances at @max_instances.
 * available_instances and ENOSPC on create follow from those numbers.
 */
#ifndef _MDEVKIT_MDEV_H
#define _MDEVKIT_MDEV_H

#include <linux/device.h>
#include <linux/uuid.h>
#include <linux/rbtree.h>
#include <linux/mutex.h>

struct mdk_vfio_device;
struct mdk_mdev_parent;
struct mdk_type_obj;

/**
 * struct mdk_mdev_type - one kind of mediated device a parent can create
 * @sysfs_name: suffix of the type directory: "<driver name>-<sysfs_name>"
 * @pretty_name: content of the "name" attribute (optional)
 * @description: content of the "description" attribute (optional;
 *	absent from sysfs when NULL)
 * @cost: units of the parent's pool one instance takes (0 counts as 1)
 * @max_instances: cap on live instances of this type (0: no cap)
 * @driver_data: free for the vendor driver
 */
struct mdk_mdev_type {
	const char *sysfs_name;
	const char *pretty_name;
	const char *description;
	unsigned int cost;
	unsigned int max_instances;
	unsigned long driver_data;
};

/**
 * struct mdk_mdev - a mediated device
 * @dev: the device on the mdev bus, named by its UUID, child of the parent
 * @uuid: its UUID
 * @type: its type
 * @parent: its parent
 * @vdev: its VFIO device, once registered with mdk_mdev_register_vfio()
 *
 * Private to the core:
 * @node: link in the global UUID tree, protected by the core's tree lock
 * @type_obj: the sysfs type object the device was created from
 * @removing: set once removal started; protected by the tree lock
 * @active: creation completed (probe, links); protected by the tree lock
 */
struct mdk_mdev {
	struct device dev;
	guid_t uuid;
	const struct mdk_mdev_type *type;
	struct mdk_mdev_parent *parent;
	struct mdk_vfio_device *vdev;

	struct rb_node node;
	struct mdk_type_obj *type_obj;
	bool removing;
	bool active;
};

static inline struct mdk_mdev *to_mdk_mdev(struct device *dev)
{
	return container_of(dev, struct mdk_mdev, dev);
}

/**
 * struct mdk_mdev_driver - a vendor driver for mediated devices
 * @device_api: content of the "device_api" attribute, e.g.
 *	VFIO_DEVICE_API_PCI_STRING
 * @probe: a device of one of this driver's types was created: set it up
 *	and register its VFIO device (mdk_mdev_register_vfio()).
 * @remove: the device is going away and no user has it open: unregister
 *	its VFIO device and free what @probe allocated.
 * @driver: the driver model's view; set .name (it names the type
 *	directories) and nothing else. .owner is set by
 *	mdk_mdev_register_driver().
 */
struct mdk_mdev_driver {
	const char *device_api;
	int (*probe)(struct mdk_mdev *mdev);
	void (*remove)(struct mdk_mdev *mdev);
	struct device_driver driver;
};

/**
 * struct mdk_mdev_parent - a device that mediated devices are created on
 * @dev: the parent device
 * @drv: the vendor driver creating its children
 * @types: the table of types it supports
 * @ntypes: number of entries in @types
 * @capacity: resource units shared by all types (0: no pool)
 *
 * Private to the core:
 * @lock: protects @used and every type's instance count
 * @used: units of @capacity in use
 * @types_kset: the mdev_supported_types directory
 * @type_objs: one sysfs object per type
 * @unreg_sem: held for read while creating a child, for write while
 *	unregistering, so that no child appears once unregistration began
 * @unregistered: set under @unreg_sem held for write
 */
struct mdk_mdev_parent {
	struct device *dev;
	struct mdk_mdev_driver *drv;
	const struct mdk_mdev_type *types;
	unsigned int ntypes;
	unsigned int capacity;

	struct mutex lock;	/* protects used and the types' counts */
	unsigned int used;
	struct kset *types_kset;
	struct mdk_type_obj **type_objs;
	struct rw_semaphore unreg_sem;
	bool unregistered;
};

int __mdk_mdev_register_driver(struct mdk_mdev_driver *drv,
			       struct module *owner);
#define mdk_mdev_register_driver(drv) \
	__mdk_mdev_register_driver(drv, THIS_MODULE)
void mdk_mdev_unregister_driver(struct mdk_mdev_driver *drv);

int mdk_mdev_register_parent(struct mdk_mdev_parent *parent,
			     struct device *dev, struct mdk_mdev_driver *drv,
			     const struct mdk_mdev_type *types,
			     unsigned int ntypes, unsigned int capacity);
void mdk_mdev_unregister_parent(struct mdk_mdev_parent *parent);

int mdk_mdev_register_vfio(struct mdk_mdev *mdev,
			   struct mdk_vfio_device *vdev);
void mdk_mdev_unregister_vfio(struct mdk_mdev *mdev);

/* The type's index in its parent's table. */
static inline unsigned int mdk_mdev_type_index(const struct mdk_mdev *mdev)
{
	return mdev->type - mdev->parent->types;
}

#endif /* _MDEVKIT_MDEV_H */
