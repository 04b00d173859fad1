// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_type1: the type1 IOMMU backend (MAP_DMA/UNMAP_DMA/IOMMU_GET_INFO)
 * and the vendor DMA API (pin/unpin/dma_rw), driven through an
 * mdk_pintest device whose BAR0 registers call into it.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include "tap.h"
#include "mdk_test.h"

#define PT_PARENT	"mdk_pintest"
#define PT_TYPE		"mdk_pintest-pin"
#define LIMIT_PARAM	"/sys/module/mdk_vfio/parameters/dma_entry_limit"

/* pintest BAR0 registers (see tests/kmod/pintest.c) */
#define R_IOVA		0x00
#define R_NPAGES	0x08
#define R_PROT		0x0c
#define R_CMD		0x10
#define R_RESULT	0x14
#define R_PINNED	0x18
#define R_UNMAPS	0x1c
#define R_LEN		0x20
#define R_FLAGS		0x24
#define F_LEAK		1
#define R_BUF		0x400
#define CMD_PIN		1
#define CMD_UNPIN	2
#define CMD_DMA_READ	3
#define CMD_DMA_WRITE	4
#define P_R		1
#define P_W		2
#define P_RW		3
#define BAD		((int32_t)0x7fffffff)	/* register access failed */

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* IOVAs of the mappings used below */
#define IOVA_A		0x100000ULL
#define IOVA_P		0x10000000ULL
#define IOVA_R		0x20000000ULL
#define IOVA_W		0x30000000ULL
#define IOVA_L		0x40000000ULL
#define IOVA_BIG	(1ULL << 40)
#define GIB		(1ULL << 30)

static struct mdk_vfio v;
static char uuid[37];
static uint64_t ps;
static long vm0;

static uint64_t pg(uint64_t n)
{
	return n * ps;
}

/* VmLck delta of @n pages, in kB */
static long kb(long n)
{
	return n * (long)ps / 1024;
}

static void *alloc_buf(uint64_t size, int extra_flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap %llu bytes: %s", (unsigned long long)size,
			 strerror(errno));
	return p;
}

static int map_dma(int c, uint64_t iova, void *vaddr, uint64_t size,
		   uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap_dma(int c, uint64_t iova, uint64_t size, uint32_t flags,
		     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};
	int r = ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);

	if (unmapped)
		*unmapped = u.size;
	return r;
}

static int unmap_all(int c)
{
	return unmap_dma(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL);
}

/* ---- pintest registers ---- */

static bool reg_w(unsigned int off, uint64_t val, size_t len)
{
	uint64_t le = htole64(val);
	uint32_t le32 = htole32((uint32_t)val);
	const void *p = len == 8 ? (const void *)&le : (const void *)&le32;

	if (pwrite(v.device, p, len, mdk_region_off(0) + off) != (ssize_t)len) {
		tap_diag("  BAR0 write at 0x%x: %s", off, strerror(errno));
		return false;
	}
	return true;
}

static int32_t reg_r(unsigned int off)
{
	uint32_t le;

	if (pread(v.device, &le, 4, mdk_region_off(0) + off) != 4) {
		tap_diag("  BAR0 read at 0x%x: %s", off, strerror(errno));
		return BAD;
	}
	return (int32_t)le32toh(le);
}

static int32_t cmd(uint32_t c)
{
	if (!reg_w(R_CMD, c, 4))
		return BAD;
	return reg_r(R_RESULT);
}

static int32_t pin(uint64_t iova, uint32_t npages, uint32_t prot)
{
	if (!reg_w(R_IOVA, iova, 8) || !reg_w(R_NPAGES, npages, 4) ||
	    !reg_w(R_PROT, prot, 4))
		return BAD;
	return cmd(CMD_PIN);
}

static int32_t unpin(uint64_t iova, uint32_t npages)
{
	if (!reg_w(R_IOVA, iova, 8) || !reg_w(R_NPAGES, npages, 4))
		return BAD;
	return cmd(CMD_UNPIN);
}

static int32_t dma(uint64_t iova, uint32_t len, bool write)
{
	if (!reg_w(R_IOVA, iova, 8) || !reg_w(R_LEN, len, 4))
		return BAD;
	return cmd(write ? CMD_DMA_WRITE : CMD_DMA_READ);
}

static bool buf_io(void *data, size_t len, bool write)
{
	off_t off = mdk_region_off(0) + R_BUF;
	ssize_t n = write ? pwrite(v.device, data, len, off) :
			    pread(v.device, data, len, off);

	return n == (ssize_t)len;
}

/* Compare an int result, with a diagnostic on mismatch. */
static bool eq(long got, long want, const char *what)
{
	if (got != want)
		tap_diag("  %s: got %ld, want %ld", what, got, want);
	return got == want;
}

static bool vmlck_is(long want)
{
	return eq(mdk_vmlck_kb(), want, "VmLck kB");
}

/* ---- IOMMU_GET_INFO ---- */

