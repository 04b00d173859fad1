// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_stress: several processes creating, removing, opening and closing
 * mediated devices in parallel for a bounded time.
 *
 * NR_WORKERS forked workers each run a random mix for MDK_STRESS_SECONDS
 * (default 20):
 *   create   an mtty-1, mtty-2 or pintest device with a random UUID, or
 *            with the UUID of a live device (EEXIST);
 *   remove   a random live device, from a thread: it blocks while another
 *            process (or this one) holds the device open, until the holder
 *            answers the REQ interrupt by closing it;
 *   open     a random live device through VFIO and arm its REQ eventfd;
 *   use      a held device: UART reads/writes, INTx/MSI eventfds armed,
 *            disarmed, unmasked and fired; on pintest devices MAP_DMA,
 *            pins, unpins, DMA reads, UNMAP_DMA with pins held;
 *   close    a held device, closing its three files in a random order
 *            (also when its REQ fires, or when its hold time is over).
 * Every errno outside the races listed for an operation is a failure.
 *
 * Each worker reports its counters, its unexpected errors and its VmLck
 * (after closing everything) through a pipe. The parent then removes the
 * workers' leftover devices and checks: no device left, as many IOMMU
 * groups as at the start, available_instances back, VmLck 0 everywhere,
 * and enough operations done for the run to mean something.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/vfio.h>
#include "tap.h"
#include "mdk_test.h"

#define NR_WORKERS	5
#define MAX_HELD	3		/* devices one worker holds open */
#define MAX_REMOVERS	2		/* remove threads per worker */
#define MAX_OPS		200000		/* per worker, besides the time */
#define MAX_MSGS	4
#define MAX_LIST	64

#define PIN_PARENT	"mdk_pintest"
#define PIN_TYPE	"mdk_pintest-pin"
#define PIN_NPAGES	16
#define PIN_IOVA	0x100000ULL
#define PAGE		4096

/* pintest BAR0 registers */
#define PT_IOVA		0x00
#define PT_NPAGES	0x08
#define PT_PROT		0x0c
#define PT_CMD		0x10
#define PT_RESULT	0x14
#define PT_PINNED	0x18
#define PT_LEN		0x20
#define PT_CMD_PIN	1
#define PT_CMD_UNPIN	2
#define PT_CMD_DMA_READ	3

/* 16550 registers */
#define UART_RBR	0
#define UART_IER	1
#define UART_LSR	5
#define UART_LSR_DR	0x01

enum kind { MTTY, PINTEST };

/* Counters of one worker, sent to the parent through the pipe. */
struct result {
	int worker;
	unsigned long ops, creates, removes, opens, closes, req_closes;
	unsigned long io, pins, unmaps_pinned, unexpected;
	long vmlck_kb;
	int nmsg;
	char msg[MAX_MSGS][128];
};

struct held {
	bool used;
	char uuid[37];
	enum kind kind;
	struct mdk_vfio v;
	int req_fd;		/* REQ eventfd: the device is being removed */
	int irq_fd;		/* INTx or MSI eventfd */
	int irq_index;		/* armed index, or -1 */
	int nports;		/* mtty: 1 or 2 */
	uint64_t close_at;	/* hold bound, ms */
	/* pintest */
	void *buf;
	bool mapped;
	unsigned int npins;
	struct { uint64_t iova; uint32_t n; } pins[8];
};

struct remover {
	pthread_t thread;
	bool busy;
	atomic_bool done;
	char uuid[37];
	int err;
};

static struct result res;
static struct held held[MAX_HELD];
static struct remover removers[MAX_REMOVERS];
static uint64_t rng_state;
static bool have_pintest;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: good enough and reproducible per seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

