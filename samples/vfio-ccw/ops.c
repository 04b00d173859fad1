// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-ccw: the mediated device and its VFIO device file.
 *
 * The device file is the framework's device helper (<mdevkit/vdev.h>)
 * over the table below: the regions and IRQ indexes of upstream's vfio-ccw
 * UAPI (<linux/vfio_ccw.h>), the region index at bit 10 of the file
 * offset as upstream, VFIO_DEVICE_FLAGS_CCW | VFIO_DEVICE_FLAGS_RESET.
 *
 *   index 0  I/O region (struct ccw_io_region): writing the ORB and SCSW
 *            areas starts a channel program; the IRB area holds the next
 *            interrupt, ret_code the result of the last start
 *   index 1  async command region (VFIO_REGION_TYPE_CCW, subtype
 *            ASYNC_CMD): writing a command halts or clears
 *   index 2  SCHIB region (subtype SCHIB): reading stores the subchannel
 *   index 3  CRW region (subtype CRW): reading pops a channel report
 *   IRQs     I/O, CRW, REQ: one eventfd each
 *
 * All region callbacks run under the helper's device lock.
 */
#include <linux/iommu.h>
#include <linux/module.h>
#include "vccw.h"

/* Guest memory, through the container's type1 backend. */
static int vccw_mem_read(void *ctx, u64 iova, void *buf, size_t len)
{
	struct vccw *vc = ctx;

	return mdk_vfio_dma_rw(&vc->vd.vdev, iova, buf, len, false);
}

static int vccw_mem_pin(void *ctx, u64 iova, struct page **page)
{
	struct vccw *vc = ctx;
	int ret;

	ret = mdk_vfio_pin_pages(&vc->vd.vdev, iova, 1,
				 IOMMU_READ | IOMMU_WRITE, page);
	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -EFAULT;
}

static void vccw_mem_unpin(void *ctx, u64 iova)
{
	struct vccw *vc = ctx;

	mdk_vfio_unpin_pages(&vc->vd.vdev, iova, 1);
}

const struct vccw_mem_ops vccw_mem_ops = {
	.read = vccw_mem_read,
	.pin = vccw_mem_pin,
	.unpin = vccw_mem_unpin,
};

static int vccw_io_rw(struct mdk_vdev *vd, unsigned int index, u32 off,
		      void *buf, u32 len, bool write)
{
	const u32 irb = offsetof(struct ccw_io_region, irb_area);
	struct vccw *vc = vd_to_vccw(vd);
	int ret;

	if (!write) {
		memcpy(buf, (u8 *)&vc->io + off, len);
		if (off < irb + IRB_AREA_SIZE && off + len > irb)
			vccw_irb_read(vc);
		return 0;
	}
	/* a request is the ORB and the SCSW, written at once */
	if (off || len < irb)
		return -EINVAL;
	memcpy(vc->io.orb_area, buf, sizeof(vc->io.orb_area));
	memcpy(vc->io.scsw_area, buf + sizeof(vc->io.orb_area),
	       sizeof(vc->io.scsw_area));
	ret = vccw_start(vc);
	vc->io.ret_code = ret;
	return ret;
}

static int vccw_async_rw(struct mdk_vdev *vd, unsigned int index, u32 off,
			 void *buf, u32 len, bool write)
{
	struct vccw *vc = vd_to_vccw(vd);
	int ret;

	if (!write) {
		memcpy(buf, (u8 *)&vc->cmd + off, len);
		return 0;
	}
	if (off || len != sizeof(vc->cmd))
		return -EINVAL;
	memcpy(&vc->cmd, buf, len);
	ret = vccw_async(vc, vc->cmd.command);
	vc->cmd.ret_code = ret;
	return ret;
}

static int vccw_schib_rw(struct mdk_vdev *vd, unsigned int index, u32 off,
			 void *buf, u32 len, bool write)
{
	struct ccw_schib_region region;
	struct schib schib;
	int ret;

	BUILD_BUG_ON(sizeof(schib) != sizeof(region.schib_area));
	ret = vccw_read_schib(vd_to_vccw(vd), &schib);
	if (ret)
		return ret;
	memcpy(region.schib_area, &schib, sizeof(schib));
	memcpy(buf, (u8 *)&region + off, len);
	return 0;
}

static int vccw_crw_rw(struct mdk_vdev *vd, unsigned int index, u32 off,
		       void *buf, u32 len, bool write)
{
	struct ccw_crw_region region = { .crw = vccw_pop_crw(vd_to_vccw(vd)) };

	memcpy(buf, (u8 *)&region + off, len);
	return 0;
}

