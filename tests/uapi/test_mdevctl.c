// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debian's mdevctl (a Rust program that only reads and writes sysfs and
 * /etc/mdevctl.d) driving mdk_mtty in the test VM: types, start/stop by
 * parent+type and by UUID, list, define/undefine, its error messages,
 * and the autostart path that its udev rule runs on MDEV_STATE=registered.
 *
 * Needs mdevctl in PATH: scripts/mkroot-mdevctl.sh builds the tree that
 * `scripts/vm-run.sh -x build/mdevctl-root` copies into the guest.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "tap.h"
#include "mdk_test.h"

#define CONF_DIR	"/etc/mdevctl.d/" MTTY_PARENT
#define OUT_MAX		(64 * 1024)
#define MAX_UUIDS	32

/* ---- running mdevctl ---------------------------------------------- */

/* The result of the last run(): exit status (-1: killed) and output. */
static struct {
	int rc;
	char out[OUT_MAX], err[OUT_MAX];
	size_t nout, nerr;
} last;

static void drain(int fd, char *buf, size_t *n, bool *open)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof(tmp));
	size_t room = OUT_MAX - 1 - *n;

	if (r <= 0) {
		*open = false;
		return;
	}
	if ((size_t)r > room)
		r = room;
	memcpy(buf + *n, tmp, r);
	*n += r;
	buf[*n] = '\0';
}