static union {
	struct vfio_iommu_type1_info info;
	char b[4096];
} ib;

static int get_info(int c, uint32_t argsz)
{
	memset(&ib, 0, sizeof(ib));
	ib.info.argsz = argsz;
	return ioctl(c, VFIO_IOMMU_GET_INFO, &ib);
}

/* The DMA_AVAIL capability of container @c, or -1. */
static long dma_avail(int c)
{
	struct vfio_info_cap_header *h;
	uint32_t off;
	int n = 0;

	if (get_info(c, sizeof(ib)))
		return -1;
	for (off = ib.info.cap_offset; off && n < 16; off = h->next, n++) {
		if (off + sizeof(*h) > sizeof(ib))
			return -1;
		h = (void *)(ib.b + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
			return ((struct vfio_iommu_type1_info_dma_avail *)h)->avail;
	}
	return -1;
}

static void test_extension(void)
{
	int c = v.container;

	tap_ok(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1,
	       "CHECK_EXTENSION TYPE1 = 1");
	tap_ok(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
	       "CHECK_EXTENSION TYPE1v2 = 1");
	tap_ok(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) == 1,
	       "CHECK_EXTENSION UNMAP_ALL = 1");
	tap_ok(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR) == 0 &&
	       ioctl(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0 &&
	       ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_NESTING_IOMMU) == 0 &&
	       ioctl(c, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) == 0,
	       "CHECK_EXTENSION UPDATE_VADDR/DMA_CC/NESTING/NOIOMMU = 0");
}

static void test_info(void)
{
	size_t minsz = offsetof(struct vfio_iommu_type1_info, iova_pgsizes) +
		       sizeof(uint64_t);
	struct vfio_info_cap_header *h;
	bool range_ok = false, avail_ok = false, chain_ok = true;
	uint32_t off, need;
	int n = 0;

	TAP_ZERO(get_info(v.container, sizeof(ib)), "GET_INFO");
	tap_ok(eq(ib.info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
		  "flags"), "GET_INFO flags PGSIZES|CAPS");
	tap_ok(ib.info.iova_pgsizes == ~(ps - 1), "GET_INFO pgsizes 0x%llx",
	       (unsigned long long)ib.info.iova_pgsizes);
	tap_ok(ib.info.cap_offset >= sizeof(ib.info), "GET_INFO cap_offset %u",
	       ib.info.cap_offset);
	for (off = ib.info.cap_offset; off; off = h->next) {
		if (off + sizeof(*h) > sizeof(ib) || ++n > 8) {
			chain_ok = false;
			break;
		}
		h = (void *)(ib.b + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)h;

			range_ok = h->version == 1 && r->nr_iovas == 1 &&
				   r->iova_ranges[0].start == 0 &&
				   r->iova_ranges[0].end == UINT64_MAX;
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail *a = (void *)h;

			avail_ok = h->version == 1 &&
				   eq(a->avail, 65535, "avail");
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
			chain_ok = false;	/* no dirty tracking here */
		}
	}
	tap_ok(chain_ok && n == 2, "GET_INFO chain: 2 caps, no MIGRATION");
	tap_ok(range_ok, "GET_INFO cap IOVA_RANGE [0, ~0]");
	tap_ok(avail_ok, "GET_INFO cap DMA_AVAIL 65535");

	TAP_ZERO(get_info(v.container, sizeof(ib.info)),
		 "GET_INFO argsz = sizeof(info)");
	need = ib.info.argsz;
	tap_ok(need > sizeof(ib.info) && ib.info.cap_offset == 0 &&
	       (ib.info.flags & VFIO_IOMMU_INFO_CAPS),
	       "GET_INFO small argsz: argsz grows to %u, cap_offset 0, CAPS",
	       need);
	TAP_ZERO(get_info(v.container, need), "GET_INFO with reported argsz");
	tap_ok(ib.info.cap_offset == sizeof(ib.info),
	       "GET_INFO reported argsz is enough for the chain");

	/* old userspace without cap_offset: the field is left alone */
	memset(&ib, 0, sizeof(ib));
	ib.info.argsz = minsz;
	ib.info.cap_offset = 0xdeadbeef;
	TAP_ZERO(ioctl(v.container, VFIO_IOMMU_GET_INFO, &ib),
		 "GET_INFO argsz = minsz");
	tap_ok(ib.info.cap_offset == 0xdeadbeef &&
	       ib.info.iova_pgsizes == ~(ps - 1),
	       "GET_INFO argsz = minsz: pgsizes, cap_offset untouched");
	TAP_ERRNO(get_info(v.container, minsz - 1), EINVAL,
		  "GET_INFO argsz < minsz EINVAL");
}

