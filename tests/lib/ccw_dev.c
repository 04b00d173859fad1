// SPDX-License-Identifier: GPL-2.0-only
/* A vfio-ccw device for the s390x tests: see ccw_dev.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "ccw.h"
#include "ccw_dev.h"

#define CSS	"/sys/bus/css"

int ccw_find_sch(const char *busid, char *sch, size_t len)
{
	char path[PATH_MAX], buf[32];
	struct dirent *e;
	DIR *dir;
	int ret = -ENODEV;

	dir = opendir(CSS "/devices");
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), CSS "/devices/%s/dev_busid",
			 e->d_name);
		if (mdk_read_file(path, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, busid))
			continue;
		snprintf(sch, len, "%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

void ccw_driver(const char *sch, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), CSS "/devices/%s/driver", sch);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = 0;
	if (n > 0) {
		link[n] = 0;
		snprintf(buf, len, "%s", strrchr(link, '/') + 1);
	}
}

/* Set driver_override, unbind, probe again; wait for @want to bind. */
static int ccw_rebind(const char *sch, const char *override, const char *want)
{
	char path[PATH_MAX], drv[64];
	int i, ret;

	snprintf(path, sizeof(path), CSS "/devices/%s/driver_override", sch);
	ret = mdk_write_file(path, override);
	if (ret)
		return ret;
	ccw_driver(sch, drv, sizeof(drv));
	if (drv[0]) {
		snprintf(path, sizeof(path), CSS "/drivers/%s/unbind", drv);
		ret = mdk_write_file(path, sch);
		if (ret)
			return ret;
	}
	ret = mdk_write_file(CSS "/drivers_probe", sch);
	if (ret)
		return ret;
	for (i = 0; i < 100; i++) {
		ccw_driver(sch, drv, sizeof(drv));
		if (!strcmp(drv, want))
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

int ccw_bind(const char *sch)
{
	return ccw_rebind(sch, "vfio_ccw", "vfio_ccw");
}

int ccw_unbind(const char *sch)
{
	return ccw_rebind(sch, "\n", "io_subchannel");
}

int ccw_open(struct ccw_dev *d, const char *sch, size_t pages)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_region_info info;
	unsigned int i;
	int ret;

	memset(d, 0, sizeof(*d));
	d->v.container = d->v.group = d->v.device = -1;
	for (i = 0; i < VFIO_CCW_NUM_IRQS; i++)
		d->efd[i] = -1;
	snprintf(d->sch, sizeof(d->sch), "%s", sch);
	ret = mdk_create(sch, "vfio_ccw-io", d->uuid);
	if (ret)
		return ret;
	ret = mdk_vfio_open(d->uuid, &d->v);
	if (ret)
		goto err;
	for (i = 0; i < CCW_RGN_NR; i++) {
		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		info.index = i;
		if (ioctl(d->v.device, VFIO_DEVICE_GET_REGION_INFO, &info)) {
			ret = -errno;
			goto err;
		}
		d->off[i] = info.offset;
	}
	d->pages = pages;
	d->mem = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->mem == MAP_FAILED) {
		d->mem = NULL;
		ret = -errno;
		goto err;
	}
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)d->mem;
	map.iova = CCW_IOVA;
	map.size = pages * 4096;
	if (ioctl(d->v.container, VFIO_IOMMU_MAP_DMA, &map)) {
		ret = -errno;
		goto err;
	}
	for (i = 0; i < VFIO_CCW_NUM_IRQS; i++) {
		d->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->efd[i] < 0) {
			ret = -errno;
			goto err;
		}
		ret = mdk_irq_set_eventfd(d->v.device, i, d->efd[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	ccw_close(d);
	return ret;
}

void ccw_close(struct ccw_dev *d)
{
	unsigned int i;

	mdk_vfio_close(&d->v);
	for (i = 0; i < VFIO_CCW_NUM_IRQS; i++)
		if (d->efd[i] >= 0)
			close(d->efd[i]);
	if (d->mem)
		munmap(d->mem, d->pages * 4096);
	if (d->uuid[0])
		mdk_remove(d->uuid);
	memset(d->uuid, 0, sizeof(d->uuid));
	d->mem = NULL;
	for (i = 0; i < VFIO_CCW_NUM_IRQS; i++)
		d->efd[i] = -1;
}

int ccw_start(struct ccw_dev *d, uint32_t flags, uint32_t cpa)
{
	struct ccw_io_region io;

	memset(&io, 0, sizeof(io));
	orb_put(io.orb_area, 0, flags, cpa);
	scsw_put_start(io.scsw_area);
	if (pwrite(d->v.device, &io, sizeof(io), d->off[CCW_RGN_IO]) !=
	    sizeof(io))
		return -errno;
	return 0;
}

int ccw_async(struct ccw_dev *d, uint32_t command)
{
	struct ccw_cmd_region cmd = { .command = command };

	if (pwrite(d->v.device, &cmd, sizeof(cmd), d->off[CCW_RGN_ASYNC]) !=
	    sizeof(cmd))
		return -errno;
	return 0;
}

int ccw_wait(struct ccw_dev *d, int i, int ms)
{
	struct pollfd p = { .fd = d->efd[i], .events = POLLIN };
	uint64_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	return read(d->efd[i], &n, sizeof(n)) == sizeof(n);
}

int ccw_read_io(struct ccw_dev *d, uint8_t *irb, int32_t *ret_code)
{
	struct ccw_io_region io;

	if (pread(d->v.device, &io, sizeof(io), d->off[CCW_RGN_IO]) !=
	    sizeof(io))
		return -errno;
	if (irb)
		memcpy(irb, io.irb_area, sizeof(io.irb_area));
	if (ret_code)
		*ret_code = (int32_t)io.ret_code;
	return 0;
}

int ccw_run(struct ccw_dev *d, uint32_t flags, uint32_t cpa, uint8_t *irb)
{
	int ret;

	ret = ccw_start(d, flags, cpa);
	if (ret)
		return ret;
	if (!ccw_wait(d, VFIO_CCW_IO_IRQ_INDEX, (int)mdk_scale(10000)))
		return -ETIMEDOUT;
	return ccw_read_io(d, irb, NULL);
}
