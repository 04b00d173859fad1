#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the Debian kernel under QEMU/TCG with a busybox initramfs holding
# mdevkit's modules and test programs, run one guest script, power off.
#
#   scripts/vm-run.sh [options] GUEST_SCRIPT [ARGS...]
#     -t SECONDS   wall-clock limit for the whole boot (default 600)
#     -m MiB       guest memory (default 1024)
#     -s N         guest CPUs (default 2)
#     -a ARGS      extra kernel command line
#     -l FILE      kernel console log (default build/vm/console.log)
#     -k KVER      kernel release (default: $KVER, else scripts/kver.sh)
#     -K BZIMAGE   boot this kernel image instead of /boot/vmlinuz-KVER
#     -M DIR       take our modules (*.ko) from DIR, not from the work tree
#     -D DIR       take the vfio/mdev modules for $MDK_DISTRO from DIR
#     -v           also stream the kernel console to stderr
#     -x DIR       copy DIR's tree into the initramfs root (repeatable)
#     -A ARCH      amd64 (default) or s390x
#     -q ARGS      extra QEMU arguments (devices the test needs)
#
# In the guest: modules in $MDK_MODULES (/mdk/modules), the distribution's
# vfio/mdev modules in $MDK_DISTRO (/mdk/distro), build/tests/* in
# /mdk/tests and build/bin/* in /mdk/bin (both on PATH), tests/vm/*.sh in
# /mdk; the script runs as /mdk/run.sh with ARGS. $MDK_ARCH is the
# architecture.
#
# -A s390x boots Debian's s390x kernel (scripts/s390x-env.sh) on
# qemu-system-s390x -M s390-ccw-virtio; the modules default to
# build/s390x/kbuild, the programs to build/s390x/tests and
# build/s390x/bin, busybox is busybox-static:s390x. -nodefaults leaves the
# machine without I/O subchannels but the runner's own: add devices with
# -q (e.g. -q "-device virtio-rng-ccw,devno=fe.0.0001").
#
# The guest script's output (stdout and stderr) travels over its own
# channel (amd64: a second serial port, ttyS1; s390x: the SCLP VT220
# console, ttysclp0) so that kernel messages on the console (ttyS0: a
# serial port, or SCLP's line-mode console) do not interleave with it (on
# s390x warnings still do, see below); it is printed on our stdout as it
# arrives. (On s390x the boot console
# writes to the VT220 until the line-mode console takes over: what
# arrives there before the guest's first line goes to CONSOLE-early.log.)
#
# The guest may act on its own machine through QEMU's monitor: a line
# "MDK-MONITOR: COMMAND" in its output makes the runner send COMMAND
# (an HMP command such as "device_del net0") to QEMU. The monitor's
# replies go to the console log's name with -monitor.log for .log.
#
# Exit status: the guest script's, or 124 on time-out, or 125 when the
# kernel printed a panic, oops, BUG or WARN (the boot uses
# panic_on_warn=1 oops=panic), or 126 when the guest never reached /init.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
timeout=600 mem=1024 smp=2 extra="" verbose=0
log=$top/build/vm/console.log
kver="" kimg="" moddir="" distrodir="" arch=amd64 qargs=""
xdirs=()
while getopts "t:m:s:a:l:k:K:M:D:vx:A:q:" o; do
	case $o in
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) smp=$OPTARG ;;
	a) extra=$OPTARG ;;
	l) log=$OPTARG ;;
	k) kver=$OPTARG ;;
	K) kimg=$OPTARG ;;
	M) moddir=$OPTARG ;;
	D) distrodir=$OPTARG ;;
	v) verbose=1 ;;
	x) xdirs+=("$OPTARG") ;;
	A) arch=$OPTARG ;;
	q) qargs=$OPTARG ;;
	*) sed -n '4,49p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [options] GUEST_SCRIPT [ARGS...]" >&2; exit 2; }