static void test_map(void)
{
	int c = v.container;
	char *a = alloc_buf(pg(64), 0);
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m) - 1, .flags = RW,
		.vaddr = (uintptr_t)a, .iova = IOVA_A + pg(100), .size = ps,
	};
	uint64_t top = 0 - ps, got;

	TAP_ZERO(map_dma(c, IOVA_A, a, pg(16), RW), "MAP 16 pages");
	tap_ok(eq(dma_avail(c), 65534, "avail"), "MAP takes one DMA_AVAIL");
	TAP_ERRNO(map_dma(c, IOVA_A, a, pg(16), RW), EEXIST,
		  "MAP duplicate EEXIST");
	TAP_ERRNO(map_dma(c, IOVA_A - ps, a, pg(2), RW), EEXIST,
		  "MAP overlap front EEXIST");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(15), a, pg(2), RW), EEXIST,
		  "MAP overlap back EEXIST");
	TAP_ERRNO(map_dma(c, IOVA_A + ps, a, ps, RW), EEXIST,
		  "MAP inside EEXIST");
	TAP_ERRNO(map_dma(c, IOVA_A - ps, a, pg(18), RW), EEXIST,
		  "MAP enclosing EEXIST");
	TAP_ZERO(map_dma(c, IOVA_A - ps, a + pg(20), ps, RW) ||
		 map_dma(c, IOVA_A + pg(16), a + pg(21), ps, RW),
		 "MAP adjacent below and above");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100) + 1, a, ps, RW), EINVAL,
		  "MAP unaligned iova EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a + 1, ps, RW), EINVAL,
		  "MAP unaligned vaddr EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a, ps + 1, RW), EINVAL,
		  "MAP unaligned size EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a, 0, RW), EINVAL,
		  "MAP size 0 EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a, ps, 0), EINVAL,
		  "MAP no READ/WRITE EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a, ps, RW | (1 << 3)), EINVAL,
		  "MAP unknown flag EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), a, ps,
			  RW | VFIO_DMA_MAP_FLAG_VADDR), EINVAL,
		  "MAP flag VADDR EINVAL");
	TAP_ERRNO(ioctl(c, VFIO_IOMMU_MAP_DMA, &m), EINVAL,
		  "MAP argsz < minsz EINVAL");
	TAP_ERRNO(map_dma(c, top - ps, a, pg(4), RW), EINVAL,
		  "MAP iova overflow EINVAL");
	TAP_ERRNO(map_dma(c, IOVA_A + pg(100), (void *)(uintptr_t)(top - ps),
			  pg(4), RW), EINVAL, "MAP vaddr overflow EINVAL");
	TAP_ZERO(map_dma(c, top, a, ps, RW), "MAP last page of the IOVA space");
	tap_ok(unmap_dma(c, top, ps, 0, &got) == 0 && got == ps,
	       "UNMAP last page of the IOVA space");
	tap_ok(eq(dma_avail(c), 65532, "avail"), "DMA_AVAIL after 3 maps");

	/* UNMAP with IOVA_A (16 pages) and its two neighbours mapped */
	TAP_ERRNO(unmap_dma(c, IOVA_A + ps, pg(15), 0, NULL), EINVAL,
		  "UNMAP splitting the start EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, ps, 0, NULL), EINVAL,
		  "UNMAP splitting the end EINVAL");
	tap_ok(unmap_dma(c, 0x7000000000ULL, pg(4), 0, &got) == 0 && got == 0,
	       "UNMAP of an unmapped range: 0, size 0");
	TAP_ERRNO(unmap_dma(c, IOVA_A, 0, 0, NULL), EINVAL,
		  "UNMAP size 0 EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A + 1, pg(16), 0, NULL), EINVAL,
		  "UNMAP unaligned iova EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, pg(16) + 1, 0, NULL), EINVAL,
		  "UNMAP unaligned size EINVAL");
	TAP_ERRNO(unmap_dma(c, top, pg(2), 0, NULL), EINVAL,
		  "UNMAP overflow EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL),
		  EINVAL, "UNMAP_ALL with iova EINVAL");
	TAP_ERRNO(unmap_dma(c, 0, ps, VFIO_DMA_UNMAP_FLAG_ALL, NULL),
		  EINVAL, "UNMAP_ALL with size EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, pg(16), 1 << 3, NULL), EINVAL,
		  "UNMAP unknown flag EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, pg(16),
			    VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, NULL), EINVAL,
		  "UNMAP GET_DIRTY_BITMAP EINVAL");
	TAP_ERRNO(unmap_dma(c, IOVA_A, pg(16), VFIO_DMA_UNMAP_FLAG_VADDR,
			    NULL), EINVAL, "UNMAP VADDR EINVAL");
	{
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u) - 1, .iova = IOVA_A, .size = pg(16),
		};

		TAP_ERRNO(ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u), EINVAL,
			  "UNMAP argsz < minsz EINVAL");
	}
	TAP_ERRNO(map_dma(c, IOVA_A, a, pg(16), RW), EEXIST,
		  "failed UNMAPs left the mapping");
	tap_ok(unmap_dma(c, IOVA_A, pg(17), 0, &got) == 0 && got == pg(17),
	       "UNMAP two mappings at once: size is their sum");
	TAP_ZERO(map_dma(c, 0x200000, a, ps, VFIO_DMA_MAP_FLAG_READ) ||
		 map_dma(c, 0x300000, a, pg(2), VFIO_DMA_MAP_FLAG_WRITE),
		 "MAP read-only and write-only");
	tap_ok(unmap_dma(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &got) == 0 &&
	       eq(got, pg(4), "unmapped"), "UNMAP_ALL returns the total size");
	tap_ok(eq(dma_avail(c), 65535, "avail"), "DMA_AVAIL back to 65535");
	munmap(a, pg(64));
}