static int vccw_vd_open(struct mdk_vdev *vd)
{
	return vccw_open(vd_to_vccw(vd));
}

static void vccw_vd_close(struct mdk_vdev *vd)
{
	vccw_close(vd_to_vccw(vd));
}

static int vccw_vd_reset(struct mdk_vdev *vd)
{
	return vccw_reset(vd_to_vccw(vd));
}

static void vccw_vd_dma_unmap(struct mdk_vdev *vd, u64 iova, u64 length)
{
	vccw_dma_unmap(vd_to_vccw(vd), iova, length);
}

#define VCCW_RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

static const struct mdk_vdev_region vccw_regions[VCCW_NUM_REGIONS] = {
	[VCCW_IO_REGION] = {
		.size = sizeof(struct ccw_io_region), .flags = VCCW_RW,
		.rw = vccw_io_rw },
	[VCCW_ASYNC_REGION] = {
		.type = VFIO_REGION_TYPE_CCW,
		.subtype = VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD,
		.size = sizeof(struct ccw_cmd_region), .flags = VCCW_RW,
		.rw = vccw_async_rw },
	[VCCW_SCHIB_REGION] = {
		.type = VFIO_REGION_TYPE_CCW,
		.subtype = VFIO_REGION_SUBTYPE_CCW_SCHIB,
		.size = sizeof(struct ccw_schib_region),
		.flags = VFIO_REGION_INFO_FLAG_READ, .rw = vccw_schib_rw },
	[VCCW_CRW_REGION] = {
		.type = VFIO_REGION_TYPE_CCW,
		.subtype = VFIO_REGION_SUBTYPE_CCW_CRW,
		.size = sizeof(struct ccw_crw_region),
		.flags = VFIO_REGION_INFO_FLAG_READ, .rw = vccw_crw_rw },
};

static const struct mdk_vdev_irq vccw_irqs[VFIO_CCW_NUM_IRQS] = {
	[VFIO_CCW_IO_IRQ_INDEX] = { .count = 1, .flags = VFIO_IRQ_INFO_EVENTFD },
	[VFIO_CCW_CRW_IRQ_INDEX] = { .count = 1, .flags = VFIO_IRQ_INFO_EVENTFD },
	[VFIO_CCW_REQ_IRQ_INDEX] = { .count = 1, .flags = VFIO_IRQ_INFO_EVENTFD,
				     .request = true },
};

static const struct mdk_vdev_desc vccw_desc = {
	.flags = VFIO_DEVICE_FLAGS_CCW,
	.offset_shift = VCCW_OFFSET_SHIFT,
	.regions = vccw_regions,
	.nr_regions = ARRAY_SIZE(vccw_regions),
	.irqs = vccw_irqs,
	.nr_irqs = ARRAY_SIZE(vccw_irqs),
	.open = vccw_vd_open,
	.close = vccw_vd_close,
	.reset = vccw_vd_reset,
	.dma_unmap = vccw_vd_dma_unmap,
};

static int vccw_mdev_probe(struct mdk_mdev *mdev)
{
	struct vccw *vc = dev_get_drvdata(mdev->parent->dev);
	int ret;

	if (READ_ONCE(vc->gone))
		return -ENODEV;
	ret = mdk_vdev_init(&vc->vd, &mdev->dev, &vccw_desc);
	if (ret)
		return ret;
	vc->mdev = mdev;
	ret = mdk_mdev_register_vfio(mdev, &vc->vd.vdev);
	if (ret)
		goto err_uninit;
	return 0;

err_uninit:
	vc->mdev = NULL;
	mdk_vdev_uninit(&vc->vd);
	return ret;
}

static void vccw_mdev_remove(struct mdk_mdev *mdev)
{
	struct vccw *vc = dev_get_drvdata(mdev->parent->dev);

	/* waits for the last close, which disables the subchannel */
	mdk_mdev_unregister_vfio(mdev);
	/* a work queued before the close takes the device lock */
	flush_work(&vc->irq_work);
	vc->mdev = NULL;
	mdk_vdev_uninit(&vc->vd);
}

/* Its name makes the type directory "vfio_ccw-io", as upstream. */
struct mdk_mdev_driver vccw_mdev_driver = {
	.device_api = VFIO_DEVICE_API_CCW_STRING,
	.probe = vccw_mdev_probe,
	.remove = vccw_mdev_remove,
	.driver.name = VCCW_NAME,
};
