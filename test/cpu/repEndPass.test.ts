// QEMU's -icount rule for REP string instructions (Cpu.repEndPass): a REP whose count runs out costs
// one more instruction of time, the pass QEMU makes with the count 0 to leave it (compare's lock-step
// drops that record as a REP end); a REPE/REPNE its condition ends and a REP that starts at count 0
// cost none. Measured with RDTSC, which counts 2^8 ns an instruction on this clock; without the
// -icount rule the TSC counts instructions only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from '../bios/harness';
import { EBX, ECX, EDX } from '../../emulator/cpu/regs';

/** TSC deltas over: REP STOSB x5, REPE CMPSB ending on the 2nd of 4 byte pairs, REP STOSB with CX=0. */
const PROGRAM = `
  xor ax, ax
  mov es, ax
  mov ds, ax
  cld
  mov di, 0x9000
  mov cx, 5
  rdtsc
  mov esi, eax
  rep stosb
  rdtsc
  sub eax, esi
  mov ebx, eax
  mov si, 0x8000
  mov di, 0x8010
  mov byte [0x8011], 1
  mov cx, 4
  rdtsc
  mov ebp, eax
  repe cmpsb
  rdtsc
  sub eax, ebp
  mov [0x8100], eax
  xor cx, cx
  rdtsc
  mov ebp, eax
  mov di, 0x9000
  rep stosb
  rdtsc
  sub eax, ebp
  mov ecx, eax
  mov edx, [0x8100]
  cli
  hlt
`;

test('under QEMU\'s -icount rule a REP whose count runs out takes one instruction more, a REPE its condition ends or a REP at count 0 none', () => {
  const { m, stop } = runProgram(PROGRAM, { cpu: 'pentium', icountShift: 8 });
  assert.equal(stop.reason, 'halt');
  const r = m.cpu.r32;
  // mov esi,eax; 5 iterations; rdtsc: 7 instructions and the pass that leaves the REP.
  assert.equal(r[EBX], 8 * 256, 'REP STOSB with CX=5');
  // mov ebp,eax; 2 iterations (the second compares unequal); rdtsc.
  assert.equal(r[EDX], 4 * 256, 'REPE CMPSB ended by its condition');
  assert.equal(r[ECX], 4 * 256, 'REP STOSB with CX=0');
  assert.equal(m.cpu.extraTime, 1);
});

test('without the -icount rule RDTSC counts instructions: no REP-end pass', () => {
  const { m, stop } = runProgram(PROGRAM, { cpu: 'pentium' });
  assert.equal(stop.reason, 'halt');
  assert.deepEqual([m.cpu.r32[EBX], m.cpu.r32[EDX], m.cpu.r32[ECX]], [7, 4, 4]);
  assert.equal(m.cpu.extraTime, 0);
});
