// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mtty: the mtty sample through VFIO, and with it the virtual PCI
 * helper (regions, configuration space, RESET) and the interrupt plumbing
 * (GET_IRQ_INFO, SET_IRQS validation, eventfds, INTx masking, MSI, irqfd
 * unmask, loopback triggers).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>
#include <linux/serial_reg.h>
#include <linux/vfio.h>

#include "tap.h"
#include "mdk_test.h"

#define CFG		VFIO_PCI_CONFIG_REGION_INDEX
#define INTX		VFIO_PCI_INTX_IRQ_INDEX
#define MSI		VFIO_PCI_MSI_IRQ_INDEX
#define WAIT_MS		1000	/* for an event that must come */
#define QUIET_MS	50	/* for one that must not (delivery is sync) */

static char uuid[2][37];
static struct mdk_vfio vf[2] = { { -1, -1, -1, -1 }, { -1, -1, -1, -1 } };
static int dev;		/* device fd under test */

static void cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		mdk_vfio_close(&vf[i]);
		if (uuid[i][0] && mdk_remove(uuid[i]))
			fprintf(stderr, "cannot remove %s\n", uuid[i]);
		uuid[i][0] = '\0';
	}
}

/* --- region access ------------------------------------------------------ */

static ssize_t rd(unsigned int index, uint64_t off, void *buf, size_t len)
{
	return pread(dev, buf, len, mdk_region_off(index) + off);
}

static ssize_t wr(unsigned int index, uint64_t off, const void *buf,
		  size_t len)
{
	return pwrite(dev, buf, len, mdk_region_off(index) + off);
}

/* Little-endian config access of 1, 2 or 4 bytes; ~0 on error. */
static uint32_t cfg_rd(unsigned int off, unsigned int len)
{
	uint8_t b[4];
	uint32_t v = 0;

	if (rd(CFG, off, b, len) != (ssize_t)len)
		return ~0u;
	while (len--)
		v = v << 8 | b[len];
	return v;
}

static void cfg_wr(unsigned int off, unsigned int len, uint32_t v)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < len; i++, v >>= 8)
		b[i] = v;
	if (wr(CFG, off, b, len) != (ssize_t)len)
		tap_diag("config write at %#x failed: %s", off, strerror(errno));
}

static int uin(unsigned int port, unsigned int reg)
{
	uint8_t v;

	if (rd(port, reg, &v, 1) != 1)
		return -1;
	return v;
}

static void uout(unsigned int port, unsigned int reg, uint8_t v)
{
	if (wr(port, reg, &v, 1) != 1)
		tap_diag("uart write reg %u failed: %s", reg, strerror(errno));
}

/* Read everything the port received; returns the byte count. */
static int drain(unsigned int port, uint8_t *buf, int max)
{
	int n = 0;

	while (n < 64 && uin(port, UART_LSR) & UART_LSR_DR) {
		int c = uin(port, UART_RX);

		if (n < max)
			buf[n] = c;
		n++;
	}
	return n;
}

/* --- ioctls --------------------------------------------------------------- */

static int region_info(unsigned int index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	return ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, ri);
}

static int irq_info(unsigned int index, struct vfio_irq_info *ii)
{
	memset(ii, 0, sizeof(*ii));
	ii->argsz = sizeof(*ii);
	ii->index = index;
	return ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, ii);
}

/* SET_IRQS with an explicit header and up to 4 bytes of data. */
static int set_irqs_raw(uint32_t argsz, uint32_t flags, uint32_t index,
			uint32_t start, uint32_t count, const void *data,
			size_t dlen)
{
	struct {
		struct vfio_irq_set h;
		uint8_t data[8];
	} s;

	memset(&s, 0, sizeof(s));
	s.h.argsz = argsz;
	s.h.flags = flags;
	s.h.index = index;
	s.h.start = start;
	s.h.count = count;
	memcpy(s.data, data, dlen);
	return ioctl(dev, VFIO_DEVICE_SET_IRQS, &s);
}

static int set_efd(unsigned int index, uint32_t action, int32_t fd)
{
	return set_irqs_raw(sizeof(struct vfio_irq_set) + 4,
			    VFIO_IRQ_SET_DATA_EVENTFD | action, index, 0, 1,
			    &fd, 4);
}

static int set_none(unsigned int index, uint32_t action, uint32_t count)
{
	return set_irqs_raw(sizeof(struct vfio_irq_set),
			    VFIO_IRQ_SET_DATA_NONE | action, index, 0, count,
			    NULL, 0);
}

static int set_bool(unsigned int index, uint32_t action, uint8_t val)
{
	return set_irqs_raw(sizeof(struct vfio_irq_set) + 1,
			    VFIO_IRQ_SET_DATA_BOOL | action, index, 0, 1,
			    &val, 1);
}

