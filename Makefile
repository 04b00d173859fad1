# SPDX-License-Identifier: GPL-2.0-only
#
# mdevkit: mediated devices and VFIO, out of tree.
#
#   make            build every module (W=1, warnings are errors), the
#                   userspace test programs and build/bin/mtty-user
#   make check      build, boot the Debian kernel in QEMU/TCG, run every
#                   test; then the s390x tier (make check-s390x); TAP13
#                   per case, then "N passed, N failed" for both
#   make s390x      cross-build every module and the s390x tests (see
#                   tests/s390x/s390x.mk); make check-s390x runs that tier
#   make fuzz       the UAPI fuzzer (tests/fuzz/) in one VM boot:
#                   make fuzz SEED=0x1234 OPS=1000000 [THREADS=6]
#   make iommu-test host unit tests of the IOMMU page tables (ASan, UBSan)
#   make check-debug  the kernel-side tests on a debug kernel (KASAN,
#                   lockdep, kmemleak, UBSAN, ...; built once from
#                   linux-source-6.1 and cached, ~10 min), then kmemleak,
#                   lockdep and console checks; "N passed, N failed"
#   make demo       a narrated tour in the VM: create an mtty device by
#                   UUID, use it through VFIO, remove it
#   make bench      one VM boot alternating upstream's vfio/mdev/mtty and
#                   ours (5 rounds); prints medians and ratios ours/upstream
#                   and writes them into BENCHMARKS.md (~8 min; not in check)
#   make checkpatch checkpatch.pl --strict on every kernel source file
#   make sparse     sparse (C=2) on every module, amd64 and s390x builds;
#                   fails on any report
#   make fresh-check  the README's commands from a clone of this tree in a
#                   new Debian 12 root (debootstrap + chroot): catches a
#                   command only this machine has (~40 min; not in check)
#   make clean
#
# KVER selects the kernel (default: newest installed Debian 6.1 amd64);
# KDIR its build tree.

KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build
CC_USER := gcc
CFLAGS_USER := -O2 -g -Wall -Wextra -Werror
TEST_CFLAGS := $(CFLAGS_USER) -Itests/lib -pthread
LIB_SRCS := tests/lib/tap.c tests/lib/mdk_test.c
LIB_HDRS := tests/lib/tap.h tests/lib/mdk_test.h
TEST_SRCS := $(wildcard tests/uapi/test_*.c)
TEST_BINS := $(patsubst tests/uapi/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
BINS := $(BUILD)/bin/mtty-user $(BUILD)/bin/mdk-fuzz
# The fuzzer, twice: test_fuzz (a bounded run inside make check) and
# bin/mdk-fuzz (make fuzz).
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_HDRS := $(wildcard tests/fuzz/*.h)
include tools/tool.mk
include iommu/tests/iommu.mk
include tests/s390x/s390x.mk

.PHONY: all deps modules tests bin l2 check check-debug demo clean checkpatch sparse fuzz bench \
	fresh-check

all: modules tests bin l2

deps:
	@scripts/deps.sh

modules: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tests: $(TEST_BINS) $(BUILD)/tests/test_fuzz

bin: $(BINS)

$(BUILD)/tests/%: tests/uapi/%.c $(LIB_SRCS) $(LIB_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(TEST_CFLAGS) -static -o $@ $< $(LIB_SRCS)

$(BUILD)/tests/test_fuzz $(BUILD)/bin/mdk-fuzz: $(FUZZ_SRCS) $(FUZZ_HDRS) \
		$(LIB_SRCS) $(LIB_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(TEST_CFLAGS) -static -o $@ $(FUZZ_SRCS) $(LIB_SRCS)

$(BUILD)/bin/mtty-user: samples/mtty/mtty-user.c | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(CFLAGS_USER) -static -o $@ $<

# The bare-metal guest for nested QEMU (tests/l2/): a 32-bit multiboot ELF.
L2_CFLAGS := -m32 -march=i686 -O2 -Wall -Wextra -Werror -ffreestanding \
	-fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -nostdlib -static -no-pie \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments
L2_SRCS := tests/l2/start.S tests/l2/payload.c

l2: $(BUILD)/l2/payload.elf

$(BUILD)/l2/payload.elf: $(L2_SRCS) tests/l2/payload.ld
	@mkdir -p $(dir $@)
	$(CC_USER) $(L2_CFLAGS) -Wl,-T,tests/l2/payload.ld -o $@ $(L2_SRCS)

# Both tiers run even when the first fails; the last line is the total.
check: all tool-test iommu-test s390x
	@rm -f $(BUILD)/vm/summary-amd64 $(BUILD)/vm/summary-s390x
	KVER=$(KVER) scripts/check.sh; a=$$?; \
	scripts/check.sh -A s390x; b=$$?; \
	set -- $$(cat $(BUILD)/vm/summary-amd64 2>/dev/null || echo 0 1) \
		$$(cat $(BUILD)/vm/summary-s390x 2>/dev/null || echo 0 1); \
	echo "make check: amd64 $$1 passed, $$2 failed; s390x $$3 passed, $$4 failed"; \
	echo "$$(($$1 + $$3)) passed, $$(($$2 + $$4)) failed"; \
	[ $$a = 0 ] && [ $$b = 0 ]

fuzz: all
	KVER=$(KVER) SEED='$(SEED)' OPS='$(OPS)' THREADS='$(THREADS)' \
		scripts/fuzz.sh

check-debug: all
	@scripts/deps.sh debug
	scripts/check-debug.sh

demo: all
	KVER=$(KVER) scripts/demo.sh

bench: modules $(BUILD)/bench/mdk_bench
	@scripts/deps.sh bench
	KVER=$(KVER) KDIR=$(KDIR) scripts/bench.sh

$(BUILD)/bench/mdk_bench: bench/mdk_bench.c $(LIB_SRCS) $(LIB_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(CFLAGS_USER) -Itests/lib -static -o $@ $< $(LIB_SRCS)

sparse: deps s390x-deps
	KDIR=$(KDIR) scripts/sparse.sh

checkpatch:
	scripts/checkpatch.sh

fresh-check:
	scripts/fresh-machine.sh $(FRESH_ARGS)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
