// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel self-test of what needs the kernel to run: the PASID
 * allocator (xarray), domains, devices, aux attach/detach and the DMA
 * path. The page-table algorithm itself is also tested on the host
 * (iommu/tests/). Run through the module parameter "selftest" (main.c).
 *
 * It uses PASIDs at the top of the space, which users (allocating
 * lowest-first) do not reach in practice; everything it creates is
 * destroyed before it returns, whatever fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": selftest: " fmt

#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "iommu.h"

#define ST_BASE		(MDK_PASID_MAX - 15)

struct st {
	unsigned int passed;
	unsigned int failed;
	struct mdk_iommu_fault last;
	unsigned int nr_faults;
};

static void st_check(struct st *st, bool cond, const char *name)
{
	if (cond) {
		st->passed++;
	} else {
		st->failed++;
		pr_err("FAILED: %s\n", name);
	}
}

#define CHECK(cond, name)	st_check(st, (cond), (name))

static void st_pasid(struct st *st)
{
	struct mdk_pasid_owner free_owner = { .name = "selftest" };
	struct mdk_pasid_owner small = { .name = "selftest-q2", .quota = 2 };
	int a, b, c, d;

	CHECK(mdk_pasid_alloc(&free_owner, 0, 5, NULL) == -EINVAL,
	      "pasid: min 0 is EINVAL");
	CHECK(mdk_pasid_alloc(&free_owner, 6, 5, NULL) == -EINVAL,
	      "pasid: min > max is EINVAL");
	CHECK(mdk_pasid_alloc(&free_owner, 1, MDK_PASID_MAX + 1, NULL) ==
	      -EINVAL, "pasid: max beyond 20 bits is EINVAL");

	a = mdk_pasid_alloc(&free_owner, ST_BASE, ST_BASE + 3, &a);
	b = mdk_pasid_alloc(&free_owner, ST_BASE, ST_BASE + 3, &b);
	CHECK(a == ST_BASE && b == ST_BASE + 1, "pasid: lowest free first");
	CHECK(free_owner.count == 2, "pasid: owner count");
	CHECK(mdk_pasid_find(ST_BASE + 1) == &b, "pasid: find");
	if (a > 0)
		mdk_pasid_free(&free_owner, a);
	CHECK(!mdk_pasid_find(ST_BASE), "pasid: find after free is NULL");
	c = mdk_pasid_alloc(&free_owner, ST_BASE, ST_BASE + 3, &c);
	CHECK(c == ST_BASE, "pasid: freed PASID reused");
	d = mdk_pasid_alloc(&free_owner, ST_BASE + 8, ST_BASE + 8, NULL);
	CHECK(d == ST_BASE + 8, "pasid: one-PASID range");
	CHECK(mdk_pasid_alloc(&free_owner, ST_BASE + 8, ST_BASE + 8, NULL) ==
	      -ENOSPC, "pasid: exhausted range is ENOSPC");
	CHECK(!mdk_pasid_find(ST_BASE + 8), "pasid: NULL private found NULL");
	if (b > 0)
		mdk_pasid_free(&free_owner, b);
	if (c > 0)
		mdk_pasid_free(&free_owner, c);
	if (d > 0)
		mdk_pasid_free(&free_owner, d);
	CHECK(free_owner.count == 0, "pasid: owner count back to 0");

	a = mdk_pasid_alloc(&small, ST_BASE, MDK_PASID_MAX, NULL);
	b = mdk_pasid_alloc(&small, ST_BASE, MDK_PASID_MAX, NULL);
	c = mdk_pasid_alloc(&small, ST_BASE, MDK_PASID_MAX, NULL);
	CHECK(a > 0 && b > 0 && c == -EDQUOT, "pasid: quota is EDQUOT");
	if (a > 0)
		mdk_pasid_free(&small, a);
	c = mdk_pasid_alloc(&small, ST_BASE, MDK_PASID_MAX, NULL);
	CHECK(c == a, "pasid: room under quota after a free");
	if (b > 0)
		mdk_pasid_free(&small, b);
	if (c > 0)
		mdk_pasid_free(&small, c);
	CHECK(small.count == 0, "pasid: quota owner count back to 0");
}