/* A second device in a container of its own, with IOMMU type @type. */
static int open_second(const char *u2, struct mdk_vfio *w, int type)
{
	char path[64];

	w->device = -1;
	w->group_id = mdk_group_id(u2);
	snprintf(path, sizeof(path), "/dev/vfio/%d", w->group_id);
	w->container = open("/dev/vfio/vfio", O_RDWR);
	w->group = open(path, O_RDWR);
	if (w->container < 0 || w->group < 0 ||
	    ioctl(w->group, VFIO_GROUP_SET_CONTAINER, &w->container) ||
	    ioctl(w->container, VFIO_SET_IOMMU, type)) {
		tap_diag("  opening %s: %s", u2, strerror(errno));
		mdk_vfio_close(w);
		return -1;
	}
	return 0;
}

static void test_limit_and_v1(void)
{
	char u2[37] = "";
	struct mdk_vfio w, saved = v;
	char *a = alloc_buf(pg(8), 0);
	uint64_t got;
	int i, ok = 1;

	if (mdk_create(PT_PARENT, PT_TYPE, u2)) {
		tap_ok(false, "create a second pintest device");
		return;
	}
	TAP_ZERO(mdk_write_file(LIMIT_PARAM, "4"), "dma_entry_limit = 4");
	if (!open_second(u2, &w, VFIO_TYPE1v2_IOMMU)) {
		tap_ok(eq(dma_avail(w.container), 4, "avail"),
		       "new container: DMA_AVAIL 4");
		for (i = 0; i < 4; i++)
			ok &= !map_dma(w.container, pg(i * 2), a, ps, RW);
		tap_ok(ok, "4 maps within dma_entry_limit");
		TAP_ERRNO(map_dma(w.container, pg(100), a, ps, RW), ENOSPC,
			  "5th map ENOSPC");
		TAP_ZERO(unmap_dma(w.container, 0, ps, 0, NULL) ||
			 map_dma(w.container, pg(100), a, ps, RW),
			 "UNMAP frees an entry for a new map");
		TAP_ZERO(unmap_all(w.container), "UNMAP_ALL");
		mdk_vfio_close(&w);
	}
	TAP_ZERO(mdk_write_file(LIMIT_PARAM, "65535"),
		 "dma_entry_limit restored");
	tap_ok(eq(dma_avail(saved.container), 65535, "avail"),
	       "older container keeps its own limit");

	/* type1 (v1) semantics: unmap granularity of upstream's v1 */
	if (!open_second(u2, &w, VFIO_TYPE1_IOMMU)) {
		TAP_ZERO(map_dma(w.container, IOVA_A, a, pg(4), RW), "v1 MAP");
		tap_ok(unmap_dma(w.container, IOVA_A + ps, ps, 0, &got) == 0 &&
		       got == 0, "v1 UNMAP inside a mapping: 0, size 0");
		tap_ok(unmap_dma(w.container, IOVA_A - ps, pg(2), 0, &got) == 0 &&
		       got == pg(4),
		       "v1 UNMAP covering the first page removes it whole");
		w.device = ioctl(w.group, VFIO_GROUP_GET_DEVICE_FD, u2);
		if (w.device >= 0) {
			v = w;
			TAP_ZERO(map_dma(w.container, IOVA_A, a, pg(4), RW),
				 "v1 MAP again");
			tap_ok(eq(pin(IOVA_A, 1, P_R), -EACCES, "RESULT"),
			       "v1 container: pin EACCES");
			v = saved;
		} else {
			tap_ok(false, "v1 GET_DEVICE_FD: %s", strerror(errno));
		}
		mdk_vfio_close(&w);
	}
	TAP_ZERO(mdk_remove(u2), "remove the second device");
	munmap(a, pg(8));
}

