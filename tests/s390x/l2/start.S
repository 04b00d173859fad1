/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the s390x bare-metal L2 payload, and the two things C cannot
 * say: waiting for an I/O interrupt, and stopping the CPU.
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	larl	%r15, stack_top
	aghi	%r15, -160		/* the ABI's register save area */
	xc	0(8, %r15), 0(%r15)	/* no back chain */
	brasl	%r14, main
	/* fall through: main's verdict is printed, stop */

/* Stop this CPU; QEMU ends when no CPU runs. */
	.globl	cpu_stop
cpu_stop:
	lghi	%r1, 0
	sigp	%r1, %r1, 5		/* order 5: stop; CPU address 0 */
	j	cpu_stop

/*
 * Wait, enabled for I/O interrupts only, until one arrives: the I/O new
 * PSW (lowcore 0x1f0) continues right after the wait, interrupts off
 * again, registers untouched. The interruption code is at 0xb8.
 */
	.globl	wait_io
wait_io:
	larl	%r1, 0f
	stg	%r1, 0x1f8		/* I/O new PSW address */
	larl	%r1, wait_psw
	lpswe	0(%r1)
0:	br	%r14

	.section .rodata
	.align	8
wait_psw:
	.quad	0x0202000180000000	/* I/O interrupts, wait, 64-bit */
	.quad	0

	.section .note.GNU-stack,"",@progbits