script=$1
shift
# What differs between the architectures: the emulator and machine, the
# kernel console, the output channel, where kernel, busybox and our
# programs come from.
case $arch in
amd64)
	[ -n "$kver" ] || kver=${KVER:-}
	[ -n "$kver" ] || kver=$("$top/scripts/kver.sh") || exit 2
	[ -n "$kimg" ] || kimg=/boot/vmlinuz-$kver
	qemu=(qemu-system-x86_64 -accel tcg -cpu max)
	console=ttyS0 outdev=ttyS1 panicarg=-1
	conargs=(-serial "file:$log")
	outargs=(-serial stdio)
	busybox=/bin/busybox
	progs=$top/build
	modtop=$top
	;;
s390x)
	env=$("$top/scripts/s390x-env.sh") || exit 2
	[ -n "$kver" ] || kver=$(cat "$env/kver")
	[ -n "$kimg" ] || kimg=$env/sysroot/boot/vmlinuz-$kver
	qemu=(qemu-system-s390x -M s390-ccw-virtio -accel tcg -cpu max)
	# The kernel console is SCLP's line-mode console (ttyS0), the output
	# channel the VT220 console (ttysclp0): both built into the kernel.
	# The VT220 stays a kernel console too (6.1 always registers it), so
	# messages at the console loglevel (warnings and worse) also reach
	# the output: whole lines, which no TAP parser takes for results.
	# panic=1: a second for the SCLP console to deliver the panic report.
	console=ttyS0 outdev=ttysclp0 panicarg=1
	conargs=(-device sclplmconsole,chardev=mdkcon
		 -chardev "file,id=mdkcon,path=$log")
	outargs=(-serial stdio)
	busybox=$env/sysroot/bin/busybox
	progs=$top/build/s390x
	modtop=$top/build/s390x/kbuild
	;;
*) echo "vm-run: unknown architecture $arch" >&2; exit 2 ;;
esac
[ -r "$kimg" ] || { echo "vm-run: $kimg missing" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mdk-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,root} "$root"/mdk/{modules,distro,tests,bin}
mkdir -p "$(dirname "$log")"

# busybox and its applets (not "busybox" itself: it would overwrite the
# binary). The host's busybox lists them: Debian builds busybox-static
# with one configuration for every architecture.
cp "$busybox" "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
ln -s bin "$root/sbin"
mkdir -p "$root/usr"; ln -s ../bin "$root/usr/bin"; ln -s ../bin "$root/usr/sbin"

# our modules, the test programs and scripts
find "${moddir:-$modtop}" -path "$top/build" -prune -o -name '*.ko' -print |
	while read -r ko; do cp "$ko" "$root/mdk/modules/"; done
