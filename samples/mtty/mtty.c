// SPDX-License-Identifier: GPL-2.0-only
/*
 * mtty: a mediated PCI serial card, the mdevkit sample driver.
 *
 * Each mdev is a PCI device 4348:3253 (a WCH CH352 as far as Linux's
 * 8250_pci is concerned) with one or two 16550A UARTs, one 8-byte I/O BAR
 * per port. Whatever is written to a port's transmitter is received by
 * the same port (loopback), through a real 16-byte receive FIFO.
 *
 * Everything that is not the UART comes from the framework: the sysfs ABI
 * and the port pool (mdk_mdev), the configuration space, regions,
 * interrupts and VFIO ioctls (mdk_vpci). All UART state is protected by
 * the helper's per-device lock, held around every callback below.
 *
 *   echo $(uuidgen) > /sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2/create
 */
#include <linux/module.h>
#include <linux/pci_ids.h>
#include <linux/serial_reg.h>
#include <linux/slab.h>
#include <mdevkit/compat.h>
#include <mdevkit/mdev.h>
#include <mdevkit/vpci.h>

#define MTTY_NAME	"mtty"
#define MTTY_FIFO	16		/* receive FIFO depth of a 16550A */
#define MTTY_MCR_MASK	0x1f		/* DTR RTS OUT1 OUT2 LOOP */

static unsigned int ports = 24;
module_param(ports, uint, 0444);
MODULE_PARM_DESC(ports, "serial ports shared by all devices (mtty-1 takes 1, mtty-2 takes 2; default 24)");

/**
 * struct mtty_port - one 16550A
 * @fifo: receive FIFO, a ring of @count bytes starting at @head
 * @head: oldest received byte
 * @count: bytes in @fifo
 * @ier: interrupt enable (4 bits)
 * @lcr: line control
 * @mcr: modem control
 * @fcr: FIFO enable and receive trigger bits of the last FCR write
 * @scr: scratch
 * @lsr_err: LSR error bits (overrun), cleared by reading LSR
 * @msr_delta: MSR delta bits, cleared by reading MSR
 * @divisor: divisor latch (DLL, DLM)
 * @thri: transmitter-empty interrupt pending (cleared by reading IIR)
 *
 * All zero is the power-on state.
 */
struct mtty_port {
	u8 fifo[MTTY_FIFO];
	u8 head;
	u8 count;
	u8 ier;
	u8 lcr;
	u8 mcr;
	u8 fcr;
	u8 scr;
	u8 lsr_err;
	u8 msr_delta;
	u16 divisor;
	bool thri;
};

/**
 * struct mtty - one mediated device
 * @vp: the virtual PCI device (its lock protects @port)
 * @port: the UARTs; BAR n is port n
 */
struct mtty {
	struct mdk_vpci vp;
	struct mtty_port port[2];
};

static unsigned int mtty_rx_trigger(const struct mtty_port *p)
{
	static const u8 level[] = { 1, 4, 8, 14 };

	return p->fcr & UART_FCR_ENABLE_FIFO ? level[p->fcr >> 6] : 1;
}

