#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Narration helpers of the demo scripts (busybox sh, in the test VM),
# sourced by tests/vm/demo.sh and tests/vm/demo-qemu.sh from /mdk.

section() {
	echo
	echo "== $* =="
}

say() {
	echo "$*" | fold -s -w 76 | sed 's/ *$//'
}

# Show a command, run it, stop the demo if it fails.
run() {
	echo "\$ $*"
	eval "$*"
	rc=$?
	if [ $rc != 0 ]; then
		echo "demo: FAILED (exit status $rc): $*"
		exit 1
	fi
}

fail() {
	echo "demo: FAILED: $*"
	exit 1
}