[ -d "$progs/tests" ] && cp -r "$progs/tests/." "$root/mdk/tests/"
[ -d "$progs/bin" ] && cp -r "$progs/bin/." "$root/mdk/bin/"
# build/bin/mdk is linked dynamically (Debian 12 has no static libpci):
# its shared libraries, and the PCI ID database it names devices from
for b in "$root"/mdk/bin/*; do
	[ "$arch" = amd64 ] || break
	ldd "$b" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
	done
done
if [ -r /usr/share/misc/pci.ids ]; then
	mkdir -p "$root/usr/share/misc"
	cp /usr/share/misc/pci.ids "$root/usr/share/misc/"
fi
cp "$top"/tests/vm/*.sh "$root/mdk/" 2>/dev/null
# the distribution's own vfio/mdev modules, for conflict tests
for m in vfio/vfio.ko vfio/vfio_iommu_type1.ko vfio/mdev/mdev.ko; do
	f=/lib/modules/$kver/kernel/drivers/$m
	[ -z "$distrodir" ] || f=$distrodir/$(basename "$m")
	[ -e "$f" ] && cp "$f" "$root/mdk/distro/"
done
for x in "${xdirs[@]}"; do
	cp -a "$x/." "$root/" || { echo "vm-run: cannot copy $x" >&2; exit 2; }
done
cp "$script" "$root/mdk/run.sh"
printf '%s\n' "$@" > "$root/mdk/args"

{
cat <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
INIT
echo "exec </dev/null >/dev/$outdev 2>&1"
echo "stty -F /dev/$outdev -onlcr raw 2>/dev/null"
echo "export MDK_ARCH=$arch"
cat <<'INIT'
echo "MDK-BOOTED"
cd /mdk
export PATH=/mdk/bin:/mdk/tests:/bin MDK_MODULES=/mdk/modules MDK_DISTRO=/mdk/distro
set --
while read -r a; do set -- "$@" "$a"; done < /mdk/args
sh /mdk/run.sh "$@"
echo "MDK-EXIT: $?"
sync
poweroff -f
INIT
} > "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd"

append="console=$console panic=$panicarg oops=panic panic_on_warn=1 loglevel=5"
append="$append log_buf_len=4M printk.time=1 $extra"
out=$work/out
early=${log%.log}-early.log
: > "$log"
: > "$early"
if [ $verbose = 1 ]; then
	tail -F -n +1 "$log" 2>/dev/null >&2 &
	tailpid=$!
fi
# The monitor: two FIFOs that QEMU opens itself (pipe chardev); its
# replies are drained into monitor.log so that QEMU never blocks on them.
mon=$work/mon
mkfifo "$mon.in" "$mon.out"
monlog=${log%.log}-monitor.log
cat "$mon.out" > "$monlog" &
catpid=$!
# read-write: opening never blocks, and writes cannot block on a QEMU
# that has exited meanwhile
exec {monfd}<>"$mon.in"
# shellcheck disable=SC2086
timeout --foreground -k 5 "$timeout" "${qemu[@]}" \
	-smp "$smp" -m "$mem" -nodefaults -display none -no-reboot \
	-kernel "$kimg" -initrd "$work/initrd" -append "$append" \
	-monitor "pipe:$mon" "${conargs[@]}" "${outargs[@]}" $qargs \
	</dev/null |
	while IFS= read -r line; do
		line=${line//$'\r'/}
		# s390x: the early console shares the output channel until
		# the real console takes over; that part is kernel log
		if [ ! -e "$out" ]; then
			case $line in
			MDK-BOOTED) ;;
			*) printf '%s\n' "$line" >> "$early"; continue ;;
			esac
		fi
		printf '%s\n' "$line"
		printf '%s\n' "$line" >> "$out"
		case $line in
		"MDK-MONITOR: "*) printf '%s\n' "${line#MDK-MONITOR: }" >&"$monfd" ;;
		esac
	done
qrc=${PIPESTATUS[0]}
exec {monfd}>&-
kill "$catpid" 2>/dev/null
[ $verbose = 1 ] && kill "$tailpid" 2>/dev/null

panic='^\[ *[0-9]+\.[0-9]+\] (Kernel panic|BUG:|Oops|WARNING: CPU:|general protection|UBSAN:|KASAN:|kernel BUG)'
if grep -Eq "$panic" "$early" "$log"; then
	echo "vm-run: the kernel failed (see $log):" >&2
	grep -hE -A30 "$panic" "$early" "$log" | head -60 >&2
	exit 125
fi
if [ "$qrc" = 124 ]; then
	echo "vm-run: time-out after ${timeout}s (console: $log)" >&2
	tail -20 "$log" >&2
	exit 124
fi
grep -qs '^MDK-BOOTED' "$out" || {
	echo "vm-run: guest never reached /init" >&2
	tail -20 "$early" "$log" >&2
	exit 126
}
rc=$(sed -n 's/^MDK-EXIT: \([0-9]*\)$/\1/p' "$out" | tail -1)
[ -n "$rc" ] || { echo "vm-run: guest script did not finish (console: $log)" >&2; exit 126; }
exit "$rc"
