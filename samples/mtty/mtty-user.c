// SPDX-License-Identifier: GPL-2.0-only
/*
 * mtty-user: drive an mtty mediated device from userspace through VFIO.
 *
 *   mtty-user [-i msi|intx] UUID [MESSAGE]
 *
 * This is what a VMM such as QEMU does with an mdev, reduced to the
 * essentials and written to be read from top to bottom:
 *
 *   1. find the device's IOMMU group (the iommu_group link in sysfs),
 *   2. open a container (/dev/vfio/vfio) and the group (/dev/vfio/N),
 *      put the group in the container and pick the type1 IOMMU model,
 *   3. ask the group for a file descriptor of the device (by UUID),
 *   4. discover the device: its regions (PCI BARs, config space) and its
 *      interrupts,
 *   5. use it: the mtty device is a 16550 UART whose transmitter is looped
 *      back to its own receiver. We send a message byte by byte, wait for
 *      the "receive data available" interrupt on an eventfd after each
 *      byte and read the byte back.
 *
 * Every region of a VFIO device is a window of the device file at offset
 * (index << 40): pread/pwrite there are accesses to the device.
 *
 * Exit status 0 when the message came back intact, 1 otherwise.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

/* 16550 registers (byte offsets in a port's 8-byte I/O BAR). */
#define UART_RBR	0	/* read: receive buffer */
#define UART_THR	0	/* write: transmit holding register */
#define UART_IER	1	/* interrupt enable */
#define UART_IER_RDI	0x01	/*   receive data available */
#define UART_FCR	2	/* write: FIFO control */
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR	0x06	/*   clear both FIFOs */
#define UART_LCR	3	/* line control */
#define UART_LCR_8N1	0x03
#define UART_LSR	5	/* line status */
#define UART_LSR_DR	0x01	/*   data ready */

#define IRQ_WAIT_MS	2000

static const char *const region_names[VFIO_PCI_NUM_REGIONS] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};

static const char *const irq_names[VFIO_PCI_NUM_IRQS] = {
	"INTx", "MSI", "MSI-X", "ERR", "REQ",
};

static int device;		/* the VFIO device file descriptor */

static void die(const char *what)
{
	fprintf(stderr, "mtty-user: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t region_offset(unsigned int index)
{
	return (uint64_t)index << 40;
}

/* Read/write @len bytes at @off of region @index; exit on failure. */
static void region_read(unsigned int index, uint64_t off, void *buf,
			size_t len)
{
	if (pread(device, buf, len, region_offset(index) + off) != (ssize_t)len)
		die("pread");
}

static void region_write(unsigned int index, uint64_t off, const void *buf,
			 size_t len)
{
	if (pwrite(device, buf, len, region_offset(index) + off) !=
	    (ssize_t)len)
		die("pwrite");
}

/* Port 0 of the UART is BAR0: one byte per register. */
static uint8_t uart_in(unsigned int reg)
{
	uint8_t v;

	region_read(VFIO_PCI_BAR0_REGION_INDEX, reg, &v, 1);
	return v;
}

static void uart_out(unsigned int reg, uint8_t v)
{
	region_write(VFIO_PCI_BAR0_REGION_INDEX, reg, &v, 1);
}

/*
 * Arm one eventfd as the trigger of vector 0 of IRQ @index, or disarm the
 * whole index when @fd is -1. struct vfio_irq_set is followed by one s32
 * per vector (DATA_EVENTFD) or by nothing (DATA_NONE).
 */
static int set_irq_eventfd(unsigned int index, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t efd = fd;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->index = index;
	set->start = 0;
	if (fd >= 0) {
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = 1;
		memcpy(set->data, &efd, sizeof(efd));
	} else {
		set->flags = VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = 0;
	}
	return ioctl(device, VFIO_DEVICE_SET_IRQS, set);
}

/* INTx is automasked when it fires: the handler unmasks it when done. */
static void unmask_intx(void)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};

	if (ioctl(device, VFIO_DEVICE_SET_IRQS, &set))
		die("VFIO_DEVICE_SET_IRQS(unmask INTx)");
}