static void test_pin(void)
{
	char *r = alloc_buf(pg(16), 0);
	int c = v.container;

	TAP_ZERO(map_dma(c, IOVA_R, r, pg(16), VFIO_DMA_MAP_FLAG_READ) ||
		 map_dma(c, IOVA_W, r, pg(16), VFIO_DMA_MAP_FLAG_WRITE),
		 "MAP read-only and write-only buffers");
	tap_ok(eq(pin(IOVA_P, 16, P_RW), 16, "RESULT"), "pin 16 pages: 16");
	tap_ok(vmlck_is(vm0 + kb(16)), "pin 16 pages: VmLck +%ld kB", kb(16));
	tap_ok(eq(reg_r(R_PINNED), 16, "PINNED"), "pin 16 pages: PINNED 16");
	tap_ok(eq(pin(IOVA_P, 16, P_RW), 16, "RESULT"), "pin them again: 16");
	tap_ok(vmlck_is(vm0 + kb(16)) && eq(reg_r(R_PINNED), 16, "PINNED"),
	       "pin again: refcount only, VmLck unchanged");
	tap_ok(eq(pin(IOVA_P + pg(8), 16, P_R), 16, "RESULT") &&
	       vmlck_is(vm0 + kb(24)) && eq(reg_r(R_PINNED), 24, "PINNED"),
	       "pin overlapping: only new pages charged");
	tap_ok(eq(unpin(IOVA_P + pg(8), 16), 16, "RESULT") &&
	       vmlck_is(vm0 + kb(16)),
	       "unpin overlapping: shared pages stay");
	tap_ok(eq(unpin(IOVA_P, 16), 16, "RESULT") && vmlck_is(vm0 + kb(16)),
	       "unpin once: still pinned");
	tap_ok(eq(unpin(IOVA_P, 16), 16, "RESULT") && vmlck_is(vm0) &&
	       eq(reg_r(R_PINNED), 0, "PINNED"),
	       "unpin twice: VmLck back, PINNED 0");

	tap_ok(eq(pin(0x7000000, 1, P_R), -EINVAL, "RESULT"),
	       "pin outside any mapping -EINVAL");
	tap_ok(eq(pin(IOVA_P + pg(70), 16, P_R), -EINVAL, "RESULT") &&
	       vmlck_is(vm0) && eq(reg_r(R_PINNED), 0, "PINNED"),
	       "pin running past the mappings -EINVAL, nothing kept");
	tap_ok(eq(pin(IOVA_P + pg(60), 8, P_RW), 8, "RESULT") &&
	       vmlck_is(vm0 + kb(8)) && eq(unpin(IOVA_P + pg(60), 8), 8, "un") &&
	       vmlck_is(vm0), "pin across two adjacent mappings");
	tap_ok(eq(pin(IOVA_R, 1, P_W), -EPERM, "RESULT"),
	       "pin write on a read-only mapping -EPERM");
	tap_ok(eq(pin(IOVA_R, 2, P_R), 2, "RESULT") && vmlck_is(vm0 + kb(2)) &&
	       eq(unpin(IOVA_R, 2), 2, "un") && vmlck_is(vm0),
	       "pin read on a read-only mapping");
	tap_ok(eq(pin(IOVA_W, 1, P_R), -EPERM, "RESULT"),
	       "pin read on a write-only mapping -EPERM");
	tap_ok(eq(pin(IOVA_P, 0, P_R), -EINVAL, "RESULT") &&
	       eq(pin(IOVA_P, 513, P_R), -EINVAL, "RESULT"),
	       "pin 0 or 513 pages -EINVAL");
	tap_ok(eq(pin(IOVA_P + 8, 1, P_R), -EINVAL, "RESULT"),
	       "pin unaligned iova -EINVAL");
	tap_ok(eq(pin(IOVA_P, 1, 0), -EINVAL, "RESULT") &&
	       eq(pin(IOVA_P, 1, 4), -EINVAL, "RESULT"),
	       "pin prot 0 or unknown -EINVAL");
	tap_ok(eq(unpin(IOVA_P, 1), -EINVAL, "RESULT"),
	       "unpin of pages not held refused by the device");
	tap_ok(vmlck_is(vm0), "failed pins leave no charge");
	TAP_ZERO(unmap_dma(c, IOVA_R, pg(16), 0, NULL) ||
		 unmap_dma(c, IOVA_W, pg(16), 0, NULL),
		 "UNMAP read-only and write-only mappings");
	munmap(r, pg(16));
}

