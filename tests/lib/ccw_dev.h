/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vfio-ccw device as the s390x tests and the ccw fuzzer drive it: a
 * subchannel handed to the vfio_ccw driver, its mdev opened through VFIO,
 * guest memory mapped at CCW_IOVA, the three interrupt eventfds armed.
 */
#ifndef MDK_CCW_DEV_H
#define MDK_CCW_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>
#include <linux/vfio_ccw.h>
#include "mdk_test.h"

#define CCW_IOVA	0x100000u	/* guest memory starts here */

enum { CCW_RGN_IO, CCW_RGN_ASYNC, CCW_RGN_SCHIB, CCW_RGN_CRW, CCW_RGN_NR };

struct ccw_dev {
	char sch[16];		/* the subchannel, "0.0.0000" */
	char uuid[37];
	struct mdk_vfio v;
	int efd[VFIO_CCW_NUM_IRQS];	/* IO, CRW, REQ (nonblocking) */
	off_t off[CCW_RGN_NR];		/* region offsets, from the kernel */
	uint8_t *mem;
	size_t pages;
};

/* The subchannel whose device has bus ID @busid ("0.0.0001"). 0/-errno. */
int ccw_find_sch(const char *busid, char *sch, size_t len);
/* Hand @sch to vfio_ccw (driver_override), or back to io_subchannel. */
int ccw_bind(const char *sch);
int ccw_unbind(const char *sch);
/* The driver bound to @sch ("" when none). */
void ccw_driver(const char *sch, char *buf, size_t len);

/*
 * Create an mdev on the bound @sch, open it, map @pages pages of fresh
 * memory at CCW_IOVA and arm the eventfds. 0 or -errno.
 */
int ccw_open(struct ccw_dev *d, const char *sch, size_t pages);
/* Undo ccw_open (the mdev is removed). */
void ccw_close(struct ccw_dev *d);

/* Guest address @a as a pointer into the mapped memory. */
static inline uint8_t *ccw_g(struct ccw_dev *d, uint32_t a)
{
	return d->mem + (a - CCW_IOVA);
}

/*
 * Write a start request (ORB word 1 @flags, channel program at @cpa) to
 * the I/O region. 0, or -errno of the write.
 */
int ccw_start(struct ccw_dev *d, uint32_t flags, uint32_t cpa);
/* Write an async command; 0 or -errno. */
int ccw_async(struct ccw_dev *d, uint32_t command);
/* Wait up to @ms for eventfd @i: 1 signalled (count consumed), 0 not. */
int ccw_wait(struct ccw_dev *d, int i, int ms);
/* Read the I/O region: the IRB (96 bytes) and ret_code. 0 or -errno. */
int ccw_read_io(struct ccw_dev *d, uint8_t *irb, int32_t *ret_code);
/* Start, wait for the interrupt and read its IRB. 0 or -errno. */
int ccw_run(struct ccw_dev *d, uint32_t flags, uint32_t cpa, uint8_t *irb);

#endif /* MDK_CCW_DEV_H */
