// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bare-metal s390x L2 test guest for a vfio-ccw mediated device handed to
 * QEMU with -device vfio-ccw,sysfsdev=...: QEMU starts us at our ELF entry
 * in 64-bit mode, without firmware, the passed-through subchannel the
 * only one.
 *
 * We find it with STORE SUBCHANNEL, enable it, and run channel programs
 * on it: every START SUBCHANNEL goes guest -> QEMU's vfio-ccw -> the I/O
 * region of the mdev -> mdevkit's translator -> the real subchannel of the
 * L1 machine; every interrupt comes back the same way into our I/O new
 * PSW. HALT and CLEAR go through the async region, STORE SUBCHANNEL
 * through the SCHIB region. The device behind it is the L1 machine's
 * virtio-net-ccw, MAC 52:54:00:c0:ff:ee.
 *
 * Output: TAP lines on the SCLP VT220 console ("ok - l2: ...",
 * "not ok - l2: ...", then "N passed, N failed"); then the CPU stops,
 * which ends QEMU.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "ccw.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

void cpu_stop(void) __attribute__((noreturn));
void wait_io(void);

/* lowcore */
#define LC_IO_SCHID	0xb8	/* subchannel ID of the last I/O interrupt */
#define LC_PGM_CODE	0x8e	/* program interruption code */
#define LC_PGM_OLD_PSW	0x150
#define LC_PGM_NEW_PSW	0x1d0
#define LC_IO_NEW_PSW	0x1f0
#define PSW_64BIT	0x0000000180000000ull

#define PAGE		4096
static u8 mem[24][PAGE] __attribute__((aligned(PAGE)));
static u8 sccb[PAGE] __attribute__((aligned(PAGE)));
static u8 schib[52] __attribute__((aligned(8)));
static u8 orb[12] __attribute__((aligned(8)));
static u8 irb[96] __attribute__((aligned(8)));
static u32 sid;			/* the subchannel's ID word */
static unsigned int passed, failed;

static const u8 mac[6] = { 0x52, 0x54, 0x00, 0xc0, 0xff, 0xee };
static const u8 sense_id_net[7] = { 0xff, 0x38, 0x32, 0x01, 0, 0, 0 };

void *memset(void *s, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);

void *memset(void *s, int c, unsigned long n)
{
	u8 *p = s;

	while (n--)
		*p++ = c;
	return s;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

int memcmp(const void *a, const void *b, unsigned long n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

static u32 addr(const void *p)
{
	return (u32)(uintptr_t)p;
}

static volatile u64 *lowcore64(unsigned long off)
{
	return (volatile u64 *)off;
}

/*
 * SCLP: "write event data" with one ASCII console (VT220) event, which
 * QEMU's sclpconsole prints on -serial.
 */
static void sclp_write(const char *s, unsigned int len)
{
	register u64 cmd asm("2") = 0x00760005;	/* write event data */
	register u64 at asm("3") = addr(sccb);
	u32 total = 8 + 6 + len;
	int cc;

	memset(sccb, 0, 16);
	ccw_put16(sccb, total);			/* SCCB length */
	ccw_put16(sccb + 8, 6 + len);		/* event buffer length */
	sccb[10] = 0x1a;			/* ASCII console data */
	memcpy(sccb + 14, s, len);
	asm volatile(".insn rre,0xb2200000,%[cmd],%[at]\n"
		     "ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc)
		     : [cmd] "d" (cmd), [at] "a" (at)
		     : "cc", "memory");
	(void)cc;
}

static char out[256];
static unsigned int outn;

static void putc_(char c)
{
	if (outn < sizeof(out))
		out[outn++] = c;
	if (c == '\n') {
		sclp_write(out, outn);
		outn = 0;
	}
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putnum(u64 v, unsigned int base, int width)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width)
		buf[n++] = '0';
	while (n)
		putc_(buf[--n]);
}

/* %s %u %d %x, with an optional 0-padded width (%02x). */
static void vprint(const char *fmt, va_list ap)
{
	int width;
	long d;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		fmt++;
		width = 0;
		if (*fmt == '0')
			fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 's':
			puts_(va_arg(ap, const char *));
			break;
		case 'u':
			putnum(va_arg(ap, unsigned int), 10, width);
			break;
		case 'd':
			d = va_arg(ap, int);
			if (d < 0) {
				putc_('-');
				d = -d;
			}
			putnum(d, 10, width);
			break;
		case 'x':
			putnum(va_arg(ap, unsigned int), 16, width);
			break;
		default:
			putc_(*fmt);
		}
	}
}

static void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	print("%sok - l2: ", ok ? "" : "not ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	putc_('\n');
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

static void done(void)
{
	print("# l2: %u passed, %u failed\n", passed, failed);
	cpu_stop();
}

/* A program interruption: report it and stop. */
static void __attribute__((used)) pgm_check(void)
{
	print("not ok - l2: program interruption %x at %x\n",
	      *(volatile u16 *)LC_PGM_CODE,
	      (u32)*lowcore64(LC_PGM_OLD_PSW + 8));
	failed++;
	done();
}

static int stsch(void *s)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("stsch 0(%[s])\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1), [s] "a" (s)
		     : "cc", "memory");
	return cc;
}

