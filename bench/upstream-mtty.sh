#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build upstream's mtty sample for `make bench`: extract
# samples/vfio-mdev/mtty.c from Debian's linux-source-6.1 tarball into
# OUTDIR (never into the source tree), raise its compile-time port pool
# (MAX_MTTYS, 24 upstream) so that 10 000 devices fit, and build it
# against KDIR. Prints the path of mtty.ko.
#   bench/upstream-mtty.sh OUTDIR KDIR [MAX_MTTYS]
set -eu
out=$1 kdir=$2 pool=${3:-24000}
tarball=${MDK_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
member=linux-source-6.1/samples/vfio-mdev/mtty.c
[ -r "$tarball" ] || {
	echo "upstream-mtty: $tarball missing (apt-get install linux-source-6.1)" >&2
	exit 1
}
mkdir -p "$out"
# The extraction decodes the whole tarball (~10 s): keep the copy.
if [ ! -s "$out/mtty.c.orig" ] || [ "$tarball" -nt "$out/mtty.c.orig" ]; then
	tmp=$(mktemp -d)
	tar -xJf "$tarball" -C "$tmp" "$member"
	mv "$tmp/$member" "$out/mtty.c.orig"
	touch "$out/mtty.c.orig"	# tar kept the file's old date
	rm -rf "$tmp"
fi
# Its only instance limit is the shared port pool.
grep -q '^#define MAX_MTTYS[[:space:]]*24$' "$out/mtty.c.orig" || {
	echo "upstream-mtty: MAX_MTTYS not found as expected in mtty.c" >&2
	exit 1
}
sed "s/^#define MAX_MTTYS[[:space:]]*24\$/#define MAX_MTTYS\t$pool/" \
	"$out/mtty.c.orig" > "$out/mtty.c.new"
# unchanged: keep its date, so that make does not rebuild
if cmp -s "$out/mtty.c.new" "$out/mtty.c" 2>/dev/null; then
	rm "$out/mtty.c.new"
else
	mv "$out/mtty.c.new" "$out/mtty.c"
fi
# shellcheck disable=SC2016 # a make variable, not a shell one
echo 'obj-$(CONFIG_SAMPLE_VFIO_MDEV_MTTY) += mtty.o' > "$out/Kbuild"
make -s -C "$kdir" M="$(cd "$out" && pwd)" CONFIG_SAMPLE_VFIO_MDEV_MTTY=m \
	modules >&2
echo "$out/mtty.ko"