/* Run @prog with the NULL-terminated arguments; output lands in last. */
static int run(const char *prog, ...)
{
	const char *argv[16] = { prog };
	int po[2], pe[2], st, i = 1;
	bool oo = true, eo = true;
	va_list ap;
	pid_t pid;

	va_start(ap, prog);
	while (i < 15 && (argv[i] = va_arg(ap, const char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	memset(&last, 0, sizeof(last));
	last.rc = -1;
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execvp(prog, (char **)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (pid > 0 && (oo || eo)) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (oo && p[0].revents)
			drain(po[0], last.out, &last.nout, &oo);
		if (eo && p[1].revents)
			drain(pe[0], last.err, &last.nerr, &eo);
	}
	close(po[0]);
	close(pe[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		last.rc = WEXITSTATUS(st);
	return last.rc;
}

#define MDEVCTL(...)	run("mdevctl", __VA_ARGS__, NULL)

static void show_last(void)
{
	char *line, *save, *copy;
	int s;

	tap_diag("  exit status %d", last.rc);
	for (s = 0; s < 2; s++) {
		copy = strdup(s ? last.err : last.out);
		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			tap_diag("  %s %s", s ? "stderr:" : "stdout:", line);
		free(copy);
	}
}

/* A case about the last run: on failure show its status and output. */
static bool check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool check(bool cond, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!cond)
		show_last();
	return tap_ok(cond, "%s", name);
}

/* A failed command whose stderr names the reason. */
static bool failed_with(const char *msg)
{
	return last.rc > 0 && strstr(last.err, msg);
}

static bool blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (!p[n] || p[n] == '\n'))
			return true;
	return false;
}

/*
 * The lines under the line "<indent spaces><head>" that are indented
 * deeper, as a new string (NULL when the head line is missing).
 */
static char *block(const char *text, const char *head, int indent)
{
	const char *p, *end, *nl;
	char want[128];

	snprintf(want, sizeof(want), "%*s%s", indent, "", head);
	for (p = text; (p = strstr(p, want)); p++)
		if ((p == text || p[-1] == '\n') && p[strlen(want)] == '\n')
			break;
	if (!p)
		return NULL;
	p += strlen(want) + 1;
	for (end = p; *end && (int)strspn(end, " ") > indent;) {
		nl = strchr(end, '\n');
		end = nl ? nl + 1 : end + strlen(end);
	}
	return strndup(p, end - p);
}

/* ---- a small strict JSON parser (RFC 8259) ------------------------ */

struct jv {
	enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } t;
	char *key;		/* member name inside an object */
	char *s;		/* J_STR, decoded; \u escapes become '?' */
	double n;		/* J_NUM */
	struct jv *kid, *next;	/* J_ARR/J_OBJ elements, in order */
};

static void jfree(struct jv *v)
{
	while (v) {
		struct jv *next = v->next;

		jfree(v->kid);
		free(v->key);
		free(v->s);
		free(v);
		v = next;
	}
}

static void jws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static char *jstring(const char **pp)
{
	const char *p = *pp + 1;
	char *out = malloc(strlen(p) + 1), *o = out;
	int i;

	while (out) {
		unsigned char c = *p++;

		if (c == '"')
			break;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *p++;
		if (c && strchr("\"\\/", c)) {
			*o++ = c;
		} else if (c && strchr("bfnrt", c)) {
			*o++ = "\b\f\n\r\t"[strchr("bfnrt", c) - "bfnrt"];
		} else if (c == 'u') {
			for (i = 0; i < 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					goto bad;
			p += 4;
			*o++ = '?';
		} else {
			goto bad;
		}
	}
	if (out) {
		*o = '\0';
		*pp = p;
	}
	return out;
bad:
	free(out);
	return NULL;
}

static bool jnumber(const char **pp, double *n)
{
	const char *p = *pp;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		p += strspn(p, "0123456789");
	else
		return false;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return false;
		p += strspn(p, "0123456789");
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		p += strspn(p, "0123456789");
	}
	*n = strtod(*pp, NULL);
	*pp = p;
	return true;
}

static struct jv *jvalue(const char **p, int depth);

static struct jv *jcontainer(const char **p, int depth, bool obj)
{
	struct jv *v = calloc(1, sizeof(*v)), **tail = &v->kid, *kid;
	char close = obj ? '}' : ']', *key = NULL;

	if (!v)
		return NULL;
	v->t = obj ? J_OBJ : J_ARR;
	(*p)++;
	jws(p);
	if (**p == close) {
		(*p)++;
		return v;
	}
	for (;;) {
		jws(p);
		if (obj) {
			key = **p == '"' ? jstring(p) : NULL;
			if (!key)
				goto bad;
			jws(p);
			if (**p != ':')
				goto bad;
			(*p)++;
		}
		kid = jvalue(p, depth + 1);
		if (!kid)
			goto bad;
		kid->key = key;
		key = NULL;
		*tail = kid;
		tail = &kid->next;
		jws(p);
		if (**p == close) {
			(*p)++;
			return v;
		}
		if (**p != ',')
			goto bad;
		(*p)++;
	}
bad:
	free(key);
	jfree(v);
	return NULL;
}

static struct jv *jvalue(const char **p, int depth)
{
	static const char *const lit[] = { "null", "false", "true" };
	struct jv *v;
	int i;

	jws(p);
	if (depth > 64)
		return NULL;
	if (**p == '{' || **p == '[')
		return jcontainer(p, depth, **p == '{');
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	if (**p == '"') {
		v->t = J_STR;
		v->s = jstring(p);
		if (v->s)
			return v;
		free(v);
		return NULL;
	}
	if (jnumber(p, &v->n)) {
		v->t = J_NUM;
		return v;
	}
	for (i = 0; i < 3; i++) {
		if (!strncmp(*p, lit[i], strlen(lit[i]))) {
			*p += strlen(lit[i]);
			v->t = i ? J_BOOL : J_NULL;
			v->n = i == 2;
			return v;
		}
	}
	free(v);
	return NULL;
}

/* The whole of @text as one JSON value, or NULL when it is not JSON. */
static struct jv *jparse(const char *text)
{
	const char *p = text;
	struct jv *v = jvalue(&p, 0);

	jws(&p);
	if (v && *p) {
		jfree(v);
		v = NULL;
	}
	return v;
}

static struct jv *jget(const struct jv *obj, const char *key)
{
	struct jv *k;

	if (!obj || obj->t != J_OBJ)
		return NULL;
	for (k = obj->kid; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

/* mdevctl's lists: [ { "<key>": value }, ... ]. The value for @key. */
static struct jv *jlist_get(const struct jv *arr, const char *key)
{
	struct jv *e, *v;

	if (!arr || arr->t != J_ARR)
		return NULL;
	for (e = arr->kid; e; e = e->next) {
		v = jget(e, key);
		if (v)
			return v;
	}
	return NULL;
}

static bool jstr_is(const struct jv *v, const char *s)
{
	return v && v->t == J_STR && !strcmp(v->s, s);
}

/* ---- bookkeeping: whatever this test creates is removed at exit --- */

static char uuids[MAX_UUIDS][37];
static int nuuids;

static const char *new_uuid(void)
{
	if (nuuids == MAX_UUIDS)
		tap_bail("too many UUIDs");
	mdk_uuid_gen(uuids[nuuids]);
	return uuids[nuuids++];
}

static const char *track(const char *uuid)
{
	if (nuuids < MAX_UUIDS)
		snprintf(uuids[nuuids++], 37, "%.36s", uuid);
	return uuid;
}

static bool active(const char *uuid)
{
	char path[128];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%.36s", uuid);
	return mdk_path_exists(path);
}

static bool defined(const char *uuid)
{
	char path[128];

	snprintf(path, sizeof(path), CONF_DIR "/%.36s", uuid);
	return mdk_path_exists(path);
}

/* Active with mdev_type -> .../mdev_supported_types/<type>. */
static bool active_as(const char *uuid, const char *type)
{
	char path[128], link[256];
	ssize_t n;
	char *base;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%.36s/mdev_type", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	return base && !strcmp(base + 1, type);
}

static void cleanup(void)
{
	char path[128];
	int i;

	for (i = 0; i < nuuids; i++) {
		if (active(uuids[i]))
			mdk_remove(uuids[i]);
		snprintf(path, sizeof(path), CONF_DIR "/%.36s", uuids[i]);
		unlink(path);
	}
	rmdir(CONF_DIR);	/* mdevctl leaves it behind; fails if in use */
}

static long avail(const char *type)
{
	return mdk_available(MTTY_PARENT, type);
}

static bool is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) ||
		    !s[i])
			return false;
	}
	return !s[36];
}

