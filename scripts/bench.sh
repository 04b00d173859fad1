#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make bench`: build upstream's mtty sample from Debian's
# linux-source-6.1 (bench/upstream-mtty.sh), boot the VM once, alternate
# the upstream stack and ours for ROUNDS rounds (bench/guest.sh), print a
# table of medians and ratios ours/upstream, and write it into
# BENCHMARKS.md between its bench-table markers (the prose around them is
# kept).
#   scripts/bench.sh     (after `make modules build/bench/mdk_bench`)
# Environment: KVER, KDIR; BENCH_ROUNDS (default 5); BENCH_BIG (rounds
# with 10 000 live devices, the last ones; default 1); BENCH_SMP (guest
# CPUs, default 1: with 2, cross-CPU wake-ups depend on the host scheduling
# both QEMU threads, and create+remove varied 2-3x between rounds on a busy
# host); BENCH_MD (file to update, default BENCHMARKS.md; empty: none).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
kver=${KVER:-$(scripts/kver.sh)} || exit 2
kdir=${KDIR:-/lib/modules/$kver/build}
rounds=${BENCH_ROUNDS:-5} big=${BENCH_BIG:-1} smp=${BENCH_SMP:-1}
md=${BENCH_MD-BENCHMARKS.md}
out=build/bench
start=$(date +%s)

# Debian's linux-source-6.1 (upstream's mtty.c) comes with the checkpatch deps
[ -r /usr/src/linux-source-6.1.tar.xz ] || scripts/deps.sh checkpatch || exit 2
[ -x "$out/mdk_bench" ] || { echo "bench: $out/mdk_bench missing (make bench)" >&2; exit 2; }
ko=$(bench/upstream-mtty.sh "$out/upstream" "$kdir") || exit 2
rm -rf "$out/root"
mkdir -p "$out/root/mdk/bench"
cp "$out/mdk_bench" "$ko" "$out/root/mdk/bench/"

echo "bench: $rounds rounds of upstream then ours, in one boot of $kver (TCG)"
KVER=$kver scripts/vm-run.sh -t 1200 -m 2048 -s "$smp" -l "$out/console.log" \
	-x "$out/root" bench/guest.sh "$rounds" "$big" | tee "$out/raw.txt"
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ] || grep -q '^[a-z]* [0-9]* EXIT [1-9]' "$out/raw.txt"; then
	echo "bench: a round failed (VM status $rc); see $out/raw.txt and $out/console.log" >&2
	rc=1
fi

# Median over the rounds of each round's median; ratio ours/upstream;
# the range of the per-round ratios (round r of ours over round r of
# upstream) says how stable the ratio is.
table=$(awk '
function fmt(v, u) {
	if (u == "KiB") return sprintf("%.1f KiB", v)
	if (v >= 1e6) return sprintf("%.2f ms", v / 1e6)
	if (v >= 1e3) return sprintf("%.2f µs", v / 1e3)
	return sprintf("%.0f ns", v)
}
function median(list,   a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN {
	nk = split("pread_bar0 pwrite_bar0 pread_zero create_remove_0 " \
		   "create_remove_1000 create_remove_10000 dma_4k_pair " \
		   "dma_1g_map dma_1g_unmap msi_latency mem_per_device", keys, " ")
	label["pread_bar0"] = "pread 1 B of BAR0"
	label["pwrite_bar0"] = "pwrite 1 B to BAR0"
	label["pread_zero"] = "floor: pread 1 B of /dev/zero"
	label["create_remove_0"] = "create+remove via sysfs, 0 other devices"
	label["create_remove_1000"] = "create+remove via sysfs, 1 000 other devices"
	label["create_remove_10000"] = "create+remove via sysfs, 10 000 other devices"
	label["dma_4k_pair"] = "MAP_DMA+UNMAP_DMA 4 KiB (×10 000, per pair)"
	label["dma_1g_map"] = "MAP_DMA 1 GiB"
	label["dma_1g_unmap"] = "UNMAP_DMA 1 GiB"
	label["msi_latency"] = "UART write → MSI eventfd readable"
	label["mem_per_device"] = "kernel memory per idle device (slab+vmalloc, 1 000 devices)"
}
$3 == "RESULT" && $5 != "nan" {
	v[$1, $4] = v[$1, $4] " " $5; unit[$4] = $6
	per[$1, $4, $2] = $5; n[$1, $4]++
}
END {
	print "| workload | upstream | ours | ours/upstream | per-round ratios | rounds |"
	print "|---|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nk; i++) {
		k = keys[i]
		if (!n["upstream", k] || !n["ours", k]) {
			printf "| %s | – | – | – | – | 0 |\n", label[k]
			continue
		}
		u = median(v["upstream", k]); o = median(v["ours", k])
		lo = hi = -1
		for (r = 1; r <= 100; r++) {
			ku = "upstream" SUBSEP k SUBSEP r
			ko = "ours" SUBSEP k SUBSEP r
			if (!(ku in per) || !(ko in per) || per[ku] <= 0)
				continue
			q = per[ko] / per[ku]
			if (lo < 0 || q < lo) lo = q
			if (hi < 0 || q > hi) hi = q
		}
		ratio = 0
		if (u > 0) ratio = o / u
		rounds = n["ours", k]
		if (n["upstream", k] < rounds) rounds = n["upstream", k]
		printf "| %s | %s | %s | **%.2f** | %.2f–%.2f | %d |\n", label[k],
		       fmt(u, unit[k]), fmt(o, unit[k]), ratio, lo, hi, rounds
	}
}' "$out/raw.txt")

qver=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
host="$(nproc) host CPUs, QEMU $qver TCG, guest: $smp vCPU(s), 2 GiB"
block="Produced by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $kver (Debian),
$host;
$rounds rounds, the last $big with 10 000 live devices; $(( $(date +%s) - start )) s in all.
Medians per operation (guest CLOCK_MONOTONIC), median over the rounds.
**TCG times are only comparable as ratios measured in the same boot.**

$table"
echo
echo "$table"
[ -n "$table" ] || { echo "bench: no table" >&2; rc=1; }
if [ -n "$md" ] && [ "$rc" = 0 ]; then
	[ -e "$md" ] || printf '# Benchmarks\n\n<!-- bench-table-begin -->\n<!-- bench-table-end -->\n' > "$md"
	BLOCK=$block awk '
		/^<!-- bench-table-begin -->/ { print; print ENVIRON["BLOCK"]; skip = 1; next }
		/^<!-- bench-table-end -->/ { skip = 0 }
		!skip' "$md" > "$md.tmp" && mv "$md.tmp" "$md"
	echo "bench: table written into $md"
fi
exit "$rc"
