// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_pintest: a test-only mediated device that lets userspace drive the
 * vendor side of the DMA API (pin/unpin pages, dma_rw) through registers,
 * and carries a device-specific region. Used by tests/uapi/test_type1.c.
 *
 * PCI 1234:5a5a, class ff0000. BAR0 (4 KiB, 32-bit memory), little-endian:
 *   0x00 IOVA    (64-bit)  first IOVA of a command
 *   0x08 NPAGES  (32-bit)  pages to pin/unpin
 *   0x0c PROT    (32-bit)  1 read, 2 write (IOMMU_READ/IOMMU_WRITE)
 *   0x10 CMD     (32-bit)  write: 1 pin, 2 unpin, 3 DMA read IOVA..+LEN
 *                          into BUF, 4 DMA write BUF to IOVA..+LEN
 *   0x14 RESULT  (s32, ro) return value of the last command
 *   0x18 PINNED  (ro)      pages currently pinned by this device
 *   0x1c UNMAPS  (ro)      dma_unmap notifications received
 *   0x20 LEN     (32-bit)  bytes for commands 3 and 4 (<= 0x400)
 *   0x24 FLAGS   (32-bit)  bit 0 LEAK: on dma_unmap and close, forget
 *                          pins without unpinning them (a buggy vendor)
 *   0x400-0x7ff  BUF
 * Region VFIO_PCI_NUM_REGIONS: type 0x80001234 subtype 1, 4 KiB, read
 * only, byte i reads as i & 0xff.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <mdevkit/compat.h>
#include <mdevkit/mdev.h>
#include <mdevkit/vpci.h>

#define PT_BUF		0x400
#define PT_BUF_SIZE	0x400
#define PT_PIN_MAX	1024	/* pages array bound; type1 allows 512 */

enum pt_cmd { PT_CMD_PIN = 1, PT_CMD_UNPIN, PT_CMD_DMA_READ, PT_CMD_DMA_WRITE };

/* The register file at BAR0 offset 0, as seen on the bus. */
struct pint_regs {
	__le64 iova;
	__le32 npages;
	__le32 prot;
	__le32 cmd;
	__le32 result;
	__le32 pinned;
	__le32 unmaps;
	__le32 len;
	__le32 flags;
};

#define PT_FLAG_LEAK	BIT(0)

/**
 * struct pintest - one device
 * @vp: the virtual PCI device
 * @regs: BAR0 registers (@regs.b: the same as bytes)
 * @buf: BAR0 BUF window
 * @pins: pages this device pinned: IOVA page frame -> xa_mk_value(count)
 * @npinned: entries in @pins
 * @unmaps: dma_unmap notifications received since open
 *
 * The vpci helper calls every callback with @vp.lock held: it protects
 * all the fields.
 */
struct pintest {
	struct mdk_vpci vp;
	union {
		struct pint_regs r;
		u8 b[sizeof(struct pint_regs)];
	} regs;
	u8 buf[PT_BUF_SIZE];
	struct xarray pins;
	unsigned int npinned;
	u32 unmaps;
};

static struct pintest *to_pt(struct mdk_vpci *vp)
{
	return container_of(vp, struct pintest, vp);
}

/* Record @delta (+1/-1) pins of the page at @iova; unchanged on error. */
static int pt_count(struct pintest *pt, u64 iova, long delta)
{
	unsigned long pfn = iova >> PAGE_SHIFT;
	void *old = xa_load(&pt->pins, pfn);
	unsigned long n = (old ? xa_to_value(old) : 0) + delta;
	int ret;

	lockdep_assert_held(&pt->vp.lock);
	if (!n) {
		xa_erase(&pt->pins, pfn);
		pt->npinned--;
		return 0;
	}
	ret = xa_err(xa_store(&pt->pins, pfn, xa_mk_value(n), GFP_KERNEL));
	if (!ret && !old)
		pt->npinned++;
	return ret;
}

