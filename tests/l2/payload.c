// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bare-metal L2 test guest for an mtty-2 mediated device handed to QEMU
 * with -device vfio-pci,sysfsdev=...: QEMU's multiboot loader starts us
 * in 32-bit protected mode after SeaBIOS has enumerated PCI.
 *
 * We scan PCI through 0xCF8/0xCFC, find the device by identity, check its
 * class, revision and I/O BARs, run UART loopback and the 16-byte FIFO on
 * both ports, then take real interrupts: an IDT, the 8259 PIC in level
 * mode and the PIT as a time base. Every received-data interrupt travels
 * mtty -> INTx eventfd -> QEMU's vfio-pci -> PIIX -> PIC -> our handler;
 * then the same through MSI: mtty -> MSI eventfd -> QEMU -> local APIC.
 *
 * Output goes to the debug console (port 0xE9, -debugcon); the verdict
 * leaves through isa-debug-exit at 0xF4: QEMU exits with status 67 on
 * PASS and 69 on FAIL ((value << 1) | 1).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#define MTTY_VENDOR	0x4348
#define MTTY_DEVICE	0x3253
#define MTTY_CLASS	0x070002	/* simple comm., 16550 UART */
#define MTTY_REVISION	0x10
#define MTTY_PORTS	2		/* mtty-2: BAR0 and BAR1 */
#define MTTY_BAR_SIZE	8

#define DEBUGCON_PORT	0xe9
#define EXIT_PORT	0xf4
#define EXIT_PASS	0x21		/* QEMU exit status 67 */
#define EXIT_FAIL	0x22		/* QEMU exit status 69 */

/* PCI configuration space */
#define PCI_ADDR_PORT	0xcf8
#define PCI_DATA_PORT	0xcfc
#define PCI_VENDOR_ID	0x00
#define PCI_COMMAND	0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS	0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_CLASS_REV	0x08
#define PCI_HEADER_TYPE	0x0e
#define PCI_BAR0	0x10
#define PCI_CAP_PTR	0x34
#define PCI_INT_LINE	0x3c
#define PCI_INT_PIN	0x3d
#define PCI_CAP_ID_MSI	0x05
#define PCI_MSI_FLAGS	2		/* offsets in the MSI capability */
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_QSIZE	0x0070
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define PCI_MSI_ADDR_LO	4
#define PCI_MSI_ADDR_HI	8		/* 64-bit only */
#define PCI_MSI_DATA_32	8
#define PCI_MSI_DATA_64	12

/* 16550 registers (offsets in an I/O BAR) */
#define UART_RBR	0	/* read: receive buffer */
#define UART_THR	0	/* write: transmit holding */
#define UART_DLL	0	/* with LCR.DLAB */
#define UART_IER	1
#define  UART_IER_RDI		0x01
#define UART_DLM	1	/* with LCR.DLAB */
#define UART_IIR	2	/* read */
#define  UART_IIR_NO_INT	0x01
#define  UART_IIR_ID		0x0e
#define  UART_IIR_RDI		0x04
#define  UART_IIR_FIFO		0xc0
#define UART_FCR	2	/* write */
#define  UART_FCR_ENABLE_CLEAR	0x07	/* enable, clear RX+TX, trigger 1 */
#define UART_LCR	3
#define  UART_LCR_8N1		0x03
#define  UART_LCR_DLAB		0x80
#define UART_MCR	4
#define  UART_MCR_DTR_RTS_OUT2	0x0b
#define UART_LSR	5
#define  UART_LSR_DR		0x01
#define  UART_LSR_THRE		0x20
#define  UART_LSR_TEMT		0x40
#define UART_SCR	7
#define UART_FIFO_SIZE	16

/* 8259 PIC, ELCR, 8254 PIT */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20
#define ELCR_PORT	0x4d0
#define PIT_CH0		0x40
#define PIT_MODE	0x43
#define PIT_HZ		100
#define IRQ_VECTOR	0x20		/* IRQ n arrives on vector 0x20 + n */
#define MSI_VECTOR	0x30
#define SPURIOUS_VECTOR	0x3f
#define NR_VECTORS	64

/* Local APIC (xAPIC, MMIO: we run unpaged) */
#define MSR_APIC_BASE	0x1b
#define  APIC_BASE_ENABLE	0x800
#define APIC_ID		0x20
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define  APIC_SVR_ENABLE	0x100
#define MSI_ADDR	0xfee00000u	/* | destination APIC ID << 12 */

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The compiler may emit calls to these even when freestanding. */
void *memset(void *s, int c, unsigned int n);
void *memcpy(void *d, const void *s, unsigned int n);

