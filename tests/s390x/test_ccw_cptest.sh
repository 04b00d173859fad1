#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# test_ccw_cptest: the in-kernel self-test of the vfio-ccw channel-program
# translator (mdk_vfio_ccw_cptest.ko, samples/vfio-ccw/cp_test.c). Loading
# runs it; its TAP lines in the kernel log become ours. Loading fails
# when a case failed.
echo "# suite ccw_cptest"
mod=$MDK_MODULES/mdk_vfio_ccw_cptest.ko
before=$(dmesg | grep -c 'vccw-cptest: ')
insmod "$mod"
rc=$?
dmesg | grep 'vccw-cptest: ' | tail -n +$((before + 1)) > /tmp/cptest.log
sed -n 's/^.*vccw-cptest: \(\(not \)\{0,1\}ok\) [0-9]* - \(.*\)$/\1 - ccw_cptest: \3/p' \
	/tmp/cptest.log
n=$(grep -c 'vccw-cptest: \(not \)\{0,1\}ok ' /tmp/cptest.log)
if [ "$n" -ge 30 ]; then
	echo "ok - ccw_cptest: the self-test reported $n cases"
else
	echo "not ok - ccw_cptest: the self-test reported $n cases (30 or more expected)"
fi
if [ $rc = 0 ]; then
	echo "ok - ccw_cptest: loads, every case passed"
	rmmod mdk_vfio_ccw_cptest || echo "not ok - ccw_cptest: unload"
else
	echo "not ok - ccw_cptest: insmod failed ($rc)"
fi
grep -q 'vccw-cptest: [0-9]* passed, 0 failed' /tmp/cptest.log
