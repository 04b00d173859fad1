/* SPDX-License-Identifier: GPL-2.0-only */
/* mdk host unit tests: shared between unit.c and cli.c. */
#ifndef MDK_UNIT_H
#define MDK_UNIT_H

#include <stdbool.h>
#include <string.h>

#include "tap.h"

/* Record a case "@name" checking that @hay contains @needle. */
bool has(const char *hay, const char *needle, const char *name);

/* The command-line tests: run @mdk against a fake sysfs tree. */
void test_cli(const char *mdk);

#endif /* MDK_UNIT_H */
