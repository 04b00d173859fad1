#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make check`: load the modules, run every test program,
# unload cleanly. Output: un-numbered TAP13 lines (see tests/lib/tap.h).
# Each test program starts with all modules loaded and must leave them so.
MODS="mdk_vfio mdk_mdev mdk_mtty mdk_pintest"
TEST_TIMEOUT=${MDK_TEST_TIMEOUT:-300}

ok() { echo "ok - vm: $*"; }
notok() { echo "not ok - vm: $*"; }

load_all() {
	for m in $MODS; do
		grep -q "^$m " /proc/modules || insmod "$MDK_MODULES/$m.ko" || return 1
	done
}

echo "TAP version 13"
if load_all; then ok "modules load"; else notok "modules load"; fi
groups0=$(ls /sys/kernel/iommu_groups | wc -l)

for t in /mdk/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	case " $* " in "  ") ;; *" $name "*) ;; *) continue ;; esac
	echo "# running $name"
	timeout "$TEST_TIMEOUT" "$t"
	rc=$?
	case $rc in
	0|1) ;;
	124|143) notok "$name timed out after ${TEST_TIMEOUT}s" ;;
	*) notok "$name exited with status $rc" ;;
	esac
	left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
	if [ "$left" != 0 ]; then
		notok "$name left $left mdev device(s) behind"
		for d in /sys/bus/mdev/devices/*; do echo 1 > "$d/remove"; done
	fi
	if ! load_all; then notok "$name left the modules unloadable"; fi
done

left=$(ls /sys/kernel/iommu_groups | wc -l)
if [ "$left" = "$groups0" ]; then ok "no IOMMU group leaked"; else
	notok "IOMMU groups: $groups0 at start, $left at the end"; fi
rev=""
for m in $MODS; do rev="$m $rev"; done
fail=0
for m in $rev; do rmmod "$m" || fail=1; done
if [ $fail = 0 ]; then ok "all modules unload"; else notok "all modules unload"; fi
if grep -q '^mdk_' /proc/modules; then notok "modules still loaded"; fi
exit 0
