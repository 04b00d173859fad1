// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mdev sysfs ABI (upstream 6.1) on the mtty sample: the parent and
 * type directories, creating and removing by UUID with every errno of the
 * table in /work/shared/README.md §3, instance accounting, the
 * MDEV_STATE uevents, removal of an open device (REQ, EINTR), and module
 * unload with open and with closed devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tap.h"
#include "mdk_test.h"

#define PARENT_LINK	MDEV_BUS_CLASS "/" MTTY_PARENT
#define TYPES_DIR	PARENT_LINK "/mdev_supported_types"
#define POOL		24
#define MAX_DEVS	32

static char parent_dir[PATH_MAX];	/* realpath of the parent */

/* ---- small helpers ---------------------------------------------- */

static const char *pathf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *pathf(const char *fmt, ...)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *p = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, PATH_MAX, fmt, ap);
	va_end(ap);
	return p;
}

static const char *type_path(const char *type, const char *attr)
{
	return pathf("%s/%s/%s", TYPES_DIR, type, attr);
}

static const char *dev_path(const char *uuid, const char *attr)
{
	return pathf("%s/%s%s%s", MDEV_DEVICES, uuid, attr ? "/" : "",
		     attr ? attr : "");
}

/* Write exactly @len bytes of @buf in one write(2): 0 or -errno. */
static int write_raw(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* As write_raw(), but -1 with errno set, for TAP_ERRNO(). */
static int wr(const char *path, const char *buf, size_t len)
{
	int ret = write_raw(path, buf, len);

	errno = -ret;
	return ret ? -1 : 0;
}

static int wrs(const char *path, const char *s)
{
	return wr(path, s, strlen(s));
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

static bool str_is(const char *path, const char *want)
{
	char buf[256];

	if (mdk_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	if (strcmp(buf, want))
		tap_diag("  %s: \"%s\", want \"%s\"", path, buf, want);
	return !strcmp(buf, want);
}

static bool avail_is(long one, long two)
{
	long a1 = mdk_available(MTTY_PARENT, "mtty-1");
	long a2 = mdk_available(MTTY_PARENT, "mtty-2");

	if (a1 != one || a2 != two)
		tap_diag("  available %ld/%ld, want %ld/%ld", a1, a2, one, two);
	return a1 == one && a2 == two;
}

static int count_mdevs(void)
{
	char cmd[] = "ls " MDEV_DEVICES " | wc -l";
	FILE *p = popen(cmd, "r");
	int n = -1;

	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* Devices this program created, removed at the end whatever happens. */
static char devs[MAX_DEVS][37];

static int create(const char *type, char uuid[37])
{
	int ret = mdk_create(MTTY_PARENT, type, uuid);
	int i;

	for (i = 0; !ret && i < MAX_DEVS; i++) {
		if (!devs[i][0]) {
			strcpy(devs[i], uuid);
			break;
		}
	}
	return ret;
}

/* create() for TAP_ERRNO(): -1 with errno set on failure. */
static int cr(const char *type, char uuid[37])
{
	int ret = create(type, uuid);

	errno = -ret;
	return ret ? -1 : 0;
}

static void remove_all(void)
{
	int i;

	for (i = 0; i < MAX_DEVS; i++) {
		if (devs[i][0] && mdk_path_exists(dev_path(devs[i], NULL)))
			mdk_remove(devs[i]);
		devs[i][0] = '\0';
	}
}

static void upcase(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s += 'A' - 'a';
}

static int vendor_id(int device)
{
	uint8_t b[2];

	if (pread(device, b, 2, mdk_region_off(VFIO_PCI_CONFIG_REGION_INDEX)) != 2)
		return -1;
	return b[0] | b[1] << 8;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Wait up to @ms for @pid; its exit status, or -1 (then it is killed). */
static int wait_child(pid_t pid, int ms)
{
	uint64_t end = mdk_now_ms() + ms;
	int st;

	while (mdk_now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int mod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static int mod_load(const char *name)
{
	const char *dir = getenv("MDK_MODULES");
	int fd, ret;

	fd = open(pathf("%s/%s.ko", dir ? dir : "/mdk/modules", name),
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static bool mod_loaded(const char *name)
{
	return mdk_path_exists(pathf("/sys/module/%s/initstate", name));
}

/* ---- cases -------------------------------------------------------- */

static void test_layout(void)
{
	static const char *const attrs[] = {
		"name", "available_instances", "device_api",
	};
	static const char *const types[] = { "mtty-1", "mtty-2" };
	unsigned int t, a;
	struct stat st;
	bool ok;

	ok = !lstat(PARENT_LINK, &st) && S_ISLNK(st.st_mode) &&
	     realpath(PARENT_LINK, parent_dir);
	tap_ok(ok, "class link mdev_bus/mtty is a symlink to the parent");
	if (!ok)
		tap_bail("no mtty parent");
	tap_ok(mdk_path_exists(pathf("%s/mdev_supported_types", parent_dir)),
	       "parent has mdev_supported_types");

	for (t = 0; t < 2; t++) {
		ok = mode_of(type_path(types[t], "create")) == 0200;
		for (a = 0; a < 3; a++)
			ok &= mode_of(type_path(types[t], attrs[a])) == 0444;
		ok &= mdk_path_exists(type_path(types[t], "devices"));
		tap_ok(ok, "%s has create 0200, name, available_instances, device_api 0444, devices/",
		       types[t]);
		tap_ok(str_is(type_path(types[t], "device_api"), "vfio-pci"),
		       "%s device_api is vfio-pci", types[t]);
	}
	tap_ok(str_is(type_path("mtty-1", "name"), "Single port serial") &&
	       str_is(type_path("mtty-2", "name"), "Dual port serial"),
	       "type names");
	tap_ok(avail_is(POOL, POOL / 2), "fresh available_instances 24 and 12");
}

static void test_create(void)
{
	char u[37] = "", u2[37] = "", link[PATH_MAX], tdir[PATH_MAX];
	ssize_t n;
	int gid;
	bool ok;

	snprintf(tdir, sizeof(tdir), "%s/mtty-1", TYPES_DIR);
	if (create("mtty-1", u))
		tap_bail("cannot create an mtty-1 device");
	tap_ok(mdk_path_exists(dev_path(u, NULL)), "create: device on the bus");
	ok = realpath(dev_path(u, NULL), link) &&
	     !strcmp(link, pathf("%s/%s", parent_dir, u));
	tap_ok(ok, "create: device is a child of the parent");
	tap_ok(same_file(dev_path(u, "subsystem"), "/sys/bus/mdev"),
	       "create: subsystem is /sys/bus/mdev");
	n = readlink(dev_path(u, "mdev_type"), link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	tap_ok(!strcmp(link, "../mdev_supported_types/mtty-1") &&
	       same_file(dev_path(u, "mdev_type"), tdir),
	       "create: mdev_type -> ../mdev_supported_types/mtty-1 (%s)",
	       link);
	gid = mdk_group_id(u);
	tap_ok(gid >= 0 &&
	       same_file(dev_path(u, "iommu_group"),
			 pathf("/sys/kernel/iommu_groups/%d", gid)) &&
	       mdk_path_exists(pathf("/dev/vfio/%d", gid)),
	       "create: iommu_group -> iommu_groups/%d and /dev/vfio/%d",
	       gid, gid);
	tap_ok(same_file(dev_path(u, "driver"), "/sys/bus/mdev/drivers/mtty"),
	       "create: bound to the mtty driver");
	tap_ok(mode_of(dev_path(u, "remove")) == 0200, "create: remove is 0200");
	tap_ok(same_file(pathf("%s/devices/%s", tdir, u), dev_path(u, NULL)),
	       "create: type's devices/<uuid> links to the device");
	tap_ok(avail_is(POOL - 1, (POOL - 1) / 2), "create: available 23/11");
	tap_ok(!create("mtty-2", u2) && avail_is(POOL - 3, (POOL - 3) / 2),
	       "create mtty-2: available 21/10");

	/* trailing newline accepted */
	u2[0] = '\0';
	mdk_uuid_gen(u2);
	strcat(u2, "\n");
	ok = !write_raw(type_path("mtty-1", "create"), u2, 37);
	u2[36] = '\0';
	if (ok)
		strcpy(devs[MAX_DEVS - 1], u2);
	tap_ok(ok && mdk_path_exists(dev_path(u2, NULL)),
	       "create: UUID followed by a newline accepted");

	tap_ok(!mdk_remove(u) && !mdk_path_exists(dev_path(u, NULL)) &&
	       !mdk_path_exists(pathf("%s/devices/%s", tdir, u)) &&
	       !mdk_path_exists(pathf("/sys/kernel/iommu_groups/%d/devices/%s",
				      gid, u)),
	       "remove: device, type link and group membership gone");
	remove_all();
	tap_ok(avail_is(POOL, POOL / 2), "remove: available back to 24/12");
}

static void test_create_errors(void)
{
	const char *attr = type_path("mtty-1", "create");
	char u[37] = "", v[37] = "", up[37], buf[64];
	int before = count_mdevs(), i;

	mdk_uuid_gen(u);
	memcpy(buf, u, 36);
	buf[0] = 'g';
	TAP_ERRNO(wr(attr, buf, 36), EINVAL, "create: non-hex digit: EINVAL");
	memcpy(buf, u, 36);
	for (i = 0; i < 36; i++)
		if (buf[i] == '-')
			buf[i] = '0';
	TAP_ERRNO(wr(attr, buf, 36), EINVAL,
		  "create: 36 hex digits without dashes: EINVAL");
	TAP_ERRNO(wr(attr, buf, 32), EINVAL, "create: 32 hex digits: EINVAL");
	TAP_ERRNO(wr(attr, u, 35), EINVAL, "create: 35 chars: EINVAL");
	snprintf(buf, sizeof(buf), "%sx", u);
	TAP_ERRNO(wrs(attr, buf), EINVAL, "create: trailing junk: EINVAL");
	snprintf(buf, sizeof(buf), "%s ", u);
	TAP_ERRNO(wrs(attr, buf), EINVAL, "create: trailing space: EINVAL");
	snprintf(buf, sizeof(buf), "%s\n\n", u);
	TAP_ERRNO(wrs(attr, buf), EINVAL, "create: two newlines: EINVAL");
	snprintf(buf, sizeof(buf), " %s", u);
	TAP_ERRNO(wr(attr, buf, 37), EINVAL, "create: leading space: EINVAL");
	TAP_ERRNO(wrs(attr, "\n"), EINVAL, "create: bare newline: EINVAL");
	/* sysfs itself completes an empty write without calling the store */
	TAP_ZERO(wr(attr, "", 0), "create: empty write does nothing");
	tap_ok(count_mdevs() == before, "create: no device from bad writes");

	if (create("mtty-1", u))
		tap_bail("cannot create an mtty-1 device");
	TAP_ERRNO(wrs(attr, u), EEXIST, "create: existing UUID: EEXIST");
	strcpy(up, u);
	upcase(up);
	TAP_ERRNO(wrs(attr, up), EEXIST,
		  "create: existing UUID in upper case: EEXIST");
	TAP_ERRNO(wrs(type_path("mtty-2", "create"), u), EEXIST,
		  "create: existing UUID on another type: EEXIST");

	mdk_uuid_gen(v);
	strcpy(up, v);
	upcase(up);
	TAP_ZERO(create("mtty-1", up), "create: upper-case UUID accepted");
	tap_ok(mdk_path_exists(dev_path(v, NULL)) &&
	       !mdk_path_exists(dev_path(up, NULL)),
	       "create: upper-case UUID named in lower case");
	strcpy(devs[MAX_DEVS - 2], v);
	tap_ok(avail_is(POOL - 2, (POOL - 2) / 2),
	       "create: failed creates took no instance");
	remove_all();
}


static void test_enospc(void)
{
	char u[POOL / 2][37], x[37];
	int i, made = 0;

	for (i = 0; i < POOL / 2; i++) {
		u[i][0] = '\0';
		made += !create("mtty-2", u[i]);
	}
	tap_ok(made == POOL / 2 && avail_is(0, 0),
	       "fill: %d mtty-2 devices, available 0/0", made);
	x[0] = '\0';
	TAP_ERRNO(cr("mtty-1", x), ENOSPC, "full pool: mtty-1 ENOSPC");
	x[0] = '\0';
	TAP_ERRNO(cr("mtty-2", x), ENOSPC, "full pool: mtty-2 ENOSPC");
	tap_ok(count_mdevs() == POOL / 2 && !mdk_path_exists(dev_path(x, NULL)),
	       "full pool: no device from ENOSPC");
	tap_ok(!mdk_remove(u[0]) && avail_is(2, 1),
	       "full pool: one removal frees 2/1");
	x[0] = '\0';
	tap_ok(!create("mtty-1", x) && avail_is(1, 0),
	       "full pool: mtty-1 fits in the freed ports, 1/0 left");
	x[0] = '\0';
	TAP_ERRNO(cr("mtty-2", x), ENOSPC, "one port left: mtty-2 ENOSPC");
	remove_all();
	tap_ok(avail_is(POOL, POOL / 2), "pool drained: 24/12 again");
}

static void test_remove_attr(void)
{
	char u[37] = "";
	int fd, fd2;

	if (create("mtty-1", u)) {
		tap_ok(false, "remove: create a device");
		return;
	}
	TAP_ZERO(wrs(dev_path(u, "remove"), "0"), "remove: \"0\" accepted");
	tap_ok(mdk_path_exists(dev_path(u, NULL)),
	       "remove: \"0\" leaves the device");
	TAP_ERRNO(wrs(dev_path(u, "remove"), "abc"), EINVAL,
		  "remove: \"abc\" EINVAL");
	TAP_ERRNO(wrs(dev_path(u, "remove"), "-1"), EINVAL,
		  "remove: \"-1\" EINVAL");
	tap_ok(mdk_path_exists(dev_path(u, NULL)),
	       "remove: bad writes leave the device");

	fd = open(dev_path(u, "remove"), O_WRONLY);
	fd2 = open(dev_path(u, "remove"), O_WRONLY);
	tap_ok(fd >= 0 && fd2 >= 0 && write(fd, "1", 1) == 1 &&
	       !mdk_path_exists(dev_path(u, NULL)),
	       "remove: \"1\" removes the device");
	TAP_ERRNO(write(fd, "1", 1), ENODEV,
		  "remove: second write on the same fd ENODEV");
	TAP_ERRNO(write(fd2, "1", 1), ENODEV,
		  "remove: write on another fd opened before ENODEV");
	close(fd);
	close(fd2);
	remove_all();
}

/* Child exit codes of the race workers: 0 won, 1 lost cleanly, 2 other. */
static int race(const char *u, bool creating)
{
	pid_t pid[2];
	int i, r, st[2];

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i])
			continue;
		if (creating) {
			char c[37];

			strcpy(c, u);
			r = mdk_create(MTTY_PARENT, "mtty-1", c);
			_exit(!r ? 0 : r == -EEXIST ? 1 : 2);
		}
		r = mdk_remove(u);
		_exit(!r ? 0 : r == -ENODEV || r == -ENOENT ? 1 : 2);
	}
	for (i = 0; i < 2; i++)
		st[i] = wait_child(pid[i], 10000);
	if ((st[0] == 0 && st[1] == 1) || (st[0] == 1 && st[1] == 0))
		return 0;
	tap_diag("  %s race: exit codes %d %d", creating ? "create" : "remove",
		 st[0], st[1]);
	return 1;
}

/*
 * Two processes write the same UUID to create, or "1" to the remove
 * attribute of one device, at once: exactly one wins, the other gets
 * the errno of the table.
 */
static void test_races(void)
{
	uint64_t end = mdk_now_ms() + 5000;
	int rounds = 0, bad = 0;
	char u[37];

	while (rounds < 20 && mdk_now_ms() < end) {
		mdk_uuid_gen(u);
		bad += race(u, true);
		bad += !mdk_path_exists(dev_path(u, NULL));
		bad += race(u, false);
		if (mdk_path_exists(dev_path(u, NULL))) {
			mdk_remove(u);
			bad++;
		}
		rounds++;
	}
	tap_ok(!bad && rounds > 0,
	       "races: two processes create/remove one UUID, one wins (%d rounds)",
	       rounds);
	tap_ok(avail_is(POOL, POOL / 2), "races: no instance leaked");
}

/* A fresh device opened through VFIO with its REQ eventfd armed. */
static int open_armed(char u[37], struct mdk_vfio *v, int *efd)
{
	u[0] = '\0';
	*efd = -1;
	if (create("mtty-1", u) || mdk_vfio_open(u, v))
		return -1;
	*efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*efd < 0 || mdk_irq_set_eventfd(v->device, VFIO_PCI_REQ_IRQ_INDEX, *efd)) {
		mdk_vfio_close(v);
		if (*efd >= 0)
			close(*efd);
		return -1;
	}
	return 0;
}

static bool still_running(pid_t pid)
{
	int st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

static void test_remove_open(void)
{
	struct mdk_vfio v;
	char u[37];
	int efd, rc;
	pid_t pid;

	if (open_armed(u, &v, &efd)) {
		tap_ok(false, "remove while open: open a device with REQ armed");
		remove_all();
		return;
	}
	pid = fork();
	if (!pid) {
		/* the child must not keep the device open itself */
		mdk_vfio_close(&v);
		close(efd);
		_exit(mdk_remove(u) ? 1 : 0);
	}
	tap_ok(readable(efd, 5000), "remove while open: REQ eventfd signalled");
	tap_ok(still_running(pid) && mdk_path_exists(dev_path(u, NULL)) &&
	       vendor_id(v.device) == 0x4348,
	       "remove while open: write blocks, device still works");
	mdk_vfio_close(&v);
	close(efd);
	rc = wait_child(pid, 20000);
	tap_ok(rc == 0, "remove while open: write succeeds once closed (%d)",
	       rc);
	tap_ok(!mdk_path_exists(dev_path(u, NULL)),
	       "remove while open: device gone");
	remove_all();
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_remove_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct mdk_vfio v;
	char u[37];
	int efd, rc, fd;
	pid_t pid;

	if (open_armed(u, &v, &efd)) {
		tap_ok(false, "interrupted remove: open a device with REQ armed");
		remove_all();
		return;
	}
	pid = fork();
	if (!pid) {
		mdk_vfio_close(&v);
		close(efd);
		sigaction(SIGUSR1, &sa, NULL);
		fd = open(dev_path(u, "remove"), O_WRONLY);
		if (fd < 0)
			_exit(3);
		if (write(fd, "1", 1) < 0)
			_exit(errno == EINTR ? 0 : 4);
		_exit(2);
	}
	tap_ok(readable(efd, 5000), "interrupted remove: REQ eventfd signalled");
	kill(pid, SIGUSR1);
	rc = wait_child(pid, 10000);
	tap_ok(rc == 0, "interrupted remove: write fails with EINTR (%d)", rc);
	tap_ok(mdk_path_exists(dev_path(u, NULL)) &&
	       vendor_id(v.device) == 0x4348,
	       "interrupted remove: device stays and works");
	fd = ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD, u);
	tap_ok(fd >= 0, "interrupted remove: device can be opened again");
	if (fd >= 0)
		close(fd);
	mdk_vfio_close(&v);
	close(efd);
	TAP_ZERO(mdk_remove(u), "interrupted remove: removal after close works");
	remove_all();
}

static void test_rmmod_open(void)
{
	struct mdk_vfio v;
	char u[37] = "";
	int r;

	if (create("mtty-1", u) || mdk_vfio_open(u, &v)) {
		tap_ok(false, "rmmod with an open device: open a device");
		remove_all();
		return;
	}
	r = mod_unload("mdk_mtty");
	tap_ok(r == -1 && (errno == EAGAIN || errno == EBUSY),
	       "rmmod with an open device fails (%d, %s)", r, strerror(errno));
	tap_ok(mdk_path_exists(dev_path(u, NULL)) &&
	       vendor_id(v.device) == 0x4348,
	       "rmmod with an open device: device still works");
	mdk_vfio_close(&v);
	if (!mod_loaded("mdk_mtty"))
		mod_load("mdk_mtty");
	remove_all();
}

/* Wait up to @ms for a change uevent of @devpath with MDEV_STATE=@state. */
static bool uevent_seen(int sock, const char *devpath, const char *state,
			int ms)
{
	char want_path[PATH_MAX + 16], want_state[64], msg[8192];
	uint64_t end = mdk_now_ms() + ms;
	bool action, path, st;
	ssize_t n, i;

	snprintf(want_path, sizeof(want_path), "DEVPATH=%s", devpath);
	snprintf(want_state, sizeof(want_state), "MDEV_STATE=%s", state);
	while (mdk_now_ms() < end) {
		if (!readable(sock, 100))
			continue;
		n = recv(sock, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		action = path = st = false;
		for (i = 0; i < n; i += strlen(msg + i) + 1) {
			action |= !strcmp(msg + i, "ACTION=change");
			path |= !strcmp(msg + i, want_path);
			st |= !strcmp(msg + i, want_state);
		}
		if (action && path && st)
			return true;
	}
	return false;
}

static int uevent_socket(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int s;

	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		   NETLINK_KOBJECT_UEVENT);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr))) {
		close(s);
		return -1;
	}
	return s;
}

static void test_rmmod_closed(void)
{
	char u1[37] = "", u2[37] = "";
	const char *devpath = parent_dir + strlen("/sys");
	int g1, g2, sock, r;

	sock = uevent_socket();
	tap_ok(sock >= 0, "uevent socket");
	if (create("mtty-1", u1) || create("mtty-2", u2)) {
		tap_ok(false, "rmmod: create two devices");
		remove_all();
		return;
	}
	g1 = mdk_group_id(u1);
	g2 = mdk_group_id(u2);
	r = mod_unload("mdk_mtty");
	tap_ok(r == 0, "rmmod with closed devices succeeds (%s)",
	       r ? strerror(errno) : "ok");
	tap_ok(count_mdevs() == 0 &&
	       !mdk_path_exists(pathf("/sys/kernel/iommu_groups/%d", g1)) &&
	       !mdk_path_exists(pathf("/sys/kernel/iommu_groups/%d", g2)),
	       "rmmod removed the devices and their groups %d %d", g1, g2);
	tap_ok(!mdk_path_exists(PARENT_LINK), "rmmod removed the class link");
	tap_ok(sock >= 0 && uevent_seen(sock, devpath, "unregistered", 3000),
	       "uevent change MDEV_STATE=unregistered for %s", devpath);
	r = mod_load("mdk_mtty");
	tap_ok(r == 0, "insmod mdk_mtty again");
	tap_ok(sock >= 0 && uevent_seen(sock, devpath, "registered", 3000),
	       "uevent change MDEV_STATE=registered for %s", devpath);
	tap_ok(avail_is(POOL, POOL / 2), "after reload: available 24/12");
	if (sock >= 0)
		close(sock);
	remove_all();
}

int main(void)
{
	tap_init("sysfs");
	if (count_mdevs() != 0)
		tap_bail("mdev devices exist at the start");

	test_layout();
	test_create();
	test_create_errors();
	test_enospc();
	test_remove_attr();
	test_races();
	test_remove_open();
	test_remove_eintr();
	test_rmmod_open();
	test_rmmod_closed();

	remove_all();
	if (!mod_loaded("mdk_mtty") && mod_load("mdk_mtty"))
		tap_ok(false, "mdk_mtty reloaded at the end");
	tap_ok(count_mdevs() == 0, "no device left behind");
	return tap_done();
}
