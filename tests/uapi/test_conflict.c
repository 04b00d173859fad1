// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_conflict: our modules and the distribution's vfio.ko / mdev.ko.
 *
 * Both stacks want /dev/vfio/vfio (misc minor 196) and the "mdev" bus.
 * Loading ours while the distribution's is loaded must fail cleanly with
 * one explanatory kernel log line, and work again once it is gone:
 *
 *   rmmod ours; insmod distro vfio.ko   -> insmod mdk_vfio.ko fails
 *   insmod distro mdev.ko; rmmod vfio   -> mdk_vfio loads, mdk_mdev fails
 *   rmmod distro mdev; reload ours      -> an mtty device works
 *
 * The distribution's modules are in $MDK_DISTRO, ours in $MDK_MODULES.
 * Whatever fails, the modules are left as at the start: ours loaded, the
 * distribution's not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/vfio.h>
#include "tap.h"
#include "mdk_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Ours in load order; the distribution's in unload order. */
static const char *const ours[] = {
	"mdk_iommu", "mdk_vfio", "mdk_mdev", "mdk_mtty", "mdk_pintest",
	"mdk_mdma",
};

static const char *const distro[] = { "mdev", "vfio_iommu_type1", "vfio" };

#define NR_OURS ARRAY_SIZE(ours)
#define NR_DISTRO ARRAY_SIZE(distro)

#define VFIO_BUSY_MSG "mdk_vfio: /dev/vfio/vfio is already provided"
#define MDEV_BUSY_MSG "mdk_mdev: the mdev bus is already registered"

static const char *mod_dir, *distro_dir;

static bool mod_loaded(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	bool found = false;
	FILE *f;

	f = fopen("/proc/modules", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

/* insmod DIR/NAME.ko through finit_module(2): 0 or -errno. */
static int mod_load(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* rmmod through delete_module(2), retrying briefly while in use. */
static int mod_unload(const char *name)
{
	int i, ret = 0;

	for (i = 0; i < 50; i++) {
		ret = syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(20000);
	}
	return ret;
}

/* /dev/kmsg, positioned after the last record so far. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Count the records logged since kmsg_open() whose text contains @needle;
 * every record from @module (its name followed by ':') is echoed as a
 * diagnostic. Closes @fd. -1 when the log cannot be read.
 */
static int kmsg_count(int fd, const char *needle, const char *module)
{
	char rec[8192], *text, *nl;
	int n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	for (;;) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (r <= 0)
			break;
		rec[r] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(text, needle))
			n++;
		if (strstr(text, module))
			tap_diag("  kernel: %s", text);
	}
	close(fd);
	return n;
}

/* Whatever happened: distribution modules out, all of ours in. */
static void restore(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < NR_DISTRO; i++) {
		if (!mod_loaded(distro[i]))
			continue;
		ret = mod_unload(distro[i]);
		if (ret)
			tap_diag("cleanup: rmmod %s: %s", distro[i],
				 strerror(-ret));
	}
	for (i = 0; i < NR_OURS; i++) {
		if (mod_loaded(ours[i]))
			continue;
		ret = mod_load(mod_dir, ours[i]);
		if (ret)
			tap_diag("cleanup: insmod %s: %s", ours[i],
				 strerror(-ret));
	}
}

/* Load @name from @dir expecting failure with -EBUSY and one log line. */
static bool refused(const char *dir, const char *name, const char *msg)
{
	int kfd, ret, n;

	kfd = kmsg_open();
	ret = mod_load(dir, name);
	n = kmsg_count(kfd, msg, name);
	if (!tap_ok(ret == -EBUSY, "insmod %s fails with EBUSY", name))
		tap_diag("  finit_module: %d (%s)", ret, strerror(-ret));
	if (!tap_ok(n == 1, "insmod %s logs one \"%s\" line", name, msg))
		tap_diag("  %d matching lines", n);
	if (!tap_ok(!mod_loaded(name), "%s is not loaded after the refusal",
		    name))
		return false;
	return ret == -EBUSY;
}

/* A container on /dev/vfio/vfio answers GET_API_VERSION. */
static bool container_works(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION;
	close(fd);
	return ok;
}

