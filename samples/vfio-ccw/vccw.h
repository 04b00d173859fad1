/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-ccw on mdevkit: private interfaces of the module's parts.
 *
 *   drv.c  the css driver "vfio_ccw" and the mdev parent (one instance)
 *   ops.c  the mdev and its VFIO device: regions, IRQs (through the
 *          framework's device helper, <mdevkit/vdev.h>)
 *   fsm.c  the subchannel state machine and interrupt delivery
 *   cp.c   the channel-program translator (cp.h)
 */
#ifndef _VCCW_H
#define _VCCW_H

#include <linux/completion.h>
#include <linux/vfio_ccw.h>
#include <linux/workqueue.h>
#include <asm/crw.h>
#include <mdevkit/mdev.h>
#include <mdevkit/vdev.h>
#include "css.h"
#include "cp.h"

#define VCCW_NAME		"vfio_ccw"
#define VCCW_OFFSET_SHIFT	10	/* region index << 10, as upstream */
#define VCCW_IRB_QUEUE		16	/* interrupts awaiting delivery */
#define VCCW_CRW_QUEUE		16	/* channel reports awaiting the user */

/* Region indexes: the I/O region is the bus's fixed index 0. */
enum {
	VCCW_IO_REGION = VFIO_CCW_CONFIG_REGION_INDEX,
	VCCW_ASYNC_REGION,
	VCCW_SCHIB_REGION,
	VCCW_CRW_REGION,
	VCCW_NUM_REGIONS
};

/*
 * The subchannel as the user drives it; see the table in fsm.c.
 */
enum vccw_state {
	VCCW_STANDBY,		/* device closed, subchannel disabled */
	VCCW_IDLE,		/* enabled, no function of ours under way */
	VCCW_BUSY,		/* a start function (channel program) runs */
	VCCW_HALT_PENDING,	/* halt issued, its interrupt not seen yet */
	VCCW_CLEAR_PENDING,	/* clear issued, its interrupt not seen yet */
	VCCW_NOT_OPER,		/* the subchannel is gone */
};

/**
 * struct vccw_irbq - a ring of interruption response blocks
 * @irb: the entries
 * @head: oldest entry
 * @count: entries in use
 */
struct vccw_irbq {
	struct irb irb[VCCW_IRB_QUEUE];
	unsigned int head;
	unsigned int count;
};

/**
 * struct vccw - one I/O subchannel bound to the driver, and its mdev
 * @sch: the subchannel
 * @parent: the mdev parent (the subchannel device)
 * @mdev: the one mediated device, or NULL; set and cleared by the mdev
 *	driver's probe and remove, which the framework serializes
 * @vd: the mdev's VFIO device (initialized while @mdev is set)
 * @irq_work: delivers the interrupts of @raw (takes @vd.lock)
 *
 * Protected by @vd.lock (the device lock of the framework's helper):
 * @state: see enum vccw_state
 * @cp: the channel program of the running start function
 * @io: the I/O region as the user reads it
 * @irb_unread: @io.irb_area holds an interrupt the user has not read
 * @user: interrupts processed but waiting for @io.irb_area to be read
 * @cmd: the async command region
 * @bucket: the page IDAWs of CCWs that store nothing point to (while open)
 *
 * Protected by @sch->lock (a spinlock taken in interrupt context):
 * @open: the device file is open and the subchannel enabled for us; the
 *	IRQ indexes of @vd may be signalled
 * @gone: the subchannel is not operational any more
 * @raw: interrupts from the channel not yet processed
 * @lost: interrupts dropped because @raw was full
 * @done: completed on each interrupt while a quiesce waits for one
 * @crw: channel reports waiting for the user (as CRW words)
 * @crw_head: oldest entry of @crw
 * @crw_count: entries in @crw
 */
struct vccw {
	struct subchannel *sch;
	struct mdk_mdev_parent parent;
	struct mdk_mdev *mdev;
	struct mdk_vdev vd;
	struct work_struct irq_work;

	enum vccw_state state;
	struct vccw_cp cp;
	struct ccw_io_region io;
	bool irb_unread;
	struct vccw_irbq user;
	struct ccw_cmd_region cmd;
	struct page *bucket;

	bool open;
	bool gone;
	struct vccw_irbq raw;
	unsigned long lost;
	struct completion *done;
	u32 crw[VCCW_CRW_QUEUE];
	unsigned int crw_head;
	unsigned int crw_count;
};

static inline struct vccw *vd_to_vccw(struct mdk_vdev *vd)
{
	return container_of(vd, struct vccw, vd);
}

extern struct workqueue_struct *vccw_wq;
extern struct mdk_mdev_driver vccw_mdev_driver;
extern const struct vccw_mem_ops vccw_mem_ops;

/* fsm.c */
int vccw_open(struct vccw *vc);
void vccw_close(struct vccw *vc);
int vccw_reset(struct vccw *vc);
int vccw_start(struct vccw *vc);
int vccw_async(struct vccw *vc, u32 command);
int vccw_read_schib(struct vccw *vc, struct schib *schib);
void vccw_irb_read(struct vccw *vc);
void vccw_dma_unmap(struct vccw *vc, u64 iova, u64 length);
void vccw_irq(struct subchannel *sch);
void vccw_irq_work(struct work_struct *work);
void vccw_not_oper(struct vccw *vc);
void vccw_queue_crw(struct vccw *vc, unsigned int rsc, unsigned int erc,
		    unsigned int rsid);
u32 vccw_pop_crw(struct vccw *vc);

#endif /* _VCCW_H */
