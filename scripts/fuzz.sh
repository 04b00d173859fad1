#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make fuzz`: boot the VM once and run the UAPI fuzzer
# (build/bin/mdk-fuzz, guest script tests/vm/fuzz.sh), print its TAP13
# lines, the plan and "N passed, N failed". Non-zero exit on any failed
# case, a kernel WARN/BUG/oops (the VM boots with panic_on_warn=1) or a
# time-out.
#   SEED=0x1234 OPS=1000000 THREADS=6 scripts/fuzz.sh
# Default: a random seed (printed first: "# seed 0x..."), 100 000 ops,
# 6 threads. Environment also: KVER, MDK_VM_TIMEOUT (s, default: from
# OPS, at a pessimistic 300 ops/s), MDK_CONSOLE_LOG (the kernel console,
# default build/vm/fuzz-console.log).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ops=${OPS:-100000}
args=(-n "$ops")
[ -n "${SEED:-}" ] && args+=(-s "$SEED")
[ -n "${THREADS:-}" ] && args+=(-j "$THREADS")
log=${MDK_CONSOLE_LOG:-$top/build/vm/fuzz-console.log}
tmo=${MDK_VM_TIMEOUT:-$((300 + ops / 300))}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t0=$(date +%s)
"$top/scripts/vm-run.sh" -t "$tmo" -m 2048 -l "$log" \
	"$top/tests/vm/fuzz.sh" "${args[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
if [ "$rc" != 0 ]; then
	echo "not ok - vm: the fuzz VM ended with status $rc (console: $log)"
	fail=$((fail + 1))
fi
echo "1..$((pass + fail))"
echo "# wall time $(( $(date +%s) - t0 )) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
