// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk host unit tests: the pure parts of the tool, without a kernel.
 *   unit MDK_BINARY     (the binary is used by the command-line tests)
 * Prints un-numbered TAP13 lines "ok - tool: <case>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "output.h"
#include "pcicfg.h"
#include "unit.h"
#include "util.h"
#include "vfiodec.h"

bool has(const char *hay, const char *needle, const char *name)
{
	bool ok = hay && strstr(hay, needle);

	if (!ok)
		tap_diag("  wanted \"%s\" in:\n%s", needle, hay ? hay : "(null)");
	return tap_ok(ok, "%s", name);
}

/* Run @fn's printing into a string (freed by the caller). */
#define CAPTURE(buf, call) do {					\
	size_t __n;							\
	FILE *f = open_memstream(&(buf), &__n);			\
	call;								\
	fclose(f);							\
} while (0)

static void test_uuid(void)
{
	static const char *const bad[] = {
		"", "12345678-1234-1234-1234-12345678901",
		"12345678-1234-1234-1234-1234567890abc",
		"12345678-1234-1234-1234-12345678901g",
		"123456781234123412341234567890ab0000",
		"12345678-1234-1234-1234-123456789012\n",
		" 2345678-1234-1234-1234-123456789012",
		"1234567-81234-1234-1234-123456789012",
	};
	char out[MDK_UUID_LEN + 1] = "untouched", a[37], b[37];
	bool rejected = true;

	tap_ok(mdk_uuid_normalize("0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d", out)
	       && !strcmp(out, "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d"),
	       "uuid: lower case accepted");
	tap_ok(mdk_uuid_normalize("0F6B3B79-7D3C-4B1E-9C1A-2F4F6B3B797D", out)
	       && !strcmp(out, "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d"),
	       "uuid: upper case normalized to lower");
	strcpy(out, "untouched");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mdk_uuid_normalize(bad[i], out)) {
			tap_diag("  accepted \"%s\"", bad[i]);
			rejected = false;
		}
	}
	tap_ok(rejected && !strcmp(out, "untouched"),
	       "uuid: malformed ones rejected, output untouched");
	mdk_uuid_generate(a);
	mdk_uuid_generate(b);
	tap_ok(mdk_uuid_normalize(a, out) && !strcmp(a, out) && strcmp(a, b),
	       "uuid: generated ones are valid, lower case and distinct");
}

static void test_flags(void)
{
	char buf[128], tiny[8];

	has(mdk_flags_str(buf, sizeof(buf), VFIO_DEVICE_FLAGS_RESET |
			  VFIO_DEVICE_FLAGS_PCI, mdk_device_flag_names),
	    "0x3 (RESET|PCI)", "flags: device RESET|PCI");
	has(mdk_flags_str(buf, sizeof(buf), 0, mdk_region_flag_names),
	    "0x0 (none)", "flags: zero is none");
	has(mdk_flags_str(buf, sizeof(buf), VFIO_REGION_INFO_FLAG_READ | 0x100,
			  mdk_region_flag_names),
	    "0x101 (READ|0x100)", "flags: unknown bits printed in hex");
	has(mdk_flags_str(buf, sizeof(buf), 0x7, mdk_irq_flag_names),
	    "0x7 (EVENTFD|MASKABLE|AUTOMASKED)", "flags: IRQ INTx flags");
	mdk_flags_str(tiny, sizeof(tiny), 0xff, mdk_device_flag_names);
	tap_ok(strlen(tiny) == sizeof(tiny) - 1, "flags: truncated safely");
	tap_ok(!strcmp(mdk_region_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				       0), "BAR0") &&
	       !strcmp(mdk_region_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				       7), "CONFIG") &&
	       !strcmp(mdk_region_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				       9), "REGION9") &&
	       !strcmp(mdk_region_name(buf, sizeof(buf), 0, 0), "REGION0"),
	       "names: region indexes");
	tap_ok(!strcmp(mdk_irq_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				    0), "INTX") &&
	       !strcmp(mdk_irq_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				    4), "REQ") &&
	       !strcmp(mdk_irq_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_CCW,
				    1), "CRW") &&
	       !strcmp(mdk_irq_name(buf, sizeof(buf), VFIO_DEVICE_FLAGS_PCI,
				    5), "IRQ5"),
	       "names: IRQ indexes");
}

