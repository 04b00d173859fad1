// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O page tables: map, split, clear and look up (format in pgtable.h).
 *
 * Built into mdk_iommu.ko and, unchanged, into the host unit tests.
 */
#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <asm/barrier.h>
#endif
#include "pgtable.h"

#define PTE_PRESENT	BIT_ULL(0)
#define PTE_READ	BIT_ULL(1)
#define PTE_WRITE	BIT_ULL(2)
#define PTE_LEAF	BIT_ULL(7)	/* maps a page (always so at level 0) */
#define PTE_ADDR_MASK	GENMASK_ULL(MDK_PGT_PADDR_BITS - 1, MDK_PGT_PAGE_SHIFT)
#define PTES_PER_TABLE	512
#define ROOT_LEVEL	(MDK_PGT_LEVELS - 1)
#define IOVA_LIMIT	BIT_ULL(MDK_PGT_IOVA_BITS)
#define PADDR_LIMIT	BIT_ULL(MDK_PGT_PADDR_BITS)

static inline unsigned int lvl_shift(int lvl)
{
	return MDK_PGT_PAGE_SHIFT + 9 * lvl;
}

static inline u64 lvl_size(int lvl)
{
	return 1ULL << lvl_shift(lvl);
}

static inline unsigned int lvl_index(u64 iova, int lvl)
{
	return (iova >> lvl_shift(lvl)) & (PTES_PER_TABLE - 1);
}

static inline u64 *next_table(struct mdk_pgtable *pgt, u64 pte)
{
	return pgt->ops->phys_table(pte & PTE_ADDR_MASK);
}

static u64 *table_alloc(struct mdk_pgtable *pgt)
{
	u64 *table = pgt->ops->alloc_table(pgt->cookie);

	if (table)
		pgt->nr_tables++;
	return table;
}

static void table_free(struct mdk_pgtable *pgt, u64 *table)
{
	pgt->ops->free_table(table, pgt->cookie);
	pgt->nr_tables--;
}

/* Make @table (initialised) visible to lookups through @slot. */
static void table_publish(struct mdk_pgtable *pgt, u64 *slot, u64 *table)
{
	/* Pairs with the address dependency of lookups (READ_ONCE). */
	smp_wmb();
	WRITE_ONCE(*slot, pgt->ops->table_phys(table) | PTE_PRESENT);
}

static bool table_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < PTES_PER_TABLE; i++)
		if (table[i])
			return false;
	return true;
}

/**
 * mdk_pgt_init() - allocate the root of an empty address space
 * @pgt: the page tables to set up
 * @ops: where tables come from
 * @cookie: for @ops
 *
 * Return: 0 or -ENOMEM.
 */
int mdk_pgt_init(struct mdk_pgtable *pgt, const struct mdk_pgt_ops *ops,
		 void *cookie)
{
	pgt->ops = ops;
	pgt->cookie = cookie;
	pgt->nr_tables = 0;
	pgt->root = table_alloc(pgt);
	return pgt->root ? 0 : -ENOMEM;
}

static void free_tree(struct mdk_pgtable *pgt, u64 *table, int lvl)
{
	unsigned int i;

	for (i = 0; lvl > 0 && i < PTES_PER_TABLE; i++) {
		u64 pte = table[i];

		if ((pte & PTE_PRESENT) && !(pte & PTE_LEAF))
			free_tree(pgt, next_table(pgt, pte), lvl - 1);
	}
	table_free(pgt, table);
}

/**
 * mdk_pgt_destroy() - free every table, mappings or not
 * @pgt: page tables from mdk_pgt_init()
 */
void mdk_pgt_destroy(struct mdk_pgtable *pgt)
{
	free_tree(pgt, pgt->root, ROOT_LEVEL);
	pgt->root = NULL;
}

static int check_map(u64 iova, u64 paddr, u64 size, int prot)
{
	u64 end;

	if (!size || ((iova | paddr | size) & (MDK_PGT_PAGE_SIZE - 1)))
		return -EINVAL;
	if (!prot || (prot & ~(MDK_PGT_READ | MDK_PGT_WRITE)))
		return -EINVAL;
	if (check_add_overflow(iova, size, &end) || end > IOVA_LIMIT)
		return -ERANGE;
	if (check_add_overflow(paddr, size, &end) || end > PADDR_LIMIT)
		return -ERANGE;
	return 0;
}

