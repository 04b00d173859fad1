#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare, once, what the s390x tier needs beyond the packages an amd64
# machine can install (scripts/deps.sh s390x installs those: the cross
# compiler, qemu-system-s390x, linux-source-6.1), and print the directory
# holding it:
#
#   sysroot/boot/vmlinuz-KVER         Debian's s390x kernel (linux-image)
#   sysroot/usr/src/linux-headers-KVER  the s390x headers: KDIR for our
#                                     modules (its Makefile and kbuild
#                                     links point inside the sysroot)
#   sysroot/bin/busybox               busybox-static:s390x
#   cio/                              include directory with the private
#                                     css/cio headers (drivers/s390/cio/
#                                     *.h) of Debian's linux-source-6.1
#   qemu-root/                        qemu-system-s390x, the libraries it
#                                     needs and the s390-ccw firmware, for
#                                     the nested L2 guest (a tree for
#                                     scripts/vm-run.sh -x)
#   kver                              the kernel release, e.g. 6.1.0-50-s390x
#
#   scripts/s390x-env.sh              prints the directory
#   scripts/s390x-env.sh kver|kdir|kimg|cio|qemu-root   prints one path
#
# Why not apt-get install: on an amd64 machine the resolver answers an
# install of the s390x headers or of busybox-static:s390x by removing the
# host's gcc and amd64 headers. The packages are fetched with apt-get
# download and unpacked with dpkg -x into the cache instead; nothing of
# the host's package state changes.
#
# Cache: ${MDK_CACHE:-/var/cache/mdevkit}/s390x/<key>/, key = the versions
# of every package used; complete when its "ok" stamp exists. Concurrent
# runs wait on a lock. Cold: ~100 MB of downloads and ~1 min of unpacking.
set -eu
cache=${MDK_CACHE:-/var/cache/mdevkit}/s390x
tarball=${LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}

say() { echo "s390x-env: $*" >&2; }
die() { say "$*"; exit 1; }

case ${1:-} in
"" | kver | kdir | kimg | cio | qemu-root) ;;
*) die "usage: $0 [kver|kdir|kimg|cio|qemu-root]" ;;
esac

dpkg --print-foreign-architectures | grep -qx s390x ||
	die "the s390x architecture is not enabled (scripts/deps.sh s390x)"
[ -r "$tarball" ] || die "$tarball missing (scripts/deps.sh s390x)"

# The newest s390x kernel the archive has, through the meta-package.
candidate() {
	LC_ALL=C apt-cache policy "$1" 2>/dev/null |
		sed -n 's/^ *Candidate: \(.*\)$/\1/p' | grep -v '(none)'
}
kpkg=$(LC_ALL=C apt-cache depends linux-image-s390x:s390x 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-s390x\)\(:s390x\)\?$/\1/p' |
	head -n 1)
