#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make check-debug` (scripts/check-debug.sh), on the debug
# kernel: every test program (or the ones named) through check.sh with
# iteration counts scaled down (MDK_SCALE=slow), then the findings that do
# not stop the kernel: kmemleak (with the modules still loaded, from
# check.sh's MDK_BEFORE_UNLOAD hook, and again after unloading) and
# lockdep still on. Output: un-numbered TAP13 lines, as check.sh.
KL=/sys/kernel/debug/kmemleak
export MDK_SCALE=slow
export MDK_TEST_TIMEOUT="${MDK_TEST_TIMEOUT:-600}"

# test_qemu boots an L2 guest with QEMU/TCG inside this VM: far too slow
# on a KASAN+lockdep kernel (scripts/check-debug.sh).
# (vm-run.sh hands over no argument as one empty one)
if [ -z "$*" ]; then
	set --
	for t in /mdk/tests/test_*; do
		n=${t##*/}
		[ "$n" = test_qemu ] || set -- "$@" "$n"
	done
fi

if [ ! -w "$KL" ]; then
	echo "not ok - debug: kmemleak is not enabled ($KL)"
else
	# Forget what boot left unreferenced: only the tests' leaks count.
	echo scan > "$KL"
	echo clear > "$KL"
	echo "ok - debug: kmemleak enabled"
fi

# kmemleak_check WHEN: scan twice, objects at least 5 s old; the second
# scan only reports objects unchanged since the first (fewer false
# positives); a third confirms anything reported.
cat > /tmp/kmemleak-check.sh <<'SCRIPT'
KL=/sys/kernel/debug/kmemleak
[ -w "$KL" ] || exit 0
sleep 6
echo scan > "$KL"
sleep 6
echo scan > "$KL"
if [ -n "$(head -c 1 "$KL")" ]; then
	sleep 6
	echo scan > "$KL"
fi
n=$(grep -c '^unreferenced object' "$KL")
if [ "$n" = 0 ]; then
	echo "ok - debug: kmemleak: no leak $*"
else
	echo "not ok - debug: kmemleak: $n leaked object(s) $*"
	head -n 200 "$KL" | sed 's/^/#   /'
	# report each object once
	echo clear > "$KL"
fi
SCRIPT

MDK_BEFORE_UNLOAD="sh /tmp/kmemleak-check.sh with the modules loaded" \
	sh /mdk/check.sh "$@"

sh /tmp/kmemleak-check.sh "after unloading the modules"

if [ ! -r /proc/lockdep_stats ]; then
	echo "not ok - debug: lockdep is not enabled (/proc/lockdep_stats)"
elif grep -Eq '^ *debug_locks: +1$' /proc/lockdep_stats; then
	echo "ok - debug: lockdep still enabled (debug_locks: 1)"
else
	echo "not ok - debug: lockdep turned itself off: $(grep debug_locks: /proc/lockdep_stats)"
fi
exit 0