/* ---- the cases ---------------------------------------------------- */

static const struct {
	const char *type, *name;
} mtty_types[] = {
	{ "mtty-1", "Single port serial" },
	{ "mtty-2", "Dual port serial" },
};

static void test_types(void)
{
	char *parent = NULL, *blk, want[128];
	struct jv *root, *t, *n;
	unsigned int i;
	bool ok;

	MDEVCTL("types");
	if (last.rc == 0)
		parent = block(last.out, MTTY_PARENT, 0);
	for (i = 0; i < 2; i++) {
		blk = parent ? block(parent, mtty_types[i].type, 2) : NULL;
		snprintf(want, sizeof(want), "    Available instances: %ld",
			 avail(mtty_types[i].type));
		ok = blk && has_line(blk, want) &&
		     has_line(blk, "    Device API: vfio-pci");
		snprintf(want, sizeof(want), "    Name: %s", mtty_types[i].name);
		ok = ok && has_line(blk, want);
		check(ok, "types: %s with instances, API and name",
		      mtty_types[i].type);
		free(blk);
	}
	free(parent);

	MDEVCTL("types", "--dumpjson");
	root = last.rc == 0 ? jparse(last.out) : NULL;
	check(root && root->t == J_ARR, "types --dumpjson: valid JSON");
	for (i = 0; i < 2; i++) {
		t = jlist_get(jlist_get(root, MTTY_PARENT), mtty_types[i].type);
		n = jget(t, "available_instances");
		ok = n && n->t == J_NUM && n->n == avail(mtty_types[i].type);
		ok = ok && jstr_is(jget(t, "device_api"), "vfio-pci") &&
		     jstr_is(jget(t, "name"), mtty_types[i].name);
		check(ok, "types --dumpjson: %s fields", mtty_types[i].type);
	}
	jfree(root);
}

