/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk-fuzz: a seeded, multi-threaded fuzzer of mdevkit's user ABI
 * (/dev/vfio/vfio, /dev/vfio/N, VFIO device files, the mdev sysfs files).
 * See fuzz.c for the design; this header is shared by its parts.
 */
#ifndef MDK_FUZZ_H
#define MDK_FUZZ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_THREADS	8
#define NR_SLOTS	48	/* shared table of open files */
#define NR_DEVS		12	/* live mdevs the fuzzer keeps at most */
#define MAX_REMOVERS	4
#define BUF_PAGES	64	/* per-thread DMA buffer */
#define PAGE		4096UL
#define IO_SIZE		(64UL << 10)	/* per-thread ioctl/I/O buffer */
#define IOVA_SPAN	(64 * PAGE)	/* IOVAs live mostly in [0, IOVA_SPAN) */

enum kind { K_FREE, K_CONTAINER, K_GROUP, K_DEVICE, K_EVENTFD, K_NR };
enum dtype { D_MTTY1, D_MTTY2, D_PIN, D_NR };

/* One open file of the shared table. */
struct slot {
	enum kind kind;
	int fd;
	int req;		/* K_DEVICE: its REQ eventfd (nonblocking) */
	int dev;		/* K_DEVICE, K_GROUP: index in devs[] or -1 */
};

/* One mdev the fuzzer created. */
struct dev {
	bool live;
	bool removing;
	enum dtype type;
	int group;
	uint64_t remove_at;	/* ms, when removing started */
	char uuid[37];
};

struct thread {
	pthread_t tid;
	int idx;
	uint64_t rng;
	uint8_t *dma;		/* BUF_PAGES pages, DMA source/target */
	uint8_t *io;		/* scratch buffer for ioctls and I/O */
	bool raw;		/* using a table fd number, not a dup */
	unsigned long ops;
	char last[160];		/* the operation in progress */
};

/* Everything shared, protected by lock (the syscalls run without it). */
struct fuzz {
	pthread_mutex_t lock;
	struct slot slots[NR_SLOTS];
	struct dev devs[NR_DEVS];
	int removers;		/* remove threads running */
	atomic_ulong done;	/* operations done, all threads */
	atomic_ulong unexpected;
	atomic_bool stop;
	unsigned long target;
	int nthreads;
	uint64_t seed;
	unsigned long count[K_NR + 8];
	struct { const char *what; unsigned long calls, ok; } stat[64];
	char msg[8][200];
	int nmsg;
};

extern struct fuzz F;

/* PRNG: xorshift64*, one stream per thread. */
uint64_t rnd(struct thread *t);
static inline uint64_t rndn(struct thread *t, uint64_t n)
{
	return n ? rnd(t) % n : 0;
}
static inline bool chance(struct thread *t, unsigned int pct)
{
	return rndn(t, 100) < pct;
}
/* A "corrupted" value: small, boundary or random. */
uint64_t rnd_evil(struct thread *t);

/* errno sets */
typedef unsigned __int128 eset;	/* a set of errnos < 128 */
#define E(x)	((eset)1 << (x))
/*
 * Record the result of a call: @ret < 0 with an errno outside @allowed
 * is a failure of the run. Returns @ret.
 */
long check(struct thread *t, const char *what, long ret, eset allowed);

/* Take a dup of a random file of @kind (-1: any); -1 when none. */
int take(struct thread *t, enum kind kind, int *slot_out);
/* Close a file from take() (not when raw). */
void give(struct thread *t, int fd);
/* Put @fd in a free slot (it is closed when the table is full). */
void put(enum kind kind, int fd, int dev, int req);
/* A device of type @type (or -1), -1 when none. Under F.lock. */
int pick_dev(struct thread *t, int type);

uint64_t now_ms(void);
const char *dev_parent(int type);
const char *dev_type_name(int type);
/* Start removing F.devs[i] from a thread; under F.lock. */
bool start_remove(int i);
/* Record a new device; false when the list is full. */
bool add_dev(int type, const char *uuid);
/* Devices live or being removed; under F.lock. */
int live_devs(void);
/* F.count[] indexes besides the kinds */
enum { C_REQ_CLOSE = K_NR, C_CREATE, C_REMOVE, C_DEVOPEN };

/* ops.c */
void op_container(struct thread *t);
void op_group(struct thread *t);
void op_device_ioctl(struct thread *t);
void op_region(struct thread *t);
void op_pintest(struct thread *t);
void op_open(struct thread *t);
void op_close(struct thread *t);
void op_eventfd(struct thread *t);
void op_sysfs(struct thread *t);
/* Arm REQ of device file @fd with a fresh eventfd; returns it or -1. */
int arm_req(int fd);

#endif /* MDK_FUZZ_H */
