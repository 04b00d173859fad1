// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk-fuzz operations: each draws its arguments from the thread's PRNG,
 * mostly valid with a share of corrupted ones, runs one or a few system
 * calls without F.lock held and checks their errno against the set
 * allowed for the call (see check()).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "tap.h"
#include "mdk_test.h"
#include "fuzz.h"

#define BADPTR	((void *)16)	/* never mapped */
#define NOTE(t, ...) snprintf((t)->last, sizeof((t)->last), __VA_ARGS__)

/* ---- open, close, eventfds ---- */

int arm_req(int fd)
{
	struct {
		struct vfio_irq_set s;
		int32_t fd;
	} a = {
		.s.argsz = sizeof(a),
		.s.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			   VFIO_IRQ_SET_ACTION_TRIGGER,
		.s.index = VFIO_PCI_REQ_IRQ_INDEX,
		.s.count = 1,
	};

	a.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a.fd < 0)
		return -1;
	if (ioctl(fd, VFIO_DEVICE_SET_IRQS, &a)) {
		close(a.fd);
		return -1;
	}
	return a.fd;
}

/*
 * Errnos a step of open_chain() may see because F.devs[@i] is being
 * removed (its group torn down): only then.
 */
static eset gone_errnos(int i, const char *uuid)
{
	bool gone;

	pthread_mutex_lock(&F.lock);
	gone = !F.devs[i].live || F.devs[i].removing ||
	       strcmp(F.devs[i].uuid, uuid);
	pthread_mutex_unlock(&F.lock);
	return gone ? E(ENOENT) | E(ENXIO) | E(ENODEV) | E(EINVAL) : 0;
}

/* container + group + SET_CONTAINER + SET_IOMMU + GET_DEVICE_FD */
static void open_chain(struct thread *t)
{
	int i, c, g, d, req, group, ret;
	char uuid[37], path[64];

	pthread_mutex_lock(&F.lock);
	i = pick_dev(t, -1);
	if (i >= 0) {
		memcpy(uuid, F.devs[i].uuid, sizeof(uuid));
		group = F.devs[i].group;
	}
	pthread_mutex_unlock(&F.lock);
	if (i < 0)
		return;
	NOTE(t, "open chain %s group %d", uuid, group);
	c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (check(t, "open container", c, 0) < 0)
		return;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	g = open(path, O_RDWR | O_CLOEXEC);
	if (check(t, "chain: open group", g,
		  g < 0 ? E(EBUSY) | gone_errnos(i, uuid) : 0) < 0)
		goto out_c;
	ret = ioctl(g, VFIO_GROUP_SET_CONTAINER, &c);
	if (check(t, "chain: SET_CONTAINER", ret,
		  ret ? gone_errnos(i, uuid) : 0) < 0)
		goto out_g;
	ret = ioctl(c, VFIO_SET_IOMMU, chance(t, 50) ? VFIO_TYPE1v2_IOMMU
						     : VFIO_TYPE1_IOMMU);
	if (check(t, "chain: SET_IOMMU", ret,
		  ret ? gone_errnos(i, uuid) : 0) < 0)
		goto out_g;
	d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (check(t, "chain: GET_DEVICE_FD", d,
		  d < 0 ? gone_errnos(i, uuid) : 0) < 0)
		goto out_g;
	req = chance(t, 90) ? arm_req(d) : -1;
	pthread_mutex_lock(&F.lock);
	F.count[C_DEVOPEN]++;
	pthread_mutex_unlock(&F.lock);
	put(K_DEVICE, d, i, req);
	put(K_GROUP, g, i, -1);
	put(K_CONTAINER, c, -1, -1);
	return;
out_g:
	close(g);
out_c:
	close(c);
}