#define TRIG	VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK	VFIO_IRQ_SET_ACTION_MASK
#define UNMASK	VFIO_IRQ_SET_ACTION_UNMASK

/* Events counted by @efd within @ms (0: none). */
static uint64_t efd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) != 1 || read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static int new_efd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		tap_bail("eventfd: %s", strerror(errno));
	return fd;
}

static int dev_reset(void)
{
	return ioctl(dev, VFIO_DEVICE_RESET);
}

/* --- cases ---------------------------------------------------------------- */

static void test_device_info(void)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };

	TAP_ZERO(ioctl(dev, VFIO_DEVICE_GET_INFO, &di), "GET_INFO");
	tap_ok(di.flags == (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET),
	       "GET_INFO flags PCI|RESET (%#x)", di.flags);
	tap_ok(di.num_regions == VFIO_PCI_NUM_REGIONS,
	       "GET_INFO 9 regions (%u)", di.num_regions);
	tap_ok(di.num_irqs == VFIO_PCI_NUM_IRQS, "GET_INFO 5 irqs (%u)",
	       di.num_irqs);
	di.argsz = offsetof(struct vfio_device_info, num_irqs);
	TAP_ERRNO(ioctl(dev, VFIO_DEVICE_GET_INFO, &di), EINVAL,
		  "GET_INFO argsz < minsz: EINVAL");
}

static void test_region_info(int nports)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;
	struct vfio_region_info ri;
	bool ok = true;

	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		uint64_t size = 0;
		uint32_t flags = 0;

		if (i < (unsigned int)nports) {
			size = 8;
			flags = rw;
		} else if (i == CFG) {
			size = 256;
			flags = rw;
		}
		if (region_info(i, &ri) || ri.size != size ||
		    ri.flags != flags || ri.offset != (uint64_t)i << 40) {
			tap_diag("region %u: size %llu flags %#x offset %#llx",
				 i, (unsigned long long)ri.size, ri.flags,
				 (unsigned long long)ri.offset);
			ok = false;
		}
	}
	tap_ok(ok, "mtty-%d: GET_REGION_INFO of regions 0-8", nports);
	TAP_ERRNO(region_info(VFIO_PCI_NUM_REGIONS, &ri), EINVAL,
		  "mtty-%d: GET_REGION_INFO index 9: EINVAL", nports);
	memset(&ri, 0, sizeof(ri));
	ri.argsz = offsetof(struct vfio_region_info, offset);
	TAP_ERRNO(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL,
		  "mtty-%d: GET_REGION_INFO argsz < minsz: EINVAL", nports);
}

