# SPDX-License-Identifier: GPL-2.0-only
#
# mdevkit: mediated devices and VFIO, out of tree.
#
#   make            build every module (W=1, warnings are errors) and the
#                   userspace test programs
#   make check      build, boot the Debian kernel in QEMU/TCG, run every
#                   test; TAP13 per case, then "N passed, N failed"
#   make demo       a narrated tour in the VM: create an mtty device by
#                   UUID, use it through VFIO, remove it
#   make checkpatch / make sparse   style and static checks
#
# KVER selects the kernel (default: newest installed Debian 6.1 amd64);
# KDIR its build tree.

KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build
CC_USER := gcc
CFLAGS_USER := -O2 -g -Wall -Wextra -Werror -Itests/lib -pthread
LIB_SRCS := tests/lib/tap.c tests/lib/mdk_test.c
LIB_HDRS := tests/lib/tap.h tests/lib/mdk_test.h
TEST_SRCS := $(wildcard tests/uapi/test_*.c)
TEST_BINS := $(patsubst tests/uapi/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

.PHONY: all deps modules tests check demo clean checkpatch sparse

all: modules tests

deps:
	@scripts/deps.sh

modules: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tests: $(TEST_BINS)

$(BUILD)/tests/%: tests/uapi/%.c $(LIB_SRCS) $(LIB_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(CFLAGS_USER) -static -o $@ $< $(LIB_SRCS)

check: all
	scripts/check.sh

demo: all
	scripts/demo.sh

sparse: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