static int set_ipc_lock(bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[0].effective |= 1U << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

static void test_rlimit(void)
{
	char *l = alloc_buf(pg(32), 0);
	struct rlimit old, low;
	int c = v.container;

	if (getrlimit(RLIMIT_MEMLOCK, &old) || set_ipc_lock(false)) {
		tap_ok(false, "drop CAP_IPC_LOCK: %s", strerror(errno));
		return;
	}
	/* mapped without CAP_IPC_LOCK: RLIMIT_MEMLOCK applies to its pins */
	TAP_ZERO(map_dma(c, IOVA_L, l, pg(32), RW), "MAP without CAP_IPC_LOCK");
	low.rlim_cur = (mdk_vmlck_kb() + 32) * 1024;
	low.rlim_max = old.rlim_max;
	TAP_ZERO(setrlimit(RLIMIT_MEMLOCK, &low), "RLIMIT_MEMLOCK = VmLck + 32 kB");
	tap_ok(eq(pin(IOVA_L, 16, P_RW), -ENOMEM, "RESULT") &&
	       vmlck_is(vm0) && eq(reg_r(R_PINNED), 0, "PINNED"),
	       "pin beyond RLIMIT_MEMLOCK -ENOMEM, nothing charged");
	tap_ok(eq(pin(IOVA_L, 32 * 1024 / ps, P_RW), 32 * 1024 / ps, "RESULT"),
	       "pin up to RLIMIT_MEMLOCK exactly");
	tap_ok(eq(pin(IOVA_L + pg(16), 1, P_RW), -ENOMEM, "RESULT"),
	       "one more page -ENOMEM");
	tap_ok(eq(pin(IOVA_P, 16, P_RW), 16, "RESULT") &&
	       eq(unpin(IOVA_P, 16), 16, "un"),
	       "a mapping made with CAP_IPC_LOCK ignores the limit");
	tap_ok(eq(unpin(IOVA_L, 32 * 1024 / ps), 32 * 1024 / ps, "RESULT") &&
	       vmlck_is(vm0), "unpin: VmLck back");
	TAP_ZERO(setrlimit(RLIMIT_MEMLOCK, &old) || set_ipc_lock(true) ||
		 unmap_dma(c, IOVA_L, pg(32), 0, NULL),
		 "RLIMIT_MEMLOCK and CAP_IPC_LOCK restored");
	munmap(l, pg(32));
}

static void test_unmap_pinned(char *p)
{
	int c = v.container;
	int32_t u0 = reg_r(R_UNMAPS);
	uint64_t got;

	tap_ok(eq(pin(IOVA_P + pg(4), 16, P_RW), 16, "RESULT"),
	       "pin 16 pages before UNMAP");
	tap_ok(unmap_dma(c, IOVA_P, pg(64), 0, &got) == 0 && got == pg(64),
	       "UNMAP of a range with pins succeeds");
	tap_ok(eq(reg_r(R_UNMAPS), u0 + 1, "UNMAPS"),
	       "UNMAP notified the device once");
	tap_ok(eq(reg_r(R_PINNED), 0, "PINNED") && vmlck_is(vm0),
	       "UNMAP: device unpinned, VmLck back");
	TAP_ZERO(map_dma(c, IOVA_P, p, pg(64), RW), "MAP again");

	tap_ok(eq(pin(IOVA_P, 16, P_RW), 16, "RESULT"),
	       "pin 16 pages before close");
	close(v.device);
	v.device = -1;
	tap_ok(vmlck_is(vm0), "close with pins held: VmLck back");
	v.device = ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v.device < 0)
		tap_bail("reopen the device: %s", strerror(errno));
	tap_ok(eq(reg_r(R_PINNED), 0, "PINNED"), "reopened: PINNED 0");
}

static void test_dma_rw(char *p, char *q)
{
	unsigned char b[0x400], want[0x400];
	int i;

	for (i = 0; i < (int)pg(64); i++)
		p[i] = (char)(i * 7 + 3);
	for (i = 0; i < (int)pg(16); i++)
		q[i] = (char)(i * 13 + 5);

	memset(b, 0, sizeof(b));
	tap_ok(eq(dma(IOVA_P + ps - 100, 256, false), 0, "RESULT") &&
	       buf_io(b, 256, false) && !memcmp(b, p + ps - 100, 256),
	       "DMA read across a page boundary");
	for (i = 0; i < 0x400; i++)
		want[i] = (unsigned char)(0xa5 ^ i);
	tap_ok(buf_io(want, 0x400, true) &&
	       eq(dma(IOVA_P + pg(2) - 50, 0x400, true), 0, "RESULT") &&
	       !memcmp(p + pg(2) - 50, want, 0x400),
	       "DMA write of 1 KiB across a page boundary");
	tap_ok(eq(dma(IOVA_P + pg(64) - 128, 256, true), 0, "RESULT") &&
	       !memcmp(p + pg(64) - 128, want, 128) &&
	       !memcmp(q, want + 128, 128),
	       "DMA write across two adjacent mappings");
	q[0] = 0x11;
	p[pg(64) - 1] = 0x22;
	memset(b, 0, sizeof(b));
	tap_ok(eq(dma(IOVA_P + pg(64) - 1, 2, false), 0, "RESULT") &&
	       buf_io(b, 2, false) && b[0] == 0x22 && b[1] == 0x11,
	       "DMA read across two adjacent mappings");
	tap_ok(eq(dma(0x7000000, 16, false), -EINVAL, "RESULT"),
	       "DMA read of unmapped IOVA -EINVAL");
	tap_ok(eq(dma(IOVA_P + pg(80) - 8, 16, false), -EINVAL, "RESULT"),
	       "DMA running past the mappings -EINVAL");
	tap_ok(eq(dma(IOVA_P, 0x401, false), -EINVAL, "RESULT"),
	       "DMA longer than BUF refused by the device");
	TAP_ZERO(map_dma(v.container, IOVA_R, q, pg(4), VFIO_DMA_MAP_FLAG_READ) ||
		 map_dma(v.container, IOVA_W, q, pg(4),
			 VFIO_DMA_MAP_FLAG_WRITE), "MAP read-only, write-only");
	tap_ok(eq(dma(IOVA_R, 16, true), -EPERM, "RESULT"),
	       "DMA write to a read-only mapping -EPERM");
	tap_ok(eq(dma(IOVA_R, 16, false), 0, "RESULT"),
	       "DMA read from a read-only mapping");
	tap_ok(eq(dma(IOVA_W, 16, false), -EPERM, "RESULT"),
	       "DMA read from a write-only mapping -EPERM");
	tap_ok(eq(dma(IOVA_W, 16, true), 0, "RESULT"),
	       "DMA write to a write-only mapping");
	TAP_ZERO(unmap_dma(v.container, IOVA_R, pg(4), 0, NULL) ||
		 unmap_dma(v.container, IOVA_W, pg(4), 0, NULL),
		 "UNMAP read-only, write-only");
	tap_ok(vmlck_is(vm0), "DMA access charges nothing");
}

