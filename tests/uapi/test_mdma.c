// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mdma: the mdma sample DMA engine on type1 auxiliary domains.
 * Copy/fill/compare correctness from 1 byte to 4 MiB across pages;
 * PASIDs unique among live work queues and reused after removal; the
 * PASID quota; isolation of two containers (faults reported, the other
 * container's memory untouched); UNMAP while descriptors are in flight;
 * a 1 GiB mapping pinned, mapped and fully released (UNMAP, close).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/vfio.h>
#include "tap.h"
#include "mdk_test.h"

#define PARENT	"mdma"
#define TYPE	"mdma-wq"
#define MOD	"mdk_mdma"

/* BAR0 registers (samples/mdma/mdma.c) */
enum {
	R_RING_BASE = 0x00, R_RING_SIZE = 0x08, R_HEAD = 0x0c, R_TAIL = 0x10,
	R_STATUS = 0x14, R_PASID = 0x18, R_ERROR = 0x1c, R_ERR_IOVA = 0x20,
	R_CTRL = 0x28, R_COMPLETED = 0x2c, R_FAULTS = 0x30,
	R_ERR_REASON = 0x34,
};
enum { ST_IDLE, ST_RUNNING, ST_ERROR };
enum { ERR_NONE, ERR_FAULT, ERR_DESC, ERR_RING };
enum { OP_COPY = 1, OP_FILL, OP_COMPARE };
enum { C_NONE, C_SUCCESS, C_MISMATCH, C_FAULT, C_INVALID };
#define CTRL_ENABLE	1u
#define CTRL_RESET	2u
#define F_INTERRUPT	1u
#define F_COMPLETION	2u

struct desc {
	uint32_t opcode, flags;
	uint64_t len, src, dst, pattern, completion, rsvd[2];
};

struct compl {
	uint32_t status, rsvd;
	uint64_t result, bytes, rsvd2;
};

#define KB		1024UL
#define MB		(1024 * KB)
#define GB		(1024 * MB)
#define RING_N		64
/* Layout of a work queue's memory: ring, completion records, data. */
#define OFF_RING	0
#define OFF_COMPL	(16 * KB)
#define OFF_DATA	(64 * KB)
#define MEM_SIZE	(16 * MB)
#define IOVA_BASE	0x40000000ULL

/* One work queue, opened in its own container (or in a shared one). */
struct wq {
	char uuid[37];
	struct mdk_vfio v;
	int efd;
	uint8_t *mem;		/* MEM_SIZE bytes mapped at IOVA_BASE */
	uint32_t tail;
};

static uint64_t bar0(uint64_t off)
{
	return mdk_region_off(VFIO_PCI_BAR0_REGION_INDEX) + off;
}

static uint32_t rd32(struct wq *w, uint64_t off)
{
	uint32_t v = 0xffffffff;

	if (pread(w->v.device, &v, 4, bar0(off)) != 4)
		return 0xffffffff;
	return le32toh(v);
}

static uint64_t rd64(struct wq *w, uint64_t off)
{
	uint64_t v = ~0ULL;

	if (pread(w->v.device, &v, 8, bar0(off)) != 8)
		return ~0ULL;
	return le64toh(v);
}

static int wr32(struct wq *w, uint64_t off, uint32_t val)
{
	val = htole32(val);
	return pwrite(w->v.device, &val, 4, bar0(off)) == 4 ? 0 : -errno;
}

static int wr64(struct wq *w, uint64_t off, uint64_t val)
{
	val = htole64(val);
	return pwrite(w->v.device, &val, 8, bar0(off)) == 8 ? 0 : -errno;
}

static int dma_map(int container, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

/* UNMAP_DMA; the unmapped size, or -errno. */
static long long dma_unmap(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u) ? -errno :
	       (long long)u.size;
}

/* MSI vector 0 -> a fresh eventfd. */
static int arm_msi(struct wq *w)
{
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0)
		return -errno;
	return mdk_irq_set_eventfd(w->v.device, VFIO_PCI_MSI_IRQ_INDEX,
				   w->efd) ? -errno : 0;
}

