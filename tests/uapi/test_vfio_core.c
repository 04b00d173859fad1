// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vfio_core: the VFIO core's UAPI on mtty devices — the container
 * (/dev/vfio/vfio), the groups (/dev/vfio/N) and the device file, with
 * upstream 6.1's errno for every misuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/vfio.h>

#include "tap.h"
#include "mdk_test.h"

#define MTTY_VENDOR	0x4348
#define MAX_DEVS	4

/* Devices created by this test, removed at the end whatever happens. */
static char devs[MAX_DEVS][37];

static int create_dev(int slot)
{
	devs[slot][0] = '\0';
	if (mdk_create(MTTY_PARENT, "mtty-1", devs[slot])) {
		devs[slot][0] = '\0';
		return -1;
	}
	return 0;
}

static int remove_dev(int slot)
{
	int ret = mdk_remove(devs[slot]);

	if (!ret)
		devs[slot][0] = '\0';
	return ret;
}

static void remove_all(void)
{
	for (int i = 0; i < MAX_DEVS; i++)
		if (devs[i][0])
			remove_dev(i);
}

static int open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		tap_bail("open /dev/vfio/vfio: %s", strerror(errno));
	return fd;
}

static int open_group(int id)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* The group of device @slot, opened; bails out when impossible. */
static int open_dev_group(int slot, int *id)
{
	int fd;

	*id = mdk_group_id(devs[slot]);
	if (*id < 0)
		tap_bail("iommu_group link of %s: %s", devs[slot],
			 strerror(-*id));
	fd = open_group(*id);
	if (fd < 0)
		tap_bail("open /dev/vfio/%d: %s", *id, strerror(errno));
	return fd;
}

static int set_container(int group, int container)
{
	return ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
}

static long group_flags(int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	return st.flags;
}

/* PCI vendor ID read through the config region, or -1. */
static int read_vendor(int device)
{
	uint8_t b[2];

	if (pread(device, b, 2, mdk_region_off(VFIO_PCI_CONFIG_REGION_INDEX))
	    != 2)
		return -1;
	return b[0] | b[1] << 8;
}

static bool extensions_ok(int c, const char *when)
{
	long t1 = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU);
	long t2 = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	long no = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU);
	long ua = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL);

	if (t1 != 1 || t2 != 1 || no != 0 || ua != 1)
		tap_diag("  TYPE1 %ld TYPE1v2 %ld NOIOMMU %ld UNMAP_ALL %ld",
			 t1, t2, no, ua);
	return tap_ok(t1 == 1 && t2 == 1 && no == 0 && ua == 1,
		      "CHECK_EXTENSION TYPE1/v2 1, NOIOMMU 0, UNMAP_ALL 1 %s",
		      when);
}

/* An ioctl number no VFIO file knows. */
#define VFIO_BOGUS	_IO(VFIO_TYPE, VFIO_BASE + 60)

static void test_container_alone(void)
{
	struct stat st;
	int c;

	tap_ok(!stat("/dev/vfio/vfio", &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 10 && minor(st.st_rdev) == 196 &&
	       (st.st_mode & 0777) == 0666,
	       "/dev/vfio/vfio is char 10:196 mode 0666");

	c = open_container();
	tap_ok(ioctl(c, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	       "GET_API_VERSION is %d", VFIO_API_VERSION);
	extensions_ok(c, "before SET_IOMMU");
	tap_ok(ioctl(c, VFIO_CHECK_EXTENSION, 12345) == 0,
	       "CHECK_EXTENSION of an unknown extension is 0");
	TAP_ERRNO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL,
		  "SET_IOMMU without a group: EINVAL");
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), EINVAL,
		  "unknown container ioctl without backend: EINVAL");
	TAP_ERRNO(lseek(c, 0, SEEK_SET), ESPIPE, "container: lseek ESPIPE");
	close(c);
}

