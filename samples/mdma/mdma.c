// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_mdma: a sample PASID-capable DMA engine ("mdma"). Each mediated
 * device is one work queue of the engine, tagged with the PASID of its
 * auxiliary domain: every access the engine makes to guest memory
 * (descriptor fetch, data, completion record) goes through
 * mdk_iommu_dma_rw() with that PASID, so a work queue reaches exactly what
 * its container mapped, and faults on anything else.
 *
 * PCI 1234:d3a0 (test IDs), class 088000. BAR0, 4 KiB, little-endian:
 *   0x00 RING_BASE  (64)  IOVA of the descriptor ring
 *   0x08 RING_SIZE  (32)  entries, a power of two (<= 65536)
 *   0x0c HEAD       (ro)  next descriptor the engine executes
 *   0x10 TAIL       (32)  one past the last valid descriptor; the doorbell
 *   0x14 STATUS     (ro)  0 idle, 1 running, 2 error (stopped)
 *   0x18 PASID      (ro)  the work queue's PASID
 *   0x1c ERROR      (ro)  cause of the error, MDMA_ERR_*
 *   0x20 ERR_IOVA   (ro, 64) the address that faulted
 *   0x28 CTRL       (32)  bit 0 ENABLE, bit 1 RESET (self-clearing)
 *   0x2c COMPLETED  (ro)  descriptors completed since the last reset
 *   0x30 FAULTS     (ro)  IOMMU faults of this work queue since open
 *   0x34 ERR_REASON (ro)  the IOMMU's reason of the fault, a positive errno
 * Descriptors are 64 bytes (struct mdma_desc), completion records 32
 * (struct mdma_compl). MSI vector 0 fires on the completion of a
 * descriptor with MDMA_F_INTERRUPT, and on every error. After an error
 * the engine stops, HEAD on the failed descriptor, until CTRL.RESET.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <mdevkit/compat.h>
#include <mdevkit/iommu.h>
#include <mdevkit/mdev.h>
#include <mdevkit/vpci.h>

#define MDMA_NAME	"mdma"

enum { MDMA_IDLE, MDMA_RUNNING, MDMA_ERROR };
enum { MDMA_ERR_NONE, MDMA_ERR_FAULT, MDMA_ERR_DESC, MDMA_ERR_RING };
enum { MDMA_OP_COPY = 1, MDMA_OP_FILL, MDMA_OP_COMPARE };
enum {
	MDMA_C_NONE, MDMA_C_SUCCESS, MDMA_C_MISMATCH, MDMA_C_FAULT,
	MDMA_C_INVALID,
};

#define MDMA_CTRL_ENABLE	BIT(0)
#define MDMA_CTRL_RESET		BIT(1)
#define MDMA_F_INTERRUPT	BIT(0)
#define MDMA_F_COMPLETION	BIT(1)	/* write a record at @completion */
#define MDMA_RING_MAX		65536
#define MDMA_LEN_MAX		SZ_1G
#define MDMA_CHUNK		SZ_16K

/* A descriptor in guest memory. */
struct mdma_desc {
	__le32 opcode;
	__le32 flags;
	__le64 len;
	__le64 src;
	__le64 dst;
	__le64 pattern;		/* FILL: 8 bytes repeated */
	__le64 completion;	/* IOVA of a struct mdma_compl */
	__le64 rsvd[2];
};

/* A completion record, written back to guest memory. */
struct mdma_compl {
	__le32 status;		/* MDMA_C_* */
	__le32 rsvd;
	__le64 result;		/* COMPARE: offset of the first mismatch */
	__le64 bytes;		/* bytes processed */
	__le64 rsvd2;
};

/* BAR0 as seen on the bus. */
struct mdma_bar {
	__le64 ring_base;
	__le32 ring_size;
	__le32 head;
	__le32 tail;
	__le32 status;
	__le32 pasid;
	__le32 error;
	__le64 err_iova;
	__le32 ctrl;
	__le32 completed;
	__le32 faults;
	__le32 err_reason;
};

/**
 * struct mdma - one work queue
 * @vp: the virtual PCI device
 * @work: the engine of this work queue
 * @lock: protects the registers (@ring_base to @err_reason) and @stop;
 *	taken by the BAR accessors and the engine, never held during DMA
 * @ring_base: RING_BASE
 * @ring_size: RING_SIZE
 * @head: HEAD
 * @tail: TAIL
 * @status: STATUS
 * @error: ERROR
 * @err_iova: ERR_IOVA
 * @ctrl: CTRL (ENABLE only)
 * @completed: COMPLETED
 * @err_reason: ERR_REASON
 * @stop: the engine must not start another step (close, reset)
 * @pasid: the PASID of the device's auxiliary domain, set at open
 * @faults: IOMMU faults reported for @pasid (fault handler)
 * @fault: the last fault reported; written by the fault handler, which
 *	runs in the engine's own mdk_iommu_dma_rw() calls, so only the
 *	engine touches it
 * @buf: the engine's bounce buffer, 2 * MDMA_CHUNK bytes
 */