static void test_irq_info(void)
{
	/* As vfio-pci on a conventional PCI device; ERR would make QEMU warn. */
	static const struct { int err; uint32_t count, flags; } want[] = {
		{ 0, 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			VFIO_IRQ_INFO_AUTOMASKED },
		{ 0, 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		{ 0, 0, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		{ EINVAL, 0, 0 },
		{ 0, 1, VFIO_IRQ_INFO_EVENTFD },
	};
	static const char *const name[] = { "INTx", "MSI", "MSI-X", "ERR",
					    "REQ" };
	struct vfio_irq_info ii;

	for (unsigned int i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		int r = irq_info(i, &ii), e = r ? errno : 0;

		if (want[i].err) {
			tap_ok(r == -1 && e == want[i].err,
			       "GET_IRQ_INFO %s: EINVAL (absent)", name[i]);
			continue;
		}
		tap_ok(!r && ii.count == want[i].count &&
		       ii.flags == want[i].flags,
		       "GET_IRQ_INFO %s: count %u flags %#x", name[i],
		       ii.count, ii.flags);
	}
	TAP_ERRNO(irq_info(VFIO_PCI_NUM_IRQS, &ii), EINVAL,
		  "GET_IRQ_INFO index 5: EINVAL");
	ii.argsz = offsetof(struct vfio_irq_info, count);
	ii.index = 0;
	TAP_ERRNO(ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &ii), EINVAL,
		  "GET_IRQ_INFO argsz < minsz: EINVAL");
}

static void test_set_irqs_validation(void)
{
	const uint32_t hsz = sizeof(struct vfio_irq_set);
	const uint32_t none = VFIO_IRQ_SET_DATA_NONE | TRIG;
	int32_t fd = -1;
	int nullfd;

	TAP_ERRNO(set_irqs_raw(hsz - 1, none, INTX, 0, 1, NULL, 0), EINVAL,
		  "SET_IRQS argsz < minsz: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz + 1, none | VFIO_IRQ_SET_DATA_BOOL, INTX,
			       0, 1, "\1", 1), EINVAL,
		  "SET_IRQS two DATA flags: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none | MASK, INTX, 0, 1, NULL, 0), EINVAL,
		  "SET_IRQS two ACTION flags: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, VFIO_IRQ_SET_DATA_NONE, INTX, 0, 1, NULL,
			       0), EINVAL, "SET_IRQS no ACTION flag: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none | 1u << 6, INTX, 0, 1, NULL, 0),
		  EINVAL, "SET_IRQS unknown flag: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, VFIO_PCI_NUM_IRQS, 0, 1, NULL, 0),
		  EINVAL, "SET_IRQS index out of range: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL,
			       0), EINVAL, "SET_IRQS MSI-X (count 0): EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, VFIO_PCI_ERR_IRQ_INDEX, 0, 0, NULL,
			       0), EINVAL,
		  "SET_IRQS ERR disable (absent): EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, INTX, 0, 2, NULL, 0), EINVAL,
		  "SET_IRQS start+count beyond count: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, INTX, 1, 0, NULL, 0), EINVAL,
		  "SET_IRQS start beyond count: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, none, INTX, 0xffffffffu, 2, NULL, 0),
		  EINVAL, "SET_IRQS start+count overflow: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz + 4, VFIO_IRQ_SET_DATA_EVENTFD | TRIG, INTX,
			       0, 0, &fd, 4), EINVAL,
		  "SET_IRQS count 0 with EVENTFD: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz, VFIO_IRQ_SET_DATA_BOOL | UNMASK, INTX, 0,
			       0, NULL, 0), EINVAL,
		  "SET_IRQS count 0 with UNMASK: EINVAL");
	TAP_ERRNO(set_irqs_raw(hsz + 3, VFIO_IRQ_SET_DATA_EVENTFD | TRIG, INTX,
			       0, 1, &fd, 4), EINVAL,
		  "SET_IRQS argsz too small for the data: EINVAL");
	TAP_ERRNO(set_none(MSI, MASK, 1), EINVAL, "SET_IRQS MASK on MSI: EINVAL");
	TAP_ERRNO(set_none(VFIO_PCI_REQ_IRQ_INDEX, UNMASK, 1), EINVAL,
		  "SET_IRQS UNMASK on REQ: EINVAL");
	TAP_ERRNO(set_efd(INTX, MASK, -1), ENOTTY,
		  "SET_IRQS MASK with EVENTFD on INTx: ENOTTY");
	TAP_ERRNO(set_efd(INTX, TRIG, 1000), EBADF,
		  "SET_IRQS closed fd: EBADF");
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	TAP_ERRNO(set_efd(INTX, TRIG, nullfd), EINVAL,
		  "SET_IRQS fd that is no eventfd: EINVAL");
	TAP_ERRNO(set_efd(INTX, UNMASK, nullfd), EINVAL,
		  "SET_IRQS irqfd unmask, no eventfd: EINVAL");
	close(nullfd);
	TAP_ZERO(set_none(INTX, TRIG, 0), "SET_IRQS disable unarmed INTx");
	TAP_ZERO(set_efd(INTX, TRIG, -1), "SET_IRQS fd -1 on unarmed INTx");
}

