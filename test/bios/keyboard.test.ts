// Keyboard through NASM boot sectors: keys typed into the 8042 reach INT 16h via the ROM's INT 09h,
// which offers each scancode to INT 15h AH=4Fh first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './harness';

const HALT = '\n  cli\n  hlt\n';

test('INT 16h: keys typed through the 8042 and INT 09h: peek, read, shift state, store', () => {
  const r = runProgram(`
  sti
  mov ah, 0x01
  int 0x16
  jnz .bad                 ; nothing typed yet
  xor ax, ax
  int 0x16                 ; waits for the first key
  call puthex16
  PUTC ' '
.w:
  mov ah, 0x11
  int 0x16
  jz .w
  call puthex16
  PUTC ' '
  mov ah, 0x10
  int 0x16
  call puthex16
  PUTC ' '
  xor ax, ax
  int 0x16
  call puthex16
  PUTC ' '
  mov ah, 0x05
  mov cx, 0x3920
  int 0x16
  xor ax, ax
  int 0x16
  call puthex16
  PUTC ' '
  mov ah, 0x02
  int 0x16
  call puthex8
  ${HALT}
.bad:
  PUTC '!'
  ${HALT}`, { keys: 'aB\\n' });
  assert.equal(r.out, '1E61 3042 3042 1C0D 3920 00');
});

test('INT 09h offers each scancode to INT 15h AH=4Fh: a guest hook can swallow keys', () => {
  const r = runProgram(`
  xor ax, ax
  mov ds, ax
  mov ax, [0x15*4]
  mov [old], ax
  mov ax, [0x15*4+2]
  mov [old+2], ax
  cli
  mov word [0x15*4], hook
  mov word [0x15*4+2], 0
  sti
.l:
  xor ax, ax
  int 0x16
  out 0xe9, al
  cmp al, 13
  jne .l
  cli
  hlt
hook:
  cmp ah, 0x4f
  jne .chain
  cmp al, 0x2d              ; make code of X: consumed (CF=0 in the returned flags)
  jne .chain
  push bp
  mov bp, sp
  and byte [bp+6], 0xfe
  pop bp
  iret
.chain:
  jmp far [cs:old]
old: dd 0`, { keys: 'xax\\n' });
  assert.equal(r.out, 'a\r');
});