void op_open(struct thread *t)
{
	int r = rndn(t, 10), fd, i = -1, group = rndn(t, 40);
	char path[64];

	if (r < 4) {
		open_chain(t);
		return;
	}
	if (r < 6) {
		NOTE(t, "open container");
		fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (check(t, "open /dev/vfio/vfio", fd, 0) >= 0)
			put(K_CONTAINER, fd, -1, -1);
		return;
	}
	pthread_mutex_lock(&F.lock);
	if (chance(t, 85)) {
		i = pick_dev(t, -1);
		if (i >= 0)
			group = F.devs[i].group;
	}
	pthread_mutex_unlock(&F.lock);
	NOTE(t, "open group %d", group);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, chance(t, 90) ? O_RDWR | O_CLOEXEC : O_RDONLY);
	if (check(t, "open group", fd,
		  E(ENOENT) | E(EBUSY) | E(ENODEV) | E(ENXIO)) >= 0)
		put(K_GROUP, fd, i, -1);
}

void op_close(struct thread *t)
{
	int i, start = rndn(t, NR_SLOTS), fd = -1, req = -1;

	NOTE(t, "close");
	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *s = &F.slots[(start + i) % NR_SLOTS];

		if (s->kind == K_FREE)
			continue;
		fd = s->fd;
		req = s->kind == K_DEVICE ? s->req : -1;
		s->kind = K_FREE;
		break;
	}
	pthread_mutex_unlock(&F.lock);
	if (fd >= 0)
		close(fd);
	if (req >= 0)
		close(req);
}

void op_eventfd(struct thread *t)
{
	uint64_t v = 1;
	int fd;

	if (chance(t, 50)) {
		NOTE(t, "eventfd create");
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (check(t, "eventfd", fd, 0) >= 0)
			put(K_EVENTFD, fd, -1, -1);
		return;
	}
	fd = take(t, K_EVENTFD, NULL);
	if (fd < 0)
		return;
	NOTE(t, "eventfd rw %d", fd);
	if (chance(t, 50))
		check(t, "eventfd write", write(fd, &v, 8), 0);
	else
		check(t, "eventfd read", read(fd, &v, 8), E(EAGAIN));
	give(t, fd);
}

/* ---- container ---- */

static void rnd_map(struct thread *t, struct vfio_iommu_type1_dma_map *m,
		    bool *bad)
{
	uint64_t first = rndn(t, BUF_PAGES), n = 1 + rndn(t, 8);

	if (first + n > BUF_PAGES)
		n = BUF_PAGES - first;
	m->argsz = sizeof(*m);
	m->flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	m->vaddr = (uintptr_t)t->dma + first * PAGE;
	m->iova = rndn(t, IOVA_SPAN / PAGE) * PAGE;
	m->size = n * PAGE;
	if (chance(t, 60))
		return;
	switch (rndn(t, 7)) {
	case 0: m->argsz = rnd_evil(t); break;
	case 1: m->flags = rnd_evil(t); break;
	case 2: m->iova = rnd_evil(t); break;
	case 3: m->size = rnd_evil(t); break;
	case 4: m->vaddr = rnd_evil(t); *bad = true; break;
	case 5: m->iova = -PAGE * rndn(t, 4); break;
	default: m->vaddr += rndn(t, PAGE); break;
	}
}