static void test_big(void)
{
	char *big = alloc_buf(GIB, MAP_NORESERVE);
	int c = v.container;
	uint64_t t0, ms, got = 0;
	int32_t u0;
	int r;

	t0 = mdk_now_ms();
	r = map_dma(c, IOVA_BIG, big, GIB, RW);
	r = r ? r : unmap_dma(c, IOVA_BIG, GIB, 0, &got);
	ms = mdk_now_ms() - t0;
	tap_ok(r == 0 && got == GIB, "1 GiB MAP + UNMAP");
	tap_ok(ms < 1000, "1 GiB MAP + UNMAP in %llu ms (< 1000)",
	       (unsigned long long)ms);
	tap_ok(vmlck_is(vm0), "1 GiB MAP + UNMAP: VmLck unchanged");

	TAP_ZERO(map_dma(c, IOVA_BIG, big, GIB, RW), "1 GiB MAP again");
	tap_ok(eq(pin(IOVA_BIG + GIB / 2, 512, P_RW), 512, "RESULT") &&
	       vmlck_is(vm0 + kb(512)),
	       "pin 512 pages in the middle of 1 GiB");
	big[GIB / 2 + 12345] = 0x5a;
	tap_ok(eq(dma(IOVA_BIG + GIB / 2 + 12345, 1, false), 0, "RESULT") &&
	       eq(reg_r(R_BUF) & 0xff, 0x5a, "BUF[0]"),
	       "DMA read in the middle of 1 GiB");
	u0 = reg_r(R_UNMAPS);
	tap_ok(unmap_dma(c, IOVA_BIG, GIB, 0, &got) == 0 && got == GIB &&
	       eq(reg_r(R_UNMAPS), u0 + 1, "UNMAPS") && vmlck_is(vm0),
	       "UNMAP 1 GiB with 512 pins: device notified, VmLck back");
	munmap(big, GIB);
}

static void test_region(void)
{
	union {
		struct vfio_region_info info;
		char b[512];
	} ri;
	struct vfio_region_info_cap_type *t = NULL;
	struct vfio_info_cap_header *h;
	unsigned char d[16];
	uint32_t off;
	int i, ok = 1;

	memset(&ri, 0, sizeof(ri));
	ri.info.argsz = sizeof(ri);
	ri.info.index = VFIO_PCI_NUM_REGIONS;
	TAP_ZERO(ioctl(v.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
		 "GET_REGION_INFO of the device-specific region");
	tap_ok(ri.info.size == 4096 && (ri.info.flags & VFIO_REGION_INFO_FLAG_READ) &&
	       !(ri.info.flags & VFIO_REGION_INFO_FLAG_WRITE) &&
	       (ri.info.flags & VFIO_REGION_INFO_FLAG_CAPS),
	       "device-specific region: 4 KiB, READ, CAPS");
	for (off = ri.info.cap_offset, i = 0; off && off < sizeof(ri) && i < 8;
	     off = h->next, i++) {
		h = (void *)(ri.b + off);
		if (h->id == VFIO_REGION_INFO_CAP_TYPE)
			t = (void *)h;
	}
	tap_ok(t && t->type == (VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1234U) &&
	       t->subtype == 1, "device-specific region: CAP_TYPE 0x80001234/1");
	if (pread(v.device, d, sizeof(d), ri.info.offset + 100) != sizeof(d))
		ok = 0;
	for (i = 0; ok && i < (int)sizeof(d); i++)
		ok = d[i] == ((100 + i) & 0xff);
	tap_ok(ok, "device-specific region content");
}

static bool race_stop;
static char *race_buf;
static long race_cycles;

/* MAP and UNMAP one range over and over. */
static void *race_unmapper(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED)) {
		if (map_dma(v.container, IOVA_L, race_buf, pg(16), RW) ||
		    unmap_dma(v.container, IOVA_L, pg(16), 0, NULL))
			return (void *)1L;
		race_cycles++;
	}
	return NULL;
}

