/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference mdevkit meets, in one place.
 *
 * The logic of the framework never tests LINUX_VERSION_CODE: it calls the
 * helpers below, which take the 6.1 shape and map it onto newer kernels.
 * Supported: Debian 12's 6.1 and 6.12 kernels.
 */
#ifndef _MDEVKIT_COMPAT_H
#define _MDEVKIT_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/mm.h>

/* eventfd_signal() lost its count argument in 6.8. */
static inline void mdk_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define mdk_class_create(name)	class_create(name)
#else
#define mdk_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* Bus callbacks take const pointers from 6.2 (uevent) and 6.11 (match). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define MDK_BUS_MATCH_CONST const
#else
#define MDK_BUS_MATCH_CONST
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define MDK_UEVENT_CONST const
#else
#define MDK_UEVENT_CONST
#endif

/* struct class's devnode() takes a const device from 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define MDK_DEVNODE_CONST const
#else
#define MDK_DEVNODE_CONST
#endif

/* pin_user_pages_remote() lost its vmas argument in 6.5. */
static inline long mdk_pin_user_pages_remote(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long nr_pages,
					     unsigned int gup_flags,
					     struct page **pages,
					     int *locked)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     locked);
#else
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, locked);
#endif
}

/* vma->vm_flags became read-only in 6.3. */
static inline void mdk_vm_flags_set(struct vm_area_struct *vma,
				    unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _MDEVKIT_COMPAT_H */