void op_container(struct thread *t)
{
	struct vfio_iommu_type1_dma_unmap *u = (void *)t->io;
	struct vfio_iommu_type1_dma_map *m = (void *)t->io;
	struct vfio_iommu_type1_info *info = (void *)t->io;
	int fd = take(t, K_CONTAINER, NULL), r = rndn(t, 12);
	uint64_t arg;
	eset einval = E(EINVAL) | E(ENOTTY);
	bool bad = false;
	void *p = t->io;
	long ret;

	if (fd < 0)
		return;
	if (chance(t, 2)) {
		p = BADPTR;
		bad = true;
	}
	switch (r) {
	case 0:
		NOTE(t, "GET_API_VERSION");
		ret = check(t, "GET_API_VERSION",
			    ioctl(fd, VFIO_GET_API_VERSION), 0);
		if (ret != VFIO_API_VERSION && !t->raw)
			check(t, "GET_API_VERSION: not 0", -1, 0);
		break;
	case 1:
		arg = chance(t, 70) ? rndn(t, 12) : rnd_evil(t);
		NOTE(t, "CHECK_EXTENSION %#llx", (unsigned long long)arg);
		check(t, "CHECK_EXTENSION",
		      ioctl(fd, VFIO_CHECK_EXTENSION, arg), 0);
		break;
	case 2:
		arg = chance(t, 70) ? rndn(t, 10) : rnd_evil(t);
		NOTE(t, "SET_IOMMU %#llx", (unsigned long long)arg);
		check(t, "SET_IOMMU", ioctl(fd, VFIO_SET_IOMMU, arg),
		      E(EINVAL) | E(EBUSY) | E(ENODEV));
		break;
	case 3:
		memset(info, 0, 64);
		info->argsz = chance(t, 50) ? rndn(t, 128) : rnd_evil(t);
		if (info->argsz > IO_SIZE)
			bad = true;
		NOTE(t, "IOMMU_GET_INFO argsz %u", info->argsz);
		check(t, "IOMMU_GET_INFO", ioctl(fd, VFIO_IOMMU_GET_INFO, p),
		      einval | (bad ? E(EFAULT) : 0));
		break;
	case 4:
	case 5:
	case 6:
		rnd_map(t, m, &bad);
		NOTE(t, "MAP_DMA argsz %u flags %#x vaddr %#llx iova %#llx "
		     "size %#llx", m->argsz, m->flags,
		     (unsigned long long)m->vaddr,
		     (unsigned long long)m->iova, (unsigned long long)m->size);
		check(t, "MAP_DMA", ioctl(fd, VFIO_IOMMU_MAP_DMA, p),
		      einval | E(EEXIST) | E(ENOSPC) | E(ENOMEM) |
		      (bad ? E(EFAULT) : 0));
		break;
	case 7:
	case 8:
		memset(u, 0, sizeof(*u) + 32);
		u->argsz = sizeof(*u);
		u->iova = rndn(t, IOVA_SPAN / PAGE) * PAGE;
		u->size = (1 + rndn(t, 16)) * PAGE;
		if (chance(t, 10)) {
			u->flags = VFIO_DMA_UNMAP_FLAG_ALL;
			u->iova = u->size = 0;
		}
		if (chance(t, 30)) {
			switch (rndn(t, 4)) {
			case 0: u->argsz = rnd_evil(t); break;
			case 1: u->flags = rnd_evil(t); break;
			case 2: u->iova = rnd_evil(t); break;
			default: u->size = rnd_evil(t); break;
			}
		}
		if (u->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
			bad = true;
		NOTE(t, "UNMAP_DMA argsz %u flags %#x iova %#llx size %#llx",
		     u->argsz, u->flags, (unsigned long long)u->iova,
		     (unsigned long long)u->size);
		check(t, "UNMAP_DMA", ioctl(fd, VFIO_IOMMU_UNMAP_DMA, p),
		      einval | (bad ? E(EFAULT) : 0));
		break;
	case 9: {
		struct vfio_iommu_type1_dirty_bitmap *b = (void *)t->io;

		b->argsz = chance(t, 50) ? sizeof(*b) : rnd_evil(t);
		b->flags = chance(t, 70) ? 1U << rndn(t, 3) : rnd_evil(t);
		NOTE(t, "DIRTY_PAGES argsz %u flags %#x", b->argsz, b->flags);
		if (b->flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)
			bad = true;
		check(t, "DIRTY_PAGES", ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, p),
		      einval | (bad ? E(EFAULT) : 0));
		break;
	}
	default:
		arg = _IO(VFIO_TYPE, VFIO_BASE + 24 + rndn(t, 40));
		if (chance(t, 30))
			arg = (uint32_t)rnd(t) & ~(0xffU << 8);	/* not ';' */
		NOTE(t, "container ioctl %#llx", (unsigned long long)arg);
		check(t, "unknown container ioctl",
		      ioctl(fd, (unsigned long)arg, p), einval);
		break;
	}
	give(t, fd);
}

/* ---- group ---- */