void *memset(void *s, int c, unsigned int n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, unsigned int n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

/* ---- debug console output ---------------------------------------- */

static void put_char(char c)
{
	outb(DEBUGCON_PORT, (u8)c);
}

static void put_num(u32 v, unsigned int base, int width, char pad)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		put_char(pad);
	while (n)
		put_char(buf[--n]);
}

/* printf subset: %s %c %u %d %x with an optional 0 flag and width. */
static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		char pad = ' ';
		int width = 0;
		const char *s;
		int d;

		if (*fmt != '%') {
			put_char(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				put_char(*s);
			break;
		case 'c':
			put_char((char)va_arg(ap, int));
			break;
		case 'u':
			put_num(va_arg(ap, u32), 10, width, pad);
			break;
		case 'd':
			d = va_arg(ap, int);
			if (d < 0) {
				put_char('-');
				d = -d;
			}
			put_num((u32)d, 10, width, pad);
			break;
		case 'x':
			put_num(va_arg(ap, u32), 16, width, pad);
			break;
		default:
			put_char('%');
			put_char(*fmt);
			break;
		}
	}
}

static void __attribute__((format(printf, 1, 2))) print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static unsigned int failures;

/* Record one check: "ok - what" or "FAIL - what". Returns @cond. */
static bool __attribute__((format(printf, 2, 3)))
check(bool cond, const char *fmt, ...)
{
	va_list ap;

	print("%s - ", cond ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	put_char('\n');
	if (!cond)
		failures++;
	return cond;
}

static void __attribute__((noreturn)) finish(void)
{
	if (failures)
		print("RESULT: FAIL (%u failed checks)\n", failures);
	else
		print("RESULT: PASS\n");
	outl(EXIT_PORT, failures ? EXIT_FAIL : EXIT_PASS);
	/* No isa-debug-exit device: triple-fault, QEMU -no-reboot exits. */
	{
		static const struct { u16 limit; u32 base; }
			__attribute__((packed)) no_idt;

		asm volatile("lidt %0; int3" : : "m"(no_idt));
	}
	for (;;)
		asm volatile("cli; hlt");
}

/* ---- PCI configuration access (mechanism #1) --------------------- */

static u32 pci_addr(u32 bdf, u8 off)
{
	return 0x80000000u | bdf << 8 | (off & 0xfc);
}

static u32 cfg_read32(u32 bdf, u8 off)
{
	outl(PCI_ADDR_PORT, pci_addr(bdf, off));
	return inl(PCI_DATA_PORT);
}

static u16 cfg_read16(u32 bdf, u8 off)
{
	return (u16)(cfg_read32(bdf, off) >> ((off & 2) * 8));
}

static u8 cfg_read8(u32 bdf, u8 off)
{
	return (u8)(cfg_read32(bdf, off) >> ((off & 3) * 8));
}

static void cfg_write32(u32 bdf, u8 off, u32 v)
{
	outl(PCI_ADDR_PORT, pci_addr(bdf, off));
	outl(PCI_DATA_PORT, v);
}

static void cfg_write16(u32 bdf, u8 off, u16 v)
{
	outl(PCI_ADDR_PORT, pci_addr(bdf, off));
	asm volatile("outw %0, %1" : : "a"(v),
		     "Nd"((u16)(PCI_DATA_PORT + (off & 2))));
}

/* ---- interrupts --------------------------------------------------- */

struct trap_frame {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

struct idt_entry {
	u16 off_lo;
	u16 selector;
	u8 zero;
	u8 type;
	u16 off_hi;
} __attribute__((packed));

extern const u8 trap_stubs[];	/* 16 bytes per vector, start.S */
void trap(struct trap_frame *f);
void payload_main(u32 magic, u32 info);

static struct idt_entry idt[NR_VECTORS];
static volatile u32 ticks;

/* The device, as the interrupt handler sees it. */
static u32 dev_bdf;
static u16 uart_base[MTTY_PORTS];
static u8 dev_irq;
static u32 apic_base;
static volatile u32 irq_count;		/* INTx interrupts taken */
static volatile u32 irq_status_bit;	/* ... that saw PCI status.INTx */
static volatile u32 msi_count;		/* MSI interrupts taken */
static volatile u32 irq_rdi[MTTY_PORTS];	/* either: RDI was pending */
static volatile u32 irq_empty;		/* either: no cause found */
static volatile u32 irq_other;		/* other vectors and PIC lines */
static volatile u8 rx_buf[MTTY_PORTS][64];
static volatile u32 rx_len[MTTY_PORTS];

static void idt_init(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) desc;
	unsigned int v;

	for (v = 0; v < NR_VECTORS; v++) {
		u32 addr = (u32)(trap_stubs + 16 * v);

		idt[v].off_lo = (u16)addr;
		idt[v].selector = 0x08;
		idt[v].zero = 0;
		idt[v].type = 0x8e;	/* present, ring 0, 32-bit intr gate */
		idt[v].off_hi = (u16)(addr >> 16);
	}
	desc.limit = sizeof(idt) - 1;
	desc.base = (u32)idt;
	asm volatile("lidt %0" : : "m"(desc));
}

/* Remap the PICs to vectors 0x20..0x2f, everything masked. */
static void pic_init(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge (ELCR rules), ICW4 */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_VECTOR);	/* ICW2: vector base */
	outb(PIC2_DATA, IRQ_VECTOR + 8);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void pic_unmask(u8 irq)
{
	if (irq >= 8) {
		outb(PIC2_DATA, inb(PIC2_DATA) & ~(1u << (irq - 8)));
		irq = 2;
	}
	outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << irq));
}

