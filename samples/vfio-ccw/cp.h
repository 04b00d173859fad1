/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-ccw channel-program translation: a guest's channel program, whose
 * addresses are guest (IOVA) addresses, made into one the real channel can
 * run, whose addresses are host physical addresses of pinned pages.
 *
 * The translator knows nothing of subchannels or VFIO: it reaches guest
 * memory through struct vccw_mem_ops, so that the self-test (cp_test.c)
 * can run it on synthetic guest memory. See
 * Documentation/vfio-ccw.md for the rules it enforces.
 */
#ifndef _VCCW_CP_H
#define _VCCW_CP_H

#include <linux/list.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <asm/cio.h>
#include "orb.h"

#define VCCW_CHAIN_MAX		256	/* CCWs in one chain */
#define VCCW_CHAINS_MAX		16	/* chains in one channel program */
#define VCCW_ADDR_LIMIT		0x80000000U	/* 31-bit addresses */

#define CCW_FLAG_MIDA		0x01	/* modified IDAW: not supported */

/**
 * struct vccw_mem_ops - access to guest memory
 * @read: copy @len bytes at guest address @iova into @buf; 0 or -errno
 * @pin: pin the guest page at page-aligned @iova; 0 with *@page set, or
 *	-errno
 * @unpin: drop one pin taken by @pin on the page at @iova
 */
struct vccw_mem_ops {
	int (*read)(void *ctx, u64 iova, void *buf, size_t len);
	int (*pin)(void *ctx, u64 iova, struct page **page);
	void (*unpin)(void *ctx, u64 iova);
};

/**
 * struct vccw_pin - one pinned guest page
 * @iova: its guest address (page aligned)
 * @page: the page
 */
struct vccw_pin {
	u64 iova;
	struct page *page;
};

/**
 * struct vccw_data - what the translation of one CCW owns
 * @idal: the host IDAL its cda points to (below 2 GiB), or NULL
 * @pins: the guest pages it pinned, @nr_pins of them
 * @nr_pins: number of entries in @pins
 */
struct vccw_data {
	u64 *idal;
	struct vccw_pin *pins;
	unsigned int nr_pins;
};

/**
 * struct vccw_chain - a run of CCWs the channel fetches one after another
 * @link: link in &vccw_cp.chains
 * @iova: guest address of its first CCW
 * @len: number of CCWs
 * @ccw: the host copy the channel runs (below 2 GiB)
 * @data: per CCW, what its translation owns
 */
struct vccw_chain {
	struct list_head link;
	u32 iova;
	unsigned int len;
	struct ccw1 *ccw;
	struct vccw_data *data;
};

/**
 * struct vccw_cp - a translated channel program
 * @mem: access to guest memory
 * @ctx: argument of @mem's callbacks
 * @dev: the device named in rejection messages
 * @bucket: a page of the device that IDAWs of CCWs moving no data point
 *	to (the channel never stores there, by the rules of Skip)
 * @rs: rate limit of the rejection messages
 * @chains: the chains (struct vccw_chain), the first one is where the
 *	program starts
 * @nr_chains: number of chains
 * @orb: the ORB for the real subchannel (valid while @active); the
 *	caller sets intparm, key and lpm
 * @block: IDAW block size of the program, 2048 or 4096
 * @active: a translated program exists (pages are pinned)
 *
 * The caller serializes every call on one struct vccw_cp.
 */
struct vccw_cp {
	const struct vccw_mem_ops *mem;
	void *ctx;
	struct device *dev;
	struct page *bucket;
	struct ratelimit_state rs;
	struct list_head chains;
	unsigned int nr_chains;
	union orb orb;
	unsigned int block;
	bool active;
};

void vccw_cp_init(struct vccw_cp *cp, struct device *dev,
		  const struct vccw_mem_ops *mem, void *ctx,
		  struct page *bucket);
int vccw_cp_build(struct vccw_cp *cp, const union orb *orb);
void vccw_cp_free(struct vccw_cp *cp);
bool vccw_cp_guest_cpa(const struct vccw_cp *cp, u32 host, u32 *guest);
bool vccw_cp_pinned(const struct vccw_cp *cp, u64 iova, u64 length);

#endif /* _VCCW_CP_H */
