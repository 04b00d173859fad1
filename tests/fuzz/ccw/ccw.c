// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk-ccw-fuzz / test_ccw_fuzz: the fuzzer's channel programs, for
 * vfio-ccw in the s390x VM. A program of its own (the device and the
 * machine differ from the rest of the fuzzer's), sharing its seeding and
 * its oracles' style.
 *
 *   test_ccw_fuzz [-s SEED] [-n OPS]   (or MDK_FUZZ_SEED, MDK_FUZZ_OPS;
 *                                      default 1500 operations)
 *
 * One thread drives the vfio-ccw mdev of the virtio-net-ccw subchannel
 * (bus ID 0.0.0001) with random operations: channel programs of random
 * CCWs (command codes, flags, counts, data addresses, IDALs of both
 * formats with valid and broken IDAWs, TICs, chains up past the limits)
 * under random ORBs (formats, IDAW controls, suspend, transport mode,
 * prefetch, path mask, misaligned or unmapped program addresses), halt
 * and clear at any time, device resets, SCHIB and CRW reads, unmapping
 * the memory under a suspended program, closing and reopening the device.
 *
 * The programs never carry an address the device would dereference by
 * itself (virtio queue setup): the command codes come from a safe set,
 * invalid ones included. TICs only go forward, but for the NOP loop
 * (NOP, TIC back to it), which QEMU's channel ends by itself: a loop with
 * data transfer would spin QEMU's channel emulation forever.
 *
 * Oracles: a start is accepted or fails with an errno of the translator's
 * (EINVAL, EOPNOTSUPP, EFAULT), or EACCES for a path mask without the
 * machine's one path (0x80); an accepted start is followed by exactly
 * one interrupt that ends it, unless it suspended, and a clear then ends
 * it; a rejected one by no interrupt; halt and clear answer 0 or EBUSY and
 * an accepted one brings its interrupt; whenever nothing runs, VmLck is 0
 * (no page stays pinned); at the end the device closes, VmLck is 0, the
 * mdev goes and the subchannel returns to io_subchannel and comes online.
 * The kernel-side oracle is the VM (panic_on_warn).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "tap.h"
#include "mdk_test.h"
#include "ccw.h"
#include "ccw_dev.h"

#define PAGES		32
#define PROG_PAGE	0	/* pages 0-1: the program */
#define IDAL_PAGE	2	/* pages 2-3: IDALs */
#define DATA_PAGE	4	/* pages 4-31: data */
#define G(n, off)	(CCW_IOVA + (uint32_t)(n) * 4096u + (uint32_t)(off))
#define BUSID		"0.0.0001"

static struct ccw_dev dev;
static uint64_t rng;
static unsigned long unexpected, starts, accepted, suspended, halts, resets;
static char last[200];

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int pct)
{
	return rndn(100) < pct;
}

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (unexpected++ < 10)
		tap_diag("unexpected: %s (during: %s)", msg, last);
}

/* a command code from the safe set, or an invalid one */
static uint8_t rnd_cmd(void)
{
	static const uint8_t cmds[] = {
		CCW_NOOP, CCW_NOOP, CCW_SENSE_ID, CCW_SENSE_ID, CCW_SENSE,
		VIRTIO_CCW_READ_CONF, VIRTIO_CCW_READ_CONF,
		VIRTIO_CCW_READ_FEAT, VIRTIO_CCW_READ_VQ_CONF,
		CCW_READ, 0x0c /* read backward */, 0x00, 0x18, 0x28,
	};

	return cmds[rndn(sizeof(cmds))];
}

static uint8_t rnd_flags(void)
{
	uint8_t f = 0;

	if (chance(40))
		f |= CCW_F_SLI;
	if (chance(15))
		f |= CCW_F_SKIP;
	if (chance(10))
		f |= CCW_F_PCI;
	if (chance(25))
		f |= CCW_F_IDA;
	if (chance(5))
		f |= CCW_F_SUSP;
	if (chance(3))
		f |= CCW_F_MIDA;
	if (chance(8))
		f |= CCW_F_DC;
	if (chance(3))
		f = rnd();
	return f & ~CCW_F_CC;
}

