/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevkit IOMMU layer (module mdk_iommu.ko): PASIDs and auxiliary domains.
 *
 * A parent device that does DMA on behalf of many mediated devices tags
 * each mdev's requests with a PASID; the IOMMU translates each PASID's
 * requests through that PASID's own I/O page table ("auxiliary domain"),
 * so every mdev's DMA is confined to the address space its user mapped.
 * This is the design of Linux's 2019 iommu_aux_* API (removed upstream in
 * 5.18 without ever having had an in-tree user), with a user here.
 *
 * No PASID-capable IOMMU is reachable on the machines mdevkit is tested
 * on, so the translating IOMMU is a software one (struct mdk_iommu),
 * built from the structures a hardware driver would use: a PASID table
 * per device, 4-level I/O page tables, per-domain fault reporting. The
 * device model "does DMA" with mdk_iommu_dma_rw(), which translates every
 * access through the PASID's domain and faults on anything unmapped.
 */
#ifndef _MDEVKIT_IOMMU_H
#define _MDEVKIT_IOMMU_H

#include <linux/bits.h>
#include <linux/device.h>
#include <linux/types.h>

/* PASIDs are 20 bits; 0 is reserved (requests without PASID). */
#define MDK_PASID_MIN		1U
#define MDK_PASID_MAX		((1U << 20) - 1)

/* Protection bits of a mapping (as the kernel's IOMMU_READ/WRITE). */
#define MDK_IOMMU_READ		BIT(0)
#define MDK_IOMMU_WRITE		BIT(1)

struct mdk_iommu_domain;
struct mdk_iommu_dev;

/* --- PASID allocator (iommu/pasid.c) --------------------------------- */

/**
 * struct mdk_pasid_owner - a consumer of PASIDs with a quota
 * @name: for log lines
 * @quota: most PASIDs it may hold at once (0: no quota)
 *
 * Private: @count PASIDs held, under the allocator's lock.
 */
struct mdk_pasid_owner {
	const char *name;
	unsigned int quota;
	unsigned int count;
};

int mdk_pasid_alloc(struct mdk_pasid_owner *owner, u32 min, u32 max,
		    void *private);
void mdk_pasid_free(struct mdk_pasid_owner *owner, u32 pasid);
void *mdk_pasid_find(u32 pasid);

/* --- I/O page tables and domains (iommu/pgtable.c, iommu/domain.c) --- */

struct mdk_iommu_domain *mdk_iommu_domain_alloc(void);
void mdk_iommu_domain_free(struct mdk_iommu_domain *domain);
int mdk_iommu_map(struct mdk_iommu_domain *domain, u64 iova,
		  phys_addr_t paddr, size_t size, int prot);
size_t mdk_iommu_unmap(struct mdk_iommu_domain *domain, u64 iova,
		       size_t size);
phys_addr_t mdk_iommu_iova_to_phys(struct mdk_iommu_domain *domain,
				   u64 iova, int *prot);
u64 mdk_iommu_domain_faults(struct mdk_iommu_domain *domain);

/* --- The (software) IOMMU of a device, and its features (iommu/dev.c) --- */

enum mdk_iommu_dev_feature {
	MDK_IOMMU_DEV_FEAT_AUX,		/* auxiliary domains, one per PASID */
};

/**
 * struct mdk_iommu_fault - a DMA request the IOMMU refused
 * @pasid: the PASID of the request
 * @iova: the first address that did not translate
 * @write: the request was a write
 * @reason: -ENOENT (not mapped), -EPERM (mapping forbids the access) or
 *	-ENODEV (no domain attached for @pasid)
 */
struct mdk_iommu_fault {
	u32 pasid;
	u64 iova;
	bool write;
	int reason;
};

typedef void (*mdk_iommu_fault_handler_t)(const struct mdk_iommu_fault *fault,
					  void *data);

struct mdk_iommu_dev *mdk_iommu_dev_register(struct device *dev,
					     unsigned int pasid_quota,
					     mdk_iommu_fault_handler_t handler,
					     void *data);
void mdk_iommu_dev_unregister(struct mdk_iommu_dev *idev);
struct device *mdk_iommu_dev_device(struct mdk_iommu_dev *idev);

bool mdk_iommu_dev_has_feature(struct mdk_iommu_dev *idev,
			       enum mdk_iommu_dev_feature feat);
int mdk_iommu_dev_enable_feature(struct mdk_iommu_dev *idev,
				 enum mdk_iommu_dev_feature feat);
int mdk_iommu_dev_disable_feature(struct mdk_iommu_dev *idev,
				  enum mdk_iommu_dev_feature feat);
bool mdk_iommu_dev_feature_enabled(struct mdk_iommu_dev *idev,
				   enum mdk_iommu_dev_feature feat);

/* --- Auxiliary domains (iommu/aux.c) --------------------------------- */

int mdk_iommu_aux_attach_device(struct mdk_iommu_domain *domain,
				struct mdk_iommu_dev *idev);
void mdk_iommu_aux_detach_device(struct mdk_iommu_domain *domain,
				 struct mdk_iommu_dev *idev);
int mdk_iommu_aux_get_pasid(struct mdk_iommu_domain *domain,
			    struct mdk_iommu_dev *idev);

/* --- DMA by the device model, translated by PASID (iommu/dma.c) ------ */

int mdk_iommu_dma_rw(struct mdk_iommu_dev *idev, u32 pasid, u64 iova,
		     void *buf, size_t len, bool write);

#endif /* _MDEVKIT_IOMMU_H */