struct mdma {
	struct mdk_vpci vp;
	struct work_struct work;
	spinlock_t lock;	/* see above */
	u64 ring_base;
	u32 ring_size;
	u32 head;
	u32 tail;
	u32 status;
	u32 error;
	u64 err_iova;
	u32 ctrl;
	u32 completed;
	u32 err_reason;
	bool stop;
	u32 pasid;
	atomic_t faults;
	struct mdk_iommu_fault fault;
	u8 *buf;
};

static unsigned int pasids = 8;
module_param(pasids, uint, 0444);
MODULE_PARM_DESC(pasids, "PASIDs (attached work queues) at most (8).");

static struct workqueue_struct *mdma_wq;
static struct mdk_iommu_dev *mdma_idev;
/* Open work queues by PASID, for the fault handler (internally locked). */
static DEFINE_XARRAY(mdma_by_pasid);

static struct mdma *to_mdma(struct mdk_vpci *vp)
{
	return container_of(vp, struct mdma, vp);
}

/* The IOMMU refused one of our requests: count it for its work queue. */
static void mdma_fault(const struct mdk_iommu_fault *fault, void *data)
{
	struct mdma *md = xa_load(&mdma_by_pasid, fault->pasid);

	if (!md)
		return;
	atomic_inc(&md->faults);
	md->fault = *fault;
}

/* Stop with an error; @iova the faulting address. Returns true (IRQ). */
static bool mdma_set_error(struct mdma *md, u32 cause, u64 iova, int reason)
{
	spin_lock(&md->lock);
	md->status = MDMA_ERROR;
	md->error = cause;
	md->err_iova = iova;
	md->err_reason = -reason;
	spin_unlock(&md->lock);
	return true;
}

static int mdma_rw(struct mdma *md, u64 iova, void *buf, size_t len,
		   bool write)
{
	md->fault.reason = 0;
	return mdk_iommu_dma_rw(mdma_idev, md->pasid, iova, buf, len, write);
}

/*
 * Execute one operation chunk by chunk. Returns 0, -EFAULT (IOMMU fault)
 * or -ECANCELED (device stopping); *@done gets the bytes processed and
 * *@mismatch the first differing offset of a COMPARE (or U64_MAX).
 */
static int mdma_op(struct mdma *md, u32 op, const struct mdma_desc *d,
		   u64 len, u64 *done, u64 *mismatch)
{
	u64 src = le64_to_cpu(d->src), dst = le64_to_cpu(d->dst);
	u8 *a = md->buf, *b = md->buf + MDMA_CHUNK;
	size_t n, i;
	int ret;

	*mismatch = U64_MAX;
	if (op == MDMA_OP_FILL)
		for (i = 0; i < MDMA_CHUNK; i++)
			a[i] = ((u8 *)&d->pattern)[i % 8];
	for (*done = 0; *done < len; *done += n) {
		if (READ_ONCE(md->stop))
			return -ECANCELED;
		n = min_t(u64, len - *done, MDMA_CHUNK);
		if (op == MDMA_OP_FILL) {
			/* keep the pattern aligned to @dst */
			ret = mdma_rw(md, dst + *done, a, n, true);
		} else {
			ret = mdma_rw(md, src + *done, a, n, false);
			if (!ret && op == MDMA_OP_COPY)
				ret = mdma_rw(md, dst + *done, a, n, true);
			else if (!ret)
				ret = mdma_rw(md, dst + *done, b, n, false);
		}
		if (ret)
			return ret;
		if (op == MDMA_OP_COMPARE && memcmp(a, b, n)) {
			for (i = 0; a[i] == b[i]; i++)
				;
			*mismatch = *done + i;
			*done += i;
			return 0;
		}
		cond_resched();
	}
	return 0;
}