/* PCI INTx is level-triggered: make sure the ELCR says so. */
static void elcr_set_level(u8 irq)
{
	u16 port = ELCR_PORT + irq / 8;

	outb(port, inb(port) | 1u << (irq % 8));
}

static void pit_init(void)
{
	u16 div = 1193182 / PIT_HZ;

	outb(PIT_MODE, 0x34);		/* channel 0, lo/hi, rate generator */
	outb(PIT_CH0, (u8)div);
	outb(PIT_CH0, (u8)(div >> 8));
}

static u32 rdmsr_lo(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo;
}

static u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(apic_base + reg);
}

static void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(apic_base + reg) = v;
}

/* Serve both ports: record the cause, drain the receive FIFOs. */
static void mtty_service(void)
{
	unsigned int p;
	bool found = false;

	for (p = 0; p < MTTY_PORTS; p++) {
		u16 b = uart_base[p];
		u8 iir = inb(b + UART_IIR);
		unsigned int n = 0;

		if (iir & UART_IIR_NO_INT)
			continue;
		found = true;
		if ((iir & UART_IIR_ID) == UART_IIR_RDI)
			irq_rdi[p]++;
		/* Drain the FIFO: that is what clears the RDI condition. */
		while ((inb(b + UART_LSR) & UART_LSR_DR) && n++ < 64) {
			u8 c = inb(b + UART_RBR);

			if (rx_len[p] < sizeof(rx_buf[p]))
				rx_buf[p][rx_len[p]++] = c;
		}
	}
	if (!found)
		irq_empty++;
}

static void mtty_intx(void)
{
	/* Config space is not a BAR access: QEMU has not EOI'd INTx yet. */
	if (cfg_read16(dev_bdf, PCI_STATUS) & PCI_STATUS_INTERRUPT)
		irq_status_bit++;
	irq_count++;
	mtty_service();
}

