// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mdk command-line tool (tools/, found on PATH or at $MDK_TOOL) against
 * the real mdev/VFIO stack with the mtty sample: every command, its output
 * (text and JSON) and its documented exit codes (mdk(1)): 0 ok, 1 usage,
 * 2 not found, 3 refused by the kernel.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "tap.h"
#include "mdk_test.h"

#define MAX_DEVS	64

static char tool[PATH_MAX];
static char out[65536], err[4096];
static char created[MAX_DEVS][37];	/* removed at the end, if still there */
static unsigned int nr_created;

/* ---- running mdk --------------------------------------------------- */

static bool find_tool(void)
{
	const char *env = getenv("MDK_TOOL"), *path = getenv("PATH");
	char dirs[4096], *dir, *save;

	if (env && *env) {
		snprintf(tool, sizeof(tool), "%s", env);
		return access(tool, X_OK) == 0;
	}
	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(tool, sizeof(tool), "%s/mdk", dir);
		if (access(tool, X_OK) == 0)
			return true;
	}
	return false;
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Run mdk with the NULL-terminated arguments; output in out/err.
 * Returns the exit status, or -1 when it did not exit normally.
 */
static int mdk(const char *arg, ...)
{
	char *argv[12] = { (char *)"mdk" };
	char opath[] = "/tmp/mdk-out.XXXXXX", epath[] = "/tmp/mdk-err.XXXXXX";
	int ofd = mkstemp(opath), efd = mkstemp(epath), status, n = 1;
	va_list ap;
	pid_t pid;

	if (ofd < 0 || efd < 0)
		tap_bail("mkstemp: %s", strerror(errno));
	unlink(opath);
	unlink(epath);
	va_start(ap, arg);
	for (const char *a = arg; a && n < 11; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(tool, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		tap_bail("fork/wait: %s", strerror(errno));
	slurp(ofd, out, sizeof(out));
	slurp(efd, err, sizeof(err));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool rc_is(int rc, int want)
{
	if (rc != want)
		tap_diag("  exit %d, want %d\n# stdout: %.2000s\n# stderr: %s",
			 rc, want, out, err);
	return rc == want;
}

/* stderr is exactly one line "mdk: ...", containing @s. */
static bool one_line(const char *s)
{
	char *nl = strchr(err, '\n');
	bool ok = !strncmp(err, "mdk: ", 5) && nl && !nl[1] && strstr(err, s);

	if (!ok)
		tap_diag("  stderr \"%s\" is not one line with \"%s\"", err, s);
	return ok;
}

static bool out_has(const char *s)
{
	if (strstr(out, s))
		return true;
	tap_diag("  \"%s\" missing from:\n%.3000s", s, out);
	return false;
}

static void track(const char *uuid)
{
	if (nr_created < MAX_DEVS)
		snprintf(created[nr_created++], 37, "%s", uuid);
}

static bool exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return mdk_path_exists(path);
}

static bool is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* ---- a minimal JSON reader ------------------------------------------
 * Checks the syntax and flattens the document into "path=value" lines,
 * e.g. "[0].types[1].available_instances=24", strings unquoted.
 */
struct jp {
	const char *p;
	char *flat;
	size_t len, cap;
};

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static void jp_emit(struct jp *j, const char *path, const char *v, size_t n)
{
	int w = snprintf(j->flat + j->len, j->cap - j->len, "%s=%.*s\n", path,
			 (int)n, v);

	if (w > 0 && (size_t)w < j->cap - j->len)
		j->len += w;
}

/* A string at j->p into @buf (escapes kept as is). */
static bool jp_string(struct jp *j, char *buf, size_t len)
{
	size_t n = 0;

	if (*j->p++ != '"')
		return false;
	while (*j->p && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return false;
		if (*j->p == '\\' && !*++j->p)
			return false;
		if (n + 1 < len)
			buf[n++] = *j->p;
		j->p++;
	}
	buf[n] = '\0';
	return *j->p++ == '"';
}

static bool jp_value(struct jp *j, const char *path, int depth)
{
	char sub[512], str[1024];
	const char *start;
	int i = 0;

	if (depth > 16)
		return false;
	jp_ws(j);
	switch (*j->p) {
	case '{':
		j->p++;
		jp_ws(j);
		if (*j->p == '}')
			return j->p++, true;
		do {
			jp_ws(j);
			if (!jp_string(j, str, sizeof(str)))
				return false;
			jp_ws(j);
			if (*j->p++ != ':')
				return false;
			if (snprintf(sub, sizeof(sub), "%s.%s", path, str) >=
			    (int)sizeof(sub) || !jp_value(j, sub, depth + 1))
				return false;
			jp_ws(j);
		} while (*j->p == ',' && j->p++);
		return *j->p++ == '}';
	case '[':
		j->p++;
		jp_ws(j);
		if (*j->p == ']')
			return j->p++, true;
		do {
			if (snprintf(sub, sizeof(sub), "%s[%d]", path, i++) >=
			    (int)sizeof(sub) || !jp_value(j, sub, depth + 1))
				return false;
			jp_ws(j);
		} while (*j->p == ',' && j->p++);
		return *j->p++ == ']';
	case '"':
		if (!jp_string(j, str, sizeof(str)))
			return false;
		jp_emit(j, path, str, strlen(str));
		return true;
	}
	start = j->p;
	if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		j->p += 4;
	else if (!strncmp(j->p, "false", 5))
		j->p += 5;
	else
		while (*j->p == '-' || isdigit((unsigned char)*j->p))
			j->p++;
	if (j->p == start)
		return false;
	jp_emit(j, path, start, j->p - start);
	return true;
}

static char flat[65536];

/* Parse @doc into flat[]; false on a syntax error. */
static bool json_flatten(const char *doc)
{
	struct jp j = { doc, flat, 0, sizeof(flat) };
	bool ok;

	flat[0] = '\0';
	ok = jp_value(&j, "", 0);
	jp_ws(&j);
	return ok && !*j.p;
}

/* Does the flattened document have the line "@path=@value"? */
static bool flat_has(const char *path, const char *value)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s=%s\n", path, value);
	if (!strncmp(flat, line, strlen(line)))
		return true;
	snprintf(line, sizeof(line), "\n%s=%s\n", path, value);
	if (strstr(flat, line))
		return true;
	tap_diag("  %s=%s missing", path, value);
	return false;
}

/* The "[i]" prefix of the array element whose @key is @value, or NULL. */
static const char *flat_find(const char *prefix, const char *key,
			     const char *value)
{
	static char found[256];
	char line[512];

	for (int i = 0; i < 64; i++) {
		snprintf(found, sizeof(found), "%s[%d]", prefix, i);
		snprintf(line, sizeof(line), "%s.%s=%s\n", found, key, value);
		if (strstr(flat, line))
			return found;
	}
	return NULL;
}

/* ---- the cases -------------------------------------------------------- */

static void test_types(void)
{
	long a1 = mdk_available(MTTY_PARENT, "mtty-1");
	long a2 = mdk_available(MTTY_PARENT, "mtty-2");
	char want[256], num[32], path[300];
	const char *t;

	tap_ok(rc_is(mdk("--version", NULL), 0) &&
	       !strncmp(out, "mdk (mdevkit) ", 14), "version");
	tap_ok(rc_is(mdk("types", NULL), 0) && out_has("mtty\n") &&
	       (snprintf(want, sizeof(want), "  mtty-1\n    name: ") &&
		out_has(want)) &&
	       (snprintf(want, sizeof(want), "    available_instances: %ld\n"
			 "    device_api: vfio-pci\n", a1), out_has(want)) &&
	       out_has("  mtty-2\n"), "types lists mtty-1/2 with availability");
	tap_ok(rc_is(mdk("types", "mtty", "--json", NULL), 0) &&
	       json_flatten(out), "types --json parses");
	t = flat_find("[0].types", "type", "mtty-1");
	snprintf(num, sizeof(num), "%ld", a1);
	snprintf(path, sizeof(path), "%s.available_instances", t ? t : "?");
	tap_ok(flat_has("[0].parent", "mtty") && t && flat_has(path, num) &&
	       (snprintf(path, sizeof(path), "%s.device_api", t),
		flat_has(path, "vfio-pci")) &&
	       (snprintf(path, sizeof(path), "%s.name=", t),
		strstr(flat, path)) &&
	       (snprintf(path, sizeof(path), "%s.description=", t),
		strstr(flat, path)),
	       "types --json: mtty-1 has every field");
	t = flat_find("[0].types", "type", "mtty-2");
	snprintf(num, sizeof(num), "%ld", a2);
	snprintf(path, sizeof(path), "%s.available_instances", t ? t : "?");
	tap_ok(t && flat_has(path, num), "types --json: mtty-2 availability");
	tap_ok(rc_is(mdk("types", "no-such-parent", NULL), 2) &&
	       one_line("no-such-parent: No such file or directory"),
	       "types of an unknown parent: exit 2");
	tap_ok(rc_is(mdk("types", "--bogus", NULL), 1) &&
	       one_line("unknown option"), "unknown option: exit 1");
}

/* Fill the mtty port pool with mtty-1 devices, check ENOSPC, free it. */
static void test_enospc(void)
{
	char fill[MAX_DEVS][37];
	long avail = mdk_available(MTTY_PARENT, "mtty-1");
	int n = 0;

	if (avail < 0 || avail > MAX_DEVS) {
		tap_ok(false, "create beyond the pool: exit 3 (pool %ld)",
		       avail);
		return;
	}
	for (; n < avail; n++) {
		fill[n][0] = '\0';
		if (mdk_create(MTTY_PARENT, "mtty-1", fill[n]))
			break;
	}
	tap_ok(rc_is(mdk("create", "mtty", "mtty-1", NULL), 3) &&
	       one_line("/mdev_supported_types/mtty-1/create: No space left "
			"on device"), "create beyond the pool: exit 3, ENOSPC");
	while (n--)
		mdk_remove(fill[n]);
}

static void test_create(char dev2[37], char dev1[37])
{
	char upper[37], want[64];

	tap_ok(rc_is(mdk("create", "mtty", "mtty-2", NULL), 0) &&
	       strlen(out) == 37 && out[36] == '\n' && is_uuid(out),
	       "create without --uuid prints a new UUID");
	snprintf(dev2, 37, "%.36s", out);
	if (is_uuid(dev2))
		track(dev2);
	tap_ok(exists(dev2), "create without --uuid: the device exists");

	mdk_uuid_gen(dev1);
	for (int i = 0; i < 37; i++)
		upper[i] = toupper((unsigned char)dev1[i]);
	snprintf(want, sizeof(want), "%s\n", dev1);
	tap_ok(rc_is(mdk("create", "mtty", "mtty-1", "--uuid", upper, NULL), 0)
	       && !strcmp(out, want),
	       "create --uuid (upper case) prints it in lower case");
	track(dev1);
	tap_ok(exists(dev1), "create --uuid: the device exists");

	tap_ok(rc_is(mdk("create", "mtty", "mtty-1", "--uuid", dev1, NULL), 3)
	       && one_line("File exists"), "create an existing UUID: exit 3");
	tap_ok(rc_is(mdk("create", "mtty", "mtty-1", "--uuid",
			 "12345678-1234-1234-1234-12345678901z", NULL), 1) &&
	       one_line("invalid UUID") && !*out,
	       "create with a bad UUID: exit 1");
	tap_ok(rc_is(mdk("create", "no-such-parent", "mtty-1", NULL), 2) &&
	       one_line("mdev_bus/no-such-parent: No such file"),
	       "create on an unknown parent: exit 2");
	tap_ok(rc_is(mdk("create", "mtty", "mtty-9", NULL), 2) &&
	       one_line("mdev_supported_types/mtty-9: No such file"),
	       "create of an unknown type: exit 2");
	tap_ok(rc_is(mdk("create", "mtty", NULL), 1) &&
	       one_line("missing argument"), "create without TYPE: exit 1");
	test_enospc();
}

static void test_list(const char *dev2)
{
	char want[128], group[16];
	const char *d;

	snprintf(group, sizeof(group), "%d", mdk_group_id(dev2));
	snprintf(want, sizeof(want), "%s mtty mtty-2 %s\n", dev2, group);
	tap_ok(rc_is(mdk("list", NULL), 0) && out_has(want),
	       "list shows uuid, parent, type and group");
	tap_ok(rc_is(mdk("list", "--json", NULL), 0) && json_flatten(out),
	       "list --json parses");
	d = flat_find("", "uuid", dev2);
	snprintf(want, sizeof(want), "%s.parent", d ? d : "?");
	tap_ok(d && flat_has(want, "mtty") &&
	       (snprintf(want, sizeof(want), "%s.type", d),
		flat_has(want, "mtty-2")) &&
	       (snprintf(want, sizeof(want), "%s.iommu_group", d),
		flat_has(want, group)),
	       "list --json: the device with parent, type and group");
}

static void test_info(const char *dev2)
{
	struct mdk_vfio v;
	int ret;

	tap_ok(rc_is(mdk("info", dev2, NULL), 0), "info: exit 0");
	tap_ok(out_has("Flags: ") && out_has("PCI"), "info: device flags");
	tap_ok(out_has("[0] BAR0: size 8,") && out_has("[1] BAR1: size 8,"),
	       "info: BAR0 and BAR1 of 8 bytes");
	tap_ok(out_has("[7] CONFIG: size 256,"), "info: config region 256");
	tap_ok(out_has("[0] INTX: count 1, flags 0x7 "
		       "(EVENTFD|MASKABLE|AUTOMASKED)"), "info: INTx count 1");
	tap_ok(out_has("[1] MSI: count 1,"), "info: MSI index");
	tap_ok(out_has("[4348:3253] (rev 10)"), "info: 4348:3253 rev 10");
	if (access("/usr/share/misc/pci.ids", R_OK) == 0)
		tap_ok(out_has("Serial controller [0700]: WCH.CN CH352"),
		       "info: names from pci.ids");
	else
		tap_diag("no pci.ids in the guest: names not checked");
	tap_ok(out_has("Region 0: I/O ports at") &&
	       out_has("Interrupt: pin A"), "info: BARs and interrupt pin");
	tap_ok(out_has("Capabilities: [60] MSI: Enable- Count=1/1"),
	       "info: MSI capability");

	ret = mdk_vfio_open(dev2, &v);
	if (ret) {
		tap_ok(false, "info of a device in use: exit 3 (open: %s)",
		       strerror(-ret));
	} else {
		tap_ok(rc_is(mdk("info", dev2, NULL), 3) &&
		       one_line("Device or resource busy"),
		       "info of a device in use: exit 3");
		mdk_vfio_close(&v);
	}
	tap_ok(rc_is(mdk("info", "2f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d", NULL),
		     2) && one_line("No such file or directory"),
	       "info of a nonexistent device: exit 2");
	tap_ok(rc_is(mdk("info", "not-a-uuid", NULL), 1) &&
	       one_line("invalid UUID"), "info with a bad UUID: exit 1");
}

static void test_remove(const char *dev2, const char *dev1)
{
	tap_ok(rc_is(mdk("remove", dev2, NULL), 0) && !*out && !*err &&
	       !exists(dev2), "remove: the device is gone");
	tap_ok(rc_is(mdk("remove", dev2, NULL), 2) &&
	       one_line("No such file or directory"), "remove again: exit 2");
	tap_ok(rc_is(mdk("remove", dev1, NULL), 0) && !exists(dev1),
	       "remove the second device");
	tap_ok(rc_is(mdk("list", NULL), 0) && !strstr(out, dev1) &&
	       !strstr(out, dev2), "list no longer shows them");
}

int main(void)
{
	char dev2[37] = "", dev1[37] = "";

	tap_init("tool");
	if (!find_tool())
		tap_bail("mdk not found on PATH (nor $MDK_TOOL)");
	tap_diag("using %s", tool);
	test_types();
	test_create(dev2, dev1);
	test_list(dev2);
	test_info(dev2);
	test_remove(dev2, dev1);
	for (unsigned int i = 0; i < nr_created; i++)
		if (exists(created[i]))
			mdk_remove(created[i]);
	return tap_done();
}
