/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel names iommu/pgtable.c uses, for building it in userspace
 * (host unit tests).
 */
#ifndef _MDK_IOMMU_TEST_SHIM_H
#define _MDK_IOMMU_TEST_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))

#endif /* _MDK_IOMMU_TEST_SHIM_H */
