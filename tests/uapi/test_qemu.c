// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unmodified QEMU as the VMM of an mtty-2 device, nested inside the test
 * VM (TCG in TCG): -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID.
 *
 *  1. A bare-metal L2 payload (tests/l2/payload.c) scans PCI, checks the
 *     device's identity and BARs, runs UART loopback and the 16-byte FIFO
 *     on both ports and takes INTx, then MSI interrupts in real handlers
 *     (mtty -> eventfd -> QEMU -> PIC or local APIC). It prints one
 *     "ok - ..." / "FAIL - ..." line per check on the debug console; we
 *     relay them as TAP cases. Its verdict is QEMU's exit status
 *     (isa-debug-exit: 67 PASS, 69 FAIL).
 *  2. A Linux L2 guest (this VM's kernel, tests/l2/init) where the stock
 *     8250_pci driver binds the device as two ttyS ports, loops a line
 *     back through each and sees the device's IRQ counter rise.
 *
 * Around each run: QEMU prints no warning about the device (notably no
 * "Cannot reset device"), its VmLck stays 0 (mtty pins nothing), and once
 * QEMU has exited the device is removed at once and its IOMMU group and
 * /dev/vfio node disappear.
 *
 * Needs QEMU and the L2 images in the VM: scripts/mkroot-qemu.sh builds
 * build/qemu-root, `scripts/vm-run.sh -x build/qemu-root` copies it in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"
#include "mdk_test.h"

#define QEMU		"qemu-system-x86_64"
#define L2_DIR		"/mdk/l2"
#define PAYLOAD		L2_DIR "/payload.elf"
#define L2_KERNEL	L2_DIR "/kernel"
#define L2_INITRD	L2_DIR "/initrd.gz"
#define L2_APPEND	"console=ttyS0 panic=-1 quiet cryptomgr.notests"
#define PAYLOAD_PASS	67	/* isa-debug-exit: (0x21 << 1) | 1 */
/* How many checks each guest reports when it runs to the end. */
#define PAYLOAD_CHECKS	46
#define LINUX_CHECKS	5

/* Both within tests/vm/check.sh's 300 s for the whole program. */
#define PAYLOAD_TIMEOUT_S	45
#define LINUX_TIMEOUT_S		230
#define REMOVE_MAX_MS		2000

struct qemu_run {
	int status;		/* exit status, or -1 */
	int signal;		/* terminating signal, or 0 */
	bool timed_out;
	unsigned int secs;
	long vmlck_max_kb;	/* the highest VmLck seen while it ran */
	unsigned int vmlck_samples;
};

static long pid_vmlck_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Run QEMU with @args (NULL-terminated, without argv[0]) and the device
 * @uuid, its stdout and stderr to @log; kill it after @timeout_s seconds.
 */
static void run_qemu(const char *uuid, const char *const *args,
		     const char *log, unsigned int timeout_s,
		     struct qemu_run *r)
{
	char dev[PATH_MAX];
	const char *argv[40];
	unsigned int n = 0;
	uint64_t t0 = mdk_now_ms();
	pid_t pid;
	int ws;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	snprintf(dev, sizeof(dev), "vfio-pci,sysfsdev=" MDEV_DEVICES "/%s",
		 uuid);
	argv[n++] = QEMU;
	for (; *args; args++)
		argv[n++] = *args;
	argv[n++] = "-device";
	argv[n++] = dev;
	argv[n] = NULL;

	pid = fork();
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/*
		 * If the harness kills us on its time-out, QEMU must not
		 * live on holding the device open.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
			_exit(125);
		if (in < 0 || out < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		execvp(QEMU, (char *const *)argv);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &ws, WNOHANG);
		long kb;

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			tap_diag("waitpid: %s", strerror(errno));
			return;
		}
		kb = pid_vmlck_kb(pid);
		if (kb >= 0) {
			r->vmlck_samples++;
			if (kb > r->vmlck_max_kb)
				r->vmlck_max_kb = kb;
		}
		if (!r->timed_out &&
		    mdk_now_ms() - t0 > (uint64_t)timeout_s * 1000) {
			r->timed_out = true;
			kill(pid, SIGKILL);
		}
		usleep(200 * 1000);
	}
	r->secs = (unsigned int)((mdk_now_ms() - t0) / 1000);
	if (WIFEXITED(ws))
		r->status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		r->signal = WTERMSIG(ws);
}

/*
 * Relay the guest's "ok - X" / "FAIL - X" lines in @path as TAP cases
 * "@what: X"; other lines matching @diag_prefix become diagnostics.
 * Returns the number of check lines; *@marker tells whether a line
 * starting with @marker was seen.
 */
static unsigned int relay_checks(const char *path, const char *what,
				 const char *diag_prefix, const char *marker,
				 bool *seen)
{
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	*seen = false;
	if (!f) {
		tap_diag("%s: %s", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "ok - ", 5)) {
			tap_ok(true, "%s: %s", what, line + 5);
			n++;
		} else if (!strncmp(line, "FAIL - ", 7)) {
			tap_ok(false, "%s: %s", what, line + 7);
			n++;
		} else if (marker && !strcmp(line, marker)) {
			*seen = true;
		} else if (diag_prefix && !strncmp(line, diag_prefix,
						   strlen(diag_prefix))) {
			tap_diag("  %s", line);
		}
	}
	fclose(f);
	return n;
}

/* Print the last @max lines of @path as diagnostics. */
static void diag_tail(const char *path, unsigned int max)
{
	char lines[64][256];
	unsigned int n = 0, i;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (max > 64)
		max = 64;
	while (fgets(lines[n % max], sizeof(lines[0]), f))
		n++;
	fclose(f);
	tap_diag("last lines of %s:", path);
	for (i = n > max ? n - max : 0; i < n; i++) {
		char *l = lines[i % max];

		l[strcspn(l, "\r\n")] = '\0';
		tap_diag("  %s", l);
	}
}

/* QEMU's own output must not mention the device (warnings, errors). */
static void check_qemu_output(const char *what, const char *log,
			      const char *uuid)
{
	char line[512];
	unsigned int bad = 0;
	FILE *f = fopen(log, "r");

	if (!f) {
		tap_ok(false, "%s: QEMU output readable", what);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strstr(line, "vfio") || strstr(line, uuid) ||
		    strstr(line, "Cannot reset") || strstr(line, "warning")) {
			tap_diag("  QEMU: %s", line);
			bad++;
		}
	}
	fclose(f);
	tap_ok(!bad, "%s: QEMU printed no warning about the device (%u lines)",
	       what, bad);
}