/* Wait for the eventfd; return how many interrupts it counted (0: none). */
static uint64_t wait_irq(int efd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t n;
	int r;

	r = poll(&pfd, 1, IRQ_WAIT_MS);
	if (r < 0)
		die("poll");
	if (r == 0)
		return 0;
	if (read(efd, &n, sizeof(n)) != sizeof(n))
		die("read eventfd");
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: mtty-user [-i msi|intx] UUID [MESSAGE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *uuid, *msg = "Hello from VFIO";
	char path[PATH_MAX], link[PATH_MAX], got[256];
	int container, group, efd, opt, use_msi = 1;
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	unsigned int i, group_id, irq_index;
	uint64_t irqs = 0;
	uint32_t dword;
	uint16_t word;
	size_t len;
	ssize_t n;
	char *slash;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "i:")) != -1) {
		if (opt == 'i' && !strcmp(optarg, "msi"))
			use_msi = 1;
		else if (opt == 'i' && !strcmp(optarg, "intx"))
			use_msi = 0;
		else
			usage();
	}
	if (optind >= argc || argc - optind > 2)
		usage();
	uuid = argv[optind];
	if (argc - optind == 2)
		msg = argv[optind + 1];
	len = strlen(msg);
	if (len == 0 || len >= sizeof(got)) {
		fprintf(stderr, "mtty-user: message must be 1..%zu bytes\n",
			sizeof(got) - 1);
		return 2;
	}

	/* 1. The group: /sys/bus/mdev/devices/UUID/iommu_group -> .../N */
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die(path);
	link[n] = '\0';
	slash = strrchr(link, '/');
	group_id = strtoul(slash ? slash + 1 : link, NULL, 10);
	printf("device %s is in IOMMU group %u\n", uuid, group_id);

	/* 2. A container, with the type1 IOMMU model available. */
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		fprintf(stderr, "mtty-user: unknown VFIO API version\n");
		return 1;
	}
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		fprintf(stderr, "mtty-user: no type1v2 IOMMU model\n");
		return 1;
	}

	/* The group must be viable: all its devices are bound to VFIO. */
	snprintf(path, sizeof(path), "/dev/vfio/%u", group_id);
	group = open(path, O_RDWR);
	if (group < 0)
		die(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		die("VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "mtty-user: group %u is not viable\n",
			group_id);
		return 1;
	}

	/* Put the group in the container, then choose the IOMMU model. */
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		die("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU");
	printf("container ready: group %u attached, IOMMU model type1v2\n",
	       group_id);

	/* 3. The device itself, by name (an mdev's name is its UUID). */
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (device < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");

	/* 4. What is it? */
	if (ioctl(device, VFIO_DEVICE_GET_INFO, &info))
		die("VFIO_DEVICE_GET_INFO");
	printf("device info: flags 0x%x%s%s, %u regions, %u irqs\n",
	       info.flags, info.flags & VFIO_DEVICE_FLAGS_PCI ? " (PCI)" : "",
	       info.flags & VFIO_DEVICE_FLAGS_RESET ? " (RESET)" : "",
	       info.num_regions, info.num_irqs);
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX ||
	    info.num_irqs <= VFIO_PCI_MSI_IRQ_INDEX) {
		fprintf(stderr, "mtty-user: not a VFIO PCI device\n");
		return 1;
	}

	for (i = 0; i < info.num_regions; i++) {
		struct vfio_region_info reg = {
			.argsz = sizeof(reg), .index = i,
		};

		if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg))
			die("VFIO_DEVICE_GET_REGION_INFO");
		if (!reg.size) {
			/* not implemented by this device: say so briefly */
			printf("  region %u %-6s (not implemented)\n", i,
			       i < VFIO_PCI_NUM_REGIONS ? region_names[i] : "");
			continue;
		}
		printf("  region %u %-6s size %-5llu offset 0x%llx%s%s%s\n",
		       i, i < VFIO_PCI_NUM_REGIONS ? region_names[i] : "(dev)",
		       (unsigned long long)reg.size,
		       (unsigned long long)reg.offset,
		       reg.flags & VFIO_REGION_INFO_FLAG_READ ? " read" : "",
		       reg.flags & VFIO_REGION_INFO_FLAG_WRITE ? " write" : "",
		       reg.flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
	}
	for (i = 0; i < info.num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		/*
		 * As vfio-pci on a conventional PCI device, an index the
		 * device cannot have at all (ERR) answers EINVAL: QEMU
		 * treats that as "not supported", and so do we.
		 */
		if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &irq)) {
			if (errno != EINVAL)
				die("VFIO_DEVICE_GET_IRQ_INFO");
			printf("  irq %u %-5s not supported\n", i,
			       i < VFIO_PCI_NUM_IRQS ? irq_names[i] : "(dev)");
			continue;
		}
		printf("  irq %u %-5s count %u flags 0x%x\n", i,
		       i < VFIO_PCI_NUM_IRQS ? irq_names[i] : "(dev)",
		       irq.count, irq.flags);
		if (i == VFIO_PCI_MSI_IRQ_INDEX && !irq.count)
			use_msi = 0;
	}

	/* Start from power-on state when the device can be reset. */
	if (info.flags & VFIO_DEVICE_FLAGS_RESET &&
	    ioctl(device, VFIO_DEVICE_RESET))
		die("VFIO_DEVICE_RESET");

	/* The PCI configuration space is little-endian. */
	region_read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_VENDOR_ID, &dword, 4);
	dword = le32toh(dword);
	printf("config space: vendor %04x device %04x", dword & 0xffff,
	       dword >> 16);
	region_read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_CLASS_REVISION, &dword,
		    4);
	dword = le32toh(dword);
	printf(" class %06x rev 0x%02x\n", dword >> 8, dword & 0xff);

	/* Enable I/O decoding (and INTx) as a PCI driver would. */
	region_read(VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &word, 2);
	word = htole16((le16toh(word) | PCI_COMMAND_IO) &
		       ~PCI_COMMAND_INTX_DISABLE);
	region_write(VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &word, 2);

	/* 5a. An eventfd becomes the device's interrupt. */
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		die("eventfd");
	irq_index = use_msi ? VFIO_PCI_MSI_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX;
	if (set_irq_eventfd(irq_index, efd))
		die("VFIO_DEVICE_SET_IRQS(eventfd)");
	printf("interrupts: eventfd armed on %s\n", irq_names[irq_index]);

	/* 5b. Program port 0: 8N1, FIFO on and empty, interrupt on RX. */
	uart_out(UART_LCR, UART_LCR_8N1);
	uart_out(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
	printf("uart: LSR 0x%02x before sending\n", uart_in(UART_LSR));
	uart_out(UART_IER, UART_IER_RDI);

	/* 5c. Send each byte; its loopback raises "data available". */
	printf("sending \"%s\" (%zu bytes) byte by byte\n", msg, len);
	n = 0;
	for (i = 0; i < len; i++) {
		uint64_t got_irqs;

		uart_out(UART_THR, (uint8_t)msg[i]);
		got_irqs = wait_irq(efd);
		if (!got_irqs) {
			fprintf(stderr,
				"mtty-user: no interrupt within %d ms after byte %u\n",
				IRQ_WAIT_MS, i);
			return 1;
		}
		irqs += got_irqs;
		/* Drain the receiver: RBR while LSR says data ready. */
		while (uart_in(UART_LSR) & UART_LSR_DR && n < (ssize_t)len)
			got[n++] = (char)uart_in(UART_RBR);
		if (!use_msi)
			unmask_intx();
	}
	got[n] = '\0';
	printf("received \"%s\" (%zd bytes)\n", got, n);

	/* Quiet the device and release everything, device first. */
	uart_out(UART_IER, 0);
	if (set_irq_eventfd(irq_index, -1))
		die("VFIO_DEVICE_SET_IRQS(disarm)");
	close(efd);
	close(device);
	close(group);
	close(container);

	if ((size_t)n != len || memcmp(got, msg, len)) {
		printf("loopback FAILED: sent \"%s\", received \"%s\"\n", msg,
		       got);
		return 1;
	}
	printf("loopback OK: %s, %llu interrupts\n", msg,
	       (unsigned long long)irqs);
	return 0;
}
