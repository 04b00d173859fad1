// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the I/O page tables (iommu/pgtable.c, built as is
 * against shim.h), run with AddressSanitizer and UBSan: map, translate,
 * all-or-nothing errors, large leaves, splitting, freeing of empty
 * tables (every table allocation is counted), and a randomised
 * comparison against a flat reference model.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pgtable.h"
#include "tap.h"

#define K4	0x1000ULL
#define M2	MDK_PGT_SIZE_2M
#define G1	MDK_PGT_SIZE_1G
#define RW	(MDK_PGT_READ | MDK_PGT_WRITE)
#define RO	MDK_PGT_READ

static long allocs, frees;
static long fail_after = -1;	/* allocations left before one fails */

static u64 *t_alloc(void *cookie)
{
	void *p;

	(void)cookie;
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	p = aligned_alloc(4096, 4096);
	if (!p)
		abort();
	memset(p, 0, 4096);
	allocs++;
	return p;
}

static void t_free(u64 *table, void *cookie)
{
	(void)cookie;
	memset(table, 0xa5, 4096);
	free(table);
	frees++;
}

static u64 t_phys(u64 *table)
{
	return (u64)(uintptr_t)table;
}

static u64 *t_table(u64 phys)
{
	return (u64 *)(uintptr_t)phys;
}

static const struct mdk_pgt_ops ops = {
	.alloc_table = t_alloc,
	.free_table = t_free,
	.table_phys = t_phys,
	.phys_table = t_table,
};

static void setup(struct mdk_pgtable *pgt)
{
	if (mdk_pgt_init(pgt, &ops, NULL))
		tap_bail("mdk_pgt_init");
}

/* Translates to @pa with @prot. */
static bool maps(struct mdk_pgtable *pgt, u64 iova, u64 pa, int prot)
{
	u64 p;
	int pr;

	return mdk_pgt_lookup(pgt, iova, &p, &pr) && p == pa && pr == prot;
}

static bool unmapped(struct mdk_pgtable *pgt, u64 iova)
{
	u64 p;
	int pr;

	return !mdk_pgt_lookup(pgt, iova, &p, &pr);
}

static void test_basic(void)
{
	struct mdk_pgtable pgt;

	setup(&pgt);
	tap_ok(pgt.nr_tables == 1 && unmapped(&pgt, 0),
	       "empty tables: only the root, nothing maps");
	tap_ok(mdk_pgt_map(&pgt, K4, 0x7000, 2 * K4, RW) == 0,
	       "map two 4 KiB pages");
	tap_ok(maps(&pgt, K4 + 0x123, 0x7123, RW) &&
	       maps(&pgt, 2 * K4 + 0xfff, 0x8fff, RW),
	       "translate keeps the offset in the page");
	tap_ok(unmapped(&pgt, 0) && unmapped(&pgt, 3 * K4),
	       "neighbours stay unmapped");
	tap_ok(pgt.nr_tables == 4, "a 4 KiB page needs four tables");
	tap_ok(mdk_pgt_map(&pgt, 0, 0x100000, 3 * K4, RO) == -EEXIST &&
	       unmapped(&pgt, 0) && maps(&pgt, K4, 0x7000, RW) &&
	       pgt.nr_tables == 4, "overlapping map: EEXIST, nothing changed");
	tap_ok(mdk_pgt_map(&pgt, 2 * K4, 0, K4, RO) == -EEXIST,
	       "map of a mapped page: EEXIST");
	tap_ok(mdk_pgt_map(&pgt, 0x10800, 0, K4, RW) == -EINVAL &&
	       mdk_pgt_map(&pgt, 0x10000, 0x800, K4, RW) == -EINVAL &&
	       mdk_pgt_map(&pgt, 0x10000, 0, 0x800, RW) == -EINVAL &&
	       mdk_pgt_map(&pgt, 0x10000, 0, 0, RW) == -EINVAL,
	       "unaligned or empty map: EINVAL");
	tap_ok(mdk_pgt_map(&pgt, 0x10000, 0, K4, 0) == -EINVAL &&
	       mdk_pgt_map(&pgt, 0x10000, 0, K4, 4) == -EINVAL,
	       "map without or with unknown prot: EINVAL");
	tap_ok(mdk_pgt_map(&pgt, (1ULL << 48) - K4, 0, 2 * K4, RW) == -ERANGE &&
	       mdk_pgt_map(&pgt, 1ULL << 48, 0, K4, RW) == -ERANGE &&
	       mdk_pgt_map(&pgt, ~0xfffULL, 0, 2 * K4, RW) == -ERANGE &&
	       mdk_pgt_map(&pgt, 0x10000, (1ULL << 52) - K4, 2 * K4, RW) ==
	       -ERANGE, "map beyond 48-bit IOVA or 52-bit PA: ERANGE");
	tap_ok(pgt.nr_tables == 4, "failed maps allocate nothing");
	tap_ok(mdk_pgt_map(&pgt, (1ULL << 48) - K4, 0x3000, K4, RO) == 0 &&
	       maps(&pgt, (1ULL << 48) - 1, 0x3fff, RO) &&
	       unmapped(&pgt, 1ULL << 48), "last page of the IOVA space");
	tap_ok(mdk_pgt_clear(&pgt, 0, 1ULL << 48) == 3 * K4 &&
	       pgt.nr_tables == 1 && unmapped(&pgt, K4),
	       "clear all: bytes mapped returned, tables freed");
	tap_ok(mdk_pgt_clear(&pgt, 0, 1ULL << 48) == 0,
	       "clear of nothing returns 0");
	mdk_pgt_destroy(&pgt);
}