static void __attribute__((format(printf, 1, 2)))
unexpected(const char *fmt, ...)
{
	va_list ap;

	res.unexpected++;
	if (res.nmsg >= MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(res.msg[res.nmsg++], sizeof(res.msg[0]), fmt, ap);
	va_end(ap);
}

static bool err_in(int err, const int *ok)
{
	for (; *ok; ok++)
		if (err == *ok)
			return true;
	return false;
}

/* Up to MAX_LIST live devices; returns a random one in @uuid, or false. */
static bool pick_device(char uuid[37])
{
	char names[MAX_LIST][37];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	d = opendir(MDEV_DEVICES);
	if (!d)
		return false;
	while (n < MAX_LIST && (de = readdir(d)))
		if (strlen(de->d_name) == 36)
			memcpy(names[n++], de->d_name, 37);
	closedir(d);
	if (!n)
		return false;
	memcpy(uuid, names[rnd(n)], 37);
	return true;
}

/* ---- create / remove ------------------------------------------------ */

static void op_create(void)
{
	static const int ok[] = { ENOSPC, EEXIST, 0 };
	const char *parent = MTTY_PARENT, *type;
	char uuid[37] = "";
	uint32_t r = rnd(10);
	unsigned int i;
	int ret;

	if (r < 4)
		type = "mtty-1";
	else if (r < 7 || !have_pintest)
		type = "mtty-2";
	else
		parent = PIN_PARENT, type = PIN_TYPE;
	/* Now and then the UUID of a live device, maybe in upper case. */
	if (!rnd(6) && pick_device(uuid) && rnd(2))
		for (i = 0; i < 36; i++)
			uuid[i] = toupper((unsigned char)uuid[i]);
	ret = mdk_create(parent, type, uuid);
	res.ops++;
	if (!ret)
		res.creates++;
	else if (!err_in(-ret, ok))
		unexpected("create %s %s: %s", type, uuid, strerror(-ret));
}

static void *remover_thread(void *arg)
{
	struct remover *rm = arg;

	rm->err = -mdk_remove(rm->uuid);
	atomic_store(&rm->done, true);
	return NULL;
}

static void reap_removers(bool wait)
{
	/*
	 * Another remover won (ENODEV), the device vanished before our open
	 * of its remove file (ENOENT), or it is still being created (EAGAIN,
	 * as upstream).
	 */
	static const int ok[] = { ENODEV, ENOENT, EAGAIN, 0 };
	unsigned int i;

	for (i = 0; i < MAX_REMOVERS; i++) {
		struct remover *rm = &removers[i];

		if (!rm->busy || (!wait && !atomic_load(&rm->done)))
			continue;
		pthread_join(rm->thread, NULL);
		rm->busy = false;
		if (!rm->err)
			res.removes++;
		else if (!err_in(rm->err, ok))
			unexpected("remove %s: %s", rm->uuid, strerror(rm->err));
	}
}

static void op_remove(void)
{
	struct remover *rm = NULL;
	unsigned int i;

	for (i = 0; i < MAX_REMOVERS && !rm; i++)
		if (!removers[i].busy)
			rm = &removers[i];
	if (!rm || !pick_device(rm->uuid))
		return;
	res.ops++;
	atomic_store(&rm->done, false);
	rm->busy = true;
	if (pthread_create(&rm->thread, NULL, remover_thread, rm)) {
		rm->busy = false;
		unexpected("pthread_create failed");
	}
}

/* ---- device access helpers ------------------------------------------ */

static bool rw(struct held *h, bool write, unsigned int index, uint64_t off,
	       void *buf, size_t len)
{
	off_t pos = mdk_region_off(index) + off;
	ssize_t n;

	n = write ? pwrite(h->v.device, buf, len, pos) :
		    pread(h->v.device, buf, len, pos);
	if (n == (ssize_t)len)
		return true;
	unexpected("%s %s region %u off 0x%llx len %zu: %zd (%s)", h->uuid,
		   write ? "pwrite" : "pread", index, (unsigned long long)off,
		   len, n, n < 0 ? strerror(errno) : "short");
	return false;
}

static bool reg_write32(struct held *h, uint64_t off, uint32_t val)
{
	val = htole32(val);
	return rw(h, true, VFIO_PCI_BAR0_REGION_INDEX, off, &val, 4);
}

static bool reg_read32(struct held *h, uint64_t off, uint32_t *val)
{
	if (!rw(h, false, VFIO_PCI_BAR0_REGION_INDEX, off, val, 4))
		return false;
	*val = le32toh(*val);
	return true;
}

static bool reg_write64(struct held *h, uint64_t off, uint64_t val)
{
	val = htole64(val);
	return rw(h, true, VFIO_PCI_BAR0_REGION_INDEX, off, &val, 8);
}

/* SET_IRQS with eventfd @fd on @index (fd -1: disarm the whole index). */
static bool set_irq(struct held *h, unsigned int index, int fd)
{
	if (!mdk_irq_set_eventfd(h->v.device, index, fd))
		return true;
	unexpected("%s SET_IRQS index %u fd %d: %s", h->uuid, index, fd,
		   strerror(errno));
	return false;
}

/* SET_IRQS without data: @action on vector 0 of @index. */
static bool irq_action(struct held *h, unsigned int index, uint32_t action)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.count = 1,
	};

	if (!ioctl(h->v.device, VFIO_DEVICE_SET_IRQS, &set))
		return true;
	unexpected("%s SET_IRQS index %u action 0x%x: %s", h->uuid, index,
		   action, strerror(errno));
	return false;
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
}

