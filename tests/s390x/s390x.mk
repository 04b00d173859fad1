# SPDX-License-Identifier: GPL-2.0-only
#
# The s390x tier; included by the top-level Makefile.
#   make s390x        every module cross-built for Debian's s390x kernel
#                     (W=1, warnings are errors; scripts/build-s390x.sh),
#                     the s390x test programs, the UAPI tests that run on
#                     both machines, and the bare-metal L2 payload
#   make check-s390x  boot the s390x kernel under qemu-system-s390x and run
#                     them: scripts/check.sh -A s390x (make check runs it
#                     after the amd64 tier)

# Including this file must not change the includer's default goal.
S390X_SAVED_GOAL := $(.DEFAULT_GOAL)

S390X := $(BUILD)/s390x
S390X_CC := s390x-linux-gnu-gcc
# The UAPI tests that also run on s390x: the framework on a big-endian
# machine. (test_qemu and test_mdevctl need amd64 binaries in the guest,
# test_tool the amd64 mdk, test_conflict the distribution's vfio modules,
# which Debian's s390x kernel does not build.)
S390X_UAPI := test_sysfs test_vfio_core test_type1 test_mtty test_samples \
	test_stress test_faults test_iommu test_mdma
S390X_LIB := $(LIB_SRCS) tests/lib/ccw_dev.c
S390X_HDRS := $(LIB_HDRS) tests/lib/ccw.h tests/lib/ccw_dev.h
S390X_UAPI_BINS := $(patsubst %,$(S390X)/tests/%,$(S390X_UAPI))
S390X_SH_BINS := $(S390X)/tests/test_ccw_cptest $(S390X)/tests/test_ccw_qemu
S390X_BINS := $(S390X_UAPI_BINS) $(S390X_SH_BINS) \
	$(S390X)/tests/test_vfio_ccw $(S390X)/tests/test_ccw_fuzz \
	$(S390X)/bin/mtty-user
# The bare-metal guest of test_ccw_qemu, in a tree vm-run.sh copies in.
S390X_L2 := $(S390X)/l2root/mdk/l2/ccw-payload.elf
S390X_L2_SRCS := tests/s390x/l2/start.S tests/s390x/l2/payload.c
S390X_L2_CFLAGS := -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic \
	-fno-pie -fno-stack-protector -msoft-float \
	-fno-asynchronous-unwind-tables --param=min-pagesize=0 -Itests/lib \
	-nostdlib -static -no-pie -Wl,--build-id=none

.PHONY: s390x s390x-deps s390x-modules check-s390x

s390x: s390x-modules $(S390X_BINS) $(S390X_L2)

s390x-deps:
	@scripts/deps.sh s390x

s390x-modules: s390x-deps
	@scripts/build-s390x.sh > /dev/null

$(S390X_UAPI_BINS): $(S390X)/tests/%: tests/uapi/%.c $(LIB_SRCS) $(LIB_HDRS) \
		| s390x-deps
	@mkdir -p $(dir $@)
	$(S390X_CC) $(TEST_CFLAGS) -static -o $@ $< $(LIB_SRCS)

$(S390X)/tests/test_vfio_ccw: tests/s390x/test_vfio_ccw.c $(S390X_LIB) \
		$(S390X_HDRS) | s390x-deps
	@mkdir -p $(dir $@)
	$(S390X_CC) $(TEST_CFLAGS) -static -o $@ $< $(S390X_LIB)

$(S390X)/tests/test_ccw_fuzz: tests/fuzz/ccw/ccw.c $(S390X_LIB) $(S390X_HDRS) \
		| s390x-deps
	@mkdir -p $(dir $@)
	$(S390X_CC) $(TEST_CFLAGS) -static -o $@ $< $(S390X_LIB)

# test_samples runs it
$(S390X)/bin/mtty-user: samples/mtty/mtty-user.c | s390x-deps
	@mkdir -p $(dir $@)
	$(S390X_CC) $(CFLAGS_USER) -static -o $@ $<

$(S390X_SH_BINS): $(S390X)/tests/%: tests/s390x/%.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

$(S390X_L2): $(S390X_L2_SRCS) tests/s390x/l2/payload.ld tests/lib/ccw.h \
		| s390x-deps
	@mkdir -p $(dir $@)
	$(S390X_CC) $(S390X_L2_CFLAGS) -Wl,-T,tests/s390x/l2/payload.ld \
		-o $@ $(S390X_L2_SRCS)

check-s390x: s390x
	scripts/check.sh -A s390x

.DEFAULT_GOAL := $(S390X_SAVED_GOAL)