static int pt_pin(struct pintest *pt, u64 iova, u32 npages, u32 prot)
{
	struct page **pages;
	int i, ret, err;

	if (npages > PT_PIN_MAX)
		return -E2BIG;
	pages = kcalloc(max(npages, 1U), sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = mdk_vfio_pin_pages(&pt->vp.vdev, iova, npages, prot, pages);
	for (i = 0; i < ret; i++) {
		err = pt_count(pt, iova + (u64)i * PAGE_SIZE, 1);
		if (err) {
			mdk_vfio_unpin_pages(&pt->vp.vdev,
					     iova + (u64)i * PAGE_SIZE,
					     ret - i);
			ret = err;
			break;
		}
	}
	kfree(pages);
	return ret;
}

static int pt_unpin(struct pintest *pt, u64 iova, u32 npages)
{
	u32 i;

	/* Only what this device holds: anything else is a driver bug. */
	if (!npages || npages > 512 || !PAGE_ALIGNED(iova) ||
	    iova + (u64)npages * PAGE_SIZE - 1 < iova)
		return -EINVAL;
	for (i = 0; i < npages; i++)
		if (!xa_load(&pt->pins, (iova >> PAGE_SHIFT) + i))
			return -EINVAL;
	mdk_vfio_unpin_pages(&pt->vp.vdev, iova, npages);
	for (i = 0; i < npages; i++)
		pt_count(pt, iova + (u64)i * PAGE_SIZE, -1);
	return npages;
}

/*
 * Drop every pin this device holds in page frames [@first, @last] (or
 * just forget them, in LEAK mode).
 */
static void pt_unpin_range(struct pintest *pt, unsigned long first,
			   unsigned long last)
{
	bool leak = le32_to_cpu(pt->regs.r.flags) & PT_FLAG_LEAK;
	unsigned long pfn, n;
	void *entry;

	lockdep_assert_held(&pt->vp.lock);
	xa_for_each_range(&pt->pins, pfn, entry, first, last) {
		for (n = leak ? 0 : xa_to_value(entry); n; n--)
			mdk_vfio_unpin_pages(&pt->vp.vdev,
					     (u64)pfn << PAGE_SHIFT, 1);
		xa_erase(&pt->pins, pfn);
		pt->npinned--;
	}
}

static void pt_command(struct pintest *pt, u32 cmd)
{
	u64 iova = le64_to_cpu(pt->regs.r.iova);
	u32 len = le32_to_cpu(pt->regs.r.len);
	int ret;

	switch (cmd) {
	case PT_CMD_PIN:
		ret = pt_pin(pt, iova, le32_to_cpu(pt->regs.r.npages),
			     le32_to_cpu(pt->regs.r.prot));
		break;
	case PT_CMD_UNPIN:
		ret = pt_unpin(pt, iova, le32_to_cpu(pt->regs.r.npages));
		break;
	case PT_CMD_DMA_READ:
	case PT_CMD_DMA_WRITE:
		ret = len > PT_BUF_SIZE ? -EINVAL :
		      mdk_vfio_dma_rw(&pt->vp.vdev, iova, pt->buf, len,
				      cmd == PT_CMD_DMA_WRITE);
		break;
	default:
		ret = -EINVAL;
	}
	pt->regs.r.result = cpu_to_le32((u32)ret);
}

/* Registers are accessed in naturally aligned pieces of up to 8 bytes. */
static int pt_bar_rw(struct mdk_vpci *vp, unsigned int bar, u64 off,
		     void *buf, unsigned int len, bool write)
{
	struct pintest *pt = to_pt(vp);
	unsigned int i, cmd = offsetof(struct pint_regs, cmd);
	u8 *b = buf;

	if (off >= PT_BUF && off + len <= PT_BUF + PT_BUF_SIZE) {
		if (write)
			memcpy(pt->buf + off - PT_BUF, buf, len);
		else
			memcpy(buf, pt->buf + off - PT_BUF, len);
		return 0;
	}
	if (off + len > sizeof(pt->regs)) {	/* reserved: reads 0 */
		if (!write)
			memset(buf, 0, len);
		return 0;
	}
	if (!write) {
		pt->regs.r.pinned = cpu_to_le32(pt->npinned);
		pt->regs.r.unmaps = cpu_to_le32(pt->unmaps);
		memcpy(buf, pt->regs.b + off, len);
		return 0;
	}
	for (i = off; i < off + len; i++) {
		/* result, pinned and unmaps are read-only */
		if (i < offsetof(struct pint_regs, result) ||
		    i >= offsetof(struct pint_regs, len))
			pt->regs.b[i] = b[i - off];
	}
	if (off <= cmd && cmd < off + len) {
		pt_command(pt, le32_to_cpu(pt->regs.r.cmd));
		pt->regs.r.cmd = 0;
	}
	return 0;
}

static int pt_region_rw(struct mdk_vpci *vp, unsigned int index, u64 off,
			void *buf, unsigned int len, bool write)
{
	u8 *b = buf;
	unsigned int i;

	if (write)
		return -EINVAL;
	for (i = 0; i < len; i++)
		b[i] = (off + i) & 0xff;
	return 0;
}

static int pt_open(struct mdk_vpci *vp)
{
	struct pintest *pt = to_pt(vp);

	memset(&pt->regs, 0, sizeof(pt->regs));
	pt->unmaps = 0;
	return 0;
}

/* Close and reset: a device that forgets its state unpins everything. */
static void pt_close(struct mdk_vpci *vp)
{
	pt_unpin_range(to_pt(vp), 0, ULONG_MAX);
}

static void pt_dma_unmap(struct mdk_vpci *vp, u64 iova, u64 length)
{
	struct pintest *pt = to_pt(vp);

	pt->unmaps++;
	pt_unpin_range(pt, iova >> PAGE_SHIFT,
		       (iova + length - 1) >> PAGE_SHIFT);
}

static const struct mdk_vpci_region pt_regions[] = {
	{
		.type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1234,
		.subtype = 1,
		.size = SZ_4K,
		.flags = VFIO_REGION_INFO_FLAG_READ,
		.rw = pt_region_rw,
	},
};

static const struct mdk_vpci_desc pt_desc = {
	.vendor = 0x1234,
	.device = 0x5a5a,
	.subsystem_vendor = 0x1234,
	.subsystem_device = 0x5a5a,
	.class_code = 0xff0000,
	.bar[0] = {
		.size = SZ_4K,
		.flags = PCI_BASE_ADDRESS_MEM_TYPE_32,
		.access_size = 8,
		.rw = pt_bar_rw,
	},
	.intx = true,
	.msi_vectors = 1,
	.regions = pt_regions,
	.nr_regions = ARRAY_SIZE(pt_regions),
	.open = pt_open,
	.close = pt_close,
	.reset = pt_close,
	.dma_unmap = pt_dma_unmap,
};

static int pt_probe(struct mdk_mdev *mdev)
{
	struct pintest *pt;
	int ret;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return -ENOMEM;
	xa_init(&pt->pins);
	ret = mdk_vpci_init(&pt->vp, &mdev->dev, &pt_desc);
	if (ret)
		goto out_free;
	ret = mdk_mdev_register_vfio(mdev, &pt->vp.vdev);
	if (ret)
		goto out_uninit;
	return 0;

out_uninit:
	mdk_vpci_uninit(&pt->vp);
out_free:
	kfree(pt);
	return ret;
}

static void pt_remove(struct mdk_mdev *mdev)
{
	struct pintest *pt = to_pt(to_mdk_vpci(mdev->vdev));

	mdk_mdev_unregister_vfio(mdev);
	mdk_vpci_uninit(&pt->vp);
	xa_destroy(&pt->pins);
	kfree(pt);
}

static const struct mdk_mdev_type pt_types[] = {
	{
		.sysfs_name = "pin",
		.pretty_name = "pinning test device",
		.description = "test-only device driving pin/unpin/dma_rw",
		.max_instances = 8,
	},
};

static struct mdk_mdev_driver pt_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.probe = pt_probe,
	.remove = pt_remove,
	.driver.name = "mdk_pintest",
};