/* Execute the descriptor at @iova. Returns true to raise the MSI. */
static bool mdma_exec(struct mdma *md, u64 iova, int *err)
{
	struct mdk_iommu_fault fault = { };
	struct mdma_compl c = { };
	struct mdma_desc d;
	u64 len, done = 0, mismatch = U64_MAX, last;
	u32 op, flags;
	int ret;

	*err = 0;
	if (mdma_rw(md, iova, &d, sizeof(d), false)) {
		*err = -EFAULT;
		return mdma_set_error(md, MDMA_ERR_FAULT, md->fault.iova,
				      md->fault.reason);
	}
	op = le32_to_cpu(d.opcode);
	flags = le32_to_cpu(d.flags);
	len = le64_to_cpu(d.len);
	if (op < MDMA_OP_COPY || op > MDMA_OP_COMPARE || len > MDMA_LEN_MAX ||
	    (len && (check_add_overflow(le64_to_cpu(d.src), len - 1, &last) ||
		     check_add_overflow(le64_to_cpu(d.dst), len - 1, &last)))) {
		c.status = cpu_to_le32(MDMA_C_INVALID);
		*err = -EINVAL;
	} else {
		ret = mdma_op(md, op, &d, len, &done, &mismatch);
		if (ret == -ECANCELED)
			return false;	/* the device is being stopped */
		*err = ret;
		fault = md->fault;
		c.status = cpu_to_le32(ret ? MDMA_C_FAULT : mismatch != U64_MAX ?
				       MDMA_C_MISMATCH : MDMA_C_SUCCESS);
		c.result = cpu_to_le64(mismatch);
		c.bytes = cpu_to_le64(done);
	}
	/* The record of a faulting descriptor is written when it can be. */
	if (flags & MDMA_F_COMPLETION &&
	    mdma_rw(md, le64_to_cpu(d.completion), &c, sizeof(c), true) &&
	    !*err) {
		*err = -EFAULT;
		fault = md->fault;
	}
	if (*err == -EINVAL)
		return mdma_set_error(md, MDMA_ERR_DESC, iova, 0);
	if (*err)
		return mdma_set_error(md, MDMA_ERR_FAULT, fault.iova,
				      fault.reason);
	return flags & MDMA_F_INTERRUPT;
}

/* The engine: executes HEAD..TAIL while enabled and not in error. */
static void mdma_work(struct work_struct *work)
{
	struct mdma *md = container_of(work, struct mdma, work);
	u64 iova;
	bool irq;
	int err;

	for (;;) {
		spin_lock(&md->lock);
		if (md->stop || !(md->ctrl & MDMA_CTRL_ENABLE) ||
		    md->status == MDMA_ERROR || md->head == md->tail) {
			if (md->status == MDMA_RUNNING)
				md->status = MDMA_IDLE;
			spin_unlock(&md->lock);
			return;
		}
		md->status = MDMA_RUNNING;
		iova = md->ring_base + (u64)md->head * sizeof(struct mdma_desc);
		spin_unlock(&md->lock);

		irq = mdma_exec(md, iova, &err);
		if (!err) {
			spin_lock(&md->lock);
			if (!md->stop) {
				md->head = (md->head + 1) & (md->ring_size - 1);
				md->completed++;
			}
			spin_unlock(&md->lock);
		}
		if (irq)
			mdk_vpci_raise_irq(&md->vp, 0);
		cond_resched();
	}
}

/* Stop the engine and wait for it; nothing runs when this returns. */
static void mdma_stop(struct mdma *md)
{
	spin_lock(&md->lock);
	md->stop = true;
	spin_unlock(&md->lock);
	cancel_work_sync(&md->work);
	spin_lock(&md->lock);
	md->stop = false;
	md->ctrl = 0;
	md->head = 0;
	md->tail = 0;
	md->status = MDMA_IDLE;
	md->error = MDMA_ERR_NONE;
	md->err_iova = 0;
	md->err_reason = 0;
	md->completed = 0;
	spin_unlock(&md->lock);
}

/* CTRL.ENABLE on a ring that cannot work: error, MSI. */
static bool mdma_ring_bad(struct mdma *md)
{
	u64 end;

	lockdep_assert_held(&md->lock);
	return !md->ring_size || md->ring_size > MDMA_RING_MAX ||
	       md->ring_size & (md->ring_size - 1) ||
	       check_add_overflow(md->ring_base, (u64)md->ring_size *
				  sizeof(struct mdma_desc) - 1, &end);
}

static void mdma_fill_bar(struct mdma *md, struct mdma_bar *r)
{
	spin_lock(&md->lock);
	r->ring_base = cpu_to_le64(md->ring_base);
	r->ring_size = cpu_to_le32(md->ring_size);
	r->head = cpu_to_le32(md->head);
	r->tail = cpu_to_le32(md->tail);
	r->status = cpu_to_le32(md->status);
	r->pasid = cpu_to_le32(md->pasid);
	r->error = cpu_to_le32(md->error);
	r->err_iova = cpu_to_le64(md->err_iova);
	r->ctrl = cpu_to_le32(md->ctrl);
	r->completed = cpu_to_le32(md->completed);
	r->faults = cpu_to_le32(atomic_read(&md->faults));
	r->err_reason = cpu_to_le32(md->err_reason);
	spin_unlock(&md->lock);
}