static void test_config(int nports)
{
	const uint16_t cmd_rw = PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
				PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;
	uint8_t buf[256];
	uint32_t cap;

	if (nports == 2) {
		cfg_wr(PCI_BASE_ADDRESS_1, 4, 0xffffffff);
		tap_ok(cfg_rd(PCI_BASE_ADDRESS_1, 4) == 0xfffffff9,
		       "mtty-2: BAR1 sizing reads 0xfffffff9");
		cfg_wr(PCI_BASE_ADDRESS_1, 4, 0xc008);
		tap_ok(cfg_rd(PCI_BASE_ADDRESS_1, 4) == 0xc009,
		       "mtty-2: BAR1 programmable");
		return;
	}
	tap_ok(cfg_rd(PCI_VENDOR_ID, 4) == 0x32534348, "config IDs 4348:3253");
	tap_ok(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 4) == 0x32534348,
	       "config subsystem IDs 4348:3253");
	tap_ok(cfg_rd(PCI_CLASS_REVISION, 4) == 0x07000210,
	       "config class 070002 revision 0x10");
	tap_ok(cfg_rd(PCI_HEADER_TYPE, 1) == 0, "config header type 0");
	tap_ok(cfg_rd(PCI_STATUS, 2) == PCI_STATUS_CAP_LIST,
	       "config status CAP_LIST");
	cap = cfg_rd(PCI_CAPABILITY_LIST, 1);
	tap_ok(cap >= 0x40 && cap < 0xff && cfg_rd(cap, 1) == PCI_CAP_ID_MSI &&
	       cfg_rd(cap + 1, 1) == 0, "config MSI capability at %#x", cap);
	tap_ok((cfg_rd(cap + PCI_MSI_FLAGS, 2) & 0xff) == PCI_MSI_FLAGS_64BIT,
	       "config MSI: 64-bit, 1 vector, disabled");
	cfg_wr(cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE |
	       PCI_MSI_FLAGS_QSIZE);
	tap_ok((cfg_rd(cap + PCI_MSI_FLAGS, 2) & 0xff) ==
	       (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_ENABLE),
	       "config MSI: enable writable, MME capped by MMC");
	cfg_wr(cap + PCI_MSI_FLAGS, 2, 0);
	cfg_wr(cap + PCI_MSI_ADDRESS_LO, 4, 0xfee01003);
	tap_ok(cfg_rd(cap + PCI_MSI_ADDRESS_LO, 4) == 0xfee01000,
	       "config MSI: address writable, dword aligned");
	tap_ok(cfg_rd(PCI_INTERRUPT_PIN, 1) == 1, "config interrupt pin INTA");
	cfg_wr(PCI_INTERRUPT_PIN, 1, 4);
	tap_ok(cfg_rd(PCI_INTERRUPT_PIN, 1) == 1,
	       "config interrupt pin read-only");
	cfg_wr(PCI_INTERRUPT_LINE, 1, 0x0b);
	tap_ok(cfg_rd(PCI_INTERRUPT_LINE, 1) == 0x0b,
	       "config interrupt line writable");
	cfg_wr(PCI_VENDOR_ID, 4, 0);
	tap_ok(cfg_rd(PCI_VENDOR_ID, 4) == 0x32534348,
	       "config vendor ID write ignored");
	cfg_wr(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	tap_ok(cfg_rd(PCI_BASE_ADDRESS_0, 4) == 0xfffffff9,
	       "config BAR0 sizing reads 0xfffffff9");
	cfg_wr(PCI_BASE_ADDRESS_0, 4, 0xc000);
	tap_ok(cfg_rd(PCI_BASE_ADDRESS_0, 4) == 0xc001,
	       "config BAR0 programmable (0xc001)");
	cfg_wr(PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	cfg_wr(PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	cfg_wr(PCI_ROM_ADDRESS, 4, 0xffffffff);
	tap_ok(cfg_rd(PCI_BASE_ADDRESS_1, 4) == 0 &&
	       cfg_rd(PCI_BASE_ADDRESS_2, 4) == 0 &&
	       cfg_rd(PCI_ROM_ADDRESS, 4) == 0, "config unused BARs stay 0");
	cfg_wr(PCI_COMMAND, 2, 0xffff);
	tap_ok(cfg_rd(PCI_COMMAND, 2) == cmd_rw,
	       "config command writable bits (%#x)", cfg_rd(PCI_COMMAND, 2));
	cfg_wr(PCI_COMMAND, 2, 0);
	tap_ok(cfg_rd(PCI_COMMAND, 2) == 0, "config command cleared");
	cfg_wr(PCI_STATUS, 2, 0xffff);
	tap_ok(cfg_rd(PCI_STATUS, 2) == PCI_STATUS_CAP_LIST,
	       "config status: CAP_LIST read-only, error bits w1c");

	tap_ok(rd(CFG, 0, buf, 256) == 256 && buf[0] == 0x48 && buf[1] == 0x43,
	       "config read of all 256 bytes");
	TAP_ERRNO(rd(CFG, 256, buf, 1), EINVAL, "config read at 256: EINVAL");
	TAP_ERRNO(rd(CFG, 250, buf, 10), EINVAL,
		  "config read past the end (250 + 10): EINVAL");
	TAP_ERRNO(pread(dev, buf, 16, (off_t)(mdk_region_off(CFG) +
				     (1ULL << 40) - 8)), EINVAL,
		  "config read at the top of the index window: EINVAL");
	TAP_ERRNO(rd(0, 8, buf, 1), EINVAL, "BAR0 read at offset 8: EINVAL");
	TAP_ERRNO(rd(0, 7, buf, 2), EINVAL, "BAR0 read across its end: EINVAL");
	TAP_ERRNO(rd(1, 0, buf, 1), EINVAL, "mtty-1: BAR1 read: EINVAL");
	TAP_ERRNO(rd(VFIO_PCI_ROM_REGION_INDEX, 0, buf, 1), EINVAL,
		  "ROM read: EINVAL");
	TAP_ERRNO(rd(VFIO_PCI_NUM_REGIONS, 0, buf, 1), EINVAL,
		  "region 9 read: EINVAL");
}

static void test_uart(void)
{
	uint8_t got[32];
	bool ok;
	int n;

	TAP_ZERO(dev_reset(), "RESET before the UART cases");
	tap_ok(uin(0, UART_LSR) == (UART_LSR_THRE | UART_LSR_TEMT),
	       "UART LSR THRE|TEMT (0x60) at reset");
	tap_ok(uin(0, UART_IIR) == UART_IIR_NO_INT,
	       "UART IIR 0x01 at reset (FIFOs off)");
	tap_ok(rd(0, 0, got, 8) == 8 && got[UART_LSR] == 0x60,
	       "UART whole BAR read in one pread");

	uout(0, UART_TX, 'A');
	tap_ok(uin(0, UART_LSR) & UART_LSR_DR, "UART loopback: LSR DR set");
	tap_ok(uin(0, UART_RX) == 'A', "UART loopback: byte read back");
	tap_ok(!(uin(0, UART_LSR) & UART_LSR_DR),
	       "UART loopback: LSR DR clear after read");

	uout(0, UART_TX, '1');
	uout(0, UART_TX, '2');
	n = uin(0, UART_LSR);
	tap_ok(n & UART_LSR_OE && uin(0, UART_RX) == '2' &&
	       !(uin(0, UART_LSR) & (UART_LSR_DR | UART_LSR_OE)),
	       "UART FIFOs off: one-byte holding register overruns");

	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
	     UART_FCR_CLEAR_XMIT);
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_NO_INT),
	       "UART IIR 0xc1 with FIFOs on");

	for (int i = 0; i < 16; i++)
		uout(0, UART_TX, 0x40 + i);
	tap_ok(!(uin(0, UART_LSR) & UART_LSR_OE), "UART 16 bytes: no overrun");
	ok = true;
	for (int i = 0; i < 16; i++) {
		if (!(uin(0, UART_LSR) & UART_LSR_DR) ||
		    uin(0, UART_RX) != 0x40 + i)
			ok = false;
	}
	tap_ok(ok && !(uin(0, UART_LSR) & UART_LSR_DR),
	       "UART full 16-byte FIFO read back in order");

	for (int i = 0; i < 17; i++)
		uout(0, UART_TX, 0x60 + i);
	n = uin(0, UART_LSR);
	tap_ok((n & (UART_LSR_OE | UART_LSR_DR)) ==
	       (UART_LSR_OE | UART_LSR_DR), "UART 17th byte: LSR OE");
	tap_ok(!(uin(0, UART_LSR) & UART_LSR_OE), "UART OE cleared by LSR read");
	n = drain(0, got, sizeof(got));
	ok = n == 16;
	for (int i = 0; i < 16 && ok; i++)
		ok = got[i] == 0x60 + i;
	tap_ok(ok, "UART overrun keeps the 16 earlier bytes (%d read)", n);

	for (int i = 0; i < 5; i++)
		uout(0, UART_TX, i);
	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	tap_ok(!(uin(0, UART_LSR) & UART_LSR_DR), "UART FCR clear-RX empties");

	uout(0, UART_IER, UART_IER_THRI);
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_THRI),
	       "UART IIR THRI after enabling IER.THRI");
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_NO_INT),
	       "UART IIR THRI cleared by reading IIR");
	uout(0, UART_TX, 'x');
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_THRI) &&
	       uin(0, UART_IIR) == (0xc0 | UART_IIR_NO_INT),
	       "UART IIR THRI again after a transmit");
	uout(0, UART_IER, UART_IER_RDI | UART_IER_THRI);
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_RDI),
	       "UART IIR RDI has priority over THRI");
	uin(0, UART_RX);
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_NO_INT),
	       "UART IIR RDI cleared by reading the byte");

	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8);
	uout(0, UART_TX, 'a');
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_RX_TIMEOUT),
	       "UART below trigger level 8: IIR timeout");
	for (int i = 0; i < 7; i++)
		uout(0, UART_TX, 'b');
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_RDI),
	       "UART at trigger level 8: IIR RDI");
	uout(0, UART_IER, UART_IER_RDI | UART_IER_RLSI);
	for (int i = 0; i < 9; i++)
		uout(0, UART_TX, 'c');
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_RLSI),
	       "UART IIR RLSI on overrun, highest priority");
	uin(0, UART_LSR);
	tap_ok(uin(0, UART_IIR) == (0xc0 | UART_IIR_RDI),
	       "UART IIR back to RDI after LSR read");
	drain(0, got, sizeof(got));
	uout(0, UART_IER, 0);
	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO);

	uout(0, UART_SCR, 0x5a);
	n = uin(0, UART_SCR);
	uout(0, UART_SCR, 0xa5);
	tap_ok(n == 0x5a && uin(0, UART_SCR) == 0xa5, "UART scratch register");

	uout(0, UART_IER, 0xff);
	tap_ok(uin(0, UART_IER) == 0x0f, "UART IER keeps 4 bits");
	uout(0, UART_IER, 0x05);
	uout(0, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	uout(0, UART_DLL, 0x0c);
	uout(0, UART_DLM, 0x01);
	ok = uin(0, UART_DLL) == 0x0c && uin(0, UART_DLM) == 0x01 &&
	     !(uin(0, UART_LSR) & UART_LSR_DR);
	uout(0, UART_LCR, UART_LCR_WLEN8);
	tap_ok(ok && uin(0, UART_LCR) == UART_LCR_WLEN8 &&
	       uin(0, UART_IER) == 0x05, "UART DLAB divisor latch read/write");
	uout(0, UART_LCR, UART_LCR_DLAB);
	ok = uin(0, UART_DLL) == 0x0c && uin(0, UART_DLM) == 0x01;
	uout(0, UART_LCR, 0);
	tap_ok(ok, "UART divisor kept across DLAB toggles");
	uout(0, UART_IER, 0);

	uout(0, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	tap_ok((uin(0, UART_MSR) & 0xf0) == 0x90,
	       "UART MCR loop mirrors RTS/OUT2 to CTS/DCD in MSR");
	uout(0, UART_MCR, 0);
	tap_ok(uin(0, UART_MCR) == 0 && (uin(0, UART_MSR) & 0xf0) ==
	       (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD),
	       "UART MSR out of loop mode");
}

/* Port 0 with FIFOs on, trigger 1, IER.RDI: each byte interrupts. */
static void rx_irq_setup(void)
{
	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	uout(0, UART_IER, UART_IER_RDI);
}

static void test_interrupts(void)
{
	int intx = new_efd(), msi = new_efd(), req = new_efd();
	int unmask = new_efd();
	uint64_t one = 1;
	uint8_t got[32];

	TAP_ZERO(dev_reset(), "RESET before the interrupt cases");
	rx_irq_setup();
	TAP_ZERO(set_efd(INTX, TRIG, intx), "INTx: arm eventfd");
	uout(0, UART_TX, 'i');
	tap_ok(efd_wait(intx, WAIT_MS) == 1, "INTx fires on RX with IER.RDI");
	uout(0, UART_TX, 'j');
	tap_ok(efd_wait(intx, QUIET_MS) == 0,
	       "INTx automasked: no event for the second byte");
	TAP_ZERO(set_none(INTX, UNMASK, 1), "INTx UNMASK");
	tap_ok(efd_wait(intx, WAIT_MS) == 1,
	       "INTx UNMASK delivers the pending interrupt");
	TAP_ZERO(set_none(INTX, UNMASK, 1), "INTx UNMASK, nothing pending");
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "INTx no spurious event");
	drain(0, got, sizeof(got));

	TAP_ZERO(set_none(INTX, MASK, 1), "INTx MASK");
	uout(0, UART_TX, 'k');
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "INTx masked: no event");
	TAP_ZERO(set_bool(INTX, UNMASK, 0), "INTx UNMASK bool false");
	tap_ok(efd_wait(intx, QUIET_MS) == 0,
	       "INTx UNMASK bool false leaves it masked");
	TAP_ZERO(set_bool(INTX, UNMASK, 1), "INTx UNMASK bool true");
	tap_ok(efd_wait(intx, WAIT_MS) == 1, "INTx event after UNMASK");
	set_none(INTX, UNMASK, 1);
	drain(0, got, sizeof(got));

	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	uout(0, UART_TX, 'l');
	tap_ok(efd_wait(intx, QUIET_MS) == 0,
	       "INTx blocked by command.INTX_DISABLE");
	cfg_wr(PCI_COMMAND, 2, 0);
	drain(0, got, sizeof(got));

	TAP_ZERO(set_efd(INTX, UNMASK, unmask), "INTx irqfd unmask: arm");
	uout(0, UART_TX, 'm');
	tap_ok(efd_wait(intx, WAIT_MS) == 1, "INTx fires before irqfd unmask");
	uout(0, UART_TX, 'n');
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "INTx masked, pending");
	tap_ok(write(unmask, &one, sizeof(one)) == sizeof(one) &&
	       efd_wait(intx, WAIT_MS) == 1,
	       "INTx irqfd unmask delivers the pending interrupt");
	TAP_ZERO(set_efd(INTX, UNMASK, -1), "INTx irqfd unmask: disarm");
	set_none(INTX, UNMASK, 1);
	drain(0, got, sizeof(got));

	TAP_ZERO(set_none(INTX, TRIG, 1), "INTx TRIGGER DATA_NONE");
	tap_ok(efd_wait(intx, WAIT_MS) == 1,
	       "INTx TRIGGER DATA_NONE fires the eventfd");
	set_bool(INTX, TRIG, 0);
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "INTx TRIGGER bool false: none");
	set_bool(INTX, TRIG, 1);
	tap_ok(efd_wait(intx, WAIT_MS) == 1, "INTx TRIGGER bool true fires");

	TAP_ZERO(set_efd(INTX, TRIG, -1), "INTx disarm with fd -1");
	uout(0, UART_TX, 'o');
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "INTx disarmed (fd -1): silent");
	drain(0, got, sizeof(got));
	set_efd(INTX, TRIG, intx);
	TAP_ZERO(set_none(INTX, TRIG, 0), "INTx disarm with count 0");
	uout(0, UART_TX, 'p');
	tap_ok(efd_wait(intx, QUIET_MS) == 0,
	       "INTx disarmed (count 0): silent");
	drain(0, got, sizeof(got));

	set_efd(INTX, TRIG, intx);
	TAP_ZERO(set_efd(MSI, TRIG, msi), "MSI: arm eventfd");
	uout(0, UART_TX, 'q');
	tap_ok(efd_wait(msi, WAIT_MS) == 1 && efd_wait(intx, QUIET_MS) == 0,
	       "MSI fires instead of INTx");
	uout(0, UART_TX, 'r');
	tap_ok(efd_wait(msi, WAIT_MS) == 1, "MSI is not automasked");
	TAP_ZERO(set_none(MSI, TRIG, 0), "MSI disarm");
	uout(0, UART_TX, 's');
	tap_ok(efd_wait(intx, WAIT_MS) == 1 && efd_wait(msi, QUIET_MS) == 0,
	       "INTx again once MSI is disarmed");
	set_none(INTX, TRIG, 0);
	drain(0, got, sizeof(got));

	TAP_ZERO(set_efd(VFIO_PCI_REQ_IRQ_INDEX, TRIG, req), "REQ: arm");
	set_none(VFIO_PCI_REQ_IRQ_INDEX, TRIG, 1);
	tap_ok(efd_wait(req, WAIT_MS) == 1, "REQ TRIGGER DATA_NONE fires");
	set_none(VFIO_PCI_REQ_IRQ_INDEX, TRIG, 0);

	uout(0, UART_IER, 0);
	close(intx);
	close(msi);
	close(req);
	close(unmask);
}

