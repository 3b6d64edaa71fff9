// emulator/debug without DAP: the shadow call stack (near/far CALL, INT, RET used as a jump),
// detaching restores the CPU's dispatch entries and hook, expressions never change the machine,
// descriptor decoding, register writes in real mode, watchpoints ignore instruction fetches and hook
// the TLB flush and A20 changes only while armed; a breakpoint at an IRQ handler's entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { DebugMonitor } from '../../emulator/debug/monitor';
import { evaluate, ExpressionError } from '../../emulator/debug/expression';
import { decodeDescriptor } from '../../emulator/debug/descriptors';
import { readRegister, writeRegister } from '../../emulator/debug/registers';
import { CR0_PE, CR0_PG, CS, DS, ES, ESP } from '../../emulator/cpu/regs';
import { readFileSync } from 'node:fs';
import { assemble } from './dapClient';

/** A machine with `code` at 0000:7C00 (padded to a sector) and a monitor attached. */
function boot(code: number[], cpu: '8086' | '80286' | '80386' = '80386'): { m: Machine; mon: DebugMonitor } {
  const m = new Machine({ cpu, memoryMB: 1 });
  const sector = new Uint8Array(512);
  sector.set(code);
  m.loadBootSector(sector, 0x80);
  return { m, mon: new DebugMonitor(m) };
}

function step(m: Machine, n = 1): void {
  for (let i = 0; i < n; i++) m.run({ maxInstructions: 1 });
}

test('shadow stack: far CALL/RETF and INT/IRET push and pop frames with the caller', () => {
  // 7C00: call 0000:7C10 ; 7C05: int 20h ; 7C07: jmp $ ; 7C10: retf ; 7C20: iret
  const code = new Array(0x21).fill(0x90);
  code.splice(0, 9, 0x9a, 0x10, 0x7c, 0x00, 0x00, 0xcd, 0x20, 0xeb, 0xfe);
  code[0x10] = 0xcb;
  code[0x20] = 0xcf;
  const { m, mon } = boot(code);
  m.mem.poke(0x20 * 4, new Uint8Array([0x20, 0x7c, 0, 0]));
  step(m);
  assert.equal(mon.stack.depth, 1);
  assert.deepEqual(
    { kind: mon.stack.frame(0)!.kind, caller: mon.stack.frame(0)!.callerEip, ret: mon.stack.frame(0)!.retEip, entry: mon.stack.frame(0)!.entryEip },
    { kind: 'callf', caller: 0x7c00, ret: 0x7c05, entry: 0x7c10 });
  step(m);
  assert.equal(mon.stack.depth, 0);
  step(m);
  assert.equal(mon.stack.depth, 1);
  assert.equal(mon.stack.frame(0)!.kind, 'int');
  assert.equal(mon.stack.frame(0)!.vector, 0x20);
  assert.equal(mon.stack.frame(0)!.callerEip, 0x7c05);
  step(m);
  assert.equal(mon.stack.depth, 0);
  assert.equal(m.cpu.eip, 0x7c07);
});

test('shadow stack: PUSH addr / RET used as a jump leaves the frames alone; CALL through FF /2 is a call', () => {
  // 7C00: mov bx,7C10 ; call bx ; jmp $ ; 7C10: push 7C20 ; ret ; 7C20: ret
  const code = new Array(0x21).fill(0x90);
  code.splice(0, 7, 0xbb, 0x10, 0x7c, 0xff, 0xd3, 0xeb, 0xfe);
  code.splice(0x10, 4, 0x68, 0x20, 0x7c, 0xc3);
  code[0x20] = 0xc3;
  const { m, mon } = boot(code);
  step(m, 2);
  assert.equal(mon.stack.depth, 1);
  assert.equal(mon.stack.frame(0)!.kind, 'call');
  step(m, 2);
  assert.equal(m.cpu.eip, 0x7c20);
  assert.equal(mon.stack.depth, 1, 'RET to an unrecorded address is a jump');
  step(m);
  assert.equal(m.cpu.eip, 0x7c05);
  assert.equal(mon.stack.depth, 0);
});

test('shadow stack under paging: the return address is read where SS:ESP maps, not at the same physical address', () => {
  // 7C00: call 7C10 ; 7C03: jmp $ ; 7C10: ret — with paging on and SP = 9000h, the stack's page 8 mapped to frame 50h.
  const code = new Array(0x11).fill(0x90);
  code.splice(0, 5, 0xe8, 0x0d, 0x00, 0xeb, 0xfe);
  code[0x10] = 0xc3;
  const { m, mon } = boot(code);
  const PD = 0x10000, PT = 0x11000;
  m.mem.write32(PD, PT | 3);
  for (let i = 0; i < 0x100; i++) m.mem.write32(PT + i * 4, ((i === 8 ? 0x50 : i) << 12) | 3);
  m.cpu.r32[ESP] = 0x9000;
  m.cpu.cr3 = PD;
  m.cpu.cr0 |= CR0_PE | CR0_PG;
  m.cpu.updateMode();
  m.cpu.tlbFlush(m.cpu);
  step(m);
  assert.equal(m.mem.read16(0x50ffe), 0x7c03, 'the CALL pushed through the mapping');
  assert.deepEqual(mon.stack.frames().map((f) => [f.kind, f.callerEip, f.retEip, f.entryEip]), [['call', 0x7c00, 0x7c03, 0x7c10]]);
  step(m);
  assert.deepEqual([m.cpu.eip, mon.stack.depth], [0x7c03, 0], 'the RET matched the frame');
});