static int msch(void *s)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("msch 0(%[s])\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1), [s] "a" (s)
		     : "cc", "memory");
	return cc;
}

static int ssch(void *o)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("ssch 0(%[o])\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1), [o] "a" (o)
		     : "cc", "memory");
	return cc;
}

static int tsch(void *i)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("tsch 0(%[i])\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1), [i] "a" (i)
		     : "cc", "memory");
	return cc;
}

static int hsch(void)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("hsch\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1) : "cc", "memory");
	return cc;
}

static int csch(void)
{
	register u64 r1 asm("1") = sid;
	int cc;

	asm volatile("csch\n ipm %[cc]\n srl %[cc],28"
		     : [cc] "=&d" (cc) : "d" (r1) : "cc", "memory");
	return cc;
}

/* Wait for the subchannel's interrupt and take its IRB. */
static bool interrupt(void)
{
	int i;

	/* the interrupt of another subchannel cannot come: there is none */
	for (i = 0; i < 3; i++) {
		wait_io();
		if (*(volatile u32 *)LC_IO_SCHID == sid && tsch(irb) == 0)
			return true;
	}
	return false;
}

/* Start a program at @cpa with ORB word 1 @flags, wait for its end. */
static bool run(u32 flags, const void *cpa, int *cc)
{
	orb_put(orb, 0x12345678, flags, addr(cpa));
	memset(irb, 0, sizeof(irb));
	*cc = ssch(orb);
	return !*cc && interrupt();
}

static bool ended_ok(const void *cpa_next)
{
	struct scsw_info s = scsw_get(irb);

	if (s.fctl == SCSW_FCTL_START && s.dstat == (DSTAT_CE | DSTAT_DE) &&
	    !s.cstat && s.cpa == addr(cpa_next))
		return true;
	print("#   SCSW: fctl %x actl %x stctl %x cpa %x dstat %x cstat %x\n",
	      s.fctl, s.actl, s.stctl, s.cpa, s.dstat, s.cstat);
	return false;
}

#define ORB_STD	(ORB_FMT | ORB_PFCH | ORB_C64 | ORB_LPM(0xff))

static bool find_subchannel(void)
{
	struct schib_info si;
	u32 n;

	for (n = 0; n < 16; n++) {
		sid = 0x00010000 | n;
		if (stsch(schib) == 0 && (si = schib_get(schib)).dnv) {
			check(true, "found subchannel 0.0.%04x, device %04x",
			      n, si.devno);
			return true;
		}
	}
	return check(false, "no subchannel with a device");
}

static void test_enable(void)
{
	struct schib_info si;
	u32 w1;

	/* interruption parameter, ISC 3, enabled */
	ccw_put32(schib, 0xcafe0001);
	w1 = ccw_get32(schib + 4);
	w1 = (w1 & ~(7u << 27)) | 3u << 27 | 1u << 23;
	ccw_put32(schib + 4, w1);
	check(msch(schib) == 0, "MODIFY SUBCHANNEL: enabled");
	check(stsch(schib) == 0 && (si = schib_get(schib)).ena &&
	      si.isc == 3 && si.intparm == 0xcafe0001,
	      "STORE SUBCHANNEL shows it enabled, ISC 3, our intparm");
}

static void test_sense_id(void)
{
	u8 *p = mem[1] + 0x100;
	int cc;

	memset(mem, 0xaa, sizeof(mem));
	ccw_put(mem[0], CCW_SENSE_ID, CCW_F_SLI, 8, addr(p));
	check(run(ORB_STD, mem[0], &cc) && ended_ok(mem[0] + 8),
	      "SENSE ID: channel end, device end (cc %d)", cc);
	check(!memcmp(p, sense_id_net, 7) && p[8] == 0xaa &&
	      ccw_get32(irb + 4) != 0, "SENSE ID data: ff 3832 01");
}

static void test_mac(void)
{
	int cc;

	memset(mem, 0xaa, sizeof(mem));
	ccw_put(mem[0], VIRTIO_CCW_READ_CONF, CCW_F_SLI, 6,
		addr(mem[2] + 0x7fd));
	check(run(ORB_STD, mem[0], &cc) && ended_ok(mem[0] + 8) &&
	      !memcmp(mem[2] + 0x7fd, mac, 6) && mem[2][0x7fc] == 0xaa &&
	      mem[2][0x803] == 0xaa,
	      "READ_CONF: the MAC chosen on the L1 command line, byte-exact");

	/* format-1 IDAW (2K blocks), one block */
	memset(mem, 0xaa, sizeof(mem));
	ccw_put(mem[0], VIRTIO_CCW_READ_CONF, CCW_F_SLI | CCW_F_IDA, 6,
		addr(mem[4]));
	ccw_put32(mem[4], addr(mem[5] + 0x800));
	check(run(ORB_FMT | ORB_PFCH | ORB_LPM(0xff), mem[0], &cc) &&
	      ended_ok(mem[0] + 8) && !memcmp(mem[5] + 0x800, mac, 6) &&
	      mem[5][0x806] == 0xaa,
	      "READ_CONF through a format-1 IDAW: byte-exact");

	/* across a page boundary: the first part exact, the rest placed */
	memset(mem, 0xaa, sizeof(mem));
	ccw_put(mem[0], VIRTIO_CCW_READ_CONF, CCW_F_SLI, 6,
		addr(mem[6] + 0xffd));
	check(run(ORB_STD, mem[0], &cc) && ended_ok(mem[0] + 8) &&
	      !memcmp(mem[6] + 0xffd, mac, 3) && mem[6][0xffc] == 0xaa &&
	      (!memcmp(mem[7], mac + 3, 3) || !memcmp(mem[7], mac, 3)) &&
	      mem[7][3] == 0xaa,
	      "READ_CONF across a page boundary: placed in both pages");
}

