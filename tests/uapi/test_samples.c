// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace sample (samples/mtty/mtty-user.c, what `make demo` runs)
 * against a live mtty device: it must bring a message back through the
 * UART loopback with one interrupt per byte, by MSI and by INTx. This
 * keeps the demo's program honest between demo runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "mdk_test.h"
#include "tap.h"

/* Run mtty-user with @mode on @uuid; returns its exit status or -1. */
static int run_mtty_user(const char *mode, const char *uuid, char *out,
			 size_t len)
{
	int pipefd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("mtty-user", "mtty-user", "-i", mode, uuid,
		       "sample check", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < len - 1 &&
	       (n = read(pipefd[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	static char out[16384];
	const char *modes[] = { "msi", "intx" };
	char uuid[37] = "";
	unsigned int i;

	tap_init("samples");
	if (mdk_create(MTTY_PARENT, "mtty-2", uuid))
		tap_bail("create an mtty-2 device");
	for (i = 0; i < 2; i++) {
		int rc = run_mtty_user(modes[i], uuid, out, sizeof(out));

		if (!tap_ok(rc == 0 && strstr(out, "loopback OK: sample check"),
			    "mtty-user loopback with %s interrupts", modes[i]))
			tap_diag("exit %d, output:\n%s", rc, out);
	}
	TAP_ZERO(mdk_remove(uuid), "remove the device afterwards");
	return tap_done();
}
