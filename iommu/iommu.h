/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private structures of mdk_iommu.ko. The public API is
 * include/mdevkit/iommu.h; Documentation/iommu-aux.md explains the design.
 *
 * Lock order: mdk_iommu_dev.lock, then mdk_iommu_domain.attach_lock;
 * mdk_iommu_domain.map_lock, then mdk_iommu_domain.xlate_lock. The PASID
 * allocator's xa_lock is innermost.
 */
#ifndef _MDK_IOMMU_PRIVATE_H
#define _MDK_IOMMU_PRIVATE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <mdevkit/iommu.h>
#include "pgtable.h"

/**
 * struct mdk_iommu_domain - an I/O address space
 * @pgt: its page tables
 * @map_lock: serialises changes to @pgt (map, split, clear); a mutex
 *	because table allocation sleeps
 * @xlate_lock: the translation lock. Readers: every page of
 *	mdk_iommu_dma_rw() holds it across translation and copy, and
 *	mdk_iommu_iova_to_phys(). Writer: mdk_iommu_unmap() while it clears
 *	entries and frees tables, so once unmap returns no DMA touches the
 *	pages. A spinning lock: the DMA path never sleeps. Map does not take
 *	it: new entries are published atomically (see pgtable.h).
 * @faults: DMA requests translated through this domain and refused
 * @attach_lock: protects @attachments
 * @attachments: its struct mdk_iommu_aux, one per device attached
 */
struct mdk_iommu_domain {
	struct mdk_pgtable pgt;
	struct mutex map_lock;
	rwlock_t xlate_lock;
	atomic64_t faults;
	struct mutex attach_lock;
	struct list_head attachments;
};

/**
 * struct mdk_iommu_aux - a domain attached to a device through a PASID
 * @node: in mdk_iommu_domain.attachments
 * @idev: the device
 * @pasid: the PASID tagging the device's requests for the domain
 */
struct mdk_iommu_aux {
	struct list_head node;
	struct mdk_iommu_dev *idev;
	u32 pasid;
};

/**
 * struct mdk_iommu_dev - the (software) IOMMU context of a parent device
 * @dev: the parent device (a reference is held)
 * @handler: called for every DMA fault, may be NULL
 * @data: for @handler
 * @owner: the PASIDs this device holds, with its quota
 * @lock: protects @aux_enabled, @nr_aux and changes to @pasids
 * @aux_enabled: MDK_IOMMU_DEV_FEAT_AUX is enabled
 * @nr_aux: domains attached
 * @pasids: the PASID table: PASID -> struct mdk_iommu_domain. Looked up
 *	under RCU by the DMA path; detach waits for an RCU grace period
 *	before the PASID can be reused or the domain freed.
 */
struct mdk_iommu_dev {
	struct device *dev;
	mdk_iommu_fault_handler_t handler;
	void *data;
	struct mdk_pasid_owner owner;
	struct mutex lock;
	bool aux_enabled;
	unsigned int nr_aux;
	struct xarray pasids;
};

void mdk_pasid_exit(void);
int mdk_iommu_selftest(unsigned int *passed, unsigned int *failed);

#endif /* _MDK_IOMMU_PRIVATE_H */