static uint16_t rnd_count(void)
{
	static const uint16_t counts[] = { 0, 1, 4, 6, 8, 32, 256, 2048, 4096 };

	if (chance(10))
		return rnd();
	return counts[rndn(sizeof(counts) / sizeof(counts[0]))];
}

/* a data address: mostly in the data pages, now and then broken */
static uint32_t rnd_data(void)
{
	switch (rndn(20)) {
	case 0:
		return G(PAGES + rndn(64), rndn(4096));	/* unmapped */
	case 1:
		return 0x7ffff000 + rndn(0x2000);	/* around 2 GiB */
	default:
		return G(DATA_PAGE + rndn(PAGES - DATA_PAGE), rndn(4096));
	}
}

/* an IDAL at @at for a CCW of @count bytes, format-2 or format-1 */
static uint32_t rnd_idal(unsigned int *at, bool fmt2, unsigned int bsz,
			 uint16_t count)
{
	unsigned int w = fmt2 ? 8 : 4, n, k, start;
	uint8_t *p;
	uint32_t first, idal;

	first = rnd_data();
	n = ((first & (bsz - 1)) + count + bsz - 1) / bsz;
	if (!n || n > 40 || *at + n * w > 2 * 4096)
		n = 1;
	if (chance(5))
		*at += 4;		/* misaligned for format-2 */
	start = *at;
	idal = G(IDAL_PAGE, start);
	for (k = 0; k < n; k++) {
		uint64_t v = k ? ((uint64_t)rnd_data() & ~(uint64_t)(bsz - 1)) : first;

		if (chance(3))
			v = rnd();	/* anything */
		p = ccw_g(&dev, G(IDAL_PAGE, start + k * w));
		if (start + (k + 1) * w > 2 * 4096)
			break;
		if (fmt2)
			ccw_put64(p, v);
		else
			ccw_put32(p, (uint32_t)v);
	}
	*at = start + n * w;
	return idal;
}

/* Write a random program; returns its address and the ORB flags. */
static uint32_t rnd_program(uint32_t *orbflags)
{
	unsigned int n = 1 + rndn(12), i, idal_at = 0;
	uint32_t flags = ORB_FMT | ORB_PFCH | ORB_C64 | ORB_LPM(0xff);
	uint32_t base = G(PROG_PAGE, 8 * rndn(64));
	bool fmt2;

	if (chance(20))
		flags &= ~ORB_C64;		/* format-1 IDAWs */
	if (chance(10))
		flags |= ORB_I2K;
	if (chance(10))
		flags |= ORB_SPND;
	if (chance(5))
		flags &= ~ORB_PFCH;
	if (chance(3))
		flags |= ORB_TM;
	if (chance(3))
		flags &= ~ORB_FMT;
	if (chance(2))
		flags |= ORB_X;
	if (chance(5))
		flags = (flags & ~ORB_LPM(0xff)) | ORB_LPM(rndn(256));
	fmt2 = flags & ORB_C64;

	if (chance(8)) {
		/* the NOP loop: QEMU's channel ends it (no data address) */
		ccw_put(ccw_g(&dev, base), CCW_NOOP, CCW_F_CC, 0, 0);
		ccw_put(ccw_g(&dev, base + 8), CCW_TIC, 0, 0, base);
		*orbflags = flags;
		return base;
	}
	if (chance(3))
		n = 250 + rndn(10);		/* around the chain limit */
	for (i = 0; i < n; i++) {
		uint32_t at = base + 8 * i, cda;
		uint8_t cmd = rnd_cmd(), flags8 = rnd_flags();
		uint16_t count = rnd_count();

		if (n > 200) {
			cmd = CCW_SENSE_ID;
			flags8 = CCW_F_SLI;
			count = 8;
		}
		if (at + 8 > G(PROG_PAGE + 2, 0))
			break;
		if (chance(8) && i + 1 < n) {
			/* TIC forward, within the program pages */
			uint32_t t = at + 8 * (1 + rndn(8));

			if (chance(10))
				t += 4;		/* misaligned */
			if (t + 8 > G(PROG_PAGE + 2, 0))
				t = at + 8;
			ccw_put(ccw_g(&dev, at), CCW_TIC, chance(5) ? CCW_F_CC : 0,
				0, t);
			continue;
		}
		if (flags8 & CCW_F_IDA)
			cda = rnd_idal(&idal_at, fmt2,
				       fmt2 && !(flags & ORB_I2K) ? 4096 : 2048,
				       count);
		else
			cda = rnd_data();
		if (i + 1 < n && chance(85))
			flags8 |= CCW_F_CC;
		ccw_put(ccw_g(&dev, at), cmd, flags8, count, cda);
	}
	*orbflags = flags;
	if (chance(3))
		return base + 4;			/* misaligned */
	if (chance(2))
		return G(PAGES + 3, 0);			/* unmapped */
	return base;
}