static struct mdk_mdev_parent pt_parent;
static struct class *pt_class;
static struct device *pt_dev;

static int __init pt_init(void)
{
	int ret;

	ret = mdk_mdev_register_driver(&pt_driver);
	if (ret)
		return ret;
	pt_class = mdk_class_create("mdk_pintest");
	if (IS_ERR(pt_class)) {
		ret = PTR_ERR(pt_class);
		goto out_driver;
	}
	pt_dev = device_create(pt_class, NULL, 0, NULL, "mdk_pintest");
	if (IS_ERR(pt_dev)) {
		ret = PTR_ERR(pt_dev);
		goto out_class;
	}
	ret = mdk_mdev_register_parent(&pt_parent, pt_dev, &pt_driver,
				       pt_types, ARRAY_SIZE(pt_types), 0);
	if (ret)
		goto out_device;
	return 0;

out_device:
	device_unregister(pt_dev);
out_class:
	class_destroy(pt_class);
out_driver:
	mdk_mdev_unregister_driver(&pt_driver);
	return ret;
}

static void __exit pt_exit(void)
{
	mdk_mdev_unregister_parent(&pt_parent);
	device_unregister(pt_dev);
	class_destroy(pt_class);
	mdk_mdev_unregister_driver(&pt_driver);
}

module_init(pt_init);
module_exit(pt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit test-only device: pinning and DMA through registers");
MODULE_AUTHOR("mdevkit developers");
