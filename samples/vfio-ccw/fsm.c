// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-ccw: the subchannel state machine and the delivery of interrupts.
 *
 * The user drives the subchannel through three regions: a write of the I/O
 * region starts a channel program, a write of the async region halts or
 * clears, and interrupts come back through the I/O region's IRB area.
 *
 *   state          | start      | halt        | clear        | function ends
 *   ---------------+------------+-------------+--------------+--------------
 *   IDLE           | ssch: BUSY | HALT_PENDING| CLEAR_PENDING| (stays IDLE)
 *   BUSY           | -EBUSY     | HALT_PENDING| CLEAR_PENDING| IDLE
 *   HALT_PENDING   | -EBUSY     | -EBUSY      | CLEAR_PENDING| IDLE
 *   CLEAR_PENDING  | -EBUSY     | -EBUSY      | CLEAR_PENDING| IDLE
 *   NOT_OPER       | -ENODEV    | -ENODEV     | -ENODEV      | -
 *
 * STANDBY is the closed device: opening enables the subchannel (IDLE),
 * closing stops whatever runs (cancel, halt, clear) and disables it. A
 * subchannel that goes away (the device is detached from the machine) is
 * NOT_OPER from any state: the user gets a channel report (CRW region),
 * the subchannel is unregistered, and removal asks the user to release the
 * device (REQ). "Function ends" is an interrupt after which the subchannel
 * has no start, halt or clear function active or pending; then the
 * translated channel program is freed and its pages unpinned.
 *
 * Delivery: cio calls vccw_irq() in interrupt context with the IRB it
 * took from the subchannel (TEST SUBCHANNEL). The IRB is queued (@raw,
 * under the subchannel lock) and vccw_irq_work() processes it under the
 * device lock: its channel-program address is turned back into a guest
 * address, the state machine advances, and the IRB is handed to the user:
 * copied into the IRB area and the I/O eventfd signalled, or, while the
 * user has not read the previous one yet, queued (@user) until that read.
 * So every interrupt reaches the user exactly once, in order, even when
 * several arrive between two reads (upstream keeps one IRB and overwrites
 * it). User requests first process what is queued, so that they act on an
 * up-to-date state.
 */
#include <linux/module.h>
#include <asm/isc.h>
#include <asm/irq.h>
#include "vccw.h"
#include "ioasm.h"

static bool vccw_irbq_push(struct vccw_irbq *q, const struct irb *irb)
{
	if (q->count == VCCW_IRB_QUEUE)
		return false;
	q->irb[(q->head + q->count++) % VCCW_IRB_QUEUE] = *irb;
	return true;
}

static bool vccw_irbq_pop(struct vccw_irbq *q, struct irb *irb)
{
	if (!q->count)
		return false;
	*irb = q->irb[q->head];
	q->head = (q->head + 1) % VCCW_IRB_QUEUE;
	q->count--;
	return true;
}

static void vccw_irbq_clear(struct vccw_irbq *q)
{
	q->head = 0;
	q->count = 0;
}

/*
 * The function the channel program belongs to is over: the rule TEST
 * SUBCHANNEL applies when it clears the function control. Any status but
 * intermediate status alone ends it (primary or alert status, a deferred
 * condition code, the end of a halt or clear), and so does a halt of a
 * suspended program.
 */
static bool vccw_function_ends(const union scsw *scsw)
{
	const u8 stctl = scsw->cmd.stctl;

	if (!(stctl & SCSW_STCTL_STATUS_PEND))
		return false;
	if (stctl == (SCSW_STCTL_INTER_STATUS | SCSW_STCTL_STATUS_PEND))
		return (scsw->cmd.fctl & SCSW_FCTL_HALT_FUNC) &&
		       (scsw->cmd.actl & SCSW_ACTL_SUSPENDED);
	return true;
}