static void test_chains(void)
{
	int i, cc;

	memset(mem, 0xaa, sizeof(mem));
	for (i = 0; i < 4; i++)
		ccw_put(mem[8] + 8 * i, CCW_NOOP, CCW_F_CC, 0, 0);
	ccw_put(mem[8] + 32, CCW_NOOP, 0, 0, 0);
	check(run(ORB_STD, mem[8], &cc) && ended_ok(mem[8] + 40),
	      "a chain of NOPs");

	ccw_put(mem[8], CCW_NOOP, CCW_F_CC, 0, 0);
	ccw_put(mem[8] + 8, CCW_TIC, 0, 0, addr(mem[9] + 0x40));
	ccw_put(mem[9] + 0x40, CCW_SENSE_ID, CCW_F_SLI, 8, addr(mem[10]));
	check(run(ORB_STD, mem[8], &cc) && ended_ok(mem[9] + 0x48) &&
	      !memcmp(mem[10], sense_id_net, 7),
	      "TIC to a new chain: SENSE ID there, cpa in our second chain");

	/* a program the host's translator refuses: QEMU reports unit exception */
	ccw_put(mem[8], CCW_NOOP, CCW_F_CC, 0, 0);
	ccw_put(mem[8] + 8, CCW_TIC, 0, 0, addr(mem[9]));
	ccw_put(mem[9], CCW_TIC, 0, 0, addr(mem[8]));
	check(run(ORB_STD, mem[8], &cc) &&
	      (scsw_get(irb).dstat & DSTAT_UE),
	      "a TIC to a TIC, refused by the host: unit exception (dstat %x)",
	      scsw_get(irb).dstat);
}

static void test_halt_clear(void)
{
	struct schib_info si;
	int cc;

	/* suspended before its only CCW: busy until halted or cleared */
	ccw_put(mem[11], CCW_SENSE_ID, CCW_F_SLI | CCW_F_SUSP, 8,
		addr(mem[12]));
	orb_put(orb, 1, ORB_STD | ORB_SPND, addr(mem[11]));
	cc = ssch(orb);
	if (stsch(schib))
		memset(schib, 0, sizeof(schib));
	si = schib_get(schib);
	/* QEMU's vfio-ccw shows it start-pending: it models no suspension */
	check(cc == 0 && si.scsw.fctl == SCSW_FCTL_START &&
	      (si.scsw.actl & (SCSW_ACTL_SUSP | 0x20)),
	      "a suspended program keeps the start function (cc %d, actl %x)",
	      cc, si.scsw.actl);
	cc = hsch();
	check(cc == 0 && interrupt() &&
	      scsw_get(irb).fctl == SCSW_FCTL_HALT,
	      "HALT SUBCHANNEL: the halt interrupt (cc %d, fctl %x)", cc,
	      scsw_get(irb).fctl);

	orb_put(orb, 2, ORB_STD | ORB_SPND, addr(mem[11]));
	cc = ssch(orb);
	check(cc == 0 && csch() == 0 && interrupt() &&
	      scsw_get(irb).fctl == SCSW_FCTL_CLEAR,
	      "CLEAR SUBCHANNEL: the clear interrupt (fctl %x)",
	      scsw_get(irb).fctl);

	memset(mem[1], 0xaa, PAGE);
	ccw_put(mem[0], CCW_SENSE_ID, CCW_F_SLI, 8, addr(mem[1]));
	check(run(ORB_STD, mem[0], &cc) && ended_ok(mem[0] + 8) &&
	      !memcmp(mem[1], sense_id_net, 7), "SENSE ID works again");
}

int main(void)
{
	/* a program check reports itself; I/O interrupts end wait_io() */
	*lowcore64(LC_PGM_NEW_PSW) = PSW_64BIT;
	*lowcore64(LC_PGM_NEW_PSW + 8) = (u64)(uintptr_t)pgm_check;
	*lowcore64(LC_IO_NEW_PSW) = PSW_64BIT;
	/* every interruption subclass enabled (control register 6) */
	asm volatile("lctlg 6,6,%0" : : "Q" (*(const u64[]){ 0xff000000 }));

	print("# l2: vfio-ccw bare-metal guest\n");
	if (find_subchannel()) {
		test_enable();
		test_sense_id();
		test_mac();
		test_chains();
		test_halt_clear();
	}
	done();
	return 0;
}
