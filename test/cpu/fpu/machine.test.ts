// The x87 wired into the CPU (emulator/cpu/exec/x87.ts) on a booted machine with `fpu: '387'`:
// FNINIT/FNSTSW detection, loads, arithmetic and stores through memory, #NM from CR0.EM, #MF from
// an unmasked exception at the next waiting instruction (CR0.NE = 1) and IRQ13 through FERR#
// (CR0.NE = 0) cleared by port F0h, INT 11h's coprocessor bit; without the option detection finds no FPU, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from '../../bios/harness';
import { loadCpu, saveCpu } from '../../../emulator/record/cpuState';

const PROGRAM = `
  int 0x11
  and ax, 2
  call puthex16
  PUTC ' '
  xor ax, ax
  mov ds, ax
  mov word [sw], 0x5a5a
  fninit
  fnstsw [sw]
  mov ax, [sw]
  call puthex16
  PUTC ' '
  fnstcw [sw]
  mov ax, [sw]
  call puthex16
  PUTC ' '
  fld dword [a]
  fadd dword [b]
  fstp dword [r]
  mov eax, [r]
  call puthex32
  PUTC ' '
  fld1
  fidiv word [three]
  fstp qword [q]
  mov eax, [q + 4]
  call puthex32
  mov eax, [q]
  call puthex32
  PUTC ' '
  fldpi
  fistp word [r]
  mov ax, [r]
  call puthex16
  PUTC ' '
  ; #NM: CR0.EM = 1
  mov word [7 * 4], nm
  mov word [7 * 4 + 2], 0
  mov eax, cr0
  or al, 4
  mov cr0, eax
  fld1
  fstp st0
  ; #MF: CR0.NE = 1, ZE unmasked, 1/0, then FWAIT
  mov word [16 * 4], mf
  mov word [16 * 4 + 2], 0
  mov eax, cr0
  or al, 0x20
  mov cr0, eax
  fldcw [cwze]
  fldz
  fld1
  fdiv st0, st1
  PUTC 'D'
  fwait
  PUTC 'W'
  PUTC ' '
  ; IRQ13: CR0.NE = 0; FERR# raises IRQ13 (INT 75h) when the exception happens
  mov word [0x75 * 4], irq13
  mov word [0x75 * 4 + 2], 0
  in al, 0xa1
  and al, ~0x20
  out 0xa1, al
  in al, 0x21
  and al, ~4
  out 0x21, al
  mov eax, cr0
  and al, ~0x20
  mov cr0, eax
  fninit
  fldcw [cwze]
  fldz
  fld1
  sti
  fdiv st0, st1
  nop
  nop
  PUTC 'E'
  cli
  hlt
nm:
  PUTC 'N'
  mov eax, cr0
  and al, ~4
  mov cr0, eax
  iret
mf:
  PUTC 'M'
  fnclex
  iret
irq13:
  PUTC 'I'
  push ax
  mov al, 0
  out 0xf0, al
  fnclex
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop ax
  iret
a: dd 1.5
b: dd 2.25
three: dw 3
cwze: dw 0x037b
sw: dw 0
r: dd 0
q: dq 0
`;

test('fpu 387: detection, arithmetic through memory, #NM, #MF and IRQ13', () => {
  const { out } = runProgram(PROGRAM, { cpu: '80386', fpu: '387' });
  assert.equal(out, '0002 0000 037F 40700000 3FD5555555555555 0003 NDMW IE');
});

test('hot x87 loops (compiled blocks): 20,000 FIADDs, and 20,000 #NM faults from CR0.TS restarted', () => {
  const { out } = runProgram(`
  xor ax, ax
  mov ds, ax
  mov word [7 * 4], nm
  mov word [7 * 4 + 2], 0
  fninit
  fldz
  mov cx, 20000
  mov word [i], 0
sum:
  inc word [i]
  fiadd word [i]
  loop sum
  fistp dword [r]
  mov eax, [r]
  call puthex32
  PUTC ' '
  mov word [faults], 0
  mov cx, 20000
again:
  mov eax, cr0
  or al, 8
  mov cr0, eax
  fld1
  fstp st0
  loop again
  mov ax, [faults]
  call puthex16
  cli
  hlt
nm:
  inc word [faults]
  clts
  iret
i: dw 0
r: dd 0
faults: dw 0
`, { cpu: '80386', fpu: '387', max: 2_000_000 });
  assert.equal(out, `${(20000 * 20001 / 2).toString(16).toUpperCase().padStart(8, '0')} 4E20`);
});

test('CPUID leaf 1 reports the FPU (EDX bit 0) only with one', () => {
  const source = 'mov eax, 1\ncpuid\nmov ax, dx\nand ax, 1\ncall puthex16\ncli\nhlt';
  assert.equal(runProgram(source, { cpu: '80386', fpu: '387' }).out, '0001');
  assert.equal(runProgram(source).out, '0000');
});

test('no FPU (the default): FNSTSW leaves memory as it was', () => {
  const { out } = runProgram(`
  xor ax, ax
  mov ds, ax
  mov word [sw], 0x5a5a
  fninit
  fnstsw [sw]
  mov ax, [sw]
  call puthex16
  cli
  hlt
sw: dw 0
`);
  assert.equal(out, '5A5A');
});

test('fpu 387 on another model is a clear error', () => {
  assert.throws(() => runProgram('hlt', { cpu: '80286', fpu: '387' }), /the 80286 model takes fpu none, not 387/);
});

test('CPU snapshots carry the x87 state (time travel restores it)', () => {
  const { m } = runProgram('fld1\nfldpi\ncli\nhlt', { cpu: '80386', fpu: '387' });
  const fpu = m.cpu.fpu!;
  const snap = saveCpu(m.cpu);
  const before = fpu.saveState();
  fpu.fninit();
  fpu.fldConst('z');
  loadCpu(m.cpu, snap);
  assert.deepEqual(fpu.saveState(), before);
  assert.equal(fpu.top, 6);
});
