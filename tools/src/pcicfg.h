/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: decoding of a PCI configuration space held in a byte buffer (as
 * read from a VFIO device's CONFIG region), in the manner of lspci -vv.
 * Pure apart from the ID-to-name lookups, which libpci does from the
 * PCI ID database (pci.ids).
 */
#ifndef MDK_PCICFG_H
#define MDK_PCICFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pci_access;

/* BAR0..BAR5 and the expansion ROM. */
#define MDK_PCI_NR_BARS 7

/*
 * A libpci handle used only for name lookups in the pci.ids file @ids
 * (NULL: libpci's default, /usr/share/misc/pci.ids on Debian). udev's
 * hardware database is not consulted: the output does not depend on it,
 * and libpci 3.9 leaks a udev handle per lookup where it is missing. A
 * missing file is no error: names then print as numbers. NULL on
 * allocation failure.
 */
struct pci_access *mdk_pci_names_open(const char *ids);
void mdk_pci_names_close(struct pci_access *names);

/*
 * Print the configuration space @cfg of @len bytes (256, or 4096 for
 * PCIe). @bar_sizes gives the sizes of BAR0..5 and the ROM from the VFIO
 * region information (0: unknown or not implemented); it may be NULL.
 */
void mdk_pci_print_config(FILE *f, const uint8_t *cfg, size_t len,
			  const uint64_t *bar_sizes, struct pci_access *names);

/*
 * Walk the capability list (@extended false: the list at 0x34 in the
 * first 256 bytes; true: the PCIe extended list from 0x100). @fn gets
 * each capability's offset and ID. Returns the number of capabilities,
 * -ERANGE for a pointer outside the buffer (or into the header), -ELOOP
 * for a pointer to a capability already visited, -EINVAL for a broken
 * entry (ID 0xff, all-ones header), or the first negative value of @fn.
 */
typedef int (*mdk_pci_cap_fn)(const uint8_t *cfg, size_t len,
			      unsigned int off, unsigned int id, void *arg);
int mdk_pci_cap_walk(const uint8_t *cfg, size_t len, bool extended,
		     mdk_pci_cap_fn fn, void *arg);

#endif /* MDK_PCICFG_H */
