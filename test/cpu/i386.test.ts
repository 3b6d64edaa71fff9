// 80386 corners that test386.asm (a 386 test ROM run by scripts/test386.sh) found, each proven here
// by a program of ours on a hand-built CPU: the Intel 386 Programmer's Reference Manual (1986) and
// the SDM for the rule, Bochs 2.7 where the manuals are silent. Node-only test code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepOne } from '../../emulator/cpu/execute';
import { DS, EBX, ESP, SS } from '../../emulator/cpu/regs';
import { CODE, code, desc, pmCpu } from '../pm/pmSetup';

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