/* A device name for GET_DEVICE_FD; its index in F.devs or -1. */
static int rnd_name(struct thread *t, int dev, char *name)
{
	int i = -1, k;

	pthread_mutex_lock(&F.lock);
	if (dev >= 0 && F.devs[dev].live && chance(t, 70))
		i = dev;
	else if (chance(t, 50))
		i = pick_dev(t, -1);
	if (i >= 0)
		memcpy(name, F.devs[i].uuid, 37);
	pthread_mutex_unlock(&F.lock);
	if (i >= 0 && chance(t, 80)) {
		if (chance(t, 10))
			for (k = 0; name[k]; k++)
				name[k] = toupper((unsigned char)name[k]);
		return i;
	}
	switch (rndn(t, 6)) {
	case 0:
		strcpy(name, "");
		break;
	case 1:		/* overlong */
		memset(name, 'a', 5000);
		name[5000] = '\0';
		break;
	case 2:
		if (i >= 0)
			strcat(name, " x");
		break;
	case 3:
		if (i >= 0)
			name[rndn(t, 36)] ^= 1;
		break;
	case 4:
		mdk_uuid_gen(name);
		break;
	default:
		for (k = 0; k < 40; k++)
			name[k] = 1 + rndn(t, 255);
		name[k] = '\0';
	}
	return -1;
}

void op_group(struct thread *t)
{
	struct vfio_group_status *st = (void *)t->io;
	int slot, fd = take(t, K_GROUP, &slot), r = rndn(t, 10), c, dev, d;
	char *name = (char *)t->io + 8192;
	eset einval = E(EINVAL) | E(ENOTTY);
	unsigned long cmd;
	bool cfd, raw, craw;

	if (fd < 0)
		return;
	pthread_mutex_lock(&F.lock);
	dev = F.slots[slot].dev;
	pthread_mutex_unlock(&F.lock);
	switch (r) {
	case 0:
		st->argsz = chance(t, 50) ? sizeof(*st) : rnd_evil(t);
		NOTE(t, "GROUP_GET_STATUS argsz %u", st->argsz);
		check(t, "GROUP_GET_STATUS",
		      ioctl(fd, VFIO_GROUP_GET_STATUS, st),
		      einval | E(ENODEV) | (st->argsz > IO_SIZE ? E(EFAULT) : 0));
		break;
	case 1:
	case 2:
		raw = t->raw;
		cfd = chance(t, 80);
		c = cfd ? take(t, chance(t, 85) ? K_CONTAINER : K_FREE, NULL)
			: (int)rnd_evil(t);
		craw = t->raw;
		t->raw = raw;
		if (cfd && c < 0)
			break;
		NOTE(t, "GROUP_SET_CONTAINER %d", c);
		/* any file: the container's ioctls reject the wrong ones */
		t->raw = raw || craw;
		check(t, "GROUP_SET_CONTAINER",
		      ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c),
		      E(EINVAL) | E(EBADF) | E(EBUSY) | E(EPERM) | E(ENODEV));
		t->raw = craw;
		if (cfd)
			give(t, c);
		t->raw = raw;
		break;
	case 3:
		NOTE(t, "GROUP_UNSET_CONTAINER");
		check(t, "GROUP_UNSET_CONTAINER",
		      ioctl(fd, VFIO_GROUP_UNSET_CONTAINER),
		      E(EINVAL) | E(EBUSY) | E(ENODEV));
		break;
	case 4:
	case 5:
	case 6:
	case 7:
		dev = rnd_name(t, dev, name);
		NOTE(t, "GROUP_GET_DEVICE_FD %.40s", name);
		d = ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, name);
		if (check(t, "GROUP_GET_DEVICE_FD", d,
			  E(EINVAL) | E(ENODEV) | E(EBUSY)) >= 0) {
			pthread_mutex_lock(&F.lock);
			F.count[C_DEVOPEN]++;
			pthread_mutex_unlock(&F.lock);
			put(K_DEVICE, d, dev, arm_req(d));
		}
		break;
	default:
		cmd = _IO(VFIO_TYPE, VFIO_BASE + 24 + rndn(t, 40));
		NOTE(t, "group ioctl %#lx", cmd);
		check(t, "unknown group ioctl", ioctl(fd, cmd, t->io), einval);
	}
	give(t, fd);
}

/* ---- device ---- */

