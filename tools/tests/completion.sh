#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host test of tools/mdk.bash-completion against a fake sysfs tree: prints
# un-numbered TAP13 lines "ok - tool: completion: <case>"; exit 1 on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
fail=0
sys=$(mktemp -d /tmp/mdk-compl.XXXXXX)
trap 'rm -rf "$sys"' EXIT
mkdir -p "$sys/class/mdev_bus" "$sys/bus/mdev/devices" \
	"$sys/devices/mtty/mdev_supported_types/mtty-1" \
	"$sys/devices/mtty/mdev_supported_types/mtty-2" \
	"$sys/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4"
ln -s ../../devices/mtty "$sys/class/mdev_bus/mtty"
ln -s ../../devices/0000:00:02.0 "$sys/class/mdev_bus/0000:00:02.0"
mkdir "$sys/bus/mdev/devices/0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d"
export MDK_SYSFS=$sys
# shellcheck source=/dev/null
. "$here/../mdk.bash-completion"

# check NAME EXPECTED WORD...: complete the last WORD of "mdk WORD..."
check() {
	local name=$1 want=$2
	shift 2
	COMP_WORDS=(mdk "$@")
	COMP_CWORD=$(($# ))
	COMP_LINE="mdk $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_mdk
	local got=""
	[ ${#COMPREPLY[@]} = 0 ] ||
		got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		echo "ok - tool: completion: $name"
	else
		echo "not ok - tool: completion: $name"
		echo "#   got '$got', want '$want'"
		fail=1
	fi
}

check "commands" "create " "cr"
check "all commands" "create help info list remove types " ""
check "global options" "--help --version " "--"
check "parents" "0000:00:02.0 mtty " types ""
check "types of a parent" "mtty-1 mtty-2 " create mtty ""
check "types of a PCI parent" "i915-GVTg_V5_4 " create 0000:00:02.0 ""
check "create options" "--help --uuid " create mtty mtty-1 "--"
check "no uuid value matches zz" "" create --uuid "zz"
COMP_WORDS=(mdk create --uuid "") COMP_CWORD=3 COMPREPLY=()
_mdk
if [ ${#COMPREPLY[@]} = 1 ] && [ ${#COMPREPLY[0]} = 36 ]; then
	echo "ok - tool: completion: a fresh uuid for --uuid"
else
	echo "not ok - tool: completion: a fresh uuid for --uuid"
	fail=1
fi
check "live uuids" "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d " remove ""
check "info uuids" "0f6b3b79-7d3c-4b1e-9c1a-2f4f6b3b797d " info 0f
check "list options" "--help --json " list "-"
check "nothing after a full create" "" create mtty mtty-1 ""
exit $fail
