// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: decoding of VFIO device, region and IRQ information.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vfiodec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* VFIO_REGION_TYPE_PCI_VENDOR_TYPE is (1 << 31): undefined for an int. */
#define REGION_TYPE_PCI_VENDOR	0x80000000u

const struct mdk_flag_name mdk_device_flag_names[] = {
	{ VFIO_DEVICE_FLAGS_RESET, "RESET" },
	{ VFIO_DEVICE_FLAGS_PCI, "PCI" },
	{ VFIO_DEVICE_FLAGS_PLATFORM, "PLATFORM" },
	{ VFIO_DEVICE_FLAGS_AMBA, "AMBA" },
	{ VFIO_DEVICE_FLAGS_CCW, "CCW" },
	{ VFIO_DEVICE_FLAGS_AP, "AP" },
	{ VFIO_DEVICE_FLAGS_FSL_MC, "FSL_MC" },
	{ VFIO_DEVICE_FLAGS_CAPS, "CAPS" },
	{ 0, NULL }
};

const struct mdk_flag_name mdk_region_flag_names[] = {
	{ VFIO_REGION_INFO_FLAG_READ, "READ" },
	{ VFIO_REGION_INFO_FLAG_WRITE, "WRITE" },
	{ VFIO_REGION_INFO_FLAG_MMAP, "MMAP" },
	{ VFIO_REGION_INFO_FLAG_CAPS, "CAPS" },
	{ 0, NULL }
};

const struct mdk_flag_name mdk_irq_flag_names[] = {
	{ VFIO_IRQ_INFO_EVENTFD, "EVENTFD" },
	{ VFIO_IRQ_INFO_MASKABLE, "MASKABLE" },
	{ VFIO_IRQ_INFO_AUTOMASKED, "AUTOMASKED" },
	{ VFIO_IRQ_INFO_NORESIZE, "NORESIZE" },
	{ 0, NULL }
};

char *mdk_flags_str(char *buf, size_t len, uint32_t flags,
		    const struct mdk_flag_name *names)
{
	uint32_t rest = flags;
	size_t pos;
	const char *sep = "";

	if (!len)
		return buf;
	pos = snprintf(buf, len, "0x%" PRIx32 " (", flags);
	for (; names->name && pos < len; names++) {
		if (!(flags & names->bit))
			continue;
		pos += snprintf(buf + pos, len - pos, "%s%s", sep, names->name);
		rest &= ~names->bit;
		sep = "|";
	}
	if (pos < len && rest)
		pos += snprintf(buf + pos, len - pos, "%s0x%" PRIx32, sep, rest);
	else if (pos < len && !flags)
		pos += snprintf(buf + pos, len - pos, "none");
	if (pos < len)
		snprintf(buf + pos, len - pos, ")");
	return buf;
}

static const char *const pci_regions[] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};
static const char *const pci_irqs[] = { "INTX", "MSI", "MSIX", "ERR", "REQ" };
static const char *const ccw_regions[] = { "CONFIG" };
static const char *const ccw_irqs[] = { "IO", "CRW", "REQ" };

const char *mdk_region_name(char *buf, size_t len, uint32_t dev_flags,
			    unsigned int index)
{
	if ((dev_flags & VFIO_DEVICE_FLAGS_PCI) && index < ARRAY_SIZE(pci_regions))
		snprintf(buf, len, "%s", pci_regions[index]);
	else if ((dev_flags & VFIO_DEVICE_FLAGS_CCW) &&
		 index < ARRAY_SIZE(ccw_regions))
		snprintf(buf, len, "%s", ccw_regions[index]);
	else
		snprintf(buf, len, "REGION%u", index);
	return buf;
}

const char *mdk_irq_name(char *buf, size_t len, uint32_t dev_flags,
			 unsigned int index)
{
	if ((dev_flags & VFIO_DEVICE_FLAGS_PCI) && index < ARRAY_SIZE(pci_irqs))
		snprintf(buf, len, "%s", pci_irqs[index]);
	else if ((dev_flags & VFIO_DEVICE_FLAGS_CCW) &&
		 index < ARRAY_SIZE(ccw_irqs))
		snprintf(buf, len, "%s", ccw_irqs[index]);
	else
		snprintf(buf, len, "IRQ%u", index);
	return buf;
}

