// The frame of the x87 differential programs (differential.test.ts, bochsFuzz.test.ts): a boot sector that loads the
// 17 sectors after it with INT 13h (QEMU's and Bochs's BIOSes both), the end marker and the hex printer, and 80-bit
// constants as NASM data.

/** NASM data for an 80-bit value given as 20 hex digits (sign/exponent first). */
export function f80(h: string): string {
  return `dq 0x${h.slice(4)}\n  dw 0x${h.slice(0, 4)}`;
}

/** From the first line to the `main:` label the program's code starts at (sectors 2-18 loaded at 7E00). */
export const LOADER = `[bits 16]
[cpu 686]
  org 0x7c00
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  cmp word [sig], 0x3738
  je loaded
  mov si, 4
retry:
  mov ax, 0x0211
  mov cx, 0x0002
  xor dh, dh
  mov bx, 0x7e00
  int 0x13
  jnc loaded
  dec si
  jnz retry
  hlt
loaded:
  jmp main
  times 510-($-$$) db 0
  dw 0xaa55
sig: dw 0x3738
main:
`;

/** Prints END and stops the machine (port F4h: QEMU's isa-debug-exit; HLT elsewhere). */
export const END = `  mov al, 'E'
  out 0xe9, al
  mov al, 'N'
  out 0xe9, al
  mov al, 'D'
  out 0xe9, al
  mov al, 10
  out 0xe9, al
  out 0xf4, al
  hlt
`;

/** puthex8 (AL as two hex digits to port E9h) and nibble. */
export const PUTHEX8 = `puthex8:
  push ax
  shr al, 4
  call nibble
  pop ax
nibble:
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .d
  add al, 7
.d:
  out 0xe9, al
  ret
`;
