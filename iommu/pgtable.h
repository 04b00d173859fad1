/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * I/O page tables of the software IOMMU: the core algorithm, free of
 * locks and of kernel-only calls, so that iommu/tests/ builds it in
 * userspace (the shim there provides the few kernel names it uses).
 *
 * Format: 4 levels of 512 eight-byte entries, 4 KiB granule, 48-bit IOVA,
 * as x86-64/VT-d second-level tables. Level 3 is the root (IOVA bits
 * 47..39), level 0 maps 4 KiB pages (bits 20..12). Levels 1 and 2 may hold
 * leaves too: 2 MiB and 1 GiB pages, used when IOVA, physical address and
 * size allow it. An entry holds the physical address of the next table or
 * of the page (bits 51..12) and the flags below.
 *
 * Concurrency (enforced by the caller, iommu/domain.c): one modifier at a
 * time; lookups may run concurrently with mdk_pgt_map() and
 * mdk_pgt_split() (entries are published with WRITE_ONCE after the table
 * they point to is initialised), but not with mdk_pgt_clear(), which
 * frees tables.
 */
#ifndef _MDK_IOMMU_PGTABLE_H
#define _MDK_IOMMU_PGTABLE_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include "shim.h"
#endif

#define MDK_PGT_LEVELS		4
#define MDK_PGT_PAGE_SHIFT	12
#define MDK_PGT_PAGE_SIZE	BIT_ULL(MDK_PGT_PAGE_SHIFT)
#define MDK_PGT_IOVA_BITS	48
#define MDK_PGT_PADDR_BITS	52
#define MDK_PGT_SIZE_2M		BIT_ULL(21)
#define MDK_PGT_SIZE_1G		BIT_ULL(30)

/* Protection bits, equal to MDK_IOMMU_READ and MDK_IOMMU_WRITE. */
#define MDK_PGT_READ		BIT(0)
#define MDK_PGT_WRITE		BIT(1)

/**
 * struct mdk_pgt_ops - how the page tables get their memory
 * @alloc_table: a zeroed, 4 KiB-aligned 4 KiB table, or NULL
 * @free_table: give back a table from @alloc_table
 * @table_phys: the physical address of a table (what an entry holds)
 * @phys_table: the table at a physical address from @table_phys
 */
struct mdk_pgt_ops {
	u64 *(*alloc_table)(void *cookie);
	void (*free_table)(u64 *table, void *cookie);
	u64 (*table_phys)(u64 *table);
	u64 *(*phys_table)(u64 phys);
};

/**
 * struct mdk_pgtable - one I/O address space
 * @root: the level-3 table, allocated for the whole life of the tables
 * @ops: memory for tables
 * @cookie: passed to @ops
 * @nr_tables: tables currently allocated, @root included
 */
struct mdk_pgtable {
	u64 *root;
	const struct mdk_pgt_ops *ops;
	void *cookie;
	unsigned long nr_tables;
};

int mdk_pgt_init(struct mdk_pgtable *pgt, const struct mdk_pgt_ops *ops,
		 void *cookie);
void mdk_pgt_destroy(struct mdk_pgtable *pgt);
int mdk_pgt_map(struct mdk_pgtable *pgt, u64 iova, u64 paddr, u64 size,
		int prot);
int mdk_pgt_split(struct mdk_pgtable *pgt, u64 iova);
u64 mdk_pgt_clear(struct mdk_pgtable *pgt, u64 iova, u64 size);
bool mdk_pgt_lookup(struct mdk_pgtable *pgt, u64 iova, u64 *paddr,
		    int *prot);

#endif /* _MDK_IOMMU_PGTABLE_H */