int mdk_vfio_cap_walk(const void *info, size_t len, size_t fixed,
		      uint32_t first, mdk_vfio_cap_fn fn, void *arg)
{
	const unsigned char *base = info;
	struct vfio_info_cap_header hdr;
	size_t off = first, end;
	int count = 0, ret;

	while (off) {
		if (off < fixed || off > len || len - off < sizeof(hdr))
			return -ERANGE;
		memcpy(&hdr, base + off, sizeof(hdr));
		end = hdr.next ? hdr.next : len;
		if (hdr.next && hdr.next <= off)
			return -ELOOP;
		if (end > len || end - off < sizeof(hdr))
			return -ERANGE;
		if (fn) {
			ret = fn(&hdr, base + off, end - off, arg);
			if (ret < 0)
				return ret;
		}
		count++;
		off = hdr.next;
	}
	return count;
}

struct cap_ctx {
	FILE *f;
	const char *indent;
};

/* Copy up to @size bytes of a capability into a zeroed @dst of @dlen. */
static void cap_copy(void *dst, size_t dlen, const void *cap, size_t size)
{
	memset(dst, 0, dlen);
	memcpy(dst, cap, size < dlen ? size : dlen);
}

/* "graphics", ..., or "PCI vendor 8086" (in @buf) for vendor types. */
static const char *region_type_name(char *buf, size_t len, uint32_t type)
{
	if (type & REGION_TYPE_PCI_VENDOR) {
		snprintf(buf, len, "PCI vendor %04" PRIx32,
			 type & VFIO_REGION_TYPE_PCI_VENDOR_MASK);
		return buf;
	}
	switch (type) {
	case VFIO_REGION_TYPE_GFX:
		return "graphics";
	case VFIO_REGION_TYPE_CCW:
		return "CCW";
	case VFIO_REGION_TYPE_MIGRATION_DEPRECATED:
		return "migration";
	}
	return "unknown";
}

static const char *region_subtype_name(uint32_t type, uint32_t sub)
{
	uint32_t vendor = type & VFIO_REGION_TYPE_PCI_VENDOR_MASK;

	if (type & REGION_TYPE_PCI_VENDOR) {
		if (vendor == 0x8086 && sub == 1)
			return "Intel IGD OpRegion";
		if (vendor == 0x8086 && sub == 2)
			return "Intel IGD host config";
		if (vendor == 0x8086 && sub == 3)
			return "Intel IGD LPC config";
		if (vendor == 0x10de && sub == 1)
			return "NVIDIA NVLink2 RAM";
		if (vendor == 0x1014 && sub == 1)
			return "IBM NVLink2 ATSD";
		return "unknown";
	}
	switch (type << 8 | sub) {
	case VFIO_REGION_TYPE_GFX << 8 | VFIO_REGION_SUBTYPE_GFX_EDID:
		return "EDID";
	case VFIO_REGION_TYPE_CCW << 8 | VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD:
		return "async command";
	case VFIO_REGION_TYPE_CCW << 8 | VFIO_REGION_SUBTYPE_CCW_SCHIB:
		return "SCHIB";
	case VFIO_REGION_TYPE_CCW << 8 | VFIO_REGION_SUBTYPE_CCW_CRW:
		return "CRW";
	case VFIO_REGION_TYPE_MIGRATION_DEPRECATED << 8 |
	     VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED:
		return "migration";
	}
	return "unknown";
}

static void print_sparse(FILE *f, const char *in, const void *cap,
			 size_t size)
{
	struct vfio_region_info_cap_sparse_mmap sp;
	struct vfio_region_sparse_mmap_area area;
	const unsigned char *p = cap;
	size_t max;

	if (size < sizeof(sp)) {
		fprintf(f, "sparse mmap (truncated)\n");
		return;
	}
	memcpy(&sp, cap, sizeof(sp));
	max = (size - sizeof(sp)) / sizeof(area);
	fprintf(f, "sparse mmap, %" PRIu32 " area%s%s\n", sp.nr_areas,
		sp.nr_areas == 1 ? "" : "s",
		sp.nr_areas > max ? " (truncated)" : "");
	for (size_t i = 0; i < sp.nr_areas && i < max; i++) {
		memcpy(&area, p + sizeof(sp) + i * sizeof(area), sizeof(area));
		fprintf(f, "%s  area %zu: offset 0x%" PRIx64 ", size %" PRIu64
			"\n", in, i, (uint64_t)area.offset,
			(uint64_t)area.size);
	}
}

