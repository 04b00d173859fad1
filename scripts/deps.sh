#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages mdevkit needs, if missing. Idempotent and
# quick when everything is there.
#   scripts/deps.sh              build and test (make, make check, make demo)
#   scripts/deps.sh checkpatch   also the kernel source (make checkpatch)
#   scripts/deps.sh debug        also what building the debug kernel needs
#                                (make check-debug)
#   scripts/deps.sh bench        also the kernel source, for upstream's mtty
#                                (make bench)
#   scripts/deps.sh s390x        also the s390x tier (make s390x, make
#                                check): the s390x architecture in dpkg, the
#                                cross compiler and libc, qemu-system-s390x,
#                                the kernel source (vfio-ccw's css/cio
#                                headers); scripts/s390x-env.sh fetches the
#                                s390x kernel, headers and busybox itself
set -e
PKGS="linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
cpio xz-utils gcc make libc6-dev uuid-runtime sparse mdevctl
uuid-dev libpci-dev libjson-c-dev pci.ids"
case ${1:-} in
checkpatch | bench) PKGS="$PKGS linux-source-6.1 perl" ;;
# rsync: check-debug.sh copies the sources for the debug-kernel build
debug) PKGS="$PKGS linux-source-6.1 perl flex bison bc libelf-dev
libssl-dev rsync" ;;
s390x) PKGS="$PKGS linux-source-6.1 rsync qemu-system-misc
gcc-s390x-linux-gnu libc6-dev-s390x-cross binutils-s390x-linux-gnu" ;;
"") ;;
*) echo "usage: $0 [checkpatch|debug|bench|s390x]" >&2; exit 2 ;;
esac
update=""
# apt-get download of s390x packages needs their lists
if [ "${1:-}" = s390x ] &&
   ! dpkg --print-foreign-architectures | grep -qx s390x; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: not root; run: dpkg --add-architecture s390x && apt-get update" >&2
		exit 1
	fi
	echo "deps: adding the s390x architecture" >&2
	dpkg --add-architecture s390x
	update=1
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && [ -z "$update" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; install these packages:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >/dev/null
