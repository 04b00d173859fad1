// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains: an I/O address space (page tables from pgtable.c) with its
 * locks and fault counter. See struct mdk_iommu_domain for the locking.
 */
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/io.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include "iommu.h"

static_assert(MDK_PGT_READ == MDK_IOMMU_READ);
static_assert(MDK_PGT_WRITE == MDK_IOMMU_WRITE);

/* Tables are 4 KiB whatever PAGE_SIZE is; kmalloc aligns them naturally. */
static u64 *domain_table_alloc(void *cookie)
{
	return kzalloc(MDK_PGT_PAGE_SIZE, GFP_KERNEL_ACCOUNT);
}

static void domain_table_free(u64 *table, void *cookie)
{
	kfree(table);
}

static u64 domain_table_phys(u64 *table)
{
	return virt_to_phys(table);
}

static u64 *domain_phys_table(u64 phys)
{
	return phys_to_virt(phys);
}

static const struct mdk_pgt_ops domain_pgt_ops = {
	.alloc_table = domain_table_alloc,
	.free_table = domain_table_free,
	.table_phys = domain_table_phys,
	.phys_table = domain_phys_table,
};

/**
 * mdk_iommu_domain_alloc() - a new, empty I/O address space
 *
 * Context: process context, may sleep.
 * Return: the domain, or NULL when out of memory.
 */
struct mdk_iommu_domain *mdk_iommu_domain_alloc(void)
{
	struct mdk_iommu_domain *domain;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL_ACCOUNT);
	if (!domain)
		return NULL;
	if (mdk_pgt_init(&domain->pgt, &domain_pgt_ops, NULL)) {
		kfree(domain);
		return NULL;
	}
	mutex_init(&domain->map_lock);
	rwlock_init(&domain->xlate_lock);
	atomic64_set(&domain->faults, 0);
	mutex_init(&domain->attach_lock);
	INIT_LIST_HEAD(&domain->attachments);
	return domain;
}
EXPORT_SYMBOL_GPL(mdk_iommu_domain_alloc);

/**
 * mdk_iommu_domain_free() - free a domain and its page tables
 * @domain: from mdk_iommu_domain_alloc(), detached from every device;
 *	NULL is ignored
 *
 * Remaining mappings go with it (nothing is unpinned: the pages belong to
 * the caller). Freeing a domain still attached is a bug: it warns and
 * leaks the domain rather than let the DMA path use freed memory.
 *
 * Context: process context, may sleep.
 */
void mdk_iommu_domain_free(struct mdk_iommu_domain *domain)
{
	if (!domain)
		return;
	if (WARN_ON(!list_empty(&domain->attachments)))
		return;
	mdk_pgt_destroy(&domain->pgt);
	mutex_destroy(&domain->map_lock);
	mutex_destroy(&domain->attach_lock);
	kfree(domain);
}
EXPORT_SYMBOL_GPL(mdk_iommu_domain_free);

/**
 * mdk_iommu_map() - map a physically contiguous range
 * @domain: the domain
 * @iova: I/O virtual address, 4 KiB aligned, below 2^48
 * @paddr: physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @prot: MDK_IOMMU_READ and/or MDK_IOMMU_WRITE
 *
 * All or nothing. 2 MiB and 1 GiB leaves are used where @iova, @paddr and
 * @size are aligned for them. Takes @domain's map_lock; concurrent DMA may
 * see the new translations appear, page by page, before this returns.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL (alignment, zero size, bad @prot), -ERANGE (beyond
 * the 48-bit I/O address space or 52-bit physical addresses), -EEXIST
 * (part of the range is already mapped) or -ENOMEM. On error nothing
 * changed.
 */
int mdk_iommu_map(struct mdk_iommu_domain *domain, u64 iova,
		  phys_addr_t paddr, size_t size, int prot)
{
	int ret;

	mutex_lock(&domain->map_lock);
	ret = mdk_pgt_map(&domain->pgt, iova, paddr, size, prot);
	if (ret == -ENOMEM) {
		/* The range was free: clear what got mapped, free tables. */
		write_lock(&domain->xlate_lock);
		mdk_pgt_clear(&domain->pgt, iova, size);
		write_unlock(&domain->xlate_lock);
	}
	mutex_unlock(&domain->map_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_iommu_map);

/**
 * mdk_iommu_unmap() - remove every mapping in a range
 * @domain: the domain
 * @iova: 4 KiB aligned
 * @size: a non-zero multiple of 4 KiB; the range ends by 2^48
 *
 * Unmapped holes in the range are skipped. A large leaf crossing an end
 * of the range is first split so that exactly the range is unmapped; if
 * there is no memory for the split, the whole leaf is unmapped and
 * counted. Page tables left empty are freed. Takes @domain's map_lock,
 * then its translation lock for writing: when this returns, no
 * mdk_iommu_dma_rw() is still accessing the unmapped pages, and the
 * caller may unpin them.
 *
 * Context: process context, may sleep.
 * Return: bytes that were mapped and are not any more; 0 for an invalid
 * range.
 */
size_t mdk_iommu_unmap(struct mdk_iommu_domain *domain, u64 iova,
		       size_t size)
{
	u64 end, done;

	if (!size || ((iova | size) & (MDK_PGT_PAGE_SIZE - 1)) ||
	    check_add_overflow(iova, (u64)size, &end) ||
	    end > (1ULL << MDK_PGT_IOVA_BITS))
		return 0;

	mutex_lock(&domain->map_lock);
	/* Failure is fine: mdk_pgt_clear() then takes the whole leaf. */
	mdk_pgt_split(&domain->pgt, iova);
	mdk_pgt_split(&domain->pgt, end);
	write_lock(&domain->xlate_lock);
	done = mdk_pgt_clear(&domain->pgt, iova, size);
	write_unlock(&domain->xlate_lock);
	mutex_unlock(&domain->map_lock);
	return done;
}
EXPORT_SYMBOL_GPL(mdk_iommu_unmap);

/**
 * mdk_iommu_iova_to_phys() - translate an I/O virtual address
 * @domain: the domain
 * @iova: any address
 * @prot: if not NULL, set to the mapping's MDK_IOMMU_* bits (0 if none)
 *
 * Context: any context (takes the translation lock for reading).
 * Return: the physical address @iova maps to, or 0 when it is unmapped.
 */
phys_addr_t mdk_iommu_iova_to_phys(struct mdk_iommu_domain *domain,
				   u64 iova, int *prot)
{
	u64 paddr = 0;
	int p = 0;

	read_lock(&domain->xlate_lock);
	if (!mdk_pgt_lookup(&domain->pgt, iova, &paddr, &p))
		paddr = 0;
	read_unlock(&domain->xlate_lock);
	if (prot)
		*prot = p;
	return paddr;
}
EXPORT_SYMBOL_GPL(mdk_iommu_iova_to_phys);

/**
 * mdk_iommu_domain_faults() - DMA faults seen through a domain
 * @domain: the domain
 *
 * Counts every mdk_iommu_dma_rw() refused for a PASID attached to
 * @domain (unmapped address or missing permission), since allocation.
 *
 * Context: any context.
 * Return: the count.
 */
u64 mdk_iommu_domain_faults(struct mdk_iommu_domain *domain)
{
	return atomic64_read(&domain->faults);
}
EXPORT_SYMBOL_GPL(mdk_iommu_domain_faults);
