// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-ccw: translation of a guest's channel program.
 *
 * vccw_cp_build() works in three passes, each of bounded length:
 *
 * 1. Fetch. From the ORB's channel-program address on, the guest's CCWs
 *    are copied chain by chain. A chain ends at a CCW that chains neither
 *    commands nor data, unless that CCW is a TIC back into the chain
 *    itself (a "rewind": a status modifier on the CCW before the TIC makes
 *    the channel skip the TIC, so the CCWs after it belong to the chain).
 *    A TIC whose target lies outside every chain fetched so far starts a
 *    new chain. A chain holds at most VCCW_CHAIN_MAX CCWs and a program
 *    at most VCCW_CHAINS_MAX chains; a program that loops back on itself
 *    ends up pointing into a chain already fetched, so translation ends
 *    however the guest arranged its TICs.
 * 2. TICs. Each TIC is pointed at the host copy of its target. A TIC to a
 *    TIC is rejected (the channel would end the program with a program
 *    check), which also rejects a TIC to itself.
 * 3. Data. Every CCW that moves data gets a host IDAL, format-2 IDAWs of
 *    the program's block size, pointing into pinned guest pages, whether
 *    the guest used direct addressing, format-1 or format-2 IDAWs. A NOP
 *    or a CCW with count 0 gets no data address at all (which keeps the
 *    no-data loop detection of QEMU's channel emulation working for
 *    looping programs); Skip on a read or sense gets an IDAL into the
 *    device's bucket page and pins nothing.
 *
 * Each rejection returns an errno and logs, rate-limited per device, the
 * CCW it concerns by guest address and command code: -EOPNOTSUPP for what
 * is not implemented (transport mode, format-0 CCWs, ORB extension,
 * MIDAWs), -EFAULT for guest memory that cannot be read or pinned, -EINVAL
 * for a malformed program.
 *
 * Guest memory holds CCWs and IDAWs in the architecture's big-endian
 * layout; the host copies are native, which is the same on s390, the only
 * place the channel exists.
 */
#include <linux/device.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include "cp.h"

#define VCCW_CCW_SIZE	((u32)sizeof(struct ccw1))

static bool ccw_is_tic(const struct ccw1 *ccw)
{
	return ccw->cmd_code == CCW_CMD_TIC;
}

static bool ccw_chains(const struct ccw1 *ccw)
{
	return ccw->flags & (CCW_FLAG_CC | CCW_FLAG_DC);
}

/* Skip suppresses the storing of data by read, read backward and sense. */
static bool ccw_skips_data(const struct ccw1 *ccw)
{
	return (ccw->flags & CCW_FLAG_SKIP) &&
	       ((ccw->cmd_code & 0x03) == 0x02 ||
		(ccw->cmd_code & 0x0f) == 0x0c ||
		(ccw->cmd_code & 0x0f) == CCW_CMD_BASIC_SENSE);
}

static unsigned int vccw_blocks(u64 first, unsigned int count,
				unsigned int bsz)
{
	return ((first & (bsz - 1)) + count + bsz - 1) / bsz;
}

/* Log a rejection of the CCW at guest address @addr (@ccw NULL: the ORB). */
static __printf(5, 6) int vccw_reject(struct vccw_cp *cp, u32 addr,
				      const struct ccw1 *ccw, int err,
				      const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&cp->rs))
		return err;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (ccw)
		dev_err(cp->dev, "channel program rejected (%d): CCW at %#x (command %#04x, flags %#04x, count %u): %pV\n",
			err, addr, ccw->cmd_code, ccw->flags, ccw->count, &vaf);
	else
		dev_err(cp->dev, "channel program rejected (%d): ORB: %pV\n",
			err, &vaf);
	va_end(args);
	return err;
}

/**
 * vccw_cp_init() - prepare a channel program
 * @cp: the channel program
 * @dev: the device named in messages
 * @mem: access to guest memory
 * @ctx: argument of @mem's callbacks
 * @bucket: a page IDAWs of CCWs that store no data may point to
 *
 * Context: any context.
 */
