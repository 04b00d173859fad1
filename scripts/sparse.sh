#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make sparse`: run sparse (C=2: every source file, built or not) over all
# modules, with the same flags as `make` so nothing is rebuilt needlessly.
# Exit status: non-zero when the build fails or sparse reports anything.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-/lib/modules/$("$top/scripts/kver.sh")/build}
command -v sparse >/dev/null || { echo "sparse: not installed (scripts/deps.sh)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
make -C "$kdir" M="$top" W=1 C=2 modules >"$out" 2>&1
rc=$?
cat "$out"
n=$(grep -Ec ': (warning|error): ' "$out")
echo "sparse: $n report(s)"
[ "$rc" = 0 ] && [ "$n" = 0 ]