static void test_reset(void)
{
	int intx = new_efd();
	uint8_t got[32];

	rx_irq_setup();
	set_efd(INTX, TRIG, intx);
	uout(0, UART_TX, 'z');
	tap_ok(efd_wait(intx, WAIT_MS) == 1, "reset: INTx fired (now masked)");
	uout(0, UART_TX, 'y');
	uout(0, UART_IER, 0x0f);
	uout(0, UART_SCR, 0x77);
	uout(0, UART_LCR, 0x1b);
	uout(0, UART_MCR, UART_MCR_LOOP);
	cfg_wr(PCI_BASE_ADDRESS_0, 4, 0xc000);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	cfg_wr(PCI_INTERRUPT_LINE, 1, 9);

	TAP_ZERO(dev_reset(), "VFIO_DEVICE_RESET");
	tap_ok(uin(0, UART_LSR) == 0x60 && uin(0, UART_IER) == 0 &&
	       uin(0, UART_IIR) == UART_IIR_NO_INT && uin(0, UART_SCR) == 0 &&
	       uin(0, UART_LCR) == 0 && uin(0, UART_MCR) == 0,
	       "reset: UART back to power-on");
	tap_ok(cfg_rd(PCI_BASE_ADDRESS_0, 4) == 1 &&
	       cfg_rd(PCI_COMMAND, 2) == 0 &&
	       cfg_rd(PCI_INTERRUPT_LINE, 1) == 0 &&
	       cfg_rd(PCI_VENDOR_ID, 4) == 0x32534348,
	       "reset: config space back to power-on");
	tap_ok(efd_wait(intx, QUIET_MS) == 0, "reset: stale pending dropped");
	rx_irq_setup();
	uout(0, UART_TX, 'w');
	tap_ok(efd_wait(intx, WAIT_MS) == 1,
	       "reset: eventfd still armed, INTx unmasked");
	set_none(INTX, TRIG, 0);
	drain(0, got, sizeof(got));
	uout(0, UART_IER, 0);
	close(intx);
}