/* Pins and DMA racing with UNMAP of the same range. */
static void test_race(void)
{
	long pins = 0, lost = 0, other = 0, bad = 0;
	pthread_t th;
	uint64_t end;
	void *ret = (void *)1L;
	int32_t r;

	race_buf = alloc_buf(pg(16), 0);
	race_stop = false;
	race_cycles = 0;
	if (pthread_create(&th, NULL, race_unmapper, NULL)) {
		tap_ok(false, "start the unmapping thread");
		return;
	}
	for (end = mdk_now_ms() + 1500; mdk_now_ms() < end;) {
		r = pin(IOVA_L + pg(4), 8, P_RW);
		if (r == 8) {
			pins++;
			/* -EINVAL when an UNMAP made the device drop them */
			r = unpin(IOVA_L + pg(4), 8);
			if (r == -EINVAL)
				lost++;
			else if (r != 8)
				bad++;
		} else if (r != -EINVAL) {
			bad++;
		}
		r = dma(IOVA_L + pg(2) - 8, 16, false);
		if (r == 0)
			other++;
		else if (r != -EINVAL)
			bad++;
	}
	__atomic_store_n(&race_stop, true, __ATOMIC_RELAXED);
	pthread_join(th, &ret);
	tap_diag("race: %ld map/unmap cycles, %ld pins (%ld taken back by UNMAP), %ld DMA reads",
		 race_cycles, pins, lost, other);
	tap_ok(!ret && race_cycles > 0 && pins > 0 && !bad,
	       "pin/unpin/DMA racing with MAP/UNMAP: only 8 or -EINVAL");
	tap_ok(eq(reg_r(R_PINNED), 0, "PINNED") && vmlck_is(vm0),
	       "after the race: nothing pinned, VmLck back");
	munmap(race_buf, pg(16));
}

/* A device that keeps (forgets) its pins: the backend must clean up. */
static void test_leak(char *p)
{
	int c = v.container;
	uint64_t got;
	int32_t u0;

	TAP_ZERO(map_dma(c, IOVA_P, p, pg(64), RW), "MAP for a leaking device");
	tap_ok(reg_w(R_FLAGS, F_LEAK, 4) &&
	       eq(pin(IOVA_P, 4, P_RW), 4, "RESULT") && vmlck_is(vm0 + kb(4)),
	       "leaking device pins 4 pages");
	u0 = reg_r(R_UNMAPS);
	tap_ok(unmap_dma(c, IOVA_P, pg(64), 0, &got) == 0 && got == pg(64) &&
	       reg_r(R_UNMAPS) > u0 && vmlck_is(vm0),
	       "UNMAP force-unpins pages a device does not release");
	tap_ok(map_dma(c, IOVA_P, p, pg(64), RW) == 0 &&
	       eq(pin(IOVA_P + pg(8), 4, P_RW), 4, "RESULT"),
	       "leaking device pins again");
	close(v.device);
	v.device = -1;
	tap_ok(vmlck_is(vm0 + kb(4)),
	       "pins forgotten at close stay charged to the container");
	mdk_vfio_close(&v);
	tap_ok(vmlck_is(vm0), "container release unpins the leftovers");
}

int main(void)
{
	char *p, *q;

	tap_init("type1");
	ps = sysconf(_SC_PAGESIZE);
	if (mdk_create(PT_PARENT, PT_TYPE, uuid))
		tap_bail("create a pintest device: %s", strerror(errno));
	if (mdk_vfio_open(uuid, &v)) {
		mdk_remove(uuid);
		tap_bail("open the pintest device through VFIO");
	}
	vm0 = mdk_vmlck_kb();
	tap_ok(vm0 >= 0, "VmLck readable (%ld kB)", vm0);

	test_extension();
	test_info();
	test_map();
	test_limit_and_v1();

	/* p at IOVA_P (64 pages), q right behind it (16 pages) */
	p = alloc_buf(pg(64), 0);
	q = alloc_buf(pg(16), 0);
	TAP_ZERO(map_dma(v.container, IOVA_P, p, pg(64), RW) ||
		 map_dma(v.container, IOVA_P + pg(64), q, pg(16), RW),
		 "MAP two adjacent buffers");
	test_pin();
	test_rlimit();
	test_unmap_pinned(p);
	test_dma_rw(p, q);
	test_big();
	test_race();
	test_region();

	TAP_ZERO(unmap_all(v.container), "final UNMAP_ALL");
	tap_ok(vmlck_is(vm0), "VmLck back to its start");
	test_leak(p);
	TAP_ZERO(mdk_remove(uuid), "remove the pintest device");
	munmap(p, pg(64));
	munmap(q, pg(16));
	return tap_done();
}
