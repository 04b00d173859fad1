// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: decoding of a PCI configuration space from a byte buffer.
 *
 * Registers are little-endian on the bus whatever the CPU: every
 * multi-byte field is assembled byte by byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>

#include "pcicfg.h"
#include "util.h"

#define CFG_STD_SIZE	256
#define CFG_EXT_SIZE	4096
#define CAP_IN		"    "	/* indentation of a capability's details */

/* Register offsets that libpci's header.h leaves out. */
#define PM_PMC		2	/* PM capabilities register */
#define MSIX_FLAGS	2	/* MSI-X message control register */
#define CAP_ID_FPB	0x15	/* Flattening Portal Bridge */

static unsigned int get8(const uint8_t *c, unsigned int off)
{
	return c[off];
}

static unsigned int get16(const uint8_t *c, unsigned int off)
{
	return c[off] | c[off + 1] << 8;
}

static uint32_t get32(const uint8_t *c, unsigned int off)
{
	return (uint32_t)get16(c, off) | (uint32_t)get16(c, off + 2) << 16;
}

/* libpci's error() must not return; a broken pci.ids is fatal. */
static void __attribute__((noreturn, format(printf, 1, 2)))
names_error(char *msg, ...)
{
	va_list ap;

	fputs("mdk: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(MDK_EXIT_SYSTEM);
}

static void __attribute__((format(printf, 1, 2)))
names_warning(char *msg, ...)
{
	va_list ap;

	fputs("mdk: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2)))
names_debug(char *msg, ...)
{
	(void)msg;
}

struct pci_access *mdk_pci_names_open(const char *ids)
{
	struct pci_access *a = pci_alloc();

	if (!a)
		return NULL;
	a->error = names_error;
	a->warning = names_warning;
	a->debug = names_debug;
	if (ids)
		pci_set_name_list_path(a, (char *)ids, 0);
	a->id_lookup_mode |= PCI_LOOKUP_NO_HWDB;
	return a;
}

void mdk_pci_names_close(struct pci_access *names)
{
	if (names)
		pci_cleanup(names);
}

int mdk_pci_cap_walk(const uint8_t *cfg, size_t len, bool extended,
		     mdk_pci_cap_fn fn, void *arg)
{
	bool seen[CFG_EXT_SIZE / 4] = { false };
	size_t end = len < CFG_EXT_SIZE ? len : CFG_EXT_SIZE;
	unsigned int off, id;
	int count = 0, ret;
	uint32_t hdr;

	if (!extended) {
		if (end > CFG_STD_SIZE)
			end = CFG_STD_SIZE;
		if (end < 0x40 || !(get16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		for (off = get8(cfg, PCI_CAPABILITY_LIST) & ~3u; off;
		     off = get8(cfg, off + 1) & ~3u) {
			if (off < 0x40 || off + 2 > end)
				return -ERANGE;
			if (seen[off / 4])
				return -ELOOP;
			seen[off / 4] = true;
			id = get8(cfg, off);
			if (id == 0xff)
				return -EINVAL;
			ret = fn ? fn(cfg, len, off, id, arg) : 0;
			if (ret < 0)
				return ret;
			count++;
		}
		return count;
	}
	if (end <= CFG_STD_SIZE)
		return 0;
	off = CFG_STD_SIZE;
	do {
		if (off < CFG_STD_SIZE || off + 4 > end)
			return -ERANGE;
		hdr = get32(cfg, off);
		if (!hdr && off == CFG_STD_SIZE)
			return 0;	/* no extended capability */
		if (!hdr || hdr == 0xffffffff)
			return -EINVAL;
		if (seen[off / 4])
			return -ELOOP;
		seen[off / 4] = true;
		ret = fn ? fn(cfg, len, off, hdr & 0xffff, arg) : 0;
		if (ret < 0)
			return ret;
		count++;
		off = (hdr >> 20) & ~3u;
	} while (off);
	return count;
}

static char flag(unsigned int v, unsigned int bit)
{
	return (v & bit) ? '+' : '-';
}

/* lspci's size notation: 8, 4K, 16M, ... */
static void print_size(FILE *f, uint64_t x)
{
	static const char *const suffix[] = { "", "K", "M", "G", "T" };
	unsigned int i = 0;

	if (!x)
		return;
	while (!(x % 1024) && i < 4) {
		x /= 1024;
		i++;
	}
	fprintf(f, " [size=%" PRIu64 "%s]", x, suffix[i]);
}

static void print_identity(FILE *f, const uint8_t *cfg,
			   struct pci_access *n)
{
	unsigned int ven = get16(cfg, PCI_VENDOR_ID);
	unsigned int dev = get16(cfg, PCI_DEVICE_ID);
	unsigned int cls = get16(cfg, PCI_CLASS_DEVICE);
	unsigned int pif = get8(cfg, PCI_CLASS_PROG);
	unsigned int sv = get16(cfg, PCI_SUBSYSTEM_VENDOR_ID);
	unsigned int sd = get16(cfg, PCI_SUBSYSTEM_ID);
	char cbuf[128], dbuf[256], pbuf[64], *pname;

	pname = pci_lookup_name(n, pbuf, sizeof(pbuf),
				PCI_LOOKUP_PROGIF | PCI_LOOKUP_NO_NUMBERS,
				cls, pif);
	fprintf(f, "  %s: %s (rev %02x)",
		pci_lookup_name(n, cbuf, sizeof(cbuf),
				PCI_LOOKUP_CLASS | PCI_LOOKUP_MIXED, cls),
		pci_lookup_name(n, dbuf, sizeof(dbuf), PCI_LOOKUP_VENDOR |
				PCI_LOOKUP_DEVICE | PCI_LOOKUP_MIXED, ven,
				dev),
		get8(cfg, PCI_REVISION_ID));
	if (pname)
		fprintf(f, " (prog-if %02x [%s])", pif, pname);
	else if (pif)
		fprintf(f, " (prog-if %02x)", pif);
	fputc('\n', f);
	if (sv && sv != 0xffff)
		fprintf(f, "  Subsystem: %s\n",
			pci_lookup_name(n, dbuf, sizeof(dbuf),
					PCI_LOOKUP_SUBSYSTEM |
					PCI_LOOKUP_VENDOR |
					PCI_LOOKUP_DEVICE | PCI_LOOKUP_MIXED,
					ven, dev, sv, sd));
}

static void print_cmd_status(FILE *f, const uint8_t *cfg)
{
	static const char *const devsel[] = { "fast", "medium", "slow", "??" };
	unsigned int cmd = get16(cfg, PCI_COMMAND);
	unsigned int st = get16(cfg, PCI_STATUS);

	fprintf(f, "  Command: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c "
		"VGASnoop%c ParErr%c Stepping%c SERR%c FastB2B%c DisINTx%c\n",
		flag(cmd, PCI_COMMAND_IO), flag(cmd, PCI_COMMAND_MEMORY),
		flag(cmd, PCI_COMMAND_MASTER), flag(cmd, PCI_COMMAND_SPECIAL),
		flag(cmd, PCI_COMMAND_INVALIDATE),
		flag(cmd, PCI_COMMAND_VGA_PALETTE),
		flag(cmd, PCI_COMMAND_PARITY), flag(cmd, PCI_COMMAND_WAIT),
		flag(cmd, PCI_COMMAND_SERR), flag(cmd, PCI_COMMAND_FAST_BACK),
		flag(cmd, PCI_COMMAND_DISABLE_INTx));
	fprintf(f, "  Status: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c "
		"DEVSEL=%s >TAbort%c <TAbort%c <MAbort%c >SERR%c <PERR%c "
		"INTx%c\n",
		flag(st, PCI_STATUS_CAP_LIST), flag(st, PCI_STATUS_66MHZ),
		flag(st, PCI_STATUS_UDF), flag(st, PCI_STATUS_FAST_BACK),
		flag(st, PCI_STATUS_PARITY),
		devsel[(st & PCI_STATUS_DEVSEL_MASK) >> 9],
		flag(st, PCI_STATUS_SIG_TARGET_ABORT),
		flag(st, PCI_STATUS_REC_TARGET_ABORT),
		flag(st, PCI_STATUS_REC_MASTER_ABORT),
		flag(st, PCI_STATUS_SIG_SYSTEM_ERROR),
		flag(st, PCI_STATUS_DETECTED_PARITY),
		flag(st, PCI_STATUS_INTx));
}

static void print_bars(FILE *f, const uint8_t *cfg, unsigned int nbars,
		       const uint64_t *sizes)
{
	unsigned int cmd = get16(cfg, PCI_COMMAND);
	uint64_t size, addr;
	uint32_t v;

	for (unsigned int i = 0; i < nbars; i++) {
		v = get32(cfg, PCI_BASE_ADDRESS_0 + 4 * i);
		size = sizes ? sizes[i] : 0;
		if (!v && !size)
			continue;
		fprintf(f, "  Region %u: ", i);
		if (v & PCI_BASE_ADDRESS_SPACE_IO) {
			fprintf(f, "I/O ports at %04" PRIx32 "%s", v & ~3u,
				(cmd & PCI_COMMAND_IO) ? "" : " [disabled]");
			print_size(f, size);
			fputc('\n', f);
			continue;
		}
		addr = v & ~0xfu;
		switch (v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) {
		case PCI_BASE_ADDRESS_MEM_TYPE_64:
			if (i + 1 < nbars)
				addr |= (uint64_t)get32(cfg, PCI_BASE_ADDRESS_0 +
							4 * (i + 1)) << 32;
			fprintf(f, "Memory at %08" PRIx64 " (64-bit", addr);
			i++;	/* the upper half takes the next slot */
			break;
		case PCI_BASE_ADDRESS_MEM_TYPE_1M:
			fprintf(f, "Memory at %08" PRIx64 " (low-1M", addr);
			break;
		default:
			fprintf(f, "Memory at %08" PRIx64 " (32-bit", addr);
		}
		fprintf(f, ", %sprefetchable)%s",
			(v & PCI_BASE_ADDRESS_MEM_PREFETCH) ? "" : "non-",
			(cmd & PCI_COMMAND_MEMORY) ? "" : " [disabled]");
		print_size(f, size);
		fputc('\n', f);
	}
}

static void print_rom(FILE *f, const uint8_t *cfg, uint64_t size)
{
	uint32_t v = get32(cfg, PCI_ROM_ADDRESS);

	if (!v && !size)
		return;
	fprintf(f, "  Expansion ROM at %08" PRIx32 "%s", v & ~0x7ffu,
		(v & PCI_ROM_ADDRESS_ENABLE) ? "" : " [disabled]");
	print_size(f, size);
	fputc('\n', f);
}

/* True when @need bytes from @off fit; prints a note otherwise. */
static bool cap_fits(FILE *f, size_t len, unsigned int off, unsigned int need)
{
	if (off + need <= len)
		return true;
	fprintf(f, "<truncated>\n");
	return false;
}

static void print_msi(FILE *f, const uint8_t *cfg, size_t len,
		      unsigned int off)
{
	unsigned int ctl, data;
	bool is64, mask;

	if (!cap_fits(f, len, off, 10))
		return;
	ctl = get16(cfg, off + PCI_MSI_FLAGS);
	is64 = ctl & PCI_MSI_FLAGS_64BIT;
	mask = ctl & PCI_MSI_FLAGS_MASK_BIT;
	fprintf(f, "MSI: Enable%c Count=%u/%u Maskable%c 64bit%c\n",
		flag(ctl, PCI_MSI_FLAGS_ENABLE), 1u << ((ctl >> 4) & 7),
		1u << ((ctl >> 1) & 7), mask ? '+' : '-', is64 ? '+' : '-');
	if (off + (is64 ? 14 : 10) > len)
		return;
	data = get16(cfg, off + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32));
	if (is64)
		fprintf(f, CAP_IN "Address: %08" PRIx32 "%08" PRIx32
			"  Data: %04x\n", get32(cfg, off + PCI_MSI_ADDRESS_HI),
			get32(cfg, off + PCI_MSI_ADDRESS_LO), data);
	else
		fprintf(f, CAP_IN "Address: %08" PRIx32 "  Data: %04x\n",
			get32(cfg, off + PCI_MSI_ADDRESS_LO), data);
	if (mask && off + (is64 ? 24 : 20) <= len)
		fprintf(f, CAP_IN "Masking: %08" PRIx32 "  Pending: %08" PRIx32
			"\n",
			get32(cfg, off + (is64 ? PCI_MSI_MASK_BIT_64 :
					  PCI_MSI_MASK_BIT_32)),
			get32(cfg, off + (is64 ? PCI_MSI_PENDING_64 :
					  PCI_MSI_PENDING_32)));
}

static void print_msix(FILE *f, const uint8_t *cfg, size_t len,
		       unsigned int off)
{
	unsigned int ctl;
	uint32_t t, p;

	if (!cap_fits(f, len, off, 12))
		return;
	ctl = get16(cfg, off + MSIX_FLAGS);
	t = get32(cfg, off + PCI_MSIX_TABLE);
	p = get32(cfg, off + PCI_MSIX_PBA);
	fprintf(f, "MSI-X: Enable%c Count=%u Masked%c\n",
		flag(ctl, PCI_MSIX_ENABLE), (ctl & PCI_MSIX_TABSIZE) + 1,
		flag(ctl, PCI_MSIX_MASK));
	fprintf(f, CAP_IN "Vector table: BAR=%" PRIu32 " offset=%08" PRIx32
		"\n", t & PCI_MSIX_BIR, t & ~PCI_MSIX_BIR);
	fprintf(f, CAP_IN "PBA: BAR=%" PRIu32 " offset=%08" PRIx32 "\n",
		p & PCI_MSIX_BIR, p & ~PCI_MSIX_BIR);
}

static void print_express(FILE *f, const uint8_t *cfg, size_t len,
			  unsigned int off)
{
	static const char *const types[] = {
		[0x0] = "Endpoint", [0x1] = "Legacy Endpoint",
		[0x4] = "Root Port", [0x5] = "Upstream Port",
		[0x6] = "Downstream Port", [0x7] = "PCI-Express to PCI/PCI-X Bridge",
		[0x8] = "PCI/PCI-X to PCI-Express Bridge",
		[0x9] = "Root Complex Integrated Endpoint",
		[0xa] = "Root Complex Event Collector",
	};
	unsigned int fl, type;

	if (!cap_fits(f, len, off, 4))
		return;
	fl = get16(cfg, off + PCI_EXP_FLAGS);
	type = (fl & PCI_EXP_FLAGS_TYPE) >> 4;
	fprintf(f, "Express (v%u) %s, MSI %02x\n", fl & PCI_EXP_FLAGS_VERS,
		type < sizeof(types) / sizeof(types[0]) && types[type] ?
		types[type] : "Unknown type", (fl & PCI_EXP_FLAGS_IRQ) >> 9);
}

static void print_pm(FILE *f, const uint8_t *cfg, size_t len,
		     unsigned int off)
{
	unsigned int pmc;

	if (!cap_fits(f, len, off, PCI_PM_SIZEOF))
		return;
	pmc = get16(cfg, off + PM_PMC);
	fprintf(f, "Power Management version %u\n", pmc & PCI_PM_CAP_VER_MASK);
	fprintf(f, CAP_IN "Flags: D1%c D2%c PME(D0%c,D1%c,D2%c,D3hot%c,"
		"D3cold%c)\n", flag(pmc, PCI_PM_CAP_D1),
		flag(pmc, PCI_PM_CAP_D2), flag(pmc, PCI_PM_CAP_PME_D0),
		flag(pmc, PCI_PM_CAP_PME_D1), flag(pmc, PCI_PM_CAP_PME_D2),
		flag(pmc, PCI_PM_CAP_PME_D3_HOT),
		flag(pmc, PCI_PM_CAP_PME_D3_COLD));
	fprintf(f, CAP_IN "Status: D%u PME-Enable%c\n",
		get16(cfg, off + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK,
		flag(get16(cfg, off + PCI_PM_CTRL), PCI_PM_CTRL_PME_ENABLE));
}

static const char *const std_cap_names[] = {
	[PCI_CAP_ID_AGP] = "AGP",
	[PCI_CAP_ID_VPD] = "Vital Product Data",
	[PCI_CAP_ID_SLOTID] = "Slot ID",
	[PCI_CAP_ID_CHSWP] = "CompactPCI hot-swap",
	[PCI_CAP_ID_PCIX] = "PCI-X",
	[PCI_CAP_ID_HT] = "HyperTransport",
	[PCI_CAP_ID_DBG] = "Debug port",
	[PCI_CAP_ID_CCRC] = "CompactPCI central resource control",
	[PCI_CAP_ID_HOTPLUG] = "Hot-plug capable",
	[PCI_CAP_ID_SSVID] = "Subsystem ID",
	[PCI_CAP_ID_AGP3] = "AGP3",
	[PCI_CAP_ID_SECURE] = "Secure device",
	[PCI_CAP_ID_SATA] = "SATA HBA",
	[PCI_CAP_ID_AF] = "PCI Advanced Features",
	[PCI_CAP_ID_EA] = "Enhanced Allocation",
	[CAP_ID_FPB] = "Flattening Portal Bridge",
};

static int print_std_cap(const uint8_t *cfg, size_t len, unsigned int off,
			 unsigned int id, void *arg)
{
	FILE *f = arg;

	fprintf(f, "  Capabilities: [%02x] ", off);
	switch (id) {
	case PCI_CAP_ID_PM:
		print_pm(f, cfg, len, off);
		break;
	case PCI_CAP_ID_MSI:
		print_msi(f, cfg, len, off);
		break;
	case PCI_CAP_ID_VNDR:
		if (cap_fits(f, len, off, 3))
			fprintf(f, "Vendor Specific Information: Len=%02x\n",
				get8(cfg, off + 2));
		break;
	case PCI_CAP_ID_EXP:
		print_express(f, cfg, len, off);
		break;
	case PCI_CAP_ID_MSIX:
		print_msix(f, cfg, len, off);
		break;
	default:
		if (id < sizeof(std_cap_names) / sizeof(std_cap_names[0]) &&
		    std_cap_names[id])
			fprintf(f, "%s\n", std_cap_names[id]);
		else
			fprintf(f, "#%02x\n", id);
	}
	return 0;
}

static const char *const ext_cap_names[] = {
	[PCI_EXT_CAP_ID_AER] = "Advanced Error Reporting",
	[PCI_EXT_CAP_ID_VC] = "Virtual Channel",
	[PCI_EXT_CAP_ID_DSN] = "Device Serial Number",
	[PCI_EXT_CAP_ID_PB] = "Power Budgeting",
	[PCI_EXT_CAP_ID_RCLINK] = "Root Complex Link",
	[PCI_EXT_CAP_ID_RCILINK] = "Root Complex Internal Link",
	[PCI_EXT_CAP_ID_RCEC] = "Root Complex Event Collector",
	[PCI_EXT_CAP_ID_MFVC] = "Multi-Function Virtual Channel",
	[PCI_EXT_CAP_ID_VC2] = "Virtual Channel",
	[PCI_EXT_CAP_ID_RCRB] = "Root Complex Register Block",
	[PCI_EXT_CAP_ID_VNDR] = "Vendor Specific Information",
	[PCI_EXT_CAP_ID_ACS] = "Access Control Services",
	[PCI_EXT_CAP_ID_ARI] = "Alternative Routing-ID Interpretation (ARI)",
	[PCI_EXT_CAP_ID_ATS] = "Address Translation Service (ATS)",
	[PCI_EXT_CAP_ID_SRIOV] = "Single Root I/O Virtualization (SR-IOV)",
	[PCI_EXT_CAP_ID_MRIOV] = "Multi-Root I/O Virtualization (MR-IOV)",
	[PCI_EXT_CAP_ID_MCAST] = "Multicast",
	[PCI_EXT_CAP_ID_PRI] = "Page Request Interface (PRI)",
	[PCI_EXT_CAP_ID_REBAR] = "Physical Resizable BAR",
	[PCI_EXT_CAP_ID_DPA] = "Dynamic Power Allocation",
	[PCI_EXT_CAP_ID_TPH] = "Transaction Processing Hints",
	[PCI_EXT_CAP_ID_LTR] = "Latency Tolerance Reporting",
	[PCI_EXT_CAP_ID_SECPCI] = "Secondary PCI Express",
	[PCI_EXT_CAP_ID_PMUX] = "Protocol Multiplexing",
	[PCI_EXT_CAP_ID_PASID] = "Process Address Space ID (PASID)",
	[PCI_EXT_CAP_ID_LNR] = "LN Requester",
	[PCI_EXT_CAP_ID_DPC] = "Downstream Port Containment",
	[PCI_EXT_CAP_ID_L1PM] = "L1 PM Substates",
	[PCI_EXT_CAP_ID_PTM] = "Precision Time Measurement",
	[PCI_EXT_CAP_ID_DVSEC] = "Designated Vendor-Specific",
	[PCI_EXT_CAP_ID_DLNK] = "Data Link Feature",
	[PCI_EXT_CAP_ID_16GT] = "Physical Layer 16.0 GT/s",
	[PCI_EXT_CAP_ID_LMR] = "Lane Margining at the Receiver",
};

static int print_ext_cap(const uint8_t *cfg, size_t len, unsigned int off,
			 unsigned int id, void *arg)
{
	uint32_t hdr = get32(cfg, off), vh;
	FILE *f = arg;

	fprintf(f, "  Capabilities: [%03x v%" PRIu32 "] ", off,
		(hdr >> 16) & 0xf);
	if (id == PCI_EXT_CAP_ID_DSN && off + 12 <= len) {
		fprintf(f, "Device Serial Number %08" PRIx32 "%08" PRIx32 "\n",
			get32(cfg, off + 8), get32(cfg, off + 4));
	} else if (id == PCI_EXT_CAP_ID_VNDR && off + 8 <= len) {
		vh = get32(cfg, off + 4);
		fprintf(f, "Vendor Specific Information: ID=%04" PRIx32
			" Rev=%" PRIu32 " Len=%03" PRIx32 "\n", vh & 0xffff,
			(vh >> 16) & 0xf, vh >> 20);
	} else if (id < sizeof(ext_cap_names) / sizeof(ext_cap_names[0]) &&
		   ext_cap_names[id]) {
		fprintf(f, "%s\n", ext_cap_names[id]);
	} else {
		fprintf(f, "Extended Capability ID %#02x\n", id);
	}
	return 0;
}

static void print_walk_error(FILE *f, int ret)
{
	if (ret == -ERANGE)
		fprintf(f, "  Capabilities: <chain points outside the "
			"configuration space>\n");
	else if (ret == -ELOOP)
		fprintf(f, "  Capabilities: <chain loops>\n");
	else if (ret < 0)
		fprintf(f, "  Capabilities: <chain broken>\n");
}

void mdk_pci_print_config(FILE *f, const uint8_t *cfg, size_t len,
			  const uint64_t *bar_sizes, struct pci_access *names)
{
	unsigned int htype, pin, nbars;

	fprintf(f, "PCI configuration space (%zu bytes):\n", len);
	if (len < 0x40) {
		fprintf(f, "  <too short to decode>\n");
		return;
	}
	print_identity(f, cfg, names);
	htype = get8(cfg, PCI_HEADER_TYPE) & 0x7f;
	if (htype != PCI_HEADER_TYPE_NORMAL || get8(cfg, PCI_HEADER_TYPE) & 0x80)
		fprintf(f, "  Header type %02x%s\n", htype,
			get8(cfg, PCI_HEADER_TYPE) & 0x80 ? " (multi-function)"
			: "");
	print_cmd_status(f, cfg);
	pin = get8(cfg, PCI_INTERRUPT_PIN);
	if (pin)
		fprintf(f, "  Interrupt: pin %c routed to IRQ %u\n",
			pin <= 4 ? 'A' + pin - 1 : '?',
			get8(cfg, PCI_INTERRUPT_LINE));
	nbars = htype == PCI_HEADER_TYPE_NORMAL ? 6 :
		htype == PCI_HEADER_TYPE_BRIDGE ? 2 :
		htype == PCI_HEADER_TYPE_CARDBUS ? 1 : 0;
	print_bars(f, cfg, nbars, bar_sizes);
	if (htype == PCI_HEADER_TYPE_NORMAL)
		print_rom(f, cfg, bar_sizes ? bar_sizes[6] : 0);
	print_walk_error(f, mdk_pci_cap_walk(cfg, len, false, print_std_cap,
					     f));
	print_walk_error(f, mdk_pci_cap_walk(cfg, len, true, print_ext_cap,
					     f));
}
