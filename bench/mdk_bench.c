// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_bench: the guest side of `make bench`. It only uses the sysfs ABI
 * and <linux/vfio.h>, so the same binary measures whichever stack is
 * loaded: Debian's vfio + mdev with upstream's mtty sample, or mdevkit's.
 *
 *   mdk_bench round [big] one round of the workloads on the loaded stack;
 *                        with "big", also create+remove among 10 000 devices
 *   mdk_bench clear      remove every mdev device
 *
 * Output of a round: one line per workload,
 *   RESULT <key> <median> <unit> <samples>
 * where the median is per operation (ns, or KiB per device for "mem").
 * A workload's samples are bounded by count and by time (TCG is slow).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/serial_reg.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "mdk_test.h"

#define TYPE		"mtty-1"
#define CREATE_PATH	MDEV_BUS_CLASS "/" MTTY_PARENT \
			"/mdev_supported_types/" TYPE "/create"
#define MAX_SAMPLES	4096
#define IO_BATCH	100		/* 1-byte accesses timed together */
#define DMA_SMALL	10000		/* 4 KiB mappings per sample */
#define DMA_SMALL_IOVA	0x100000000ULL
#define DMA_BIG		(1ULL << 30)
#define DMA_BIG_IOVA	0x1000000000ULL
#define MEM_DEVICES	1000
#define MANY_DEVICES	10000

static double samples[MAX_SAMPLES];
static unsigned int nsamples;
static unsigned int bulk_seq;	/* UUIDs of bulk-created devices */