/* The guest's view of a channel-program address the channel reported. */
static u32 vccw_user_cpa(struct vccw *vc, u32 cpa)
{
	u32 guest;

	/* an address outside the program is ours: it is no business of the user */
	return vccw_cp_guest_cpa(&vc->cp, cpa, &guest) ? guest : 0;
}

/* Hand an interrupt to the user, or queue it behind an unread one. */
static void vccw_deliver(struct vccw *vc, const struct irb *irb)
{
	lockdep_assert_held(&vc->vd.lock);
	if (vc->irb_unread) {
		if (!vccw_irbq_push(&vc->user, irb))
			dev_err_ratelimited(vc->vd.vdev.dev,
					    "%u interrupts unread: one dropped\n",
					    VCCW_IRB_QUEUE + 1);
		return;
	}
	memcpy(vc->io.irb_area, irb, sizeof(*irb));
	vc->irb_unread = true;
	mdk_vdev_signal(&vc->vd, VFIO_CCW_IO_IRQ_INDEX);
}

static void vccw_handle_irb(struct vccw *vc, struct irb *irb)
{
	union scsw *scsw = &irb->scsw;

	lockdep_assert_held(&vc->vd.lock);
	scsw->cmd.cpa = vccw_user_cpa(vc, scsw->cmd.cpa);
	if (vccw_function_ends(scsw) &&
	    (vc->state == VCCW_BUSY || vc->state == VCCW_HALT_PENDING ||
	     vc->state == VCCW_CLEAR_PENDING)) {
		vccw_cp_free(&vc->cp);
		vc->state = VCCW_IDLE;
	}
	vccw_deliver(vc, irb);
}

/* Process the interrupts queued by vccw_irq(). */
static void vccw_drain(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	unsigned long lost;
	struct irb irb;
	bool got;

	lockdep_assert_held(&vc->vd.lock);
	do {
		spin_lock_irq(sch->lock);
		got = vccw_irbq_pop(&vc->raw, &irb);
		lost = vc->lost;
		vc->lost = 0;
		spin_unlock_irq(sch->lock);
		if (lost)
			dev_err_ratelimited(vc->vd.vdev.dev,
					    "%lu interrupts lost: more than %u pending\n",
					    lost, VCCW_IRB_QUEUE);
		if (got)
			vccw_handle_irb(vc, &irb);
	} while (got);
}

/* Bring the state up to date before acting on a user request. */
static void vccw_sync(struct vccw *vc)
{
	lockdep_assert_held(&vc->vd.lock);
	vccw_drain(vc);
	if (READ_ONCE(vc->gone) && vc->state != VCCW_NOT_OPER &&
	    vc->state != VCCW_STANDBY) {
		/* the channel and its program are gone with the subchannel */
		vccw_cp_free(&vc->cp);
		vc->state = VCCW_NOT_OPER;
	}
}

/**
 * vccw_irq() - the css driver's interrupt handler
 * @sch: the subchannel; the IRB cio took from it is in cio_irb
 *
 * Context: interrupt context, @sch->lock held.
 */
void vccw_irq(struct subchannel *sch)
{
	struct vccw *vc = dev_get_drvdata(&sch->dev);

	inc_irq_stat(IRQIO_CIO);
	if (!vc || !vc->open) {
		/* no user: the subchannel should not be enabled */
		cio_disable_subchannel(sch);
		return;
	}
	if (!vccw_irbq_push(&vc->raw, this_cpu_ptr(&cio_irb)))
		vc->lost++;
	if (vc->done)
		complete(vc->done);
	queue_work(vccw_wq, &vc->irq_work);
}

/**
 * vccw_irq_work() - process the interrupts vccw_irq() queued
 * @work: &vccw.irq_work
 *
 * Context: process context (vccw_wq); takes the device lock.
 */