static void test_start_list(void)
{
	long a1 = avail("mtty-1"), a2 = avail("mtty-2");
	const char *u2 = new_uuid();
	char u1[37] = "", l1[80], l2[80];
	struct jv *root, *p;
	bool ok;

	MDEVCTL("start", "-p", MTTY_PARENT, "-t", "mtty-2");
	if (last.rc == 0 && last.nout == 37 && last.out[36] == '\n') {
		snprintf(u1, sizeof(u1), "%.36s", last.out);
		track(u1);
	}
	check(is_uuid(u1), "start -p -t: prints the new UUID");
	check(active_as(u1, "mtty-2"), "start -p -t: device in sysfs as mtty-2");
	check(avail("mtty-1") == a1 - 2 && avail("mtty-2") == a2 - 1,
	      "start -p -t: available instances drop");

	MDEVCTL("start", "-u", u2, "-p", MTTY_PARENT, "-t", "mtty-1");
	check(last.rc == 0 && active_as(u2, "mtty-1"),
	      "start -u -p -t: device in sysfs as mtty-1");
	MDEVCTL("start", "-u", u2, "-p", MTTY_PARENT, "-t", "mtty-1");
	check(failed_with("Device already exists") && active(u2),
	      "start: a running UUID again fails, already exists");

	snprintf(l1, sizeof(l1), "%s %s mtty-2 manual", u1, MTTY_PARENT);
	snprintf(l2, sizeof(l2), "%s %s mtty-1 manual", u2, MTTY_PARENT);
	MDEVCTL("list");
	check(last.rc == 0 && has_line(last.out, l1) && has_line(last.out, l2),
	      "list: both devices with parent and type");
	run("lsmdev", NULL);
	check(last.rc == 0 && has_line(last.out, l1) && has_line(last.out, l2),
	      "lsmdev: lists both devices");

	MDEVCTL("list", "--dumpjson");
	root = last.rc == 0 ? jparse(last.out) : NULL;
	check(root && root->t == J_ARR, "list --dumpjson: valid JSON");
	p = jlist_get(root, MTTY_PARENT);
	ok = jstr_is(jget(jlist_get(p, u1), "mdev_type"), "mtty-2") &&
	     jstr_is(jget(jlist_get(p, u2), "mdev_type"), "mtty-1") &&
	     jstr_is(jget(jlist_get(p, u2), "start"), "manual");
	check(ok, "list --dumpjson: both devices with mdev_type");
	jfree(root);

	MDEVCTL("list", "-d");
	check(last.rc == 0 && blank(last.out), "list -d: empty, nothing defined");
	MDEVCTL("list", "-d", "--dumpjson");
	root = last.rc == 0 ? jparse(last.out) : NULL;
	check(root && root->t == J_ARR && !root->kid,
	      "list -d --dumpjson: empty array");
	jfree(root);

	MDEVCTL("stop", "-u", u1);
	check(last.rc == 0 && !active(u1), "stop -u: removes the mtty-2 device");
	MDEVCTL("stop", "-u", u2);
	check(last.rc == 0 && !active(u2), "stop -u: removes the mtty-1 device");
	check(avail("mtty-1") == a1 && avail("mtty-2") == a2,
	      "stop: available instances restored");
	MDEVCTL("list");
	check(last.rc == 0 && blank(last.out), "list: empty after stop");
	MDEVCTL("stop", "-u", u2);
	check(failed_with("Error removing device"),
	      "stop: a stopped UUID fails");
}

