/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevkit virtual PCI device helper (part of mdk_vfio.ko).
 *
 * What every driver of an emulated PCI device repeats, done once: a
 * 256-byte PCI configuration space (identity, command/status, BAR sizing,
 * read-only masks, a capability list with an MSI capability), dispatch of
 * the VFIO regions by index, and the VFIO_DEVICE_* ioctls: GET_INFO,
 * GET_REGION_INFO (with capability chains for device-specific regions),
 * GET_IRQ_INFO, SET_IRQS (INTx, MSI, ERR, REQ) and RESET.
 *
 * A driver describes its device in a const struct mdk_vpci_desc, embeds a
 * struct mdk_vpci in its state, calls mdk_vpci_init() and registers
 * &vp->vdev with the VFIO core (for an mdev: mdk_mdev_register_vfio()).
 * Its callbacks see kernel buffers only: the helper copies from and to
 * userspace, checks every offset and size, and serializes all accesses to
 * one device with @vp->lock, so a simple driver needs no lock of its own.
 */
#ifndef _MDEVKIT_VPCI_H
#define _MDEVKIT_VPCI_H

#include <linux/pci_regs.h>
#include <linux/mutex.h>
#include <mdevkit/vfio.h>

struct mdk_vpci;

/**
 * struct mdk_vpci_bar - one base address register
 * @size: size in bytes, a power of two (0: the BAR is not implemented).
 *	I/O BARs are at least 4 bytes, memory BARs at least 16.
 * @flags: PCI_BASE_ADDRESS_SPACE_IO, or a memory BAR's
 *	PCI_BASE_ADDRESS_MEM_TYPE_* | PCI_BASE_ADDRESS_MEM_PREFETCH bits.
 *	A 64-bit BAR takes the next BAR slot too, which must stay empty.
 * @access_size: largest access handed to @rw at once (1, 2, 4 or 8);
 *	the helper splits larger user accesses into naturally aligned
 *	pieces no larger than this. 0: any length up to PAGE_SIZE.
 * @rw: read (@write false) or write @len bytes at @off of the BAR from/to
 *	the kernel buffer @buf. Called with @vp->lock held. Returns 0 or a
 *	negative errno.
 * @mmap: map the BAR into the user's address space (optional; enables
 *	VFIO_REGION_INFO_FLAG_MMAP). The helper has checked the range and
 *	set vma->vm_pgoff to the page offset within the BAR.
 */
struct mdk_vpci_bar {
	u64 size;
	u32 flags;
	unsigned int access_size;
	int (*rw)(struct mdk_vpci *vp, unsigned int bar, u64 off, void *buf,
		  unsigned int len, bool write);
	int (*mmap)(struct mdk_vpci *vp, unsigned int bar,
		    struct vm_area_struct *vma);
};

/**
 * struct mdk_vpci_region - a device-specific region (index >=
 *	VFIO_PCI_NUM_REGIONS), reported with a VFIO_REGION_INFO_CAP_TYPE
 *	capability
 * @type: VFIO region type (e.g. VFIO_REGION_TYPE_GFX)
 * @subtype: VFIO region subtype
 * @size: size in bytes
 * @flags: VFIO_REGION_INFO_FLAG_READ / _WRITE (MMAP is added when @mmap)
 * @access_size: as for &struct mdk_vpci_bar
 * @rw: as for &struct mdk_vpci_bar, @index being the region index
 * @mmap: as for &struct mdk_vpci_bar (optional)
 */
struct mdk_vpci_region {
	u32 type;
	u32 subtype;
	u64 size;
	u32 flags;
	unsigned int access_size;
	int (*rw)(struct mdk_vpci *vp, unsigned int index, u64 off, void *buf,
		  unsigned int len, bool write);
	int (*mmap)(struct mdk_vpci *vp, unsigned int index,
		    struct vm_area_struct *vma);
};