[ -n "$kpkg" ] || die "no linux-image-s390x in the package lists (apt-get update?)"
kver=${kpkg#linux-image-}
kpver=$(candidate "$kpkg:s390x") || die "no version of $kpkg:s390x"
common=linux-headers-${kver%-s390x}-common
bbver=$(candidate busybox-static:s390x) || die "no busybox-static:s390x"
qver=$(candidate qemu-system-misc:s390x) || die "no qemu-system-misc:s390x"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed (scripts/deps.sh s390x)"
key=$(printf '%s\n' "layout 3" "$kpkg $kpver" "busybox $bbver" \
	"qemu $qver" "linux-source $srcver" | sha256sum | cut -c1-16)
dir=$cache/$key

mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
if [ ! -e "$dir/ok" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/sysroot" "$dir/cio" "$dir/qdebs" "$dir/qx"
	say "preparing $dir ($kpkg $kpver, busybox $bbver, qemu $qver)"
	cd "$dir/debs"
	apt-get -o DPkg::Lock::Timeout=900 download -q "$kpkg:s390x" \
		"linux-headers-$kver:s390x" "$common" busybox-static:s390x \
		>/dev/null 2>"$dir/download.log" ||
		{ cat "$dir/download.log" >&2; die "apt-get download failed"; }
	for d in *.deb; do dpkg -x "$d" "$dir/sysroot"; done
	# the tests load no module of the kernel's own
	rm -rf "$dir/sysroot/lib/modules" "$dir/debs"

	# The headers name the common tree by its absolute /usr/src path and
	# reach the kbuild scripts through ../../lib/linux-kbuild-6.1: keep
	# both inside the sysroot, the latter a link to the host's (amd64)
	# kbuild, which builds for any architecture.
	h=$dir/sysroot/usr/src/linux-headers-$kver
	[ -e "$h/Makefile" ] || die "$h/Makefile missing"
	echo "include $dir/sysroot/usr/src/$common/Makefile" > "$h/Makefile"
	[ -d /usr/lib/linux-kbuild-6.1/scripts ] ||
		die "/usr/lib/linux-kbuild-6.1 missing (linux-kbuild-6.1)"
	mkdir -p "$dir/sysroot/usr/lib"
	ln -sfn /usr/lib/linux-kbuild-6.1 "$dir/sysroot/usr/lib/linux-kbuild-6.1"

	# The private css/cio headers a subchannel driver needs. They are the
	# same in every 6.1 stable release so far; the module checks the
	# layout it was built with against the running kernel at probe time.
	say "extracting drivers/s390/cio/*.h from $tarball"
	tar -xJf "$tarball" -C "$dir/cio" --strip-components=1 --wildcards \
		'linux-source-6.1/drivers/s390/cio/*.h'
	[ -r "$dir/cio/drivers/s390/cio/css.h" ] || die "no css.h in $tarball"

	# qemu-system-s390x for the nested guest: the package and its library
	# dependencies, then only the shared objects the binary needs (its
	# ELF NEEDED closure, read with the cross binutils).
	cd "$dir/qdebs"
	LC_ALL=C apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		qemu-system-misc:s390x 2>/dev/null | grep -v '^ ' |
		grep -E '^(lib[^ ]*|zlib1g|qemu-system-misc):s390x$' |
		sort -u > "$dir/qemu-packages"
	# shellcheck disable=SC2046
	apt-get -o DPkg::Lock::Timeout=900 download -q \
		$(cat "$dir/qemu-packages") >/dev/null 2>>"$dir/download.log" ||
		{ cat "$dir/download.log" >&2; die "apt-get download (qemu) failed"; }
	for d in *.deb; do dpkg -x "$d" "$dir/qx"; done
	q=$dir/qemu-root
	mkdir -p "$q/bin" "$q/usr/share/qemu"
	cp "$dir/qx/usr/bin/qemu-system-s390x" "$q/bin/"
	# QEMU looks for its firmware relative to its own directory (/bin in
	# the guest, where /usr/bin is a link), or, when a qemu-bundle
	# directory sits beside the binary, at qemu-bundle/<its host path>
	ln -s .. "$q/bin/qemu-bundle"
	# the machine's firmware blobs (architecture independent)
	cp "$dir"/qx/usr/share/qemu/s390-*.img "$q/usr/share/qemu/" 2>/dev/null ||
		cp /usr/share/qemu/s390-*.img "$q/usr/share/qemu/"
	todo="bin/qemu-system-s390x"
	seen=" "
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1
		shift
		todo="$*"
		for n in $(s390x-linux-gnu-readelf -d "$q/$f" |
			   sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			src=$(find "$dir/qx/lib" "$dir/qx/usr/lib" -name "$n" \
				\( -type f -o -type l \) 2>/dev/null | head -n 1)
			[ -n "$src" ] || die "qemu-system-s390x needs $n: not found"
			rel=lib/s390x-linux-gnu/$n
			mkdir -p "$q/lib/s390x-linux-gnu"
			cp -L "$src" "$q/$rel"
			todo="$todo $rel"
		done
	done
	# the dynamic loader, named in the binary's PT_INTERP
	interp=$(s390x-linux-gnu-readelf -l "$q/bin/qemu-system-s390x" |
		sed -n 's/.*interpreter: \(.*\)\]/\1/p')
	[ -n "$interp" ] || die "no interpreter in qemu-system-s390x"
	mkdir -p "$q$(dirname "$interp")"
	cp -L "$dir/qx$interp" "$q$interp" 2>/dev/null ||
		cp -L "$(find "$dir/qx" -name "$(basename "$interp")" | head -n 1)" \
			"$q$interp"
	rm -rf "$dir/qx" "$dir/qdebs"
	echo "$kver" > "$dir/kver"
	touch "$dir/ok"
	say "ready: $dir"
fi

case ${1:-} in
"") echo "$dir" ;;
kver) echo "$kver" ;;
kdir) echo "$dir/sysroot/usr/src/linux-headers-$kver" ;;
kimg) echo "$dir/sysroot/boot/vmlinuz-$kver" ;;
cio) echo "$dir/cio" ;;
qemu-root) echo "$dir/qemu-root" ;;
esac
