/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: the commands, once their arguments are parsed. Each returns an
 * exit code (enum mdk_exit) after printing any error.
 */
#ifndef MDK_COMMANDS_H
#define MDK_COMMANDS_H

#include <stdbool.h>

/* PARENT may be NULL (every parent). */
int mdk_cmd_types(const char *parent, bool json);
int mdk_cmd_list(bool json);
/* UUID may be NULL (a random one is generated). */
int mdk_cmd_create(const char *parent, const char *type, const char *uuid);
int mdk_cmd_remove(const char *uuid);
int mdk_cmd_info(const char *uuid);

#endif /* MDK_COMMANDS_H */