/* A region info with a sparse-mmap and a type capability, 8-aligned as
 * the kernel lays them out.
 */
struct canned_region {
	struct vfio_region_info info;				/* 32 */
	struct vfio_region_info_cap_sparse_mmap sparse;		/* 16 */
	struct vfio_region_sparse_mmap_area areas[2];		/* 32 */
	struct vfio_region_info_cap_type type;			/* 16 */
};

static void canned_region(struct canned_region *r)
{
	memset(r, 0, sizeof(*r));
	r->info.argsz = sizeof(*r);
	r->info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP |
			VFIO_REGION_INFO_FLAG_CAPS;
	r->info.index = 0;
	r->info.size = 0x2000;
	r->info.cap_offset = offsetof(struct canned_region, sparse);
	r->sparse.header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	r->sparse.header.version = 1;
	r->sparse.header.next = offsetof(struct canned_region, type);
	r->sparse.nr_areas = 2;
	r->areas[0].offset = 0;
	r->areas[0].size = 0x800;
	r->areas[1].offset = 0x1000;
	r->areas[1].size = 0x1000;
	r->type.header.id = VFIO_REGION_INFO_CAP_TYPE;
	r->type.header.version = 1;
	r->type.type = VFIO_REGION_TYPE_GFX;
	r->type.subtype = VFIO_REGION_SUBTYPE_GFX_EDID;
}

static int count_ids(const struct vfio_info_cap_header *hdr, const void *cap,
		     size_t size, void *arg)
{
	unsigned int *ids = arg;

	(void)cap;
	(void)size;
	*ids = *ids * 10 + hdr->id;
	return 0;
}

static int walk(const struct canned_region *r, size_t len)
{
	unsigned int ids = 0;

	return mdk_vfio_cap_walk(r, len, sizeof(r->info), r->info.cap_offset,
				 count_ids, &ids);
}

static void test_vfio_caps(void)
{
	struct canned_region r;
	unsigned int ids = 0;
	char *out = NULL;

	canned_region(&r);
	tap_ok(mdk_vfio_cap_walk(&r, sizeof(r), sizeof(r.info),
				 r.info.cap_offset, count_ids, &ids) == 2 &&
	       ids == 12, "vfio caps: chain of two walked in order");
	CAPTURE(out, mdk_print_region_info(f, VFIO_DEVICE_FLAGS_PCI, &r.info,
					   sizeof(r)));
	has(out, "[0] BAR0: size 8192, offset 0x0, flags 0xd "
	    "(READ|MMAP|CAPS)", "vfio caps: region line");
	has(out, "sparse mmap, 2 areas", "vfio caps: sparse mmap decoded");
	has(out, "area 1: offset 0x1000, size 4096",
	    "vfio caps: sparse mmap areas listed");
	has(out, "type 0x1 (graphics), subtype 0x1 (EDID)",
	    "vfio caps: region type decoded");
	free(out);
	r.type.type = 0x80008086;
	r.type.subtype = VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION;
	CAPTURE(out, mdk_print_region_info(f, VFIO_DEVICE_FLAGS_PCI, &r.info,
					   sizeof(r)));
	has(out, "type 0x80008086 (PCI vendor 8086), subtype 0x1 (Intel IGD "
	    "OpRegion)", "vfio caps: vendor region type decoded");
	free(out);

	canned_region(&r);
	r.info.cap_offset = 0;
	tap_ok(walk(&r, sizeof(r)) == 0, "vfio caps: no chain");

	canned_region(&r);
	r.type.header.next = offsetof(struct canned_region, sparse);
	tap_ok(walk(&r, sizeof(r)) == -ELOOP, "vfio caps: loop rejected");

	canned_region(&r);
	r.sparse.header.next = offsetof(struct canned_region, sparse);
	tap_ok(walk(&r, sizeof(r)) == -ELOOP,
	       "vfio caps: self-loop rejected");

	canned_region(&r);
	r.type.header.next = sizeof(r) + 8;
	tap_ok(walk(&r, sizeof(r)) == -ERANGE,
	       "vfio caps: next beyond the buffer rejected");

	canned_region(&r);
	r.info.cap_offset = 8;
	tap_ok(walk(&r, sizeof(r)) == -ERANGE,
	       "vfio caps: offset into the fixed part rejected");

	canned_region(&r);
	r.info.cap_offset = sizeof(r) - 4;
	tap_ok(walk(&r, sizeof(r)) == -ERANGE,
	       "vfio caps: header past the end rejected");

	canned_region(&r);
	r.sparse.header.next = offsetof(struct canned_region, sparse) + 4;
	tap_ok(walk(&r, sizeof(r)) == -ERANGE,
	       "vfio caps: overlapping headers rejected");

	canned_region(&r);
	r.sparse.nr_areas = 0x10000000;
	r.type.header.next = 0x7fffffff;
	CAPTURE(out, mdk_print_region_info(f, VFIO_DEVICE_FLAGS_PCI, &r.info,
					   sizeof(r)));
	has(out, "(truncated)", "vfio caps: oversized area count truncated");
	has(out, "capability chain broken: offset out of range",
	    "vfio caps: broken chain reported");
	free(out);
}