/* -EEXIST if anything in [iova, end) of @table (at @lvl) is mapped. */
static int range_free(struct mdk_pgtable *pgt, u64 *table, int lvl,
		      u64 iova, u64 end)
{
	while (iova < end) {
		u64 pte = READ_ONCE(table[lvl_index(iova, lvl)]);
		u64 next = (iova | (lvl_size(lvl) - 1)) + 1;

		if (pte & PTE_PRESENT) {
			if (pte & PTE_LEAF)
				return -EEXIST;
			if (range_free(pgt, next_table(pgt, pte), lvl - 1,
				       iova, min(next, end)))
				return -EEXIST;
		}
		iova = next;
	}
	return 0;
}

/* The largest leaf level usable for the start of [iova, iova + size). */
static int leaf_level(u64 iova, u64 paddr, u64 size)
{
	int lvl;

	for (lvl = 2; lvl > 0; lvl--) {
		u64 sz = lvl_size(lvl);

		if (!((iova | paddr) & (sz - 1)) && size >= sz)
			return lvl;
	}
	return 0;
}

static u64 prot_bits(int prot)
{
	return (prot & MDK_PGT_READ ? PTE_READ : 0) |
	       (prot & MDK_PGT_WRITE ? PTE_WRITE : 0);
}

/**
 * mdk_pgt_map() - map [iova, iova + size) to [paddr, paddr + size)
 * @pgt: the page tables
 * @iova: first I/O virtual address, 4 KiB aligned
 * @paddr: first physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @prot: MDK_PGT_READ and/or MDK_PGT_WRITE
 *
 * Uses 1 GiB and 2 MiB leaves wherever @iova, @paddr and the remaining
 * size allow, 4 KiB pages elsewhere.
 *
 * Return: 0; -EINVAL (alignment, empty, bad @prot), -ERANGE (beyond the
 * 48-bit IOVA space or 52-bit physical space), -EEXIST (part of the range
 * is mapped): in these cases nothing changed. -ENOMEM (no memory for a
 * table): part of the range may be mapped; the caller must undo it with
 * mdk_pgt_clear() on the whole range (which the call found free).
 */
int mdk_pgt_map(struct mdk_pgtable *pgt, u64 iova, u64 paddr, u64 size,
		int prot)
{
	u64 flags = PTE_PRESENT | PTE_LEAF | prot_bits(prot);
	int ret;

	ret = check_map(iova, paddr, size, prot);
	if (ret)
		return ret;
	if (range_free(pgt, pgt->root, ROOT_LEVEL, iova, iova + size))
		return -EEXIST;

	while (size) {
		int lvl = leaf_level(iova, paddr, size);
		u64 *table = pgt->root;
		u64 *slot;
		int l;

		for (l = ROOT_LEVEL; l > lvl; l--) {
			u64 pte;

			slot = &table[lvl_index(iova, l)];
			pte = READ_ONCE(*slot);
			if (!(pte & PTE_PRESENT)) {
				u64 *new = table_alloc(pgt);

				if (!new)
					return -ENOMEM;
				table_publish(pgt, slot, new);
				table = new;
				continue;
			}
			if (pte & PTE_LEAF)	/* range_free() saw none */
				return -EEXIST;
			table = next_table(pgt, pte);
		}
		slot = &table[lvl_index(iova, lvl)];
		if (READ_ONCE(*slot) & PTE_PRESENT)
			return -EEXIST;
		WRITE_ONCE(*slot, paddr | flags);
		iova += lvl_size(lvl);
		paddr += lvl_size(lvl);
		size -= lvl_size(lvl);
	}
	return 0;
}

/**
 * mdk_pgt_split() - make @iova a leaf boundary
 * @pgt: the page tables
 * @iova: a 4 KiB aligned address
 *
 * If @iova lies inside a 1 GiB or 2 MiB leaf, replace the leaf by a table
 * of smaller leaves mapping the same pages with the same protection
 * (twice for a 1 GiB leaf if needed), so that a later mdk_pgt_clear()
 * starting or ending at @iova removes exactly what was asked.
 * Translations do not change: lookups may run concurrently.
 *
 * Return: 0, or -ENOMEM (nothing changed at the level that failed).
 */
