#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make demo`: boot the Debian kernel in QEMU/TCG with
# mdevkit's modules and run the narrated tour tests/vm/demo.sh in it,
# streaming its narration. Exit status: the demo's (0 when every step
# worked). Run directly, it builds first (`make demo` has already built).
#   scripts/demo.sh [-v]   (-v: also stream the kernel console to stderr)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${MAKELEVEL:-}" ]; then
	make -C "$top" --no-print-directory all || exit
fi
kver=${KVER:-$("$top/scripts/kver.sh")} || exit 2
# The last section runs QEMU inside the VM: put QEMU and its guest there.
"$top/scripts/mkroot-qemu.sh" >/dev/null || exit 1
echo "mdevkit demo: booting Debian's $kver kernel under QEMU/TCG (~10 s)..."
"$top/scripts/vm-run.sh" -t "${MDK_VM_TIMEOUT:-600}" -k "$kver" \
	-x "$top/build/qemu-root" "$@" \
	"$top/tests/vm/demo.sh" | grep --line-buffered -v '^MDK-\(BOOTED\|EXIT: [0-9]*\)$'
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
	echo "mdevkit demo: done."
else
	echo "mdevkit demo: FAILED (status $rc; kernel console log: build/vm/console.log)"
fi
exit "$rc"
