#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of the s390x tier (scripts/check-s390x.sh): the harness of
# make check (check.sh) with the vfio-ccw module loaded too.
export MDK_MODS="mdk_iommu mdk_vfio mdk_mdev mdk_mtty mdk_pintest mdk_mdma mdk_vfio_ccw"
exec sh /mdk/check.sh "$@"
