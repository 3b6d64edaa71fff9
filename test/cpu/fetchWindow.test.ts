// The code window (emulator/cpu/cpu.ts) lets fetches skip the limit, translation and page-flag
// tests inside one RAM page. These cases pin down what it must not skip: stores into the code
// being run, an A20 change in mid-run, the 15-byte length limit of prefixed instructions and the CS limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { runCpu } from '../../emulator/cpu/execute';
import { CS, DS, ES, ESP, SS } from '../../emulator/cpu/regs';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { Machine } from '../../emulator/machine';

/** A real-mode 80386 with CS = DS = ES = SS = 2000h and every exception vector at a HLT (0000:00F0). */
function machine(): { cpu: Cpu; mem: Memory } {
  const mem = new Memory({ ramSize: 0x200000 });
  const cpu = new Cpu('80386', MODEL_TRAITS['80386'], mem, new IoBus());
  installModel(cpu);
  for (const s of [CS, DS, ES, SS]) cpu.setCache(s, 0x2000, 0x20000, 0xffff, s === CS ? 0x9b : 0x93);
  // The handler sits at a low offset so that it is inside a small CS limit too (a real-mode CS
  // load keeps the cached limit).
  for (let v = 0; v < 32; v++) mem.ram.set([0xf0, 0x00, 0x00, 0x00], v * 4);
  mem.ram[0xf0] = 0xf4;
  cpu.r16[ESP * 2] = 0x8000;
  return { cpu, mem };
}

function runAt(cpu: Cpu, eip: number): void {
  cpu.eip = eip;
  cpu.halted = false;
  cpu.lastException = -1;
  runCpu(cpu, 100);
}

test('a store into the next instruction of the same page is seen by its fetch', () => {
  const { cpu, mem } = machine();
  // mov byte [cs:0x107], 0x42 ; mov al, 0x00 (its immediate is byte 0x107) ; hlt
  mem.ram.set([0x2e, 0xc6, 0x06, 0x07, 0x01, 0x42, 0xb0, 0x00, 0xf4], 0x20100);
  runAt(cpu, 0x100);
  assert.equal(cpu.lastException, -1);
  assert.equal(cpu.r8[0], 0x42);
});

test('turning A20 off through port 92h moves the very next fetch above 1 MiB to the wrapped copy', () => {
  const m = new Machine({ cpu: '80386', memoryMB: 2 });
  m.cpu.setCache(CS, 0xffff, 0xffff0, 0xffff, 0x9b);
  // At FFFF:0020 (linear 100010h): in al, 92h; and al, ~2; out 92h, al; then mov al, 1; hlt.
  m.mem.ram.set([0xe4, 0x92, 0x24, 0xfd, 0xe6, 0x92, 0xb0, 0x01, 0xf4], 0x100010);
  // What FFFF:0026 reads with A20 off (linear 000016h): mov al, 2; hlt.
  m.mem.ram.set([0xb0, 0x02, 0xf4], 0x000016);
  m.cpu.eip = 0x20;
  m.run({ maxInstructions: 10 });
  assert.equal(m.mem.a20Enabled, false);
  assert.equal(m.cpu.r8[0], 2);
});

test('the 15-byte limit holds inside the window: 14 prefixes + NOP run, 15 prefixes + NOP are #GP', () => {
  const { cpu, mem } = machine();
  mem.ram.set([...new Array(14).fill(0x66), 0x90, 0xf4], 0x20100);
  runAt(cpu, 0x100);
  assert.equal(cpu.lastException, -1);
  assert.equal(cpu.eip, 0x110);
  mem.ram.set([...new Array(15).fill(0x66), 0x90, 0xf4], 0x20200);
  runAt(cpu, 0x200);
  assert.equal(cpu.lastException, 13);
  // Back in the same page after the fault, an unprefixed instruction runs normally.
  cpu.setCache(CS, 0x2000, 0x20000, 0xffff, 0x9b);
  mem.ram.set([0xb0, 0x07, 0xf4], 0x20300);
  runAt(cpu, 0x300);
  assert.equal(cpu.lastException, -1);
  assert.equal(cpu.r8[0], 7);
});

test('a fetch past the CS limit is #GP with the faulting IP pushed', () => {
  const { cpu, mem } = machine();
  cpu.setCache(CS, 0x2000, 0x20000, 0x102, 0x9b);
  mem.ram.set([0x90, 0x90, 0x90, 0x90], 0x20100);
  runAt(cpu, 0x100);
  assert.equal(cpu.lastException, 13);
  assert.equal(cpu.eip, 0xf1); // halted in the handler
  const sp = 0x20000 + cpu.r16[ESP * 2];
  assert.equal(mem.ram[sp] | (mem.ram[sp + 1] << 8), 0x103);
});
