#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make checkpatch`: run the kernel's checkpatch.pl --strict on every kernel
# source file of the project (modules and headers; not the userspace
# programs). checkpatch.pl and its data files come from Debian's
# linux-source-6.1 package and are extracted once into build/checkpatch/.
# Exit status: non-zero when any file has an error, warning or check.
#   scripts/checkpatch.sh [FILE...]   (default: every kernel file)
#
# Only two deviations from plain checkpatch --strict, both narrow:
# - include/mdevkit/compat.h exists to compare LINUX_VERSION_CODE (an
#   out-of-tree module must build on several kernels): LINUX_VERSION_CODE
#   and the CONSTANT_COMPARISON it triggers in "#if" are ignored there only.
# - UNCOMMENTED_DEFINITION (a lock without a comment) is not reported when
#   the struct's kernel-doc documents that member ("@name: ..."), which is
#   where our locks say what they protect.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
files="checkpatch.pl spelling.txt const_structs.checkpatch"

have=1
for f in $files; do [ -s "$dir/$f" ] || have=0; done
if [ $have = 0 ]; then
	"$top/scripts/deps.sh" checkpatch
	tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | head -1)
	[ -n "$tarball" ] || { echo "checkpatch: no linux-source-6.1 tarball" >&2; exit 2; }
	echo "checkpatch: extracting $files from $tarball" >&2
	mkdir -p "$dir"
	members=""
	for f in $files; do members="$members linux-source-6.1/scripts/$f"; done
	# shellcheck disable=SC2086
	tar -xJf "$tarball" -C "$dir" --strip-components=2 $members
	chmod +x "$dir/checkpatch.pl"
fi

cd "$top"
if [ $# = 0 ]; then
	# iommu/tests is userspace (host unit tests): not kernel style.
	# shellcheck disable=SC2046
	set -- $(find iommu vfio mdev samples tests/kmod include -path iommu/tests -prune -o \
		\( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' \
		! -name '*-user.c' -print | sort)
fi

# Drop UNCOMMENTED_DEFINITION lines for members documented in kernel-doc.
filter() {
	while IFS= read -r l; do
		case $l in
		*:UNCOMMENTED_DEFINITION:*)
			f=${l%%:*}; n=${l#*:}; n=${n%%:*}
			m=$(sed -n "${n}p" "$f" | sed -n 's/.*[ *]\([A-Za-z0-9_]*\);.*/\1/p')
			if [ -n "$m" ] && grep -q "^ \* @$m:" "$f"; then
				continue
			fi ;;
		total:*) continue ;;
		esac
		echo "$l"
	done
}

bad=0 nfiles=0
for f in "$@"; do
	nfiles=$((nfiles + 1))
	ign=""
	case $f in
	include/mdevkit/compat.h) ign="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON" ;;
	esac
	# shellcheck disable=SC2086
	out=$("$dir/checkpatch.pl" --strict --no-tree --color=never \
		--show-types --terse $ign -f "$f" 2>&1 | filter)
	if [ -n "$out" ]; then
		echo "$out"
		bad=$((bad + 1))
	fi
done
echo "checkpatch: $nfiles files, $bad with errors, warnings or checks"
[ $bad = 0 ]
