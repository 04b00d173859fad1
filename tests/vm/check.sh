#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make check`: load the modules, run every test program (or
# the ones named in the arguments), unload cleanly. Output: un-numbered
# TAP13 lines (see tests/lib/tap.h).
# Each test program starts with all modules loaded and no mdev device, and
# must leave it so. After each program the harness checks, and reports as
# a failed case of its own: mdev devices left behind (then removes them),
# IOMMU groups leaked, module reference counts changed, new kernel taint
# flags (anything but O and E, which our unsigned out-of-tree modules set).
# the modules, in load order (the s390x tier adds vfio-ccw)
MODS=${MDK_MODS:-"mdk_iommu mdk_vfio mdk_mdev mdk_mtty mdk_pintest mdk_mdma"}
TEST_TIMEOUT=${MDK_TEST_TIMEOUT:-300}

ok() { echo "ok - vm: $*"; }
notok() { echo "not ok - vm: $*"; }

load_all() {
	for m in $MODS; do
		grep -q "^$m " /proc/modules || insmod "$MDK_MODULES/$m.ko" || return 1
	done
}

# Taint flags other than O (4096) and E (8192), as letters.
TAINT_LETTERS="P F S R M B U D A W C I O E L K X T"
bad_taint() {
	t=$(( $(cat /proc/sys/kernel/tainted) & ~12288 ))
	bit=0 s=""
	for l in $TAINT_LETTERS; do
		[ $(( (t >> bit) & 1 )) = 1 ] && s="$s$l"
		bit=$((bit + 1))
	done
	[ $(( t >> bit )) != 0 ] && s="$s+"
	echo "$s"
}

refcnts() {
	for m in $MODS; do
		printf '%s=%s ' "$m" "$(cat "/sys/module/$m/refcnt" 2>/dev/null)"
	done
}

ngroups() { ls /sys/kernel/iommu_groups | wc -l; }

echo "TAP version 13"
# A task stuck in D state for 120 s is a deadlock: panic with its stack
# (the host reports the panic) rather than wait for the time-out.
echo 1 > /proc/sys/kernel/hung_task_panic 2>/dev/null
if load_all; then ok "modules load"; else notok "modules load"; fi
groups_start=$(ngroups)
groups0=$groups_start
refs0=$(refcnts)
taint0=$(bad_taint)
[ -z "$taint0" ] || notok "kernel tainted before the tests: $taint0"

for a in "$@"; do
	[ -x "/mdk/tests/$a" ] || notok "no test program named $a"
done

for t in /mdk/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	case " $* " in "  ") ;; *" $name "*) ;; *) continue ;; esac
	echo "# running $name"
	t0=$(date +%s)
	timeout "$TEST_TIMEOUT" "$t"
	rc=$?
	echo "# $name: $(( $(date +%s) - t0 )) s"
	case $rc in
	0|1) ;;
	124|143) notok "$name timed out after ${TEST_TIMEOUT}s" ;;
	*) notok "$name exited with status $rc" ;;
	esac
	left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
	if [ "$left" != 0 ]; then
		notok "$name left $left mdev device(s) behind"
		# bounded: a remove waits while a (stuck) process holds it open
		for d in /sys/bus/mdev/devices/*; do
			timeout 20 sh -c "echo 1 > '$d/remove'" 2>/dev/null
		done
	fi
	if ! load_all; then notok "$name left the modules unloadable"; fi
	g=$(ngroups)
	if [ "$g" != "$groups0" ]; then
		notok "$name: IOMMU groups: $groups0 before, $g after"
		groups0=$g
	fi
	r=$(refcnts)
	if [ "$r" != "$refs0" ]; then
		notok "$name changed module refcounts: before $refs0, after $r"
		refs0=$r
	fi
	tn=$(bad_taint)
	if [ "$tn" != "$taint0" ]; then
		notok "$name tainted the kernel: '$taint0' -> '$tn'"
		taint0=$tn
	fi
done

left=$(ngroups)
if [ "$left" = "$groups_start" ]; then ok "no IOMMU group leaked"; else
	notok "IOMMU groups: $groups_start at start, $left at the end"; fi
# A hook for make check-debug (tests/vm/check-debug.sh): a command line
# run with the modules still loaded, after the last test.
[ -z "${MDK_BEFORE_UNLOAD:-}" ] || sh -c "$MDK_BEFORE_UNLOAD"
rev=""
for m in $MODS; do rev="$m $rev"; done
fail=0
for m in $rev; do rmmod "$m" || fail=1; done
if [ $fail = 0 ]; then ok "all modules unload"; else notok "all modules unload"; fi
if grep -q '^mdk_' /proc/modules; then notok "modules still loaded"; fi
tn=$(bad_taint)
if [ -z "$tn" ]; then ok "kernel not tainted (except O, E)"; else
	notok "kernel taint flags: $tn"; fi

# Diagnostics only: our modules' kernel log lines at warning level or
# worse (some are expected: the tests provoke them on purpose).
n=$(dmesg -r | grep -E '^<[0-4]>' | grep -cE 'mdk_|mtty|pintest|vfio_ccw')
if [ "$n" != 0 ]; then
	echo "# kernel log: $n line(s) from our modules at warning or worse; the last ones:"
	dmesg -r | grep -E '^<[0-4]>' | grep -E 'mdk_|mtty|pintest|vfio_ccw' |
		tail -n 15 | sed 's/^/#   /'
fi
exit 0