/* One device through every step, with each misuse on the way. */
static void test_one_group(void)
{
	struct vfio_group_status st;
	int c, g, g2, d1, d2, id, nul;
	struct stat sb;
	char path[64];

	if (create_dev(0))
		tap_bail("create an mtty-1 device: %s", strerror(errno));
	g = open_dev_group(0, &id);
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	tap_ok(!stat(path, &sb) && S_ISCHR(sb.st_mode) &&
	       (sb.st_mode & 0777) == 0600, "%s is a char device, mode 0600",
	       path);
	TAP_ERRNO(open_group(id), EBUSY, "second open of a group: EBUSY");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", g);
	TAP_ERRNO(open(path, O_RDWR), EBUSY,
		  "reopen of a group through /proc: EBUSY");

	st.argsz = offsetof(struct vfio_group_status, flags);
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_STATUS, &st), EINVAL,
		  "GET_STATUS with a short argsz: EINVAL");
	tap_ok(group_flags(g) == VFIO_GROUP_FLAGS_VIABLE,
	       "GET_STATUS of a fresh group: VIABLE");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, devs[0]), EINVAL,
		  "GET_DEVICE_FD before SET_CONTAINER: EINVAL");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER), EINVAL,
		  "UNSET_CONTAINER without container: EINVAL");
	TAP_ERRNO(set_container(g, -1), EBADF, "SET_CONTAINER fd -1: EBADF");
	TAP_ERRNO(set_container(g, 999), EBADF,
		  "SET_CONTAINER with a closed fd: EBADF");
	nul = open("/dev/null", O_RDWR);
	TAP_ERRNO(set_container(g, nul), EINVAL,
		  "SET_CONTAINER with /dev/null: EINVAL");
	close(nul);
	TAP_ERRNO(set_container(g, g), EINVAL,
		  "SET_CONTAINER with the group itself: EINVAL");

	c = open_container();
	TAP_ZERO(set_container(g, c), "SET_CONTAINER");
	tap_ok(group_flags(g) == (VFIO_GROUP_FLAGS_VIABLE |
				  VFIO_GROUP_FLAGS_CONTAINER_SET),
	       "GET_STATUS after SET_CONTAINER: VIABLE|CONTAINER_SET");
	TAP_ERRNO(set_container(g, c), EINVAL, "SET_CONTAINER twice: EINVAL");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, devs[0]), EINVAL,
		  "GET_DEVICE_FD before SET_IOMMU: EINVAL");
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), EINVAL,
		  "unknown container ioctl before SET_IOMMU: EINVAL");
	TAP_ERRNO(ioctl(c, VFIO_SET_IOMMU, 0x7fff), ENODEV,
		  "SET_IOMMU with an unknown type: ENODEV");
	TAP_ERRNO(ioctl(c, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), ENODEV,
		  "SET_IOMMU NOIOMMU: ENODEV");
	TAP_ZERO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
		 "SET_IOMMU TYPE1v2");
	TAP_ERRNO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL,
		  "SET_IOMMU twice: EINVAL (as upstream)");
	extensions_ok(c, "after SET_IOMMU");
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), ENOTTY,
		  "unknown container ioctl with a backend: ENOTTY");

	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "no-such-device"), ENODEV,
		  "GET_DEVICE_FD of an unknown name: ENODEV");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, ""), ENODEV,
		  "GET_DEVICE_FD of an empty name: ENODEV");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, NULL), EFAULT,
		  "GET_DEVICE_FD of a NULL name: EFAULT");
	TAP_ERRNO(ioctl(g, VFIO_BOGUS), ENOTTY, "unknown group ioctl: ENOTTY");
	d1 = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, devs[0]);
	d2 = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, devs[0]);
	tap_ok(d1 >= 0 && d2 >= 0 && d1 != d2,
	       "GET_DEVICE_FD twice gives two fds");
	tap_ok((fcntl(d1, F_GETFD) & FD_CLOEXEC) != 0,
	       "device fd is close-on-exec");
	tap_ok(read_vendor(d1) == MTTY_VENDOR && read_vendor(d2) == MTTY_VENDOR,
	       "both device fds read vendor 0x%04x", MTTY_VENDOR);
	TAP_ERRNO(ioctl(d1, VFIO_BOGUS), ENOTTY, "unknown device ioctl: ENOTTY");
	{
		struct vfio_device_feature f = {
			.argsz = sizeof(f),
			.flags = VFIO_DEVICE_FEATURE_PROBE |
				 VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_MIGRATION,
		};

		TAP_ERRNO(ioctl(d1, VFIO_DEVICE_FEATURE, &f), ENOTTY,
			  "DEVICE_FEATURE probe of MIGRATION: ENOTTY");
		f.argsz = 4;
		TAP_ERRNO(ioctl(d1, VFIO_DEVICE_FEATURE, &f), EINVAL,
			  "DEVICE_FEATURE with a short argsz: EINVAL");
		f.argsz = sizeof(f);
		f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_MIGRATION;
		TAP_ERRNO(ioctl(d1, VFIO_DEVICE_FEATURE, &f), EINVAL,
			  "DEVICE_FEATURE GET|SET: EINVAL");
	}
	TAP_ERRNO(lseek(d1, 0, SEEK_SET), ESPIPE, "device fd: lseek ESPIPE");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER), EBUSY,
		  "UNSET_CONTAINER with a device fd open: EBUSY");
	close(d1);
	TAP_ERRNO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER), EBUSY,
		  "UNSET_CONTAINER with one of two device fds open: EBUSY");
	close(d2);
	TAP_ZERO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER),
		 "UNSET_CONTAINER once the device fds are closed");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER), EINVAL,
		  "UNSET_CONTAINER twice: EINVAL");
	tap_ok(group_flags(g) == VFIO_GROUP_FLAGS_VIABLE,
	       "GET_STATUS after UNSET_CONTAINER: VIABLE");
	/* The last group left: the container is back to the unset state. */
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), EINVAL,
		  "container without groups loses its backend");
	TAP_ERRNO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL,
		  "SET_IOMMU after the last group left: EINVAL");
	TAP_ZERO(set_container(g, c), "SET_CONTAINER again after UNSET");
	TAP_ZERO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU),
		 "SET_IOMMU TYPE1 (v1) on the reused container");
	d1 = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, devs[0]);
	tap_ok(d1 >= 0 && read_vendor(d1) == MTTY_VENDOR,
	       "device usable through a reused container");
	close(d1);

	/* Closing the group file takes the group out of its container. */
	close(g);
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), EINVAL,
		  "closing the group releases the container's backend");
	g2 = open_group(id);
	tap_ok(g2 >= 0 && group_flags(g2) == VFIO_GROUP_FLAGS_VIABLE,
	       "group reopened after close: VIABLE, no container");
	close(g2);
	close(c);
}

