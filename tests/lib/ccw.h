/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Channel-I/O formats for the vfio-ccw tests, the ccw fuzzer and the
 * bare-metal L2 guest: CCWs, ORBs, IDAWs, SCSWs, SCHIBs and CRWs in the
 * architecture's layout (big-endian, bit 0 the most significant), built
 * and read byte by byte so that the code means the same on any host.
 * Freestanding: <stdint.h> only.
 */
#ifndef MDK_CCW_H
#define MDK_CCW_H

#include <stdint.h>

/* command codes: common, and virtio-ccw's that move no guest address */
#define CCW_WRITE		0x01
#define CCW_READ		0x02
#define CCW_NOOP		0x03
#define CCW_SENSE		0x04
#define CCW_TIC			0x08
#define CCW_SENSE_ID		0xe4
#define VIRTIO_CCW_READ_FEAT	0x12
#define VIRTIO_CCW_READ_CONF	0x22
#define VIRTIO_CCW_READ_VQ_CONF	0x32
#define VIRTIO_CCW_READ_STATUS	0x72

/* CCW flags */
#define CCW_F_DC	0x80	/* chain data */
#define CCW_F_CC	0x40	/* chain command */
#define CCW_F_SLI	0x20	/* suppress incorrect length */
#define CCW_F_SKIP	0x10
#define CCW_F_PCI	0x08	/* program-controlled interruption */
#define CCW_F_IDA	0x04	/* indirect data addressing */
#define CCW_F_SUSP	0x02	/* suspend */
#define CCW_F_MIDA	0x01	/* modified IDAW */

/* ORB word 1 */
#define ORB_SPND	0x08000000u	/* suspend control */
#define ORB_FMT		0x00800000u	/* format-1 CCWs */
#define ORB_PFCH	0x00400000u	/* prefetch */
#define ORB_ISIC	0x00200000u	/* initial-status interruption */
#define ORB_TM		0x00040000u	/* transport mode */
#define ORB_C64		0x00020000u	/* format-2 IDAWs */
#define ORB_I2K		0x00010000u	/* 2K blocks for format-2 IDAWs */
#define ORB_LPM(m)	((uint32_t)(m) << 8)
#define ORB_X		0x00000001u	/* ORB extension */

/* SCSW */
#define SCSW_FCTL_START		4
#define SCSW_FCTL_HALT		2
#define SCSW_FCTL_CLEAR		1
#define SCSW_ACTL_SUSP		0x01
#define SCSW_ACTL_DEVACT	0x02
#define SCSW_ACTL_SCHACT	0x04
#define SCSW_STCTL_ALERT	0x10
#define SCSW_STCTL_INTER	0x08
#define SCSW_STCTL_PRIM		0x04
#define SCSW_STCTL_SEC		0x02
#define SCSW_STCTL_PEND		0x01
#define DSTAT_CE		0x08	/* channel end */
#define DSTAT_DE		0x04	/* device end */
#define DSTAT_UC		0x02	/* unit check */
#define DSTAT_UE		0x01	/* unit exception */
#define CSTAT_PROG		0x20	/* program check */
#define CSTAT_PCI		0x80

/* CRW */
#define CRW_RSC_SCH		0x3
#define CRW_RSC_CPATH		0x4
#define CRW_ERC_IPARM		0x04

static inline void ccw_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void ccw_put32(uint8_t *p, uint32_t v)
{
	ccw_put16(p, v >> 16);
	ccw_put16(p + 2, v);
}

static inline void ccw_put64(uint8_t *p, uint64_t v)
{
	ccw_put32(p, v >> 32);
	ccw_put32(p + 4, v);
}

static inline uint16_t ccw_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ccw_get32(const uint8_t *p)
{
	return (uint32_t)ccw_get16(p) << 16 | ccw_get16(p + 2);
}

/* A format-1 CCW at @at. */
static inline void ccw_put(void *at, uint8_t cmd, uint8_t flags,
			   uint16_t count, uint32_t cda)
{
	uint8_t *p = at;

	p[0] = cmd;
	p[1] = flags;
	ccw_put16(p + 2, count);
	ccw_put32(p + 4, cda);
}

/* A command-mode ORB (12 bytes) at @at. */
static inline void orb_put(void *at, uint32_t intparm, uint32_t flags,
			   uint32_t cpa)
{
	uint8_t *p = at;

	ccw_put32(p, intparm);
	ccw_put32(p + 4, flags);
	ccw_put32(p + 8, cpa);
}

/* An SCSW (12 bytes) asking for the start function, as QEMU writes it. */
static inline void scsw_put_start(void *at)
{
	uint8_t *p = at;

	ccw_put32(p, (uint32_t)SCSW_FCTL_START << 12);
	ccw_put32(p + 4, 0);
	ccw_put32(p + 8, 0);
}

struct scsw_info {
	uint8_t cc;		/* deferred condition code */
	uint8_t fctl;
	uint8_t actl;
	uint8_t stctl;
	uint32_t cpa;
	uint8_t dstat;
	uint8_t cstat;
	uint16_t count;		/* residual count */
};

static inline struct scsw_info scsw_get(const void *at)
{
	const uint8_t *p = at;
	uint32_t w0 = ccw_get32(p), w2 = ccw_get32(p + 8);
	struct scsw_info s = {
		.cc = (w0 >> 24) & 3,
		.fctl = (w0 >> 12) & 7,
		.actl = (w0 >> 5) & 0x7f,
		.stctl = w0 & 0x1f,
		.cpa = ccw_get32(p + 4),
		.dstat = w2 >> 24,
		.cstat = (w2 >> 16) & 0xff,
		.count = w2 & 0xffff,
	};
	return s;
}

struct schib_info {
	uint32_t intparm;
	uint8_t isc, ena, dnv, st;
	uint16_t devno;
	uint8_t lpm, pnom, lpum, pim, pom, pam;
	uint8_t chpid[8];
	struct scsw_info scsw;
};

/* The 52 bytes of a SCHIB: PMCW (28), SCSW (12), MBA (8), MDA (4). */
static inline struct schib_info schib_get(const void *at)
{
	const uint8_t *p = at;
	uint32_t w1 = ccw_get32(p + 4);
	struct schib_info s = {
		.intparm = ccw_get32(p),
		.isc = (w1 >> 27) & 7,
		.ena = (w1 >> 23) & 1,
		.dnv = (w1 >> 16) & 1,
		.devno = w1 & 0xffff,
		.lpm = p[8], .pnom = p[9], .lpum = p[10], .pim = p[11],
		.pom = p[14], .pam = p[15],
		.st = (ccw_get32(p + 24) >> 21) & 7,
		.scsw = scsw_get(p + 28),
	};
	int i;

	for (i = 0; i < 8; i++)
		s.chpid[i] = p[16 + i];
	return s;
}

struct crw_info {
	uint8_t oflw, chn, rsc, erc;
	uint16_t rsid;
};

static inline struct crw_info crw_get(uint32_t w)
{
	struct crw_info c = {
		.oflw = (w >> 29) & 1,
		.chn = (w >> 28) & 1,
		.rsc = (w >> 24) & 0xf,
		.erc = (w >> 16) & 0x3f,
		.rsid = w & 0xffff,
	};
	return c;
}

#endif /* MDK_CCW_H */