/* ---- open / close ---------------------------------------------------- */

static void close_held(struct held *h)
{
	int fds[3] = { h->v.device, h->v.group, h->v.container };
	unsigned int i, j;

	/* The three files in a random order: the kernel must cope. */
	for (i = 3; i > 1; i--) {
		int t;

		j = rnd(i);
		t = fds[i - 1];
		fds[i - 1] = fds[j];
		fds[j] = t;
	}
	for (i = 0; i < 3; i++)
		if (close(fds[i]))
			unexpected("%s close: %s", h->uuid, strerror(errno));
	close(h->req_fd);
	close(h->irq_fd);
	if (h->buf)
		munmap(h->buf, PIN_NPAGES * PAGE);
	memset(h, 0, sizeof(*h));
	res.closes++;
}

static void op_open(void)
{
	/*
	 * Races with removal: the sysfs link or /dev node is gone (ENOENT),
	 * the node outlives its cdev for a moment (ENXIO), the device is
	 * going away (ENODEV); groups are exclusive (EBUSY).
	 */
	static const int ok[] = { ENOENT, ENXIO, ENODEV, EBUSY, 0 };
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_region_info bar1 = {
		.argsz = sizeof(bar1), .index = VFIO_PCI_BAR1_REGION_INDEX,
	};
	struct held *h = NULL;
	unsigned int i;
	uint16_t vendor;
	ssize_t n;
	int ret;

	for (i = 0; i < MAX_HELD && !h; i++)
		if (!held[i].used)
			h = &held[i];
	if (!h || !pick_device(h->uuid))
		return;
	res.ops++;
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/mdev_type", h->uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (!err_in(errno, ok))
			unexpected("readlink %s: %s", path, strerror(errno));
		return;
	}
	link[n] = '\0';
	h->kind = strstr(link, PIN_TYPE) ? PINTEST : MTTY;
	h->v.group_id = -1;
	ret = mdk_vfio_open(h->uuid, &h->v);
	/*
	 * A device removed between SET_CONTAINER and SET_IOMMU takes its
	 * group out of the container (as upstream): SET_IOMMU then fails
	 * with EINVAL. Accept that only when the device is really gone.
	 */
	if (ret == -EINVAL && h->v.group_id >= 0 &&
	    mdk_group_id(h->uuid) != h->v.group_id)
		ret = -ENODEV;
	if (ret) {
		if (!err_in(-ret, ok))
			unexpected("open %s: %s", h->uuid, strerror(-ret));
		return;
	}
	h->used = true;
	h->irq_index = -1;
	h->close_at = mdk_now_ms() + 20 + rnd(800);
	h->req_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	res.opens++;
	if (h->req_fd < 0 || h->irq_fd < 0) {
		unexpected("eventfd: %s", strerror(errno));
		return;
	}
	/* REQ first: a remover waits for us to answer it. */
	set_irq(h, VFIO_PCI_REQ_IRQ_INDEX, h->req_fd);
	if (ioctl(h->v.device, VFIO_DEVICE_GET_REGION_INFO, &bar1))
		unexpected("%s GET_REGION_INFO: %s", h->uuid, strerror(errno));
	h->nports = bar1.size ? 2 : 1;
	if (rw(h, false, VFIO_PCI_CONFIG_REGION_INDEX, 0, &vendor, 2) &&
	    le16toh(vendor) != (h->kind == MTTY ? 0x4348 : 0x1234))
		unexpected("%s vendor id 0x%04x", h->uuid, le16toh(vendor));
	if (h->kind == PINTEST) {
		h->buf = mmap(NULL, PIN_NPAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h->buf == MAP_FAILED) {
			h->buf = NULL;
			unexpected("mmap: %s", strerror(errno));
		}
	}
}

