/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the bare-metal L2 payload: multiboot (v1) header, a flat GDT
 * of our own (the multiboot spec leaves GDTR undefined), a stack, and the
 * interrupt stubs that funnel vectors 0..63 into trap() in payload.c.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10

	.section .multiboot, "a"
	.balign 4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.text
	.globl	_start
_start:
	cli
	movl	$stack_top, %esp
	lgdt	gdt_desc
	ljmp	$KERNEL_CS, $1f
1:	movw	$KERNEL_DS, %cx
	movw	%cx, %ds
	movw	%cx, %es
	movw	%cx, %fs
	movw	%cx, %gs
	movw	%cx, %ss
	pushl	%ebx			/* multiboot information */
	pushl	%eax			/* multiboot magic */
	call	payload_main
2:	cli
	hlt
	jmp	2b

/*
 * One stub per vector. The CPU pushes an error code for some exceptions;
 * the others push a zero so that every frame has the same layout:
 * edi esi ebp esp ebx edx ecx eax (pushal), vector, error, eip, cs, eflags.
 */
.macro	stub vec
	.balign 16
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || \
	    (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushl	$0
	.endif
	pushl	$\vec
	jmp	trap_common
.endm

	.balign 16
	.globl	trap_stubs
trap_stubs:
	.altmacro
	.set	vec, 0
	.rept	64
	stub	%vec
	.set	vec, vec + 1
	.endr

trap_common:
	pushal
	cld
	pushl	%esp			/* struct trap_frame * */
	call	trap
	addl	$4, %esp
	popal
	addl	$8, %esp		/* vector and error code */
	iret

	.section .rodata
	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: code, flat 4 GiB, ring 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat 4 GiB, ring 0 */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.balign 16
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
