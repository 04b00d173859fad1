// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: reading the mdev sysfs ABI and writing create/remove.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs.h"

#define CLASS_DIR	"class/mdev_bus"
#define DEVICES_DIR	"bus/mdev/devices"
#define TYPES_DIR	"mdev_supported_types"

const char *mdk_sysfs_root(void)
{
	const char *root = getenv("MDK_SYSFS");

	return root && *root ? root : "/sys";
}

/* A path component from the command line: no "/", not "." or "..". */
static bool plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Sorted entries of @dir. Returns the count, or -1 with errno set;
 * a missing directory gives 0 entries when @missing_ok.
 */
static int list_dir(const char *dir, struct dirent ***names, bool missing_ok)
{
	int n = scandir(dir, names, no_dots, alphasort);

	if (n < 0 && missing_ok && errno == ENOENT) {
		*names = NULL;
		return 0;
	}
	return n;
}

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void type_clear(struct mdk_type *t)
{
	free(t->id);
	free(t->name);
	free(t->device_api);
	free(t->description);
}

/* Attribute @attr of directory @dir, NULL when absent or unreadable. */
static char *dir_attr(const char *dir, const char *attr)
{
	char *path = mdk_strf("%s/%s", dir, attr);
	char *val;

	if (!path)
		return NULL;
	val = mdk_read_attr(path);
	free(path);
	return val;
}

static int read_type(const char *dir, const char *id, struct mdk_type *t)
{
	char *avail, *end;

	t->id = strdup(id);
	t->name = dir_attr(dir, "name");
	t->device_api = dir_attr(dir, "device_api");
	t->description = dir_attr(dir, "description");
	avail = dir_attr(dir, "available_instances");
	t->available = -1;
	if (avail) {
		errno = 0;
		t->available = strtol(avail, &end, 10);
		if (errno || end == avail || *end || t->available < 0)
			t->available = -1;
		free(avail);
	}
	return t->id ? 0 : -1;
}

static int read_parent(const char *root, const char *name,
		       struct mdk_parent *p)
{
	struct dirent **names;
	char *dir, *tdir;
	int n, ret = MDK_EXIT_OK;

	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	dir = mdk_strf("%s/" CLASS_DIR "/%s/" TYPES_DIR, root, name);
	if (!p->name || !dir) {
		free(dir);
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	}
	/* A parent without types (being registered) lists as empty. */
	n = list_dir(dir, &names, true);
	if (n < 0) {
		ret = mdk_fail_path(dir, errno);
		goto out_dir;
	}
	p->types = calloc(n ? n : 1, sizeof(*p->types));
	if (!p->types) {
		ret = mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
		goto out_names;
	}
	for (int i = 0; i < n; i++) {
		tdir = mdk_strf("%s/%s", dir, names[i]->d_name);
		if (!tdir || read_type(tdir, names[i]->d_name,
				       &p->types[p->nr_types]) < 0) {
			free(tdir);
			type_clear(&p->types[p->nr_types]);
			ret = mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
			goto out_names;
		}
		free(tdir);
		p->nr_types++;
	}
out_names:
	free_names(names, n);
out_dir:
	free(dir);
	return ret;
}

int mdk_sysfs_parents(const char *only, struct mdk_parent **out, size_t *np)
{
	const char *root = mdk_sysfs_root();
	struct mdk_parent *parents;
	struct dirent **names = NULL;
	char *dir;
	int n, ret = MDK_EXIT_OK;
	size_t count = 0;

	*out = NULL;
	*np = 0;
	if (only) {
		struct stat st;

		dir = mdk_strf("%s/" CLASS_DIR "/%s", root, only);
		if (!dir)
			return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
		if (!plain_name(only) || stat(dir, &st) < 0) {
			ret = mdk_fail_path(dir, plain_name(only) ? errno :
					    ENOENT);
			free(dir);
			return ret;
		}
		free(dir);
		n = 1;
	} else {
		dir = mdk_strf("%s/" CLASS_DIR, root);
		if (!dir)
			return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
		n = list_dir(dir, &names, true);
		if (n < 0)
			ret = mdk_fail_path(dir, errno);
		free(dir);
		if (n < 0)
			return ret;
	}
	parents = calloc(n ? n : 1, sizeof(*parents));
	if (!parents) {
		ret = mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
		goto out_names;
	}
	for (int i = 0; i < n; i++) {
		ret = read_parent(root, only ? only : names[i]->d_name,
				  &parents[count]);
		count++;
		if (ret) {
			mdk_parents_free(parents, count);
			goto out_names;
		}
	}
	*out = parents;
	*np = count;
out_names:
	if (names)
		free_names(names, n);
	return ret;
}

