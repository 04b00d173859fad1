// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: opening an mdev through the VFIO UAPI and querying it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "util.h"
#include "vfiodev.h"

#define VFIO_CONTAINER	"/dev/vfio/vfio"
/* No sane capability chain is larger; a bigger argsz is refused. */
#define INFO_MAX	(64 * 1024)

/* Print "mdk: <file>: <ioctl>: <error>" and return the kernel exit code. */
static int ioctl_fail(const char *file, const char *name, int err)
{
	return mdk_failf(MDK_EXIT_KERNEL, "%s: %s: %s", file, name,
			 strerror(err));
}

int mdk_vfio_open(long group_id, const char *uuid, struct mdk_vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int ret, api;

	memset(v, 0, sizeof(*v));
	v->group_id = group_id;
	v->group = v->device = -1;
	snprintf(v->group_path, sizeof(v->group_path), "/dev/vfio/%ld",
		 group_id);

	v->container = open(VFIO_CONTAINER, O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		return mdk_fail_path(VFIO_CONTAINER, errno);
	api = ioctl(v->container, VFIO_GET_API_VERSION);
	if (api != VFIO_API_VERSION) {
		ret = api < 0 ? ioctl_fail(VFIO_CONTAINER,
					   "VFIO_GET_API_VERSION", errno) :
			mdk_failf(MDK_EXIT_KERNEL, "%s: unknown VFIO API %d",
				  VFIO_CONTAINER, api);
		goto err_container;
	}
	v->group = open(v->group_path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		/* A group in use by another process: the kernel says no. */
		ret = errno == EBUSY ? mdk_fail(MDK_EXIT_KERNEL, v->group_path,
						errno) :
			mdk_fail_path(v->group_path, errno);
		goto err_container;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) < 0) {
		ret = ioctl_fail(v->group_path, "VFIO_GROUP_GET_STATUS", errno);
		goto err_group;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = mdk_failf(MDK_EXIT_KERNEL, "%s: group not viable",
				v->group_path);
		goto err_group;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		ret = ioctl_fail(v->group_path, "VFIO_GROUP_SET_CONTAINER",
				 errno);
		goto err_group;
	}
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
		ret = ioctl_fail(VFIO_CONTAINER, "VFIO_SET_IOMMU", errno);
		goto err_group;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0) {
		ret = ioctl_fail(v->group_path, "VFIO_GROUP_GET_DEVICE_FD",
				 errno);
		goto err_group;
	}
	return MDK_EXIT_OK;

err_group:
	close(v->group);	/* also detaches it from the container */
	v->group = -1;
err_container:
	close(v->container);
	v->container = -1;
	return ret;
}

void mdk_vfio_close(struct mdk_vfio *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->device = v->group = v->container = -1;
}

/*
 * Issue an info ioctl whose struct starts with argsz: first with @fixed
 * bytes, then again with the argsz the kernel asked for, if larger.
 */
static int get_info(int fd, unsigned long req, size_t fixed,
		    const void *init, void **out, size_t *len)
{
	size_t size = fixed;
	uint32_t argsz;
	void *buf = NULL, *nbuf;

	for (int tries = 0; tries < 3; tries++) {
		nbuf = realloc(buf, size);
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		memset(buf, 0, size);
		memcpy(buf, init, fixed);
		argsz = size;
		memcpy(buf, &argsz, sizeof(argsz));
		if (ioctl(fd, req, buf) < 0) {
			int err = errno;

			free(buf);
			return -err;
		}
		memcpy(&argsz, buf, sizeof(argsz));
		if (argsz <= size) {
			*out = buf;
			*len = size;
			return 0;
		}
		if (argsz > INFO_MAX)
			break;
		size = argsz;
	}
	free(buf);
	return -E2BIG;
}

int mdk_vfio_device_info(int fd, struct vfio_device_info **out, size_t *len)
{
	struct vfio_device_info init = { .argsz = sizeof(init) };

	return get_info(fd, VFIO_DEVICE_GET_INFO, sizeof(init), &init,
			(void **)out, len);
}

int mdk_vfio_region_info(int fd, unsigned int index,
			 struct vfio_region_info **out, size_t *len)
{
	struct vfio_region_info init = {
		.argsz = sizeof(init),
		.index = index,
	};

	return get_info(fd, VFIO_DEVICE_GET_REGION_INFO, sizeof(init), &init,
			(void **)out, len);
}

int mdk_vfio_irq_info(int fd, unsigned int index, struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, info) < 0 ? -errno : 0;
}

int mdk_vfio_read(int fd, uint64_t base, uint64_t off, void *buf,
		  size_t len)
{
	unsigned char *p = buf;
	size_t chunk;
	ssize_t n;

	while (len) {
		chunk = 4 - (off & 3);
		if (chunk > len)
			chunk = len;
		if (chunk == 3)
			chunk = (off & 1) ? 1 : 2;
		n = pread(fd, p, chunk, base + off);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}
