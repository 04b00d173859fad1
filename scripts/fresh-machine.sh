#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The fresh-machine check (`make fresh-check`): run the README's commands
# from a clone of this tree in a brand-new Debian 12 root, so that a
# command or package that only the developer's machine has shows up as a
# failure here rather than in CI on a new machine.
#
#   scripts/fresh-machine.sh [-c] [-t SECONDS] [COMMAND...]
#     COMMAND   what to run in the clone (default: CI=true bash .ci/run,
#               i.e. make check then make check-debug)
#     -c        share the host's /var/cache/mdevkit (the cached debug
#               kernel) instead of starting with an empty cache: faster,
#               but a missing debug-kernel build dependency goes unseen
#     -t SECS   time limit of COMMAND (default 5400, CI's 90 minutes)
#
# 1. The root: `debootstrap --variant=minbase bookworm` plus what every
#    machine of this kind starts with and the project may rely on (gcc,
#    make, git, ca-certificates; see BASE below), with the host's Debian
#    apt sources (bookworm, -updates, -security). Built once and cached as
#    a tarball in ${MDK_CACHE:-/var/cache/mdevkit}/fresh-root/<key>.tar,
#    keyed by BASE and the sources; every run starts from a new copy.
# 2. The clone: HEAD plus uncommitted changes to tracked files (`git stash
#    create`; untracked files are not taken), cloned into /root/mdevkit
#    of the root, as `git clone` on a new machine would give.
# 3. The run: a private mount namespace (unshare) with /proc, /sys, /dev
#    and /dev/pts mounted in the root, chroot, COMMAND as root. The mounts
#    vanish with the namespace, however the run ends.
#
# Output: COMMAND's, then "fresh-machine: COMMAND exited with N". Exit
# status: COMMAND's (124 on time-out). The root is kept in
# build/fresh/root until the next run, for a post-mortem.
# Needs root (debootstrap, chroot, mounts).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
share_cache=0 limit=5400
while getopts "ct:" o; do
	case $o in
	c) share_cache=1 ;;
	t) limit=$OPTARG ;;
	*) sed -n '9,16p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- sh -c 'CI=true bash .ci/run'

say() { echo "fresh-machine: $*" >&2; }
die() { say "$*"; exit 2; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"

# What a new machine of this kind has beyond Debian's minimal base and
# that the README may take for granted: a compiler, make and git (the
# README starts from `git clone`). Keep this list short and honest: every
# package added here is one the project is allowed to not install.
BASE="gcc make git ca-certificates"
SUITE=bookworm
MIRROR=http://deb.debian.org/debian

cache=${MDK_CACHE:-/var/cache/mdevkit}
work=$top/build/fresh
root=$work/root

# The host's Debian sources (the project installs from bookworm-security
# too, e.g. the 6.12 kernel); third-party repositories are left out.
sources=$(grep -lsE 'deb\.debian\.org|security\.debian\.org' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources || true)
[ -n "$sources" ] || die "no Debian apt source found in /etc/apt"

key=$( (echo "$SUITE $MIRROR $BASE"; cat $sources) | sha256sum | cut -c1-16)
tarball=$cache/fresh-root/$key.tar
mkdir -p "$cache/fresh-root" "$work"

if [ ! -s "$tarball" ]; then
	command -v debootstrap >/dev/null || {
		say "installing debootstrap"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o DPkg::Lock::Timeout=900 update -qq
		apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
			--no-install-recommends debootstrap >/dev/null
	}
	say "building a Debian $SUITE root (minbase + $BASE), once"
	rm -rf "$root"
	debootstrap --variant=minbase --include="${BASE// /,}" \
		"$SUITE" "$root" "$MIRROR" > "$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
	rm -f "$root"/etc/apt/sources.list
	for s in $sources; do cp "$s" "$root/etc/apt/sources.list.d/"; done
	# no package lists: a new machine runs apt-get update first too
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi

say "fresh root from $tarball"
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# The clone: HEAD with the working tree's changes to tracked files.
rev=$(cd "$top" && git stash create)
[ -n "$rev" ] || rev=$(cd "$top" && git rev-parse HEAD)
git clone -q --no-checkout "$top" "$root/root/mdevkit"
(cd "$root/root/mdevkit" && git fetch -q "$top" "$rev" &&
	git checkout -q --detach "$rev")
say "clone of $(cd "$top" && git rev-parse --short HEAD)$( [ "$rev" = "$(cd "$top" && git rev-parse HEAD)" ] || echo ' + uncommitted changes') in /root/mdevkit"

if [ $share_cache = 1 ]; then
	mkdir -p "$root/var/cache/mdevkit"
	say "sharing the host's $cache (-c)"
fi

say "running: $*"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$limit" unshare --mount --propagation private \
	/bin/sh -c '
	root=$1 share=$2 cache=$3; shift 3
	mount -t proc proc "$root/proc" &&
	mount -t sysfs sysfs "$root/sys" &&
	mount --rbind /dev "$root/dev" &&
	mount -t tmpfs tmpfs "$root/tmp" || exit 2
	[ "$share" = 0 ] || mount --bind "$cache" "$root/var/cache/mdevkit" ||
		exit 2
	exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd /root/mdevkit && exec \"\$@\"" sh "$@"
	' sh "$root" "$share_cache" "$cache" "$@"
rc=$?
set -e
say "$* exited with $rc after $(( $(date +%s) - start )) s (root kept in $root)"
exit "$rc"
