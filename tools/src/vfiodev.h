/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: opening an mdev through the VFIO UAPI and querying it.
 */
#ifndef MDK_VFIODEV_H
#define MDK_VFIODEV_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

/* A device opened through a container and its group. */
struct mdk_vfio {
	int container;
	int group;
	int device;
	long group_id;
	char group_path[32];	/* "/dev/vfio/N", for messages */
};

/*
 * Open /dev/vfio/vfio, the group @group_id, attach it, set the TYPE1v2
 * IOMMU and get the device fd of @uuid. Returns an exit code after
 * printing the failing file or ioctl; on failure nothing stays open.
 */
int mdk_vfio_open(long group_id, const char *uuid, struct mdk_vfio *v);
void mdk_vfio_close(struct mdk_vfio *v);

/*
 * VFIO_DEVICE_GET_INFO / GET_REGION_INFO with the whole capability chain:
 * the buffer is grown to the argsz the kernel asks for. On success *@out
 * is a malloc()ed buffer of *@len bytes. Return 0 or -errno.
 */
int mdk_vfio_device_info(int fd, struct vfio_device_info **out, size_t *len);
int mdk_vfio_region_info(int fd, unsigned int index,
			 struct vfio_region_info **out, size_t *len);
/* VFIO_DEVICE_GET_IRQ_INFO. Returns 0 or -errno. */
int mdk_vfio_irq_info(int fd, unsigned int index, struct vfio_irq_info *info);
/*
 * Read @len bytes at @off of the region that starts at @base of the
 * device fd, in naturally aligned accesses of at most 4 bytes (as a
 * guest's config cycles are). Returns 0 or -errno.
 */
int mdk_vfio_read(int fd, uint64_t base, uint64_t off, void *buf,
		  size_t len);

#endif /* MDK_VFIODEV_H */
