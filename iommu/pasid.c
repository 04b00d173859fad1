// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PASID allocator: one system-wide space of 20-bit PASIDs, handed
 * out lowest-first to owners that each have a quota, with an O(1) lookup
 * from PASID to the owner's private pointer.
 */
#include <linux/bug.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "iommu.h"

/**
 * struct mdk_pasid - one allocated PASID
 * @owner: who holds it
 * @private: what mdk_pasid_find() returns
 * @rcu: freed after a grace period, for lockless lookups
 */
struct mdk_pasid {
	struct mdk_pasid_owner *owner;
	void *private;
	struct rcu_head rcu;
};

/*
 * PASID -> struct mdk_pasid. Its xa_lock also protects the count of
 * every struct mdk_pasid_owner. Lookups are lockless (RCU).
 */
static DEFINE_XARRAY_ALLOC(mdk_pasids);

/**
 * mdk_pasid_alloc() - allocate the lowest free PASID in [@min, @max]
 * @owner: charged for it (its quota applies)
 * @min: lowest acceptable PASID, at least MDK_PASID_MIN
 * @max: highest acceptable PASID, at most MDK_PASID_MAX
 * @private: returned by mdk_pasid_find() for this PASID
 *
 * Freed PASIDs are reused.
 *
 * Context: process context, may sleep.
 * Return: the PASID; -EINVAL (bad range), -EDQUOT (@owner holds its quota),
 * -ENOSPC (every PASID in the range is taken) or -ENOMEM.
 */
int mdk_pasid_alloc(struct mdk_pasid_owner *owner, u32 min, u32 max,
		    void *private)
{
	struct mdk_pasid *p;
	u32 id;
	int ret;

	if (min < MDK_PASID_MIN || min > max || max > MDK_PASID_MAX)
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->owner = owner;
	p->private = private;

	xa_lock(&mdk_pasids);
	if (owner->quota && owner->count >= owner->quota) {
		ret = -EDQUOT;
		goto out_unlock;
	}
	/* Charge first: __xa_alloc() may drop the lock to allocate. */
	owner->count++;
	ret = __xa_alloc(&mdk_pasids, &id, p, XA_LIMIT(min, max), GFP_KERNEL);
	if (ret) {
		owner->count--;
		if (ret == -EBUSY)
			ret = -ENOSPC;
	}
out_unlock:
	xa_unlock(&mdk_pasids);
	if (ret) {
		kfree(p);
		return ret;
	}
	return id;
}
EXPORT_SYMBOL_GPL(mdk_pasid_alloc);

/**
 * mdk_pasid_free() - give back a PASID
 * @owner: the owner it was allocated to
 * @pasid: from mdk_pasid_alloc()
 *
 * A PASID that is not allocated to @owner is a caller bug: it warns once
 * and changes nothing.
 *
 * Context: any context that may take a spinlock.
 */
void mdk_pasid_free(struct mdk_pasid_owner *owner, u32 pasid)
{
	struct mdk_pasid *p;

	xa_lock(&mdk_pasids);
	p = xa_load(&mdk_pasids, pasid);
	if (WARN_ON_ONCE(!p || p->owner != owner)) {
		xa_unlock(&mdk_pasids);
		return;
	}
	__xa_erase(&mdk_pasids, pasid);
	owner->count--;
	xa_unlock(&mdk_pasids);
	kfree_rcu(p, rcu);
}
EXPORT_SYMBOL_GPL(mdk_pasid_free);

/**
 * mdk_pasid_find() - the private pointer of an allocated PASID
 * @pasid: any value
 *
 * Lockless and O(1) (a radix-tree lookup under RCU); safe against a
 * concurrent mdk_pasid_free(), which then either has or has not happened.
 * The allocator does not keep the pointed-to object alive: the caller
 * must know it is (e.g. by holding the lock its owner frees it under).
 *
 * Context: any context.
 * Return: the @private given to mdk_pasid_alloc(), or NULL when @pasid is
 * not allocated.
 */
void *mdk_pasid_find(u32 pasid)
{
	struct mdk_pasid *p;
	void *private = NULL;

	rcu_read_lock();
	p = xa_load(&mdk_pasids, pasid);
	if (p)
		private = p->private;
	rcu_read_unlock();
	return private;
}
EXPORT_SYMBOL_GPL(mdk_pasid_find);

/* Module unload: every PASID must have been freed by its owner. */
void mdk_pasid_exit(void)
{
	WARN_ON(!xa_empty(&mdk_pasids));
	xa_destroy(&mdk_pasids);
}