/* Close devices whose REQ fired or whose hold time is over. */
static void service_held(void)
{
	uint64_t now = mdk_now_ms(), n;
	unsigned int i;

	for (i = 0; i < MAX_HELD; i++) {
		struct held *h = &held[i];

		if (!h->used)
			continue;
		if (read(h->req_fd, &n, sizeof(n)) == sizeof(n)) {
			res.req_closes++;
			close_held(h);
		} else if (now >= h->close_at) {
			close_held(h);
		}
	}
}

/* ---- using a held device --------------------------------------------- */

static void use_mtty(struct held *h)
{
	uint64_t bar = rnd(h->nports);	/* port 1 is BAR1 */
	uint8_t v;

	switch (rnd(8)) {
	case 0:		/* transmit a byte; it loops back */
		v = 'a' + rnd(26);
		rw(h, true, bar, UART_RBR, &v, 1);
		break;
	case 1:		/* receive while data is ready (bounded) */
		for (int i = 0; i < 20; i++) {
			if (!rw(h, false, bar, UART_LSR, &v, 1) ||
			    !(v & UART_LSR_DR))
				break;
			rw(h, false, bar, UART_RBR, &v, 1);
		}
		break;
	case 2:		/* receive interrupt on or off */
		v = rnd(2);
		rw(h, true, bar, UART_IER, &v, 1);
		break;
	case 3:		/* arm INTx or MSI, or disarm */
		if (h->irq_index >= 0) {
			if (set_irq(h, h->irq_index, -1))
				h->irq_index = -1;
		} else {
			unsigned int idx = rnd(2) ? VFIO_PCI_MSI_IRQ_INDEX :
						    VFIO_PCI_INTX_IRQ_INDEX;

			if (set_irq(h, idx, h->irq_fd))
				h->irq_index = idx;
		}
		break;
	case 4:		/* end of interrupt */
		drain(h->irq_fd);
		if (h->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
			irq_action(h, h->irq_index, VFIO_IRQ_SET_ACTION_UNMASK);
		break;
	case 6:		/* mask INTx (only valid while it is armed) */
		if (h->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
			irq_action(h, h->irq_index, VFIO_IRQ_SET_ACTION_MASK);
		break;
	case 5:		/* loopback trigger from userspace */
		if (h->irq_index >= 0)
			irq_action(h, h->irq_index,
				   VFIO_IRQ_SET_ACTION_TRIGGER);
		break;
	default:	/* line status */
		rw(h, false, bar, UART_LSR, &v, 1);
		break;
	}
}

static int32_t pin_cmd(struct held *h, uint64_t iova, uint32_t n,
		       uint32_t cmd)
{
	uint32_t r = 0;

	if (!reg_write64(h, PT_IOVA, iova) || !reg_write32(h, PT_NPAGES, n) ||
	    !reg_write32(h, PT_PROT, 3) || !reg_write32(h, PT_CMD, cmd) ||
	    !reg_read32(h, PT_RESULT, &r))
		return INT32_MIN;
	return (int32_t)r;
}

static void use_pintest(struct held *h)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)h->buf,
		.iova = PIN_IOVA,
		.size = PIN_NPAGES * PAGE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = PIN_IOVA,
		.size = PIN_NPAGES * PAGE,
	};
	uint32_t first, n, pinned;
	int32_t r;

	if (!h->buf)
		return;
	if (!h->mapped) {
		if (ioctl(h->v.container, VFIO_IOMMU_MAP_DMA, &map))
			unexpected("%s MAP_DMA: %s", h->uuid, strerror(errno));
		else
			h->mapped = true;
		return;
	}
	switch (rnd(5)) {
	case 0:
	case 1:		/* pin a few pages of the mapping */
		if (h->npins == 8)
			break;
		first = rnd(PIN_NPAGES);
		n = 1 + rnd(PIN_NPAGES - first);
		r = pin_cmd(h, PIN_IOVA + first * PAGE, n, PT_CMD_PIN);
		if (r != (int32_t)n) {
			unexpected("%s pin %u pages: result %d", h->uuid, n, r);
			break;
		}
		h->pins[h->npins].iova = PIN_IOVA + first * PAGE;
		h->pins[h->npins++].n = n;
		res.pins++;
		if (reg_read32(h, PT_PINNED, &pinned) && pinned < n)
			unexpected("%s PINNED %u after pinning %u", h->uuid,
				   pinned, n);
		break;
	case 2:		/* unpin the last pin */
		if (!h->npins)
			break;
		h->npins--;
		r = pin_cmd(h, h->pins[h->npins].iova, h->pins[h->npins].n,
			    PT_CMD_UNPIN);
		if (r < 0)
			unexpected("%s unpin: result %d", h->uuid, r);
		break;
	case 3:		/* the device reads guest memory */
		if (!reg_write32(h, PT_LEN, 64))
			break;
		r = pin_cmd(h, PIN_IOVA + rnd(PIN_NPAGES) * PAGE, 0,
			    PT_CMD_DMA_READ);
		if (r < 0)
			unexpected("%s dma read: result %d", h->uuid, r);
		break;
	default:	/* unmap, pins or not: the driver must unpin */
		if (ioctl(h->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
		    unmap.size != PIN_NPAGES * PAGE) {
			unexpected("%s UNMAP_DMA: %s, size %llu", h->uuid,
				   strerror(errno),
				   (unsigned long long)unmap.size);
			break;
		}
		h->mapped = false;
		if (h->npins)
			res.unmaps_pinned++;
		h->npins = 0;
		if (reg_read32(h, PT_PINNED, &pinned) && pinned)
			unexpected("%s PINNED %u after UNMAP_DMA", h->uuid,
				   pinned);
		break;
	}
}