/**
 * struct mdk_vpci_desc - everything that makes one kind of virtual PCI
 *	device
 * @vendor: PCI vendor ID
 * @device: PCI device ID
 * @subsystem_vendor: subsystem vendor ID
 * @subsystem_device: subsystem ID
 * @class_code: 24-bit class code: base class << 16 | subclass << 8 |
 *	programming interface
 * @revision: revision ID
 * @bar: the six BARs
 * @intx: the device has an INTA# pin (INTx index: count 1, EVENTFD |
 *	MASKABLE | AUTOMASKED)
 * @msi_vectors: MSI vectors, a power of two up to 32 (0: no MSI
 *	capability and no MSI index)
 * @regions: device-specific regions (optional)
 * @nr_regions: number of entries in @regions
 * @open: first open of the device fd (optional)
 * @close: last close (optional); the helper has already disarmed every
 *	interrupt
 * @reset: put the device's own state back to power-on (optional); the
 *	helper resets the configuration space and keeps the user's eventfds,
 *	as VFIO_DEVICE_RESET does for physical devices
 * @config_write: notification after the user wrote @len bytes at @off of
 *	the configuration space (optional), with @vp->lock held
 * @ioctl: device-specific ioctls the helper does not know (optional);
 *	return -ENOTTY for unknown ones
 * @dma_unmap: the user unmaps [@iova, @iova + @length) of its DMA space:
 *	unpin every page pinned in that range before returning (mandatory
 *	for drivers that pin pages). Called with @vp->lock held.
 *
 * Values a driver writes with mdk_vpci_config_*() before the device is
 * first opened are part of its power-on state (restored by reset).
 *
 * The configuration space bytes at 0x40 and above that are not used by
 * the capability list are free for the driver: it may fill them after
 * mdk_vpci_init() with mdk_vpci_config_* and make bits writable with
 * mdk_vpci_config_set_wmask().
 */
struct mdk_vpci_desc {
	u16 vendor;
	u16 device;
	u16 subsystem_vendor;
	u16 subsystem_device;
	u32 class_code;
	u8 revision;
	struct mdk_vpci_bar bar[PCI_STD_NUM_BARS];
	bool intx;
	unsigned int msi_vectors;
	const struct mdk_vpci_region *regions;
	unsigned int nr_regions;

	int (*open)(struct mdk_vpci *vp);
	void (*close)(struct mdk_vpci *vp);
	void (*reset)(struct mdk_vpci *vp);
	void (*config_write)(struct mdk_vpci *vp, unsigned int off,
			     unsigned int len);
	long (*ioctl)(struct mdk_vpci *vp, unsigned int cmd,
		      unsigned long arg);
	void (*dma_unmap)(struct mdk_vpci *vp, u64 iova, u64 length);
};

/* Where the helper puts its capabilities. */
#define MDK_VPCI_MSI_CAP	0x60

/**
 * struct mdk_vpci - state of one virtual PCI device
 * @vdev: the VFIO device, to register with the core
 * @desc: the device description
 * @lock: serializes region accesses, config space and @desc callbacks of
 *	this device (never held across a copy to or from userspace)
 * @config: the configuration space, little-endian as on the bus
 * @init_config: @config as after power-on, for reset
 * @init_saved: @init_config was taken (at the first open of the device)
 * @wmask: writable bits of @config
 * @w1c: write-1-to-clear bits of @config (status register)
 * @irqs: the IRQ indexes (VFIO_PCI_NUM_IRQS of them)
 */
struct mdk_vpci {
	struct mdk_vfio_device vdev;
	const struct mdk_vpci_desc *desc;
	struct mutex lock;
	u8 config[PCI_CFG_SPACE_SIZE];
	u8 init_config[PCI_CFG_SPACE_SIZE];
	bool init_saved;
	u8 wmask[PCI_CFG_SPACE_SIZE];
	u8 w1c[PCI_CFG_SPACE_SIZE];
	struct mdk_vfio_irqs irqs;
};

static inline struct mdk_vpci *to_mdk_vpci(struct mdk_vfio_device *vdev)
{
	return container_of(vdev, struct mdk_vpci, vdev);
}

int mdk_vpci_init(struct mdk_vpci *vp, struct device *dev,
		  const struct mdk_vpci_desc *desc);
void mdk_vpci_uninit(struct mdk_vpci *vp);

void mdk_vpci_raise_irq(struct mdk_vpci *vp, unsigned int vector);

/* Configuration space accessors for drivers (caller holds @vp->lock or
 * the device is not registered yet).
 */
u8 mdk_vpci_config_read8(struct mdk_vpci *vp, unsigned int off);
u16 mdk_vpci_config_read16(struct mdk_vpci *vp, unsigned int off);
u32 mdk_vpci_config_read32(struct mdk_vpci *vp, unsigned int off);
void mdk_vpci_config_write8(struct mdk_vpci *vp, unsigned int off, u8 val);
void mdk_vpci_config_write16(struct mdk_vpci *vp, unsigned int off, u16 val);
void mdk_vpci_config_write32(struct mdk_vpci *vp, unsigned int off, u32 val);
void mdk_vpci_config_set_wmask(struct mdk_vpci *vp, unsigned int off,
			       const u8 *mask, unsigned int len);

#endif /* _MDEVKIT_VPCI_H */