static void test_large(void)
{
	struct mdk_pgtable pgt;

	setup(&pgt);
	tap_ok(mdk_pgt_map(&pgt, M2, 2 * M2, M2, RW) == 0 &&
	       pgt.nr_tables == 3 && maps(&pgt, M2 + 0x12345, 2 * M2 + 0x12345,
					  RW), "aligned 2 MiB: one leaf");
	tap_ok(mdk_pgt_map(&pgt, G1, 3 * G1, G1, RO) == 0 &&
	       pgt.nr_tables == 3 && maps(&pgt, 2 * G1 - 1, 4 * G1 - 1, RO),
	       "aligned 1 GiB: one leaf in an existing table");
	tap_ok(mdk_pgt_map(&pgt, G1 + M2, 0, K4, RW) == -EEXIST,
	       "map inside a large leaf: EEXIST");
	tap_ok(mdk_pgt_clear(&pgt, M2 + K4, K4) == M2 &&
	       unmapped(&pgt, M2) && pgt.nr_tables == 2,
	       "clear part of an unsplit leaf removes the whole leaf");
	mdk_pgt_clear(&pgt, 0, 1ULL << 48);
	tap_ok(pgt.nr_tables == 1, "large leaves cleared, tables freed");

	/* 4 KiB head, one 2 MiB leaf, 4 KiB tail. */
	tap_ok(mdk_pgt_map(&pgt, 4 * M2 - K4, 8 * M2 - K4, M2 + 2 * K4, RW) ==
	       0 && pgt.nr_tables == 5 &&
	       maps(&pgt, 4 * M2 - K4, 8 * M2 - K4, RW) &&
	       maps(&pgt, 5 * M2 - 1, 9 * M2 - 1, RW) &&
	       maps(&pgt, 5 * M2 + 5, 9 * M2 + 5, RW) &&
	       unmapped(&pgt, 5 * M2 + K4) && unmapped(&pgt, 4 * M2 - 2 * K4),
	       "unaligned range: 4 KiB edges around a 2 MiB leaf");
	mdk_pgt_clear(&pgt, 0, 1ULL << 48);
	tap_ok(mdk_pgt_map(&pgt, M2, K4, M2, RW) == 0 &&
	       pgt.nr_tables == 4 && maps(&pgt, 2 * M2 - K4, M2, RW),
	       "IOVA aligned but PA not: 4 KiB pages");
	mdk_pgt_clear(&pgt, 0, 1ULL << 48);

	tap_ok(mdk_pgt_map(&pgt, G1, G1, G1, RW) == 0 &&
	       mdk_pgt_split(&pgt, G1 + M2 + K4) == 0 && pgt.nr_tables == 4,
	       "split inside a 1 GiB leaf: two new tables");
	tap_ok(maps(&pgt, G1, G1, RW) && maps(&pgt, G1 + M2, G1 + M2, RW) &&
	       maps(&pgt, G1 + M2 + K4 + 5, G1 + M2 + K4 + 5, RW) &&
	       maps(&pgt, 2 * G1 - 1, 2 * G1 - 1, RW),
	       "split keeps every translation");
	tap_ok(mdk_pgt_split(&pgt, G1 + 2 * M2) == 0 && pgt.nr_tables == 4,
	       "split at a leaf boundary changes nothing");
	tap_ok(mdk_pgt_clear(&pgt, G1 + M2 + K4, K4) == K4 &&
	       unmapped(&pgt, G1 + M2 + K4) && maps(&pgt, G1 + M2, G1 + M2, RW) &&
	       maps(&pgt, G1 + M2 + 2 * K4, G1 + M2 + 2 * K4, RW),
	       "clear after split removes exactly the page");
	fail_after = 0;
	tap_ok(mdk_pgt_split(&pgt, G1 + 5 * M2 + K4) == -ENOMEM &&
	       maps(&pgt, G1 + 5 * M2 + K4, G1 + 5 * M2 + K4, RW),
	       "split without memory: ENOMEM, translations unchanged");
	fail_after = -1;
	tap_ok(mdk_pgt_clear(&pgt, 0, 1ULL << 48) == G1 - K4 &&
	       pgt.nr_tables == 1, "clear a split leaf: all tables freed");
	mdk_pgt_destroy(&pgt);
}

