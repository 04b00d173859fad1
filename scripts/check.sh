#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make check`: boot the VM once with tests/vm/check.sh, print
# the TAP13 stream, the plan and "N passed, N failed". Non-zero exit on any
# failed case, on a kernel WARN/BUG/oops or on a time-out.
#   scripts/check.sh [-A s390x] [TEST_NAME...]   (e.g. test_sysfs;
#                                                default: all)
# -A s390x runs the s390x tier (build it first: make s390x): Debian's
# s390x kernel on qemu-system-s390x, the programs of build/s390x/tests,
# vfio-ccw loaded, and the machine's I/O devices below.
# The summary is also written to build/vm/summary-ARCH ("PASS FAIL").
# Environment: KVER (kernel), MDK_VM_TIMEOUT (whole boot, s),
# MDK_CONSOLE_LOG (kernel console log file, default build/vm/console.log,
# build/vm/console-s390x.log for s390x).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
arch=amd64
if [ "${1:-}" = -A ]; then
	arch=$2
	shift 2
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
xroots=()
case $arch in
amd64)
	log=${MDK_CONSOLE_LOG:-$top/build/vm/console.log}
	guest=$top/tests/vm/check.sh
	vmargs=(-t "${MDK_VM_TIMEOUT:-2400}" -m 2048)
	# test_qemu runs QEMU inside the VM: put QEMU and its L2 guests there.
	case " $* " in
	"  " | *" test_qemu "*)
		"$top/scripts/mkroot-qemu.sh" && xroots+=(-x "$top/build/qemu-root") ;;
	esac
	# test_mdevctl runs Debian's mdevctl in the VM.
	case " $* " in
	"  " | *" test_mdevctl "*)
		"$top/scripts/mkroot-mdevctl.sh" && xroots+=(-x "$top/build/mdevctl-root") ;;
	esac
	;;
s390x)
	log=${MDK_CONSOLE_LOG:-$top/build/vm/console-s390x.log}
	guest=$top/tests/vm/check-s390x.sh
	# The subchannels the tests use: a virtio-net-ccw device whose MAC
	# they read back (0.0.0001: test_vfio_ccw, test_ccw_qemu,
	# test_ccw_fuzz) and a virtio-rng-ccw device test_vfio_ccw detaches
	# from the machine (0.0.0002, QEMU id rng2).
	devs="-device virtio-net-ccw,devno=fe.0.0001,mac=52:54:00:c0:ff:ee,netdev=n1"
	devs="$devs -netdev user,id=n1,restrict=on"
	devs="$devs -device virtio-rng-ccw,devno=fe.0.0002,id=rng2"
	vmargs=(-A s390x -t "${MDK_VM_TIMEOUT:-1500}" -m 2048 -q "$devs")
	# test_ccw_qemu runs Debian's qemu-system-s390x in the VM
	env=$("$top/scripts/s390x-env.sh") || exit 2
	xroots+=(-x "$env/qemu-root" -x "$top/build/s390x/l2root")
	;;
*) echo "check: unknown architecture $arch" >&2; exit 2 ;;
esac
mkdir -p "$top/build/vm"
"$top/scripts/vm-run.sh" "${vmargs[@]}" -l "$log" "${xroots[@]}" \
	"$guest" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
if [ "$rc" != 0 ]; then
	echo "not ok - vm: the test VM ended with status $rc"
	fail=$((fail + 1))
fi
echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
echo "$pass $fail" > "$top/build/vm/summary-$arch"
[ "$fail" = 0 ]
