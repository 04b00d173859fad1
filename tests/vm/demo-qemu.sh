#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A narrated demo section (busybox sh, in the test VM): unmodified QEMU
# as the VMM of an mtty-2 device. Create the device, start QEMU with
# -device vfio-pci,sysfsdev=... and the bare-metal payload of tests/l2/,
# show what the guest saw (PCI scan, UART loopback, interrupts), remove
# the device. Loads the modules it needs if they are not loaded and
# unloads those it loaded. Needs QEMU and the payload in the VM:
# scripts/mkroot-qemu.sh, then scripts/vm-run.sh -x build/qemu-root.
# Every command is shown as "$ command" with its output; the first
# failing step ends the demo with a non-zero status.
# shellcheck disable=SC2016 # run() evals its single-quoted commands
TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types
PAYLOAD=/mdk/l2/payload.elf
CON=/tmp/demo-qemu.con

# section, say, run, fail
# shellcheck source=tests/vm/demo-lib.sh
. /mdk/demo-lib.sh

if ! command -v qemu-system-x86_64 >/dev/null || [ ! -r $PAYLOAD ]; then
	fail "no QEMU or payload in the VM (scripts/vm-run.sh -x build/qemu-root)"
fi

section "Q1. Unmodified QEMU as the VMM"
say "QEMU 7.2 from Debian, running inside this VM (TCG in TCG), takes an" \
    "mdev by its sysfs path, exactly as it would take upstream's mtty."
loaded=""
for m in mdk_iommu mdk_vfio mdk_mdev mdk_mtty; do
	if ! grep -q "^$m " /proc/modules; then
		run insmod "$MDK_MODULES/$m.ko"
		loaded="$m $loaded"
	fi
done
run 'qemu-system-x86_64 --version | head -n 1'
run 'UUID=$(cat /proc/sys/kernel/random/uuid)'
run "echo \$UUID > $TYPES/mtty-2/create"
run 'ls /sys/bus/mdev/devices/'

section "Q2. Boot a bare-metal guest with the device"
say "The guest (tests/l2/payload.c, a few KB of C) scans PCI through" \
    "0xCF8/0xCFC, finds the device by its IDs, checks its I/O BARs, runs" \
    "loopback and the 16-byte FIFO on both UART ports, and takes INTx," \
    "then MSI interrupts in real handlers (mtty -> eventfd -> QEMU -> PIC" \
    "or local APIC). It prints on QEMU's debug console and reports through" \
    "isa-debug-exit: exit status 67 means PASS."
echo "\$ qemu-system-x86_64 -accel tcg -m 64 -nodefaults -display none \\"
echo "    -no-reboot -kernel $PAYLOAD -debugcon file:$CON \\"
echo "    -device isa-debug-exit,iobase=0xf4,iosize=4 \\"
echo "    -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/\$UUID"
qemu-system-x86_64 -accel tcg -m 64 -nodefaults -display none \
	-no-reboot -kernel $PAYLOAD -debugcon file:$CON \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$UUID"
status=$?
echo "QEMU exit status: $status"

section "Q3. What the guest saw"
run "cat $CON"
[ $status = 67 ] || fail "the guest did not pass (QEMU exit status $status)"

section "Q4. Remove the device"
say "QEMU has exited and closed the device: it goes at once, with its" \
    "IOMMU group."
run 'GROUP=$(basename $(readlink /sys/bus/mdev/devices/$UUID/iommu_group))'
run 'echo 1 > /sys/bus/mdev/devices/$UUID/remove'
run ls /sys/bus/mdev/devices/
[ -e "/sys/bus/mdev/devices/$UUID" ] && fail "the device is still there"
[ -e "/dev/vfio/$GROUP" ] && fail "/dev/vfio/$GROUP is still there"
for m in $loaded; do
	run rmmod "$m"
done

echo
echo "QEMU demo complete: an unmodified QEMU drove an mdevkit device."