/* Close the device with everything armed, reopen: clean and usable. */
static void test_close_armed(void)
{
	int intx = new_efd(), msi = new_efd(), unmask = new_efd();
	uint8_t got[4];

	set_efd(INTX, TRIG, intx);
	set_efd(INTX, UNMASK, unmask);
	set_efd(MSI, TRIG, msi);
	set_efd(VFIO_PCI_REQ_IRQ_INDEX, TRIG, intx);
	set_none(INTX, MASK, 1);
	mdk_vfio_close(&vf[0]);
	tap_ok(!mdk_vfio_open(uuid[0], &vf[0]),
	       "reopen after closing with INTx, MSI, irqfd, REQ armed");
	dev = vf[0].device;
	rx_irq_setup();
	uout(0, UART_TX, 'v');
	tap_ok(efd_wait(msi, QUIET_MS) == 0 && efd_wait(intx, QUIET_MS) == 0,
	       "after reopen: old eventfds are disarmed");
	drain(0, got, sizeof(got));
	set_efd(INTX, TRIG, intx);
	uout(0, UART_TX, 'u');
	tap_ok(efd_wait(intx, WAIT_MS) == 1,
	       "after reopen: INTx armed afresh fires (unmasked)");
	drain(0, got, sizeof(got));
	uout(0, UART_IER, 0);
	/* Closed armed once more: the VM run checks for leaks. */
	set_efd(INTX, UNMASK, unmask);
	close(intx);
	close(msi);
	close(unmask);
}

