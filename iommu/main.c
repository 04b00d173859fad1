// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_iommu.ko: module glue and the self-test hook.
 *
 * selftest (bool, root only): "insmod mdk_iommu.ko selftest=1" runs the
 * in-kernel self-test at load and fails the load if a case fails; writing
 * 1 to /sys/module/mdk_iommu/parameters/selftest runs it again, the write
 * failing with EIO if a case fails. Reading it gives the last result,
 * "<passed> passed, <failed> failed".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include "iommu.h"

/* Serialises self-test runs; protects the results below. */
static DEFINE_MUTEX(selftest_lock);
static unsigned int selftest_passed, selftest_failed;
static bool selftest_at_load;
static bool module_ready;

static int selftest_run(void)
{
	int ret;

	mutex_lock(&selftest_lock);
	ret = mdk_iommu_selftest(&selftest_passed, &selftest_failed);
	pr_info("selftest: %u passed, %u failed\n", selftest_passed,
		selftest_failed);
	mutex_unlock(&selftest_lock);
	return ret;
}

static int selftest_set(const char *val, const struct kernel_param *kp)
{
	bool run;
	int ret;

	ret = kstrtobool(val, &run);
	if (ret || !run)
		return ret;
	if (!READ_ONCE(module_ready)) {
		selftest_at_load = true;	/* run by the module's init */
		return 0;
	}
	return selftest_run();
}

static int selftest_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&selftest_lock);
	n = sysfs_emit(buf, "%u passed, %u failed\n", selftest_passed,
		       selftest_failed);
	mutex_unlock(&selftest_lock);
	return n;
}

static const struct kernel_param_ops selftest_ops = {
	.set = selftest_set,
	.get = selftest_get,
};
module_param_cb(selftest, &selftest_ops, NULL, 0600);
MODULE_PARM_DESC(selftest, "1: run the in-kernel self-test (at load, or now)");

static int __init mdk_iommu_init(void)
{
	int ret;

	if (selftest_at_load) {
		ret = selftest_run();
		if (ret) {
			mdk_pasid_exit();
			return ret;
		}
	}
	WRITE_ONCE(module_ready, true);
	return 0;
}

static void __exit mdk_iommu_exit(void)
{
	mdk_pasid_exit();
}

module_init(mdk_iommu_init);
module_exit(mdk_iommu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit IOMMU layer: PASIDs, I/O page tables, aux domains");
MODULE_AUTHOR("mdevkit developers");