static bool run(void)
{
	unsigned int i;
	int ret;

	for (i = NR_OURS; i-- > 0;) {
		ret = mod_unload(ours[i]);
		if (!tap_ok(!ret && !mod_loaded(ours[i]), "rmmod %s", ours[i])) {
			tap_diag("  delete_module: %s", strerror(-ret));
			return false;
		}
	}
	tap_ok(!mdk_path_exists("/dev/vfio/vfio"),
	       "/dev/vfio/vfio gone with mdk_vfio");
	/* mdk_vfio needs mdk_iommu, which has no conflict of its own. */
	ret = mod_load(mod_dir, ours[0]);
	if (!tap_ok(!ret, "insmod %s", ours[0])) {
		tap_diag("  finit_module: %s", strerror(-ret));
		return false;
	}

	ret = mod_load(distro_dir, "vfio");
	if (!tap_ok(!ret, "insmod the distribution's vfio.ko")) {
		tap_diag("  finit_module: %s", strerror(-ret));
		return false;
	}
	if (!refused(mod_dir, "mdk_vfio", VFIO_BUSY_MSG))
		return false;
	tap_ok(container_works(), "the distribution's container still works");

	ret = mod_load(distro_dir, "mdev");
	if (!tap_ok(!ret, "insmod the distribution's mdev.ko")) {
		tap_diag("  finit_module: %s", strerror(-ret));
		return false;
	}
	ret = mod_unload("vfio");
	if (!tap_ok(!ret, "rmmod the distribution's vfio")) {
		tap_diag("  delete_module: %s", strerror(-ret));
		return false;
	}
	ret = mod_load(mod_dir, "mdk_vfio");
	if (!tap_ok(!ret, "insmod mdk_vfio once the distribution's vfio left")) {
		tap_diag("  finit_module: %s", strerror(-ret));
		return false;
	}
	tap_ok(container_works(), "mdk_vfio's container works");
	if (!refused(mod_dir, "mdk_mdev", MDEV_BUSY_MSG))
		return false;
	tap_ok(container_works(), "mdk_vfio unaffected by the mdk_mdev refusal");

	ret = mod_unload("mdev");
	if (!tap_ok(!ret, "rmmod the distribution's mdev")) {
		tap_diag("  delete_module: %s", strerror(-ret));
		return false;
	}
	for (i = 0; i < NR_OURS; i++) {
		if (mod_loaded(ours[i]))
			continue;
		ret = mod_load(mod_dir, ours[i]);
		if (!tap_ok(!ret, "insmod %s again", ours[i])) {
			tap_diag("  finit_module: %s", strerror(-ret));
			return false;
		}
	}
	return true;
}

static void mtty_works(void)
{
	char uuid[37] = "", path[PATH_MAX];
	int ret;

	ret = mdk_create(MTTY_PARENT, "mtty-1", uuid);
	if (!tap_ok(!ret, "mtty device created after the reload")) {
		tap_diag("  create: %s", strerror(-ret));
		return;
	}
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	tap_ok(mdk_path_exists(path), "the device is on the mdev bus");
	TAP_ZERO(mdk_remove(uuid), "mtty device removed");
	tap_ok(!mdk_path_exists(path), "the device is gone");
}

int main(void)
{
	unsigned int i;
	bool all_ours = true;

	tap_init("conflict");
	mod_dir = getenv("MDK_MODULES");
	distro_dir = getenv("MDK_DISTRO");
	if (!mod_dir || !distro_dir)
		tap_bail("MDK_MODULES and MDK_DISTRO must be set");
	for (i = 0; i < NR_OURS; i++)
		all_ours &= mod_loaded(ours[i]);
	if (!tap_ok(all_ours, "all of our modules loaded at the start"))
		return tap_done();

	if (run())
		mtty_works();
	restore();

	all_ours = true;
	for (i = 0; i < NR_OURS; i++)
		all_ours &= mod_loaded(ours[i]);
	for (i = 0; i < NR_DISTRO; i++)
		all_ours &= !mod_loaded(distro[i]);
	tap_ok(all_ours, "modules left as at the start");
	return tap_done();
}
