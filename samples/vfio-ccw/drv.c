// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-ccw on mdevkit: hand a channel-I/O subchannel to a guest.
 *
 * A css driver named "vfio_ccw", as upstream's, takes I/O subchannels the
 * administrator gives it through driver_override (and only those: loading
 * the module takes no subchannel from anyone), and registers each as an
 * mdev parent with one type, "vfio_ccw-io", of one instance. The mdev is
 * a VFIO device with upstream's vfio-ccw UAPI (ops.c), which QEMU opens
 * with -device vfio-ccw,sysfsdev=/sys/bus/mdev/devices/<uuid>.
 *
 *   echo vfio_ccw > /sys/bus/css/devices/0.0.0001/driver_override
 *   echo 0.0.0001 > /sys/bus/css/drivers/io_subchannel/unbind
 *   echo 0.0.0001 > /sys/bus/css/drivers_probe
 *   echo $(uuidgen) > /sys/bus/css/devices/0.0.0001/mdev_supported_types/vfio_ccw-io/create
 *
 * Giving it back: remove the mdev, clear driver_override, unbind from
 * vfio_ccw and probe again; io_subchannel takes the subchannel.
 *
 * The css and cio structures come from the kernel's private headers
 * (drivers/s390/cio/, taken from linux-source at build time); probe checks
 * that their layout matches the running kernel before touching anything.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/isc.h>
#include "vccw.h"
#include "chp.h"

struct workqueue_struct *vccw_wq;

static const struct mdk_mdev_type vccw_types[] = {
	{ .sysfs_name = "io", .pretty_name = "I/O subchannel (Non-QDIO)",
	  .max_instances = 1 },
};

/* The name css gave the device must be the one our layout reads. */
static bool vccw_layout_ok(struct subchannel *sch)
{
	char name[16];

	snprintf(name, sizeof(name), "0.%x.%04x", sch->schid.ssid,
		 sch->schid.sch_no);
	return !strcmp(name, dev_name(&sch->dev)) &&
	       sch->st == SUBCHANNEL_TYPE_IO;
}

static int vccw_sch_probe(struct subchannel *sch)
{
	struct vccw *vc;
	int ret;

	/* only what the administrator handed over explicitly */
	if (!sch->driver_override || strcmp(sch->driver_override, VCCW_NAME))
		return -ENODEV;
	if (!vccw_layout_ok(sch)) {
		dev_err(&sch->dev, "built against css structures that do not match this kernel\n");
		return -EINVAL;
	}
	if (sch->schib.pmcw.qf) {
		dev_warn(&sch->dev, "QDIO subchannels are not supported\n");
		return -ENODEV;
	}

	/* the ORB handed to the channel is inside */
	vc = kzalloc(sizeof(*vc), GFP_KERNEL | GFP_DMA);
	if (!vc)
		return -ENOMEM;
	vc->sch = sch;
	vc->state = VCCW_STANDBY;
	INIT_WORK(&vc->irq_work, vccw_irq_work);
	dev_set_drvdata(&sch->dev, vc);
	ret = mdk_mdev_register_parent(&vc->parent, &sch->dev,
				       &vccw_mdev_driver, vccw_types,
				       ARRAY_SIZE(vccw_types), 0);
	if (ret)
		goto err_free;
	return 0;

err_free:
	dev_set_drvdata(&sch->dev, NULL);
	kfree(vc);
	return ret;
}

static void vccw_sch_remove(struct subchannel *sch)
{
	struct vccw *vc = dev_get_drvdata(&sch->dev);

	/* removes the mdev: asks its user to let go and waits */
	mdk_mdev_unregister_parent(&vc->parent);
	cancel_work_sync(&vc->irq_work);
	dev_set_drvdata(&sch->dev, NULL);
	kfree(vc);
}

static void vccw_sch_shutdown(struct subchannel *sch)
{
	unsigned long flags;
	int iretry = 255;

	/* the machine stops: no channel program may outlive the kernel */
	spin_lock_irqsave(sch->lock, flags);
	if (sch->schib.pmcw.ena) {
		cio_cancel_halt_clear(sch, &iretry);
		cio_disable_subchannel(sch);
	}
	spin_unlock_irqrestore(sch->lock, flags);
}