static void st_domain(struct st *st)
{
	struct mdk_iommu_domain *d = mdk_iommu_domain_alloc();
	const u64 g1 = 1ULL << 30, m2 = 2ULL << 20;
	int prot;

	CHECK(d, "domain: alloc");
	if (!d)
		return;
	CHECK(!mdk_iommu_map(d, 0x1000, 0x5000, 0x2000, MDK_IOMMU_READ),
	      "domain: map");
	CHECK(mdk_iommu_iova_to_phys(d, 0x2345, &prot) == 0x6345 &&
	      prot == MDK_IOMMU_READ, "domain: iova_to_phys and prot");
	CHECK(mdk_iommu_map(d, 0, 0x9000, 0x3000, MDK_IOMMU_READ) == -EEXIST,
	      "domain: overlapping map is EEXIST");
	CHECK(!mdk_iommu_iova_to_phys(d, 0, &prot) && !prot,
	      "domain: failed map changed nothing");
	CHECK(mdk_iommu_map(d, 0x10800, 0, 0x1000, MDK_IOMMU_READ) == -EINVAL,
	      "domain: unaligned map is EINVAL");
	CHECK(mdk_iommu_map(d, (1ULL << 48) - 0x1000, 0, 0x2000,
			    MDK_IOMMU_READ) == -ERANGE,
	      "domain: map beyond 48 bits is ERANGE");
	CHECK(mdk_iommu_map(d, 0x40000, 0, 0x1000, 0) == -EINVAL,
	      "domain: map without prot is EINVAL");
	CHECK(mdk_iommu_unmap(d, 0, 0x10000) == 0x2000,
	      "domain: unmap counts mapped bytes");
	CHECK(!mdk_iommu_iova_to_phys(d, 0x1000, NULL),
	      "domain: unmapped after unmap");
	CHECK(d->pgt.nr_tables == 1, "domain: empty tables freed");

	CHECK(!mdk_iommu_map(d, g1, g1, g1 + m2, MDK_IOMMU_READ |
			     MDK_IOMMU_WRITE), "domain: map 1 GiB + 2 MiB");
	CHECK(d->pgt.nr_tables == 3, "domain: large leaves use two tables");
	CHECK(mdk_iommu_unmap(d, g1 + m2, 0x1000) == 0x1000,
	      "domain: unmap inside a large leaf splits it");
	CHECK(mdk_iommu_iova_to_phys(d, g1 + m2 + 0x1000, &prot) ==
	      g1 + m2 + 0x1000 && prot == (MDK_IOMMU_READ | MDK_IOMMU_WRITE),
	      "domain: split leaf keeps its neighbours");
	CHECK(mdk_iommu_unmap(d, 0, 1ULL << 48) == g1 + m2 - 0x1000,
	      "domain: unmap all");
	CHECK(d->pgt.nr_tables == 1, "domain: all tables freed");
	mdk_iommu_domain_free(d);
}

static void st_handler(const struct mdk_iommu_fault *fault, void *data)
{
	struct st *st = data;

	st->last = *fault;
	st->nr_faults++;
}

static bool st_fault_is(struct st *st, unsigned int n, u64 iova, int reason)
{
	return st->nr_faults == n && st->last.iova == iova &&
	       st->last.reason == reason;
}

struct st_race {
	struct mdk_iommu_dev *idev;
	u32 pasid;
	unsigned long ok, faults, other;
};

/* DMA across two pages the main thread keeps mapping and unmapping. */
static int st_race_fn(void *arg)
{
	struct st_race *r = arg;
	char b[16];

	while (!kthread_should_stop()) {
		int ret = mdk_iommu_dma_rw(r->idev, r->pasid, 0x200000 - 8, b,
					   sizeof(b), false);

		if (!ret)
			r->ok++;
		else if (ret == -EFAULT)
			r->faults++;
		else
			r->other++;
		cond_resched();
	}
	return 0;
}

static void st_race(struct st *st, struct mdk_iommu_dev *idev, u32 pasid,
		    struct mdk_iommu_domain *d, struct page **pages)
{
	struct st_race r = { .idev = idev, .pasid = pasid };
	unsigned int i, bad = 0, nr_faults = st->nr_faults;
	struct task_struct *t;

