// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capability chains of VFIO info ioctls (VFIO_DEVICE_GET_REGION_INFO,
 * VFIO_IOMMU_GET_INFO, ...).
 *
 * A chain is built in a kernel buffer, each header's @next being the
 * offset of the following capability from the start of the buffer (0 ends
 * the chain). It is copied out right behind the fixed-size info struct,
 * where userspace expects offsets from the start of that struct: the copy
 * shifts every @next by the struct's size.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"

/**
 * mdk_vfio_info_cap_add() - append a capability to a chain
 * @caps: the chain, zero-initialized before the first call
 * @size: size of the capability, header included
 * @id: its VFIO_*_CAP_* id
 * @version: its version
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: the new capability's header, zeroed apart from @id and
 * @version, valid until the next call; ERR_PTR(-EINVAL) for a @size
 * smaller than the header, or ERR_PTR(-ENOMEM) — on error the whole chain
 * is freed and @caps is empty again.
 */
struct vfio_info_cap_header *mdk_vfio_info_cap_add(struct mdk_vfio_info_cap *caps,
						   size_t size, u16 id,
						   u16 version)
{
	struct vfio_info_cap_header *header, *last;
	size_t new_size;
	void *buf;
	int err = -ENOMEM;

	if (size < sizeof(*header) ||
	    check_add_overflow(caps->size, size, &new_size) ||
	    new_size > U32_MAX) {
		err = -EINVAL;
		goto err_free;
	}
	buf = krealloc(caps->buf, new_size, GFP_KERNEL);
	if (!buf)
		goto err_free;

	header = buf + caps->size;
	memset(header, 0, size);
	header->id = id;
	header->version = version;

	/* Chain it behind the current last capability. */
	if (caps->size) {
		for (last = buf; last->next; last = buf + last->next)
			;
		last->next = caps->size;
	}
	caps->buf = buf;
	caps->size = new_size;
	return header;

err_free:
	kfree(caps->buf);
	caps->buf = NULL;
	caps->size = 0;
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(mdk_vfio_info_cap_add);

/**
 * mdk_vfio_info_cap_copy() - copy a chain out behind an info struct
 * @caps: the chain built with mdk_vfio_info_cap_add(); freed in all cases
 * @arg: the user's info struct
 * @info_size: size of the fixed part of the info struct
 * @argsz: the argsz the user passed
 * @cap_offset: receives the value for the info struct's cap_offset
 * @out_argsz: receives the value for the info struct's argsz
 *
 * Without capabilities, *@cap_offset is 0 and *@out_argsz is @argsz. When
 * @argsz cannot hold the chain, nothing is copied: *@out_argsz tells the
 * size needed and *@cap_offset is 0 (the caller still sets its CAPS flag,
 * as upstream does). Otherwise the chain lands at @arg + @info_size,
 * its offsets rebased to the start of the info struct, and *@cap_offset
 * is @info_size.
 *
 * The caller copies its fixed info struct to @arg itself, after this
 * call, with *@cap_offset and *@out_argsz filled in.
 *
 * Context: process context, may fault on user memory; hold no spinlock.
 * Return: 0 or -EFAULT.
 */
int mdk_vfio_info_cap_copy(struct mdk_vfio_info_cap *caps, void __user *arg,
			   size_t info_size, u32 argsz, u32 *cap_offset,
			   u32 *out_argsz)
{
	struct vfio_info_cap_header *cap;
	size_t needed;
	int ret = 0;

	*cap_offset = 0;
	*out_argsz = argsz;
	if (!caps->size)
		goto out_free;

	if (check_add_overflow(info_size, caps->size, &needed) ||
	    needed > U32_MAX) {
		ret = -EFAULT;		/* cannot be described to the user */
		goto out_free;
	}
	if (argsz < needed) {
		*out_argsz = needed;
		goto out_free;
	}

	/* Rebase: each @next becomes an offset from the info struct. */
	for (cap = caps->buf; cap->next; cap = caps->buf + cap->next - info_size)
		cap->next += info_size;

	if (copy_to_user(arg + info_size, caps->buf, caps->size))
		ret = -EFAULT;
	else
		*cap_offset = info_size;

out_free:
	kfree(caps->buf);
	caps->buf = NULL;
	caps->size = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_vfio_info_cap_copy);
