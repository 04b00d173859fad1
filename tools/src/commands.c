// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: the commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "pcicfg.h"
#include "sysfs.h"
#include "vfiodec.h"
#include "vfiodev.h"

/* Flush stdout and turn a write error (full disk, closed pipe) into 4. */
static int finish(int ret)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return ret ? ret : mdk_fail(MDK_EXIT_SYSTEM, "stdout", errno);
	return ret;
}

/* A UUID argument in normalized (lower-case) form, or a usage error. */
static bool uuid_arg(const char *s, char out[MDK_UUID_LEN + 1])
{
	if (mdk_uuid_normalize(s, out))
		return true;
	mdk_failf(MDK_EXIT_USAGE, "invalid UUID '%s'", s);
	return false;
}

int mdk_cmd_types(const char *parent, bool json)
{
	struct mdk_parent *p;
	size_t n;
	int ret;

	ret = mdk_sysfs_parents(parent, &p, &n);
	if (ret)
		return ret;
	if (json) {
		if (mdk_json_print(stdout, mdk_json_types(p, n)))
			ret = mdk_fail(MDK_EXIT_SYSTEM, "json", ENOMEM);
	} else {
		mdk_print_types(stdout, p, n);
	}
	mdk_parents_free(p, n);
	return finish(ret);
}

int mdk_cmd_list(bool json)
{
	struct mdk_device *d;
	size_t n;
	int ret;

	ret = mdk_sysfs_devices(&d, &n);
	if (ret)
		return ret;
	if (json) {
		if (mdk_json_print(stdout, mdk_json_devices(d, n)))
			ret = mdk_fail(MDK_EXIT_SYSTEM, "json", ENOMEM);
	} else {
		mdk_print_devices(stdout, d, n);
	}
	mdk_devices_free(d, n);
	return finish(ret);
}

int mdk_cmd_create(const char *parent, const char *type, const char *uuid)
{
	char u[MDK_UUID_LEN + 1];
	int ret;

	if (uuid && !uuid_arg(uuid, u))
		return MDK_EXIT_USAGE;
	if (!uuid)
		mdk_uuid_generate(u);
	ret = mdk_sysfs_create(parent, type, u);
	if (ret)
		return ret;
	printf("%s\n", u);
	return finish(MDK_EXIT_OK);
}

int mdk_cmd_remove(const char *uuid)
{
	char u[MDK_UUID_LEN + 1];

	if (!uuid_arg(uuid, u))
		return MDK_EXIT_USAGE;
	return mdk_sysfs_remove(u);
}

static void print_regions(const struct mdk_vfio *v, uint32_t dev_flags,
			  uint32_t num, uint64_t bars[MDK_PCI_NR_BARS],
			  struct vfio_region_info *config)
{
	struct vfio_region_info *r;
	char name[16];
	size_t len;
	int err;

	printf("Regions (%" PRIu32 "):\n", num);
	for (uint32_t i = 0; i < num; i++) {
		err = mdk_vfio_region_info(v->device, i, &r, &len);
		if (err) {
			printf("  [%" PRIu32 "] %s: VFIO_DEVICE_GET_REGION_INFO: "
			       "%s\n", i,
			       mdk_region_name(name, sizeof(name), dev_flags, i),
			       strerror(-err));
			continue;
		}
		mdk_print_region_info(stdout, dev_flags, r, len);
		if (!(dev_flags & VFIO_DEVICE_FLAGS_PCI)) {
			free(r);
			continue;
		}
		if (i <= VFIO_PCI_ROM_REGION_INDEX)
			bars[i] = r->size;
		if (i == VFIO_PCI_CONFIG_REGION_INDEX)
			*config = *r;
		free(r);
	}
}

static void print_irqs(const struct mdk_vfio *v, uint32_t dev_flags,
		       uint32_t num)
{
	struct vfio_irq_info irq;
	char name[16];
	int err;

	printf("IRQs (%" PRIu32 "):\n", num);
	for (uint32_t i = 0; i < num; i++) {
		err = mdk_vfio_irq_info(v->device, i, &irq);
		if (err)
			printf("  [%" PRIu32 "] %s: VFIO_DEVICE_GET_IRQ_INFO: "
			       "%s\n", i,
			       mdk_irq_name(name, sizeof(name), dev_flags, i),
			       strerror(-err));
		else
			mdk_print_irq_info(stdout, dev_flags, &irq);
	}
}

/* Read and decode the CONFIG region of a vfio-pci device. */
static int print_config(const struct mdk_vfio *v,
			const struct vfio_region_info *config,
			const uint64_t bars[MDK_PCI_NR_BARS])
{
	struct pci_access *names;
	size_t len = config->size < 4096 ? config->size : 4096;
	uint8_t *buf;
	int err;

	if (!len || !(config->flags & VFIO_REGION_INFO_FLAG_READ))
		return MDK_EXIT_OK;
	buf = malloc(len);
	if (!buf)
		return mdk_fail(MDK_EXIT_SYSTEM, "memory", ENOMEM);
	err = mdk_vfio_read(v->device, config->offset, 0, buf, len);
	if (err) {
		free(buf);
		fflush(stdout);
		return mdk_failf(MDK_EXIT_KERNEL, "pread of the CONFIG region:"
				 " %s", strerror(-err));
	}
	names = mdk_pci_names_open(NULL);
	if (!names) {
		free(buf);
		return mdk_fail(MDK_EXIT_SYSTEM, "libpci", ENOMEM);
	}
	mdk_pci_print_config(stdout, buf, len, bars, names);
	mdk_pci_names_close(names);
	free(buf);
	return MDK_EXIT_OK;
}

int mdk_cmd_info(const char *uuid)
{
	uint64_t bars[MDK_PCI_NR_BARS] = { 0 };
	struct vfio_region_info config = { 0 };
	struct vfio_device_info *info;
	struct mdk_device dev;
	char u[MDK_UUID_LEN + 1], *path;
	struct mdk_vfio v;
	size_t len;
	int ret, err;

	if (!uuid_arg(uuid, u))
		return MDK_EXIT_USAGE;
	ret = mdk_sysfs_device(u, &dev);
	if (ret)
		return ret;
	if (dev.group < 0) {
		path = mdk_strf("%s/bus/mdev/devices/%s/iommu_group",
				mdk_sysfs_root(), u);
		ret = mdk_fail(MDK_EXIT_NOTFOUND, path ? path : "iommu_group",
			       ENOENT);
		free(path);
		goto out_dev;
	}
	ret = mdk_vfio_open(dev.group, u, &v);
	if (ret)
		goto out_dev;
	err = mdk_vfio_device_info(v.device, &info, &len);
	if (err) {
		ret = mdk_failf(MDK_EXIT_KERNEL, "%s: VFIO_DEVICE_GET_INFO: %s",
				u, strerror(-err));
		goto out_vfio;
	}
	printf("Device %s: parent %s, type %s, IOMMU group %ld (%s)\n", u,
	       dev.parent ? dev.parent : "-", dev.type ? dev.type : "-",
	       dev.group, v.group_path);
	mdk_print_device_info(stdout, info, len);
	print_regions(&v, info->flags, info->num_regions, bars, &config);
	print_irqs(&v, info->flags, info->num_irqs);
	if (info->flags & VFIO_DEVICE_FLAGS_PCI)
		ret = print_config(&v, &config, bars);
	free(info);
out_vfio:
	mdk_vfio_close(&v);
out_dev:
	mdk_device_clear(&dev);
	return finish(ret);
}