	t = kthread_run(st_race_fn, &r, "mdk_iommu_race");
	CHECK(!IS_ERR(t), "race: DMA thread");
	if (IS_ERR(t))
		return;
	/*
	 * Race only once the thread runs: on a slow machine (the s390x tier
	 * under TCG) the loop below can end before it is scheduled, and a
	 * thread stopped before it ran never calls st_race_fn at all.
	 */
	for (i = 0; i < 2000 && !READ_ONCE(r.ok) && !READ_ONCE(r.faults) &&
	     !READ_ONCE(r.other); i++)
		usleep_range(1000, 2000);
	for (i = 0; i < 500; i++) {
		bad += !!mdk_iommu_map(d, 0x200000 - PAGE_SIZE,
				       page_to_phys(pages[0]), PAGE_SIZE,
				       MDK_IOMMU_READ);
		bad += !!mdk_iommu_map(d, 0x200000, page_to_phys(pages[1]),
				       PAGE_SIZE, MDK_IOMMU_READ);
		bad += mdk_iommu_unmap(d, 0x200000 - PAGE_SIZE,
				       2 * PAGE_SIZE) != 2 * PAGE_SIZE;
		cond_resched();
	}
	kthread_stop(t);
	if (bad || r.other || !(r.ok + r.faults))
		pr_err("mdk_iommu: selftest: race: %u map/unmap failures, DMA %lu ok, %lu faults, %lu other\n",
		       bad, r.ok, r.faults, r.other);
	CHECK(!bad && !r.other && r.ok + r.faults,
	      "race: DMA concurrent with map/unmap succeeds or faults");
	CHECK(st->nr_faults - nr_faults == r.faults,
	      "race: handler called once per fault");
	st->nr_faults = nr_faults;
}

static void st_aux_dma(struct st *st, struct mdk_iommu_dev *idev,
		       struct mdk_iommu_domain *d1, struct mdk_iommu_domain *d2,
		       struct page **pages)
{
	u64 a = page_to_phys(pages[0]), b = page_to_phys(pages[1]);
	int p1, p2, prot = MDK_IOMMU_READ | MDK_IOMMU_WRITE;
	char buf[8] = "abcd", *va;
	u64 faults;

	CHECK(mdk_iommu_aux_attach_device(d1, idev) == -EINVAL,
	      "aux: attach without AUX enabled is EINVAL");
	CHECK(!mdk_iommu_dev_enable_feature(idev, MDK_IOMMU_DEV_FEAT_AUX) &&
	      mdk_iommu_dev_feature_enabled(idev, MDK_IOMMU_DEV_FEAT_AUX),
	      "dev: enable AUX");
	CHECK(!mdk_iommu_aux_attach_device(d1, idev), "aux: attach");
	CHECK(mdk_iommu_aux_attach_device(d1, idev) == -EBUSY,
	      "aux: attach twice is EBUSY");
	CHECK(!mdk_iommu_aux_attach_device(d2, idev), "aux: attach second");
	p1 = mdk_iommu_aux_get_pasid(d1, idev);
	p2 = mdk_iommu_aux_get_pasid(d2, idev);
	CHECK(p1 >= (int)MDK_PASID_MIN && p2 >= (int)MDK_PASID_MIN && p1 != p2,
	      "aux: distinct PASIDs");
	CHECK(mdk_pasid_find(p1) == d1, "aux: PASID finds its domain");
	CHECK(mdk_iommu_dev_disable_feature(idev, MDK_IOMMU_DEV_FEAT_AUX) ==
	      -EBUSY, "dev: disable while attached is EBUSY");
	if (p1 < 0 || p2 < 0)
		return;

	/* d1: page A read-write at 0x10000, page B read-only after it. */
	CHECK(!mdk_iommu_map(d1, 0x10000, a, PAGE_SIZE, prot) &&
	      !mdk_iommu_map(d1, 0x10000 + PAGE_SIZE, b, PAGE_SIZE,
			     MDK_IOMMU_READ), "dma: map two pages");
	CHECK(!mdk_iommu_dma_rw(idev, p1, 0x10000 + PAGE_SIZE - 2, buf, 4,
				false), "dma: read across pages");
	CHECK(mdk_iommu_dma_rw(idev, p1, 0x10010, buf, 0, false) == -EINVAL,
	      "dma: zero length is EINVAL");
	va = kmap_local_page(pages[0]);
	memset(va, 0, PAGE_SIZE);
	CHECK(mdk_iommu_dma_rw(idev, p1, 0x10000 + PAGE_SIZE - 2, "wxyz", 4,
			       true) == -EFAULT &&
	      st_fault_is(st, 1, 0x10000 + PAGE_SIZE, -EPERM) &&
	      st->last.write && st->last.pasid == p1,
	      "dma: write to read-only page faults EPERM");
	CHECK(!memcmp(va + PAGE_SIZE - 2, "wx", 2),
	      "dma: bytes before the fault were written");
	CHECK(!mdk_iommu_dma_rw(idev, p1, 0x10100, "data", 4, true) &&
	      !memcmp(va + 0x100, "data", 4), "dma: write lands in the page");
	kunmap_local(va);
	CHECK(mdk_iommu_dma_rw(idev, p1, 0x40000, buf, 1, false) == -EFAULT &&
	      st_fault_is(st, 2, 0x40000, -ENOENT),
	      "dma: unmapped address faults ENOENT");
	CHECK(mdk_iommu_domain_faults(d1) == 2, "dma: domain counts faults");
	CHECK(mdk_iommu_dma_rw(idev, p2, 0x10000, buf, 1, false) == -EFAULT &&
	      st_fault_is(st, 3, 0x10000, -ENOENT) &&
	      mdk_iommu_domain_faults(d2) == 1,
	      "dma: other PASID does not see the mapping");
	CHECK(mdk_iommu_dma_rw(idev, MDK_PASID_MAX, 0x10000, buf, 1, false) ==
	      -EFAULT && st_fault_is(st, 4, 0x10000, -ENODEV),
	      "dma: PASID without domain faults ENODEV");