void vccw_irq_work(struct work_struct *work)
{
	struct vccw *vc = container_of(work, struct vccw, irq_work);

	/* queued only while open; the mdev's removal flushes it */
	mutex_lock(&vc->vd.lock);
	if (vc->state != VCCW_STANDBY)
		vccw_sync(vc);
	mutex_unlock(&vc->vd.lock);
}

/**
 * vccw_irb_read() - the user read the IRB area of the I/O region
 * @vc: the device
 *
 * The next queued interrupt, if any, takes its place.
 *
 * Context: the device lock held.
 */
void vccw_irb_read(struct vccw *vc)
{
	struct irb irb;

	lockdep_assert_held(&vc->vd.lock);
	vc->irb_unread = false;
	if (vccw_irbq_pop(&vc->user, &irb))
		vccw_deliver(vc, &irb);
}

/**
 * vccw_start() - start the channel program the user wrote
 * @vc: the device, open
 *
 * The ORB and SCSW areas of the I/O region hold the request: a start
 * function (SCSW), the guest's ORB. The program is translated and the
 * real subchannel started with it.
 *
 * Context: the device lock held; sleeps.
 * Return: 0; -EINVAL for a request that is no start function or a
 * malformed program, -EOPNOTSUPP for a halt or clear (they go through the
 * async region) or an unsupported program, -EFAULT for guest memory that
 * cannot be read or pinned, -EBUSY while a function is under way or the
 * subchannel is busy or status pending, -EACCES when no path is available,
 * -ENODEV when the subchannel is not operational, -ENOMEM.
 */
int vccw_start(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	union orb orb = {};
	union scsw scsw;
	int ccode, ret;

	lockdep_assert_held(&vc->vd.lock);
	vccw_sync(vc);
	memcpy(&scsw, vc->io.scsw_area, sizeof(scsw));
	if (!(scsw.cmd.fctl & SCSW_FCTL_START_FUNC))
		return scsw.cmd.fctl & (SCSW_FCTL_HALT_FUNC | SCSW_FCTL_CLEAR_FUNC) ?
		       -EOPNOTSUPP : -EINVAL;
	switch (vc->state) {
	case VCCW_IDLE:
		break;
	case VCCW_NOT_OPER:
		return -ENODEV;
	default:
		return -EBUSY;
	}

	/* the command-mode ORB: three words */
	memcpy(&orb, vc->io.orb_area, sizeof(vc->io.orb_area));
	ret = vccw_cp_build(&vc->cp, &orb);
	if (ret)
		return ret;
	vc->cp.orb.cmd.intparm = (u32)(addr_t)sch;	/* cio's cookie */
	vc->cp.orb.cmd.key = PAGE_DEFAULT_KEY >> 4;

	spin_lock_irq(sch->lock);
	/*
	 * The guest chooses among the paths the host lets it use: those the
	 * administrator varied off stay off. No path left is cc 3 for the
	 * guest, without sending the channel a mask it must refuse (QEMU's
	 * channel then keeps reporting a deferred cc 3 on later I/O).
	 */
	vc->cp.orb.cmd.lpm = vc->cp.orb.cmd.lpm ?
			     vc->cp.orb.cmd.lpm & sch->lpm : sch->lpm;
	if (!vc->cp.orb.cmd.lpm) {
		spin_unlock_irq(sch->lock);
		vccw_cp_free(&vc->cp);
		return -EACCES;
	}
	ccode = ssch(sch->schid, &vc->cp.orb);
	switch (ccode) {
	case 0:
		sch->schib.scsw.cmd.actl |= SCSW_ACTL_START_PEND;
		vc->state = VCCW_BUSY;
		ret = 0;
		break;
	case 1:		/* status pending */
	case 2:		/* busy */
		ret = -EBUSY;
		break;
	default:	/* not operational on the paths tried */
		if (vc->cp.orb.cmd.lpm)
			sch->lpm &= ~vc->cp.orb.cmd.lpm;
		else
			sch->lpm = 0;
		ret = cio_update_schib(sch) || !sch->lpm ? -ENODEV : -EACCES;
		break;
	}
	spin_unlock_irq(sch->lock);
	if (ret)
		vccw_cp_free(&vc->cp);
	return ret;
}

