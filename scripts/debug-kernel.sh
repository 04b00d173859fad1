#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (or find in the cache) the debug kernel of `make check-debug`:
# Debian's linux-source-6.1, allnoconfig plus scripts/debug-kernel.config
# (KASAN, SLUB debug, lockdep, kmemleak, debug objects, UBSAN, fault
# injection), bzImage and the module build tree.
#
#   scripts/debug-kernel.sh        prints the kernel tree (a KDIR for
#                                  out-of-tree modules; the image is
#                                  arch/x86/boot/bzImage under it)
#
# Cache: ${MDK_CACHE:-/var/cache/mdevkit}/debug-kernel/<key>/, where key is
# the sha256 of the fragment and the linux-source-6.1 package version: a
# second run, or CI's fresh clone on the same machine, does not rebuild.
# A cache entry is complete when its "ok" stamp exists; an incomplete one
# (an interrupted build) is removed and built again. Concurrent runs wait
# on a lock. A cold build takes ~10 minutes on 2 CPUs.
# Environment: MDK_CACHE, MDK_JOBS (make -j, default 2), LINUX_SOURCE (the
# tarball, default /usr/src/linux-source-6.1.tar.xz).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/scripts/debug-kernel.config
tarball=${LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
jobs=${MDK_JOBS:-2}
cache=${MDK_CACHE:-/var/cache/mdevkit}/debug-kernel

say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

[ -r "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	ver=$(stat -c '%s-%Y' "$tarball")
key=$( (cat "$frag"; echo "linux-source-6.1 $ver") | sha256sum | cut -c1-16)
dir=$cache/$key
tree=$dir/linux-source-6.1
mkdir -p "$cache"
# called from make: do not hand our make's flags to the kernel's
unset MAKEFLAGS MFLAGS MAKELEVEL

exec 9>"$dir.lock"
flock 9
if [ -e "$dir/ok" ]; then
	say "cached: $tree/arch/x86/boot/bzImage"
	echo "$tree"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
say "building in $dir (linux-source-6.1 $ver, -j$jobs, ~10 min)"
say "extracting $tarball"
tar -xJf "$tarball" -C "$dir" linux-source-6.1
cp "$frag" "$dir/fragment.config"

# allnoconfig + fragment; merge_config.sh warns about dropped values but
# does not fail, so check every line of the fragment ourselves.
(cd "$tree" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n \
	"$dir/fragment.config") > "$dir/config.log" 2>&1 ||
	{ tail -20 "$dir/config.log" >&2; die "merge_config.sh failed"; }
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n)
		opt=${line%%=*}
		grep -q "^$opt=" "$tree/.config" && bad=1 &&
			say "requested off, but set: $(grep "^$opt=" "$tree/.config")"
		;;
	CONFIG_*=*)
		grep -qxF "$line" "$tree/.config" ||
			{ bad=1; say "requested $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$tree/.config" || echo unset)"; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$tree/.config" &&
			{ bad=1; say "requested off, but set: $(grep "^$opt=" "$tree/.config")"; }
		;;
	esac
done < "$frag"
[ $bad = 0 ] || die "the .config does not honour $frag (a dependency is missing from the fragment?)"
say "config verified: every line of $(basename "$frag") is in .config"

say "make -j$jobs bzImage modules (log: $dir/build.log)"
if ! make -C "$tree" -j"$jobs" bzImage modules > "$dir/build.log" 2>&1; then
	tail -30 "$dir/build.log" >&2
	die "kernel build failed (log: $dir/build.log)"
fi
[ -r "$tree/arch/x86/boot/bzImage" ] || die "no bzImage"
[ -r "$tree/Module.symvers" ] || die "no Module.symvers"
touch "$dir/ok"
say "built: $tree/arch/x86/boot/bzImage"
echo "$tree"
