// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: manage mediated devices (mdev) from the command line.
 *
 * This file parses the command line and dispatches; see commands.c for
 * what each command does and mdk(1) for the user's view.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

#ifndef MDK_VERSION
#define MDK_VERSION "0.1"
#endif

/* Options a command may accept. */
#define OPT_JSON	(1u << 0)
#define OPT_UUID	(1u << 1)

struct command {
	const char *name;
	const char *args;	/* positional arguments, for the usage line */
	unsigned int min_args, max_args;
	unsigned int opts;	/* OPT_* */
	const char *help;	/* description and options */
};

static const struct command commands[] = {
	{ "types", "[PARENT]", 0, 1, OPT_JSON,
	  "List every parent device under /sys/class/mdev_bus (or only PARENT)\n"
	  "with its mdev types: id, name, available_instances, device_api and\n"
	  "description.\n\n"
	  "  -j, --json   print a JSON array instead of text\n" },
	{ "list", "", 0, 0, OPT_JSON,
	  "List the mediated devices under /sys/bus/mdev/devices, one per line:\n"
	  "UUID PARENT TYPE IOMMU_GROUP.\n\n"
	  "  -j, --json   print a JSON array instead of text\n" },
	{ "create", "PARENT TYPE", 2, 2, OPT_UUID,
	  "Create a device of TYPE on PARENT by writing its UUID into the type's\n"
	  "create attribute, and print the UUID.\n\n"
	  "  -u, --uuid UUID   use UUID instead of a new random one\n" },
	{ "remove", "UUID", 1, 1, 0,
	  "Remove the device UUID by writing 1 into its remove attribute.\n" },
	{ "info", "UUID", 1, 1, 0,
	  "Open the device UUID through VFIO (its IOMMU group, a TYPE1v2\n"
	  "container) and print its flags, regions with their capabilities,\n"
	  "IRQ indexes and, for a PCI device, its decoded configuration space.\n" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: mdk [--help | --version] COMMAND [ARGS]\n\n"
		"Manage mediated devices (mdev).\n\nCommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-7s%s%s\n", commands[i].name,
			*commands[i].args ? " " : "", commands[i].args);
	fprintf(f, "\nRun 'mdk COMMAND --help' for a command's options.\n"
		"Exit status: 0 ok, 1 usage error, 2 not found, "
		"3 refused by the kernel, 4 other error.\n");
}

static void command_help(const struct command *c)
{
	printf("Usage: mdk %s%s%s%s%s\n\n%s", c->name, *c->args ? " " : "",
	       c->args, c->opts & OPT_JSON ? " [--json]" : "",
	       c->opts & OPT_UUID ? " [--uuid UUID]" : "", c->help);
	printf("  -h, --help   show this help\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int usage_error(const struct command *c, const char *what,
		       const char *arg)
{
	return mdk_failf(MDK_EXIT_USAGE, "%s: %s%s%s%s (see 'mdk %s --help')",
			 c->name, what, arg ? " '" : "", arg ? arg : "",
			 arg ? "'" : "", c->name);
}

static int run(const struct command *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "uuid", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	const char *uuid = NULL, *arg[2] = { NULL, NULL };
	bool json = false;
	unsigned int nargs;
	int opt;

	opterr = 0;
	optind = 0;	/* full re-initialization of getopt */
	while ((opt = getopt_long(argc, argv, ":hju:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			command_help(c);
			return MDK_EXIT_OK;
		case 'j':
			if (!(c->opts & OPT_JSON))
				return usage_error(c, "unknown option",
						   "--json");
			json = true;
			break;
		case 'u':
			if (!(c->opts & OPT_UUID))
				return usage_error(c, "unknown option",
						   "--uuid");
			uuid = optarg;
			break;
		case ':':
			return usage_error(c, "option needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error(c, "unknown option",
					   argv[optind - 1]);
		}
	}
	nargs = argc - optind;
	if (nargs < c->min_args)
		return usage_error(c, "missing argument", NULL);
	if (nargs > c->max_args)
		return usage_error(c, "unexpected argument",
				   argv[optind + c->max_args]);
	for (unsigned int i = 0; i < nargs; i++)
		arg[i] = argv[optind + i];

	if (!strcmp(c->name, "types"))
		return mdk_cmd_types(arg[0], json);
	if (!strcmp(c->name, "list"))
		return mdk_cmd_list(json);
	if (!strcmp(c->name, "create"))
		return mdk_cmd_create(arg[0], arg[1], uuid);
	if (!strcmp(c->name, "remove"))
		return mdk_cmd_remove(arg[0]);
	return mdk_cmd_info(arg[0]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command *c;
	int opt;

	opterr = 0;
	/* "+": stop at the command name; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return MDK_EXIT_OK;
		case 'V':
			printf("mdk (mdevkit) %s\n", MDK_VERSION);
			return MDK_EXIT_OK;
		default:
			return mdk_failf(MDK_EXIT_USAGE, "unknown option '%s' "
					 "(see 'mdk --help')", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return mdk_failf(MDK_EXIT_USAGE,
				 "missing command (see 'mdk --help')");
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return MDK_EXIT_OK;
		}
		c = find_command(argv[optind + 1]);
		if (!c)
			return mdk_failf(MDK_EXIT_USAGE, "unknown command '%s' "
					 "(see 'mdk --help')", argv[optind + 1]);
		command_help(c);
		return MDK_EXIT_OK;
	}
	c = find_command(argv[optind]);
	if (!c)
		return mdk_failf(MDK_EXIT_USAGE, "unknown command '%s' "
				 "(see 'mdk --help')", argv[optind]);
	return run(c, argc - optind, argv + optind);
}