/* The configuration space of an mtty device (2 ports), as mdevkit's
 * virtual PCI helper lays it out: MSI capability at 0x60.
 */
static void mtty_config(uint8_t *c, size_t len)
{
	memset(c, 0, len);
	c[0x00] = 0x48; c[0x01] = 0x43;	/* vendor 4348 */
	c[0x02] = 0x53; c[0x03] = 0x32;	/* device 3253 */
	c[0x06] = 0x10;			/* status: capability list */
	c[0x08] = 0x10;			/* revision */
	c[0x09] = 0x02; c[0x0a] = 0x00; c[0x0b] = 0x07;	/* class 070002 */
	c[0x10] = 0x01;			/* BAR0: I/O */
	c[0x14] = 0x01;			/* BAR1: I/O */
	c[0x2c] = 0x48; c[0x2d] = 0x43;	/* subsystem 4348:3253 */
	c[0x2e] = 0x53; c[0x2f] = 0x32;
	c[0x34] = 0x60;			/* capability pointer */
	c[0x3d] = 0x01;			/* INTA# */
	c[0x60] = 0x05; c[0x61] = 0x00;	/* MSI, last */
	c[0x62] = 0x80;			/* 64-bit, 1 vector */
}

static char *decode(const uint8_t *cfg, size_t len, const uint64_t *bars,
		    const char *ids)
{
	struct pci_access *names = mdk_pci_names_open(ids);
	char *out = NULL;

	if (!names)
		return NULL;
	CAPTURE(out, mdk_pci_print_config(f, cfg, len, bars, names));
	mdk_pci_names_close(names);
	return out;
}

