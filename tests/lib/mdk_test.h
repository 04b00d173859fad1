/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by mdevkit's userspace tests: sysfs writes that return
 * an errno, mdev creation by UUID, and opening a device through VFIO.
 */
#ifndef MDK_TEST_H
#define MDK_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MDEV_BUS_CLASS	"/sys/class/mdev_bus"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define MTTY_PARENT	"mtty"		/* /sys/class/mdev_bus/mtty */

/* Write @s to @path in one write(2). Returns 0 or -errno. */
int mdk_write_file(const char *path, const char *s);
/* Read up to @len - 1 bytes of @path, NUL-terminated, trailing newline
 * stripped. Returns the length or -errno.
 */
int mdk_read_file(const char *path, char *buf, size_t len);
/* Read an unsigned decimal attribute; returns -1 on error. */
long mdk_read_long(const char *path);
int mdk_path_exists(const char *path);
/* Entries of directory @path, not counting . and ..; -1 on error. */
int mdk_count_dir(const char *path);

/* A fresh random UUID, lower case, 36 characters. */
void mdk_uuid_gen(char uuid[37]);
/* Create a device of @type ("mtty-1") under @parent ("mtty"), with
 * @uuid, or a random one written back when @uuid is empty. 0 or -errno.
 */
int mdk_create(const char *parent, const char *type, char uuid[37]);
/* echo 1 > remove. 0 or -errno. */
int mdk_remove(const char *uuid);
long mdk_available(const char *parent, const char *type);

/* A device opened through VFIO: container, group, device. */
struct mdk_vfio {
	int container;
	int group;
	int device;
	int group_id;
};

/* The N of /dev/vfio/N for an mdev, from its iommu_group link; -errno. */
int mdk_group_id(const char *uuid);
/* Open container + group, SET_CONTAINER, SET_IOMMU(TYPE1v2),
 * GET_DEVICE_FD. 0 or -errno; on error nothing stays open.
 */
int mdk_vfio_open(const char *uuid, struct mdk_vfio *v);
void mdk_vfio_close(struct mdk_vfio *v);

/* Region index to device-fd offset (index << 40). */
static inline off_t mdk_region_off(unsigned int index)
{
	return (off_t)index << 40;
}

/* Arm @efd as the trigger of vector 0 of IRQ @index of @device
 * (ACTION_TRIGGER | DATA_EVENTFD); @efd -1 disarms the whole index
 * (DATA_NONE, count 0). Returns the ioctl's result (0, or -1 with errno).
 */
int mdk_irq_set_eventfd(int device, unsigned int index, int efd);

/* VmLck of this process in KiB, from /proc/self/status; -1 on error. */
long mdk_vmlck_kb(void);

/* Milliseconds since an arbitrary start (CLOCK_MONOTONIC). */
uint64_t mdk_now_ms(void);

/* An iteration count or duration scaled to the kernel under test: @n, or
 * @n / 10 (at least 1) when MDK_SCALE=slow (make check-debug, whose
 * debug kernel runs our operations 7-95 times slower).
 */
long mdk_scale(long n);

#endif /* MDK_TEST_H */
