/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: the mdev sysfs ABI (parents, types, devices) read into plain
 * structures, and the create/remove writes.
 *
 * Every path is built under a root directory, "/sys" unless the
 * environment variable MDK_SYSFS names another (for tests).
 */
#ifndef MDK_SYSFS_H
#define MDK_SYSFS_H

#include <stddef.h>

#include "util.h"

/* One mdev_supported_types/<id> directory. */
struct mdk_type {
	char *id;		/* directory name, e.g. "mtty-2" */
	char *name;		/* "name" attribute, NULL when absent */
	long available;		/* available_instances, -1 when unreadable */
	char *device_api;	/* e.g. "vfio-pci", NULL when absent */
	char *description;	/* optional attribute, NULL when absent */
};

/* One /sys/class/mdev_bus/<name> entry with its types. */
struct mdk_parent {
	char *name;
	struct mdk_type *types;
	size_t nr_types;
};

/* One /sys/bus/mdev/devices/<uuid> entry. */
struct mdk_device {
	char uuid[MDK_UUID_LEN + 1];
	char *parent;		/* NULL when it cannot be resolved */
	char *type;		/* mdev_type link target's name, or NULL */
	long group;		/* iommu_group number, -1 when there is none */
};

/* The sysfs root ("/sys" or $MDK_SYSFS). */
const char *mdk_sysfs_root(void);

/*
 * Read every parent (or only @only when not NULL) with its types, sorted
 * by name. Returns an exit code; on success the caller frees the array
 * with mdk_parents_free(). A missing @only is MDK_EXIT_NOTFOUND; a
 * missing /sys/class/mdev_bus is an empty list (no parent registered).
 */
int mdk_sysfs_parents(const char *only, struct mdk_parent **out, size_t *n);
void mdk_parents_free(struct mdk_parent *p, size_t n);

/* Every device, sorted by UUID. Same conventions as above. */
int mdk_sysfs_devices(struct mdk_device **out, size_t *n);
/* One device by (normalized) UUID: MDK_EXIT_NOTFOUND when absent. */
int mdk_sysfs_device(const char *uuid, struct mdk_device *dev);
void mdk_device_clear(struct mdk_device *dev);
void mdk_devices_free(struct mdk_device *d, size_t n);

/* Write @uuid into PARENT's TYPE/create. Returns an exit code. */
int mdk_sysfs_create(const char *parent, const char *type, const char *uuid);
/* Write "1" into the device's remove. Returns an exit code. */
int mdk_sysfs_remove(const char *uuid);

#endif /* MDK_SYSFS_H */
