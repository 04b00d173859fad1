/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private interface between the two halves of the type1 backend: type1.c
 * (mappings, vendor pinning, dma_rw, the container ioctls) and type1_aux.c
 * (the mirroring of the mappings into per-group auxiliary IOMMU domains).
 *
 * Locking (see struct mdk_type1): @devices_lock is taken before @lock and
 * never while holding it, because the vendor's ops->dma_unmap, called with
 * @devices_lock held, unpins through pin/unpin_pages, which take @lock.
 * No vendor code is ever called with @lock held. @lock nests outside
 * mmap_lock of the mappings' address spaces (GUP and locked_vm accounting).
 */
#ifndef _MDK_VFIO_TYPE1_H
#define _MDK_VFIO_TYPE1_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include "vfio.h"

struct mm_struct;
struct page;
struct task_struct;

/**
 * struct mdk_type1_dma - one user mapping (VFIO_IOMMU_MAP_DMA)
 * @node: link in &mdk_type1.dmas, ordered by @iova
 * @iova: first IOVA of the mapping
 * @size: its length in bytes, a multiple of PAGE_SIZE
 * @vaddr: the user address backing @iova in @mm
 * @prot: IOMMU_READ | IOMMU_WRITE, from the device's point of view
 * @lock_cap: @task had CAP_IPC_LOCK at map time (no RLIMIT_MEMLOCK)
 * @task: the mapping process's group leader (for RLIMIT_MEMLOCK)
 * @mm: its address space (mmgrab'ed; mmget_not_zero() before use)
 * @pins: page index within the mapping -> struct mdk_type1_pin
 * @npinned: entries in @pins, all charged to @mm->locked_vm
 * @aux_pages: while the container has auxiliary domains, every page of
 *	the mapping, pinned and charged once, mapped into each domain; else
 *	NULL
 *
 * Every field is protected by &mdk_type1.lock.
 */
struct mdk_type1_dma {
	struct rb_node node;
	u64 iova;
	u64 size;
	unsigned long vaddr;
	int prot;
	bool lock_cap;
	struct task_struct *task;
	struct mm_struct *mm;
	struct xarray pins;
	unsigned long npinned;
	struct page **aux_pages;
};

/**
 * struct mdk_type1 - the backend state of one container
 * @lock: protects @dmas, @dma_avail, @aux and every mapping in @dmas
 * @dmas: the mappings (struct mdk_type1_dma), keyed by IOVA
 * @dma_avail: mappings that may still be created
 * @aux: the auxiliary domains (struct mdk_type1_aux, type1_aux.c)
 * @v2: VFIO_TYPE1v2_IOMMU semantics (else VFIO_TYPE1_IOMMU)
 * @devices_lock: protects @devices; held while calling ops->dma_unmap so
 *	that a device cannot unregister meanwhile. Taken before @lock.
 * @devices: open devices with an ops->dma_unmap (vdev->iommu_entry)
 */
struct mdk_type1 {
	struct mutex lock;	/* @dmas, @dma_avail, @aux, the mappings */
	struct rb_root dmas;
	unsigned int dma_avail;
	struct list_head aux;
	bool v2;
	struct mutex devices_lock;	/* @devices; taken before @lock */
	struct list_head devices;
};

/* type1.c */
int mdk_type1_lock_acct(struct mdk_type1_dma *dma, long npage);

/* type1_aux.c; all but the group and pasid calls need &mdk_type1.lock */
int mdk_type1_aux_add_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma);
void mdk_type1_aux_remove_dma(struct mdk_type1 *t, struct mdk_type1_dma *dma);
u64 mdk_type1_aux_iova_last(struct mdk_type1 *t);
int mdk_type1_aux_attach_group(struct mdk_type1 *t,
			       struct mdk_vfio_group *group);
void mdk_type1_aux_detach_group(struct mdk_type1 *t,
				struct mdk_vfio_group *group);
int mdk_type1_aux_device_pasid(void *data, struct mdk_vfio_device *vdev);

#endif /* _MDK_VFIO_TYPE1_H */
