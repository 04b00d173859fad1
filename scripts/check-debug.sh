#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of `make check-debug`: the kernel-side tests of `make check` on
# a debug kernel (KASAN, SLUB debug, lockdep, kmemleak, debug objects,
# UBSAN, fault injection; scripts/debug-kernel.config).
#
#   scripts/check-debug.sh [TEST_NAME...]   (default: every test program
#                                           but test_qemu)
#
# 1. scripts/debug-kernel.sh: the debug kernel, from the cache when built
#    before (a cold build takes ~10 min on 2 CPUs);
# 2. our modules built against it in build/debug-src/ (a copy of the
#    sources, so that the stock build's .ko files stay as they are), and
#    upstream's vfio/mdev modules of that kernel for test_conflict;
# 3. one boot (2 GiB, 2 CPUs, slub_debug=FZPU, kmemleak on) running
#    tests/vm/check-debug.sh: every test with MDK_SCALE=slow, kmemleak
#    scans before and after unloading, lockdep still enabled;
# 4. the console log: no KASAN, UBSAN, WARNING, BUG, lockdep or hung-task
#    report (lines anchored on the printk timestamp).
# test_qemu is left out: a nested L2 boot under a KASAN+lockdep L1 under
# TCG takes far longer than the CI budget allows.
# Output: TAP13 lines, the plan, "N passed, N failed". Non-zero exit on
# any failed case or finding.
# Each program gets 600 s in the guest. A warm run takes ~7 min.
# Environment: MDK_CACHE (see debug-kernel.sh), MDK_VM_TIMEOUT (whole
# boot, s; default 1500), MDK_CONSOLE_LOG (default
# build/vm/console-debug.log).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
log=${MDK_CONSOLE_LOG:-$top/build/vm/console-debug.log}
src=$top/build/debug-src
distro=$top/build/debug-distro

bail() {
	echo "not ok - debug: $*"
	echo "1..1"
	echo "0 passed, 1 failed"
	exit 1
}

kdir=$("$top/scripts/debug-kernel.sh") || bail "build the debug kernel"
kimg=$kdir/arch/x86/boot/bzImage
echo "# debug kernel: $kimg" >&2

# Our modules against the debug tree, from a copy of the sources (build
# products excluded, so rsync keeps the copy's own for an incremental
# build).
mkdir -p "$src"
rsync -a --delete --exclude=/build/ --exclude=/.git/ --exclude='*.o' \
	--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='.*.d' --exclude=modules.order \
	--exclude=Module.symvers "$top/" "$src/" || bail "copy the sources"
# relinked each time: no stale .ko of a module gone from Kbuild is booted
find "$src" -name '*.ko' -delete
if ! make -C "$kdir" M="$src" W=1 -j2 modules > "$src.log" 2>&1; then
	tail -30 "$src.log" >&2
	bail "build the modules against the debug kernel (log: $src.log)"
fi
rm -rf "$distro"
mkdir -p "$distro"
cp "$kdir"/drivers/vfio/vfio.ko "$kdir"/drivers/vfio/vfio_iommu_type1.ko \
	"$kdir"/drivers/vfio/mdev/mdev.ko "$distro/" ||
	bail "upstream's vfio/mdev modules of the debug kernel"

xroots=()
case " $* " in
"  " | *" test_mdevctl "*)
	"$top/scripts/mkroot-mdevctl.sh" && xroots+=(-x "$top/build/mdevctl-root") ;;
esac

"$top/scripts/vm-run.sh" -t "${MDK_VM_TIMEOUT:-1500}" -m 2048 -s 2 \
	-K "$kimg" -M "$src" -D "$distro" -l "$log" \
	-a "slub_debug=FZPU kmemleak=on" "${xroots[@]}" \
	"$top/tests/vm/check-debug.sh" "$@" | tee "$out"
rc=${PIPESTATUS[0]}

# The console: any report of the debug options is a failure. Lockdep
# reports and kmemleak do not trip panic_on_warn, so look for each.
ts='^\[ *[0-9]+\.[0-9]+\] '
finding() {
	local what=$1 re=$2
	if grep -Eq "$ts($re)" "$log"; then
		echo "not ok - debug: console: $what"
		grep -E -A25 "$ts($re)" "$log" | head -60 | sed 's/^/#   /'
	else
		echo "ok - debug: console: no $what"
	fi
}
finding "KASAN report" 'BUG: KASAN|KASAN:|Memory state around the buggy address' | tee -a "$out"
finding "UBSAN report" 'UBSAN:' | tee -a "$out"
finding "WARNING" 'WARNING:|------------\[ cut here \]' | tee -a "$out"
finding "BUG" 'BUG:|kernel BUG|Oops|general protection|Kernel panic' | tee -a "$out"
lockdep='possible circular locking|inconsistent lock state|possible recursive locking'
lockdep="$lockdep|suspicious RCU usage|lock held when returning|bad unlock balance"
lockdep="$lockdep|held lock freed|lock held at task exit|possible irq lock inversion"
lockdep="(WARNING: )?($lockdep)|INFO: trying to register non-static key"
lockdep="$lockdep|INFO: lockdep is turned off|BUG: MAX_LOCKDEP"
finding "lockdep report" "$lockdep" | tee -a "$out"
finding "hung task" 'INFO: task .* blocked for more than' | tee -a "$out"
finding "debug-objects report" 'ODEBUG:' | tee -a "$out"
finding "list corruption" 'list_(add|del) corruption' | tee -a "$out"
finding "slab corruption" 'BUG [^ ]+ \(|Object already free|Redzone overwritten|Poison overwritten|Objects remaining' | tee -a "$out"
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
if [ "$rc" != 0 ]; then
	echo "not ok - debug: the test VM ended with status $rc"
	fail=$((fail + 1))
fi
echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