static int print_region_cap(const struct vfio_info_cap_header *hdr,
			    const void *cap, size_t size, void *arg)
{
	struct cap_ctx *c = arg;
	const char *in = c->indent;
	FILE *f = c->f;

	fprintf(f, "%scapability id %u v%u: ", in, hdr->id, hdr->version);
	switch (hdr->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP:
		print_sparse(f, in, cap, size);
		break;
	case VFIO_REGION_INFO_CAP_TYPE: {
		struct vfio_region_info_cap_type t;
		char tname[32];

		cap_copy(&t, sizeof(t), cap, size);
		fprintf(f, "type 0x%" PRIx32 " (%s), subtype 0x%" PRIx32
			" (%s)%s\n", t.type,
			region_type_name(tname, sizeof(tname), t.type),
			t.subtype, region_subtype_name(t.type, t.subtype),
			size < sizeof(t) ? " (truncated)" : "");
		break;
	}
	case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
		fprintf(f, "MSI-X table mappable\n");
		break;
	case VFIO_REGION_INFO_CAP_NVLINK2_SSATGT: {
		struct vfio_region_info_cap_nvlink2_ssatgt t;

		cap_copy(&t, sizeof(t), cap, size);
		fprintf(f, "NVLink2 target 0x%" PRIx64 "\n", (uint64_t)t.tgt);
		break;
	}
	case VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD: {
		struct vfio_region_info_cap_nvlink2_lnkspd l;

		cap_copy(&l, sizeof(l), cap, size);
		fprintf(f, "NVLink2 link speed %" PRIu32 "\n", l.link_speed);
		break;
	}
	default:
		fprintf(f, "unknown, %zu bytes\n", size);
	}
	return 0;
}

static int print_device_cap(const struct vfio_info_cap_header *hdr,
			    const void *cap, size_t size, void *arg)
{
	static const char *const zpci[] = {
		[VFIO_DEVICE_INFO_CAP_ZPCI_BASE] = "zPCI base",
		[VFIO_DEVICE_INFO_CAP_ZPCI_GROUP] = "zPCI group",
		[VFIO_DEVICE_INFO_CAP_ZPCI_UTIL] = "zPCI utility string",
		[VFIO_DEVICE_INFO_CAP_ZPCI_PFIP] = "zPCI function path",
	};
	struct cap_ctx *c = arg;
	const char *name = "unknown";

	(void)cap;
	if (hdr->id < ARRAY_SIZE(zpci) && zpci[hdr->id])
		name = zpci[hdr->id];
	fprintf(c->f, "%scapability id %u v%u: %s, %zu bytes\n", c->indent,
		hdr->id, hdr->version, name, size);
	return 0;
}

static void print_chain(FILE *f, const char *indent, const void *info,
			size_t len, size_t fixed, uint32_t first,
			mdk_vfio_cap_fn fn)
{
	struct cap_ctx c = { f, indent };
	int ret;

	ret = mdk_vfio_cap_walk(info, len, fixed, first, fn, &c);
	if (ret == -ELOOP)
		fprintf(f, "%scapability chain broken: a link goes backwards\n",
			indent);
	else if (ret == -ERANGE)
		fprintf(f, "%scapability chain broken: offset out of range\n",
			indent);
}

void mdk_print_device_info(FILE *f, const struct vfio_device_info *info,
			   size_t len)
{
	char flags[128];

	fprintf(f, "Flags: %s\n", mdk_flags_str(flags, sizeof(flags),
		info->flags, mdk_device_flag_names));
	if ((info->flags & VFIO_DEVICE_FLAGS_CAPS) && len > sizeof(*info))
		print_chain(f, "  ", info, len, sizeof(*info),
			    info->cap_offset, print_device_cap);
}

void mdk_print_region_info(FILE *f, uint32_t dev_flags,
			   const struct vfio_region_info *info, size_t len)
{
	char name[16], flags[128];

	fprintf(f, "  [%u] %s: size %" PRIu64 ", offset 0x%" PRIx64
		", flags %s\n", info->index,
		mdk_region_name(name, sizeof(name), dev_flags, info->index),
		(uint64_t)info->size, (uint64_t)info->offset,
		mdk_flags_str(flags, sizeof(flags), info->flags,
			      mdk_region_flag_names));
	if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) && len > sizeof(*info))
		print_chain(f, "      ", info, len, sizeof(*info),
			    info->cap_offset, print_region_cap);
}

void mdk_print_irq_info(FILE *f, uint32_t dev_flags,
			const struct vfio_irq_info *info)
{
	char name[16], flags[128];

	fprintf(f, "  [%u] %s: count %" PRIu32 ", flags %s\n", info->index,
		mdk_irq_name(name, sizeof(name), dev_flags, info->index),
		info->count, mdk_flags_str(flags, sizeof(flags), info->flags,
					   mdk_irq_flag_names));
}
