#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make demo` (busybox sh): a narrated tour of mdevkit.
# Load the modules, look at the mtty parent and its types, create a
# device by UUID, look at it in sysfs and /dev/vfio, drive it through the
# VFIO UAPI with mtty-user, remove it, unload. Every command is shown as
# "$ command" followed by its output; the first failing step ends the demo
# with a non-zero status.
TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types

# section, say, run, fail
# shellcheck source=tests/vm/demo-lib.sh
. /mdk/demo-lib.sh

section "1. Load the modules"
say "mdk_iommu is the (software) PASID-capable IOMMU layer mdk_vfio builds on;" \
    "mdk_vfio provides /dev/vfio/vfio and the VFIO UAPI, mdk_mdev the mdev" \
    "bus and its sysfs files, mdk_mtty a sample vendor driver: virtual" \
    "16550 serial ports."
for m in mdk_iommu mdk_vfio mdk_mdev mdk_mtty; do
	run insmod "$MDK_MODULES/$m.ko"
done
run "lsmod | grep '^mdk_'"
run ls -l /dev/vfio/

section "2. The parent device and the types it offers"
say "A parent registers with mdk_mdev; it appears under /sys/class/mdev_bus." \
    "Each type says what it creates and how many more instances fit."
run ls -l /sys/class/mdev_bus/
run cd $TYPES
run ls
run grep . '*/name' '*/available_instances' '*/device_api' '*/description'
avail=$(cat $TYPES/mtty-2/available_instances)

section "3. Create an mtty-2 device (two serial ports)"
say "A device is created by writing a new UUID to the type's create file."
run 'UUID=$(cat /proc/sys/kernel/random/uuid)'
run echo '$UUID'
run "echo \$UUID > $TYPES/mtty-2/create"

section "4. The new device"
say "It lives on the mdev bus, bound to its vendor driver, in an IOMMU group" \
    "of its own: /dev/vfio/N is the handle userspace opens."
run 'ls -l /sys/bus/mdev/devices/$UUID/'
run 'readlink /sys/bus/mdev/devices/$UUID/mdev_type'
run 'readlink /sys/bus/mdev/devices/$UUID/iommu_group'
run 'readlink /sys/bus/mdev/devices/$UUID/driver'
run 'GROUP=$(basename $(readlink /sys/bus/mdev/devices/$UUID/iommu_group))'
run 'ls -l /dev/vfio/$GROUP'
run cat $TYPES/mtty-2/available_instances
[ "$(cat $TYPES/mtty-2/available_instances)" = $((avail - 1)) ] ||
	fail "available_instances did not drop by one"

section "5. Use it through VFIO"
say "mtty-user does what QEMU does with an mdev: container, group, device fd," \
    "regions and interrupts; then it sends a message through the UART's" \
    "loopback, one interrupt per byte (MSI first, then the same with INTx)."
run 'mtty-user $UUID "Hello from VFIO"'
run 'mtty-user -i intx $UUID "and INTx too"'

section "6. Remove the device"
run 'echo 1 > /sys/bus/mdev/devices/$UUID/remove'
run ls /sys/bus/mdev/devices/
[ -e "/sys/bus/mdev/devices/$UUID" ] && fail "the device is still there"
[ -e "/dev/vfio/$GROUP" ] && fail "/dev/vfio/$GROUP is still there"
run ls /dev/vfio/
run cat $TYPES/mtty-2/available_instances
[ "$(cat $TYPES/mtty-2/available_instances)" = "$avail" ] ||
	fail "available_instances is not back to $avail"

section "7. Unload the modules"
run cd /
for m in mdk_mtty mdk_mdev mdk_vfio mdk_iommu; do
	run rmmod "$m"
done
grep -q '^mdk_' /proc/modules && fail "a module is still loaded"

# 8. Hand a device to unmodified QEMU and look at it from the guest.
sh /mdk/demo-qemu.sh || fail "the QEMU section failed"

echo
echo "Demo complete: created, used and removed an mdev through VFIO, and"
echo "handed one to unmodified QEMU, whose guest drove it."