static void test_enomem(void)
{
	struct mdk_pgtable pgt;

	setup(&pgt);
	mdk_pgt_map(&pgt, 0, 0, K4, RO);
	fail_after = 3;
	tap_ok(mdk_pgt_map(&pgt, G1 - 2 * K4, 0, 8 * M2, RW) == -ENOMEM &&
	       maps(&pgt, G1, 2 * K4, RW),
	       "map without memory: ENOMEM, partly mapped");
	fail_after = -1;
	mdk_pgt_clear(&pgt, G1 - 2 * K4, 8 * M2);
	tap_ok(pgt.nr_tables == 4 && maps(&pgt, 0, 0, RO) &&
	       unmapped(&pgt, G1 - 2 * K4) && unmapped(&pgt, G1),
	       "caller's clear undoes a partial map, frees its tables");
	mdk_pgt_destroy(&pgt);
}

/* Random maps and clears against a flat model of 64 MiB of IOVA. */
#define MODEL_PAGES	(64 * 256)
static u64 model[MODEL_PAGES];	/* PA + 1, 0 when unmapped */

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

static void test_random(void)
{
	unsigned int i, j, errors = 0, maps_ok = 0, eexist = 0;
	struct mdk_pgtable pgt;
	u64 cleared = 0;

	srandom(1);
	setup(&pgt);
	memset(model, 0, sizeof(model));
	for (i = 0; i < 4000 && !errors; i++) {
		unsigned int first = rnd(MODEL_PAGES), n;
		bool big = rnd(3) == 0;
		u64 pa;

		if (big)
			first &= ~511U;
		n = big ? 512 * (1 + rnd(3)) + rnd(2) : 1 + rnd(40);
		if (first + n > MODEL_PAGES)
			n = MODEL_PAGES - first;
		if (rnd(3)) {
			bool busy = false;
			int ret;

			pa = (big ? (u64)rnd(1 << 10) * M2 + first % 512 * K4
			      : (u64)rnd(1 << 20) * K4) + (1ULL << 40);
			for (j = 0; j < n; j++)
				busy |= model[first + j] != 0;
			ret = mdk_pgt_map(&pgt, first * K4, pa, n * K4, RW);
			if (ret != (busy ? -EEXIST : 0))
				errors++;
			if (!ret) {
				maps_ok++;
				for (j = 0; j < n; j++)
					model[first + j] = pa + j * K4 + 1;
			} else {
				eexist++;
			}
		} else {
			u64 want = 0;

			for (j = 0; j < n; j++) {
				want += model[first + j] ? K4 : 0;
				model[first + j] = 0;
			}
			mdk_pgt_split(&pgt, first * K4);
			mdk_pgt_split(&pgt, (first + n) * K4);
			if (mdk_pgt_clear(&pgt, first * K4, n * K4) != want)
				errors++;
			cleared += want;
		}
		for (j = 0; j < 64; j++) {
			unsigned int p = rnd(MODEL_PAGES);
			u64 got;
			int prot;
			bool m = mdk_pgt_lookup(&pgt, p * K4 + 8, &got, &prot);

			if (m != (model[p] != 0) ||
			    (m && got != model[p] - 1 + 8))
				errors++;
		}
	}
	for (j = 0; j < MODEL_PAGES; j++) {
		u64 got;
		int prot;
		bool m = mdk_pgt_lookup(&pgt, j * K4, &got, &prot);

		if (m != (model[j] != 0) || (m && got != model[j] - 1))
			errors++;
	}
	tap_ok(!errors && maps_ok > 100 && eexist > 100 && cleared,
	       "random maps/clears agree with a flat model (%u maps, %u EEXIST)",
	       maps_ok, eexist);
	mdk_pgt_clear(&pgt, 0, 1ULL << 48);
	tap_ok(pgt.nr_tables == 1, "random: everything cleared, tables freed");
	mdk_pgt_destroy(&pgt);
}

static void test_destroy(void)
{
	struct mdk_pgtable pgt;

	setup(&pgt);
	mdk_pgt_map(&pgt, 0x1234000, 0, 3 * M2, RW);
	mdk_pgt_map(&pgt, 5 * G1, 5 * G1, G1, RW);
	mdk_pgt_map(&pgt, 0xabcdef000000ULL, 0, 16 * K4, RO);
	mdk_pgt_destroy(&pgt);
	tap_ok(allocs == frees, "every table allocated was freed (%ld)",
	       allocs);
}

int main(void)
{
	tap_init("iommu");
	test_basic();
	test_large();
	test_enomem();
	test_random();
	test_destroy();
	return tap_done();
}