/* Two groups share a container, with one SET_IOMMU. */
static void test_shared_container(void)
{
	int c, ga, gb, da, db, ida, idb;

	if (create_dev(1))
		tap_bail("create a second device: %s", strerror(errno));
	ga = open_dev_group(0, &ida);
	gb = open_dev_group(1, &idb);
	tap_ok(ida != idb, "two devices, two groups (%d, %d)", ida, idb);

	c = open_container();
	TAP_ZERO(set_container(ga, c), "group A joins the container");
	TAP_ZERO(set_container(gb, c), "group B joins the container");
	TAP_ZERO(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
		 "one SET_IOMMU for two groups");
	da = ioctl(ga, VFIO_GROUP_GET_DEVICE_FD, devs[0]);
	db = ioctl(gb, VFIO_GROUP_GET_DEVICE_FD, devs[1]);
	tap_ok(da >= 0 && db >= 0 && read_vendor(da) == MTTY_VENDOR &&
	       read_vendor(db) == MTTY_VENDOR,
	       "both devices usable in one container");
	TAP_ERRNO(ioctl(ga, VFIO_GROUP_GET_DEVICE_FD, devs[1]), ENODEV,
		  "GET_DEVICE_FD of another group's device: ENODEV");
	close(db);
	TAP_ZERO(ioctl(gb, VFIO_GROUP_UNSET_CONTAINER),
		 "group B leaves, group A stays");
	tap_ok(read_vendor(da) == MTTY_VENDOR,
	       "device A still usable after B left");
	/* A group joining a container that has a backend is attached now. */
	TAP_ZERO(set_container(gb, c), "group B rejoins after SET_IOMMU");
	db = ioctl(gb, VFIO_GROUP_GET_DEVICE_FD, devs[1]);
	tap_ok(db >= 0 && read_vendor(db) == MTTY_VENDOR,
	       "late group's device opens without another SET_IOMMU");
	close(da);
	close(db);
	close(ga);
	close(gb);
	close(c);
}