/* Wait for the interrupt that ends what runs; 1 ended, 0 none came. */
static int wait_end(int ms)
{
	uint8_t irb[96];
	int n;

	for (n = 0; n < 8; n++) {
		if (!ccw_wait(&dev, VFIO_CCW_IO_IRQ_INDEX, ms))
			return 0;
		if (ccw_read_io(&dev, irb, NULL)) {
			bad("read the I/O region: %s", strerror(errno));
			return 0;
		}
		/* intermediate status (PCI) is not the end */
		if (!(scsw_get(irb).stctl & SCSW_STCTL_INTER) ||
		    (scsw_get(irb).stctl & (SCSW_STCTL_PRIM | SCSW_STCTL_ALERT)))
			return 1;
	}
	return 1;
}

static void expect_idle_unpinned(void)
{
	long kb = mdk_vmlck_kb();

	if (kb != 0)
		bad("VmLck %ld KiB while nothing runs", kb);
}

/* Clear whatever runs and wait for the clear's interrupt. */
static void clear(void)
{
	int ret = ccw_async(&dev, VFIO_CCW_ASYNC_CMD_CSCH);

	if (ret)
		bad("clear: %s", strerror(-ret));
	else if (!wait_end(5000))
		bad("no interrupt after a clear");
}

static void op_program(void)
{
	uint32_t flags, cpa;
	int ret;

	memset(ccw_g(&dev, G(PROG_PAGE, 0)), 0, 4 * 4096);
	cpa = rnd_program(&flags);
	snprintf(last, sizeof(last), "start, ORB flags %#x cpa %#x", flags, cpa);
	starts++;
	ret = ccw_start(&dev, flags, cpa);
	if (ret) {
		if (ret != -EINVAL && ret != -EOPNOTSUPP && ret != -EFAULT &&
		    !(ret == -EACCES && (flags & ORB_LPM(0xff)) &&
		      !(flags & ORB_LPM(0x80))))
			bad("start: %s", strerror(-ret));
		if (ccw_wait(&dev, VFIO_CCW_IO_IRQ_INDEX, 20))
			bad("an interrupt after a rejected start");
		expect_idle_unpinned();
		return;
	}
	accepted++;
	if (wait_end(2000)) {
		expect_idle_unpinned();
		return;
	}
	/* no interrupt: suspended (or the channel is slow) */
	suspended++;
	if (chance(30)) {
		/* unmap everything under it: the kernel stops the I/O */
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = CCW_IOVA,
			.size = PAGES * 4096,
		};
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .iova = CCW_IOVA,
			.size = PAGES * 4096, .vaddr = (uintptr_t)dev.mem,
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		};

		snprintf(last, sizeof(last), "unmap under a suspended program");
		if (ioctl(dev.v.container, VFIO_IOMMU_UNMAP_DMA, &u) ||
		    u.size != PAGES * 4096)
			bad("unmap under a running program: %s", strerror(errno));
		expect_idle_unpinned();
		if (ioctl(dev.v.container, VFIO_IOMMU_MAP_DMA, &m))
			bad("map again: %s", strerror(errno));
		/* the reset's interrupts, if any, were dropped */
		return;
	}
	clear();
	expect_idle_unpinned();
}

