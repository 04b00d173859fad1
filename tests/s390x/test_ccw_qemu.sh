#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# test_ccw_qemu: Debian's unmodified QEMU 7.2, nested in the s390x VM,
# hands the virtio-net-ccw subchannel (through mdevkit's vfio-ccw) to a
# bare-metal guest (tests/s390x/l2/payload.c) with
#   -device vfio-ccw,sysfsdev=/sys/bus/mdev/devices/<uuid>
# The guest runs channel programs on it and prints TAP lines, relayed
# here; then it stops its CPU, which ends QEMU.
echo "# suite ccw_qemu"
busid=0.0.0001
payload=/mdk/l2/ccw-payload.elf
ok() { echo "ok - ccw_qemu: $*"; }
notok() { echo "not ok - ccw_qemu: $*"; }
css=/sys/bus/css

sch=""
for d in $css/devices/*; do
	[ "$(cat "$d/dev_busid" 2>/dev/null)" = $busid ] && sch=${d##*/}
done
[ -n "$sch" ] || { notok "no subchannel for $busid"; exit 1; }
[ -r $payload ] || { notok "$payload missing"; exit 1; }

# hand it to vfio_ccw, create the mdev
echo vfio_ccw > $css/devices/$sch/driver_override
drv=$(readlink $css/devices/$sch/driver)
[ -n "$drv" ] && echo $sch > $css/devices/$sch/driver/unbind
echo $sch > $css/drivers_probe
uuid=$(cat /proc/sys/kernel/random/uuid)
if echo $uuid > $css/devices/$sch/mdev_supported_types/vfio_ccw-io/create; then
	ok "mdev $uuid on $sch"
else
	notok "create an mdev on $sch"
	exit 1
fi

t0=$(date +%s)
timeout 240 qemu-system-s390x -M s390-ccw-virtio -accel tcg -m 64 \
	-nodefaults -display none -no-reboot -serial stdio -kernel $payload \
	-device vfio-ccw,sysfsdev=/sys/bus/mdev/devices/$uuid \
	</dev/null > /tmp/ccw-l2.out 2>&1
rc=$?
t1=$(date +%s)
sed -n -e 's/^\(\(not \)\{0,1\}ok\) - l2: /\1 - ccw_qemu: l2: /p' \
	-e 's/^#/#   l2:/p' /tmp/ccw-l2.out
grep -v -e '^ok - l2' -e '^not ok - l2' -e '^#' /tmp/ccw-l2.out |
	sed 's/^/#   qemu: /'
summary=$(sed -n 's/^# l2: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' /tmp/ccw-l2.out)
set -- $summary
if [ "${1:-0}" -ge 14 ] && [ "${2:-1}" = 0 ]; then
	ok "the guest ran ${1} checks, none failed"
else
	notok "the guest's verdict: '${summary:-none}' (14 or more passed, none failed expected)"
fi
if [ $rc = 0 ]; then ok "QEMU ended when the guest stopped (${rc}), $((t1 - t0)) s"
else notok "QEMU exit status $rc after $((t1 - t0)) s"; fi

# give the subchannel back
echo 1 > /sys/bus/mdev/devices/$uuid/remove || notok "remove $uuid"
echo > $css/devices/$sch/driver_override
echo $sch > $css/drivers/vfio_ccw/unbind
echo $sch > $css/drivers_probe
i=0
while [ "$(cat /sys/bus/ccw/devices/$busid/online 2>/dev/null)" != 1 ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(cat /sys/bus/ccw/devices/$busid/online 2>/dev/null)" = 1 ]; then
	ok "$busid back online on io_subchannel"
else
	notok "$busid not back online"
	echo "#   $sch: driver $(readlink $css/devices/$sch/driver)," \
		"override '$(cat $css/devices/$sch/driver_override)'," \
		"children: $(ls $css/devices/$sch | grep '^0\.' | tr '\n' ' ')"
	dmesg | tail -5 | sed 's/^/#   /'
fi
