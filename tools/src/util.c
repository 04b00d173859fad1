// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: exit codes, error messages and small helpers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "util.h"

int mdk_fail(int code, const char *what, int err)
{
	fprintf(stderr, "mdk: %s: %s\n", what, strerror(err));
	return code;
}

int mdk_failf(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mdk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int mdk_fail_path(const char *path, int err)
{
	bool missing = err == ENOENT || err == ENOTDIR;

	return mdk_fail(missing ? MDK_EXIT_NOTFOUND : MDK_EXIT_SYSTEM, path,
			err);
}

bool mdk_uuid_normalize(const char *s, char out[MDK_UUID_LEN + 1])
{
	uuid_t u;

	/* uuid_parse() wants exactly 36 characters; say so explicitly. */
	if (strlen(s) != MDK_UUID_LEN || uuid_parse(s, u) != 0)
		return false;
	uuid_unparse_lower(u, out);
	return true;
}

void mdk_uuid_generate(char out[MDK_UUID_LEN + 1])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

char *mdk_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

char *mdk_read_attr(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return strdup(buf);
}

int mdk_write_attr(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mdk_fail_path(path, errno);
	n = write(fd, s, len);
	err = errno;
	close(fd);
	if (n < 0)
		return mdk_fail(MDK_EXIT_KERNEL, path, err);
	if ((size_t)n != len)
		return mdk_failf(MDK_EXIT_KERNEL, "%s: short write", path);
	return MDK_EXIT_OK;
}

char *mdk_link_base(const char *path)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	return strdup(base ? base + 1 : target);
}