static void set_irqs(struct thread *t, int fd)
{
	static const uint32_t data[] = { VFIO_IRQ_SET_DATA_NONE,
		VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_EVENTFD };
	struct vfio_irq_set *s = (void *)t->io;
	uint32_t i, dsize;
	int32_t *fds = (int32_t *)s->data;

	memset(s, 0, sizeof(*s));
	s->flags = data[rndn(t, 3)] | (VFIO_IRQ_SET_ACTION_MASK << rndn(t, 3));
	if (chance(t, 10))
		s->flags = rnd_evil(t);
	s->index = chance(t, 90) ? rndn(t, 6) : rnd_evil(t);
	s->start = chance(t, 85) ? rndn(t, 2) : rnd_evil(t);
	s->count = chance(t, 85) ? rndn(t, 3) : rnd_evil(t);
	if (chance(t, 50)) {	/* well formed: arm, disarm, (un)mask */
		static const uint32_t idx[] = { VFIO_PCI_INTX_IRQ_INDEX,
			VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX };

		s->index = idx[rndn(t, 3)];
		s->start = 0;
		s->count = rndn(t, 2);
		s->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
			   (s->count ? VFIO_IRQ_SET_DATA_EVENTFD
				     : VFIO_IRQ_SET_DATA_NONE);
		if (s->index == VFIO_PCI_INTX_IRQ_INDEX && chance(t, 40))
			s->flags = VFIO_IRQ_SET_DATA_NONE | (chance(t, 50) ?
				   VFIO_IRQ_SET_ACTION_MASK :
				   VFIO_IRQ_SET_ACTION_UNMASK);
	}
	dsize = s->flags & VFIO_IRQ_SET_DATA_BOOL ? 1 :
		s->flags & VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	for (i = 0; i < 4; i++) {
		int e = -1;

		if (chance(t, 70)) {
			pthread_mutex_lock(&F.lock);
			for (int k = 0, j = rndn(t, NR_SLOTS); k < NR_SLOTS;
			     k++, j = (j + 1) % NR_SLOTS)
				if (F.slots[j].kind == K_EVENTFD) {
					e = F.slots[j].fd;
					break;
				}
			pthread_mutex_unlock(&F.lock);
		} else if (chance(t, 50)) {
			e = rnd_evil(t);
		}
		if (dsize == 1)
			s->data[i] = rndn(t, 3);
		else
			fds[i] = e;
	}
	s->argsz = sizeof(*s) + (s->count < 4 ? s->count * dsize : 0);
	if (chance(t, 10))
		s->argsz = rnd_evil(t);
	NOTE(t, "SET_IRQS argsz %u flags %#x index %u start %u count %u "
	     "fd %d", s->argsz, s->flags, s->index, s->start, s->count,
	     fds[0]);
	check(t, "SET_IRQS", ioctl(fd, VFIO_DEVICE_SET_IRQS, s),
	      E(EINVAL) | E(EBADF) | E(ENOTTY));
}

