// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-test of the vfio-ccw channel-program translator (cp.c), on
 * synthetic guest memory: mdk_vfio_ccw_cptest.ko, loaded only by the
 * tests. It builds cp.c into itself, so that the translator's inner
 * functions are in reach and nothing is exported for it.
 *
 * Guest memory is VCCW_T_FRAMES kernel pages, guest page n at guest
 * address n * PAGE_SIZE; pins are counted per page. Each case writes a
 * channel program into it, translates it and checks the host program:
 * chain layout, TIC targets, IDAWs (host addresses of the very pages),
 * the ORB; or the errno of a rejection; and that every pin is returned.
 *
 * The results are TAP lines in the kernel log, "vccw-cptest: ok N - ..."
 * and "vccw-cptest: not ok N - ...", then "vccw-cptest: N passed, N
 * failed". Loading fails (-EINVAL) when a case failed.
 */
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include "cp.c"

#define VCCW_T_FRAMES	64
#define PG(n)		((u32)(n) * (u32)PAGE_SIZE)

static struct page *frames[VCCW_T_FRAMES];
static int pins[VCCW_T_FRAMES];
static struct page *bucket;
static struct device *tdev;
static unsigned int tests, failed;

static int t_read(void *ctx, u64 iova, void *buf, size_t len)
{
	while (len) {
		u64 n = iova >> PAGE_SHIFT;
		size_t off = offset_in_page(iova);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - off);

		if (n >= VCCW_T_FRAMES)
			return -EINVAL;
		memcpy(buf, page_address(frames[n]) + off, chunk);
		buf += chunk;
		iova += chunk;
		len -= chunk;
	}
	return 0;
}

static int t_pin(void *ctx, u64 iova, struct page **page)
{
	u64 n = iova >> PAGE_SHIFT;

	if (n >= VCCW_T_FRAMES || offset_in_page(iova))
		return -EINVAL;
	pins[n]++;
	*page = frames[n];
	return 0;
}

static void t_unpin(void *ctx, u64 iova)
{
	u64 n = iova >> PAGE_SHIFT;

	if (!WARN_ON(n >= VCCW_T_FRAMES || pins[n] <= 0))
		pins[n]--;
}

static const struct vccw_mem_ops t_mem = {
	.read = t_read, .pin = t_pin, .unpin = t_unpin,
};

static void *gptr(u32 addr)
{
	return page_address(frames[addr >> PAGE_SHIFT]) + offset_in_page(addr);
}

/* A CCW in guest memory, in the architecture's layout. */
static void put_ccw(u32 addr, u8 cmd, u8 flags, u16 count, u32 cda)
{
	u8 *p = gptr(addr);

	p[0] = cmd;
	p[1] = flags;
	put_unaligned_be16(count, p + 2);
	put_unaligned_be32(cda, p + 4);
}

static void put_idaw1(u32 addr, u32 v)
{
	put_unaligned_be32(v, gptr(addr));
}

static void put_idaw2(u32 addr, u64 v)
{
	put_unaligned_be64(v, gptr(addr));
}

static void wipe(void)
{
	unsigned int i;

	for (i = 0; i < VCCW_T_FRAMES; i++)
		clear_page(page_address(frames[i]));
}

static unsigned int pinned(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < VCCW_T_FRAMES; i++)
		n += pins[i];
	return n;
}

/* A format-1 ORB; @c64: format-2 IDAWs, @i2k: 2K blocks with them. */
static union orb t_orb(u32 cpa, bool c64, bool i2k)
{
	union orb orb = {};

	orb.cmd.fmt = 1;
	orb.cmd.pfch = 1;
	orb.cmd.c64 = c64;
	orb.cmd.i2k = i2k;
	orb.cmd.lpm = 0x80;
	orb.cmd.cpa = cpa;
	return orb;
}

static void report(bool ok, const char *name)
{
	tests++;
	if (ok) {
		pr_info("vccw-cptest: ok %u - %s\n", tests, name);
	} else {
		failed++;
		pr_err("vccw-cptest: not ok %u - %s\n", tests, name);
	}
}

