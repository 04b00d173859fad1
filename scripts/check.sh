#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make check`: boot the VM once with tests/vm/check.sh, print
# the TAP13 stream, the plan and "N passed, N failed". Non-zero exit on any
# failed case, on a kernel WARN/BUG/oops or on a time-out.
#   scripts/check.sh [TEST_NAME...]   (e.g. test_sysfs; default: all)
# Environment: KVER (kernel), MDK_VM_TIMEOUT (whole boot, s),
# MDK_CONSOLE_LOG (kernel console log file, default build/vm/console.log).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
log=${MDK_CONSOLE_LOG:-$top/build/vm/console.log}
# test_qemu runs QEMU inside the VM: put QEMU and its L2 guests there.
xroots=()
case " $* " in
"  " | *" test_qemu "*)
	"$top/scripts/mkroot-qemu.sh" && xroots+=(-x "$top/build/qemu-root") ;;
esac
# test_mdevctl runs Debian's mdevctl in the VM.
case " $* " in
"  " | *" test_mdevctl "*)
	"$top/scripts/mkroot-mdevctl.sh" && xroots+=(-x "$top/build/mdevctl-root") ;;
esac
"$top/scripts/vm-run.sh" -t "${MDK_VM_TIMEOUT:-2400}" -m 2048 -l "$log" \
	"${xroots[@]}" "$top/tests/vm/check.sh" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
if [ "$rc" != 0 ]; then
	echo "not ok - vm: the test VM ended with status $rc"
	fail=$((fail + 1))
fi
echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