/* MSIs since the last call. */
static uint64_t msis(struct wq *w)
{
	uint64_t n = 0;

	if (read(w->efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/*
 * MSIs since the last call, waiting up to 2 s for @want of them: the
 * engine raises the MSI just after it publishes STATUS.
 */
static uint64_t msis_wait(struct wq *w, uint64_t want)
{
	uint64_t t0 = mdk_now_ms(), n = 0;

	do {
		n += msis(w);
		if (n >= want)
			break;
		usleep(1000);
	} while (mdk_now_ms() - t0 < 2000);
	usleep(10000);		/* and no more than @want */
	return n + msis(w);
}

/* Ring at IOVA_BASE + OFF_RING, enabled. */
static int ring_setup(struct wq *w)
{
	w->tail = 0;
	if (wr32(w, R_CTRL, CTRL_RESET) || wr64(w, R_RING_BASE, IOVA_BASE) ||
	    wr32(w, R_RING_SIZE, RING_N) || wr32(w, R_CTRL, CTRL_ENABLE))
		return -1;
	return 0;
}

/* Memory of @w: allocated, mapped at IOVA_BASE in its container. */
static int wq_mem(struct wq *w)
{
	w->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->mem == MAP_FAILED) {
		w->mem = NULL;
		return -errno;
	}
	return dma_map(w->v.container, w->mem, IOVA_BASE, MEM_SIZE);
}

/* Create a work queue and open it in a container of its own. */
static int wq_open(struct wq *w, bool mem)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->efd = -1;
	w->v.container = w->v.group = w->v.device = -1;
	ret = mdk_create(PARENT, TYPE, w->uuid);
	if (ret)
		return ret;
	ret = mdk_vfio_open(w->uuid, &w->v);
	if (!ret)
		ret = arm_msi(w);
	if (!ret && mem)
		ret = wq_mem(w);
	if (!ret && mem)
		ret = ring_setup(w);
	return ret;
}

static void wq_close(struct wq *w)
{
	mdk_vfio_close(&w->v);
	if (w->efd >= 0)
		close(w->efd);
	if (w->mem)
		munmap(w->mem, MEM_SIZE);
	if (w->uuid[0])
		mdk_remove(w->uuid);
	memset(w, 0, sizeof(*w));
	w->efd = -1;
}

/* Queue one descriptor (completion record @slot); not yet rung. */
static void queue(struct wq *w, uint32_t op, uint32_t flags, uint64_t len,
		  uint64_t src, uint64_t dst, uint64_t pattern, unsigned int slot)
{
	struct desc *d = (struct desc *)(w->mem + OFF_RING) +
			 (w->tail % RING_N);
	struct compl *c = (struct compl *)(w->mem + OFF_COMPL) + slot;

	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	d->opcode = htole32(op);
	d->flags = htole32(flags | F_COMPLETION);
	d->len = htole64(len);
	d->src = htole64(src);
	d->dst = htole64(dst);
	d->pattern = htole64(pattern);
	d->completion = htole64(IOVA_BASE + OFF_COMPL + slot * sizeof(*c));
	w->tail++;
}

static struct compl *compl_of(struct wq *w, unsigned int slot)
{
	return (struct compl *)(w->mem + OFF_COMPL) + slot;
}

/* Ring the doorbell and wait until HEAD reaches TAIL or an error (30 s). */
static int run(struct wq *w)
{
	uint64_t t0 = mdk_now_ms();
	uint32_t st;

	if (wr32(w, R_TAIL, w->tail % RING_N))
		return -1;
	while (mdk_now_ms() - t0 < 30000) {
		st = rd32(w, R_STATUS);
		if (st == ST_ERROR)
			return -1;
		if (rd32(w, R_HEAD) == w->tail % RING_N && st == ST_IDLE)
			return 0;
		usleep(200);
	}
	tap_diag("  engine still busy after 30 s");
	return -1;
}

static uint64_t iova_of(struct wq *w, void *p)
{
	return IOVA_BASE + ((uint8_t *)p - w->mem);
}

static void fill_random(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

static void test_basics(void)
{
	struct wq w;
	uint16_t id[2] = { 0, 0 };
	int ret;

	ret = wq_open(&w, true);
	if (!tap_ok(!ret, "open a work queue, map its memory, enable the ring")) {
		tap_diag("  %s", strerror(-ret));
		wq_close(&w);
		return;
	}
	ret = pread(w.v.device, id, 4,
		    mdk_region_off(VFIO_PCI_CONFIG_REGION_INDEX));
	tap_ok(ret == 4 && le16toh(id[0]) == 0x1234 && le16toh(id[1]) == 0xd3a0,
	       "config space: 1234:d3a0");
	tap_ok(rd32(&w, R_PASID) > 0 && rd32(&w, R_PASID) < (1u << 20),
	       "PASID register: a PASID in 1..2^20-1 (%u)", rd32(&w, R_PASID));
	tap_ok(rd32(&w, R_STATUS) == ST_IDLE && rd32(&w, R_HEAD) == 0,
	       "enabled, empty ring: idle, HEAD 0");
	/* The auxiliary page tables translate 48-bit IOVAs. */
	ret = dma_map(w.v.container, w.mem, 1ULL << 48, 4096);
	tap_ok(ret == -EINVAL, "MAP_DMA beyond 48-bit IOVAs: EINVAL (%d)", ret);
	ret = dma_map(w.v.container, w.mem, (1ULL << 48) - 4096, 4096);
	tap_ok(!ret && dma_unmap(w.v.container, (1ULL << 48) - 4096, 4096) ==
	       4096, "MAP_DMA of the last 48-bit IOVA page works");

	/* An invalid opcode: ERROR DESC, completion INVALID, MSI. */
	msis(&w);
	queue(&w, 9, 0, 8, IOVA_BASE + OFF_DATA, IOVA_BASE + OFF_DATA, 0, 0);
	tap_ok(run(&w) && rd32(&w, R_ERROR) == ERR_DESC &&
	       le32toh(compl_of(&w, 0)->status) == C_INVALID &&
	       msis_wait(&w, 1) == 1,
	       "bad opcode: ERROR DESC, record INVALID, one MSI");
	tap_ok(!wr32(&w, R_CTRL, CTRL_RESET) && rd32(&w, R_STATUS) == ST_IDLE &&
	       rd32(&w, R_ERROR) == 0 && rd32(&w, R_HEAD) == 0 &&
	       rd32(&w, R_CTRL) == 0, "CTRL.RESET clears the error");
	/* A ring size that is not a power of two. */
	wr32(&w, R_RING_SIZE, 3);
	wr32(&w, R_CTRL, CTRL_ENABLE);
	tap_ok(rd32(&w, R_STATUS) == ST_ERROR && rd32(&w, R_ERROR) == ERR_RING,
	       "RING_SIZE 3: ERROR RING at enable");
	wq_close(&w);
}

/* COPY, FILL, COMPARE of @len bytes at page-crossing offsets. */
static void test_ops(void)
{
	static const size_t sizes[] = {
		1, 7, 4095, 4096, 4097, 65537, MB + 3, 4 * MB,
	};
	const uint64_t pat = 0x0123456789abcdefULL;
	struct wq w;
	unsigned int i, slot;
	int ret;

	ret = wq_open(&w, true);
	if (!tap_ok(!ret, "ops: work queue ready")) {
		wq_close(&w);
		return;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		/* src and dst at odd offsets: every size crosses pages */
		uint8_t *src = w.mem + OFF_DATA + 4093;
		uint8_t *dst = w.mem + OFF_DATA + 5 * MB + 17;
		uint8_t *cmp = w.mem + OFF_DATA + 10 * MB + 4001;
		bool ok = true;
		size_t j;

		fill_random(src, len, i + 1);
		memset(dst - 64, 0x5a, len + 128);
		memset(cmp - 64, 0x5a, len + 128);
		slot = 0;
		msis(&w);
		queue(&w, OP_COPY, F_INTERRUPT, len, iova_of(&w, src),
		      iova_of(&w, dst), 0, slot++);
		queue(&w, OP_FILL, 0, len, 0, iova_of(&w, cmp), pat, slot++);
		queue(&w, OP_COMPARE, 0, len, iova_of(&w, src),
		      iova_of(&w, dst), 0, slot++);
		ret = run(&w);
		if (!ret) {	/* the COPY is checked; now a mismatch */
			dst[len / 2] ^= 0x40;
			queue(&w, OP_COMPARE, F_INTERRUPT, len,
			      iova_of(&w, src), iova_of(&w, dst), 0, slot++);
			ret = run(&w);
			dst[len / 2] ^= 0x40;
		}
		if (!tap_ok(!ret, "%zu bytes: 4 descriptors complete", len)) {
			tap_diag("  STATUS %u ERROR %u ERR_IOVA %#llx", rd32(&w, R_STATUS),
				 rd32(&w, R_ERROR),
				 (unsigned long long)rd64(&w, R_ERR_IOVA));
			break;
		}
		ok = !memcmp(src, dst, len);
		for (j = 0; j < 64; j++)
			ok &= dst[-1 - (long)j] == 0x5a && dst[len + j] == 0x5a;
		tap_ok(ok && le32toh(compl_of(&w, 0)->status) == C_SUCCESS &&
		       le64toh(compl_of(&w, 0)->bytes) == len,
		       "%zu bytes: COPY exact, guard bytes intact, record", len);
		for (j = 0; j < len && ok; j++)
			ok = cmp[j] == (uint8_t)(pat >> (8 * (j % 8)));
		for (j = 0; j < 64; j++)
			ok &= cmp[-1 - (long)j] == 0x5a && cmp[len + j] == 0x5a;
		tap_ok(ok && le32toh(compl_of(&w, 1)->status) == C_SUCCESS,
		       "%zu bytes: FILL writes the pattern exactly", len);
		tap_ok(le32toh(compl_of(&w, 2)->status) == C_SUCCESS &&
		       le32toh(compl_of(&w, 3)->status) == C_MISMATCH &&
		       le64toh(compl_of(&w, 3)->result) == len / 2,
		       "%zu bytes: COMPARE equal, then mismatch at %zu", len,
		       len / 2);
		tap_ok(msis_wait(&w, 2) == 2, "%zu bytes: one MSI per INTERRUPT flag",
		       len);
	}
	tap_ok(rd32(&w, R_COMPLETED) == 4 * i && rd32(&w, R_FAULTS) == 0,
	       "COMPLETED counts %u descriptors, no fault", 4 * i);
	wq_close(&w);
}

/* Open @n work queues (already created) in one container. */
static int open_shared(struct wq *w, unsigned int n, int *container)
{
	char path[64];
	unsigned int i;
	int gid;

	*container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (*container < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		gid = mdk_group_id(w[i].uuid);
		if (gid < 0)
			return gid;
		snprintf(path, sizeof(path), "/dev/vfio/%d", gid);
		w[i].v.group = open(path, O_RDWR | O_CLOEXEC);
		if (w[i].v.group < 0 ||
		    ioctl(w[i].v.group, VFIO_GROUP_SET_CONTAINER, container))
			return -errno;
		if (!i && ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			return -errno;
	}
	for (i = 0; i < n; i++) {
		w[i].v.device = ioctl(w[i].v.group, VFIO_GROUP_GET_DEVICE_FD,
				      w[i].uuid);
		if (w[i].v.device < 0)
			return -errno;
	}
	return 0;
}

static void close_shared(struct wq *w, unsigned int n, int container)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (w[i].v.device >= 0)
			close(w[i].v.device);
		if (w[i].v.group >= 0)
			close(w[i].v.group);
		w[i].v.device = w[i].v.group = -1;
	}
	if (container >= 0)
		close(container);
}

static bool create_n(struct wq *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].efd = -1;
		w[i].v.container = w[i].v.group = w[i].v.device = -1;
	}
	for (i = 0; i < n; i++) {
		if (mdk_create(PARENT, TYPE, w[i].uuid))
			return false;
	}
	return true;
}