static struct vccw_cp cp;

static int t_build(union orb orb)
{
	vccw_cp_init(&cp, tdev, &t_mem, NULL, bucket);
	return vccw_cp_build(&cp, &orb);
}

static struct vccw_chain *t_chain(unsigned int n)
{
	struct vccw_chain *chain;

	list_for_each_entry(chain, &cp.chains, link)
		if (!n--)
			return chain;
	return NULL;
}

static u64 phys(unsigned int frame, u32 off)
{
	return page_to_phys(frames[frame]) + off;
}

/* Build, check with @check, free; every pin must be returned. */
#define CASE(name, orb, want, check) do {				\
	const char *__name = (name);					\
	int __want = (want);						\
	int __ret = t_build(orb);					\
	bool __ok = __ret == __want;					\
									\
	if (__ok && !__ret)						\
		__ok = (check);						\
	if (!__ok)							\
		pr_err("vccw-cptest: %s: returned %d, wanted %d\n",	\
		       __name, __ret, __want);				\
	vccw_cp_free(&cp);						\
	report(__ok && !pinned() && !cp.active, __name);		\
} while (0)

static bool t_idaw_is(struct vccw_chain *c, unsigned int i, unsigned int k,
		      u64 want)
{
	return c && i < c->len && c->data[i].idal &&
	       (c->ccw[i].flags & CCW_FLAG_IDA) &&
	       c->ccw[i].cda == (u32)virt_to_phys(c->data[i].idal) &&
	       c->data[i].idal[k] == want;
}

