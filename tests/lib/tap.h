/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP13 producer for mdevkit's userspace tests.
 *
 * Every test program prints un-numbered TAP13 lines
 *     ok - <suite>: <case>
 *     not ok - <suite>: <case>
 * followed by a YAML-ish diagnostic block on failure. The VM runner
 * concatenates the programs' output into one TAP13 stream and the host
 * prints the plan and the "N passed, N failed" line.
 *
 * Exit status of a test program: 0 all passed, 1 some case failed;
 * anything else (a crash, an abort) is reported by the runner as a
 * failed case of its own.
 */
#ifndef MDK_TAP_H
#define MDK_TAP_H

#include <stdbool.h>
#include <errno.h>

void tap_init(const char *suite);
/* Record one case; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Diagnostic line "# ..." (does not count as a case). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record a failed case and exit: for a failure later cases depend on. */
void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* Exit status for main(): 0 when no case failed. */
int tap_done(void);
unsigned int tap_failures(void);

/*
 * Check that @expr (an int or ssize_t returning -1 and setting errno, as
 * a system call does) fails with errno @err.
 */
#define TAP_ERRNO(expr, err, ...) ({					\
	errno = 0;							\
	long __r = (long)(expr);					\
	int __e = errno;						\
	bool __c = (__r == -1 && __e == (err));				\
	if (!__c)							\
		tap_diag("  %s: returned %ld errno %d (%s), want %d",	\
			 #expr, __r, __e, strerror(__e), (err));	\
	tap_ok(__c, __VA_ARGS__);					\
})

/* Check that @expr returns 0 (or >= 0 with TAP_SUCCESS). */
#define TAP_ZERO(expr, ...) ({						\
	errno = 0;							\
	long __r = (long)(expr);					\
	int __e = errno;						\
	if (__r != 0)							\
		tap_diag("  %s: returned %ld errno %d (%s)", #expr,	\
			 __r, __e, strerror(__e));			\
	tap_ok(__r == 0, __VA_ARGS__);					\
})

#endif /* MDK_TAP_H */
