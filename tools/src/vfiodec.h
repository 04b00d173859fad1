/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: decoding of VFIO device, region and IRQ information. Pure: no
 * system calls; the buffers are what the VFIO_DEVICE_GET_* ioctls filled.
 */
#ifndef MDK_VFIODEC_H
#define MDK_VFIODEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/vfio.h>

struct mdk_flag_name {
	uint32_t bit;
	const char *name;
};

/* Terminated by an entry with a NULL name. */
extern const struct mdk_flag_name mdk_device_flag_names[];
extern const struct mdk_flag_name mdk_region_flag_names[];
extern const struct mdk_flag_name mdk_irq_flag_names[];

/*
 * Format @flags as "0x3 (READ|WRITE)": the hex value, then the known
 * names and any unknown bits as one hex number, "(none)" for 0. Returns
 * @buf (always NUL-terminated, truncated to @len).
 */
char *mdk_flags_str(char *buf, size_t len, uint32_t flags,
		    const struct mdk_flag_name *names);

/* "BAR0".."BAR5", "ROM", "CONFIG", "VGA" for vfio-pci, "CONFIG" etc. for
 * vfio-ccw, else "REGION<n>"; written to @buf, which is returned.
 */
const char *mdk_region_name(char *buf, size_t len, uint32_t dev_flags,
			    unsigned int index);
/* "INTX", "MSI", "MSIX", "ERR", "REQ" for vfio-pci; "IO", "CRW", "REQ" for
 * vfio-ccw; else "IRQ<n>".
 */
const char *mdk_irq_name(char *buf, size_t len, uint32_t dev_flags,
			 unsigned int index);

/*
 * Walk the capability chain of a VFIO info buffer @info of @len bytes,
 * whose fixed part is @fixed bytes, starting at offset @first (0: no
 * chain). @fn gets each capability's header (copied, aligned), a pointer
 * to the capability in @info and the bytes it may span (up to the next
 * capability or the end of @info).
 *
 * The kernel appends capabilities in order, so every "next" must be
 * beyond the current one: that rules out loops. Returns the number of
 * capabilities visited, -ERANGE when an offset points outside @info or
 * into its fixed part, -ELOOP when a "next" does not move forward, or
 * the first negative value @fn returned. @fn has seen every capability
 * before the bad link.
 */
typedef int (*mdk_vfio_cap_fn)(const struct vfio_info_cap_header *hdr,
			       const void *cap, size_t size, void *arg);
int mdk_vfio_cap_walk(const void *info, size_t len, size_t fixed,
		      uint32_t first, mdk_vfio_cap_fn fn, void *arg);

/*
 * Print the decoded form of the information returned by the kernel (see
 * mdk(1) for the format). @len is the size of the buffer that holds @info
 * and its capability chain.
 */
void mdk_print_device_info(FILE *f, const struct vfio_device_info *info,
			   size_t len);
void mdk_print_region_info(FILE *f, uint32_t dev_flags,
			   const struct vfio_region_info *info, size_t len);
void mdk_print_irq_info(FILE *f, uint32_t dev_flags,
			const struct vfio_irq_info *info);

#endif /* MDK_VFIODEC_H */