static void test_data(void)
{
	struct vccw_chain *c;

	wipe();
	put_ccw(PG(1), CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8, PG(2));
	CASE("direct data in one page: one IDAW, one pin, host ORB",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && cp.nr_chains == 1 && c->len == 1 &&
	     t_idaw_is(c, 0, 0, phys(2, 0)) && pins[2] == 1 &&
	     cp.orb.cmd.c64 && !cp.orb.cmd.i2k && cp.orb.cmd.fmt &&
	     cp.orb.cmd.cpa == (u32)virt_to_phys(c->ccw));

	wipe();
	put_ccw(PG(1), 0x02, 0, 0x20, PG(2) + 0xff0);
	CASE("direct data across a 4K boundary: two IDAWs, two pages",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(2, 0xff0)) &&
	     t_idaw_is(c, 0, 1, phys(3, 0)) && pins[2] == 1 && pins[3] == 1);

	wipe();
	put_ccw(PG(1), 0x02, 0, 0x20, PG(2) + 0x7f0);
	CASE("direct data across a 2K boundary, format-1 ORB: 2K IDAWs, one pin",
	     t_orb(PG(1), false, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(2, 0x7f0)) &&
	     t_idaw_is(c, 0, 1, phys(2, 0x800)) && pins[2] == 1 &&
	     cp.orb.cmd.c64 && cp.orb.cmd.i2k);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 6, PG(4));
	put_idaw2(PG(4), PG(5) + 0xffd);
	put_idaw2(PG(4) + 8, PG(9));
	CASE("format-2 IDAL over two distant pages",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(5, 0xffd)) &&
	     t_idaw_is(c, 0, 1, phys(9, 0)) && pins[5] == 1 && pins[9] == 1);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 6, PG(4));
	put_idaw1(PG(4), PG(5) + 0x7fd);
	put_idaw1(PG(4) + 4, PG(10) + 0x800);
	CASE("format-1 IDAL, 2K blocks in two pages",
	     t_orb(PG(1), false, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(5, 0x7fd)) &&
	     t_idaw_is(c, 0, 1, phys(10, 0x800)) && cp.orb.cmd.i2k &&
	     pins[5] == 1 && pins[10] == 1);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 0x1000, PG(4));
	put_idaw2(PG(4), PG(5) + 0x400);
	put_idaw2(PG(4) + 8, PG(7));
	put_idaw2(PG(4) + 16, PG(7) + 0x800);
	CASE("format-2 IDAL with 2K blocks (i2k): a page shared by two IDAWs",
	     t_orb(PG(1), true, true), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(5, 0x400)) &&
	     t_idaw_is(c, 0, 1, phys(7, 0)) &&
	     t_idaw_is(c, 0, 2, phys(7, 0x800)) && pins[7] == 1 &&
	     c->data[0].nr_pins == 2);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 6, PG(4));
	put_idaw2(PG(4), PG(5) + 0xffd);
	put_idaw2(PG(4) + 8, PG(9) + 0x10);
	CASE("IDAW after the first not on a block boundary: rejected",
	     t_orb(PG(1), true, false), -EINVAL, true);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 6, PG(4));
	put_idaw1(PG(4), 0x80001000);
	CASE("format-1 IDAW beyond 2 GiB: rejected",
	     t_orb(PG(1), false, false), -EINVAL, true);

	wipe();
	put_ccw(PG(1), 0x22, CCW_FLAG_IDA, 6, PG(4) + 4);
	CASE("format-2 IDAL not on a doubleword: rejected",
	     t_orb(PG(1), true, false), -EINVAL, true);

	wipe();
	put_ccw(PG(1), 0x02, 0, 0x20, 0x7ffffff0);
	CASE("direct data crossing 2 GiB: rejected",
	     t_orb(PG(1), true, false), -EINVAL, true);

	wipe();
	put_ccw(PG(1), CCW_CMD_SENSE_ID, CCW_FLAG_CC, 8, PG(2));
	put_ccw(PG(1) + 8, CCW_CMD_SENSE_ID, 0, 8, PG(VCCW_T_FRAMES + 1));
	CASE("data page not mapped: -EFAULT, the first CCW's pin returned",
	     t_orb(PG(1), true, false), -EFAULT, true);

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_IDA, 5, PG(2));
	put_ccw(PG(1) + 8, 0x02, 0, 0, PG(2));
	CASE("NOP and count 0: no data address, no pin",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && c->len == 1 && !c->ccw[0].cda &&
	     !(c->ccw[0].flags & CCW_FLAG_IDA) && !pinned());

	wipe();
	put_ccw(PG(1), 0x02, CCW_FLAG_SKIP, 0x1800, PG(2));
	CASE("Skip on a read: IDAWs into the bucket, no pin",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, page_to_phys(bucket)) &&
	     t_idaw_is(c, 0, 1, page_to_phys(bucket)) && !pinned());

	wipe();
	put_ccw(PG(1), 0x01, CCW_FLAG_SKIP, 0x10, PG(2));
	CASE("Skip on a write moves data: pinned",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && t_idaw_is(c, 0, 0, phys(2, 0)) &&
	     pins[2] == 1);

	wipe();
	put_ccw(PG(1), 0x02, CCW_FLAG_DC, 5, PG(2) + 0xffe);
	put_ccw(PG(1) + 8, 0x02, CCW_FLAG_PCI, 3, PG(6));
	CASE("data chaining: each CCW its own IDAL; PCI kept",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && c->len == 2 &&
	     t_idaw_is(c, 0, 0, phys(2, 0xffe)) &&
	     t_idaw_is(c, 0, 1, phys(3, 0)) &&
	     t_idaw_is(c, 1, 0, phys(6, 0)) &&
	     (c->ccw[0].flags & CCW_FLAG_DC) &&
	     (c->ccw[1].flags & CCW_FLAG_PCI));

	wipe();
	put_ccw(PG(1), 0x02, CCW_FLAG_MIDA, 5, PG(2));
	CASE("MIDA flag: -EOPNOTSUPP", t_orb(PG(1), true, false),
	     -EOPNOTSUPP, true);
}

