// SPDX-License-Identifier: GPL-2.0-only
/* Minimal TAP13 producer: see tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

static const char *tap_suite = "test";
static unsigned int tap_nfail, tap_npass;

void tap_init(const char *suite)
{
	tap_suite = suite;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# suite %s\n", suite);
}

static void tap_vline(bool cond, const char *fmt, va_list ap)
{
	printf("%sok - %s: ", cond ? "" : "not ", tap_suite);
	vprintf(fmt, ap);
	putchar('\n');
	if (cond)
		tap_npass++;
	else
		tap_nfail++;
	fflush(stdout);
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(cond, fmt, ap);
	va_end(ap);
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(false, fmt, ap);
	va_end(ap);
	exit(1);
}

unsigned int tap_failures(void)
{
	return tap_nfail;
}

int tap_done(void)
{
	printf("# %s: %u passed, %u failed\n", tap_suite, tap_npass, tap_nfail);
	fflush(stdout);
	return tap_nfail ? 1 : 0;
}