/* A two-line pci.ids with just what the mtty test needs. */
static char *write_ids(void)
{
	static const char ids[] =
		"4348  WCH.CN\n"
		"\t3253  CH352 PCI Dual Serial Port Controller\n"
		"C 07  Communication controller\n"
		"\t00  Serial controller\n"
		"\t\t02  16550\n";
	char *path = strdup("/tmp/mdk-unit-ids.XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, ids, sizeof(ids) - 1) != sizeof(ids) - 1) {
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_pci_decode(void)
{
	uint64_t bars[MDK_PCI_NR_BARS] = { 8, 8 };
	char *ids = write_ids(), *out;
	uint8_t cfg[256];

	mtty_config(cfg, sizeof(cfg));
	out = decode(cfg, sizeof(cfg), bars, ids);
	has(out, "Serial controller [0700]: WCH.CN CH352 PCI Dual Serial Port "
	    "Controller [4348:3253] (rev 10) (prog-if 02 [16550])",
	    "pci: mtty identity with names from pci.ids");
	has(out, "Subsystem: WCH.CN CH352 PCI Dual Serial Port Controller "
	    "[4348:3253]", "pci: subsystem");
	has(out, "Command: I/O- Mem- BusMaster-", "pci: command decoded");
	has(out, "Status: Cap+ 66MHz-", "pci: status decoded");
	has(out, "Interrupt: pin A routed to IRQ 0", "pci: interrupt pin");
	has(out, "Region 0: I/O ports at 0000 [disabled] [size=8]\n"
	    "  Region 1: I/O ports at 0000 [disabled] [size=8]\n",
	    "pci: two I/O BARs with sizes");
	has(out, "Capabilities: [60] MSI: Enable- Count=1/1 Maskable- 64bit+\n"
	    "    Address: 0000000000000000  Data: 0000",
	    "pci: MSI capability decoded");
	tap_ok(out && !strstr(out, "Region 2") && !strstr(out, "Expansion"),
	       "pci: absent BARs and ROM not listed");
	free(out);

	out = decode(cfg, sizeof(cfg), bars, "/nonexistent/pci.ids");
	has(out, "Class [0700]: Device [4348:3253] (rev 10) (prog-if 02)",
	    "pci: numeric identity without pci.ids");
	free(out);
	if (access("/usr/share/misc/pci.ids", R_OK) == 0) {
		out = decode(cfg, sizeof(cfg), bars, "/usr/share/misc/pci.ids");
		has(out, "[4348:3253] (rev 10)", "pci: system pci.ids");
		tap_ok(out && !strstr(out, "Device [4348:3253]"),
		       "pci: system pci.ids names the mtty device");
		free(out);
	}

	/* A memory BAR pair, enabled, with an MSI-X and a PCIe capability
	 * and two extended capabilities in 4 KiB.
	 */
	uint8_t big[4096];
	uint64_t mbars[MDK_PCI_NR_BARS] = { 0, 0, 16 << 20, 0, 0, 0, 0x10000 };

	mtty_config(big, sizeof(big));
	big[0x04] = 0x06;				/* Mem+ BusMaster+ */
	big[0x10] = big[0x14] = 0;
	big[0x18] = 0x0c; big[0x1b] = 0xfe;		/* 64-bit prefetch */
	big[0x1c] = 0x01;				/* upper half: 1 */
	big[0x30] = 0x01; big[0x33] = 0xff;		/* ROM, enabled */
	big[0x61] = 0x70;				/* MSI -> 0x70 */
	big[0x70] = 0x11; big[0x71] = 0x80;		/* MSI-X -> 0x80 */
	big[0x72] = 0x07; big[0x73] = 0xc0;		/* 8, enabled, masked */
	big[0x74] = 0x02; big[0x75] = 0x20;		/* table BAR2+0x2000 */
	big[0x78] = 0x02; big[0x79] = 0x30;		/* PBA BAR2+0x3000 */
	big[0x80] = 0x10; big[0x82] = 0x02;		/* PCIe v2 endpoint */
	big[0x100] = 0x01; big[0x102] = 0x01; big[0x103] = 0x14; /* AER */
	big[0x140] = 0x03; big[0x142] = 0x01;		/* DSN, last */
	big[0x144] = 0x78; big[0x145] = 0x56; big[0x146] = 0x34;
	big[0x147] = 0x12; big[0x148] = 0xef; big[0x14b] = 0xab;
	out = decode(big, sizeof(big), mbars, ids);
	has(out, "Region 2: Memory at 1fe000000 (64-bit, prefetchable) "
	    "[size=16M]", "pci: 64-bit memory BAR");
	tap_ok(out && !strstr(out, "Region 3"),
	       "pci: upper half of a 64-bit BAR not listed");
	has(out, "Expansion ROM at ff000000 [size=64K]", "pci: expansion ROM");
	has(out, "Capabilities: [70] MSI-X: Enable+ Count=8 Masked+\n"
	    "    Vector table: BAR=2 offset=00002000\n"
	    "    PBA: BAR=2 offset=00003000", "pci: MSI-X decoded");
	has(out, "Capabilities: [80] Express (v2) Endpoint, MSI 00",
	    "pci: PCIe capability decoded");
	has(out, "Capabilities: [100 v1] Advanced Error Reporting\n"
	    "  Capabilities: [140 v1] Device Serial Number ab0000ef12345678",
	    "pci: extended capabilities decoded");
	free(out);
	if (ids)
		unlink(ids);
	free(ids);
}

static int count_pci(const uint8_t *cfg, size_t len, unsigned int off,
		     unsigned int id, void *arg)
{
	(void)cfg;
	(void)len;
	(void)off;
	(void)id;
	++*(int *)arg;
	return 0;
}

static void test_pci_caps(void)
{
	uint8_t cfg[4096];
	char *out;
	int n = 0;

	mtty_config(cfg, 256);
	cfg[0x61] = 0x40;
	cfg[0x40] = 0x09; cfg[0x41] = 0x48; cfg[0x42] = 0x08;	/* vendor */
	cfg[0x48] = 0x01; cfg[0x49] = 0x00;			/* PM */
	tap_ok(mdk_pci_cap_walk(cfg, 256, false, count_pci, &n) == 3 && n == 3,
	       "pci caps: chain of three walked");
	out = decode(cfg, 256, NULL, "/nonexistent");
	has(out, "Capabilities: [60] MSI", "pci caps: first of the chain");
	has(out, "Capabilities: [40] Vendor Specific Information: Len=08",
	    "pci caps: vendor-specific decoded");
	has(out, "Capabilities: [48] Power Management version 0",
	    "pci caps: power management decoded");
	free(out);

	cfg[0x49] = 0x60;					/* PM -> MSI */
	n = 0;
	tap_ok(mdk_pci_cap_walk(cfg, 256, false, count_pci, &n) == -ELOOP &&
	       n == 3, "pci caps: loop rejected after the valid ones");
	out = decode(cfg, 256, NULL, "/nonexistent");
	has(out, "Capabilities: <chain loops>", "pci caps: loop reported");
	free(out);

	cfg[0x49] = 0x20;				/* into the header */
	tap_ok(mdk_pci_cap_walk(cfg, 256, false, NULL, NULL) == -ERANGE,
	       "pci caps: pointer into the header rejected");
	cfg[0x49] = 0xfc;
	tap_ok(mdk_pci_cap_walk(cfg, 0xfd, false, NULL, NULL) == -ERANGE,
	       "pci caps: pointer past a short buffer rejected");
	cfg[0x49] = 0x00;
	cfg[0x48] = 0xff;
	tap_ok(mdk_pci_cap_walk(cfg, 256, false, NULL, NULL) == -EINVAL,
	       "pci caps: ID 0xff rejected");
	cfg[0x06] = 0;
	tap_ok(mdk_pci_cap_walk(cfg, 256, false, NULL, NULL) == 0,
	       "pci caps: no list without the status bit");

	memset(cfg + 256, 0, sizeof(cfg) - 256);
	tap_ok(mdk_pci_cap_walk(cfg, sizeof(cfg), true, NULL, NULL) == 0,
	       "pci ext caps: none");
	cfg[0x100] = 0x01; cfg[0x103] = 0x10;		/* AER -> 0x100 */
	tap_ok(mdk_pci_cap_walk(cfg, sizeof(cfg), true, NULL, NULL) == -ELOOP,
	       "pci ext caps: self-loop rejected");
	cfg[0x103] = 0x1f; cfg[0x102] = 0xf0;		/* -> 0x1ff */
	tap_ok(mdk_pci_cap_walk(cfg, 0x1fe, true, NULL, NULL) == -ERANGE,
	       "pci ext caps: next past the end rejected");
	cfg[0x103] = 0x08; cfg[0x102] = 0;		/* -> 0x80 */
	tap_ok(mdk_pci_cap_walk(cfg, sizeof(cfg), true, NULL, NULL) == -ERANGE,
	       "pci ext caps: next below 0x100 rejected");
	out = decode(cfg, 0x30, NULL, "/nonexistent");
	has(out, "<too short to decode>", "pci: short buffer refused");
	free(out);
}

static void test_json(void)
{
	struct mdk_type types[2] = {
		{ "mtty-1", "Single port serial", 24, "vfio-pci", NULL },
		{ "mtty-2", "Dual port serial", 12, "vfio-pci", "two ports" },
	};
	struct mdk_parent parent = { "mtty", types, 2 };
	struct mdk_device devs[2] = {
		{ "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d", "mtty", "mtty-2", 3 },
		{ "1f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d", NULL, NULL, -1 },
	};
	struct json_object *doc, *p, *t, *v;
	char *out = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&out, &n);
	tap_ok(mdk_json_print(f, mdk_json_types(&parent, 1)) == 0,
	       "json: types printed");
	fclose(f);
	doc = json_tokener_parse(out);
	p = doc ? json_object_array_get_idx(doc, 0) : NULL;
	tap_ok(json_object_is_type(doc, json_type_array) &&
	       json_object_array_length(doc) == 1 &&
	       json_object_object_get_ex(p, "parent", &v) &&
	       !strcmp(json_object_get_string(v), "mtty"),
	       "json: types is an array of parents");
	t = json_object_object_get_ex(p, "types", &v) ?
		json_object_array_get_idx(v, 1) : NULL;
	tap_ok(json_object_object_get_ex(t, "type", &v) &&
	       !strcmp(json_object_get_string(v), "mtty-2") &&
	       json_object_object_get_ex(t, "available_instances", &v) &&
	       json_object_is_type(v, json_type_int) &&
	       json_object_get_int(v) == 12 &&
	       json_object_object_get_ex(t, "device_api", &v) &&
	       !strcmp(json_object_get_string(v), "vfio-pci") &&
	       json_object_object_get_ex(t, "description", &v) &&
	       !strcmp(json_object_get_string(v), "two ports") &&
	       json_object_object_get_ex(t, "name", &v),
	       "json: a type has every field");
	t = json_object_object_get_ex(p, "types", &v) ?
		json_object_array_get_idx(v, 0) : NULL;
	tap_ok(json_object_object_get_ex(t, "description", &v) && !v,
	       "json: an absent attribute is null");
	json_object_put(doc);
	free(out);

	out = NULL;
	f = open_memstream(&out, &n);
	mdk_json_print(f, mdk_json_devices(devs, 2));
	fclose(f);
	doc = json_tokener_parse(out);
	p = doc ? json_object_array_get_idx(doc, 0) : NULL;
	tap_ok(json_object_array_length(doc) == 2 &&
	       json_object_object_get_ex(p, "uuid", &v) &&
	       !strcmp(json_object_get_string(v), devs[0].uuid) &&
	       json_object_object_get_ex(p, "parent", &v) &&
	       !strcmp(json_object_get_string(v), "mtty") &&
	       json_object_object_get_ex(p, "type", &v) &&
	       !strcmp(json_object_get_string(v), "mtty-2") &&
	       json_object_object_get_ex(p, "iommu_group", &v) &&
	       json_object_get_int(v) == 3, "json: a device has every field");
	p = doc ? json_object_array_get_idx(doc, 1) : NULL;
	tap_ok(json_object_object_get_ex(p, "iommu_group", &v) && !v &&
	       json_object_object_get_ex(p, "parent", &v) && !v,
	       "json: unknown device fields are null");
	json_object_put(doc);
	free(out);

	tap_ok(mdk_json_print(stdout, NULL) == -1, "json: NULL document fails");

	CAPTURE(out, mdk_print_types(f, &parent, 1));
	has(out, "mtty\n  mtty-1\n    name: Single port serial\n"
	    "    available_instances: 24\n    device_api: vfio-pci\n"
	    "  mtty-2\n", "text: types");
	free(out);
	CAPTURE(out, mdk_print_devices(f, devs, 2));
	has(out, "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d mtty mtty-2 3\n"
	    "1f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d - - -\n", "text: list");
	free(out);
}

int main(int argc, char **argv)
{
	tap_init("tool");
	test_uuid();
	test_flags();
	test_vfio_caps();
	test_pci_decode();
	test_pci_caps();
	test_json();
	if (argc > 1)
		test_cli(argv[1]);
	else
		tap_diag("no mdk binary given: command-line tests skipped");
	return tap_done();
}
