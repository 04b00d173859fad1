# SPDX-License-Identifier: GPL-2.0-only
#
# Host unit tests of the IOMMU layer; included by the top-level Makefile.
#   make iommu-test   iommu/pgtable.c, unchanged, against a userspace shim,
#                     with AddressSanitizer and UBSan (TAP lines
#                     "ok - iommu: <case>"). The parts that need the
#                     kernel (xarray PASID allocator, aux, DMA path) are
#                     self-tested in the VM: tests/uapi/test_iommu.c.

IOMMU_TEST_SAVED_GOAL := $(.DEFAULT_GOAL)

IOMMU_TEST_CFLAGS := $(CFLAGS_USER) -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Iiommu -Iiommu/tests -Itests/lib

.PHONY: iommu-test

$(BUILD)/iommu/pgtable-test: iommu/tests/pgtable_test.c iommu/pgtable.c \
		iommu/pgtable.h iommu/tests/shim.h tests/lib/tap.c \
		tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(CC_USER) $(IOMMU_TEST_CFLAGS) -o $@ $(filter %.c,$^)

iommu-test: $(BUILD)/iommu/pgtable-test
	$(BUILD)/iommu/pgtable-test

.DEFAULT_GOAL := $(IOMMU_TEST_SAVED_GOAL)