/*
 * Something happened to the subchannel (a CRW about it reached css): a
 * subchannel that cannot be stored any more is gone.
 */
static int vccw_sch_event(struct subchannel *sch, int process)
{
	struct vccw *vc = dev_get_drvdata(&sch->dev);
	unsigned long flags;
	int ret = -EAGAIN;

	spin_lock_irqsave(sch->lock, flags);
	if (!device_is_registered(&sch->dev) || work_pending(&sch->todo_work))
		goto out_unlock;	/* css calls again */
	ret = 0;
	if (vc && cio_update_schib(sch))
		vccw_not_oper(vc);
out_unlock:
	spin_unlock_irqrestore(sch->lock, flags);
	return ret;
}

/* A channel path of the subchannel changed. Context: @sch->lock held. */
static int vccw_chp_event(struct subchannel *sch, struct chp_link *link,
			  int event)
{
	struct vccw *vc = dev_get_drvdata(&sch->dev);
	int mask = chp_ssd_get_mask(&sch->ssd_info, link);
	int iretry = 255;

	if (!vc || !mask)
		return 0;
	if (cio_update_schib(sch))
		return -ENODEV;
	switch (event) {
	case CHP_VARY_OFF:
		sch->opm &= ~mask;
		sch->lpm &= ~mask;
		if (sch->schib.pmcw.lpum & mask)
			cio_cancel_halt_clear(sch, &iretry);
		break;
	case CHP_OFFLINE:
		if (sch->schib.pmcw.lpum & mask)
			cio_cancel_halt_clear(sch, &iretry);
		vccw_queue_crw(vc, CRW_RSC_CPATH, CRW_ERC_PERRN,
			       link->chpid.id);
		break;
	case CHP_VARY_ON:
		sch->opm |= mask;
		sch->lpm |= mask;
		break;
	case CHP_ONLINE:
		sch->lpm |= mask & sch->opm;
		vccw_queue_crw(vc, CRW_RSC_CPATH, CRW_ERC_INIT,
			       link->chpid.id);
		break;
	}
	return 0;
}

/* No MODULE_DEVICE_TABLE: nothing should load us for every subchannel. */
static struct css_device_id vccw_sch_ids[] = {
	{ .match_flags = 0x1, .type = SUBCHANNEL_TYPE_IO, },
	{ /* end of list */ },
};

static struct css_driver vccw_css_driver = {
	.drv = {
		.name = VCCW_NAME,
		.owner = THIS_MODULE,
	},
	.subchannel_type = vccw_sch_ids,
	.irq = vccw_irq,
	.probe = vccw_sch_probe,
	.remove = vccw_sch_remove,
	.shutdown = vccw_sch_shutdown,
	.sch_event = vccw_sch_event,
	.chp_event = vccw_chp_event,
};

static int __init vccw_init(void)
{
	int ret;

	vccw_wq = alloc_ordered_workqueue("mdk_vfio_ccw", 0);
	if (!vccw_wq)
		return -ENOMEM;
	ret = mdk_mdev_register_driver(&vccw_mdev_driver);
	if (ret)
		goto err_wq;
	isc_register(VFIO_CCW_ISC);
	ret = css_driver_register(&vccw_css_driver);
	if (ret)
		goto err_isc;
	return 0;

err_isc:
	isc_unregister(VFIO_CCW_ISC);
	mdk_mdev_unregister_driver(&vccw_mdev_driver);
err_wq:
	destroy_workqueue(vccw_wq);
	return ret;
}

static void __exit vccw_exit(void)
{
	css_driver_unregister(&vccw_css_driver);
	isc_unregister(VFIO_CCW_ISC);
	mdk_mdev_unregister_driver(&vccw_mdev_driver);
	destroy_workqueue(vccw_wq);
}

module_init(vccw_init);
module_exit(vccw_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit: vfio-ccw, channel-I/O subchannels for guests");
MODULE_AUTHOR("mdevkit developers");
