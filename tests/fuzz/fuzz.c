// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk-fuzz / test_fuzz: a seeded, multi-threaded fuzzer of mdevkit's
 * user-visible ABI.
 *
 *   mdk-fuzz [-s SEED] [-n OPS] [-j THREADS]
 *
 * Environment (when no option says otherwise): MDK_FUZZ_SEED, MDK_FUZZ_OPS,
 * MDK_FUZZ_THREADS. Without MDK_FUZZ_OPS the run does 20 000 operations,
 * or 100 000 when MDK_SCALE=slow (the debug-kernel tier of make
 * check-debug sets it). The seed is printed first ("# seed 0x..."): the
 * same seed replays the same operation streams, modulo scheduling.
 *
 * THREADS workers (default 6) share a table of open files (containers,
 * groups, device files, eventfds) and a list of the mdevs the fuzzer
 * created, both under F.lock; the system calls run without it, on a dup of
 * the table's file (or, now and then, on the raw number, which another
 * thread may close meanwhile), so closes race with every other call. Each
 * worker draws operations from its own PRNG stream (ops.c): open/close,
 * every container, group and device ioctl with valid and corrupted
 * arguments, region read/write/mmap, pintest register commands, sysfs
 * create/remove with valid and invalid strings.
 *
 * The main thread is the reaper and the watchdog: it closes a device file
 * when its REQ eventfd fires (a remove is waiting for it), or one second
 * after its remove started when REQ was re-armed elsewhere, and fails the
 * run when no operation completes for 60 s, printing each worker's last
 * operation.
 *
 * Oracles: every failed call's errno is in the set allowed for it
 * (EFAULT only where a bad pointer was passed); and at the end, after
 * closing everything and removing every device: no mdev left, as many
 * IOMMU groups as at the start, available_instances back to full, VmLck 0.
 * The kernel side oracle is the VM (panic_on_warn; KASAN in the debug tier).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include "tap.h"
#include "mdk_test.h"
#include "fuzz.h"

struct fuzz F = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct thread threads[MAX_THREADS];

static const char *const type_parent[D_NR] = {
	"mtty", "mtty", "mdk_pintest"
};
static const char *const type_name[D_NR] = {
	"mtty-1", "mtty-2", "mdk_pintest-pin"
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rnd(struct thread *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint64_t rnd_evil(struct thread *t)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 20, 24, 31, 32, 64, 255, 4095,
		4096, 4097, 65535, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xfffffffffffff000ULL, 0xffffffffffffffffULL,
	};

	switch (rndn(t, 4)) {
	case 0:
		return rnd(t);
	case 1:
		return rndn(t, 64);
	default:
		return v[rndn(t, sizeof(v) / sizeof(v[0]))];
	}
}

uint64_t now_ms(void)
{
	return mdk_now_ms();
}

long check(struct thread *t, const char *what, long ret, eset allowed)
{
	int e = errno, i;
	unsigned long n;

	pthread_mutex_lock(&F.lock);
	for (i = 0; i < 64; i++) {
		if (F.stat[i].what && F.stat[i].what != what)
			continue;
		F.stat[i].what = what;
		F.stat[i].calls++;
		F.stat[i].ok += ret >= 0;
		break;
	}
	pthread_mutex_unlock(&F.lock);
	if (ret >= 0)
		return ret;
	if (t->raw)	/* the number may name another file, or none */
		allowed |= E(EBADF) | E(ENOTTY) | E(EINVAL) | E(ESPIPE) |
			   E(ENODEV);
	if (e > 0 && e < 128 && (allowed & E(e))) {
		errno = e;
		return ret;
	}
	n = atomic_fetch_add(&F.unexpected, 1);
	pthread_mutex_lock(&F.lock);
	if (F.nmsg < 8)
		snprintf(F.msg[F.nmsg++], sizeof(F.msg[0]),
			 "thread %d op %lu: %s: %s (errno %d)%s", t->idx,
			 t->ops, what, strerror(e), e, t->raw ? " raw" : "");
	pthread_mutex_unlock(&F.lock);
	if (n < 20)
		fprintf(stderr, "# unexpected: thread %d: %s [%s]: %s\n",
			t->idx, what, t->last, strerror(e));
	errno = e;
	return ret;
}

