// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_iommu: the in-kernel self-test of mdk_iommu.ko (PASID allocator,
 * domains and page tables, device features, aux attach/detach, the DMA
 * path and its fault reporting), run through its "selftest" module
 * parameter; plus the parameter's own input checking. The page-table
 * algorithm also has host unit tests (make iommu-test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include "mdk_test.h"
#include "tap.h"

#define PARAM "/sys/module/mdk_iommu/parameters/selftest"

/* Whether the kernel log holds @needle. */
static int klog_has(const char *needle)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n, found;

	if (size <= 0)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	buf[n > 0 ? n : 0] = '\0';
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

int main(void)
{
	unsigned int passed = 0, failed = 1;
	char res[128] = "";
	int ret;

	tap_init("iommu");
	if (!tap_ok(mdk_path_exists(PARAM), "mdk_iommu loaded, selftest hook"))
		return tap_done();

	ret = mdk_write_file(PARAM, "1");
	tap_ok(ret == 0, "kernel self-test passes (write returned %d)", ret);
	mdk_read_file(PARAM, res, sizeof(res));
	tap_ok(sscanf(res, "%u passed, %u failed", &passed, &failed) == 2 &&
	       passed >= 60 && failed == 0, "self-test result: %s", res);
	tap_ok(!klog_has("selftest: FAILED"), "no failed case in the log");

	/* The fault log line is rate limited: another test may have used
	 * the burst; it refills within 5 s.
	 */
	if (!klog_has("mdk_iommu_selftest: DMA fault: pasid")) {
		sleep(6);
		mdk_write_file(PARAM, "1");
	}
	tap_ok(klog_has("mdk_iommu_selftest: DMA fault: pasid 1048575 "
			"iova 0x10000 read: no domain for this PASID"),
	       "DMA fault logged with PASID, IOVA, direction and reason");

	tap_ok(mdk_write_file(PARAM, "0") == 0, "writing 0 runs nothing");
	tap_ok(mdk_write_file(PARAM, "bogus") == -EINVAL,
	       "non-boolean value: EINVAL");
	ret = mdk_write_file(PARAM, "1");
	mdk_read_file(PARAM, res, sizeof(res));
	tap_ok(ret == 0 && strstr(res, " 0 failed"),
	       "self-test runs again (state cleaned up): %s", res);
	return tap_done();
}
