#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make sparse`: run sparse (C=2: every source file, built or not) over all
# modules, with the same flags as `make` so nothing is rebuilt needlessly;
# then over the s390x build (build/s390x/kbuild, see build-s390x.sh), which
# includes vfio-ccw.
#   scripts/sparse.sh [amd64|s390x]    (default: both)
# Exit status: non-zero when a build fails or sparse reports anything.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
command -v sparse >/dev/null || { echo "sparse: not installed (scripts/deps.sh)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
case ${1:-both} in
amd64 | both)
	kdir=${KDIR:-/lib/modules/$("$top/scripts/kver.sh")/build}
	make -C "$kdir" M="$top" W=1 C=2 modules >"$out" 2>&1 || rc=1
	;;
esac
case ${1:-both} in
s390x | both)
	dst=$("$top/scripts/build-s390x.sh") || exit 1
	env=$("$top/scripts/s390x-env.sh") || exit 1
	kdir=$env/sysroot/usr/src/linux-headers-$(cat "$env/kver")
	# called from make: do not hand our make's flags to the kernel's
	unset MAKEFLAGS MFLAGS MAKELEVEL
	make -C "$kdir" M="$dst" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		MDK_CIO_INC="$env/cio" W=1 C=2 modules >>"$out" 2>&1 || rc=1
	;;
esac
cat "$out"
n=$(grep -Ec ': (warning|error): ' "$out")
echo "sparse: $n report(s)"
[ "$rc" = 0 ] && [ "$n" = 0 ]