static void op_async(void)
{
	uint32_t cmd = chance(50) ? VFIO_CCW_ASYNC_CMD_HSCH :
		       chance(90) ? VFIO_CCW_ASYNC_CMD_CSCH : rnd();
	int ret;

	snprintf(last, sizeof(last), "async command %#x on an idle subchannel",
		 cmd);
	halts++;
	ret = ccw_async(&dev, cmd);
	if (cmd != VFIO_CCW_ASYNC_CMD_HSCH && cmd != VFIO_CCW_ASYNC_CMD_CSCH) {
		if (ret != -EINVAL)
			bad("unknown async command: %s", strerror(-ret));
		return;
	}
	if (ret == -EBUSY)
		return;
	if (ret)
		bad("async: %s", strerror(-ret));
	else if (!wait_end(5000))
		bad("no interrupt after halt/clear of an idle subchannel");
}

static void op_reads(void)
{
	uint8_t schib[52];
	uint32_t crw = 1;
	struct schib_info si;

	snprintf(last, sizeof(last), "SCHIB and CRW reads");
	if (pread(dev.v.device, schib, sizeof(schib),
		  dev.off[CCW_RGN_SCHIB] + 0) != sizeof(schib)) {
		bad("SCHIB read: %s", strerror(errno));
		return;
	}
	si = schib_get(schib);
	if (!si.dnv || !si.ena || si.intparm)
		bad("SCHIB: dnv %u ena %u intparm %#x", si.dnv, si.ena,
		    si.intparm);
	if (pread(dev.v.device, &crw, 4, dev.off[CCW_RGN_CRW]) != 4 || crw)
		bad("CRW region: %#x, no channel event happened", crw);
}

static void op_reset(void)
{
	snprintf(last, sizeof(last), "device reset");
	resets++;
	if (ioctl(dev.v.device, VFIO_DEVICE_RESET))
		bad("reset: %s", strerror(errno));
	expect_idle_unpinned();
	/* an interrupt still queued before the reset is gone or harmless */
	ccw_wait(&dev, VFIO_CCW_IO_IRQ_INDEX, 0);
}

static void op_reopen(void)
{
	char sch[16];

	snprintf(last, sizeof(last), "close and reopen");
	snprintf(sch, sizeof(sch), "%s", dev.sch);
	ccw_close(&dev);
	expect_idle_unpinned();
	if (ccw_open(&dev, sch, PAGES))
		tap_bail("reopen the vfio_ccw mdev");
}

int main(int argc, char **argv)
{
	const char *s = getenv("MDK_FUZZ_SEED"), *n = getenv("MDK_FUZZ_OPS");
	unsigned long ops = n ? strtoul(n, NULL, 0) : 1500, i;
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0;
	char sch[16];
	int opt;

	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'n')
			ops = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (!seed)
		seed = (uint64_t)mdk_now_ms() * 0x9e3779b97f4a7c15ULL | 1;
	rng = seed;
	tap_init("ccw_fuzz");
	tap_diag("seed %#" PRIx64 ", %lu operations", seed, ops);
	if (ccw_find_sch(BUSID, sch, sizeof(sch)) || ccw_bind(sch))
		tap_bail("hand the subchannel of %s to vfio_ccw", BUSID);
	if (ccw_open(&dev, sch, PAGES))
		tap_bail("open the vfio_ccw mdev");

	for (i = 0; i < ops; i++) {
		switch (rndn(20)) {
		case 0:
		case 1:
			op_async();
			break;
		case 2:
			op_reads();
			break;
		case 3:
			op_reset();
			break;
		case 4:
			if (chance(20))
				op_reopen();
			break;
		default:
			op_program();
			break;
		}
	}
	tap_diag("%lu starts, %lu accepted, %lu suspended, %lu halts/clears, %lu resets",
		 starts, accepted, suspended, halts, resets);
	tap_ok(!unexpected, "%lu operations, seed %#" PRIx64 ": %lu unexpected results",
	       ops, seed, unexpected);
	tap_ok(accepted > 0 && accepted < starts,
	       "programs both accepted and rejected (%lu of %lu accepted)",
	       accepted, starts);
	ccw_close(&dev);
	tap_ok(mdk_vmlck_kb() == 0, "VmLck 0 after close");
	tap_ok(!ccw_unbind(sch), "the subchannel back to io_subchannel");
	return tap_done();
}
