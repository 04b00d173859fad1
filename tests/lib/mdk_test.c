// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by mdevkit's userspace tests: see mdk_test.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/vfio.h>
#include "mdk_test.h"

int mdk_write_file(const char *path, const char *s)
{
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(s))
		ret = -EIO;
	close(fd);
	return ret;
}

int mdk_read_file(const char *path, char *buf, size_t len)
{
	int fd;
	ssize_t n;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

long mdk_read_long(const char *path)
{
	char buf[64], *end;
	long v;

	if (mdk_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || *end)
		return -1;
	return v;
}

int mdk_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int mdk_count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

void mdk_uuid_gen(char uuid[37])
{
	if (mdk_read_file("/proc/sys/kernel/random/uuid", uuid, 37) != 36) {
		fprintf(stderr, "cannot read a random uuid\n");
		exit(2);
	}
}

int mdk_create(const char *parent, const char *type, char uuid[37])
{
	char path[PATH_MAX];

	if (!uuid[0])
		mdk_uuid_gen(uuid);
	snprintf(path, sizeof(path), MDEV_BUS_CLASS
		 "/%s/mdev_supported_types/%s/create", parent, type);
	return mdk_write_file(path, uuid);
}

int mdk_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return mdk_write_file(path, "1");
}

long mdk_available(const char *parent, const char *type)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_BUS_CLASS
		 "/%s/mdev_supported_types/%s/available_instances",
		 parent, type);
	return mdk_read_long(path);
}

int mdk_group_id(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX], *slash;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	if (!slash)
		return -EINVAL;
	return atoi(slash + 1);
}

int mdk_vfio_open(const char *uuid, struct mdk_vfio *v)
{
	char path[64];
	int ret;

	v->container = v->group = v->device = -1;
	ret = mdk_group_id(uuid);
	if (ret < 0)
		return ret;
	v->group_id = ret;
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		goto err;
	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_id);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		goto err;
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		goto err;
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err;
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0)
		goto err;
	return 0;
err:
	ret = -errno;
	mdk_vfio_close(v);
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
	v->container = v->group = v->device = -1;
}

int mdk_irq_set_eventfd(int device, unsigned int index, int efd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd = efd;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->index = index;
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER;
	if (efd >= 0) {
		set->flags |= VFIO_IRQ_SET_DATA_EVENTFD;
		set->count = 1;
		memcpy(set->data, &fd, sizeof(fd));
	} else {
		set->flags |= VFIO_IRQ_SET_DATA_NONE;
	}
	return ioctl(device, VFIO_DEVICE_SET_IRQS, set);
}

long mdk_vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

uint64_t mdk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long mdk_scale(long n)
{
	const char *s = getenv("MDK_SCALE");

	if (!s || strcmp(s, "slow"))
		return n;
	return n / 10 > 0 ? n / 10 : 1;
}