static void die(const char *what, int err)
{
	fprintf(stderr, "mdk_bench: %s: %s\n", what, strerror(err));
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void sample(double v)
{
	if (nsamples < MAX_SAMPLES)
		samples[nsamples++] = v;
}

/* Whether a workload that started at @t0 should take another sample. */
static int more(uint64_t t0, unsigned int max, double max_s)
{
	return nsamples < max && nsamples < MAX_SAMPLES &&
	       (nsamples < 3 || (now_ns() - t0) / 1e9 < max_s);
}

/* Print the median of the samples taken since the last report. */
static void report(const char *key, const char *unit)
{
	double med;

	if (!nsamples) {
		printf("RESULT %s nan %s 0\n", key, unit);
		return;
	}
	qsort(samples, nsamples, sizeof(samples[0]), cmp_double);
	med = nsamples & 1 ? samples[nsamples / 2] :
	      (samples[nsamples / 2 - 1] + samples[nsamples / 2]) / 2;
	printf("RESULT %s %.1f %s %u\n", key, med, unit, nsamples);
	fflush(stdout);
	nsamples = 0;
}

/* 1-byte pread or pwrite at @off of @fd, IO_BATCH at a time. */
static void bench_rw(const char *key, int fd, off_t off, int write)
{
	uint64_t t0 = now_ns(), t;
	unsigned int i;
	char c = 0x5a;
	ssize_t n;

	while (more(t0, 300, 3)) {
		t = now_ns();
		for (i = 0; i < IO_BATCH; i++) {
			n = write ? pwrite(fd, &c, 1, off) : pread(fd, &c, 1, off);
			if (n != 1)
				die(key, n < 0 ? errno : EIO);
		}
		sample((double)(now_ns() - t) / IO_BATCH);
	}
	report(key, "ns");
}

static void dma_map(int container, uint64_t iova, void *vaddr, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		die("MAP_DMA", errno);
}

static void dma_unmap(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		die("UNMAP_DMA", errno);
	if (unmap.size != size)
		die("UNMAP_DMA size", EIO);
}

/*
 * 10 000 distinct 4 KiB mappings (not adjacent, so no backend may merge
 * them), then their 10 000 unmaps: the sample is the time per pair.
 */
static void bench_dma_small(int container)
{
	size_t len = (size_t)DMA_SMALL * 4096;
	uint64_t t0 = now_ns(), t;
	unsigned int i;
	char *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", errno);
	while (more(t0, 15, 8)) {
		t = now_ns();
		for (i = 0; i < DMA_SMALL; i++)
			dma_map(container, DMA_SMALL_IOVA + i * 8192ULL,
				buf + (size_t)i * 4096, 4096);
		for (i = 0; i < DMA_SMALL; i++)
			dma_unmap(container, DMA_SMALL_IOVA + i * 8192ULL, 4096);
		sample((double)(now_ns() - t) / DMA_SMALL);
	}
	munmap(buf, len);
	report("dma_4k_pair", "ns");
}

/* One 1 GiB mapping of untouched memory, then its unmap, timed apart. */
static void bench_dma_big(int container)
{
	double unmap_ns[MAX_SAMPLES];
	uint64_t t0 = now_ns(), t;
	unsigned int i, n = 0;
	char *buf;

	buf = mmap(NULL, DMA_BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", errno);
	while (more(t0, 50, 3)) {
		t = now_ns();
		dma_map(container, DMA_BIG_IOVA, buf, DMA_BIG);
		sample(now_ns() - t);
		t = now_ns();
		dma_unmap(container, DMA_BIG_IOVA, DMA_BIG);
		unmap_ns[n++] = now_ns() - t;
	}
	munmap(buf, DMA_BIG);
	report("dma_1g_map", "ns");
	for (i = 0; i < n; i++)
		sample(unmap_ns[i]);
	report("dma_1g_unmap", "ns");
}

static void set_msi(int device, int efd)
{
	if (mdk_irq_set_eventfd(device, VFIO_PCI_MSI_IRQ_INDEX, efd))
		die("SET_IRQS MSI", errno);
}

static void bar0_write(int device, unsigned int reg, unsigned char val)
{
	if (pwrite(device, &val, 1, mdk_region_off(0) + reg) != 1)
		die("BAR0 write", errno);
}

/*
 * UART loopback with the receive interrupt on MSI: from the write of one
 * byte to the transmitter until the eventfd polls readable. Both mttys
 * interrupt at a receive trigger level of 1 once FCR has been written
 * (upstream's level is 0, i.e. never, until then; ours starts with the
 * FIFO off). Each byte is read back so that the FIFO never fills.
 */
static void bench_msi(int device)
{
	struct pollfd pfd;
	uint64_t t0, t, cnt;
	unsigned char c;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		die("eventfd", errno);
	set_msi(device, efd);
	bar0_write(device, UART_FCR, UART_FCR_ENABLE_FIFO |
		   UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	bar0_write(device, UART_IER, UART_IER_RDI);
	pfd.fd = efd;
	pfd.events = POLLIN;
	t0 = now_ns();
	while (more(t0, 2000, 3)) {
		t = now_ns();
		bar0_write(device, UART_TX, 0x42);
		if (poll(&pfd, 1, 1000) != 1)
			die("MSI eventfd never became readable", ETIMEDOUT);
		sample(now_ns() - t);
		if (read(efd, &cnt, sizeof(cnt)) != sizeof(cnt))
			die("eventfd read", errno);
		if (pread(device, &c, 1, mdk_region_off(0) + UART_RX) != 1)
			die("BAR0 read", errno);
		if (c != 0x42)
			die("loopback byte", EIO);
	}
	bar0_write(device, UART_IER, 0);
	set_msi(device, -1);
	close(efd);
	report("msi_latency", "ns");
}

static void bench_io(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct mdk_vfio v;
	char uuid[37] = "";
	int ret, zero;

	ret = mdk_create(MTTY_PARENT, TYPE, uuid);
	if (ret)
		die("create " TYPE, -ret);
	ret = mdk_vfio_open(uuid, &v);
	if (ret)
		die("VFIO open", -ret);
	/* as QEMU does; upstream's mtty rejects SET_IRQS until then */
	if (ioctl(v.device, VFIO_DEVICE_GET_INFO, &info))
		die("GET_INFO", errno);
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero < 0)
		die("/dev/zero", errno);
	bench_rw("pread_zero", zero, 0, 0);
	bench_rw("pread_bar0", v.device, mdk_region_off(0) + UART_SCR, 0);
	bench_rw("pwrite_bar0", v.device, mdk_region_off(0) + UART_SCR, 1);
	close(zero);
	bench_dma_small(v.container);
	bench_dma_big(v.container);
	bench_msi(v.device);
	mdk_vfio_close(&v);
	ret = mdk_remove(uuid);
	if (ret)
		die("remove", -ret);
}

/* create + remove of a fresh device by UUID, each pair timed. */
static void bench_create(const char *key, unsigned int max, double max_s)
{
	uint64_t t0 = now_ns(), t;
	char uuid[37];
	int ret;

	while (more(t0, max, max_s)) {
		mdk_uuid_gen(uuid);
		t = now_ns();
		ret = mdk_create(MTTY_PARENT, TYPE, uuid);
		if (ret)
			die("create", -ret);
		ret = mdk_remove(uuid);
		if (ret)
			die("remove", -ret);
		sample(now_ns() - t);
	}
	report(key, "ns");
}

/* @n more devices, as fast as sysfs takes them. */
static void populate(unsigned int n)
{
	char uuid[40];
	int fd;

	fd = open(CREATE_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(CREATE_PATH, errno);
	while (n--) {
		snprintf(uuid, sizeof(uuid), "b0b0b0b0-0000-4000-8000-%012x",
			 bulk_seq++);
		if (pwrite(fd, uuid, 36, 0) != 36)
			die("bulk create", errno);
	}
	close(fd);
}

/* Remove every mdev device; returns how many. */
static unsigned int clear(void)
{
	char path[PATH_MAX];
	unsigned int n = 0, pass;
	struct dirent *de;
	int ret;
	DIR *d;

	do {	/* the directory shrinks as we read it: until it is empty */
		pass = 0;
		d = opendir(MDEV_DEVICES);
		if (!d)
			die(MDEV_DEVICES, errno);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove",
				 de->d_name);
			ret = mdk_write_file(path, "1");
			if (ret && ret != -ENOENT && ret != -ENODEV)
				die(path, -ret);
			pass++;
		}
		closedir(d);
		n += pass;
	} while (pass);
	return n;
}

/* Slab + VmallocUsed in KiB once reclaimable caches are dropped. */
static long kernel_kb(void)
{
	long kb, total = 0;
	char line[256];
	FILE *f;

	sync();
	if (mdk_write_file("/proc/sys/vm/drop_caches", "3"))
		die("drop_caches", errno);
	usleep(500000);		/* let RCU-deferred frees land */
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo", errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1 ||
		    sscanf(line, "VmallocUsed: %ld kB", &kb) == 1)
			total += kb;
	fclose(f);
	return total;
}