static void test_two_ports(void)
{
	uint8_t a, b;

	TAP_ZERO(dev_reset(), "mtty-2: RESET");
	uout(0, UART_FCR, UART_FCR_ENABLE_FIFO);
	uout(0, UART_TX, 'x');
	uout(1, UART_TX, 'y');
	uout(1, UART_TX, 'z');
	uout(0, UART_SCR, 0x11);
	uout(1, UART_SCR, 0x22);
	uout(1, UART_IER, UART_IER_THRI);
	tap_ok(uin(0, UART_SCR) == 0x11 && uin(1, UART_SCR) == 0x22,
	       "mtty-2: scratch registers independent");
	tap_ok(uin(0, UART_IER) == 0 && uin(1, UART_IER) == UART_IER_THRI,
	       "mtty-2: IER independent");
	tap_ok(uin(0, UART_IIR) == 0xc1 && uin(1, UART_IIR) == 0x02,
	       "mtty-2: IIR independent (FIFO bits on port 0 only)");
	/* Port 1 has its FIFOs off: 'z' overran 'y'. */
	tap_ok((uin(1, UART_LSR) & UART_LSR_OE) &&
	       !(uin(0, UART_LSR) & UART_LSR_OE),
	       "mtty-2: overrun on port 1 only");
	a = uin(0, UART_RX);
	b = uin(1, UART_RX);
	tap_ok(a == 'x' && b == 'z' && !(uin(0, UART_LSR) & UART_LSR_DR) &&
	       !(uin(1, UART_LSR) & UART_LSR_DR),
	       "mtty-2: each port receives its own bytes");
	uout(1, UART_IER, 0);
}