void vccw_cp_init(struct vccw_cp *cp, struct device *dev,
		  const struct vccw_mem_ops *mem, void *ctx,
		  struct page *bucket)
{
	memset(cp, 0, sizeof(*cp));
	cp->dev = dev;
	cp->mem = mem;
	cp->ctx = ctx;
	cp->bucket = bucket;
	ratelimit_state_init(&cp->rs, 5 * HZ, 10);
	INIT_LIST_HEAD(&cp->chains);
}

/* The chain holding the CCW at @addr; its index in *@idx when found. */
static struct vccw_chain *vccw_find_chain(const struct vccw_cp *cp, u32 addr,
					  unsigned int *idx)
{
	struct vccw_chain *chain;

	list_for_each_entry(chain, &cp->chains, link) {
		if (addr >= chain->iova &&
		    addr - chain->iova < chain->len * VCCW_CCW_SIZE) {
			if (idx)
				*idx = (addr - chain->iova) / VCCW_CCW_SIZE;
			return chain;
		}
	}
	return NULL;
}

/* Undo everything a (possibly partial) build did. */
static void vccw_cp_release(struct vccw_cp *cp)
{
	struct vccw_chain *chain, *tmp;
	unsigned int i, j;

	list_for_each_entry_safe(chain, tmp, &cp->chains, link) {
		for (i = 0; i < chain->len; i++) {
			struct vccw_data *d = &chain->data[i];

			for (j = 0; j < d->nr_pins; j++)
				cp->mem->unpin(cp->ctx, d->pins[j].iova);
			kfree(d->pins);
			kfree(d->idal);
		}
		list_del(&chain->link);
		kfree(chain->data);
		kfree(chain->ccw);
		kfree(chain);
	}
	cp->nr_chains = 0;
}

/*
 * Pass 1 for one chain: copy the CCWs from guest address @head on, through
 * @buf (VCCW_CHAIN_MAX CCWs), into a new chain at the end of the list.
 */
static int vccw_fetch_chain(struct vccw_cp *cp, u32 head, struct ccw1 *buf)
{
	unsigned int n = 0, have = 0;
	struct vccw_chain *chain;
	struct ccw1 *ccw;
	u32 addr;
	int ret;

	for (;;) {
		addr = head + n * VCCW_CCW_SIZE;
		if (n == have) {
			/* what is left of the page, within the chain limit */
			size_t chunk = min_t(size_t,
					     PAGE_SIZE - offset_in_page(addr),
					     (VCCW_CHAIN_MAX - have) * VCCW_CCW_SIZE);

			if (addr >= VCCW_ADDR_LIMIT)
				return vccw_reject(cp, addr, NULL, -EINVAL,
						   "the chain at %#x runs past 2 GiB",
						   head);
			chunk = min_t(size_t, chunk, VCCW_ADDR_LIMIT - addr);
			ret = cp->mem->read(cp->ctx, addr, buf + have, chunk);
			if (ret)
				return vccw_reject(cp, addr, NULL, -EFAULT,
						   "CCW at %#x not readable (%d)",
						   addr, ret);
			have += chunk / VCCW_CCW_SIZE;
		}
		ccw = &buf[n++];
		if (ccw_is_tic(ccw)) {
			/* QEMU and the architecture: a TIC carries no flags */
			if (ccw->flags || ccw->count)
				return vccw_reject(cp, addr, ccw, -EINVAL,
						   "TIC with flags or count");
			/* a rewind keeps the CCWs after the TIC in the chain */
			if (ccw->cda < head || ccw->cda > addr)
				break;
		} else if (!ccw_chains(ccw)) {
			break;
		}
		if (n == VCCW_CHAIN_MAX)
			return vccw_reject(cp, addr, ccw, -EINVAL,
					   "the chain at %#x is longer than %u CCWs",
					   head, VCCW_CHAIN_MAX);
	}

	chain = kzalloc(sizeof(*chain), GFP_KERNEL);
	if (!chain)
		return -ENOMEM;
	/* the channel fetches CCWs with 31-bit addresses */
	chain->ccw = kmemdup(buf, n * VCCW_CCW_SIZE, GFP_KERNEL | GFP_DMA);
	chain->data = kcalloc(n, sizeof(*chain->data), GFP_KERNEL);
	if (!chain->ccw || !chain->data) {
		kfree(chain->ccw);
		kfree(chain->data);
		kfree(chain);
		return -ENOMEM;
	}
	chain->iova = head;
	chain->len = n;
	list_add_tail(&chain->link, &cp->chains);
	cp->nr_chains++;
	return 0;
}

