// INT 13h through NASM boot sectors: CHS and EDD transfers on hard disks and floppies, parameters,
// status codes, and a guest that hooks the vector and chains to the BIOS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, bootImage, runProgram } from './harness';

const HALT = '\n  cli\n  hlt\n';

test('INT 13h: CHS and LBA reads, parameters, type, EDD check and parameters on a hard disk', () => {
  // Sector n (n >= 1) of the disk starts with the word n.
  const disk = new Uint8Array(2048 * 512);
  const boot = assemble(`
  mov ah, 0x08
  mov dl, 0x80
  int 0x13
  jc .bad
  mov ax, cx
  call puthex16
  mov al, dh
  call puthex8
  mov al, dl
  call puthex8
  PUTC ' '
  mov ax, 0x0202           ; 2 sectors, C0 H1 S1 = LBA 63
  mov cx, 0x0001
  mov dx, 0x0180
  mov bx, 0x1000
  int 0x13
  jc .bad
  call puthex16
  mov ax, [0x1000]
  call puthex16
  mov ax, [0x1200]
  call puthex16
  PUTC ' '
  mov ah, 0x41
  mov bx, 0x55aa
  mov dl, 0x80
  int 0x13
  jc .bad
  call puthex16
  mov ax, bx
  call puthex16
  mov ax, cx
  call puthex16
  PUTC ' '
  mov si, dap
  mov ah, 0x42
  mov dl, 0x80
  int 0x13
  jc .bad
  mov ax, [0x2000]
  call puthex16
  mov ax, [dap+2]
  call puthex16
  PUTC ' '
  mov ah, 0x15
  mov dl, 0x80
  int 0x13
  jc .bad
  call puthex16
  mov ax, dx
  call puthex16
  PUTC ' '
  mov word [0x3000], 0x1e
  mov si, 0x3000
  mov ah, 0x48
  mov dl, 0x80
  int 0x13
  jc .bad
  mov ax, [0x3010]
  call puthex16
  mov ax, [0x3018]
  call puthex16
  PUTC ' '
  mov ah, 0x02             ; read past the end: status 04h
  mov al, 1
  mov cx, 0xffff
  mov dx, 0x0f80
  mov bx, 0x1000
  int 0x13
  jnc .bad
  call puthex16
  mov ah, 0x01
  mov dl, 0x80
  int 0x13
  PUTC ' '
  call puthex16
  ${HALT}
.bad:
  PUTC '!'
  call puthex16
  ${HALT}
dap: db 0x10, 0
  dw 3, 0x2000, 0
  dq 1500`);
  disk.set(boot);
  for (let n = 1; n < 2048; n++) { disk[n * 512] = n & 0xff; disk[n * 512 + 1] = n >> 8; }
  const r = bootImage(disk);
  // 2048 sectors = 2 cylinders of 16x63 (no partition table): AH=08h max cylinder 0, head 15, 63 sectors.
  assert.equal(r.out, '003F0F01 0002003F0040 3040AA550007 05DC0003 03030800 08000200 0400 0400');
});

test('INT 13h on a floppy: geometry, AH=08h with the diskette table, CHS across heads, write then read back', () => {
  const img = new Uint8Array(1474560);
  const boot = assemble(`
  mov ah, 0x08
  xor dl, dl
  int 0x13
  jc .bad
  mov al, bl
  call puthex8
  PUTC ' '
  mov ax, cx
  call puthex16
  mov ax, dx
  call puthex16
  PUTC ' '
  mov ax, es
  call puthex16
  PUTC ':'
  mov ax, di
  call puthex16
  PUTC ' '
  xor ax, ax
  mov es, ax
  mov ax, 0x0203           ; 3 sectors from C0 H0 S18: continues on head 1
  mov cx, 0x0012
  mov dx, 0x0000
  mov bx, 0x1000
  int 0x13
  jc .bad
  mov al, [0x1000]
  call puthex8
  mov al, [0x1200]
  call puthex8
  mov al, [0x1400]
  call puthex8
  PUTC ' '
  mov byte [0x1000], 0x77
  mov ax, 0x0301
  mov cx, 0x0005
  xor dx, dx
  mov bx, 0x1000
  int 0x13
  jc .bad
  mov byte [0x1000], 0
  mov ax, 0x0201
  int 0x13
  mov al, [0x1000]
  call puthex8
  PUTC ' '
  mov ah, 0x02             ; no drive 01h
  mov al, 1
  mov dl, 1
  int 0x13
  jnc .bad
  mov al, ah
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`);
  img.set(boot);
  for (let n = 1; n < 100; n++) img[n * 512] = n;
  const r = bootImage(img, { asFloppy: true });
  assert.equal(r.out, '04 4F120101 F000:EFC7 111213 77 01');
  assert.deepEqual(r.m.floppy?.dirtySectors(), [4]);
});

test('a guest that hooks INT 13h and chains to the BIOS vector still reaches the service', () => {
  const r = runProgram(`
  xor ax, ax
  mov ds, ax
  mov ax, [0x13*4]
  mov [old], ax
  mov ax, [0x13*4+2]
  mov [old+2], ax
  cli
  mov word [0x13*4], hook
  mov word [0x13*4+2], 0
  sti
  mov ah, 0x08
  mov dl, 0x80
  int 0x13
  jc .bad
  mov al, [count]
  call puthex8
  PUTC ' '
  mov al, dh
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}
hook:
  inc byte [cs:count]
  pushf
  call far [cs:old]
  retf 2
old: dd 0
count: db 0`);
  assert.equal(r.out, '01 0F');
});
