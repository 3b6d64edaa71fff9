// 80386 corners that test386.asm (a 386 test ROM run by scripts/test386.sh) found, each proven here
// by a program of ours on a hand-built CPU: the Intel 386 Programmer's Reference Manual (1986) and
// the SDM for the rule, Bochs 2.7 where the manuals are silent. Node-only test code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepOne } from '../../emulator/cpu/execute';
import { PF, SS_FAULT } from '../../emulator/cpu/faults';
import { DS, EAX, EBP, EBX, EDX, EFLAGS_CF, ESP, SS } from '../../emulator/cpu/regs';
import { CODE, code, desc, faultOf, pagingCpu, pmCpu } from '../pm/pmSetup';

test('POP SS pops and steps SP by the old stack size: a 16-bit stack wraps SP and keeps ESP[31:16]', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x20000, 0xffff, 0x92, 0); // 16-bit stack
  cpu.setCache(SS, 0x18, 0x20000, 0xffff, 0x93);
  cpu.mem.write32(0x20000 + 0xfffc, 0x10);
  cpu.r32[ESP] = 0x0002fffc;
  code(cpu, [0x17]); // pop ss (32-bit operand), into the flat 32-bit stack segment 10h
  stepOne(cpu);
  assert.equal(cpu.sel[SS], 0x10);
  assert.equal(cpu.r32[ESP], 0x00020000);
  // The other way: a 32-bit stack steps all of ESP even when the new SS is 16-bit.
  cpu.mem.write16(0x0003fffe, 0x18);
  cpu.r32[ESP] = 0x0003fffe;
  cpu.eip = CODE;
  code(cpu, [0x66, 0x17]); // o16 pop ss
  stepOne(cpu);
  assert.equal(cpu.sel[SS], 0x18);
  assert.equal(cpu.r32[ESP], 0x00040000);
});

test('LDS with a 32-bit offset at or above 80000000h reads the selector after it', () => {
  const cpu = pmCpu();
  // DS's base puts offset 80001000h at linear 3000h.
  const base = (0x3000 - 0x80001000) >>> 0;
  desc(cpu.mem, 0x18, base, 0xfffff, 0x92, 0xc);
  cpu.setCache(DS, 0x18, base, 0xffffffff, 0xc093);
  cpu.mem.write32(0x3000, 0x12345678);
  cpu.mem.write16(0x3004, 0x10);
  code(cpu, [0xc5, 0x1d, 0x00, 0x10, 0x00, 0x80]); // lds ebx, [0x80001000]
  stepOne(cpu);
  assert.equal(cpu.r32[EBX], 0x12345678);
  assert.equal(cpu.sel[DS], 0x10);
});

test('32-bit ENTER on a 16-bit stack takes all of ESP as the frame pointer', () => {
  const cpu = pmCpu();
  desc(cpu.mem, 0x18, 0x20000, 0xffff, 0x92, 0);
  cpu.setCache(SS, 0x18, 0x20000, 0xffff, 0x93);
  cpu.r32[ESP] = 0x00010000;
  cpu.r32[EBP] = 0x1234fff0;
  code(cpu, [0xc8, 0x08, 0x00, 0x01]); // enter 8, 1
  stepOne(cpu);
  assert.equal(cpu.r32[EBP], 0x0001fffc); // SP wrapped to FFFC under the kept ESP[31:16]
  assert.equal(cpu.r32[ESP], 0x0001fff0); // EBP, frame pointer, 8 bytes
  assert.equal(cpu.mem.read32(0x2fffc), 0x1234fff0);
  assert.equal(cpu.mem.read32(0x2fff8), 0x0001fffc);
});

test('ENTER checks a write at the final stack pointer and faults as a whole', () => {
  const cpu = pagingCpu();
  cpu.r32[ESP] = 0x53004; // EBP goes to page 53000h; the allocation reaches the not-present 52000h
  cpu.r32[EBP] = 0x777;
  code(cpu, [0xc8, 0x08, 0x00, 0x00]); // enter 8, 0
  assert.deepEqual(faultOf(() => stepOne(cpu)), [PF, 2]); // a write to a not-present page
  assert.equal(cpu.cr2, 0x52ff8);
  assert.equal(cpu.r32[ESP], 0x53004);
  assert.equal(cpu.r32[EBP], 0x777);
  // Beyond the stack limit: #SS(0), nothing changed.
  const flat = pmCpu();
  desc(flat.mem, 0x18, 0, 0xfffff, 0x92, 0x4); // 32-bit, byte-granular limit FFFFFh
  flat.setCache(SS, 0x18, 0, 0xfffff, 0x4093);
  flat.r32[ESP] = 0x104;
  code(flat, [0x66, 0xc8, 0x00, 0x02, 0x00]); // o16 enter 200h, 0
  assert.deepEqual(faultOf(() => stepOne(flat)), [SS_FAULT, 0]);
  assert.equal(flat.r32[ESP], 0x104);
});

test('16-bit SHLD shifts the source in from its top bits; counts 17-31 shift the destination in again', () => {
  const run = (count: number): [number, number] => {
    const cpu = pmCpu();
    cpu.r32[EAX] = 0x1234;
    cpu.r32[EDX] = 0xabcd;
    code(cpu, [0x66, 0x0f, 0xa4, 0xd0, count]); // shld ax, dx, count
    stepOne(cpu);
    return [cpu.r16[EAX * 2], cpu.getFlags() & EFLAGS_CF];
  };
  assert.deepEqual(run(8), [0x34ab, 0]); // CF: bit 8 of 1234h
  assert.deepEqual(run(4), [0x234a, 1]); // CF: bit 12 of 1234h
  // Undefined by the SDM; the 80386 (and Bochs) shift the 48-bit dst:src:dst.
  assert.deepEqual(run(20), [0xbcd1, 0]);
});