static void op_use(void)
{
	struct held *h = &held[rnd(MAX_HELD)];

	if (!h->used)
		return;
	res.ops++;
	res.io++;
	if (h->kind == MTTY)
		use_mtty(h);
	else
		use_pintest(h);
}

static void op_close(void)
{
	struct held *h = &held[rnd(MAX_HELD)];

	if (!h->used)
		return;
	res.ops++;
	close_held(h);
}

/* ---- worker and parent ----------------------------------------------- */

static void worker(int id, int out, uint64_t deadline)
{
	unsigned int i;

	rng_state = ((uint64_t)getpid() << 32) ^ mdk_now_ms() ^
		    (0x9e3779b97f4a7c15ULL * (id + 1));
	res.worker = id;
	while (mdk_now_ms() < deadline && res.ops < MAX_OPS) {
		uint32_t r = rnd(100);

		service_held();
		reap_removers(false);
		if (r < 18)
			op_create();
		else if (r < 30)
			op_remove();
		else if (r < 48)
			op_open();
		else if (r < 92)
			op_use();
		else
			op_close();
	}
	for (i = 0; i < MAX_HELD; i++)
		if (held[i].used)
			close_held(&held[i]);
	reap_removers(true);
	res.vmlck_kb = mdk_vmlck_kb();
	if (write(out, &res, sizeof(res)) != sizeof(res))
		_exit(3);
	_exit(0);
}

/* Remove every device left (the workers' leftovers); how many were. */
static unsigned int remove_all(void)
{
	char uuid[37];
	unsigned int n = 0, tries = 0;

	while (pick_device(uuid) && tries++ < 1000) {
		int ret = mdk_remove(uuid);

		if (!ret)
			n++;
		else if (ret != -ENODEV && ret != -ENOENT)
			tap_diag("removing leftover %s: %s", uuid,
				 strerror(-ret));
	}
	return n;
}

