#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make bench` (run by scripts/vm-run.sh): ROUNDS rounds, each
# running every workload (bench/mdk_bench round) on (a) Debian's vfio,
# vfio_iommu_type1 and mdev modules with upstream's mtty sample, then
# (b) mdevkit's modules with our mtty; one stack is unloaded before the
# other is loaded. The last BIG rounds also time create+remove among 10 000
# live devices (upstream needs ~4 min under TCG to create and remove them).
# Output lines: "<stack> <round> RESULT|INFO|EXIT ...".
#   guest.sh [ROUNDS [BIG]]
rounds=${1:-5} big=${2:-1}
BENCH=/mdk/bench
POOL=24000

load_upstream() {
	insmod "$MDK_DISTRO/vfio.ko" &&
	insmod "$MDK_DISTRO/vfio_iommu_type1.ko" &&
	insmod "$MDK_DISTRO/mdev.ko" &&
	insmod "$BENCH/mtty.ko"
}
unload_upstream() { rmmod mtty mdev vfio_iommu_type1 vfio; }
# mdk_iommu, when the tree has it, is a dependency of mdk_vfio
load_ours() {
	if [ -e "$MDK_MODULES/mdk_iommu.ko" ]; then
		insmod "$MDK_MODULES/mdk_iommu.ko" || return 1
	fi
	insmod "$MDK_MODULES/mdk_vfio.ko" &&
	insmod "$MDK_MODULES/mdk_mdev.ko" &&
	insmod "$MDK_MODULES/mdk_mtty.ko" ports=$POOL
}
unload_ours() {
	rmmod mdk_mtty mdk_mdev mdk_vfio || return 1
	if grep -q '^mdk_iommu ' /proc/modules; then rmmod mdk_iommu; fi
}

echo "INFO kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs," \
	"$(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
r=1
while [ "$r" -le "$rounds" ]; do
	for s in upstream ours; do
		t0=$(date +%s)
		if ! "load_$s"; then
			echo "ERROR $s $r: cannot load the $s stack"
			exit 1
		fi
		arg=""
		[ "$r" -gt $((rounds - big)) ] && arg=big
		{ "$BENCH/mdk_bench" round $arg 2>&1; echo "EXIT $?"; } |
			sed "s/^/$s $r /"
		# a failed round may leave devices: remove them before rmmod
		"$BENCH/mdk_bench" clear >/dev/null
		if ! "unload_$s"; then
			echo "ERROR $s $r: cannot unload the $s stack"
			exit 1
		fi
		echo "$s $r INFO round took $(( $(date +%s) - t0 )) s"
	done
	r=$((r + 1))
done