static bool mdma_touches(u64 off, unsigned int len, size_t reg)
{
	return off <= reg && reg < off + len;
}

/* A write of RING_BASE, RING_SIZE, TAIL or CTRL (whole or in part). */
static void mdma_write(struct mdma *md, u64 off, const void *buf,
		       unsigned int len)
{
	union {
		struct mdma_bar r;
		u8 b[sizeof(struct mdma_bar)];
	} bar;
	bool kick = false, irq = false;
	u32 ctrl;

	mdma_fill_bar(md, &bar.r);
	memcpy(bar.b + off, buf, len);
	ctrl = le32_to_cpu(bar.r.ctrl);
	if (mdma_touches(off, len, offsetof(struct mdma_bar, ctrl)) &&
	    ctrl & MDMA_CTRL_RESET) {
		mdma_stop(md);
		return;
	}

	spin_lock(&md->lock);
	if (off < offsetof(struct mdma_bar, head) &&
	    !(md->ctrl & MDMA_CTRL_ENABLE)) {	/* ring set while disabled */
		md->ring_base = le64_to_cpu(bar.r.ring_base);
		md->ring_size = le32_to_cpu(bar.r.ring_size);
	}
	if (mdma_touches(off, len, offsetof(struct mdma_bar, tail)) &&
	    md->ring_size && !(md->ring_size & (md->ring_size - 1))) {
		md->tail = le32_to_cpu(bar.r.tail) & (md->ring_size - 1);
		kick = true;
	}
	if (mdma_touches(off, len, offsetof(struct mdma_bar, ctrl)) &&
	    (ctrl ^ md->ctrl) & MDMA_CTRL_ENABLE) {
		md->ctrl = ctrl & MDMA_CTRL_ENABLE;
		if (md->ctrl && md->status != MDMA_ERROR && mdma_ring_bad(md)) {
			md->status = MDMA_ERROR;
			md->error = MDMA_ERR_RING;
			irq = true;
		}
		kick = true;
	}
	kick &= md->ctrl && md->status != MDMA_ERROR && md->head != md->tail;
	spin_unlock(&md->lock);
	if (kick)
		queue_work(mdma_wq, &md->work);
	if (irq)
		mdk_vpci_raise_irq(&md->vp, 0);
}

/* BAR0: naturally aligned accesses of up to 8 bytes (the helper splits). */
static int mdma_bar_rw(struct mdk_vpci *vp, unsigned int bar, u64 off,
		       void *buf, unsigned int len, bool write)
{
	struct mdma *md = to_mdma(vp);
	struct mdma_bar r;

	if (off + len > sizeof(r)) {	/* reserved: reads 0 */
		if (!write)
			memset(buf, 0, len);
		return 0;
	}
	if (write) {
		mdma_write(md, off, buf, len);
		return 0;
	}
	mdma_fill_bar(md, &r);
	memcpy(buf, (u8 *)&r + off, len);
	return 0;
}

static int mdma_open(struct mdk_vpci *vp)
{
	struct mdma *md = to_mdma(vp);
	int ret;

	ret = mdk_vfio_device_pasid(&vp->vdev);
	if (ret < 0)
		return ret;	/* not in a container with our IOMMU */
	md->pasid = ret;
	atomic_set(&md->faults, 0);
	md->ring_base = 0;
	md->ring_size = 0;
	mdma_stop(md);
	return xa_insert(&mdma_by_pasid, md->pasid, md, GFP_KERNEL);
}

static void mdma_close(struct mdk_vpci *vp)
{
	struct mdma *md = to_mdma(vp);

	mdma_stop(md);		/* no DMA with our PASID after this */
	xa_erase(&mdma_by_pasid, md->pasid);
}

static void mdma_reset(struct mdk_vpci *vp)
{
	struct mdma *md = to_mdma(vp);

	mdma_stop(md);
	md->ring_base = 0;
	md->ring_size = 0;
}

static const struct mdk_vpci_desc mdma_desc = {
	.vendor = 0x1234,
	.device = 0xd3a0,
	.subsystem_vendor = 0x1234,
	.subsystem_device = 0xd3a0,
	.class_code = 0x088000,
	.bar[0] = {
		.size = SZ_4K,
		.flags = PCI_BASE_ADDRESS_MEM_TYPE_32,
		.access_size = 8,
		.rw = mdma_bar_rw,
	},
	.msi_vectors = 1,
	.open = mdma_open,
	.close = mdma_close,
	.reset = mdma_reset,
};