static void test_tics(void)
{
	struct vccw_chain *c, *c2;
	union orb orb;
	u64 t0, ns;
	unsigned int i;

	wipe();
	put_ccw(PG(1), CCW_CMD_SENSE_ID, CCW_FLAG_CC, 8, PG(2));
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(1));
	put_ccw(PG(1) + 16, CCW_CMD_NOOP, 0, 0, 0);
	CASE("rewind TIC: the CCWs after it stay in the chain",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && cp.nr_chains == 1 && c->len == 3 &&
	     c->ccw[1].cda == (u32)virt_to_phys(&c->ccw[0]));

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(3));
	put_ccw(PG(3), CCW_CMD_SENSE_ID, 0, 8, PG(2));
	CASE("TIC out of the chain starts a new chain",
	     t_orb(PG(1), true, false), 0,
	     cp.nr_chains == 2 && (c = t_chain(0)) && (c2 = t_chain(1)) &&
	     c->len == 2 && c2->len == 1 && c2->iova == PG(3) &&
	     c->ccw[1].cda == (u32)virt_to_phys(c2->ccw));

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(3));
	put_ccw(PG(3), CCW_CMD_TIC, 0, 0, PG(1));
	CASE("TIC to a TIC: rejected", t_orb(PG(1), true, false), -EINVAL,
	     true);

	wipe();
	put_ccw(PG(1), CCW_CMD_TIC, 0, 0, PG(1));
	CASE("TIC to itself: rejected", t_orb(PG(1), true, false), -EINVAL,
	     true);

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(1));
	CASE("self-loop NOP/TIC: translated, TIC to the host copy",
	     t_orb(PG(1), true, false), 0,
	     (c = t_chain(0)) && cp.nr_chains == 1 && c->len == 3 &&
	     c->ccw[1].cda == (u32)virt_to_phys(&c->ccw[0]));

	/* sixteen chains in a ring, each TIC to the next: a loop of chains */
	wipe();
	for (i = 0; i < VCCW_CHAINS_MAX; i++) {
		put_ccw(PG(1 + i), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
		put_ccw(PG(1 + i) + 8, CCW_CMD_TIC, 0, 0,
			PG(1 + (i + 1) % VCCW_CHAINS_MAX));
	}
	t0 = ktime_get_ns();
	CASE("a ring of 16 chains: translated", t_orb(PG(1), true, false), 0,
	     cp.nr_chains == VCCW_CHAINS_MAX);
	ns = ktime_get_ns() - t0;
	report(ns < 100 * NSEC_PER_MSEC, "... in bounded time (< 100 ms)");

	wipe();
	for (i = 0; i <= VCCW_CHAINS_MAX; i++) {
		put_ccw(PG(1 + i), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
		put_ccw(PG(1 + i) + 8, CCW_CMD_TIC, 0, 0, PG(2 + i));
	}
	put_ccw(PG(2 + VCCW_CHAINS_MAX), CCW_CMD_NOOP, 0, 0, 0);
	CASE("17 chains: rejected", t_orb(PG(1), true, false), -EINVAL, true);

	wipe();
	for (i = 0; i < VCCW_CHAIN_MAX - 1; i++)
		put_ccw(PG(1) + 0x900 + 8 * i, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 0x900 + 8 * i, CCW_CMD_NOOP, 0, 0, 0);
	CASE("a chain of 256 CCWs across a page boundary: accepted",
	     t_orb(PG(1) + 0x900, true, false), 0,
	     (c = t_chain(0)) && c->len == VCCW_CHAIN_MAX);

	wipe();
	for (i = 0; i < VCCW_CHAIN_MAX; i++)
		put_ccw(PG(1) + 8 * i, CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8 * i, CCW_CMD_NOOP, 0, 0, 0);
	CASE("a chain of 257 CCWs: rejected", t_orb(PG(1), true, false),
	     -EINVAL, true);

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(3) + 4);
	CASE("TIC to an address that is no doubleword: rejected",
	     t_orb(PG(1), true, false), -EINVAL, true);

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, CCW_FLAG_CC, 0, PG(3));
	CASE("TIC with flags: rejected", t_orb(PG(1), true, false), -EINVAL,
	     true);

	wipe();
	CASE("channel program not mapped: -EFAULT",
	     t_orb(PG(VCCW_T_FRAMES + 2), true, false), -EFAULT, true);

	/* the guest's view of where the channel stopped */
	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_CC, 0, 0);
	put_ccw(PG(1) + 8, CCW_CMD_TIC, 0, 0, PG(3));
	put_ccw(PG(3), CCW_CMD_SENSE_ID, 0, 8, PG(2));
	orb = t_orb(PG(1), true, false);
	{
		u32 g1 = 0, g2 = 0, g3 = 1;
		bool ok;

		ok = !t_build(orb) && (c = t_chain(0)) && (c2 = t_chain(1)) &&
		     vccw_cp_guest_cpa(&cp, (u32)virt_to_phys(c2->ccw) + 8,
				       &g1) &&
		     vccw_cp_guest_cpa(&cp, (u32)virt_to_phys(c->ccw) + 8,
				       &g2) &&
		     !vccw_cp_guest_cpa(&cp, 0x12345678, &g3) &&
		     g1 == PG(3) + 8 && g2 == PG(1) + 8 && g3 == 1 &&
		     vccw_cp_pinned(&cp, PG(2), PAGE_SIZE) &&
		     !vccw_cp_pinned(&cp, PG(5), PAGE_SIZE);
		vccw_cp_free(&cp);
		report(ok && !pinned(), "channel addresses back to guest addresses; pinned ranges");
	}
}