void trap(struct trap_frame *f)
{
	u32 irq;

	if (f->vector < IRQ_VECTOR) {
		print("FAIL - CPU exception %u (error 0x%x) at eip 0x%x\n",
		      f->vector, f->error, f->eip);
		failures++;
		finish();
	}
	if (f->vector == MSI_VECTOR) {
		msi_count++;
		mtty_service();
		apic_write(APIC_EOI, 0);
		return;
	}
	if (f->vector >= IRQ_VECTOR + 16) {	/* incl. APIC spurious */
		irq_other++;
		return;
	}
	irq = f->vector - IRQ_VECTOR;
	if (irq == 0)
		ticks++;
	else if (irq == dev_irq)
		mtty_intx();
	else
		irq_other++;
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

/* Sleep (hlt) until *@counter >= @target or @max_ticks PIT ticks pass. */
static bool wait_for(volatile u32 *counter, u32 target, u32 max_ticks)
{
	u32 start = ticks;

	while (*counter < target) {
		if (ticks - start >= max_ticks)
			return false;
		asm volatile("hlt");
	}
	return true;
}

/* ---- PCI scan ------------------------------------------------------ */

static bool find_mtty(void)
{
	unsigned int bus, dev, fn, found = 0;

	for (bus = 0; bus < 256; bus++) {
		for (dev = 0; dev < 32; dev++) {
			for (fn = 0; fn < 8; fn++) {
				u32 bdf = bus << 8 | dev << 3 | fn;
				u32 id = cfg_read32(bdf, PCI_VENDOR_ID);
				u32 cr;

				if ((id & 0xffff) == 0xffff) {
					if (fn == 0)
						break;
					continue;
				}
				cr = cfg_read32(bdf, PCI_CLASS_REV);
				print("pci: %02x:%02x.%u %04x:%04x class %06x rev %02x%s\n",
				      bus, dev, fn, id & 0xffff, id >> 16,
				      cr >> 8, cr & 0xff,
				      id == (MTTY_DEVICE << 16 | MTTY_VENDOR) ?
				      "  <- mtty" : "");
				if (id == (MTTY_DEVICE << 16 | MTTY_VENDOR)) {
					dev_bdf = bdf;
					found++;
				}
				if (fn == 0 &&
				    !(cfg_read8(bdf, PCI_HEADER_TYPE) & 0x80))
					break;
			}
		}
	}
	return check(found == 1, "PCI scan finds exactly one %04x:%04x device (%u)",
		     MTTY_VENDOR, MTTY_DEVICE, found);
}

/* Size an I/O BAR with decoding off; restores the BAR. */
static u32 io_bar_size(u8 off)
{
	u16 cmd = cfg_read16(dev_bdf, PCI_COMMAND);
	u32 old = cfg_read32(dev_bdf, off);
	u32 mask;

	cfg_write16(dev_bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_IO);
	cfg_write32(dev_bdf, off, 0xffffffff);
	mask = cfg_read32(dev_bdf, off) & ~3u;
	cfg_write32(dev_bdf, off, old);
	cfg_write16(dev_bdf, PCI_COMMAND, cmd);
	return (~mask + 1) & 0xffff;
}

static bool setup_bars(void)
{
	bool assigned = true;
	unsigned int p;
	u16 cmd;

	for (p = 0; p < MTTY_PORTS; p++) {
		u8 off = PCI_BAR0 + 4 * p;
		u32 bar = cfg_read32(dev_bdf, off);
		u32 size = io_bar_size(off);

		if (!check(bar & 1, "BAR%u is an I/O BAR (0x%x)", p, bar))
			return false;
		check(size == MTTY_BAR_SIZE, "BAR%u is %u bytes", p, size);
		if (!(bar & ~3u)) {
			/* Firmware left it unassigned: take a free range. */
			assigned = false;
			bar = 0xc000 + 0x100 * p;
			cfg_write32(dev_bdf, off, bar);
			bar = cfg_read32(dev_bdf, off);
		}
		uart_base[p] = (u16)(bar & ~3u);
	}
	for (p = MTTY_PORTS; p < 6; p++) {
		u32 bar = cfg_read32(dev_bdf, PCI_BAR0 + 4 * p);

		check(bar == 0, "BAR%u is not implemented (0x%x)", p, bar);
	}
	print("mtty: BAR0 io 0x%x, BAR1 io 0x%x (%s)\n", uart_base[0],
	      uart_base[1], assigned ? "assigned by SeaBIOS" :
	      "assigned by the payload");
	cmd = cfg_read16(dev_bdf, PCI_COMMAND);
	if (!(cmd & PCI_COMMAND_IO))
		cfg_write16(dev_bdf, PCI_COMMAND, cmd | PCI_COMMAND_IO);
	cmd = cfg_read16(dev_bdf, PCI_COMMAND);
	return check(cmd & PCI_COMMAND_IO, "I/O decoding enabled (command 0x%x)",
		     cmd) &&
	       check(uart_base[0] && uart_base[1] &&
		     uart_base[0] != uart_base[1], "BAR0 and BAR1 distinct");
}

/* ---- UART tests ---------------------------------------------------- */

static bool uart_wait_dr(u16 b)
{
	unsigned int i;

	for (i = 0; i < 1000; i++)
		if (inb(b + UART_LSR) & UART_LSR_DR)
			return true;
	return false;
}

static void uart_init(u16 b)
{
	unsigned int i;

	outb(b + UART_IER, 0);
	outb(b + UART_LCR, UART_LCR_DLAB);
	outb(b + UART_DLL, 1);			/* 115200 baud */
	outb(b + UART_DLM, 0);
	outb(b + UART_LCR, UART_LCR_8N1);
	outb(b + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(b + UART_MCR, UART_MCR_DTR_RTS_OUT2);
	for (i = 0; i < 64 && (inb(b + UART_LSR) & UART_LSR_DR); i++)
		inb(b + UART_RBR);
}

static void uart_test(unsigned int p)
{
	static const char msg[] = "mdevkit loopback";
	u16 b = uart_base[p];
	unsigned int i, n;
	u8 v, lsr, got[UART_FIFO_SIZE + 1];
	bool same = true;

	uart_init(b);
	v = inb(b + UART_IIR);
	check((v & 0x0f) == UART_IIR_NO_INT && (v & UART_IIR_FIFO) == UART_IIR_FIFO,
	      "port%u IIR idle with FIFOs enabled (0x%x)", p, v);
	lsr = inb(b + UART_LSR);
	check((lsr & (UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR)) ==
	      (UART_LSR_THRE | UART_LSR_TEMT),
	      "port%u LSR transmitter empty, no data (0x%x)", p, lsr);
	outb(b + UART_SCR, 0x5a + p);
	v = inb(b + UART_SCR);
	check(v == 0x5a + p, "port%u scratch register (0x%x)", p, v);

	/* One byte at a time. */
	for (i = 0; i < sizeof(msg) - 1; i++) {
		outb(b + UART_THR, (u8)msg[i]);
		if (!uart_wait_dr(b) || inb(b + UART_RBR) != (u8)msg[i]) {
			same = false;
			break;
		}
	}
	check(same, "port%u loopback \"%s\" byte by byte", p, msg);

	/* A full FIFO: 16 bytes in, 16 bytes out, in order. */
	for (i = 0; i < UART_FIFO_SIZE; i++)
		outb(b + UART_THR, (u8)(0xa0 + i + p));
	lsr = inb(b + UART_LSR);
	check(lsr & UART_LSR_DR, "port%u full FIFO reports data (LSR 0x%x)",
	      p, lsr);
	for (n = 0; n <= UART_FIFO_SIZE &&
	     (inb(b + UART_LSR) & UART_LSR_DR); n++)
		got[n] = inb(b + UART_RBR);
	same = n == UART_FIFO_SIZE;
	for (i = 0; same && i < n; i++)
		same = got[i] == (u8)(0xa0 + i + p);
	check(same, "port%u FIFO returns 16 bytes in order (%u read)", p, n);
	lsr = inb(b + UART_LSR);
	check(!(lsr & UART_LSR_DR), "port%u FIFO empty afterwards (LSR 0x%x)",
	      p, lsr);
}

/*
 * Receive-data interrupts on port @p, one fresh interrupt per byte,
 * through @how (INTx or MSI): *@taken counts that kind of interrupt.
 */
static void irq_test(unsigned int p, const char *how, volatile u32 *taken)
{
	static const char msg[] = "IRQ!";
	u16 b = uart_base[p];
	u32 rdi0 = irq_rdi[p], taken0 = *taken;
	unsigned int i;
	bool same;

	uart_init(b);		/* a clean FIFO, whatever happened before */
	rx_len[p] = 0;
	outb(b + UART_IER, UART_IER_RDI);
	for (i = 0; i < sizeof(msg) - 1; i++) {
		outb(b + UART_THR, (u8)msg[i]);
		if (!wait_for(&rx_len[p], i + 1, 5 * PIT_HZ))
			break;
	}
	outb(b + UART_IER, 0);
	same = rx_len[p] == sizeof(msg) - 1;
	for (i = 0; same && i < rx_len[p]; i++)
		same = rx_buf[p][i] == (u8)msg[i];
	check(same, "port%u %s handler received \"%s\" (%u bytes)",
	      p, how, msg, rx_len[p]);
	check(irq_rdi[p] - rdi0 >= sizeof(msg) - 1 &&
	      *taken - taken0 >= sizeof(msg) - 1,
	      "port%u one %s RDI interrupt per byte (%u, %u RDI)", p, how,
	      *taken - taken0, irq_rdi[p] - rdi0);
}

/* Offset of capability @id in the device's list, 0 if absent. */
static u8 find_cap(u8 id)
{
	unsigned int guard;
	u8 pos;

	if (!(cfg_read16(dev_bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg_read8(dev_bdf, PCI_CAP_PTR) & ~3;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (cfg_read8(dev_bdf, pos) == id)
			return pos;
		pos = cfg_read8(dev_bdf, pos + 1) & ~3;
	}
	return 0;
}

/* The same through MSI: QEMU turns the MSI eventfd into an APIC write. */
static void msi_test(void)
{
	u8 cap = find_cap(PCI_CAP_ID_MSI);
	u32 base = rdmsr_lo(MSR_APIC_BASE), intx0 = irq_count;
	u16 flags, cmd;
	unsigned int p;

	if (!check(cap, "MSI capability in the list (at 0x%x)", cap) ||
	    !check(base & APIC_BASE_ENABLE, "local APIC enabled (0x%x)", base))
		return;
	apic_base = base & 0xfffff000u;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);

	flags = cfg_read16(dev_bdf, cap + PCI_MSI_FLAGS);
	/* Fixed delivery, edge, physical destination: this CPU. */
	cfg_write32(dev_bdf, cap + PCI_MSI_ADDR_LO,
		    MSI_ADDR | (apic_read(APIC_ID) >> 24) << 12);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		cfg_write32(dev_bdf, cap + PCI_MSI_ADDR_HI, 0);
		cfg_write16(dev_bdf, cap + PCI_MSI_DATA_64, MSI_VECTOR);
	} else {
		cfg_write16(dev_bdf, cap + PCI_MSI_DATA_32, MSI_VECTOR);
	}
	/* An MSI is a memory write by the device: it needs bus mastering. */
	cmd = cfg_read16(dev_bdf, PCI_COMMAND);
	cfg_write16(dev_bdf, PCI_COMMAND,
		    cmd | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	cfg_write16(dev_bdf, cap + PCI_MSI_FLAGS,
		    (flags & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
	flags = cfg_read16(dev_bdf, cap + PCI_MSI_FLAGS);
	if (check(flags & PCI_MSI_FLAGS_ENABLE, "MSI enabled (flags 0x%x)",
		  flags))
		for (p = 0; p < MTTY_PORTS; p++)
			irq_test(p, "MSI", &msi_count);
	check(irq_count == intx0, "no INTx while MSI is on (%u)",
	      irq_count - intx0);
	cfg_write16(dev_bdf, cap + PCI_MSI_FLAGS,
		    flags & ~PCI_MSI_FLAGS_ENABLE);
	cfg_write16(dev_bdf, PCI_COMMAND, cmd);
}

static void interrupts(void)
{
	u8 pin = cfg_read8(dev_bdf, PCI_INT_PIN);
	u16 cmd;
	u32 i;

	dev_irq = cfg_read8(dev_bdf, PCI_INT_LINE);
	check(pin >= 1 && pin <= 4, "interrupt pin INT%c", 'A' + pin - 1);
	if (!check(dev_irq > 2 && dev_irq < 16 && dev_irq != 8,
		   "firmware routed INTx to IRQ %u", dev_irq))
		return;
	elcr_set_level(dev_irq);
	pic_unmask(0);
	pic_unmask(dev_irq);
	cmd = cfg_read16(dev_bdf, PCI_COMMAND);
	cfg_write16(dev_bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_INTX_DISABLE);
	asm volatile("sti");

	/* The time base must tick before we dare to hlt. */
	for (i = 0; i < 100000000 && !ticks; i++)
		asm volatile("pause");
	if (!check(ticks, "PIT timer interrupts arrive"))
		return;
	wait_for(&ticks, ticks + 2, 10);
	check(!irq_count, "no device interrupt while idle (%u)", irq_count);
	for (i = 0; i < MTTY_PORTS; i++)
		irq_test(i, "INTx", &irq_count);
	msi_test();
	check(!irq_empty, "every device interrupt had a cause (%u spurious)",
	      irq_empty);
	print("irq: %u INTx (PCI status.INTx seen in %u), %u MSI, %u other\n",
	      irq_count, irq_status_bit, msi_count, irq_other);
	asm volatile("cli");
}

void payload_main(u32 magic, u32 info)
{
	unsigned int p;
	u32 cr;

	(void)info;
	print("mdk-l2: bare-metal payload started\n");
	check(magic == 0x2badb002, "multiboot magic (0x%x)", magic);
	idt_init();
	pic_init();
	pit_init();
	if (!find_mtty())
		finish();
	cr = cfg_read32(dev_bdf, PCI_CLASS_REV);
	check(cr >> 8 == MTTY_CLASS, "class code %06x", cr >> 8);
	check((cr & 0xff) == MTTY_REVISION, "revision %02x", cr & 0xff);
	check((cfg_read8(dev_bdf, PCI_HEADER_TYPE) & 0x7f) == 0,
	      "header type 0");
	if (!setup_bars())
		finish();
	for (p = 0; p < MTTY_PORTS; p++)
		uart_test(p);
	interrupts();
	finish();
}