/**
 * vccw_async() - halt or clear the subchannel
 * @vc: the device, open
 * @command: VFIO_CCW_ASYNC_CMD_HSCH or VFIO_CCW_ASYNC_CMD_CSCH
 *
 * Context: the device lock held.
 * Return: 0 (the function's interrupt follows); -EINVAL for an unknown
 * command, -EBUSY for a halt while a halt or clear is pending or the
 * subchannel is status pending, -ENODEV when it is not operational.
 */
int vccw_async(struct vccw *vc, u32 command)
{
	struct subchannel *sch = vc->sch;
	int ccode, ret;

	lockdep_assert_held(&vc->vd.lock);
	vccw_sync(vc);
	if (command != VFIO_CCW_ASYNC_CMD_HSCH &&
	    command != VFIO_CCW_ASYNC_CMD_CSCH)
		return -EINVAL;
	if (vc->state == VCCW_NOT_OPER)
		return -ENODEV;
	if (command == VFIO_CCW_ASYNC_CMD_HSCH &&
	    (vc->state == VCCW_HALT_PENDING || vc->state == VCCW_CLEAR_PENDING))
		return -EBUSY;

	spin_lock_irq(sch->lock);
	if (command == VFIO_CCW_ASYNC_CMD_HSCH) {
		ccode = hsch(sch->schid);
		if (!ccode) {
			sch->schib.scsw.cmd.actl |= SCSW_ACTL_HALT_PEND;
			vc->state = VCCW_HALT_PENDING;
		}
	} else {
		ccode = csch(sch->schid);
		if (!ccode) {
			sch->schib.scsw.cmd.actl = SCSW_ACTL_CLEAR_PEND;
			vc->state = VCCW_CLEAR_PENDING;
		}
	}
	spin_unlock_irq(sch->lock);
	switch (ccode) {
	case 0:
		ret = 0;
		break;
	case 1:		/* status pending */
	case 2:		/* busy */
		ret = -EBUSY;
		break;
	default:
		ret = -ENODEV;
		break;
	}
	return ret;
}

/**
 * vccw_read_schib() - the subchannel-information block, fresh
 * @vc: the device, open
 * @schib: receives it
 *
 * Updated with STORE SUBCHANNEL. The interruption parameter (the kernel's
 * own cookie) is cleared and the channel-program address given as a guest
 * address, or 0 when it does not point into the user's program.
 *
 * Context: the device lock held.
 * Return: 0 or -ENODEV (not operational).
 */
int vccw_read_schib(struct vccw *vc, struct schib *schib)
{
	struct subchannel *sch = vc->sch;
	int ret;

	lockdep_assert_held(&vc->vd.lock);
	vccw_sync(vc);
	if (vc->state == VCCW_NOT_OPER)
		return -ENODEV;
	spin_lock_irq(sch->lock);
	ret = cio_update_schib(sch);
	if (!ret)
		*schib = sch->schib;
	spin_unlock_irq(sch->lock);
	if (ret)
		return -ENODEV;
	schib->pmcw.intparm = 0;
	schib->scsw.cmd.cpa = vccw_user_cpa(vc, schib->scsw.cmd.cpa);
	return 0;
}

/* Stop what the subchannel does and disable it. Device lock held. */
static void vccw_quiesce(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	DECLARE_COMPLETION_ONSTACK(done);
	int iretry = 255, ret;

	lockdep_assert_held(&vc->vd.lock);
	spin_lock_irq(sch->lock);
	do {
		ret = cio_cancel_halt_clear(sch, &iretry);
		if (ret == -EIO) {
			dev_err(&sch->dev, "could not quiesce the subchannel\n");
			break;
		}
		if (ret == -EBUSY) {
			/* a halt or clear interrupt is to come */
			reinit_completion(&done);
			vc->done = &done;
			spin_unlock_irq(sch->lock);
			wait_for_completion_timeout(&done, 3 * HZ);
			spin_lock_irq(sch->lock);
			vc->done = NULL;
		}
		ret = cio_disable_subchannel(sch);
	} while (ret == -EBUSY);
	spin_unlock_irq(sch->lock);
}