/* Pass 1: every chain the program can reach. */
static int vccw_fetch(struct vccw_cp *cp, u32 cpa, struct ccw1 *buf)
{
	struct vccw_chain *chain;
	unsigned int i;
	int ret;

	ret = vccw_fetch_chain(cp, cpa, buf);
	if (ret)
		return ret;
	/* chains added at the tail are visited too */
	list_for_each_entry(chain, &cp->chains, link) {
		for (i = 0; i < chain->len; i++) {
			struct ccw1 *ccw = &chain->ccw[i];
			u32 addr = chain->iova + i * VCCW_CCW_SIZE;

			if (!ccw_is_tic(ccw))
				continue;
			if (ccw->cda & 7 || ccw->cda >= VCCW_ADDR_LIMIT)
				return vccw_reject(cp, addr, ccw, -EINVAL,
						   "TIC to %#x, not a doubleword below 2 GiB",
						   ccw->cda);
			if (vccw_find_chain(cp, ccw->cda, NULL))
				continue;
			if (cp->nr_chains == VCCW_CHAINS_MAX)
				return vccw_reject(cp, addr, ccw, -EINVAL,
						   "TIC to %#x starts chain %u, more than %u",
						   ccw->cda, cp->nr_chains + 1,
						   VCCW_CHAINS_MAX);
			ret = vccw_fetch_chain(cp, ccw->cda, buf);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Pass 2: point every TIC at the host copy of its target. */
static int vccw_link_tics(struct vccw_cp *cp)
{
	struct vccw_chain *chain, *tchain;
	unsigned int i, ti;

	list_for_each_entry(chain, &cp->chains, link) {
		for (i = 0; i < chain->len; i++) {
			struct ccw1 *ccw = &chain->ccw[i];

			if (!ccw_is_tic(ccw))
				continue;
			tchain = vccw_find_chain(cp, ccw->cda, &ti);
			if (WARN_ON_ONCE(!tchain))	/* pass 1 fetched it */
				return -EINVAL;
			if (ccw_is_tic(&tchain->ccw[ti]))
				return vccw_reject(cp, chain->iova + i * VCCW_CCW_SIZE,
						   ccw, -EINVAL,
						   "TIC to a TIC at %#x",
						   ccw->cda);
			ccw->cda = (u32)virt_to_phys(&tchain->ccw[ti]);
		}
	}
	return 0;
}

/*
 * The guest IDAL of @ccw (at @addr): its data addresses, one per block,
 * in *@out (n of them, in *@nr), allocated below 2 GiB to become the host
 * IDAL once translated.
 */
static int vccw_read_idal(struct vccw_cp *cp, const struct ccw1 *ccw,
			  u32 addr, u64 **out, unsigned int *nr)
{
	const bool fmt2 = cp->orb.cmd.c64;
	const unsigned int w = fmt2 ? 8 : 4, bsz = cp->block;
	u32 ida = ccw->cda;
	unsigned int n, k;
	u8 raw[8];
	u64 *idal;
	u8 *words;
	u64 v;
	int ret;

	if (ida & (w - 1) || ida >= VCCW_ADDR_LIMIT)
		return vccw_reject(cp, addr, ccw, -EINVAL,
				   "IDAL at %#x not aligned to %u bytes or beyond 2 GiB",
				   ida, w);
	ret = cp->mem->read(cp->ctx, ida, raw, w);
	if (ret)
		return vccw_reject(cp, addr, ccw, -EFAULT,
				   "IDAL at %#x not readable (%d)", ida, ret);
	v = fmt2 ? get_unaligned_be64(raw) : get_unaligned_be32(raw);
	n = vccw_blocks(v, ccw->count, bsz);
	if (VCCW_ADDR_LIMIT - ida < n * w)
		return vccw_reject(cp, addr, ccw, -EINVAL,
				   "IDAL at %#x (%u IDAWs) runs past 2 GiB",
				   ida, n);
	words = kmalloc_array(n, w, GFP_KERNEL);
	idal = kcalloc(n, sizeof(*idal), GFP_KERNEL | GFP_DMA);
	if (!words || !idal) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = cp->mem->read(cp->ctx, ida, words, n * w);
	if (ret) {
		ret = vccw_reject(cp, addr, ccw, -EFAULT,
				  "IDAL at %#x (%u IDAWs) not readable (%d)",
				  ida, n, ret);
		goto err_free;
	}
	for (k = 0; k < n; k++) {
		v = fmt2 ? get_unaligned_be64(words + 8 * k) :
			   get_unaligned_be32(words + 4 * k);
		if (!fmt2 && v >= VCCW_ADDR_LIMIT) {
			ret = vccw_reject(cp, addr, ccw, -EINVAL,
					  "format-1 IDAW %u (%#llx) beyond 2 GiB",
					  k, v);
			goto err_free;
		}
		/* only the first IDAW may start inside a block */
		if (k && v & (bsz - 1)) {
			ret = vccw_reject(cp, addr, ccw, -EINVAL,
					  "IDAW %u (%#llx) not on a %u-byte boundary",
					  k, v, bsz);
			goto err_free;
		}
		idal[k] = v;
	}
	kfree(words);
	*out = idal;
	*nr = n;
	return 0;

err_free:
	kfree(words);
	kfree(idal);
	return ret;
}

/* Pass 3 for one CCW: give it a host IDAL over pinned pages. */
static int vccw_translate(struct vccw_cp *cp, struct vccw_chain *chain,
			  unsigned int i)
{
	struct ccw1 *ccw = &chain->ccw[i];
	struct vccw_data *d = &chain->data[i];
	const u32 addr = chain->iova + i * VCCW_CCW_SIZE;
	const unsigned int bsz = cp->block;
	struct page *page = NULL;
	unsigned int n, k;
	u64 first, pg;
	int ret;

	if (ccw_is_tic(ccw))
		return 0;
	if (ccw->flags & CCW_FLAG_MIDA)
		return vccw_reject(cp, addr, ccw, -EOPNOTSUPP,
				   "modified IDAWs are not supported");
	if (!ccw->count || ccw->cmd_code == CCW_CMD_NOOP) {
		ccw->cda = 0;
		ccw->flags &= ~CCW_FLAG_IDA;
		return 0;
	}
	if (ccw_skips_data(ccw)) {
		/* nothing is stored: every block lands in the bucket */
		n = DIV_ROUND_UP(ccw->count, bsz);
		d->idal = kcalloc(n, sizeof(*d->idal), GFP_KERNEL | GFP_DMA);
		if (!d->idal)
			return -ENOMEM;
		for (k = 0; k < n; k++)
			d->idal[k] = page_to_phys(cp->bucket);
		goto out;
	}
	if (ccw->flags & CCW_FLAG_IDA) {
		ret = vccw_read_idal(cp, ccw, addr, &d->idal, &n);
		if (ret)
			return ret;
	} else {
		if (ccw->cda >= VCCW_ADDR_LIMIT ||
		    VCCW_ADDR_LIMIT - ccw->cda < ccw->count)
			return vccw_reject(cp, addr, ccw, -EINVAL,
					   "data at %#x (%u bytes) crosses 2 GiB",
					   ccw->cda, ccw->count);
		first = ccw->cda;
		n = vccw_blocks(first, ccw->count, bsz);
		d->idal = kcalloc(n, sizeof(*d->idal), GFP_KERNEL | GFP_DMA);
		if (!d->idal)
			return -ENOMEM;
		d->idal[0] = first;
		for (k = 1; k < n; k++)
			d->idal[k] = ALIGN_DOWN(first, bsz) + k * bsz;
	}

	d->pins = kcalloc(n, sizeof(*d->pins), GFP_KERNEL);
	if (!d->pins)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		pg = d->idal[k] & PAGE_MASK;
		/* consecutive blocks of one page share its pin */
		if (!d->nr_pins || d->pins[d->nr_pins - 1].iova != pg) {
			ret = cp->mem->pin(cp->ctx, pg, &page);
			if (ret)
				return vccw_reject(cp, addr, ccw, -EFAULT,
						   "data page %#llx (IDAW %u) not accessible (%d)",
						   pg, k, ret);
			d->pins[d->nr_pins].iova = pg;
			d->pins[d->nr_pins].page = page;
			d->nr_pins++;
		}
		page = d->pins[d->nr_pins - 1].page;
		d->idal[k] = page_to_phys(page) + offset_in_page(d->idal[k]);
	}
out:
	ccw->cda = (u32)virt_to_phys(d->idal);
	ccw->flags |= CCW_FLAG_IDA;
	return 0;
}

/* Checks of the guest's ORB; sets the program's block size. */
static int vccw_check_orb(struct vccw_cp *cp, const union orb *orb)
{
	const struct cmd_orb *cmd = &orb->cmd;

	if (orb->tm.b)
		return vccw_reject(cp, 0, NULL, -EOPNOTSUPP,
				   "transport mode is not supported");
	if (cmd->orbx)
		return vccw_reject(cp, 0, NULL, -EOPNOTSUPP,
				   "ORB extensions (MIDAWs) are not supported");
	if (!cmd->fmt)
		return vccw_reject(cp, 0, NULL, -EOPNOTSUPP,
				   "format-0 CCWs are not supported");
	if (cmd->zero)
		return vccw_reject(cp, 0, NULL, -EINVAL,
				   "reserved bits %#x set", cmd->zero);
	if (cmd->cpa & 7 || cmd->cpa >= VCCW_ADDR_LIMIT)
		return vccw_reject(cp, 0, NULL, -EINVAL,
				   "channel program address %#x is not a doubleword below 2 GiB",
				   cmd->cpa);
	/* format-1 IDAWs: 2K blocks; format-2: 4K, or 2K with i2k */
	cp->block = !cmd->c64 || cmd->i2k ? SZ_2K : SZ_4K;
	return 0;
}

/**
 * vccw_cp_build() - translate a guest channel program
 * @cp: a channel program without a translation (not active)
 * @orb: the guest's ORB (command mode)
 *
 * Fetches, checks and translates the program at @orb->cmd.cpa and pins the
 * guest pages it moves data to or from. On success @cp->orb is the ORB to
 * start the real subchannel with, but for intparm, key and lpm, which the
 * caller fills in; the pages stay pinned until vccw_cp_free().
 *
 * Context: process context, sleeps; the caller serializes calls on @cp.
 * Return: 0; -EBUSY when @cp already holds a program; -EOPNOTSUPP for
 * transport mode, format-0 CCWs, ORB extensions or MIDAWs; -EFAULT when a
 * CCW, an IDAL or a data page cannot be read or pinned; -EINVAL for a
 * malformed program (addresses, alignment, TIC rules, chain length and
 * count limits); -ENOMEM. Every case but -EBUSY and -ENOMEM is logged.
 */
int vccw_cp_build(struct vccw_cp *cp, const union orb *orb)
{
	struct vccw_chain *chain;
	struct ccw1 *buf;
	unsigned int i;
	int ret;

	if (cp->active)
		return -EBUSY;
	ret = vccw_check_orb(cp, orb);
	if (ret)
		return ret;
	cp->orb = *orb;
	buf = kmalloc_array(VCCW_CHAIN_MAX, VCCW_CCW_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = vccw_fetch(cp, orb->cmd.cpa, buf);
	kfree(buf);
	if (ret)
		goto err_release;
	ret = vccw_link_tics(cp);
	if (ret)
		goto err_release;
	list_for_each_entry(chain, &cp->chains, link) {
		for (i = 0; i < chain->len; i++) {
			ret = vccw_translate(cp, chain, i);
			if (ret)
				goto err_release;
		}
	}

	chain = list_first_entry(&cp->chains, struct vccw_chain, link);
	cp->orb.cmd.fmt = 1;
	cp->orb.cmd.c64 = 1;
	cp->orb.cmd.i2k = cp->block == SZ_2K;
	cp->orb.cmd.cpa = (u32)virt_to_phys(chain->ccw);
	cp->active = true;
	return 0;

err_release:
	vccw_cp_release(cp);
	return ret;
}

/**
 * vccw_cp_free() - release a translated program
 * @cp: the channel program (nothing happens when it is not active)
 *
 * Unpins every page and frees the host copies. The real channel must be
 * done with the program: its final interrupt arrived, or the subchannel
 * was cleared.
 *
 * Context: process context, sleeps.
 */
void vccw_cp_free(struct vccw_cp *cp)
{
	if (!cp->active)
		return;
	vccw_cp_release(cp);
	cp->active = false;
}

/**
 * vccw_cp_guest_cpa() - the guest address for a CCW address of the channel
 * @cp: an active channel program
 * @host: a channel-program address the channel reported (a SCSW's cpa:
 *	the CCW after the last one executed)
 * @guest: receives the corresponding guest address
 *
 * Context: any context.
 * Return: whether @host lies in the program (then *@guest is set).
 */
bool vccw_cp_guest_cpa(const struct vccw_cp *cp, u32 host, u32 *guest)
{
	const struct vccw_chain *chain;
	u32 base;

	if (!cp->active)
		return false;
	/* just after a CCW of the chain: the usual case */
	list_for_each_entry(chain, &cp->chains, link) {
		base = (u32)virt_to_phys(chain->ccw);
		if (host > base && host - base <= chain->len * VCCW_CCW_SIZE) {
			*guest = chain->iova + (host - base);
			return true;
		}
	}
	/* on the first CCW of a chain: nothing of it ran */
	list_for_each_entry(chain, &cp->chains, link) {
		if (host == (u32)virt_to_phys(chain->ccw)) {
			*guest = chain->iova;
			return true;
		}
	}
	return false;
}

/**
 * vccw_cp_pinned() - whether a translated program uses guest memory
 * @cp: the channel program
 * @iova: first guest address
 * @length: length of the range in bytes
 *
 * Context: any context.
 * Return: true if a page pinned for @cp intersects [@iova, @iova + @length).
 */
bool vccw_cp_pinned(const struct vccw_cp *cp, u64 iova, u64 length)
{
	const struct vccw_chain *chain;
	unsigned int i, j;

	if (!cp->active)
		return false;
	list_for_each_entry(chain, &cp->chains, link) {
		for (i = 0; i < chain->len; i++) {
			const struct vccw_data *d = &chain->data[i];

			for (j = 0; j < d->nr_pins; j++)
				if (d->pins[j].iova < iova + length &&
				    iova < d->pins[j].iova + PAGE_SIZE)
					return true;
		}
	}
	return false;
}
