# SPDX-License-Identifier: GPL-2.0-only
#
# The mdk command-line tool; included by the top-level Makefile.
#   make tool        build/bin/mdk (part of `make` too, through BINS)
#   make tool-test   host unit tests: the pure parts (UUIDs, flag and
#                    capability decoding, PCI config decoding, JSON) and
#                    the command line against a fake sysfs tree, all built
#                    with AddressSanitizer and UBSan; the bash completion;
#                    the man page
#
# Debian 12 ships no static libpci (nor libudev, which it needs), so mdk is
# linked dynamically; scripts/vm-run.sh copies its libraries to the guest.

# Including this file must not change the includer's default goal.
TOOL_SAVED_GOAL := $(.DEFAULT_GOAL)

TOOL_SRCS := $(wildcard tools/src/*.c)
TOOL_HDRS := $(wildcard tools/src/*.h)
TOOL_LDLIBS := -lpci -ljson-c -luuid
TOOL_CFLAGS := $(CFLAGS_USER) -DMDK_VERSION='"0.1"'
TOOL_SAN := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
TOOL_OBJS := $(patsubst tools/src/%.c,$(BUILD)/tools/obj/%.o,$(TOOL_SRCS))
TOOL_SOBJS := $(patsubst tools/src/%.c,$(BUILD)/tools/asan/%.o,$(TOOL_SRCS))

BINS += $(BUILD)/bin/mdk

.PHONY: tool tool-test

tool: $(BUILD)/bin/mdk

$(BUILD)/tools/obj/%.o: tools/src/%.c $(TOOL_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(TOOL_CFLAGS) -c -o $@ $<

$(BUILD)/bin/mdk: $(TOOL_OBJS)
	@mkdir -p $(dir $@)
	$(CC_USER) $(TOOL_CFLAGS) -o $@ $^ $(TOOL_LDLIBS)

$(BUILD)/tools/asan/%.o: tools/src/%.c $(TOOL_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC_USER) $(TOOL_CFLAGS) $(TOOL_SAN) -c -o $@ $<

$(BUILD)/tools/asan/mdk: $(TOOL_SOBJS)
	$(CC_USER) $(TOOL_CFLAGS) $(TOOL_SAN) -o $@ $^ $(TOOL_LDLIBS)

$(BUILD)/tools/asan/unit: tools/tests/unit.c tools/tests/cli.c \
		tools/tests/unit.h $(filter-out %/main.o,$(TOOL_SOBJS)) \
		tests/lib/tap.c tests/lib/tap.h
	$(CC_USER) $(TOOL_CFLAGS) $(TOOL_SAN) -Itools/src -Itests/lib -o $@ \
		$(filter %.c %.o,$^) $(TOOL_LDLIBS)

tool-test: $(BUILD)/tools/asan/unit $(BUILD)/tools/asan/mdk
	$(BUILD)/tools/asan/unit $(BUILD)/tools/asan/mdk
	bash tools/tests/completion.sh
	@if ! command -v man >/dev/null; then \
		echo "# man not installed: tools/mdk.1 not checked"; \
	elif w=$$(MANWIDTH=80 man --warnings -l tools/mdk.1 2>&1 >/dev/null) \
		&& [ -z "$$w" ]; then echo "ok - tool: man page renders cleanly"; \
	else echo "not ok - tool: man page: $$w"; exit 1; fi

.DEFAULT_GOAL := $(TOOL_SAVED_GOAL)