void op_device_ioctl(struct thread *t)
{
	struct vfio_region_info *ri = (void *)t->io;
	struct vfio_device_info *di = (void *)t->io;
	struct vfio_irq_info *ii = (void *)t->io;
	int fd = take(t, K_DEVICE, NULL), r = rndn(t, 12);
	eset einval = E(EINVAL) | E(ENOTTY);
	unsigned long cmd;
	long ret;

	if (fd < 0)
		return;
	switch (r) {
	case 0:
		memset(di, 0, sizeof(*di));
		di->argsz = chance(t, 50) ? sizeof(*di) : rnd_evil(t);
		NOTE(t, "DEVICE_GET_INFO argsz %u", di->argsz);
		ret = check(t, "DEVICE_GET_INFO",
			    ioctl(fd, VFIO_DEVICE_GET_INFO, di),
			    einval | (di->argsz > IO_SIZE ? E(EFAULT) : 0));
		if (!ret && !t->raw && di->argsz >= 16 &&
		    (!(di->flags & VFIO_DEVICE_FLAGS_PCI) ||
		     di->num_regions < VFIO_PCI_NUM_REGIONS))
			check(t, "DEVICE_GET_INFO: bad flags/num_regions", -1,
			      0);
		break;
	case 1:
	case 2:
	case 3:
		memset(ri, 0, sizeof(*ri));
		ri->argsz = chance(t, 60) ? sizeof(*ri) + rndn(t, 64)
					  : rnd_evil(t);
		ri->index = chance(t, 90) ? rndn(t, 12) : rnd_evil(t);
		NOTE(t, "GET_REGION_INFO argsz %u index %u", ri->argsz,
		     ri->index);
		check(t, "GET_REGION_INFO",
		      ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri),
		      einval | (ri->argsz > IO_SIZE ? E(EFAULT) : 0));
		break;
	case 4:
		memset(ii, 0, sizeof(*ii));
		ii->argsz = chance(t, 60) ? sizeof(*ii) : rnd_evil(t);
		ii->index = chance(t, 90) ? rndn(t, 7) : rnd_evil(t);
		NOTE(t, "GET_IRQ_INFO argsz %u index %u", ii->argsz,
		     ii->index);
		check(t, "GET_IRQ_INFO", ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, ii),
		      einval | (ii->argsz > IO_SIZE ? E(EFAULT) : 0));
		break;
	case 5:
	case 6:
	case 7:
	case 8:
		set_irqs(t, fd);
		break;
	case 9:
		NOTE(t, "DEVICE_RESET");
		check(t, "DEVICE_RESET", ioctl(fd, VFIO_DEVICE_RESET), einval);
		break;
	default:
		static const unsigned long cmds[] = {
			VFIO_DEVICE_FEATURE, VFIO_DEVICE_QUERY_GFX_PLANE,
			VFIO_DEVICE_GET_GFX_DMABUF, VFIO_DEVICE_IOEVENTFD,
			VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
			VFIO_DEVICE_PCI_HOT_RESET, VFIO_GROUP_GET_STATUS,
			VFIO_IOMMU_MAP_DMA,
		};
		cmd = chance(t, 50) ? cmds[rndn(t, 8)]
				    : _IO(VFIO_TYPE, VFIO_BASE + 24 + rndn(t, 40));
		memset(t->io, 0, 64);
		*(uint32_t *)t->io = rnd_evil(t);	/* argsz */
		((uint32_t *)t->io)[1] = rnd_evil(t);	/* flags */
		NOTE(t, "device ioctl %#lx", cmd);
		check(t, "other device ioctl", ioctl(fd, cmd, t->io),
		      einval | E(EFAULT));
	}
	give(t, fd);
}

static bool region_mmappable(int fd, uint32_t index)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	return !ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) &&
	       (ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
}