/* Forget every interrupt and report not yet delivered. Device lock held. */
static void vccw_forget(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;

	lockdep_assert_held(&vc->vd.lock);
	spin_lock_irq(sch->lock);
	vccw_irbq_clear(&vc->raw);
	vc->lost = 0;
	spin_unlock_irq(sch->lock);
	vccw_irbq_clear(&vc->user);
	vc->irb_unread = false;
}

/**
 * vccw_open() - the device file is opened: enable the subchannel
 * @vc: the device
 *
 * Context: the device lock held; sleeps.
 * Return: 0, -ENODEV (the subchannel is not operational), -ENOMEM, or
 * cio's error enabling the subchannel.
 */
int vccw_open(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	int ret;

	lockdep_assert_held(&vc->vd.lock);
	vc->bucket = alloc_page(GFP_KERNEL);
	if (!vc->bucket)
		return -ENOMEM;
	vccw_cp_init(&vc->cp, vc->vd.vdev.dev, &vccw_mem_ops, vc, vc->bucket);
	memset(&vc->io, 0, sizeof(vc->io));
	memset(&vc->cmd, 0, sizeof(vc->cmd));
	vccw_forget(vc);

	spin_lock_irq(sch->lock);
	if (vc->gone) {
		ret = -ENODEV;
	} else {
		sch->isc = VFIO_CCW_ISC;
		ret = cio_enable_subchannel(sch, (u32)(addr_t)sch);
	}
	if (!ret) {
		vc->open = true;
		vc->crw_head = 0;
		vc->crw_count = 0;
	}
	spin_unlock_irq(sch->lock);
	if (ret) {
		__free_page(vc->bucket);
		vc->bucket = NULL;
		return ret;
	}
	vc->state = VCCW_IDLE;
	return 0;
}

/**
 * vccw_close() - the device file is closed: stop and disable the subchannel
 * @vc: the device
 *
 * Context: the device lock held; sleeps (up to 3 s per halt or clear the
 * subchannel does not answer).
 */
void vccw_close(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;

	lockdep_assert_held(&vc->vd.lock);
	vccw_quiesce(vc);
	spin_lock_irq(sch->lock);
	vc->open = false;
	spin_unlock_irq(sch->lock);
	vccw_forget(vc);
	vccw_cp_free(&vc->cp);
	vc->state = VCCW_STANDBY;
	__free_page(vc->bucket);
	vc->bucket = NULL;
}

/**
 * vccw_reset() - VFIO_DEVICE_RESET: stop everything, enable again
 * @vc: the device, open
 *
 * Interrupts not yet delivered are dropped; the eventfds stay armed.
 *
 * Context: the device lock held; sleeps.
 * Return: 0, or -ENODEV when the subchannel cannot be enabled again.
 */
int vccw_reset(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	int ret;

	lockdep_assert_held(&vc->vd.lock);
	vccw_sync(vc);
	vccw_quiesce(vc);
	vccw_forget(vc);
	vccw_cp_free(&vc->cp);
	spin_lock_irq(sch->lock);
	ret = vc->gone ? -ENODEV : cio_enable_subchannel(sch, (u32)(addr_t)sch);
	spin_unlock_irq(sch->lock);
	vc->state = ret ? VCCW_NOT_OPER : VCCW_IDLE;
	return ret ? -ENODEV : 0;
}

