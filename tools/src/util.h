/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: exit codes, error messages and small helpers shared by every part
 * of the tool.
 */
#ifndef MDK_UTIL_H
#define MDK_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes: stable, documented in mdk(1). */
enum mdk_exit {
	MDK_EXIT_OK = 0,
	MDK_EXIT_USAGE = 1,	/* bad command line (includes a malformed UUID) */
	MDK_EXIT_NOTFOUND = 2,	/* no such parent, type or device */
	MDK_EXIT_KERNEL = 3,	/* a sysfs write or an ioctl failed */
	MDK_EXIT_SYSTEM = 4,	/* anything else: memory, I/O, ... */
};

#define MDK_UUID_LEN 36

/*
 * Print "mdk: <what>: <strerror(err)>" on stderr and return @code, so that
 * callers can write "return mdk_fail(MDK_EXIT_KERNEL, path, errno);".
 */
int mdk_fail(int code, const char *what, int err);
/* Print "mdk: <printf message>" on stderr and return @code. */
int mdk_failf(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The exit code for a failed open/stat/readlink of @path: not found for
 * ENOENT/ENOTDIR, system error otherwise; prints the error line.
 */
int mdk_fail_path(const char *path, int err);

/*
 * Check that @s is a UUID (36 characters, 8-4-4-4-12 hex digits, no
 * surrounding white space) and store it in lower case in @out. Returns
 * true when valid. Pure; @out is untouched when @s is invalid.
 */
bool mdk_uuid_normalize(const char *s, char out[MDK_UUID_LEN + 1]);
/* A new random UUID, lower case. */
void mdk_uuid_generate(char out[MDK_UUID_LEN + 1]);

/* asprintf() that returns NULL on failure instead of leaving *p undefined. */
char *mdk_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a sysfs attribute into a new string with trailing newlines
 * removed. NULL with errno set on failure.
 */
char *mdk_read_attr(const char *path);
/*
 * Write @s to @path in one write(2), as `echo` does. Returns 0, or an
 * exit code after printing the error: not found when @path cannot be
 * opened because it does not exist, kernel refusal when write(2) fails.
 */
int mdk_write_attr(const char *path, const char *s);
/* The last component of the target of symlink @path, as a new string;
 * NULL with errno set on failure.
 */
char *mdk_link_base(const char *path);

#endif /* MDK_UTIL_H */
