/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevkit VFIO core: the API a device driver uses to expose a device through
 * /dev/vfio (module mdk_vfio.ko).
 *
 * A driver embeds a struct mdk_vfio_device in its per-device state, fills
 * it with mdk_vfio_device_init() and registers it. From then on userspace
 * reaches it through the standard <linux/vfio.h> UAPI: the container
 * (/dev/vfio/vfio), the group (/dev/vfio/N) and the device file descriptor
 * returned by VFIO_GROUP_GET_DEVICE_FD, whose read/write/mmap/ioctl calls
 * land in the driver's &struct mdk_vfio_device_ops.
 *
 * Drivers of PCI-like devices do not implement those ops by hand: the
 * virtual PCI helper (<mdevkit/vpci.h>) implements them on top of a table
 * describing the device.
 */
#ifndef _MDEVKIT_VFIO_H
#define _MDEVKIT_VFIO_H

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct mdk_vfio_device;
struct mdk_vfio_group;
struct mdk_vfio_irqfd;
struct mdk_iommu_dev;
struct vm_area_struct;

/**
 * struct mdk_vfio_device_ops - what a driver implements for its device fd
 * @name: short name used in log lines
 * @open_device: first open of the device fd (optional). Called with
 *	the device's open lock held; may sleep.
 * @close_device: last close of the device fd (optional). Everything the
 *	user set up through the fd (eventfds, pinned pages) must be released
 *	here.
 * @read: read(2) on the device fd; *ppos encodes region index and offset.
 * @write: write(2) on the device fd.
 * @ioctl: every ioctl on the device fd (VFIO_DEVICE_*); return -ENOTTY
 *	for unknown commands.
 * @mmap: mmap(2) on the device fd (optional; -EINVAL when absent).
 * @request: the device is being removed while open: ask the user to
 *	release it (signal the VFIO_PCI_REQ_IRQ_INDEX eventfd). @count
 *	counts the requests made for this removal, starting at 0.
 * @dma_unmap: the user is unmapping [@iova, @iova + @length) from the
 *	container; the driver must unpin every page it pinned in that range
 *	before returning (mandatory for drivers that pin pages).
 */
struct mdk_vfio_device_ops {
	const char *name;
	int (*open_device)(struct mdk_vfio_device *vdev);
	void (*close_device)(struct mdk_vfio_device *vdev);
	ssize_t (*read)(struct mdk_vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos);
	ssize_t (*write)(struct mdk_vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos);
	long (*ioctl)(struct mdk_vfio_device *vdev, unsigned int cmd,
		      unsigned long arg);
	int (*mmap)(struct mdk_vfio_device *vdev, struct vm_area_struct *vma);
	void (*request)(struct mdk_vfio_device *vdev, unsigned int count);
	void (*dma_unmap)(struct mdk_vfio_device *vdev, u64 iova, u64 length);
};

/**
 * struct mdk_vfio_device - a device exposed through VFIO
 * @dev: the struct device it stands for (its name is what
 *	VFIO_GROUP_GET_DEVICE_FD matches; for an mdev, the UUID)
 * @ops: the driver's callbacks
 * @iommu_dev: the IOMMU its DMA goes through, as a PASID of the parent
 *	(see mdk_vfio_device_set_iommu()); NULL for purely emulated DMA
 *
 * The remaining fields belong to the core; drivers must not touch them.
 * @group: the group the device belongs to (set at registration)
 * @group_entry: link in @group's device list, protected by the group lock
 * @iommu_entry: link in the container backend's device list, protected
 *	by the backend (used to deliver @ops->dma_unmap)
 * @open_lock: protects @open_count and @blocked
 * @open_count: number of open device fds
 * @blocked: no new open is allowed (removal under way)
 * @close_wq: woken whenever @open_count drops
 * @registered: the device is visible to userspace
 */
struct mdk_vfio_device {
	struct device *dev;
	const struct mdk_vfio_device_ops *ops;
	struct mdk_iommu_dev *iommu_dev;

	struct mdk_vfio_group *group;
	struct list_head group_entry;
	struct list_head iommu_entry;
	struct mutex open_lock;
	unsigned int open_count;
	bool blocked;
	wait_queue_head_t close_wq;
	bool registered;
};

/* Region offsets in the device fd: index in the upper bits, as upstream. */
#define MDK_VFIO_OFFSET_SHIFT	40
#define MDK_VFIO_OFFSET_MASK	((1ULL << MDK_VFIO_OFFSET_SHIFT) - 1)
#define MDK_VFIO_INDEX_TO_OFFSET(index)	((u64)(index) << MDK_VFIO_OFFSET_SHIFT)
#define MDK_VFIO_OFFSET_TO_INDEX(off)	((off) >> MDK_VFIO_OFFSET_SHIFT)

void mdk_vfio_device_init(struct mdk_vfio_device *vdev, struct device *dev,
			  const struct mdk_vfio_device_ops *ops);