static void test_define(void)
{
	const char *u = new_uuid();
	char line[80], path[128], conf[4096];
	struct jv *root = NULL;

	snprintf(line, sizeof(line), "%s %s mtty-1 manual", u, MTTY_PARENT);
	MDEVCTL("define", "-u", u, "-p", MTTY_PARENT, "-t", "mtty-1");
	check(last.rc == 0 && defined(u), "define: writes " CONF_DIR "/UUID");
	snprintf(path, sizeof(path), CONF_DIR "/%.36s", u);
	if (mdk_read_file(path, conf, sizeof(conf)) > 0)
		root = jparse(conf);
	check(jstr_is(jget(root, "mdev_type"), "mtty-1") &&
	      jstr_is(jget(root, "start"), "manual"),
	      "define: config is JSON with mdev_type and start");
	jfree(root);
	MDEVCTL("list", "-d");
	check(last.rc == 0 && has_line(last.out, line),
	      "list -d: shows the definition");
	MDEVCTL("list");
	check(last.rc == 0 && !strstr(last.out, u) && !active(u),
	      "define: does not start the device");
	MDEVCTL("define", "-u", u, "-p", MTTY_PARENT, "-t", "mtty-1");
	check(failed_with("already defined"), "define: twice fails");

	MDEVCTL("start", "-u", u);
	check(last.rc == 0 && active_as(u, "mtty-1"),
	      "start -u: starts a defined device");
	MDEVCTL("list");
	strcat(line, " (defined)");
	check(last.rc == 0 && has_line(last.out, line),
	      "list: marks a running device as defined");
	MDEVCTL("stop", "-u", u);
	check(last.rc == 0 && !active(u) && defined(u),
	      "stop -u: the device stays defined");
	MDEVCTL("undefine", "-u", u);
	check(last.rc == 0 && !defined(u), "undefine: removes the config");
	MDEVCTL("list", "-d");
	check(last.rc == 0 && blank(last.out), "list -d: empty after undefine");
	MDEVCTL("undefine", "-u", u);
	check(failed_with("No devices match"), "undefine: unknown UUID fails");
}

static void test_errors(void)
{
	char fill[16][37];
	int n0 = mdk_count_dir(MDEV_DEVICES), n = 0, i;
	bool ok;

	MDEVCTL("start", "-p", MTTY_PARENT, "-t", "mtty-9");
	check(failed_with("does not support mdev type") && mdk_count_dir(MDEV_DEVICES) == n0,
	      "start: unknown type fails");
	MDEVCTL("start", "-p", "mdk-no-such-parent", "-t", "mtty-1");
	check(failed_with("Unable to find parent device") && mdk_count_dir(MDEV_DEVICES) == n0,
	      "start: unknown parent fails");

	/* Use up the port pool behind mdevctl's back, then ask for more. */
	while (n < 16 && avail("mtty-2") > 0) {
		fill[n][0] = '\0';
		if (mdk_create(MTTY_PARENT, "mtty-2", fill[n]))
			break;
		track(fill[n++]);
	}
	ok = avail("mtty-1") == 0;
	MDEVCTL("start", "-p", MTTY_PARENT, "-t", "mtty-1");
	check(ok && failed_with("No available instances") &&
	      mdk_count_dir(MDEV_DEVICES) == n0 + n, "start: no instances left fails");
	for (i = 0; i < n; i++)
		mdk_remove(fill[i]);
}

static void test_timing(void)
{
	const char *u = new_uuid();
	uint64_t t0, t1, t2;
	int r1, r2;

	t0 = mdk_now_ms();
	r1 = MDEVCTL("start", "-u", u, "-p", MTTY_PARENT, "-t", "mtty-1");
	t1 = mdk_now_ms();
	r2 = MDEVCTL("stop", "-u", u);
	t2 = mdk_now_ms();
	check(r1 == 0 && r2 == 0 && !active(u), "timed start and stop");
	tap_diag("mdevctl start+stop: %llu ms (start %llu ms, stop %llu ms)",
		 (unsigned long long)(t2 - t0), (unsigned long long)(t1 - t0),
		 (unsigned long long)(t2 - t1));
}

/*
 * Wait up to @ms for a uevent "change" of the parent carrying
 * MDEV_STATE=@state. Returns true when one came.
 */