test('shadow stack: its table stays at the depth reached, whatever pops the frames (INT/IRET loops, replays)', () => {
  // 7C00: int 20h ; jmp 7C00 — 7C20: iret. Every INT makes a frame, every IRET pops one; no CALL takes them back.
  const code = new Array(0x21).fill(0x90);
  code.splice(0, 4, 0xcd, 0x20, 0xeb, 0xfc);
  code[0x20] = 0xcf;
  const { m, mon } = boot(code);
  m.mem.poke(0x20 * 4, new Uint8Array([0x20, 0x7c, 0, 0]));
  for (let i = 0; i < 20; i++) mon.quietly(() => m.run({ maxInstructions: 3000 }));
  const rows = (mon.stack as unknown as { table: Float64Array }).table.length / 13;
  assert.ok(rows <= 64, `${rows} rows of frames after 20,000 interrupts`);
  assert.ok(mon.stack.depth <= 1);
});

test('detach restores every dispatch entry and the interrupt hook', () => {
  const m = new Machine({ memoryMB: 1 });
  const before = m.cpu.ops.slice();
  const mon = new DebugMonitor(m);
  mon.events.configure({ softInt: '', io: '', modeSwitch: true, tableLoad: true });
  assert.notEqual(m.cpu.ops[0xe8], before[0xe8]);
  assert.notEqual(m.cpu.onInterrupt, null);
  mon.detach();
  assert.equal(m.cpu.onInterrupt, null);
  assert.equal(m.io.observer, null);
  assert.equal(m.mem.observer, null);
  assert.ok(m.cpu.ops.every((h, i) => h === before[i]));
});

test('expressions read state and never change it', () => {
  const { m } = boot([0x90]);
  const cpu = m.cpu;
  cpu.r32[0] = 0x12345678;
  writeRegister(cpu, 'es', 0xb800);
  m.mem.poke(0xb8004, new Uint8Array([0x41, 0x07, 0x42, 0x07]));
  const snapshot = JSON.stringify([Array.from(cpu.r32), cpu.eip, cpu.getFlags(), Array.from(cpu.base), Array.from(m.mem.peek(0xb8000, 16))]);
  assert.equal(evaluate(cpu, 'dword [es:di+4]').text, '0x07420741');
  assert.equal(evaluate(cpu, 'B800:0004').text, 'B800:0004 (linear 0xb8004)');
  assert.equal(evaluate(cpu, 'es:di + 2').text, 'es:0002 (linear 0xb8002)');
  assert.equal(evaluate(cpu, 'eax >> 16 & 0xff').text, '0x34');
  assert.equal(evaluate(cpu, '-1').text, '0xffffffff');
  assert.equal(evaluate(cpu, '!eflags.zf').text, '1');
  assert.throws(() => evaluate(cpu, ''), ExpressionError);
  assert.throws(() => evaluate(cpu, 'byte ds:si'), /expected '\['/);
  assert.equal(JSON.stringify([Array.from(cpu.r32), cpu.eip, cpu.getFlags(), Array.from(cpu.base), Array.from(m.mem.peek(0xb8000, 16))]), snapshot);
});

test('register writes: real-mode segment loads reload the base and keep the cache; CS.D switches decoding', () => {
  const { m } = boot([0x90]);
  const cpu = m.cpu;
  writeRegister(cpu, 'ds.limit', 0xffffffff);
  assert.match(writeRegister(cpu, 'ds', 0x1234), /base reloaded/);
  assert.equal(cpu.base[DS], 0x12340);
  assert.equal(cpu.limit[DS], 0xffffffff);
  writeRegister(cpu, 'cs.db', 1);
  assert.equal(cpu.code32, 1);
  assert.equal(readRegister(cpu, 'cs.ar')!.value, 0x409b);
  writeRegister(cpu, 'eflags.iopl', 3);
  assert.equal(readRegister(cpu, 'eflags.iopl')!.value, 3);
  writeRegister(cpu, 'ah', 0xab);
  assert.equal(cpu.r16[0], 0xab00);
  assert.throws(() => writeRegister(cpu, 'es.bogus', 1), /not a register or field/);
  assert.equal(cpu.sel[ES], 0);
  assert.equal(cpu.sel[CS], 0);
});