struct remover {
	const char *uuid;
	int ret;
};

static void *remover_run(void *p)
{
	struct remover *r = p;

	r->ret = mdk_remove(r->uuid);
	return NULL;
}

/* Removal of an open device asks the user through the REQ eventfd. */
static void test_remove_while_open(int i)
{
	struct remover r = { uuid[i], -1 };
	int req = new_efd();
	char path[128];
	pthread_t t;

	set_efd(VFIO_PCI_REQ_IRQ_INDEX, TRIG, req);
	if (pthread_create(&t, NULL, remover_run, &r)) {
		tap_ok(false, "remove while open: pthread_create");
		close(req);
		return;
	}
	tap_ok(efd_wait(req, 5000) >= 1, "remove while open: REQ signalled");
	mdk_vfio_close(&vf[i]);
	pthread_join(t, NULL);
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid[i]);
	tap_ok(r.ret == 0 && !mdk_path_exists(path),
	       "remove while open: done once the user closed the device");
	if (!r.ret)
		uuid[i][0] = '\0';
	close(req);
}

int main(void)
{
	long avail0, avail1;

	tap_init("mtty");
	atexit(cleanup);

	if (mdk_create(MTTY_PARENT, "mtty-1", uuid[0]))
		tap_bail("create mtty-1");
	if (mdk_vfio_open(uuid[0], &vf[0]))
		tap_bail("open mtty-1 through VFIO");
	dev = vf[0].device;
	test_device_info();
	test_region_info(1);
	test_irq_info();
	test_set_irqs_validation();
	test_config(1);
	test_uart();
	test_interrupts();
	test_reset();
	test_close_armed();

	avail0 = mdk_available(MTTY_PARENT, "mtty-1");
	if (mdk_create(MTTY_PARENT, "mtty-2", uuid[1]))
		tap_bail("create mtty-2");
	avail1 = mdk_available(MTTY_PARENT, "mtty-1");
	tap_ok(avail0 - avail1 == 2, "mtty-2 takes 2 ports of the pool");
	if (mdk_vfio_open(uuid[1], &vf[1]))
		tap_bail("open mtty-2 through VFIO");
	dev = vf[1].device;
	test_region_info(2);
	test_config(2);
	test_two_ports();
	test_remove_while_open(1);

	cleanup();
	tap_ok(mdk_available(MTTY_PARENT, "mtty-1") == avail0 + 1,
	       "ports back in the pool after removal");
	return tap_done();
}