int mdk_vfio_register_emulated_device(struct mdk_vfio_device *vdev);
int mdk_vfio_device_quiesce(struct mdk_vfio_device *vdev, bool interruptible);
void mdk_vfio_device_unquiesce(struct mdk_vfio_device *vdev);
void mdk_vfio_unregister_device(struct mdk_vfio_device *vdev);

/**
 * mdk_vfio_device_set_iommu() - declare the IOMMU a device's DMA goes through
 * @vdev: an initialized, not yet registered device
 * @idev: the parent's IOMMU context, with MDK_IOMMU_DEV_FEAT_AUX enabled
 *
 * A type1 container then mirrors its mappings into an auxiliary domain
 * attached to @idev for each group of such a device; the driver learns
 * the domain's PASID with mdk_vfio_device_pasid().
 *
 * Context: any context, before registration.
 */
static inline void mdk_vfio_device_set_iommu(struct mdk_vfio_device *vdev,
					     struct mdk_iommu_dev *idev)
{
	vdev->iommu_dev = idev;
}

int mdk_vfio_device_pasid(struct mdk_vfio_device *vdev);

/* Access to the user's DMA space (type1 backend), for emulated devices. */
int mdk_vfio_pin_pages(struct mdk_vfio_device *vdev, dma_addr_t iova,
		       int npage, int prot, struct page **pages);
void mdk_vfio_unpin_pages(struct mdk_vfio_device *vdev, dma_addr_t iova,
			  int npage);
int mdk_vfio_dma_rw(struct mdk_vfio_device *vdev, dma_addr_t iova,
		    void *data, size_t len, bool write);

/*
 * Capability chains (VFIO_DEVICE_GET_REGION_INFO, VFIO_IOMMU_GET_INFO).
 * A driver collects capabilities in a buffer, then copies them out behind
 * its fixed-size info struct.
 */
struct mdk_vfio_info_cap {
	void *buf;
	size_t size;
};

struct vfio_info_cap_header *mdk_vfio_info_cap_add(struct mdk_vfio_info_cap *caps,
						   size_t size, u16 id,
						   u16 version);
int mdk_vfio_info_cap_copy(struct mdk_vfio_info_cap *caps, void __user *arg,
			   size_t info_size, u32 argsz, u32 *cap_offset,
			   u32 *out_argsz);

/*
 * Interrupts: the generic part of VFIO_DEVICE_SET_IRQS and the eventfd
 * plumbing behind it (vfio/irqs.c).
 */

/**
 * struct mdk_vfio_irq - one IRQ index of a device
 * @count: number of vectors (0: index not supported)
 * @flags: VFIO_IRQ_INFO_* flags reported by GET_IRQ_INFO
 *
 * Private to vfio/irqs.c:
 * @lock: protects @trigger, @masked and @pending; taken from any context
 * @trigger: per-vector eventfd, NULL when not armed
 * @masked: per-index mask state (maskable indexes only)
 * @pending: an interrupt arrived while masked and is not yet delivered
 * @unmask: irqfd that unmasks the index when signalled, or NULL;
 *	protected by the set_lock of &struct mdk_vfio_irqs
 */
struct mdk_vfio_irq {
	u32 count;
	u32 flags;

	spinlock_t lock;
	struct eventfd_ctx **trigger;
	bool masked;
	bool pending;
	struct mdk_vfio_irqfd *unmask;
};

/**
 * struct mdk_vfio_irqs - the IRQ indexes of a device
 * @nr: number of indexes
 * @irq: array of @nr indexes
 * @set_lock: serializes SET_IRQS and teardown (sleeps; never held while
 *	signalling)
 */
struct mdk_vfio_irqs {
	unsigned int nr;
	struct mdk_vfio_irq *irq;
	struct mutex set_lock;
};

int mdk_vfio_irqs_init(struct mdk_vfio_irqs *irqs, unsigned int nr);
void mdk_vfio_irqs_define(struct mdk_vfio_irqs *irqs, unsigned int index,
			  u32 count, u32 flags);
void mdk_vfio_irqs_destroy(struct mdk_vfio_irqs *irqs);
long mdk_vfio_irqs_get_info(struct mdk_vfio_irqs *irqs, unsigned long arg);
long mdk_vfio_irqs_set(struct mdk_vfio_irqs *irqs, unsigned long arg);
void mdk_vfio_irqs_disable_all(struct mdk_vfio_irqs *irqs);
void mdk_vfio_irqs_reset(struct mdk_vfio_irqs *irqs);
bool mdk_vfio_irq_signal(struct mdk_vfio_irqs *irqs, unsigned int index,
			 unsigned int vector);
bool mdk_vfio_irq_armed(struct mdk_vfio_irqs *irqs, unsigned int index,
			unsigned int vector);

#endif /* _MDEVKIT_VFIO_H */