void op_region(struct thread *t)
{
	int fd = take(t, K_DEVICE, NULL), r = rndn(t, 10);
	uint64_t index, off, size, pos;
	bool bad = false, wr = chance(t, 50);
	void *buf = t->io, *p;
	long ret;

	if (fd < 0)
		return;
	index = chance(t, 85) ? rndn(t, 10) : rnd_evil(t) & 0xffffff;
	if (r >= 5) {	/* where something is: BAR0, BAR1, config, extra */
		static const uint64_t idx[] = { 0, 1, 7, 9 };

		index = idx[rndn(t, 4)];
	}
	switch (r >= 5 ? 10 : rndn(t, 10)) {
	case 10:
		off = index == 7 ? rndn(t, 0x100) : rndn(t, 8);
		break;
	case 0: case 1: case 2: case 3: case 4: case 5:
		off = rndn(t, 0x100); break;
	case 6: case 7: off = rndn(t, 0x2000); break;
	case 8: off = rnd_evil(t); break;
	default: off = (1ULL << 40) - rndn(t, 9); break;
	}
	pos = (index << 40) + off;
	if (r == 0) {
		size = chance(t, 80) ? PAGE * (1 + rndn(t, 2)) : rnd_evil(t);
		pos &= ~(PAGE - 1);
		NOTE(t, "mmap index %#llx off %#llx size %#llx",
		     (unsigned long long)index, (unsigned long long)pos,
		     (unsigned long long)size);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 pos);
		if (p == MAP_FAILED) {
			check(t, "mmap", -1, E(EINVAL) | E(ENOMEM) |
			      E(EOVERFLOW) | E(ENODEV) | E(EACCES));
		} else {
			if (!t->raw && !region_mmappable(fd, index))
				check(t, "mmap of a region without MMAP", -1,
				      0);
			munmap(p, size);
		}
		give(t, fd);
		return;
	}
	switch (r >= 5 ? 0 : rndn(t, 10)) {
	case 0: case 1: case 2: case 3: case 4:
		size = 1U << rndn(t, 4); break;
	case 5: case 6: case 7: size = rndn(t, 256); break;
	case 8: size = rndn(t, IO_SIZE); break;
	default: size = rnd_evil(t); bad = size > IO_SIZE; break;
	}
	if (chance(t, 2)) {
		buf = BADPTR;
		bad = true;
	}
	if (wr)
		for (unsigned int i = 0; i < 16; i++)
			t->io[i] = rnd(t);
	NOTE(t, "%s index %#llx off %#llx size %#llx", wr ? "pwrite" : "pread",
	     (unsigned long long)index, (unsigned long long)off,
	     (unsigned long long)size);
	ret = wr ? pwrite(fd, buf, size, pos) : pread(fd, buf, size, pos);
	check(t, wr ? "region pwrite" : "region pread", ret,
	      E(EINVAL) | (bad ? E(EFAULT) : 0));
	if (ret > 0 && (uint64_t)ret > size)
		check(t, "region I/O: more bytes than asked", -1, 0);
	give(t, fd);
}

/* pintest BAR0: IOVA, NPAGES, PROT, LEN, then CMD; read RESULT, PINNED */
void op_pintest(struct thread *t)
{
	int fd = take(t, K_DEVICE, NULL);
	uint64_t iova;
	uint32_t v[4];

	if (fd < 0)
		return;
	iova = chance(t, 80) ? rndn(t, IOVA_SPAN / PAGE) * PAGE : rnd_evil(t);
	v[0] = chance(t, 80) ? 1 + rndn(t, 8) : rnd_evil(t);	/* NPAGES */
	v[1] = chance(t, 80) ? 1 + rndn(t, 3) : rnd_evil(t);	/* PROT */
	v[2] = chance(t, 80) ? rndn(t, 0x401) : rnd_evil(t);	/* LEN */
	v[3] = chance(t, 90) ? 1 + rndn(t, 4) : rnd_evil(t);	/* CMD */
	NOTE(t, "pintest iova %#llx npages %u prot %u len %u cmd %u",
	     (unsigned long long)iova, v[0], v[1], v[2], v[3]);
	check(t, "pintest IOVA", pwrite(fd, &iova, 8, 0x00), E(EINVAL));
	check(t, "pintest NPAGES", pwrite(fd, &v[0], 4, 0x08), E(EINVAL));
	check(t, "pintest PROT", pwrite(fd, &v[1], 4, 0x0c), E(EINVAL));
	check(t, "pintest LEN", pwrite(fd, &v[2], 4, 0x20), E(EINVAL));
	check(t, "pintest CMD", pwrite(fd, &v[3], 4, 0x10), E(EINVAL));
	if (check(t, "pintest RESULT", pread(fd, v, 8, 0x14), E(EINVAL)) == 8 &&
	    !t->raw) {
		/* statistics only: any result is the device's to give */
		errno = -(int32_t)v[0];
		check(t, "pintest command", (int32_t)v[0] < 0 ? -1 : 0,
		      ~(eset)0);
	}
	give(t, fd);
}

/* ---- sysfs ---- */

