#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel release to build and boot: the newest installed Debian
# 6.1 amd64 kernel that has both its image and its headers. Override with
# KVER=... on the make command line.
series=${1:-6.1}
for d in $(ls -d /lib/modules/"$series".*-amd64 2>/dev/null | sort -V -r); do
	v=${d##*/}
	if [ -e "$d/build/Makefile" ] && [ -e "/boot/vmlinuz-$v" ]; then
		echo "$v"
		exit 0
	fi
done
echo "kver: no Debian $series amd64 kernel with headers installed" >&2
exit 1
