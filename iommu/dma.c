// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA by a device model through the software IOMMU: every access is
 * tagged with a PASID, resolved through the device's PASID table to a
 * domain and translated page by page; anything else is a fault.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "iommu.h"

static const char *fault_reason(int reason)
{
	switch (reason) {
	case -ENODEV:
		return "no domain for this PASID";
	case -ENOENT:
		return "address not mapped";
	default:
		return "access not permitted";
	}
}

/*
 * Copy a piece that lies within one 4 KiB I/O page. Return: 0 or the
 * fault reason (a mapping of something that is not RAM is -EPERM).
 */
static int dma_page(struct mdk_iommu_dev *idev, u32 pasid, u64 iova,
		    void *buf, size_t len, bool write)
{
	struct mdk_iommu_domain *domain;
	int need = write ? MDK_IOMMU_WRITE : MDK_IOMMU_READ;
	u64 paddr;
	int ret = 0;
	int prot;

	rcu_read_lock();
	domain = xa_load(&idev->pasids, pasid);
	if (!domain) {
		rcu_read_unlock();
		return -ENODEV;
	}
	read_lock(&domain->xlate_lock);
	if (!mdk_pgt_lookup(&domain->pgt, iova, &paddr, &prot))
		ret = -ENOENT;
	else if (!(prot & need) || !pfn_valid(PHYS_PFN(paddr)))
		ret = -EPERM;
	if (!ret) {
		void *va = kmap_local_page(pfn_to_page(PHYS_PFN(paddr)));

		if (write)
			memcpy(va + offset_in_page(paddr), buf, len);
		else
			memcpy(buf, va + offset_in_page(paddr), len);
		kunmap_local(va);
	} else {
		atomic64_inc(&domain->faults);
	}
	read_unlock(&domain->xlate_lock);
	rcu_read_unlock();
	return ret;
}

/**
 * mdk_iommu_dma_rw() - DMA by a device, translated by PASID
 * @idev: the device's IOMMU context
 * @pasid: the PASID the request is tagged with
 * @iova: I/O virtual address of the first byte
 * @buf: kernel buffer: the data to write, or room for what is read
 * @len: bytes
 * @write: true for a DMA write (device to memory), false for a read
 *
 * For each 4 KiB I/O page of the range: look @pasid up in @idev's PASID
 * table, translate @iova through that domain, check the mapping allows
 * the access, copy. Each page is done under the domain's translation lock
 * (read side), so a concurrent mdk_iommu_unmap() either waits for the
 * copy or makes the page fault.
 *
 * On a fault the transfer stops: pages before the faulting one have been
 * copied, nothing after it. The fault is counted in the domain (when
 * there is one), logged (rate limited) and passed to @idev's fault
 * handler, with no lock of this module held.
 *
 * Context: process context (also workqueues, or under a spinlock or
 * rcu_read_lock()): nothing here sleeps, though the fault handler must
 * honour the caller's context. Not from hard or soft interrupt context:
 * mdk_iommu_unmap() takes the translation lock for writing without
 * disabling interrupts.
 * Return: 0; -EINVAL (zero @len or a range that wraps around); -EFAULT
 * (a fault: the IOMMU refused a page).
 */
int mdk_iommu_dma_rw(struct mdk_iommu_dev *idev, u32 pasid, u64 iova,
		     void *buf, size_t len, bool write)
{
	struct mdk_iommu_fault fault;
	u64 end;
	int ret;

	if (!len || check_add_overflow(iova, (u64)len, &end))
		return -EINVAL;

	while (len) {
		size_t n = min_t(u64, len, MDK_PGT_PAGE_SIZE -
				 (iova & (MDK_PGT_PAGE_SIZE - 1)));

		ret = dma_page(idev, pasid, iova, buf, n, write);
		if (ret)
			goto fault;
		iova += n;
		buf += n;
		len -= n;
	}
	return 0;

fault:
	dev_err_ratelimited(idev->dev, "DMA fault: pasid %u iova %#llx %s: %s\n",
			    pasid, iova, write ? "write" : "read",
			    fault_reason(ret));
	if (idev->handler) {
		fault.pasid = pasid;
		fault.iova = iova;
		fault.write = write;
		fault.reason = ret;
		idev->handler(&fault, idev->data);
	}
	return -EFAULT;
}
EXPORT_SYMBOL_GPL(mdk_iommu_dma_rw);