static void remove_n(struct wq *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (w[i].uuid[0])
			mdk_remove(w[i].uuid);
}

/* Open @w's group and attach it to @container. */
static int group_join(struct wq *w, int container)
{
	char path[64];
	int gid = mdk_group_id(w->uuid);

	if (gid < 0)
		return gid;
	snprintf(path, sizeof(path), "/dev/vfio/%d", gid);
	w->v.group = open(path, O_RDWR | O_CLOEXEC);
	if (w->v.group < 0 ||
	    ioctl(w->v.group, VFIO_GROUP_SET_CONTAINER, &container))
		return -errno;
	return 0;
}

static int dev_open(struct wq *w)
{
	w->v.device = ioctl(w->v.group, VFIO_GROUP_GET_DEVICE_FD, w->uuid);
	return w->v.device < 0 ? -errno : 0;
}

/*
 * PASIDs: 2 containers of 2 work queues; distinct; a mapping made before
 * the second group joined is mirrored into its domain; reuse.
 */
static void test_pasids(void)
{
	struct wq w[4], n;
	uint32_t p[4], gone;
	int c[2] = { -1, -1 }, ret = -ENOMEM;
	uint8_t *buf;
	unsigned int i, j;
	bool distinct = true;

	memset(&n, 0, sizeof(n));
	n.efd = -1;
	n.v.container = n.v.group = n.v.device = -1;
	buf = mmap(NULL, 64 * KB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(create_n(w, 4) && buf != MAP_FAILED,
		    "create 4 work queues"))
		goto out;
	for (i = 0; i < 2; i++) {
		c[i] = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		ret = c[i] < 0 ? -errno : group_join(&w[2 * i], c[i]);
		if (!ret && ioctl(c[i], VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			ret = -errno;
		/* mapped before the second group joins: mirrored then */
		if (!ret)
			ret = dma_map(c[i], buf, IOVA_BASE, 64 * KB);
		if (!ret)
			ret = group_join(&w[2 * i + 1], c[i]);
		if (!ret)
			ret = dev_open(&w[2 * i]);
		if (!ret)
			ret = dev_open(&w[2 * i + 1]);
		if (ret)
			break;
	}
	if (!tap_ok(!ret, "open 2 containers of 2 work queues")) {
		tap_diag("  %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < 4; i++) {
		p[i] = rd32(&w[i], R_PASID);
		for (j = 0; j < i; j++)
			distinct &= p[i] != p[j];
		distinct &= p[i] > 0 && p[i] < (1u << 20);
	}
	tap_ok(distinct, "4 live work queues: 4 distinct PASIDs (%u %u %u %u)",
	       p[0], p[1], p[2], p[3]);

	/* w[1]'s domain mirrors the mapping made before its group joined. */
	w[1].mem = buf;
	memset(buf, 0, 64 * KB);
	ring_setup(&w[1]);
	queue(&w[1], OP_FILL, 0, 4096, 0, IOVA_BASE + 60 * KB,
	      0x1111111111111111ULL, 0);
	tap_ok(!run(&w[1]) && buf[60 * KB] == 0x11 && buf[64 * KB - 1] == 0x11,
	       "a mapping made before the group joined is mirrored");
	w[1].mem = NULL;

	/* Remove the lowest; a new work queue gets its PASID back. */
	j = 0;
	for (i = 1; i < 4; i++)
		if (p[i] < p[j])
			j = i;
	gone = p[j];
	close(w[j].v.device);
	close(w[j].v.group);
	w[j].v.device = w[j].v.group = -1;
	tap_ok(!mdk_remove(w[j].uuid), "remove the work queue of PASID %u",
	       gone);
	w[j].uuid[0] = 0;
	ret = wq_open(&n, false);
	tap_ok(!ret && rd32(&n, R_PASID) == gone,
	       "a new work queue reuses the lowest free PASID %u (got %u)",
	       gone, ret ? 0 : rd32(&n, R_PASID));
out:
	wq_close(&n);
	close_shared(w, 4, c[0]);
	if (c[1] >= 0)
		close(c[1]);
	if (buf != MAP_FAILED)
		munmap(buf, 64 * KB);
	remove_n(w, 4);
}

static int mod_load(const char *params)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", getenv("MDK_MODULES") ?:
		 "/mdk/modules", MOD);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int mod_unload(void)
{
	return syscall(SYS_delete_module, MOD, O_NONBLOCK) ? -errno : 0;
}

/* pasids=2: the third concurrently attached work queue is refused. */
static void test_quota(void)
{
	struct wq w[3];
	int c = -1, c2 = -1, ret;
	char path[64];

	if (!tap_ok(!mod_unload() && !mod_load("pasids=2"),
		    "reload " MOD " with pasids=2"))
		goto restore;
	if (!tap_ok(create_n(w, 3), "quota: create 3 work queues"))
		goto out;
	ret = open_shared(w, 2, &c);
	tap_ok(!ret, "quota: 2 work queues attached in one container");
	/* the third in a fresh container: SET_IOMMU fails */
	c2 = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/dev/vfio/%d", mdk_group_id(w[2].uuid));
	w[2].v.group = open(path, O_RDWR | O_CLOEXEC);
	tap_ok(!ioctl(w[2].v.group, VFIO_GROUP_SET_CONTAINER, &c2),
	       "quota: SET_CONTAINER on a container without backend");
	TAP_ERRNO(ioctl(c2, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EDQUOT,
		  "quota: third SET_IOMMU fails with EDQUOT");
	tap_ok(ioctl(w[2].v.group, VFIO_GROUP_GET_DEVICE_FD, w[2].uuid) < 0,
	       "quota: no device fd without backend");
	TAP_ZERO(ioctl(w[2].v.group, VFIO_GROUP_UNSET_CONTAINER),
		 "quota: the group leaves the failed container");
	/* joining the full container: SET_CONTAINER fails */
	TAP_ERRNO(ioctl(w[2].v.group, VFIO_GROUP_SET_CONTAINER, &c), EDQUOT,
		  "quota: SET_CONTAINER into a container with backend: EDQUOT");
	/* one leaves: the third fits */
	close_shared(w, 1, -1);
	TAP_ZERO(ioctl(w[2].v.group, VFIO_GROUP_SET_CONTAINER, &c),
		 "quota: after one left, the third attaches");
	w[2].v.device = ioctl(w[2].v.group, VFIO_GROUP_GET_DEVICE_FD, w[2].uuid);
	tap_ok(w[2].v.device >= 0 && rd32(&w[2], R_PASID) > 0,
	       "quota: and gets a PASID");
out:
	close_shared(w, 3, c);
	if (c2 >= 0)
		close(c2);
	remove_n(w, 3);
restore:
	mod_unload();
	tap_ok(!mod_load(""), "reload " MOD " with the default quota");
}

/*
 * Two containers map different buffers at the same IOVA, and B one more
 * at an IOVA A does not map. A's DMA never reaches B's memory.
 */
static void test_isolation(void)
{
	const uint64_t only_b = IOVA_BASE + 2 * GB;
	struct wq a = { .efd = -1 }, b = { .efd = -1 };
	uint8_t *b_extra = NULL, *b_copy = NULL, *a_copy = NULL;
	bool ok;
	int ret;

	a.v.container = a.v.group = a.v.device = -1;
	b.v = a.v;
	ret = wq_open(&a, true);
	if (!ret)
		ret = wq_open(&b, true);
	b_extra = mmap(NULL, MB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b_copy = malloc(MEM_SIZE + MB);
	a_copy = malloc(MEM_SIZE);
	if (!ret)
		ret = dma_map(b.v.container, b_extra, only_b, MB);
	if (!tap_ok(!ret && b_copy && a_copy,
		    "isolation: A and B in two containers, B maps more")) {
		tap_diag("  %s", strerror(-ret));
		goto out;
	}
	fill_random(b.mem + OFF_DATA, MEM_SIZE - OFF_DATA, 77);
	fill_random(b_extra, MB, 78);
	fill_random(a.mem + OFF_DATA, MEM_SIZE - OFF_DATA, 79);
	memcpy(b_copy, b.mem, MEM_SIZE);
	memcpy(b_copy + MEM_SIZE, b_extra, MB);
	tap_ok(rd32(&a, R_PASID) != rd32(&b, R_PASID),
	       "isolation: A and B have different PASIDs");

	/* Same IOVA: A's copy reads A's buffer, writes A's buffer. */
	queue(&a, OP_COPY, 0, 8192, IOVA_BASE + OFF_DATA,
	      IOVA_BASE + OFF_DATA + MB, 0, 0);
	tap_ok(!run(&a) && !memcmp(a.mem + OFF_DATA, a.mem + OFF_DATA + MB,
				   8192),
	       "isolation: same IOVA in A and B: A's copy stays in A");

	/* A writes to an IOVA only B mapped. */
	memcpy(a_copy, a.mem, MEM_SIZE);
	msis(&a);
	queue(&a, OP_COPY, 0, 3 * 4096, IOVA_BASE + OFF_DATA, only_b + 4096,
	      0, 1);
	ok = run(&a) && rd32(&a, R_STATUS) == ST_ERROR &&
	     rd32(&a, R_ERROR) == ERR_FAULT &&
	     rd64(&a, R_ERR_IOVA) == only_b + 4096 &&
	     rd32(&a, R_ERR_REASON) == ENOENT;
	tap_ok(ok, "isolation: A writing B's IOVA: ERROR FAULT at it, ENOENT");
	tap_ok(le32toh(compl_of(&a, 1)->status) == C_FAULT &&
	       le64toh(compl_of(&a, 1)->bytes) == 0,
	       "isolation: A's completion record says FAULT, 0 bytes");
	tap_ok(rd32(&a, R_FAULTS) >= 1 && msis_wait(&a, 1) == 1,
	       "isolation: fault counted by the handler, MSI raised");
	tap_ok(rd32(&a, R_HEAD) == 1, "isolation: HEAD stays on the faulting descriptor");

	/* A reads an IOVA only B mapped. */
	wr32(&a, R_CTRL, CTRL_RESET);
	ring_setup(&a);
	queue(&a, OP_COPY, 0, 4096, only_b, IOVA_BASE + OFF_DATA + 2 * MB,
	      0, 0);
	ok = run(&a) && rd32(&a, R_ERROR) == ERR_FAULT &&
	     rd64(&a, R_ERR_IOVA) == only_b &&
	     le32toh(compl_of(&a, 0)->status) == C_FAULT;
	tap_ok(ok, "isolation: A reading B's IOVA faults at it");
	/* The record itself in B's space: fault, nothing written. */
	wr32(&a, R_CTRL, CTRL_RESET);
	ring_setup(&a);
	queue(&a, OP_FILL, 0, 64, 0, IOVA_BASE + OFF_DATA, 0, 0);
	((struct desc *)(a.mem + OFF_RING))[0].completion = htole64(only_b);
	tap_ok(run(&a) && rd32(&a, R_ERROR) == ERR_FAULT &&
	       rd64(&a, R_ERR_IOVA) == only_b,
	       "isolation: completion record at B's IOVA faults");
	tap_ok(!memcmp(b.mem, b_copy, MEM_SIZE) &&
	       !memcmp(b_extra, b_copy + MEM_SIZE, MB),
	       "isolation: not one byte of B's memory changed");
	tap_ok(!memcmp(a.mem + OFF_DATA + 2 * MB,
		       a_copy + OFF_DATA + 2 * MB, 4096),
	       "isolation: A's destination untouched by the faulting read");
	tap_ok(rd32(&b, R_FAULTS) == 0 && rd32(&b, R_STATUS) == ST_IDLE,
	       "isolation: B saw no fault");
out:
	wq_close(&a);
	wq_close(&b);
	if (b_extra != MAP_FAILED)
		munmap(b_extra, MB);
	free(b_copy);
	free(a_copy);
}

/* UNMAP the source (then the destination) while copies are running. */
static void test_unmap_inflight(void)
{
	const uint64_t s_iova = IOVA_BASE + 4 * GB;
	const size_t s_size = 8 * MB;
	unsigned int round, k;
	struct wq w;
	uint8_t *s = NULL;
	long vm0, vm1;
	int ret;

	ret = wq_open(&w, true);
	s = mmap(NULL, s_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(!ret && s != MAP_FAILED, "unmap: work queue ready"))
		goto out;
	memset(s, 0x3c, s_size);
	for (round = 0; round < 2; round++) {
		uint32_t st;
		long long un;
		uint64_t t0;

		vm0 = mdk_vmlck_kb();
		ret = dma_map(w.v.container, s, s_iova, s_size);
		vm1 = mdk_vmlck_kb();
		tap_ok(!ret && vm1 - vm0 == (long)(s_size / KB),
		       "unmap %u: MAP pins %zu kB (VmLck +%ld)", round,
		       s_size / KB, vm1 - vm0);
		wr32(&w, R_CTRL, CTRL_RESET);
		ring_setup(&w);
		for (k = 0; k < 24; k++)
			queue(&w, OP_COPY, 0, 4 * MB,
			      round ? IOVA_BASE + OFF_DATA : s_iova + (k % 2) * 4 * MB,
			      round ? s_iova + (k % 2) * 4 * MB :
				      IOVA_BASE + OFF_DATA + (k % 3) * 4 * MB,
			      0, k);
		wr32(&w, R_TAIL, w.tail % RING_N);
		usleep(2000);
		un = dma_unmap(w.v.container, s_iova, s_size);
		tap_ok(un == (long long)s_size && mdk_vmlck_kb() == vm0,
		       "unmap %u: UNMAP %s in flight returns, VmLck back",
		       round, round ? "destination" : "source");
		t0 = mdk_now_ms();
		do {
			st = rd32(&w, R_STATUS);
		} while ((st == ST_RUNNING ||
			  (st == ST_IDLE && rd32(&w, R_HEAD) != w.tail)) &&
			 mdk_now_ms() - t0 < 30000);
		tap_diag("  round %u: %u of 24 done, status %u", round,
			 rd32(&w, R_COMPLETED), st);
		tap_ok(st == ST_IDLE ? rd32(&w, R_COMPLETED) == 24 :
		       st == ST_ERROR && rd32(&w, R_ERROR) == ERR_FAULT &&
		       rd64(&w, R_ERR_IOVA) >= s_iova &&
		       rd64(&w, R_ERR_IOVA) < s_iova + s_size,
		       "unmap %u: the engine faults in the unmapped range (or had finished)",
		       round);
	}
	/* The engine still works after reset. */
	wr32(&w, R_CTRL, CTRL_RESET);
	ring_setup(&w);
	queue(&w, OP_FILL, 0, 4096, 0, IOVA_BASE + OFF_DATA, 0x7777777777777777ULL, 0);
	tap_ok(!run(&w) && w.mem[OFF_DATA + 4095] == 0x77,
	       "unmap: after CTRL.RESET the engine runs again");
out:
	wq_close(&w);
	if (s != MAP_FAILED)
		munmap(s, s_size);
}

/* 1 GiB pinned and mapped at MAP_DMA; released by UNMAP, then by close. */
static void test_1g(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	const uint64_t iova = 8 * GB;
	unsigned int round;
	uint8_t *big;
	long vm0, vm1;
	uint64_t t0;
	struct wq w;
	int ret;

	setrlimit(RLIMIT_MEMLOCK, &rl);
	for (round = 0; round < 2; round++) {
		ret = wq_open(&w, true);
		big = mmap(NULL, GB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (!tap_ok(!ret && big != MAP_FAILED, "1 GiB %u: setup", round)) {
			wq_close(&w);
			return;
		}
		vm0 = mdk_vmlck_kb();
		t0 = mdk_now_ms();
		ret = dma_map(w.v.container, big, iova, GB);
		vm1 = mdk_vmlck_kb();
		tap_diag("  MAP_DMA 1 GiB: %llu ms",
			 (unsigned long long)(mdk_now_ms() - t0));
		tap_ok(!ret && vm1 - vm0 == (long)(GB / KB),
		       "1 GiB %u: MAP_DMA pins it all (VmLck +%ld kB)", round,
		       vm1 - vm0);
		/* the device reaches its last page */
		queue(&w, OP_FILL, 0, 4096, 0, iova + GB - 4096,
		      0x4242424242424242ULL, 0);
		tap_ok(!run(&w) && big[GB - 1] == 0x42 && big[GB - 4096] == 0x42,
		       "1 GiB %u: DMA to its last page lands in it", round);
		t0 = mdk_now_ms();
		if (!round) {
			tap_ok(dma_unmap(w.v.container, iova, GB) == (long long)GB,
			       "1 GiB: UNMAP_DMA");
			tap_ok(mdk_vmlck_kb() == vm0, "1 GiB: VmLck back after UNMAP");
			wq_close(&w);
		} else {
			wq_close(&w);
			tap_ok(mdk_vmlck_kb() == vm0 - (long)(MEM_SIZE / KB),
			       "1 GiB: VmLck back after closing the container");
		}
		tap_diag("  release: %llu ms",
			 (unsigned long long)(mdk_now_ms() - t0));
		munmap(big, GB);
	}
}

int main(void)
{
	tap_init("mdma");
	if (!mdk_path_exists(MDEV_BUS_CLASS "/" PARENT))
		tap_bail("no mdma parent: is " MOD " loaded?");
	test_basics();
	test_ops();
	test_pasids();
	test_isolation();
	test_unmap_inflight();
	test_1g();
	test_quota();
	return tap_done();
}
