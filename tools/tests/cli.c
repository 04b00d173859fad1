// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk host unit tests: the command line, run against a fake sysfs tree
 * (MDK_SYSFS) that mimics an mtty parent with one device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "unit.h"

#define DEV	"0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d"
#define PARENT	"devices/virtual/mtty/mtty"
#define TYPES	PARENT "/mdev_supported_types"

static char root[64];
static char out[16384], err[4096];

static void put(const char *rel, const char *content)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		tap_bail("fake sysfs: %s: %s", path, strerror(errno));
	close(fd);
}

static void get(const char *rel, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		tap_bail("fake sysfs: mkdir %s: %s", path, strerror(errno));
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		tap_bail("fake sysfs: symlink %s: %s", path, strerror(errno));
}

static void fake_type(const char *id, const char *name, const char *avail)
{
	char rel[256];

	snprintf(rel, sizeof(rel), TYPES "/%s", id);
	dir(rel);
	snprintf(rel, sizeof(rel), TYPES "/%s/name", id);
	put(rel, name);
	snprintf(rel, sizeof(rel), TYPES "/%s/available_instances", id);
	put(rel, avail);
	snprintf(rel, sizeof(rel), TYPES "/%s/device_api", id);
	put(rel, "vfio-pci\n");
	snprintf(rel, sizeof(rel), TYPES "/%s/create", id);
	put(rel, "");
}