/* The modem inputs: the outputs looped back in loop mode, else a cable. */
static u8 mtty_msr_inputs(const struct mtty_port *p)
{
	if (!(p->mcr & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	return (p->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (p->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (p->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (p->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

/* IIR: the highest-priority pending interrupt, FIFO bits when enabled. */
static u8 mtty_iir(const struct mtty_port *p)
{
	u8 fifo = p->fcr & UART_FCR_ENABLE_FIFO ? 0xc0 : 0;

	if (p->ier & UART_IER_RLSI && p->lsr_err)
		return fifo | UART_IIR_RLSI;
	if (p->ier & UART_IER_RDI && p->count >= mtty_rx_trigger(p))
		return fifo | UART_IIR_RDI;
	/* Below the trigger level the character timeout is immediate. */
	if (p->ier & UART_IER_RDI && p->count)
		return fifo | UART_IIR_RX_TIMEOUT;
	if (p->ier & UART_IER_THRI && p->thri)
		return fifo | UART_IIR_THRI;
	if (p->ier & UART_IER_MSI && p->msr_delta)
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

/* A byte arrives from the loopback. */
static void mtty_receive(struct mtty_port *p, u8 c)
{
	unsigned int size = p->fcr & UART_FCR_ENABLE_FIFO ? MTTY_FIFO : 1;

	if (p->count < size) {
		p->fifo[(p->head + p->count++) % MTTY_FIFO] = c;
		return;
	}
	p->lsr_err |= UART_LSR_OE;
	/* A full FIFO keeps its bytes; a 16450 holding register is lost. */
	if (size == 1)
		p->fifo[p->head] = c;
}

static void mtty_write_fcr(struct mtty_port *p, u8 val)
{
	/* Switching the FIFOs on or off clears them, as does CLEAR_RCVR. */
	if ((val ^ p->fcr) & UART_FCR_ENABLE_FIFO ||
	    (val & (UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR)) ==
	    (UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR))
		p->count = 0;
	/* With FIFOs off the other bits are not programmed. */
	p->fcr = val & UART_FCR_ENABLE_FIFO ?
		 val & (UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_MASK) : 0;
}

/* Returns whether the write raised a modem status change. */
static bool mtty_write_mcr(struct mtty_port *p, u8 val)
{
	u8 old = mtty_msr_inputs(p), now, changed;

	p->mcr = val & MTTY_MCR_MASK;
	now = mtty_msr_inputs(p);
	/* RI reports its trailing edge only. */
	changed = (old ^ now) & ~(now & UART_MSR_RI);
	/* Each delta bit sits four bits below its input. */
	p->msr_delta |= changed >> 4;
	return changed;
}

/* Returns whether the write may have raised an interrupt condition. */
static bool mtty_write(struct mtty_port *p, unsigned int reg, u8 val)
{
	bool dlab = p->lcr & UART_LCR_DLAB;
	u8 old;

	switch (reg) {
	case UART_TX:
		if (dlab) {
			p->divisor = (p->divisor & 0xff00) | val;
			return false;
		}
		mtty_receive(p, val);
		p->thri = true;		/* sent at once: THR is empty again */
		return true;
	case UART_IER:
		if (dlab) {
			p->divisor = (p->divisor & 0x00ff) | val << 8;
			return false;
		}
		old = p->ier;
		p->ier = val & 0x0f;
		/* Enabling THRI while THR is empty asserts it. */
		if (p->ier & ~old & UART_IER_THRI)
			p->thri = true;
		return p->ier & ~old;
	case UART_FCR:
		mtty_write_fcr(p, val);
		return false;
	case UART_LCR:
		p->lcr = val;
		return false;
	case UART_MCR:
		return mtty_write_mcr(p, val);
	case UART_SCR:
		p->scr = val;
		return false;
	}
	return false;		/* LSR and MSR are read-only */
}

static u8 mtty_read(struct mtty_port *p, unsigned int reg)
{
	bool dlab = p->lcr & UART_LCR_DLAB;
	u8 val = 0;

	switch (reg) {
	case UART_RX:
		if (dlab)
			return p->divisor & 0xff;
		if (p->count) {
			val = p->fifo[p->head];
			p->head = (p->head + 1) % MTTY_FIFO;
			p->count--;
		}
		return val;
	case UART_IER:
		return dlab ? p->divisor >> 8 : p->ier;
	case UART_IIR:
		val = mtty_iir(p);
		if ((val & UART_IIR_ID) == UART_IIR_THRI)
			p->thri = false;
		return val;
	case UART_LCR:
		return p->lcr;
	case UART_MCR:
		return p->mcr;
	case UART_LSR:
		val = (p->count ? UART_LSR_DR : 0) | p->lsr_err |
		      UART_LSR_THRE | UART_LSR_TEMT;
		p->lsr_err = 0;
		return val;
	case UART_MSR:
		val = mtty_msr_inputs(p) | p->msr_delta;
		p->msr_delta = 0;
		return val;
	case UART_SCR:
		return p->scr;
	}
	return 0;
}

/* BAR n is port n; the helper hands us single bytes (access_size 1). */
static int mtty_bar_rw(struct mdk_vpci *vp, unsigned int bar, u64 off,
		       void *buf, unsigned int len, bool write)
{
	struct mtty *m = container_of(vp, struct mtty, vp);
	struct mtty_port *p = &m->port[bar];
	u8 *val = buf;

	if (!write) {
		*val = mtty_read(p, off);
		return 0;
	}
	if (mtty_write(p, off, *val) && !(mtty_iir(p) & UART_IIR_NO_INT))
		mdk_vpci_raise_irq(vp, 0);
	return 0;
}

static void mtty_reset(struct mdk_vpci *vp)
{
	struct mtty *m = container_of(vp, struct mtty, vp);

	memset(m->port, 0, sizeof(m->port));
}

#define MTTY_BAR { .size = 8, .flags = PCI_BASE_ADDRESS_SPACE_IO,	\
		   .access_size = 1, .rw = mtty_bar_rw }
#define MTTY_DESC(...) {						\
	.vendor = 0x4348, .device = 0x3253,				\
	.subsystem_vendor = 0x4348, .subsystem_device = 0x3253,	\
	.class_code = PCI_CLASS_COMMUNICATION_SERIAL << 8 | 0x02,	\
	.revision = 0x10, .intx = true, .msi_vectors = 1,		\
	.reset = mtty_reset, .bar = { __VA_ARGS__ } }

/* Indexed by the type's number of ports - 1. */
static const struct mdk_vpci_desc mtty_desc[] = {
	MTTY_DESC(MTTY_BAR),
	MTTY_DESC(MTTY_BAR, MTTY_BAR),
};

/* driver_data: number of ports; cost: ports taken from the pool. */
static const struct mdk_mdev_type mtty_types[] = {
	{ .sysfs_name = "1", .pretty_name = "Single port serial",
	  .description = "virtual 16550A UART, 1 port",
	  .cost = 1, .driver_data = 1 },
	{ .sysfs_name = "2", .pretty_name = "Dual port serial",
	  .description = "virtual 16550A UART, 2 ports",
	  .cost = 2, .driver_data = 2 },
};

static int mtty_probe(struct mdk_mdev *mdev)
{
	struct mtty *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);	/* ports at power-on */
	if (!m)
		return -ENOMEM;
	ret = mdk_vpci_init(&m->vp, &mdev->dev,
			    &mtty_desc[mdev->type->driver_data - 1]);
	if (ret)
		goto err_free;
	ret = mdk_mdev_register_vfio(mdev, &m->vp.vdev);
	if (ret)
		goto err_uninit;
	return 0;

err_uninit:
	mdk_vpci_uninit(&m->vp);
err_free:
	kfree(m);
	return ret;
}

static void mtty_remove(struct mdk_mdev *mdev)
{
	struct mtty *m = container_of(mdev->vdev, struct mtty, vp.vdev);

	mdk_mdev_unregister_vfio(mdev);
	mdk_vpci_uninit(&m->vp);
	kfree(m);
}

static struct mdk_mdev_driver mtty_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.probe = mtty_probe,
	.remove = mtty_remove,
	.driver.name = MTTY_NAME,
};

static struct class *mtty_class;
static struct device *mtty_parent_dev;
static struct mdk_mdev_parent mtty_parent;

static int __init mtty_init(void)
{
	int ret;

	if (!ports) {
		pr_err("mtty: ports must be at least 1\n");
		return -EINVAL;
	}
	ret = mdk_mdev_register_driver(&mtty_driver);
	if (ret)
		return ret;
	/* /sys/devices/virtual/mtty/mtty */
	mtty_class = mdk_class_create(MTTY_NAME);
	if (IS_ERR(mtty_class)) {
		ret = PTR_ERR(mtty_class);
		goto err_driver;
	}
	mtty_parent_dev = device_create(mtty_class, NULL, MKDEV(0, 0), NULL,
					MTTY_NAME);
	if (IS_ERR(mtty_parent_dev)) {
		ret = PTR_ERR(mtty_parent_dev);
		goto err_class;
	}
	ret = mdk_mdev_register_parent(&mtty_parent, mtty_parent_dev,
				       &mtty_driver, mtty_types,
				       ARRAY_SIZE(mtty_types), ports);
	if (ret)
		goto err_device;
	return 0;

err_device:
	device_unregister(mtty_parent_dev);
err_class:
	class_destroy(mtty_class);
err_driver:
	mdk_mdev_unregister_driver(&mtty_driver);
	return ret;
}

static void __exit mtty_exit(void)
{
	mdk_mdev_unregister_parent(&mtty_parent);
	device_unregister(mtty_parent_dev);
	class_destroy(mtty_class);
	mdk_mdev_unregister_driver(&mtty_driver);
}

module_init(mtty_init);
module_exit(mtty_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mdevkit sample: mediated PCI serial card (16550A loopback)");
MODULE_AUTHOR("mdevkit developers");
