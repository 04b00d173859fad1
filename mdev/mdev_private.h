/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private interfaces between the parts of mdk_mdev.ko: the bus (bus.c),
 * parents (parent.c), type directories and instance accounting (type.c)
 * and the devices themselves (mdev.c).
 */
#ifndef _MDK_MDEV_PRIVATE_H
#define _MDK_MDEV_PRIVATE_H

#include <linux/device.h>
#include <linux/kobject.h>
#include <mdevkit/mdev.h>

/**
 * struct mdk_type_obj - the sysfs directory of one type of a parent
 * @kobj: <parent>/mdev_supported_types/<drv>-<sysfs_name>
 * @devices_kobj: its devices/ directory (one link per live device)
 * @parent: the parent the type belongs to
 * @type: the vendor's description of the type (in @parent's table)
 * @live: instances of this type holding a reservation; protected by
 *	@parent->lock
 */
struct mdk_type_obj {
	struct kobject kobj;
	struct kobject *devices_kobj;
	struct mdk_mdev_parent *parent;
	const struct mdk_mdev_type *type;
	unsigned int live;
};

extern struct bus_type mdk_mdev_bus_type;
extern struct class_compat *mdk_mdev_compat_class;

/* type.c */
int mdk_types_add(struct mdk_mdev_parent *parent);
void mdk_types_remove(struct mdk_mdev_parent *parent);
int mdk_type_reserve(struct mdk_type_obj *tobj);
void mdk_type_unreserve(struct mdk_type_obj *tobj);

/* mdev.c */
int mdk_mdev_create(struct mdk_type_obj *tobj, const guid_t *uuid);
void mdk_mdev_remove_children(struct mdk_mdev_parent *parent);

#endif /* _MDK_MDEV_PRIVATE_H */