static void fake_sysfs(void)
{
	static const char *const dirs[] = {
		"class", "class/mdev_bus", "bus", "bus/mdev",
		"bus/mdev/devices", "kernel", "kernel/iommu_groups",
		"kernel/iommu_groups/7", "devices", "devices/virtual",
		"devices/virtual/mtty", PARENT, TYPES, PARENT "/" DEV,
	};

	snprintf(root, sizeof(root), "/tmp/mdk-unit-sys.XXXXXX");
	if (!mkdtemp(root))
		tap_bail("fake sysfs: mkdtemp: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		dir(dirs[i]);
	link_to("../../" PARENT, "class/mdev_bus/mtty");
	fake_type("mtty-1", "Single port serial\n", "24\n");
	fake_type("mtty-2", "Dual port serial\n", "11\n");
	put(TYPES "/mtty-2/description", "Two 16550 ports\n");
	/* create -> /dev/full: every write fails with ENOSPC. */
	dir(TYPES "/full");
	put(TYPES "/full/name", "Always full\n");
	link_to("/dev/full", TYPES "/full/create");
	link_to("../mdev_supported_types/mtty-2", PARENT "/" DEV "/mdev_type");
	link_to("../../../../kernel/iommu_groups/7",
		PARENT "/" DEV "/iommu_group");
	put(PARENT "/" DEV "/remove", "");
	link_to("../../../" PARENT "/" DEV, "bus/mdev/devices/" DEV);
	setenv("MDK_SYSFS", root, 1);
}

/* Run mdk with the NULL-terminated arguments; stdout/stderr land in
 * out/err. Returns the exit status, or -1 when it did not exit.
 */
static int mdk(const char *bin, ...)
{
	char *argv[16], opath[128], epath[128];
	int status, fd, n = 0;
	va_list ap;
	pid_t pid;

	argv[n++] = (char *)"mdk";
	va_start(ap, bin);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	snprintf(opath, sizeof(opath), "%s/.out", root);
	snprintf(epath, sizeof(epath), "%s/.err", root);
	pid = fork();
	if (pid == 0) {
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execv(bin, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	get(".out", out, sizeof(out));
	get(".err", err, sizeof(err));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Exactly one line on stderr that contains @s. */
static bool one_line(const char *s)
{
	char *nl = strchr(err, '\n');

	if (!strstr(err, s) || !nl || nl[1] || strncmp(err, "mdk: ", 5)) {
		tap_diag("  stderr: %s", err);
		return false;
	}
	return true;
}

static bool rc_is(int rc, int want)
{
	if (rc != want)
		tap_diag("  exit %d, want %d; stdout:\n%s\n# stderr:\n%s", rc,
			 want, out, err);
	return rc == want;
}

static void test_cli_usage(const char *bin)
{
	tap_ok(rc_is(mdk(bin, "--version", NULL), 0) &&
	       !strncmp(out, "mdk (mdevkit) ", 14), "cli: --version");
	tap_ok(rc_is(mdk(bin, "--help", NULL), 0) && strstr(out, "create") &&
	       strstr(out, "Exit status"), "cli: --help");
	tap_ok(rc_is(mdk(bin, "create", "--help", NULL), 0) &&
	       strstr(out, "--uuid UUID"), "cli: create --help");
	tap_ok(rc_is(mdk(bin, "help", "types", NULL), 0) &&
	       strstr(out, "--json"), "cli: help types");
	tap_ok(rc_is(mdk(bin, NULL), 1) && one_line("missing command"),
	       "cli: no command is a usage error");
	tap_ok(rc_is(mdk(bin, "frobnicate", NULL), 1) &&
	       one_line("unknown command 'frobnicate'"),
	       "cli: unknown command");
	tap_ok(rc_is(mdk(bin, "list", "--uuid", DEV, NULL), 1) &&
	       one_line("unknown option '--uuid'"),
	       "cli: option of another command refused");
	tap_ok(rc_is(mdk(bin, "create", "mtty", NULL), 1) &&
	       one_line("missing argument"), "cli: create without TYPE");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "mtty-1", "--uuid", NULL), 1)
	       && one_line("needs an argument"), "cli: --uuid without value");
	tap_ok(rc_is(mdk(bin, "remove", DEV, "extra", NULL), 1) &&
	       one_line("unexpected argument 'extra'"),
	       "cli: extra argument refused");
}

static void test_cli_types(const char *bin)
{
	struct json_object *doc, *t, *v;

	tap_ok(rc_is(mdk(bin, "types", NULL), 0) &&
	       strstr(out, "mtty\n  full\n") &&
	       strstr(out, "  mtty-1\n    name: Single port serial\n"
		      "    available_instances: 24\n    device_api: vfio-pci\n")
	       && strstr(out, "    description: Two 16550 ports\n"),
	       "cli: types lists the fake parent");
	tap_ok(rc_is(mdk(bin, "types", "mtty", "--json", NULL), 0),
	       "cli: types --json");
	doc = json_tokener_parse(out);
	t = json_object_array_get_idx(doc, 0);
	t = json_object_object_get_ex(t, "types", &v) ?
		json_object_array_get_idx(v, 2) : NULL;
	tap_ok(json_object_object_get_ex(t, "type", &v) &&
	       !strcmp(json_object_get_string(v), "mtty-2") &&
	       json_object_object_get_ex(t, "available_instances", &v) &&
	       json_object_get_int(v) == 11, "cli: types --json parses");
	json_object_put(doc);
	tap_ok(rc_is(mdk(bin, "types", "nope", NULL), 2) &&
	       one_line("/class/mdev_bus/nope: No such file or directory"),
	       "cli: types of an unknown parent");
}

static void test_cli_devices(const char *bin)
{
	char buf[128];

	tap_ok(rc_is(mdk(bin, "list", NULL), 0) &&
	       !strcmp(out, DEV " mtty mtty-2 7\n"), "cli: list");
	tap_ok(rc_is(mdk(bin, "list", "-j", NULL), 0) &&
	       strstr(out, "\"iommu_group\": 7") &&
	       strstr(out, "\"parent\": \"mtty\"") &&
	       strstr(out, "\"type\": \"mtty-2\""), "cli: list --json");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "mtty-1", "--uuid",
			 "AAAAAAAA-1234-1234-1234-123456789ABC", NULL), 0) &&
	       !strcmp(out, "aaaaaaaa-1234-1234-1234-123456789abc\n"),
	       "cli: create --uuid prints the UUID in lower case");
	get(TYPES "/mtty-1/create", buf, sizeof(buf));
	tap_ok(!strcmp(buf, "aaaaaaaa-1234-1234-1234-123456789abc"),
	       "cli: create wrote the UUID");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "mtty-2", NULL), 0) &&
	       strlen(out) == 37, "cli: create without --uuid");
	get(TYPES "/mtty-2/create", buf, sizeof(buf));
	tap_ok(strlen(buf) == 36 && !strncmp(buf, out, 36),
	       "cli: create wrote the generated UUID");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "mtty-1", "-u", "nope", NULL),
		     1) && one_line("invalid UUID 'nope'"),
	       "cli: create with a bad UUID");
	tap_ok(rc_is(mdk(bin, "create", "nope", "mtty-1", NULL), 2) &&
	       one_line("/class/mdev_bus/nope: No such file"),
	       "cli: create on an unknown parent");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "mtty-9", NULL), 2) &&
	       one_line("mdev_supported_types/mtty-9: No such file"),
	       "cli: create of an unknown type");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "../mtty", NULL), 2),
	       "cli: create with a path as type");
	tap_ok(rc_is(mdk(bin, "create", "mtty", "full", NULL), 3) &&
	       one_line("full/create: No space left on device"),
	       "cli: create refused by the kernel");
	tap_ok(rc_is(mdk(bin, "remove", DEV, NULL), 0) && !*out && !*err,
	       "cli: remove");
	get(PARENT "/" DEV "/remove", buf, sizeof(buf));
	tap_ok(!strcmp(buf, "1"), "cli: remove wrote 1");
	tap_ok(rc_is(mdk(bin, "remove", "1f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d",
			 NULL), 2) && one_line("No such file or directory"),
	       "cli: remove of an unknown device");
	tap_ok(rc_is(mdk(bin, "remove", "0f6b3b79", NULL), 1),
	       "cli: remove with a bad UUID");
	tap_ok(rc_is(mdk(bin, "info", "1f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d",
			 NULL), 2) && one_line("No such file or directory"),
	       "cli: info of an unknown device");
}

void test_cli(const char *bin)
{
	char cmd[128];

	/* A sanitizer finding in mdk must not hide behind an expected code. */
	setenv("ASAN_OPTIONS", "exitcode=86", 0);
	setenv("LSAN_OPTIONS", "exitcode=86", 0);
	setenv("UBSAN_OPTIONS", "halt_on_error=1:exitcode=86", 0);
	fake_sysfs();
	test_cli_usage(bin);
	test_cli_types(bin);
	test_cli_devices(bin);
	setenv("MDK_SYSFS", "/nonexistent", 1);
	tap_ok(rc_is(mdk(bin, "list", NULL), 0) && !*out,
	       "cli: list without the mdev bus is empty");
	tap_ok(rc_is(mdk(bin, "types", "--json", NULL), 0) &&
	       !strcmp(out, "[]\n"), "cli: types --json without parents");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", root);
}
