#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Populate a directory tree with what Debian's mdevctl needs inside the
# test VM, for `scripts/vm-run.sh -x DIR` to copy into the initramfs root:
#
#   bin/mdevctl, bin/lsmdev -> mdevctl    the binary (the guest's /usr/bin
#                                         and /usr/sbin are links to /bin)
#   lib/..., lib64/ld-linux-x86-64.so.2   every library ldd lists, at the
#                                         same path, and the loader
#   etc/mdevctl.d/scripts.d/callouts      mdevctl refuses to run without
#   etc/mdevctl.d/scripts.d/notifiers     these two directories
#
# mdevctl needs nothing else at run time: it reads /sys and /proc/self,
# writes /etc/mdevctl.d and calls no helper program (no udevadm). Only
# its autostart on parent registration (start-parent-mdevs from a udev
# rule) needs udev, which the busybox guest does not have.
#
#   scripts/mkroot-mdevctl.sh [DIR]     (default: build/mdevctl-root)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/mdevctl-root}
bin=$(command -v mdevctl 2>/dev/null || true)
if [ -z "$bin" ]; then
	echo "mkroot-mdevctl: mdevctl is not installed (scripts/deps.sh)" >&2
	exit 1
fi
bin=$(readlink -f "$bin")

rm -rf "$out"
mkdir -p "$out/bin" "$out/etc/mdevctl.d/scripts.d/callouts" \
	"$out/etc/mdevctl.d/scripts.d/notifiers"
cp "$bin" "$out/bin/mdevctl"
ln -s mdevctl "$out/bin/lsmdev"

# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and
# "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
libs=$(ldd "$bin" | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
	-e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p')
[ -n "$libs" ] || { echo "mkroot-mdevctl: ldd $bin found nothing" >&2; exit 1; }
for l in $libs; do
	# Same path as on the host, contents dereferenced: the guest has no
	# /usr/lib, so a host symlink into it would dangle there.
	mkdir -p "$out$(dirname "$l")"
	cp -L "$l" "$out$l"
done