/* Two containers at once, one group each. */
static void test_two_containers(void)
{
	int c1, c2, ga, gb, da, db, ida, idb;

	ga = open_dev_group(0, &ida);
	gb = open_dev_group(1, &idb);
	c1 = open_container();
	c2 = open_container();
	TAP_ZERO(set_container(ga, c1) || set_container(gb, c2) ||
		 ioctl(c1, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ||
		 ioctl(c2, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
		 "two containers set up, one group each");
	da = ioctl(ga, VFIO_GROUP_GET_DEVICE_FD, devs[0]);
	db = ioctl(gb, VFIO_GROUP_GET_DEVICE_FD, devs[1]);
	tap_ok(da >= 0 && db >= 0 && read_vendor(da) == MTTY_VENDOR &&
	       read_vendor(db) == MTTY_VENDOR,
	       "devices usable in two containers");
	close(c1);
	close(c2);
	TAP_ERRNO(set_container(ga, c2), EBADF,
		  "SET_CONTAINER with a container fd closed: EBADF");

	/* The device keeps group and container alive on its own. */
	close(ga);
	tap_ok(read_vendor(da) == MTTY_VENDOR,
	       "device fd works after its group and container fds closed");
	TAP_ERRNO(open_group(ida), EBUSY,
		  "group file stays busy while a device fd holds it");
	close(da);
	ga = open_group(ida);
	tap_ok(ga >= 0, "group can be opened once its device fd is closed");
	close(ga);
	close(db);
	close(gb);
}

/* Group numbers come back: the IOMMU core hands out the lowest free one. */
static void test_group_reuse(void)
{
	char path[64];
	int id, id2;

	id = mdk_group_id(devs[1]);
	TAP_ZERO(remove_dev(1), "remove device B");
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d", id);
	tap_ok(!mdk_path_exists(path), "%s gone after remove", path);
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	tap_ok(!mdk_path_exists(path), "%s gone after remove", path);
	if (create_dev(1))
		tap_bail("create device C: %s", strerror(errno));
	id2 = mdk_group_id(devs[1]);
	tap_ok(id2 == id, "group number %d reused (got %d)", id, id2);
	tap_ok(mdk_path_exists(path), "%s back", path);
}

/* A device removed under an open group file. */
static void test_remove_under_open_group(void)
{
	char path[64], uuid[37];
	int c, g, g2, id;

	g = open_dev_group(1, &id);
	memcpy(uuid, devs[1], sizeof(uuid));
	c = open_container();
	TAP_ZERO(set_container(g, c) ||
		 ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
		 "group of C set up");
	TAP_ZERO(remove_dev(1), "remove C while its group file is open");
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d", id);
	tap_ok(!mdk_path_exists(path), "%s gone while its file is open", path);
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, uuid), ENODEV,
		  "GET_DEVICE_FD on a dead group: ENODEV");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_GET_STATUS,
			&(struct vfio_group_status){ .argsz = 8 }), ENODEV,
		  "GET_STATUS on a dead group: ENODEV");
	TAP_ERRNO(ioctl(g, VFIO_GROUP_UNSET_CONTAINER), EINVAL,
		  "dead group already left its container");
	TAP_ERRNO(set_container(g, c), ENODEV,
		  "SET_CONTAINER on a dead group: ENODEV");
	TAP_ERRNO(ioctl(c, VFIO_BOGUS), EINVAL,
		  "container lost its backend with its dead group");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", g);
	g2 = open(path, O_RDWR);
	tap_ok(g2 < 0 && errno == ENODEV,
	       "reopening a dead group's inode: ENODEV");
	if (g2 >= 0)
		close(g2);
	tap_ok(!close(g) && !close(c), "dead group and container close");
}

/*
 * A removal waiting for an open device blocks new opens: the device is
 * held, its REQ eventfd armed; a child writes "remove" and blocks.
 */
static void test_open_during_removal(void)
{
	struct {
		struct vfio_irq_set s;
		int32_t fd;
	} irq;
	struct mdk_vfio v;
	struct pollfd pfd;
	char uuid[37];
	int status, efd;
	uint64_t cnt;
	pid_t pid;

	if (create_dev(2))
		tap_bail("create device D: %s", strerror(errno));
	if (mdk_vfio_open(devs[2], &v))
		tap_bail("open device D through VFIO: %s", strerror(errno));
	efd = eventfd(0, EFD_CLOEXEC);
	irq.s = (struct vfio_irq_set){
		.argsz = sizeof(irq),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			 VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};
	irq.fd = efd;
	TAP_ZERO(ioctl(v.device, VFIO_DEVICE_SET_IRQS, &irq),
		 "arm the REQ eventfd");

	pid = fork();
	if (pid == 0) {
		/* The fork copied our fds: the file must only be ours. */
		mdk_vfio_close(&v);
		_exit(mdk_remove(devs[2]) ? 1 : 0);
	}
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	tap_ok(poll(&pfd, 1, 5000) == 1 && read(efd, &cnt, 8) == 8,
	       "removal requests the device back");
	TAP_ERRNO(ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD, devs[2]), ENODEV,
		  "GET_DEVICE_FD while a removal waits: ENODEV");
	tap_ok(read_vendor(v.device) == MTTY_VENDOR,
	       "open device still works while its removal waits");
	mdk_vfio_close(&v);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0, "removal completes once closed");
	close(efd);
	memcpy(uuid, devs[2], sizeof(uuid));
	devs[2][0] = '\0';
	tap_ok(mdk_group_id(uuid) == -ENOENT, "removed device is gone");
}

int main(void)
{
	tap_init("vfio_core");
	atexit(remove_all);

	test_container_alone();
	test_one_group();
	test_shared_container();
	test_two_containers();
	test_group_reuse();
	test_remove_under_open_group();
	test_open_during_removal();

	remove_all();
	return tap_done();
}
