#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Cross-build every module for Debian's s390x kernel (make s390x):
# W=1, warnings are errors, against the s390x headers that
# scripts/s390x-env.sh unpacked, with vfio-ccw's private css/cio headers
# from linux-source-6.1. Kbuild builds external modules in their source
# tree, so the build runs in a copy of the sources (build/s390x/kbuild)
# and the amd64 objects of the work tree stay as they are.
#
#   scripts/build-s390x.sh      prints the directory holding the .ko files
# Environment: MDK_JOBS (make -j, default 2).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dst=$top/build/s390x/kbuild
env=$("$top/scripts/s390x-env.sh")
kver=$(cat "$env/kver")
kdir=$env/sysroot/usr/src/linux-headers-$kver

mkdir -p "$dst"
# The kernel sources only; build products of the copy stay for an
# incremental build, except the .ko files, relinked each time so that no
# module gone from Kbuild is booted.
rsync -a --delete --exclude=/build/ --exclude=/.git/ --exclude=/tools/ \
	--exclude=/tests/uapi/ --exclude=/tests/fuzz/ --exclude=/tests/lib/ \
	--exclude=/tests/l2/ --exclude=/tests/vm/ --exclude=/bench/ \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='.*.d' --exclude=modules.order \
	--exclude=Module.symvers "$top/" "$dst/"
find "$dst" -name '*.ko' -delete
# called from make: do not hand our make's flags to the kernel's
unset MAKEFLAGS MFLAGS MAKELEVEL
if ! make -C "$kdir" M="$dst" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
	MDK_CIO_INC="$env/cio" W=1 -j"${MDK_JOBS:-2}" modules \
	> "$dst.log" 2>&1; then
	grep -E 'error|warning|Error' "$dst.log" | head -40 >&2 || tail -40 "$dst.log" >&2
	echo "build-s390x: the s390x build failed (log: $dst.log)" >&2
	exit 1
fi
echo "$dst"