int take(struct thread *t, enum kind kind, int *slot_out)
{
	int i, start = rndn(t, NR_SLOTS), fd = -1;

	t->raw = false;
	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *s = &F.slots[(start + i) % NR_SLOTS];

		if (s->kind == K_FREE || (kind != K_FREE && s->kind != kind))
			continue;
		if (chance(t, 10)) {
			fd = s->fd;
			t->raw = true;
		} else {
			fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
		}
		if (slot_out)
			*slot_out = (start + i) % NR_SLOTS;
		break;
	}
	pthread_mutex_unlock(&F.lock);
	return fd;
}

void give(struct thread *t, int fd)
{
	if (fd >= 0 && !t->raw)
		close(fd);
	t->raw = false;
}

void put(enum kind kind, int fd, int dev, int req)
{
	int i;

	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_SLOTS; i++) {
		if (F.slots[i].kind != K_FREE)
			continue;
		F.slots[i] = (struct slot){ kind, fd, req, dev };
		pthread_mutex_unlock(&F.lock);
		return;
	}
	pthread_mutex_unlock(&F.lock);
	close(fd);
	if (req >= 0)
		close(req);
}

int pick_dev(struct thread *t, int type)
{
	int i, start = rndn(t, NR_DEVS);

	for (i = 0; i < NR_DEVS; i++) {
		struct dev *d = &F.devs[(start + i) % NR_DEVS];

		if (d->live && (type < 0 || d->type == (enum dtype)type))
			return (start + i) % NR_DEVS;
	}
	return -1;
}

const char *dev_parent(int type)
{
	return type_parent[type];
}

const char *dev_type_name(int type)
{
	return type_name[type];
}

/* ---- remove threads ---- */

static void *remover(void *arg)
{
	struct dev *d = arg;
	struct thread self = { .idx = -1 };
	char uuid[37];
	int ret;

	pthread_mutex_lock(&F.lock);
	memcpy(uuid, d->uuid, sizeof(uuid));
	pthread_mutex_unlock(&F.lock);
	snprintf(self.last, sizeof(self.last), "remove %s", uuid);
	ret = mdk_remove(uuid);
	if (ret < 0) {
		errno = -ret;
		check(&self, "sysfs remove", -1, E(ENODEV) | E(ENOENT));
	}
	pthread_mutex_lock(&F.lock);
	d->live = false;
	d->removing = false;
	F.removers--;
	pthread_mutex_unlock(&F.lock);
	return NULL;
}

/* Start removing F.devs[i] in the background. Under F.lock. */
bool start_remove(int i)
{
	pthread_attr_t a;
	pthread_t tid;
	bool ok;

	if (F.removers >= MAX_REMOVERS || F.devs[i].removing)
		return false;
	F.devs[i].removing = true;
	F.devs[i].remove_at = now_ms();
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	ok = !pthread_create(&tid, &a, remover, &F.devs[i]);
	pthread_attr_destroy(&a);
	if (ok)
		F.removers++;
	else
		F.devs[i].removing = false;
	return ok;
}

/* Record a device created with @uuid. Returns false when the list is full. */
bool add_dev(int type, const char *uuid)
{
	int i, g = mdk_group_id(uuid);
	bool ok = false;

	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_DEVS && !ok; i++) {
		if (F.devs[i].live || F.devs[i].removing)
			continue;
		F.devs[i] = (struct dev){ .live = true, .type = type,
					  .group = g };
		memcpy(F.devs[i].uuid, uuid, 37);
		ok = true;
	}
	pthread_mutex_unlock(&F.lock);
	return ok;
}

int live_devs(void)
{
	int i, n = 0;

	for (i = 0; i < NR_DEVS; i++)
		n += F.devs[i].live || F.devs[i].removing;
	return n;
}

/* ---- the reaper: close device files a remove waits for ---- */