int main(void)
{
	long avail1, avail2, avail_pin = -1, secs = 20;
	unsigned int i, groups0, finished = 0, reported = 0;
	struct result total = { 0 }, r;
	pid_t pids[NR_WORKERS];
	uint64_t deadline;
	bool vmlck_ok = true, clean = true;
	int fds[2], status;
	const char *env;

	tap_init("stress");
	signal(SIGPIPE, SIG_IGN);
	env = getenv("MDK_STRESS_SECONDS");
	if (env && atol(env) > 0)
		secs = atol(env);
	have_pintest = mdk_path_exists(MDEV_BUS_CLASS "/" PIN_PARENT);
	if (!have_pintest)
		tap_diag("no %s parent: the pinning mix is skipped", PIN_PARENT);
	if (!tap_ok((unsigned int)mdk_count_dir(MDEV_DEVICES) == 0, "no mdev device at start"))
		return tap_done();
	groups0 = (unsigned int)mdk_count_dir("/sys/kernel/iommu_groups");
	avail1 = mdk_available(MTTY_PARENT, "mtty-1");
	avail2 = mdk_available(MTTY_PARENT, "mtty-2");
	if (have_pintest)
		avail_pin = mdk_available(PIN_PARENT, PIN_TYPE);
	tap_diag("start: %u IOMMU groups, available mtty-1 %ld mtty-2 %ld pin %ld",
		 groups0, avail1, avail2, avail_pin);
	if (pipe(fds))
		tap_bail("pipe: %s", strerror(errno));

	deadline = mdk_now_ms() + secs * 1000;
	for (i = 0; i < NR_WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			tap_bail("fork: %s", strerror(errno));
		if (!pids[i]) {
			close(fds[0]);
			worker(i, fds[1], deadline);
		}
	}
	close(fds[1]);

	/* Wait for them, bounded: a worker stuck in the kernel is a bug. */
	while (finished < NR_WORKERS) {
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p > 0) {
			finished++;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				clean = false;
				tap_diag("worker pid %d: status 0x%x", p, status);
			}
			continue;
		}
		if (mdk_now_ms() > deadline + 40000) {
			tap_diag("workers still running 40 s after the deadline");
			for (i = 0; i < NR_WORKERS; i++)
				kill(pids[i], SIGKILL);
			clean = false;
			while (waitpid(-1, &status, 0) > 0)
				;
			break;
		}
		usleep(50000);
	}
	tap_ok(clean, "every worker finished and exited 0");

	while (read(fds[0], &r, sizeof(r)) == sizeof(r)) {
		int j;

		reported++;
		tap_diag("worker %d: %lu ops: %lu creates, %lu removes, %lu opens, %lu closes (%lu on REQ),",
			 r.worker, r.ops, r.creates, r.removes, r.opens,
			 r.closes, r.req_closes);
		tap_diag("  %lu uses, %lu pins, %lu unmaps with pins; VmLck %ld kB",
			 r.io, r.pins, r.unmaps_pinned, r.vmlck_kb);
		for (j = 0; j < r.nmsg; j++)
			tap_diag("  worker %d: unexpected: %s", r.worker,
				 r.msg[j]);
		if (!tap_ok(!r.unexpected, "worker %d: no unexpected result",
			    r.worker))
			tap_diag("  %lu unexpected results", r.unexpected);
		if (r.vmlck_kb != 0)
			vmlck_ok = false;
		total.ops += r.ops;
		total.creates += r.creates;
		total.removes += r.removes;
		total.opens += r.opens;
		total.req_closes += r.req_closes;
		total.pins += r.pins;
	}
	tap_ok(reported == NR_WORKERS, "every worker reported (%u of %u)",
	       reported, NR_WORKERS);
	tap_ok(vmlck_ok, "VmLck 0 in every worker after closing its devices");

	tap_diag("removing %u leftover devices", remove_all());
	tap_ok((unsigned int)mdk_count_dir(MDEV_DEVICES) == 0, "no mdev device left");
	i = (unsigned int)mdk_count_dir("/sys/kernel/iommu_groups");
	if (!tap_ok(i == groups0, "IOMMU groups back to the start"))
		tap_diag("  %u at start, %u now", groups0, i);
	tap_ok(mdk_available(MTTY_PARENT, "mtty-1") == avail1 &&
	       mdk_available(MTTY_PARENT, "mtty-2") == avail2,
	       "available_instances of mtty-1/mtty-2 back to %ld/%ld",
	       avail1, avail2);
	if (have_pintest)
		tap_ok(mdk_available(PIN_PARENT, PIN_TYPE) == avail_pin,
		       "available_instances of %s back to %ld", PIN_TYPE,
		       avail_pin);

	tap_diag("total: %lu operations in %ld s: %lu creates, %lu removes,",
		 total.ops, secs, total.creates, total.removes);
	tap_diag("  %lu opens (%lu closed on REQ), %lu pins", total.opens,
		 total.req_closes, total.pins);
	tap_ok(total.ops >= 200 && total.creates >= 10 && total.removes >= 5 &&
	       total.opens >= 10, "enough operations ran");
	tap_ok(total.req_closes >= 1,
	       "a remove of an open device was answered through REQ");
	if (have_pintest)
		tap_ok(total.pins >= 1, "pages were pinned");
	return tap_done();
}