int mdk_pgt_split(struct mdk_pgtable *pgt, u64 iova)
{
	u64 *table = pgt->root;
	int lvl;

	if (iova >= IOVA_LIMIT)
		return 0;
	for (lvl = ROOT_LEVEL; lvl > 0; lvl--) {
		u64 *slot = &table[lvl_index(iova, lvl)];
		u64 pte = READ_ONCE(*slot);

		if (!(pte & PTE_PRESENT))
			return 0;
		if (pte & PTE_LEAF) {
			u64 base = pte & PTE_ADDR_MASK;
			u64 keep = pte & ~PTE_ADDR_MASK;
			unsigned int i;
			u64 *new;

			if (!(iova & (lvl_size(lvl) - 1)))
				return 0;
			new = table_alloc(pgt);
			if (!new)
				return -ENOMEM;
			for (i = 0; i < PTES_PER_TABLE; i++)
				new[i] = (base + i * lvl_size(lvl - 1)) | keep;
			table_publish(pgt, slot, new);
			table = new;
			continue;
		}
		table = next_table(pgt, pte);
	}
	return 0;
}

static u64 clear(struct mdk_pgtable *pgt, u64 *table, int lvl, u64 iova,
		 u64 end)
{
	u64 n = 0;
	u64 next;

	for (; iova < end; iova = next) {
		u64 *slot = &table[lvl_index(iova, lvl)];
		u64 pte = *slot;
		u64 *child;

		next = (iova | (lvl_size(lvl) - 1)) + 1;
		if (!(pte & PTE_PRESENT))
			continue;
		if (pte & PTE_LEAF) {
			WRITE_ONCE(*slot, 0);
			n += lvl_size(lvl);
			continue;
		}
		child = next_table(pgt, pte);
		n += clear(pgt, child, lvl - 1, iova, min(next, end));
		if (table_empty(child)) {
			WRITE_ONCE(*slot, 0);
			table_free(pgt, child);
		}
	}
	return n;
}

/**
 * mdk_pgt_clear() - unmap everything in [iova, iova + size)
 * @pgt: the page tables
 * @iova: 4 KiB aligned
 * @size: a multiple of 4 KiB; the range must end by 2^48
 *
 * Holes are skipped. A 1 GiB or 2 MiB leaf partly inside the range is
 * removed whole (call mdk_pgt_split() on both ends first to avoid that).
 * Tables left empty are freed, so lookups must be excluded.
 *
 * Return: the bytes that were mapped and no longer are (whole leaves).
 */
u64 mdk_pgt_clear(struct mdk_pgtable *pgt, u64 iova, u64 size)
{
	return clear(pgt, pgt->root, ROOT_LEVEL, iova, iova + size);
}

/**
 * mdk_pgt_lookup() - translate an I/O virtual address
 * @pgt: the page tables
 * @iova: any address
 * @paddr: the physical address it maps to, when mapped
 * @prot: MDK_PGT_READ/WRITE of the mapping, when mapped
 *
 * Return: whether @iova is mapped.
 */
bool mdk_pgt_lookup(struct mdk_pgtable *pgt, u64 iova, u64 *paddr,
		    int *prot)
{
	u64 *table = pgt->root;
	int lvl;

	if (iova >= IOVA_LIMIT)
		return false;
	for (lvl = ROOT_LEVEL; lvl >= 0; lvl--) {
		u64 pte = READ_ONCE(table[lvl_index(iova, lvl)]);

		if (!(pte & PTE_PRESENT))
			return false;
		if (pte & PTE_LEAF) {
			*paddr = (pte & PTE_ADDR_MASK) |
				 (iova & (lvl_size(lvl) - 1));
			*prot = (pte & PTE_READ ? MDK_PGT_READ : 0) |
				(pte & PTE_WRITE ? MDK_PGT_WRITE : 0);
			return true;
		}
		table = next_table(pgt, pte);
	}
	return false;
}