static bool wait_uevent(int sk, const char *state, int ms)
{
	uint64_t end = mdk_now_ms() + ms;
	char buf[8192], want[64];
	struct pollfd pfd = { sk, POLLIN, 0 };

	snprintf(want, sizeof(want), "MDEV_STATE=%s", state);
	while (mdk_now_ms() < end) {
		bool change = false, dev = false, st = false;
		ssize_t n;
		char *p;

		if (poll(&pfd, 1, end - mdk_now_ms()) <= 0)
			return false;
		n = recv(sk, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		for (p = buf; p < buf + n; p += strlen(p) + 1) {
			const char *base = strrchr(p, '/');

			change |= !strcmp(p, "ACTION=change");
			st |= !strcmp(p, want);
			dev |= !strncmp(p, "DEVPATH=", 8) && base &&
			       !strcmp(base + 1, MTTY_PARENT);
		}
		if (change && dev && st)
			return true;
	}
	return false;
}

/*
 * mdevctl's udev rule: on a parent's "change" uevent with
 * MDEV_STATE=registered, if /etc/mdevctl.d/<parent> exists, run
 * `mdevctl start-parent-mdevs <parent>`. No udev here: listen to the
 * uevent ourselves and do what the rule does.
 */
static void test_autostart(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	const char *mods = getenv("MDK_MODULES"), *u = new_uuid();
	char line[80], ko[256];
	bool reg;
	int sk;

	snprintf(line, sizeof(line), "%s %s mtty-1 auto", u, MTTY_PARENT);
	MDEVCTL("define", "-a", "-u", u, "-p", MTTY_PARENT, "-t", "mtty-1");
	check(last.rc == 0 && MDEVCTL("list", "-d") == 0 &&
	      has_line(last.out, line), "define -a: listed as auto");

	sk = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (sk < 0 || bind(sk, (struct sockaddr *)&sa, sizeof(sa)))
		tap_bail("uevent socket: %s", strerror(errno));
	snprintf(ko, sizeof(ko), "%s/mdk_mtty.ko", mods ? mods : "/mdk/modules");
	run("rmmod", "mdk_mtty", NULL);
	check(last.rc == 0 && wait_uevent(sk, "unregistered", 5000),
	      "rmmod mdk_mtty: uevent MDEV_STATE=unregistered");
	run("insmod", ko, NULL);
	if (last.rc != 0) {
		show_last();
		tap_bail("insmod %s", ko);
	}
	reg = wait_uevent(sk, "registered", 5000);
	close(sk);
	check(reg, "insmod mdk_mtty: uevent MDEV_STATE=registered");
	if (reg && mdk_path_exists(CONF_DIR))
		MDEVCTL("start-parent-mdevs", MTTY_PARENT);
	check(reg && last.rc == 0 && active_as(u, "mtty-1"),
	      "start-parent-mdevs: starts the auto device");
	MDEVCTL("stop", "-u", u);
	MDEVCTL("undefine", "-u", u);
	check(last.rc == 0 && !active(u) && !defined(u),
	      "stop and undefine the auto device");
}

int main(void)
{
	tap_init("mdevctl");
	atexit(cleanup);
	if (run("mdevctl", "--version", NULL) != 0 ||
	    strncmp(last.out, "mdevctl ", 8)) {
		show_last();
		tap_bail("mdevctl runs (missing? scripts/vm-run.sh -x build/mdevctl-root)");
	}
	last.out[strcspn(last.out, "\n")] = '\0';
	tap_diag("%s", last.out);
	if (avail("mtty-1") <= 0 || mdk_count_dir(MDEV_DEVICES) != 0)
		tap_bail("mtty parent with free instances and no device");

	test_types();
	test_start_list();
	test_define();
	test_errors();
	test_timing();
	test_autostart();

	MDEVCTL("list");
	check(last.rc == 0 && blank(last.out) && MDEVCTL("list", "-d") == 0 &&
	      blank(last.out), "nothing left running or defined");
	return tap_done();
}