static int mdma_probe(struct mdk_mdev *mdev)
{
	struct mdma *md;
	int ret;

	md = kzalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return -ENOMEM;
	md->buf = kmalloc(2 * MDMA_CHUNK, GFP_KERNEL);
	if (!md->buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	spin_lock_init(&md->lock);
	INIT_WORK(&md->work, mdma_work);
	ret = mdk_vpci_init(&md->vp, &mdev->dev, &mdma_desc);
	if (ret)
		goto out_free_buf;
	mdk_vfio_device_set_iommu(&md->vp.vdev, mdma_idev);
	ret = mdk_mdev_register_vfio(mdev, &md->vp.vdev);
	if (ret)
		goto out_uninit;
	return 0;

out_uninit:
	mdk_vpci_uninit(&md->vp);
out_free_buf:
	kfree(md->buf);
out_free:
	kfree(md);
	return ret;
}

static void mdma_remove(struct mdk_mdev *mdev)
{
	struct mdma *md = to_mdma(to_mdk_vpci(mdev->vdev));

	/* Waits for the last close, which stopped the engine. */
	mdk_mdev_unregister_vfio(mdev);
	mdk_vpci_uninit(&md->vp);
	kfree(md->buf);
	kfree(md);
}

static const struct mdk_mdev_type mdma_types[] = {
	{
		.sysfs_name = "wq",
		.pretty_name = "mdma work queue",
		.description = "a PASID-tagged work queue of a DMA copy engine",
		.max_instances = 64,
	},
};

static struct mdk_mdev_driver mdma_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.probe = mdma_probe,
	.remove = mdma_remove,
	.driver.name = MDMA_NAME,
};

static struct mdk_mdev_parent mdma_parent;
static struct class *mdma_class;
static struct device *mdma_dev;

static int __init mdma_init(void)
{
	int ret;

	mdma_wq = alloc_workqueue("mdk_mdma", WQ_UNBOUND, 0);
	if (!mdma_wq)
		return -ENOMEM;
	ret = mdk_mdev_register_driver(&mdma_driver);
	if (ret)
		goto out_wq;
	mdma_class = mdk_class_create(MDMA_NAME);
	if (IS_ERR(mdma_class)) {
		ret = PTR_ERR(mdma_class);
		goto out_driver;
	}
	mdma_dev = device_create(mdma_class, NULL, 0, NULL, MDMA_NAME);
	if (IS_ERR(mdma_dev)) {
		ret = PTR_ERR(mdma_dev);
		goto out_class;
	}
	mdma_idev = mdk_iommu_dev_register(mdma_dev, pasids, mdma_fault, NULL);
	if (IS_ERR_OR_NULL(mdma_idev)) {
		ret = mdma_idev ? PTR_ERR(mdma_idev) : -ENOMEM;
		goto out_device;
	}
	ret = mdk_iommu_dev_enable_feature(mdma_idev, MDK_IOMMU_DEV_FEAT_AUX);
	if (ret)
		goto out_iommu;
	ret = mdk_mdev_register_parent(&mdma_parent, mdma_dev, &mdma_driver,
				       mdma_types, ARRAY_SIZE(mdma_types), 0);
	if (ret)
		goto out_aux;
	return 0;

out_aux:
	mdk_iommu_dev_disable_feature(mdma_idev, MDK_IOMMU_DEV_FEAT_AUX);
out_iommu:
	mdk_iommu_dev_unregister(mdma_idev);
out_device:
	device_unregister(mdma_dev);
out_class:
	class_destroy(mdma_class);
out_driver:
	mdk_mdev_unregister_driver(&mdma_driver);
out_wq:
	destroy_workqueue(mdma_wq);
	return ret;
}

static void __exit mdma_exit(void)
{
	mdk_mdev_unregister_parent(&mdma_parent);
	mdk_iommu_dev_disable_feature(mdma_idev, MDK_IOMMU_DEV_FEAT_AUX);
	mdk_iommu_dev_unregister(mdma_idev);
	device_unregister(mdma_dev);
	class_destroy(mdma_class);
	mdk_mdev_unregister_driver(&mdma_driver);
	destroy_workqueue(mdma_wq);
	xa_destroy(&mdma_by_pasid);
}

module_init(mdma_init);
module_exit(mdma_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit sample: a PASID-capable DMA engine, one mdev per work queue");
MODULE_AUTHOR("mdevkit developers");