/*
 * Every workload once. The 10 000-device one only with @big: under TCG
 * upstream's stack needs minutes to create 10 000 devices.
 */
static void round_all(int big)
{
	unsigned int n;
	uint64_t t;
	long before;

	if (mdk_available(MTTY_PARENT, TYPE) < MANY_DEVICES + 2)
		die("available_instances below 10 002 (raise the pool)", ENOSPC);
	bench_io();
	bench_create("create_remove_0", 300, 3);

	before = kernel_kb();
	t = now_ns();
	populate(MEM_DEVICES);
	printf("INFO populated %u in %.0f ms\n", MEM_DEVICES,
	       (now_ns() - t) / 1e6);
	sample((double)(kernel_kb() - before) / MEM_DEVICES);
	report("mem_per_device", "KiB");
	bench_create("create_remove_1000", 200, 3);

	if (big) {
		t = now_ns();
		populate(MANY_DEVICES - MEM_DEVICES);
		printf("INFO populated %u more in %.0f ms\n",
		       MANY_DEVICES - MEM_DEVICES, (now_ns() - t) / 1e6);
		bench_create("create_remove_10000", 100, 4);
	}

	t = now_ns();
	n = clear();
	printf("INFO removed %u devices in %.0f ms\n", n, (now_ns() - t) / 1e6);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "round")) {
		round_all(argc == 3 && !strcmp(argv[2], "big"));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "clear")) {
		printf("removed %u devices\n", clear());
		return 0;
	}
	fprintf(stderr, "usage: mdk_bench round [big] | clear\n");
	return 2;
}
