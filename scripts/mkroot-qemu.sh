#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Populate a directory tree with what QEMU needs to run *inside* the test
# VM (nested TCG), for `scripts/vm-run.sh -x DIR` to copy into the
# initramfs root:
#
#   bin/qemu-system-x86_64           the binary (the guest's /usr/bin is a
#                                    link to /bin)
#   bin/qemu-bundle -> ..            makes QEMU look for its modules and
#                                    firmware at their host paths
#   lib/..., lib64/ld-linux-*.so.2   every library ldd lists, same paths
#   usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
#                                    Debian's QEMU is modular: no TCG
#                                    without it
#   usr/share/qemu, usr/share/seabios  firmware and option ROMs
#   mdk/l2/payload.elf               the bare-metal L2 payload (make l2)
#   mdk/l2/kernel, mdk/l2/initrd.gz  the Linux L2 guest: the test VM's own
#                                    kernel and a busybox initramfs with
#                                    tests/l2/init
#
# The QEMU part is cached and rebuilt when the qemu-system-x86 package
# version changes; the L2 part is refreshed on every run (it is small).
#
#   scripts/mkroot-qemu.sh [DIR]     (default: build/qemu-root)
# Environment: KVER (kernel release for the L2 guest, default
# scripts/kver.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/qemu-root}
kver=${KVER:-$("$top/scripts/kver.sh")}
qemu=/usr/bin/qemu-system-x86_64
accel=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
payload=$top/build/l2/payload.elf

die() { echo "mkroot-qemu: $*" >&2; exit 1; }
[ -x "$qemu" ] || die "$qemu missing (scripts/deps.sh)"
[ -r "$accel" ] || die "$accel missing"
[ -r "$payload" ] || die "$payload missing (make l2)"
[ -r "/boot/vmlinuz-$kver" ] || die "/boot/vmlinuz-$kver missing"

# Copy each library that ldd lists for the given files to the same path
# under $out, dereferenced (a host symlink into /usr/lib would dangle in
# the guest). Lines: "libz.so.1 => /lib/.../libz.so.1 (0x...)" and
# "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
copy_libs() {
	local libs l

	libs=$(ldd "$@" | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
		-e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u)
	[ -n "$libs" ] || die "ldd $* found nothing"
	for l in $libs; do
		mkdir -p "$out$(dirname "$l")"
		cp -L "$l" "$out$l"
	done
}

stamp="qemu-system-x86 $(dpkg-query -W -f='${Version}' qemu-system-x86)"
if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$out"
	mkdir -p "$out/bin" "$out/usr/share" "$out$(dirname "$accel")"
	cp "$qemu" "$out/bin/"
	# QEMU finds its modules and firmware relative to its own directory
	# (/bin in the guest, where /usr/bin is a link), unless a qemu-bundle
	# directory sits beside the binary: then at qemu-bundle/<host path>.
	ln -s .. "$out/bin/qemu-bundle"
	cp "$accel" "$out$accel"
	copy_libs "$qemu" "$accel"
	cp -a /usr/share/qemu /usr/share/seabios "$out/usr/share/"
	echo "$stamp" > "$out/.stamp"
fi

# The L2 guests. The Linux one relies on 8250_pci being built in (as in
# Debian 12's 6.1 kernel): its initramfs loads no module.
grep -q '^CONFIG_SERIAL_8250_PCI=y' "/boot/config-$kver" 2>/dev/null ||
	echo "mkroot-qemu: warning: $kver lacks CONFIG_SERIAL_8250_PCI=y;" \
		"the Linux L2 guest will not find its serial ports" >&2
l2=$out/mdk/l2
mkdir -p "$l2"
cp "$payload" "$l2/payload.elf"

# The L2 kernel: Debian's bzImage carries an XZ-compressed vmlinux, whose
# decompression alone takes ~45 s under nested TCG. With CONFIG_PVH QEMU
# boots the decompressed ELF directly (PVH entry): extract it once per
# kernel release. Fall back to the bzImage if anything is missing.
kimg=/boot/vmlinuz-$kver
if [ "$(cat "$l2/kernel.src" 2>/dev/null)" != "$kver" ]; then
	rm -f "$l2/kernel" "$l2/kernel.src"
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kimg" | head -n 1 | cut -d: -f1)
	command -v xz >/dev/null || die "xz missing (scripts/deps.sh installs xz-utils)"
	if grep -q '^CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null &&
	   [ -n "$off" ]; then
		# xz stops at the end of the stream; trailing bytes make it
		# complain, so judge the result by its ELF magic.
		tail -c +$((off + 1)) "$kimg" | xz -dc > "$l2/kernel" 2>/dev/null || :
		[ "$(head -c 4 "$l2/kernel" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
			rm -f "$l2/kernel"
	fi
	[ -s "$l2/kernel" ] || cp "$kimg" "$l2/kernel"
	echo "$kver" > "$l2/kernel.src"
fi
ird=$(mktemp -d "${TMPDIR:-/tmp}/mdk-l2.XXXXXX")
trap 'rm -rf "$ird"' EXIT
mkdir -p "$ird"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$ird/bin/busybox"
cp "$top/tests/l2/init" "$ird/init"
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet) | gzip -9 > "$l2/initrd.gz"