void mdk_parents_free(struct mdk_parent *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p[i].nr_types; j++)
			type_clear(&p[i].types[j]);
		free(p[i].types);
		free(p[i].name);
	}
	free(p);
}

void mdk_device_clear(struct mdk_device *dev)
{
	free(dev->parent);
	free(dev->type);
	dev->parent = NULL;
	dev->type = NULL;
}

void mdk_devices_free(struct mdk_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mdk_device_clear(&d[i]);
	free(d);
}

/* Fill @dev from the device directory @dir (which exists). */
static void read_device(const char *dir, struct mdk_device *dev)
{
	char real[PATH_MAX], *path, *slash, *grp, *end;

	if (realpath(dir, real)) {
		slash = strrchr(real, '/');
		if (slash && slash != real) {
			*slash = '\0';
			slash = strrchr(real, '/');
			dev->parent = strdup(slash ? slash + 1 : real);
		}
	}
	path = mdk_strf("%s/mdev_type", dir);
	if (path)
		dev->type = mdk_link_base(path);
	free(path);
	dev->group = -1;
	path = mdk_strf("%s/iommu_group", dir);
	grp = path ? mdk_link_base(path) : NULL;
	free(path);
	if (grp) {
		errno = 0;
		dev->group = strtol(grp, &end, 10);
		if (errno || end == grp || *end || dev->group < 0)
			dev->group = -1;
		free(grp);
	}
}

int mdk_sysfs_device(const char *uuid, struct mdk_device *dev)
{
	struct stat st;
	char *dir;
	int ret = MDK_EXIT_OK;

	memset(dev, 0, sizeof(*dev));
	dev->group = -1;
	dir = mdk_strf("%s/" DEVICES_DIR "/%s", mdk_sysfs_root(), uuid);
	if (!dir)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	if (stat(dir, &st) < 0) {
		ret = mdk_fail_path(dir, errno);
	} else {
		snprintf(dev->uuid, sizeof(dev->uuid), "%s", uuid);
		read_device(dir, dev);
	}
	free(dir);
	return ret;
}

int mdk_sysfs_devices(struct mdk_device **out, size_t *np)
{
	struct mdk_device *devs;
	struct dirent **names;
	char *dir, *ddir;
	size_t count = 0;
	int n, ret = MDK_EXIT_OK;

	*out = NULL;
	*np = 0;
	dir = mdk_strf("%s/" DEVICES_DIR, mdk_sysfs_root());
	if (!dir)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	n = list_dir(dir, &names, true);
	if (n < 0) {
		ret = mdk_fail_path(dir, errno);
		free(dir);
		return ret;
	}
	devs = calloc(n ? n : 1, sizeof(*devs));
	if (!devs) {
		ret = mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct mdk_device *d = &devs[count];

		/* Only UUID-named entries are devices; keep the name. */
		if (!mdk_uuid_normalize(names[i]->d_name, d->uuid))
			continue;
		memcpy(d->uuid, names[i]->d_name, MDK_UUID_LEN);
		ddir = mdk_strf("%s/%s", dir, names[i]->d_name);
		if (!ddir) {
			mdk_devices_free(devs, count);
			ret = mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
			goto out;
		}
		read_device(ddir, d);
		free(ddir);
		count++;
	}
	*out = devs;
	*np = count;
out:
	free_names(names, n);
	free(dir);
	return ret;
}

int mdk_sysfs_create(const char *parent, const char *type, const char *uuid)
{
	const char *root = mdk_sysfs_root();
	struct stat st;
	char *path;
	int ret;

	path = mdk_strf("%s/" CLASS_DIR "/%s", root, parent);
	if (!path)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	if (!plain_name(parent) || stat(path, &st) < 0) {
		ret = mdk_fail_path(path, plain_name(parent) ? errno : ENOENT);
		free(path);
		return ret;
	}
	free(path);
	path = mdk_strf("%s/" CLASS_DIR "/%s/" TYPES_DIR "/%s", root, parent,
			type);
	if (!path)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	if (!plain_name(type) || stat(path, &st) < 0) {
		ret = mdk_fail_path(path, plain_name(type) ? errno : ENOENT);
		free(path);
		return ret;
	}
	free(path);
	path = mdk_strf("%s/" CLASS_DIR "/%s/" TYPES_DIR "/%s/create", root,
			parent, type);
	if (!path)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	ret = mdk_write_attr(path, uuid);
	free(path);
	return ret;
}

int mdk_sysfs_remove(const char *uuid)
{
	char *path;
	int ret;

	path = mdk_strf("%s/" DEVICES_DIR "/%s/remove", mdk_sysfs_root(), uuid);
	if (!path)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	ret = mdk_write_attr(path, "1");
	free(path);
	return ret;
}
