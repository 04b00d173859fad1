#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make fuzz`: load the modules, run mdk-fuzz with the
# arguments given (-s SEED -n OPS -j THREADS), then check that no mdev and
# no IOMMU group is left, that every module unloads and that the kernel
# is not tainted beyond O and E. Output: un-numbered TAP13 lines.
# in load order; the ones not built are skipped
MODS=""
for m in mdk_iommu mdk_vfio mdk_mdev mdk_mtty mdk_pintest mdk_mdma; do
	[ -e "$MDK_MODULES/$m.ko" ] && MODS="$MODS $m"
done

ok() { echo "ok - fuzz-vm: $*"; }
notok() { echo "not ok - fuzz-vm: $*"; }

echo "TAP version 13"
echo 1 > /proc/sys/kernel/hung_task_panic 2>/dev/null
fail=0
for m in $MODS; do insmod "$MDK_MODULES/$m.ko" || fail=1; done
if [ $fail = 0 ]; then ok "modules load"; else notok "modules load"; fi
taint0=$(cat /proc/sys/kernel/tainted)
groups0=$(ls /sys/kernel/iommu_groups | wc -l)

# diagnostics: slab memory with caches dropped, before and after
slab() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	sed -n 's/^Slab: *//p' /proc/meminfo
}
echo "# slab before: $(slab)"
mdk-fuzz "$@"
rc=$?
case $rc in
0|1) ;;
*) notok "mdk-fuzz exited with status $rc" ;;
esac

left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
if [ "$left" = 0 ]; then ok "no mdev left"; else
	notok "$left mdev device(s) left"
	for d in /sys/bus/mdev/devices/*; do
		timeout 20 sh -c "echo 1 > '$d/remove'" 2>/dev/null
	done
fi
g=$(ls /sys/kernel/iommu_groups | wc -l)
if [ "$g" = "$groups0" ]; then ok "no IOMMU group leaked"; else
	notok "IOMMU groups: $groups0 before, $g after"; fi
fail=0
rev=""
for m in $MODS; do rev="$m $rev"; done
for m in $rev; do rmmod "$m" || fail=1; done
if [ $fail = 0 ]; then ok "all modules unload"; else notok "all modules unload"; fi
echo "# slab after the fuzzer and rmmod: $(slab)"
t=$(cat /proc/sys/kernel/tainted)
if [ "$t" = "$taint0" ]; then ok "no new kernel taint"; else
	notok "kernel taint $taint0 -> $t"; fi
exit 0