test('descriptor decoding: flat code, a 32-bit interrupt gate, a 16-bit TSS', () => {
  const code = decodeDescriptor(0x0000ffff, 0x00cf9a00, 1);
  assert.deepEqual([code.base, code.limit, code.ar.toString(16), code.typeName], [0, 0xffffffff, 'c09a', 'code, execute/read']);
  const gate = decodeDescriptor(0x00081234, 0x5678ee00, 3);
  assert.deepEqual(gate.gate, { selector: 8, offset: 0x56781234, paramCount: 0 });
  assert.equal(gate.dpl, 3);
  assert.equal(gate.typeName, 'system, 32/64-bit interrupt gate');
  const tss = decodeDescriptor(0x1000002b, 0x00008100, 5);
  assert.deepEqual([tss.base, tss.limit, tss.typeName], [0x1000, 0x2b, 'system, available 16-bit TSS']);
});

test('a read watch on a code page ignores instruction fetches but sees data reads', () => {
  // 7C00: nop ; nop ; mov al,[7C00] ; jmp $
  const { m, mon } = boot([0x90, 0x90, 0xa0, 0x00, 0x7c, 0xeb, 0xfe]);
  mon.watch.set([{ id: 1, linear: 0x7c00, length: 1, access: 'read' }]);
  const r1 = m.run({ maxInstructions: 2 });
  assert.equal(r1.reason, 'max');
  assert.equal(mon.watch.takeHit(), null);
  const r2 = m.run({ maxInstructions: 10 });
  assert.equal(r2.reason, 'pause');
  const hit = mon.watch.takeHit()!;
  assert.deepEqual([hit.kind, hit.address], ['read', 0x7c00]);
  assert.equal(m.cpu.eip, 0x7c05);
});

test('watchpoints wrap the TLB flush only while armed (sessions without them keep the plain path)', () => {
  const { m, mon } = boot([0xeb, 0xfe]);
  const flush = m.cpu.tlbFlush, invalidate = m.cpu.tlbInvalidate;
  mon.watch.set([{ id: 1, linear: 0x9000, length: 2, access: 'write' }]);
  assert.notEqual(m.cpu.tlbFlush, flush);
  mon.watch.set([{ id: 2, linear: 0x9000, length: 2, access: 'write' }]);
  mon.watch.set([]);
  assert.equal(m.cpu.tlbFlush, flush);
  assert.equal(m.cpu.tlbInvalidate, invalidate);
  assert.equal(m.mem.onA20Change, null);
});

test('a watch above 1 MiB follows the A20 gate: the wrapped-around frame with A20 off, its own with A20 on', () => {
  // 7C00: mov ax,0xffff ; mov es,ax ; mov byte [es:0x10],1 (linear 0x100000) ; then again ; jmp $
  const { m, mon } = boot([0xb8, 0xff, 0xff, 0x8e, 0xc0, 0x26, 0xc6, 0x06, 0x10, 0x00, 0x01, 0x26, 0xc6, 0x06, 0x10, 0x00, 0x02, 0xeb, 0xfe], '80386');
  m.mem.setA20(false);
  mon.watch.set([{ id: 1, linear: 0x100000, length: 1, access: 'write' }]);
  assert.equal(m.run({ maxInstructions: 10 }).reason, 'pause');
  assert.deepEqual([mon.watch.takeHit()!.address, m.cpu.eip], [0, 0x7c0b]); // wrapped to physical 0
  m.mem.setA20(true);
  assert.equal(m.run({ maxInstructions: 10 }).reason, 'pause');
  const hit = mon.watch.takeHit()!;
  assert.deepEqual([hit.address, hit.linear, hit.value, m.cpu.eip], [0x100000, 0x100000, 2, 0x7c11]);
});

test('a breakpoint at an IRQ handler entry stops before its first instruction, and the run executes what a run without it does', () => {
  const fx = assemble('irq');
  const image = readFileSync(fx.image);
  const make = () => {
    const m = new Machine({ memoryMB: 1 });
    m.loadBootSector(image, 0x80);
    return m;
  };
  const budget = 300_000;
  const plain = make();
  plain.run({ maxInstructions: budget });
  const ticks = (m: Machine) => m.mem.peek(fx.marker('TICKS'), 2).reduce((v, b, i) => v | (b << (8 * i)), 0);
  assert.ok(ticks(plain) >= 3, 'the timer should have ticked a few times');

  const broken = make();
  broken.breakpoints.add(fx.marker('TIMER'));
  let stops = 0;
  while (broken.cpu.icount < budget) {
    const r = broken.run({ maxInstructions: budget - broken.cpu.icount });
    if (r.reason !== 'breakpoint') break;
    assert.equal(broken.pcLinear, fx.marker('TIMER'));
    assert.equal(ticks(broken), stops, 'stopped before the handler counted this tick');
    stops++;
  }
  assert.equal(stops, ticks(plain));
  assert.deepEqual([broken.cpu.icount, broken.cpu.eip, [...broken.cpu.r32], ticks(broken)], [plain.cpu.icount, plain.cpu.eip, [...plain.cpu.r32], ticks(plain)]);
});