static void reap(bool all)
{
	int close_fds[2 * NR_SLOTS], n = 0, i;
	uint64_t now = now_ms(), v;

	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *s = &F.slots[i];
		bool go = all && s->kind != K_FREE;

		if (s->kind == K_DEVICE && !go) {
			if (s->req >= 0 && read(s->req, &v, 8) == 8)
				go = true;
			else if (s->dev >= 0 && F.devs[s->dev].removing &&
				 now - F.devs[s->dev].remove_at > 1000)
				go = true;
		}
		if (!go)
			continue;
		close_fds[n++] = s->fd;
		if (s->kind == K_DEVICE && s->req >= 0)
			close_fds[n++] = s->req;
		if (s->kind == K_DEVICE)
			F.count[C_REQ_CLOSE]++;
		s->kind = K_FREE;
	}
	pthread_mutex_unlock(&F.lock);
	for (i = 0; i < n; i++)
		close(close_fds[i]);
}

/* ---- workers ---- */

static void *worker(void *arg)
{
	struct thread *t = arg;
	unsigned int r;

	while (!atomic_load(&F.stop)) {
		if (atomic_fetch_add(&F.done, 1) >= F.target) {
			atomic_store(&F.stop, true);
			break;
		}
		r = rndn(t, 1000);
		if (r < 15)
			op_sysfs(t);
		else if (r < 80)
			op_open(t);
		else if (r < 130)
			op_close(t);
		else if (r < 170)
			op_eventfd(t);
		else if (r < 350)
			op_container(t);
		else if (r < 480)
			op_group(t);
		else if (r < 700)
			op_device_ioctl(t);
		else if (r < 880)
			op_region(t);
		else
			op_pintest(t);
		t->ops++;
	}
	snprintf(t->last, sizeof(t->last), "(finished)");
	return NULL;
}