	st_race(st, idev, p1, d1, pages);
	faults = mdk_iommu_domain_faults(d1);
	mdk_iommu_aux_detach_device(d1, idev);
	CHECK(mdk_iommu_aux_get_pasid(d1, idev) == -EINVAL,
	      "aux: get_pasid after detach is EINVAL");
	CHECK(!mdk_pasid_find(p1), "aux: detach frees the PASID");
	CHECK(mdk_iommu_dma_rw(idev, p1, 0x10000, buf, 1, false) == -EFAULT &&
	      st_fault_is(st, 5, 0x10000, -ENODEV) &&
	      mdk_iommu_domain_faults(d1) == faults,
	      "dma: detached PASID faults ENODEV");
	mdk_iommu_aux_detach_device(d2, idev);
	CHECK(mdk_iommu_unmap(d1, 0, 1ULL << 48) == 2 * PAGE_SIZE,
	      "dma: unmap the pages");
	CHECK(!mdk_iommu_dev_disable_feature(idev, MDK_IOMMU_DEV_FEAT_AUX) &&
	      !mdk_iommu_dev_feature_enabled(idev, MDK_IOMMU_DEV_FEAT_AUX),
	      "dev: disable AUX when detached");
}

static void st_dev(struct st *st)
{
	struct mdk_iommu_domain *d1, *d2, *d3;
	struct mdk_iommu_dev *idev;
	struct page *pages[2];
	struct device *dev;

	dev = root_device_register("mdk_iommu_selftest");
	CHECK(!IS_ERR(dev), "dev: test device");
	if (IS_ERR(dev))
		return;
	idev = mdk_iommu_dev_register(dev, 2, st_handler, st);
	CHECK(!IS_ERR(idev), "dev: register");
	if (IS_ERR(idev))
		goto out_dev;
	CHECK(mdk_iommu_dev_has_feature(idev, MDK_IOMMU_DEV_FEAT_AUX) &&
	      !mdk_iommu_dev_feature_enabled(idev, MDK_IOMMU_DEV_FEAT_AUX),
	      "dev: AUX supported, disabled at first");
	CHECK(mdk_iommu_dev_device(idev) == dev, "dev: device");
	d1 = mdk_iommu_domain_alloc();
	d2 = mdk_iommu_domain_alloc();
	d3 = mdk_iommu_domain_alloc();
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	if (d1 && d2 && d3 && pages[0] && pages[1]) {
		st_aux_dma(st, idev, d1, d2, pages);
		/* quota 2: a third domain while two are attached */
		if (!mdk_iommu_dev_enable_feature(idev, MDK_IOMMU_DEV_FEAT_AUX) &&
		    !mdk_iommu_aux_attach_device(d1, idev)) {
			if (!mdk_iommu_aux_attach_device(d2, idev)) {
				CHECK(mdk_iommu_aux_attach_device(d3, idev) ==
				      -EDQUOT, "aux: PASID quota is EDQUOT");
				mdk_iommu_aux_detach_device(d2, idev);
			}
			mdk_iommu_aux_detach_device(d1, idev);
		}
	} else {
		CHECK(false, "dev: allocations");
	}
	if (pages[1])
		__free_page(pages[1]);
	if (pages[0])
		__free_page(pages[0]);
	mdk_iommu_domain_free(d3);
	mdk_iommu_domain_free(d2);
	mdk_iommu_domain_free(d1);
	mdk_iommu_dev_unregister(idev);
out_dev:
	root_device_unregister(dev);
}

/**
 * mdk_iommu_selftest() - run every self-test case
 * @passed: set to the number of cases that passed
 * @failed: set to the number of cases that failed (each logged)
 *
 * Context: process context, sleeps.
 * Return: 0 when every case passed, -EIO otherwise.
 */
int mdk_iommu_selftest(unsigned int *passed, unsigned int *failed)
{
	struct st st = {};

	st_pasid(&st);
	st_domain(&st);
	st_dev(&st);
	*passed = st.passed;
	*failed = st.failed;
	return st.failed ? -EIO : 0;
}
