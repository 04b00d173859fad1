/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevkit device helper for VFIO devices that are not PCI (part of
 * mdk_vfio.ko): vfio-ccw subchannels today, any bus whose VFIO UAPI is
 * "a device flag, a table of regions, a table of IRQ indexes".
 *
 * What <mdevkit/vpci.h> does for PCI drivers, for the rest: a driver
 * describes its regions and IRQ indexes in a const struct mdk_vdev_desc,
 * embeds a struct mdk_vdev in its state, calls mdk_vdev_init() and
 * registers &vd->vdev with the VFIO core. The helper implements the device
 * file: GET_INFO, GET_REGION_INFO (with a VFIO_REGION_INFO_CAP_TYPE
 * capability for regions that have a type), GET_IRQ_INFO and SET_IRQS
 * (vfio/irqs.c), RESET, read and write dispatched by region with every
 * offset and size checked, the removal request (the IRQ index marked
 * @request is signalled), and disarming every eventfd at close.
 *
 * Region callbacks see kernel buffers only: the helper copies from and to
 * userspace around them, never holding @vd->lock across a user copy.
 * @vd->lock serializes every callback of one device, so a simple driver
 * needs no lock of its own.
 */
#ifndef _MDEVKIT_VDEV_H
#define _MDEVKIT_VDEV_H

#include <linux/mutex.h>
#include <mdevkit/vfio.h>

struct mdk_vdev;

/**
 * struct mdk_vdev_region - one region of the device file
 * @type: VFIO region type reported with VFIO_REGION_INFO_CAP_TYPE (e.g.
 *	VFIO_REGION_TYPE_CCW); 0 for a region of the bus's fixed layout,
 *	reported without capability
 * @subtype: VFIO region subtype
 * @size: size in bytes, at most PAGE_SIZE (the helper hands a whole
 *	access to @rw at once); 0: index not implemented (size 0, no flags)
 * @flags: VFIO_REGION_INFO_FLAG_READ and/or _WRITE
 * @rw: read (@write false) or write @len bytes at @off of the region
 *	from/to the kernel buffer @buf; the helper has checked that the
 *	access lies within @size and that @flags allow it. Called with
 *	@vd->lock held. Returns 0 or a negative errno, which the read(2) or
 *	write(2) returns.
 */
struct mdk_vdev_region {
	u32 type;
	u32 subtype;
	u32 size;
	u32 flags;
	int (*rw)(struct mdk_vdev *vd, unsigned int index, u32 off, void *buf,
		  u32 len, bool write);
};

/**
 * struct mdk_vdev_irq - one IRQ index
 * @count: number of vectors (0: GET_IRQ_INFO answers -EINVAL)
 * @flags: VFIO_IRQ_INFO_* flags (EVENTFD, MASKABLE, ...)
 * @request: this index is the device request: the helper signals it when
 *	the device is being removed while open (at most one index)
 */
struct mdk_vdev_irq {
	u32 count;
	u32 flags;
	bool request;
};

/**
 * struct mdk_vdev_desc - what makes one kind of device
 * @flags: VFIO_DEVICE_FLAGS_* of the bus (e.g. VFIO_DEVICE_FLAGS_CCW);
 *	the helper adds VFIO_DEVICE_FLAGS_RESET when @reset is set
 * @offset_shift: the region index sits at this bit of the file offset
 *	(upstream: 40 for vfio-pci, 10 for vfio-ccw); 0 means 40. Every
 *	region must fit below it.
 * @regions: the regions, by index
 * @nr_regions: number of entries in @regions
 * @irqs: the IRQ indexes
 * @nr_irqs: number of entries in @irqs
 * @open: first open of the device file (optional)
 * @close: last close (optional); the helper has disarmed every eventfd
 * @reset: VFIO_DEVICE_RESET (optional); armed eventfds stay armed
 * @ioctl: ioctls the helper does not know (optional); -ENOTTY for unknown
 * @dma_unmap: the user unmaps [@iova, @iova + @length) of its DMA space:
 *	unpin every page pinned there before returning (mandatory for
 *	drivers that pin pages)
 *
 * Every callback but @ioctl is called with @vd->lock held; @ioctl is called
 * without it.
 */
struct mdk_vdev_desc {
	u32 flags;
	unsigned int offset_shift;
	const struct mdk_vdev_region *regions;
	unsigned int nr_regions;
	const struct mdk_vdev_irq *irqs;
	unsigned int nr_irqs;

	int (*open)(struct mdk_vdev *vd);
	void (*close)(struct mdk_vdev *vd);
	int (*reset)(struct mdk_vdev *vd);
	long (*ioctl)(struct mdk_vdev *vd, unsigned int cmd, unsigned long arg);
	void (*dma_unmap)(struct mdk_vdev *vd, u64 iova, u64 length);
};

/**
 * struct mdk_vdev - state of one device
 * @vdev: the VFIO device, to register with the core
 * @desc: its description
 * @lock: serializes the @desc callbacks of this device (never held across
 *	a copy to or from userspace)
 * @irqs: the IRQ indexes, signalled with mdk_vdev_signal()
 */
struct mdk_vdev {
	struct mdk_vfio_device vdev;
	const struct mdk_vdev_desc *desc;
	struct mutex lock;	/* see above */
	struct mdk_vfio_irqs irqs;
};

static inline struct mdk_vdev *to_mdk_vdev(struct mdk_vfio_device *vdev)
{
	return container_of(vdev, struct mdk_vdev, vdev);
}

int mdk_vdev_init(struct mdk_vdev *vd, struct device *dev,
		  const struct mdk_vdev_desc *desc);
void mdk_vdev_uninit(struct mdk_vdev *vd);

/**
 * mdk_vdev_signal() - raise an IRQ index of a device (vector 0)
 * @vd: the device
 * @index: the index
 *
 * Context: any context.
 * Return: true if an armed eventfd was signalled.
 */
static inline bool mdk_vdev_signal(struct mdk_vdev *vd, unsigned int index)
{
	return mdk_vfio_irq_signal(&vd->irqs, index, 0);
}

#endif /* _MDEVKIT_VDEV_H */