/**
 * vccw_dma_unmap() - the user unmaps guest memory
 * @vc: the device, open
 * @iova: first guest address
 * @length: length in bytes
 *
 * When the running program uses pages of the range, the subchannel is
 * reset first: the channel must not touch pages we unpin.
 *
 * Context: the device lock held; sleeps.
 */
void vccw_dma_unmap(struct vccw *vc, u64 iova, u64 length)
{
	lockdep_assert_held(&vc->vd.lock);
	vccw_sync(vc);
	if (!vccw_cp_pinned(&vc->cp, iova, length))
		return;
	dev_warn_ratelimited(vc->vd.vdev.dev,
			     "guest memory %#llx+%#llx unmapped under a running channel program: subchannel reset\n",
			     iova, length);
	vccw_reset(vc);
}

/**
 * vccw_queue_crw() - report a channel event to the user
 * @vc: the device
 * @rsc: reporting-source code (CRW_RSC_*)
 * @erc: error-recovery code (CRW_ERC_*)
 * @rsid: reporting-source ID
 *
 * Queues the CRW and signals the CRW eventfd; dropped when the device is
 * not open. A full queue marks its newest entry with the overflow bit, as
 * the channel subsystem does.
 *
 * Context: any context, @vc->sch->lock held.
 */
void vccw_queue_crw(struct vccw *vc, unsigned int rsc, unsigned int erc,
		    unsigned int rsid)
{
	struct crw crw = { .rsc = rsc, .erc = erc, .rsid = rsid };
	unsigned int last;
	u32 word;

	lockdep_assert_held(vc->sch->lock);
	if (!vc->open)
		return;		/* nobody to tell */
	if (vc->crw_count == VCCW_CRW_QUEUE) {
		last = (vc->crw_head + vc->crw_count - 1) % VCCW_CRW_QUEUE;
		memcpy(&crw, &vc->crw[last], sizeof(crw));
		crw.oflw = 1;
		memcpy(&vc->crw[last], &crw, sizeof(crw));
		return;
	}
	memcpy(&word, &crw, sizeof(word));
	vc->crw[(vc->crw_head + vc->crw_count++) % VCCW_CRW_QUEUE] = word;
	mdk_vdev_signal(&vc->vd, VFIO_CCW_CRW_IRQ_INDEX);
}

/**
 * vccw_pop_crw() - the oldest channel report for the user
 * @vc: the device
 *
 * The CRW eventfd is signalled again while more are queued.
 *
 * Context: any context but interrupt context.
 * Return: the CRW as the 32-bit word the CRW region holds, 0 when none.
 */
u32 vccw_pop_crw(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;
	u32 word = 0;

	spin_lock_irq(sch->lock);
	if (vc->crw_count) {
		word = vc->crw[vc->crw_head];
		vc->crw_head = (vc->crw_head + 1) % VCCW_CRW_QUEUE;
		vc->crw_count--;
		if (vc->crw_count && vc->open)
			mdk_vdev_signal(&vc->vd, VFIO_CCW_CRW_IRQ_INDEX);
	}
	spin_unlock_irq(sch->lock);
	return word;
}

/**
 * vccw_not_oper() - the subchannel is not operational any more
 * @vc: the device
 *
 * Reports it to the user (a subchannel CRW), lets the state machine move
 * to NOT_OPER and has css unregister the subchannel, which removes the
 * mdev (asking the user to release it first).
 *
 * Context: @vc->sch->lock held.
 */
void vccw_not_oper(struct vccw *vc)
{
	struct subchannel *sch = vc->sch;

	lockdep_assert_held(sch->lock);
	if (vc->gone)
		return;
	WRITE_ONCE(vc->gone, true);
	dev_info(&sch->dev, "subchannel not operational\n");
	vccw_queue_crw(vc, CRW_RSC_SCH, CRW_ERC_IPARM, sch->schid.sch_no);
	if (vc->open)
		queue_work(vccw_wq, &vc->irq_work);
	css_sched_sch_todo(sch, SCH_TODO_UNREG);
}