static void test_orb(void)
{
	union orb orb;

	wipe();
	put_ccw(PG(1), CCW_CMD_NOOP, 0, 0, 0);
	orb = t_orb(PG(1), true, false);
	orb.tm.b = 1;
	CASE("transport mode: -EOPNOTSUPP", orb, -EOPNOTSUPP, true);
	orb = t_orb(PG(1), true, false);
	orb.cmd.fmt = 0;
	CASE("format-0 CCWs: -EOPNOTSUPP", orb, -EOPNOTSUPP, true);
	orb = t_orb(PG(1), true, false);
	orb.cmd.orbx = 1;
	CASE("ORB extension: -EOPNOTSUPP", orb, -EOPNOTSUPP, true);
	CASE("channel program address not a doubleword: -EINVAL",
	     t_orb(PG(1) + 4, true, false), -EINVAL, true);
	CASE("channel program address beyond 2 GiB: -EINVAL",
	     t_orb(0x80000000, true, false), -EINVAL, true);
	orb = t_orb(PG(1), true, false);
	orb.cmd.spnd = 1;
	put_ccw(PG(1), CCW_CMD_NOOP, CCW_FLAG_SUSPEND, 0, 0);
	CASE("suspend flag and control: passed through", orb, 0,
	     cp.orb.cmd.spnd && (t_chain(0)->ccw[0].flags & CCW_FLAG_SUSPEND));
}

static int __init vccw_cptest_init(void)
{
	unsigned int i;
	int ret = -ENOMEM;

	for (i = 0; i < VCCW_T_FRAMES; i++) {
		frames[i] = alloc_page(GFP_KERNEL);
		if (!frames[i])
			goto out_free;
	}
	bucket = alloc_page(GFP_KERNEL);
	if (!bucket)
		goto out_free;
	tdev = root_device_register("vccw-cptest");
	if (IS_ERR(tdev)) {
		ret = PTR_ERR(tdev);
		goto out_free;
	}

	test_orb();
	test_data();
	test_tics();
	pr_info("vccw-cptest: %u passed, %u failed\n", tests - failed, failed);
	ret = failed ? -EINVAL : 0;

	root_device_unregister(tdev);
out_free:
	if (bucket)
		__free_page(bucket);
	for (i = 0; i < VCCW_T_FRAMES; i++)
		if (frames[i])
			__free_page(frames[i]);
	return ret;
}

static void __exit vccw_cptest_exit(void)
{
}

module_init(vccw_cptest_init);
module_exit(vccw_cptest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit: self-test of the vfio-ccw channel-program translator");