/* ---- set-up and invariants ---- */

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdk-fuzz [-s SEED] [-n OPS] [-j THREADS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool slow = getenv("MDK_SCALE") && !strcmp(getenv("MDK_SCALE"), "slow");
	uint64_t seed, t0, last_ms, last_print;
	unsigned long last_done = 0, done, ops;
	long avail0[D_NR], avail;
	int groups0, ngroups, ndevs, i, c, nthreads, bad;
	struct timespec ts;
	bool hung = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = env_u64("MDK_FUZZ_SEED", (uint64_t)ts.tv_sec * 1000003 ^
				       ts.tv_nsec ^ getpid());
	ops = env_u64("MDK_FUZZ_OPS", slow ? 100000 : 20000);
	nthreads = env_u64("MDK_FUZZ_THREADS", 6);
	while ((c = getopt(argc, argv, "s:n:j:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': ops = strtoull(optarg, NULL, 0); break;
		case 'j': nthreads = atoi(optarg); break;
		default: usage();
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS)
		usage();
	printf("# seed 0x%" PRIx64 " ops %lu threads %d\n", seed, ops,
	       nthreads);
	fflush(stdout);
	tap_init("fuzz");
	F.seed = seed;
	F.target = ops;
	F.nthreads = nthreads;

	groups0 = mdk_count_dir("/sys/kernel/iommu_groups");
	for (i = 0; i < D_NR; i++)
		avail0[i] = mdk_available(type_parent[i], type_name[i]);
	if (groups0 < 0 || avail0[D_MTTY1] <= 0 || avail0[D_PIN] <= 0)
		tap_bail("mdk_mtty and mdk_pintest loaded, no device left");

	/* a few devices to start from */
	for (i = 0; i < 5; i++) {
		char uuid[37] = "";
		int type = i % D_NR;

		if (mdk_create(type_parent[type], type_name[type], uuid))
			tap_bail("create a %s device", type_name[type]);
		add_dev(type, uuid);
	}

	for (i = 0; i < nthreads; i++) {
		struct thread *t = &threads[i];
		uint64_t x = seed ^ (0xa0761d6478bd642fULL * (i + 1));

		t->idx = i;
		t->rng = splitmix(&x) | 1;
		t->dma = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* a guard page after io: an overlong copy faults there */
		t->io = mmap(NULL, IO_SIZE + PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->dma == MAP_FAILED || t->io == MAP_FAILED ||
		    mprotect(t->io + IO_SIZE, PAGE, PROT_NONE))
			tap_bail("mmap buffers");
		memset(t->dma, 0x5a, BUF_PAGES * PAGE);
		snprintf(t->last, sizeof(t->last), "(starting)");
	}
	t0 = last_ms = last_print = now_ms();
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i].tid, NULL, worker, &threads[i]))
			tap_bail("pthread_create");

	/* reaper and watchdog */
	for (;;) {
		bool finished = true;

		for (i = 0; i < nthreads; i++)
			finished &= !strcmp(threads[i].last, "(finished)");
		if (finished)
			break;
		usleep(5000);
		reap(false);
		done = atomic_load(&F.done);
		if (done != last_done) {
			last_done = done;
			last_ms = now_ms();
		} else if (now_ms() - last_ms > 60000) {
			hung = true;
			break;
		}
		if (now_ms() - last_print >= 10000) {
			last_print = now_ms();
			printf("# %lu ops, %.0f ops/s\n", done,
			       done * 1000.0 / (last_print - t0 + 1));
			fflush(stdout);
		}
	}
	if (hung) {
		tap_ok(false, "no thread hangs (no progress for 60 s)");
		for (i = 0; i < nthreads; i++)
			tap_diag("  thread %d: %s", i, threads[i].last);
		fflush(stdout);
		_exit(1);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i].tid, NULL);
	done = 0;
	for (i = 0; i < nthreads; i++)
		done += threads[i].ops;
	t0 = now_ms() - t0;
	tap_ok(done >= ops, "%lu operations, %d threads, seed 0x%" PRIx64
	       ", %.0f ops/s", done, nthreads, seed, done * 1000.0 / (t0 + 1));

	/* tear down: close every file, remove every device */
	reap(true);
	pthread_mutex_lock(&F.lock);
	for (i = 0; i < NR_DEVS; i++)
		if (F.devs[i].live && !F.devs[i].removing)
			while (!start_remove(i)) {
				pthread_mutex_unlock(&F.lock);
				usleep(10000);
				pthread_mutex_lock(&F.lock);
			}
	pthread_mutex_unlock(&F.lock);
	for (i = 0; i < 3000; i++) {
		pthread_mutex_lock(&F.lock);
		c = F.removers;
		pthread_mutex_unlock(&F.lock);
		if (!c)
			break;
		usleep(10000);
	}
	tap_ok(!c, "every remove finished");
	tap_diag("  creates %lu, removes %lu, device files opened %lu, "
		 "closed on request %lu", F.count[C_CREATE], F.count[C_REMOVE],
		 F.count[C_DEVOPEN], F.count[C_REQ_CLOSE]);

	for (i = 0; i < 64 && F.stat[i].what; i++)
		printf("#   %-28s %8lu calls %8lu succeeded\n", F.stat[i].what,
		       F.stat[i].calls, F.stat[i].ok);
	bad = atomic_load(&F.unexpected);
	tap_ok(!bad, "no unexpected errno (%d)", bad);
	for (i = 0; i < F.nmsg; i++)
		tap_diag("  %s", F.msg[i]);
	ndevs = mdk_count_dir(MDEV_DEVICES);
	tap_ok(ndevs == 0, "no mdev left (%d)", ndevs);
	ngroups = mdk_count_dir("/sys/kernel/iommu_groups");
	tap_ok(ngroups == groups0, "IOMMU groups back (%d, was %d)", ngroups,
	       groups0);
	bad = 0;
	for (i = 0; i < D_NR; i++) {
		avail = mdk_available(type_parent[i], type_name[i]);
		if (avail != avail0[i]) {
			tap_diag("  %s: available_instances %ld, was %ld",
				 type_name[i], avail, avail0[i]);
			bad = 1;
		}
	}
	tap_ok(!bad, "available_instances back to full");
	tap_ok(mdk_vmlck_kb() == 0, "VmLck 0 (%ld kB)", mdk_vmlck_kb());
	return tap_done();
}