static void sysfs_create(struct thread *t)
{
	int type = rndn(t, D_NR), ret, k, n;
	char uuid[37], path[256], *s = (char *)t->io + 8192;
	bool valid = chance(t, 75);

	pthread_mutex_lock(&F.lock);
	n = live_devs();
	pthread_mutex_unlock(&F.lock);
	if (valid && n >= NR_DEVS - 2)
		valid = false;
	mdk_uuid_gen(uuid);
	if (valid) {
		if (chance(t, 20))
			for (k = 0; uuid[k]; k++)
				uuid[k] = toupper((unsigned char)uuid[k]);
		NOTE(t, "create %s %s", dev_type_name(type), uuid);
		ret = mdk_create(dev_parent(type), dev_type_name(type), uuid);
		errno = -ret;
		if (check(t, "sysfs create", ret ? -1 : 0, E(ENOSPC)) < 0)
			return;
		for (k = 0; uuid[k]; k++)
			uuid[k] = tolower((unsigned char)uuid[k]);
		pthread_mutex_lock(&F.lock);
		F.count[C_CREATE]++;
		pthread_mutex_unlock(&F.lock);
		if (!add_dev(type, uuid))	/* list full: undo */
			mdk_remove(uuid);
		return;
	}
	switch (rndn(t, 8)) {
	case 0: strcpy(s, " "); break;
	case 1: strcpy(s, "\n"); break;
	case 2: snprintf(s, 64, "%s\n\n", uuid); break;
	case 3: snprintf(s, 64, "%sx", uuid); break;
	case 4: snprintf(s, 64, "%.8s%s", uuid, uuid + 9); break;	/* dash */
	case 5:
		for (k = 0; k < 36; k++)
			s[k] = 1 + rndn(t, 255);
		s[36] = '\0';
		break;
	case 6:
		memset(s, '0', 5000);
		s[5000] = '\0';
		break;
	default:	/* an existing one */
		pthread_mutex_lock(&F.lock);
		k = pick_dev(t, -1);
		if (k >= 0)
			memcpy(s, F.devs[k].uuid, 37);
		else
			strcpy(s, "x");
		pthread_mutex_unlock(&F.lock);
	}
	NOTE(t, "create %s invalid %.40s", dev_type_name(type), s);
	snprintf(path, sizeof(path), MDEV_BUS_CLASS
		 "/%s/mdev_supported_types/%s/create", dev_parent(type),
		 dev_type_name(type));
	ret = mdk_write_file(path, s);
	if (!ret) {	/* a remove may have freed an existing UUID */
		if (strlen(s) != 36)
			check(t, "sysfs create of an invalid string", -1, 0);
		else if (!add_dev(type, s))	/* list full: undo */
			mdk_remove(s);
		return;
	}
	errno = -ret;
	check(t, "sysfs create (invalid)", -1,
	      E(EINVAL) | E(EEXIST) | E(ENOSPC));
}

void op_sysfs(struct thread *t)
{
	char path[256], buf[256], uuid[37];
	int r = rndn(t, 10), i, ret;
	static const char *const attrs[] = {
		"available_instances", "name", "device_api", "description",
	};

	if (r < 4) {
		sysfs_create(t);
		return;
	}
	pthread_mutex_lock(&F.lock);
	i = pick_dev(t, -1);
	if (i >= 0 && r < 7 && !F.devs[i].removing) {
		NOTE(t, "remove %s", F.devs[i].uuid);
		if (start_remove(i))
			F.count[C_REMOVE]++;
		i = -1;
	}
	if (i >= 0)
		memcpy(uuid, F.devs[i].uuid, 37);
	pthread_mutex_unlock(&F.lock);
	if (r < 8 && i >= 0) {
		const char *s = chance(t, 50) ? "0" : "abc";

		NOTE(t, "remove %s with '%s'", uuid, s);
		snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
		ret = mdk_write_file(path, s);
		errno = -ret;
		check(t, "sysfs remove (not 1)", ret ? -1 : 0,
		      (*s == 'a' ? E(EINVAL) : 0) | E(ENOENT) | E(ENODEV));
		return;
	}
	if (r >= 8) {
		i = rndn(t, D_NR);
		snprintf(path, sizeof(path), MDEV_BUS_CLASS
			 "/%s/mdev_supported_types/%s/%s", dev_parent(i),
			 dev_type_name(i), attrs[rndn(t, 4)]);
		NOTE(t, "read %.150s", path);
		ret = mdk_read_file(path, buf, sizeof(buf));
		errno = -ret;
		check(t, "sysfs read", ret < 0 ? -1 : 0, 0);
	}
}
