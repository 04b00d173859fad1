// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdevkit: the virtual PCI device helper.
 *
 * Implements the mdk_vfio_device_ops of an emulated PCI device from a
 * const struct mdk_vpci_desc: the configuration space (with write masks,
 * so that BAR sizing and the MSI capability work by themselves), the VFIO
 * region layout of vfio-pci (index << 40), the VFIO_DEVICE_* ioctls and
 * the interrupt indexes.
 *
 * Locking: vp->lock (a mutex) serializes region accesses, configuration
 * space and the driver's callbacks of one device. It is never held
 * across a copy to or from userspace: accesses bounce through a kernel
 * buffer. Interrupts are raised without it (vfio/irqs.c).
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <mdevkit/vpci.h>

/* A region as the helper sees it, whatever its kind. */
struct mdk_vpci_rgn {
	u64 size;
	u32 flags;			/* VFIO_REGION_INFO_FLAG_* */
	unsigned int access;		/* largest piece per call, 0: any */
	const struct mdk_vpci_region *dev_region;	/* index >= 9 */
	int (*rw)(struct mdk_vpci *vp, unsigned int index, u64 off,
		  void *buf, unsigned int len, bool write);
	int (*mmap)(struct mdk_vpci *vp, unsigned int index,
		    struct vm_area_struct *vma);
};

#define MDK_VPCI_RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

/* Little-endian loads and stores of 1 to 4 bytes, for any host. */
static u32 mdk_le_get(const u8 *p, unsigned int n)
{
	u32 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void mdk_le_put(u8 *p, unsigned int n, u32 v)
{
	for (; n; n--, v >>= 8)
		*p++ = v;
}

static int mdk_vpci_cfg_rw(struct mdk_vpci *vp, unsigned int index, u64 off,
			   void *buf, unsigned int len, bool write)
{
	unsigned int pos = PCI_MSI_FLAGS + MDK_VPCI_MSI_CAP;
	u8 *val = buf;
	unsigned int i;
	u32 ctrl;

	lockdep_assert_held(&vp->lock);
	if (!write) {
		memcpy(buf, vp->config + off, len);
		return 0;
	}
	for (i = 0; i < len; i++) {
		u8 *cfg = &vp->config[off + i];
		u8 wm = vp->wmask[off + i];

		*cfg = (*cfg & ~wm) | (val[i] & wm);
		*cfg &= ~(val[i] & vp->w1c[off + i]);
	}
	/* Multiple Message Enable cannot exceed Multiple Message Capable. */
	if (vp->desc->msi_vectors) {
		ctrl = mdk_le_get(vp->config + pos, 2);
		if ((ctrl & PCI_MSI_FLAGS_QSIZE) >> 4 >
		    (ctrl & PCI_MSI_FLAGS_QMASK) >> 1) {
			ctrl &= ~PCI_MSI_FLAGS_QSIZE;
			ctrl |= (ctrl & PCI_MSI_FLAGS_QMASK) << 3;
			mdk_le_put(vp->config + pos, 2, ctrl);
		}
	}
	if (vp->desc->config_write)
		vp->desc->config_write(vp, off, len);
	return 0;
}

/* Describe region @index; false when the device has no such index. */
static bool mdk_vpci_region(struct mdk_vpci *vp, unsigned int index,
			    struct mdk_vpci_rgn *r)
{
	const struct mdk_vpci_desc *d = vp->desc;
	unsigned int nr = VFIO_PCI_NUM_REGIONS + d->nr_regions;

	memset(r, 0, sizeof(*r));
	if (index >= nr)
		return false;
	index = array_index_nospec(index, nr);
	if (index <= VFIO_PCI_BAR5_REGION_INDEX) {
		const struct mdk_vpci_bar *b = &d->bar[index];

		r->size = b->size;
		r->flags = b->size ? MDK_VPCI_RW : 0;
		r->access = b->access_size;
		r->rw = b->rw;
		r->mmap = b->mmap;
	} else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		r->size = PCI_CFG_SPACE_SIZE;
		r->flags = MDK_VPCI_RW;
		r->access = 4;
		r->rw = mdk_vpci_cfg_rw;
	} else if (index >= VFIO_PCI_NUM_REGIONS) {
		const struct mdk_vpci_region *dr;

		dr = &d->regions[index - VFIO_PCI_NUM_REGIONS];
		r->dev_region = dr;
		r->size = dr->size;
		r->flags = dr->flags & MDK_VPCI_RW;
		r->access = dr->access_size;
		r->rw = dr->rw;
		r->mmap = dr->mmap;
	}
	/* ROM and VGA are not implemented: size 0, no flags. */
	if (r->size && r->mmap)
		r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return true;
}