/* After QEMU: the device goes at once, with its group and /dev node. */
static void check_release(const char *what, const char *uuid, int group,
			  const struct qemu_run *r)
{
	char path[PATH_MAX];
	uint64_t t0;
	int ret;

	tap_ok(r->vmlck_samples && r->vmlck_max_kb == 0,
	       "%s: QEMU's VmLck stays 0 kB (max %ld kB in %u samples)",
	       what, r->vmlck_max_kb, r->vmlck_samples);
	t0 = mdk_now_ms();
	ret = mdk_remove(uuid);
	tap_ok(!ret && mdk_now_ms() - t0 < REMOVE_MAX_MS,
	       "%s: device removed at once after QEMU exits (%d, %llu ms)",
	       what, ret, (unsigned long long)(mdk_now_ms() - t0));
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d", group);
	tap_ok(group >= 0 && !mdk_path_exists(path),
	       "%s: IOMMU group %d released", what, group);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	tap_ok(!mdk_path_exists(path), "%s: /dev/vfio/%d gone", what, group);
}

static void test_payload(void)
{
	static const char *const args[] = {
		"-accel", "tcg", "-m", "64", "-nodefaults", "-display", "none",
		"-no-reboot", "-kernel", PAYLOAD,
		"-debugcon", "file:/tmp/qemu-payload.con",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=4", NULL
	};
	const char *what = "payload";
	char uuid[37] = "";
	struct qemu_run r;
	unsigned int n;
	bool pass;
	int group;

	if (!TAP_ZERO(mdk_create(MTTY_PARENT, "mtty-2", uuid),
		      "%s: create an mtty-2 device", what))
		return;
	group = mdk_group_id(uuid);
	run_qemu(uuid, args, "/tmp/qemu-payload.log", PAYLOAD_TIMEOUT_S, &r);
	tap_diag("payload run: %u s, exit status %d, signal %d", r.secs,
		 r.status, r.signal);
	n = relay_checks("/tmp/qemu-payload.con", what, "pci:",
			 "RESULT: PASS", &pass);
	tap_ok(n >= PAYLOAD_CHECKS, "%s: ran all its checks (%u of %u)", what,
	       n, PAYLOAD_CHECKS);
	if (!tap_ok(r.status == PAYLOAD_PASS && pass && !r.timed_out,
		    "%s: exits PASS through isa-debug-exit (status %d%s)",
		    what, r.status, r.timed_out ? ", timed out" : "")) {
		diag_tail("/tmp/qemu-payload.con", 10);
		diag_tail("/tmp/qemu-payload.log", 10);
	}
	check_qemu_output(what, "/tmp/qemu-payload.log", uuid);
	check_release(what, uuid, group, &r);
}

static void test_linux(void)
{
	static const char *const args[] = {
		"-accel", "tcg", "-m", "256", "-nodefaults", "-display", "none",
		"-no-reboot", "-kernel", L2_KERNEL, "-initrd", L2_INITRD,
		"-append", L2_APPEND, "-serial", "file:/tmp/qemu-linux.con",
		NULL
	};
	const char *what = "linux-l2";
	char uuid[37] = "";
	struct qemu_run r;
	unsigned int n;
	bool pass;
	int group;

	if (!TAP_ZERO(mdk_create(MTTY_PARENT, "mtty-2", uuid),
		      "%s: create an mtty-2 device", what))
		return;
	group = mdk_group_id(uuid);
	run_qemu(uuid, args, "/tmp/qemu-linux.log", LINUX_TIMEOUT_S, &r);
	tap_diag("Linux L2 run: %u s, exit status %d, signal %d", r.secs,
		 r.status, r.signal);
	n = relay_checks("/tmp/qemu-linux.con", what, NULL,
			 "MDK-L2-RESULT: PASS", &pass);
	tap_ok(n >= LINUX_CHECKS, "%s: ran all its checks (%u of %u)", what,
	       n, LINUX_CHECKS);
	if (!tap_ok(pass && r.status == 0 && !r.timed_out,
		    "%s: guest reports PASS and powers off (%u s, status %d%s)",
		    what, r.secs, r.status, r.timed_out ? ", timed out" : "")) {
		diag_tail("/tmp/qemu-linux.con", 40);
		diag_tail("/tmp/qemu-linux.log", 10);
	}
	check_qemu_output(what, "/tmp/qemu-linux.log", uuid);
	check_release(what, uuid, group, &r);
}

int main(void)
{
	static const char *const need[] = {
		"/usr/bin/" QEMU, PAYLOAD, L2_KERNEL, L2_INITRD
	};
	unsigned int i;

	tap_init("qemu");
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (access(need[i], R_OK))
			tap_bail("%s in the VM (scripts/mkroot-qemu.sh, then %s)",
				 need[i], "vm-run.sh -x build/qemu-root");
	test_payload();
	test_linux();
	return tap_done();
}