/* One chunk (<= PAGE_SIZE) in naturally aligned pieces <= r->access. */
static int mdk_vpci_access(struct mdk_vpci *vp, const struct mdk_vpci_rgn *r,
			   unsigned int index, u64 off, u8 *buf, size_t len,
			   bool write)
{
	unsigned int n;
	int ret;

	lockdep_assert_held(&vp->lock);
	while (len) {
		n = r->access ? r->access : len;
		while (n > 1 && ((off & (n - 1)) || n > len))
			n >>= 1;
		ret = r->rw(vp, index, off, buf, n, write);
		if (ret)
			return ret;
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* User accesses up to this size bounce through the stack. */
#define MDK_VPCI_SMALL_ACCESS	64

static ssize_t mdk_vpci_rw(struct mdk_vpci *vp, char __user *ubuf,
			   size_t count, loff_t pos, bool write)
{
	unsigned int index = MDK_VFIO_OFFSET_TO_INDEX((u64)pos);
	u64 off = pos & MDK_VFIO_OFFSET_MASK;
	/* Register accesses are small: no allocation on that path. */
	u64 small[MDK_VPCI_SMALL_ACCESS / sizeof(u64)];
	struct mdk_vpci_rgn r;
	size_t done, chunk;
	u64 end;
	u8 *buf = (u8 *)small;
	int ret = 0;

	if (pos < 0 || !mdk_vpci_region(vp, index, &r) || !r.rw ||
	    !(r.flags & (write ? VFIO_REGION_INFO_FLAG_WRITE :
			 VFIO_REGION_INFO_FLAG_READ)))
		return -EINVAL;
	if (check_add_overflow(off, (u64)count, &end) || end > r.size)
		return -EINVAL;
	if (!count)
		return 0;

	if (count > sizeof(small)) {
		buf = kmalloc(min_t(size_t, count, PAGE_SIZE), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	for (done = 0; done < count; done += chunk) {
		chunk = min_t(size_t, count - done, PAGE_SIZE);
		if (write && copy_from_user(buf, ubuf + done, chunk)) {
			ret = -EFAULT;
			break;
		}
		mutex_lock(&vp->lock);
		ret = mdk_vpci_access(vp, &r, index, off + done, buf, chunk,
				      write);
		mutex_unlock(&vp->lock);
		if (ret)
			break;
		if (!write && copy_to_user(ubuf + done, buf, chunk)) {
			ret = -EFAULT;
			break;
		}
	}
	if (buf != (u8 *)small)
		kfree(buf);
	return ret ? ret : count;
}

static ssize_t mdk_vpci_read(struct mdk_vfio_device *vdev, char __user *buf,
			     size_t count, loff_t *ppos)
{
	return mdk_vpci_rw(to_mdk_vpci(vdev), buf, count, *ppos, false);
}

static ssize_t mdk_vpci_write(struct mdk_vfio_device *vdev,
			      const char __user *buf, size_t count,
			      loff_t *ppos)
{
	return mdk_vpci_rw(to_mdk_vpci(vdev), (char __user *)buf, count,
			   *ppos, true);
}

static long mdk_vpci_get_info(struct mdk_vpci *vp, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS + vp->desc->nr_regions;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long mdk_vpci_get_region_info(struct mdk_vpci *vp, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct mdk_vfio_info_cap caps = {};
	struct vfio_region_info_cap_type *type;
	struct vfio_region_info info;
	struct mdk_vpci_rgn r;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || !mdk_vpci_region(vp, info.index, &r))
		return -EINVAL;
	info.offset = MDK_VFIO_INDEX_TO_OFFSET(info.index);
	info.size = r.size;
	info.flags = r.flags;
	info.cap_offset = 0;
	if (r.dev_region) {
		type = (void *)mdk_vfio_info_cap_add(&caps, sizeof(*type),
						     VFIO_REGION_INFO_CAP_TYPE,
						     1);
		if (IS_ERR(type))
			return PTR_ERR(type);
		type->type = r.dev_region->type;
		type->subtype = r.dev_region->subtype;
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		ret = mdk_vfio_info_cap_copy(&caps, arg, sizeof(info),
					     info.argsz, &info.cap_offset,
					     &info.argsz);
		if (ret)
			return ret;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long mdk_vpci_ioctl(struct mdk_vfio_device *vdev, unsigned int cmd,
			   unsigned long arg)
{
	struct mdk_vpci *vp = to_mdk_vpci(vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return mdk_vpci_get_info(vp, (void __user *)arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return mdk_vpci_get_region_info(vp, (void __user *)arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mdk_vfio_irqs_get_info(&vp->irqs, arg);
	case VFIO_DEVICE_SET_IRQS:
		return mdk_vfio_irqs_set(&vp->irqs, arg);
	case VFIO_DEVICE_RESET:
		mutex_lock(&vp->lock);
		if (vp->init_saved)
			memcpy(vp->config, vp->init_config, sizeof(vp->config));
		if (vp->desc->reset)
			vp->desc->reset(vp);
		/* After the device state: what it raised before is stale. */
		mdk_vfio_irqs_reset(&vp->irqs);
		mutex_unlock(&vp->lock);
		return 0;
	}
	return vp->desc->ioctl ? vp->desc->ioctl(vp, cmd, arg) : -ENOTTY;
}

/*
 * The driver's mmap op sees vm_pgoff as the page offset within its
 * region (the region index bits are stripped).
 */
static int mdk_vpci_mmap(struct mdk_vfio_device *vdev,
			 struct vm_area_struct *vma)
{
	const unsigned int shift = MDK_VFIO_OFFSET_SHIFT - PAGE_SHIFT;
	struct mdk_vpci *vp = to_mdk_vpci(vdev);
	unsigned long index = vma->vm_pgoff >> shift;
	u64 off = (u64)(vma->vm_pgoff & ((1UL << shift) - 1)) << PAGE_SHIFT;
	struct mdk_vpci_rgn r;
	u64 end;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* UINT_MAX is no region index */
	if (!mdk_vpci_region(vp, min_t(unsigned long, index, UINT_MAX), &r) ||
	    !r.mmap)
		return -EINVAL;
	if (check_add_overflow(off, (u64)(vma->vm_end - vma->vm_start), &end) ||
	    end > r.size)
		return -EINVAL;
	vma->vm_pgoff = off >> PAGE_SHIFT;
	return r.mmap(vp, index, vma);
}

static int mdk_vpci_open_device(struct mdk_vfio_device *vdev)
{
	struct mdk_vpci *vp = to_mdk_vpci(vdev);
	int ret = 0;

	mutex_lock(&vp->lock);
	if (!vp->init_saved) {
		memcpy(vp->init_config, vp->config, sizeof(vp->config));
		vp->init_saved = true;
	}
	if (vp->desc->open)
		ret = vp->desc->open(vp);
	mutex_unlock(&vp->lock);
	return ret;
}

static void mdk_vpci_close_device(struct mdk_vfio_device *vdev)
{
	struct mdk_vpci *vp = to_mdk_vpci(vdev);

	mdk_vfio_irqs_disable_all(&vp->irqs);
	mutex_lock(&vp->lock);
	if (vp->desc->close)
		vp->desc->close(vp);
	mutex_unlock(&vp->lock);
}

static void mdk_vpci_request(struct mdk_vfio_device *vdev, unsigned int count)
{
	struct mdk_vpci *vp = to_mdk_vpci(vdev);
	struct device *dev = vdev->dev;

	if (mdk_vfio_irq_signal(&vp->irqs, VFIO_PCI_REQ_IRQ_INDEX, 0)) {
		/* The first request is routine; repeated ones are news. */
		if (count)
			dev_notice_ratelimited(dev, "relaying device request to user (#%u)\n",
					       count);
	} else if (!count) {
		dev_notice(dev, "no device request channel registered, blocked until released by user\n");
	}
}

static void mdk_vpci_dma_unmap(struct mdk_vfio_device *vdev, u64 iova,
			       u64 length)
{
	struct mdk_vpci *vp = to_mdk_vpci(vdev);

	if (!vp->desc->dma_unmap)
		return;
	mutex_lock(&vp->lock);
	vp->desc->dma_unmap(vp, iova, length);
	mutex_unlock(&vp->lock);
}

static const struct mdk_vfio_device_ops mdk_vpci_ops = {
	.name		= "mdk_vpci",
	.open_device	= mdk_vpci_open_device,
	.close_device	= mdk_vpci_close_device,
	.read		= mdk_vpci_read,
	.write		= mdk_vpci_write,
	.ioctl		= mdk_vpci_ioctl,
	.mmap		= mdk_vpci_mmap,
	.request	= mdk_vpci_request,
	.dma_unmap	= mdk_vpci_dma_unmap,
};

static bool mdk_vpci_access_ok(unsigned int access_size)
{
	return access_size <= 8 && !(access_size & (access_size - 1));
}

static int mdk_vpci_check_bar(const struct mdk_vpci_desc *d, unsigned int i)
{
	const struct mdk_vpci_bar *b = &d->bar[i];
	u64 size = b->size;

	if (!mdk_vpci_access_ok(b->access_size))
		return -EINVAL;
	if (!size)
		return 0;
	if (size & (size - 1))
		return -EINVAL;
	if (b->flags & PCI_BASE_ADDRESS_SPACE_IO)
		return b->flags == PCI_BASE_ADDRESS_SPACE_IO &&
		       size >= 4 && size <= 256 ? 0 : -EINVAL;
	if (size < 16 || b->flags & ~(PCI_BASE_ADDRESS_MEM_TYPE_MASK |
				      PCI_BASE_ADDRESS_MEM_PREFETCH))
		return -EINVAL;
	switch (b->flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK) {
	case PCI_BASE_ADDRESS_MEM_TYPE_32:
		return size <= SZ_2G ? 0 : -EINVAL;
	case PCI_BASE_ADDRESS_MEM_TYPE_64:
		/* The upper half takes the next slot, which must be empty. */
		return i + 1 < PCI_STD_NUM_BARS && !d->bar[i + 1].size &&
		       !d->bar[i + 1].flags ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static int mdk_vpci_check_desc(struct device *dev,
			       const struct mdk_vpci_desc *d)
{
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (mdk_vpci_check_bar(d, i)) {
			dev_err(dev, "vpci: invalid BAR%u (size %#llx, flags %#x)\n",
				i, d->bar[i].size, d->bar[i].flags);
			return -EINVAL;
		}
	}
	if (d->msi_vectors > 32 ||
	    (d->msi_vectors & (d->msi_vectors - 1))) {
		dev_err(dev, "vpci: invalid number of MSI vectors %u\n",
			d->msi_vectors);
		return -EINVAL;
	}
	if (d->nr_regions && !d->regions) {
		dev_err(dev, "vpci: %u regions but no table\n", d->nr_regions);
		return -EINVAL;
	}
	for (i = 0; i < d->nr_regions; i++) {
		if (!mdk_vpci_access_ok(d->regions[i].access_size)) {
			dev_err(dev, "vpci: invalid access size of region %u\n",
				VFIO_PCI_NUM_REGIONS + i);
			return -EINVAL;
		}
	}
	return 0;
}

static void mdk_vpci_build_bars(struct mdk_vpci *vp)
{
	const struct mdk_vpci_desc *d = vp->desc;
	unsigned int i, pos;
	u64 mask;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct mdk_vpci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		pos = PCI_BASE_ADDRESS_0 + 4 * i;
		mask = ~(b->size - 1);
		mask &= b->flags & PCI_BASE_ADDRESS_SPACE_IO ?
			PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
		mdk_le_put(vp->config + pos, 4, b->flags);
		mdk_le_put(vp->wmask + pos, 4, (u32)mask);
		if ((b->flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
		    PCI_BASE_ADDRESS_MEM_TYPE_64 &&
		    !(b->flags & PCI_BASE_ADDRESS_SPACE_IO)) {
			mdk_le_put(vp->wmask + pos + 4, 4, (u32)(mask >> 32));
			i++;
		}
	}
}

static void mdk_vpci_build_config(struct mdk_vpci *vp)
{
	const struct mdk_vpci_desc *d = vp->desc;
	const unsigned int msi = MDK_VPCI_MSI_CAP;
	u16 cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		  PCI_COMMAND_INTX_DISABLE;
	u16 status_w1c = PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
			 PCI_STATUS_REC_TARGET_ABORT |
			 PCI_STATUS_REC_MASTER_ABORT |
			 PCI_STATUS_SIG_SYSTEM_ERROR |
			 PCI_STATUS_DETECTED_PARITY;
	u8 *c = vp->config;

	memset(vp->config, 0, sizeof(vp->config));
	memset(vp->wmask, 0, sizeof(vp->wmask));
	memset(vp->w1c, 0, sizeof(vp->w1c));

	mdk_le_put(c + PCI_VENDOR_ID, 2, d->vendor);
	mdk_le_put(c + PCI_DEVICE_ID, 2, d->device);
	mdk_le_put(vp->wmask + PCI_COMMAND, 2, cmd);
	mdk_le_put(vp->w1c + PCI_STATUS, 2, status_w1c);
	c[PCI_REVISION_ID] = d->revision;
	mdk_le_put(c + PCI_CLASS_PROG, 3, d->class_code);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	vp->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	vp->wmask[PCI_LATENCY_TIMER] = 0xff;
	mdk_vpci_build_bars(vp);
	mdk_le_put(c + PCI_SUBSYSTEM_VENDOR_ID, 2, d->subsystem_vendor);
	mdk_le_put(c + PCI_SUBSYSTEM_ID, 2, d->subsystem_device);
	vp->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (d->intx)
		c[PCI_INTERRUPT_PIN] = 1;	/* INTA# */

	if (!d->msi_vectors)
		return;
	mdk_le_put(c + PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	c[PCI_CAPABILITY_LIST] = msi;
	c[msi + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	c[msi + PCI_CAP_LIST_NEXT] = 0;
	mdk_le_put(c + msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT |
		   ilog2(d->msi_vectors) << 1);
	mdk_le_put(vp->wmask + msi + PCI_MSI_FLAGS, 2,
		   PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	mdk_le_put(vp->wmask + msi + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
	mdk_le_put(vp->wmask + msi + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
	mdk_le_put(vp->wmask + msi + PCI_MSI_DATA_64, 2, 0xffff);
}

/**
 * mdk_vpci_init() - set up a virtual PCI device
 * @vp: the device state (embedded in the driver's; zeroed by the caller)
 * @dev: the struct device it stands for (for an mdev: &mdev->dev)
 * @desc: its description; must stay valid until mdk_vpci_uninit()
 *
 * Checks @desc, builds the power-on configuration space, defines the
 * VFIO_PCI_NUM_IRQS interrupt indexes and initializes @vp->vdev with the
 * helper's device ops. The caller then registers @vp->vdev.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for an invalid @desc (logged), or -ENOMEM.
 */
int mdk_vpci_init(struct mdk_vpci *vp, struct device *dev,
		  const struct mdk_vpci_desc *desc)
{
	struct mdk_vfio_irqs *irqs = &vp->irqs;
	int ret;

	ret = mdk_vpci_check_desc(dev, desc);
	if (ret)
		return ret;
	ret = mdk_vfio_irqs_init(irqs, VFIO_PCI_NUM_IRQS);
	if (ret)
		return ret;
	vp->desc = desc;
	vp->init_saved = false;
	mutex_init(&vp->lock);
	mdk_vpci_build_config(vp);

	if (desc->intx)
		mdk_vfio_irqs_define(irqs, VFIO_PCI_INTX_IRQ_INDEX, 1,
				     VFIO_IRQ_INFO_EVENTFD |
				     VFIO_IRQ_INFO_MASKABLE |
				     VFIO_IRQ_INFO_AUTOMASKED);
	if (desc->msi_vectors)
		mdk_vfio_irqs_define(irqs, VFIO_PCI_MSI_IRQ_INDEX,
				     desc->msi_vectors,
				     VFIO_IRQ_INFO_EVENTFD |
				     VFIO_IRQ_INFO_NORESIZE);
	/* As vfio-pci: MSI-X listed without vectors, ERR (PCIe only) absent. */
	mdk_vfio_irqs_define(irqs, VFIO_PCI_MSIX_IRQ_INDEX, 0,
			     VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);
	mdk_vfio_irqs_define(irqs, VFIO_PCI_REQ_IRQ_INDEX, 1,
			     VFIO_IRQ_INFO_EVENTFD);

	mdk_vfio_device_init(&vp->vdev, dev, &mdk_vpci_ops);
	return 0;
}
EXPORT_SYMBOL_GPL(mdk_vpci_init);

/**
 * mdk_vpci_uninit() - release what mdk_vpci_init() set up
 * @vp: the device, no longer registered with the VFIO core
 *
 * Context: process context; may sleep.
 */
void mdk_vpci_uninit(struct mdk_vpci *vp)
{
	mdk_vfio_irqs_destroy(&vp->irqs);
	mutex_destroy(&vp->lock);
}
EXPORT_SYMBOL_GPL(mdk_vpci_uninit);

/**
 * mdk_vpci_raise_irq() - the device raises an interrupt
 * @vp: the device
 * @vector: the MSI vector (INTx has one)
 *
 * Delivered as MSI when the user armed that MSI vector, else as INTx when
 * INTx is armed and not disabled in the command register, else dropped.
 * INTx follows its mask: raised while masked it stays pending until
 * unmasked.
 *
 * Context: any context.
 */
void mdk_vpci_raise_irq(struct mdk_vpci *vp, unsigned int vector)
{
	u8 cmd_hi;

	if (mdk_vfio_irq_armed(&vp->irqs, VFIO_PCI_MSI_IRQ_INDEX, vector)) {
		mdk_vfio_irq_signal(&vp->irqs, VFIO_PCI_MSI_IRQ_INDEX, vector);
		return;
	}
	cmd_hi = READ_ONCE(vp->config[PCI_COMMAND + 1]);
	if (!(cmd_hi & (PCI_COMMAND_INTX_DISABLE >> 8)))
		mdk_vfio_irq_signal(&vp->irqs, VFIO_PCI_INTX_IRQ_INDEX, 0);
}
EXPORT_SYMBOL_GPL(mdk_vpci_raise_irq);

static bool mdk_vpci_cfg_range(unsigned int off, unsigned int len)
{
	return !WARN_ON_ONCE(off > PCI_CFG_SPACE_SIZE - len);
}

/**
 * mdk_vpci_config_read8() - read a configuration space byte
 * @vp: the device
 * @off: offset in the configuration space
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 * Return: the byte.
 */
u8 mdk_vpci_config_read8(struct mdk_vpci *vp, unsigned int off)
{
	return mdk_vpci_cfg_range(off, 1) ? vp->config[off] : 0;
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_read8);

/**
 * mdk_vpci_config_read16() - read a little-endian configuration word
 * @vp: the device
 * @off: offset in the configuration space
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 * Return: the value in CPU byte order.
 */
u16 mdk_vpci_config_read16(struct mdk_vpci *vp, unsigned int off)
{
	return mdk_vpci_cfg_range(off, 2) ? mdk_le_get(vp->config + off, 2) : 0;
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_read16);

/**
 * mdk_vpci_config_read32() - read a little-endian configuration dword
 * @vp: the device
 * @off: offset in the configuration space
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 * Return: the value in CPU byte order.
 */
u32 mdk_vpci_config_read32(struct mdk_vpci *vp, unsigned int off)
{
	return mdk_vpci_cfg_range(off, 4) ? mdk_le_get(vp->config + off, 4) : 0;
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_read32);

/**
 * mdk_vpci_config_write8() - store a configuration space byte
 * @vp: the device
 * @off: offset in the configuration space
 * @val: the value (stored as is: write masks apply to the user only)
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 */
void mdk_vpci_config_write8(struct mdk_vpci *vp, unsigned int off, u8 val)
{
	if (mdk_vpci_cfg_range(off, 1))
		vp->config[off] = val;
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_write8);

/**
 * mdk_vpci_config_write16() - store a configuration word, little-endian
 * @vp: the device
 * @off: offset in the configuration space
 * @val: the value in CPU byte order
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 */
void mdk_vpci_config_write16(struct mdk_vpci *vp, unsigned int off, u16 val)
{
	if (mdk_vpci_cfg_range(off, 2))
		mdk_le_put(vp->config + off, 2, val);
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_write16);

/**
 * mdk_vpci_config_write32() - store a configuration dword, little-endian
 * @vp: the device
 * @off: offset in the configuration space
 * @val: the value in CPU byte order
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 */
void mdk_vpci_config_write32(struct mdk_vpci *vp, unsigned int off, u32 val)
{
	if (mdk_vpci_cfg_range(off, 4))
		mdk_le_put(vp->config + off, 4, val);
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_write32);

/**
 * mdk_vpci_config_set_wmask() - make configuration bits user-writable
 * @vp: the device
 * @off: first byte
 * @mask: @len bytes of write mask (1 bits are writable by the user)
 * @len: number of bytes
 *
 * Context: caller holds @vp->lock, or the device is not registered yet.
 */
void mdk_vpci_config_set_wmask(struct mdk_vpci *vp, unsigned int off,
			       const u8 *mask, unsigned int len)
{
	if (len <= PCI_CFG_SPACE_SIZE && mdk_vpci_cfg_range(off, len))
		memcpy(vp->wmask + off, mask, len);
}
EXPORT_SYMBOL_GPL(mdk_vpci_config_set_wmask);
