// Reverse execution on a NASM program that loops, writes memory with REP STOSW, switches to 16-bit
// protected mode and back, and takes timer interrupts: a live run with recording captures a
// per-instruction trace; seeks back and replays must reproduce it exactly; stepBack, reverseContinue
// (code, data, mode switch), lastWrite, lastChange and the memory budget are checked against it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder } from '../../emulator/record/recorder';
import { lastChange, lastWrite, reverseContinue, reverseContinueAsync } from '../../emulator/record/reverse';
import { ROW, Trace, assemble, boot, labels, rowOf } from './harness';

const BIN = assemble('work');
const L = labels(BIN);

/** The live run: recording on, the trace captured through the run's per-instruction hook. */
function liveRun(opts: { interval?: number; budgetBytes?: number } = {}) {
  const m = boot(BIN);
  const drops: string[] = [];
  const rec = new Recorder(m, { interval: opts.interval ?? 7_000, budgetBytes: opts.budgetBytes, onDrop: (n) => drops.push(n.message) }).attach();
  const trace = new Trace(260_000);
  const stop = rec.run({ maxInstructions: 1_000_000, beforeInstruction: (mm) => { trace.capture(mm.cpu); return null; } });
  assert.equal(stop.reason, 'halt');
  return { m, rec, trace, end: m.cpu.icount, drops };
}

const live = liveRun();

function expectRow(i: number, what: string): void {
  assert.equal(live.trace.set[i], 1, `${what}: position ${i} was traced`);
  assert.deepEqual(rowOf(live.m.cpu), [...live.trace.at(i)], `${what}: state at ${i}`);
}

test('the program runs as intended (timer IRQs, protected mode round trips, REP)', () => {
  const { m, end } = live;
  assert.ok(end > 200_000, `ran ${end}`);
  assert.ok(m.mem.read16(L.ticks) > 50, 'timer interrupts were taken');
  assert.equal(m.mem.read16(L.sum + 4), 50, 'protected-mode round trips');
  assert.ok(live.rec.snapshotCount > 20);
});

test('seek back to several points and replay: identical per-instruction traces', () => {
  const { rec, trace, end } = live;
  const points = [0, 1, 6_999, 7_000, 7_001, 50_123, 123_457, end - 3_000, end - 1];
  // Some inside a REP STOSW (iteration granularity) and at a timer interrupt entry.
  let inRep = -1, atIrq = -1;
  for (let i = 100_000; i < end; i++) if (trace.set[i] && trace.pc(i) === L.rep_stos && (trace.at(i)[3] & 0xffff) === 100) { inRep = i; break; }
  for (let i = 150_000; i < end; i++) if (trace.set[i] && trace.pc(i) === L.timer + 1) { atIrq = i - 1; break; }
  assert.ok(inRep > 0 && atIrq > 0);
  points.push(inRep, atIrq - 1, atIrq);
  for (const p of points.sort((a, b) => b - a)) {
    assert.equal(rec.seek(p), p);
    expectRow(p, `seek(${p})`);
    const n = Math.min(2_500, end - p);
    const got = new Trace(end + 1);
    rec.run({ maxInstructions: n, beforeInstruction: (mm) => { got.capture(mm.cpu); return null; } });
    for (let i = p; i < p + n; i++) {
      if (!trace.set[i]) continue;
      assert.deepEqual([...got.at(i)], [...trace.at(i)], `replay from ${p}: instruction ${i}`);
    }
  }
  // Forward again to the end: the same final state and memory as the live run.
  assert.equal(rec.seek(end), end);
  assert.equal(live.m.mem.read16(L.ticks) > 50, true);
});

test('stepBack: one instruction, several, inside REP, to the start', () => {
  const { rec, end } = live;
  rec.seek(end);
  for (let k = 1; k <= 5; k++) {
    rec.stepBack();
    expectRow(end - k, `stepBack #${k}`);
  }
  rec.stepBack(1000);
  expectRow(end - 1005, 'stepBack(1000)');
  rec.seek(100_000);
  rec.stepBack(100_001);
  assert.equal(rec.icount, 0);
  expectRow(0, 'stepBack to the start');
  // Stepping forward after going back re-executes and stays consistent.
  rec.run({ maxInstructions: 10 });
  expectRow(10, 'forward after going back');
});

test('reverseContinue to a code breakpoint (in the timer handler) and to the start', () => {
  const { rec, trace, end } = live;
  rec.seek(end);
  // The handler's second instruction: an interrupt's delivery and the handler's first instruction
  // are one step of the CPU loop (runCpu), so no instruction boundary has CS:IP at the entry itself.
  const bp = L.timer + 1;
  let expected = -1;
  for (let i = end - 1; i >= 0; i--) if (trace.set[i] && trace.pc(i) === bp) { expected = i; break; }
  const r = reverseContinue(rec, { code: [bp] });
  assert.equal(r.reason, 'breakpoint');
  assert.equal(r.icount, expected);
  expectRow(expected, 'reverseContinue code');
  let prev = -1;
  for (let i = expected - 1; i >= 0; i--) if (trace.set[i] && trace.pc(i) === bp) { prev = i; break; }
  assert.equal(reverseContinue(rec, { code: [bp] }).icount, prev, 'the hit before');
  // Forward from a breakpoint we reached backwards does not stop on it at once.
  rec.run({ maxInstructions: 3 });
  assert.equal(rec.icount, prev + 3);
  // At the handler's entry itself: with a breakpoint armed the delivery is a step of its own (as in
  // a forward run), at the same count as the interrupted instruction.
  rec.seek(end);
  const entry = reverseContinue(rec, { code: [L.timer] });
  assert.equal(entry.reason, 'breakpoint');
  assert.equal(live.m.pcLinear, L.timer);
  assert.equal(entry.icount, expected - 1, 'the delivery does not count as an instruction');
  rec.run({ maxInstructions: 1 });
  expectRow(expected, 'one step from the entry');
  rec.seek(5);
  assert.deepEqual(reverseContinue(rec, { code: [bp] }).reason, 'start');
  assert.equal(rec.icount, 0);
});

test('reverseContinue: acceptCode decides at code hits; requested reports stops raised by hooks outside the recorder', () => {
  const { m, rec, trace, end } = live;
  rec.seek(end);
  // A conditional breakpoint in the timer handler (after PUSH AX): only where the interrupted AX has
  // the other parity than at the last hit, so the condition must skip that hit.
  const bp = L.timer + 1;
  let lastHit = -1;
  for (let i = end - 1; i >= 0 && lastHit < 0; i--) if (trace.set[i] && trace.pc(i) === bp) lastHit = i;
  const parity = (trace.at(lastHit)[2] & 1) ^ 1;
  let expected = -1;
  for (let i = lastHit - 1; i >= 0 && expected < 0; i--) if (trace.set[i] && trace.pc(i) === bp && (trace.at(i)[2] & 1) === parity) expected = i;
  assert.ok(expected > 0);
  const r = reverseContinue(rec, { code: [bp], acceptCode: (mm) => (mm.cpu.r32[0] & 1) === parity });
  assert.equal(r.reason, 'breakpoint');
  assert.equal(r.icount, expected);
  expectRow(expected, 'conditional code hit');
  // A port observer that asks the machine to stop at the PIC's EOI (OUT 20h, AL in the handler), as a
  // debugger's I/O filter does: reverse stops right after the last one.
  rec.seek(end);
  let pending: string | null = null;
  m.io.observer = { onIn: () => {}, onOut: (port) => { if (port === 0x20) { pending = 'EOI'; m.requestStop(); } } };
  try {
    const e = reverseContinue(rec, { requested: () => { const p = pending; pending = null; return p; } });
    assert.equal(e.reason, 'requested');
    assert.equal(e.detail, 'EOI');
    let after = -1;
    for (let i = end - 1; i >= 0 && after < 0; i--) if (trace.set[i] && trace.pc(i) === L.timer + 9) after = i;
    assert.equal(e.icount, after, 'the position after OUT 20h, AL (at POP AX)');
  } finally {
    m.io.observer = null;
    m.cancelStopRequest();
  }
});

test('reverseContinue to a data write breakpoint, exact to the REP iteration; lastWrite', () => {
  const { rec, trace, end } = live;
  rec.seek(end - 10);
  const r = reverseContinue(rec, { data: [{ address: 0x2100, length: 2, access: 'write' }] });
  assert.equal(r.reason, 'data');
  // The writing iteration: REP STOSW with DI = 0x2100 (stopped after it, as a data breakpoint traps).
  const w = r.icount - 1;
  assert.equal(trace.pc(w), L.rep_stos);
  assert.equal(trace.at(w)[2 + 7] & 0xffff, 0x2100, 'DI of the writing iteration');
  for (let i = w + 1; i < end - 10; i++) {
    if (trace.set[i] && trace.pc(i) === L.rep_stos) assert.notEqual(trace.at(i)[9] & 0xffff, 0x2100, `no later write at ${i}`);
  }
  expectRow(r.icount, 'reverseContinue data');
  // lastWrite from the end: the last `mov [sum], bx`.
  rec.seek(end);
  const lw = lastWrite(rec, L.sum, 2);
  assert.ok(lw);
  assert.equal(trace.pc(lw.instruction), L.store_sum);
  assert.equal(rec.icount, end, 'the query keeps the position');
  let last = -1;
  for (let i = end - 1; i >= 0; i--) if (trace.set[i] && trace.pc(i) === L.store_sum) { last = i; break; }
  assert.equal(lw.instruction, last);
  // A range written once near the start (the IVT entry of IRQ 0): intervals that never wrote its page are skipped.
  rec.seek(end);
  const ivt = reverseContinue(rec, { data: [{ address: 8 * 4, length: 4, access: 'write' }] });
  assert.deepEqual([ivt.reason, ivt.icount], ['data', 8], 'after `mov word [8*4+2], 0`, the 8th instruction');
  expectRow(8, 'reverseContinue to the IVT write');
  assert.equal(reverseContinue(rec, { data: [{ address: 8 * 4, length: 4, access: 'write' }] }).icount, 7, 'then the write before it');
  rec.seek(end);
  // A read watch on `sum`'s neighbour `iter` (read by `cmp word [iter], ITER`, the last one before HLT).
  const rr = reverseContinue(rec, { data: [{ address: L.sum - 2, length: 2, access: 'read' }] });
  assert.equal(rr.reason, 'data');
  assert.ok(rr.icount > end - 5, `read hit at ${rr.icount}, end ${end}`);
});

test('reverseContinue to a mode switch; lastChange of ds, cr0.pe, eflags.if', () => {
  const { rec, trace, end } = live;
  rec.seek(end);
  const lastWhere = (pred: (i: number) => boolean) => {
    for (let i = end - 1; i > 0; i--) if (trace.set[i] && trace.set[i - 1] && pred(i)) return i;
    return -1;
  };
  const peOff = lastWhere((i) => (trace.at(i)[12] & 1) !== (trace.at(i - 1)[12] & 1));
  const r = reverseContinue(rec, { modeSwitch: true });
  assert.equal(r.reason, 'mode');
  // CR0.PE=0 is followed by the far jump that reloads CS: the mode key (PE, CS.D) changes at PE.
  assert.equal(r.icount, peOff);
  const pe = lastChange(rec, 'cr0.pe');
  assert.ok(pe);
  assert.equal(pe.after, peOff);
  assert.equal(pe.from, 1);
  assert.equal(pe.to, 0);
  rec.seek(end);
  const ds = lastChange(rec, 'ds');
  assert.ok(ds);
  assert.equal(ds.after, lastWhere((i) => trace.at(i)[11] !== trace.at(i - 1)[11]));
  assert.equal(trace.pc(ds.instruction), L.set_ds);
  const iflag = lastChange(rec, 'eflags.if');
  assert.ok(iflag);
  assert.equal(iflag.after, lastWhere((i) => ((trace.at(i)[10] ^ trace.at(i - 1)[10]) & 0x200) !== 0));
  assert.equal(iflag.to, 0, 'the final CLI');
  assert.equal(rec.icount, end);
  assert.throws(() => lastChange(rec, 'xyz'), /unknown register/);
});

test('memory budget: old snapshots are dropped with a notice and the rest still replays', () => {
  const run = liveRun({ interval: 5_000, budgetBytes: 600 * 1024 });
  const { rec, trace, end, drops } = run;
  assert.ok(drops.length > 0, 'a notice was given');
  assert.ok(rec.bytesUsed <= 600 * 1024, `bytes ${rec.bytesUsed}`);
  const start = rec.startIcount;
  assert.ok(start > 0);
  assert.equal(rec.seek(0), start, 'seek before the window clamps to its start');
  assert.deepEqual(rowOf(run.m.cpu), [...trace.at(start)]);
  const p = start + 1234;
  rec.seek(end);
  rec.seek(p);
  assert.deepEqual(rowOf(run.m.cpu), [...trace.at(p)]);
  assert.equal(ROW, 13);
});

test('memory budget: the bound holds at every stop, between snapshots too (page copies count as they are made)', () => {
  // 300 rounds of one word into each of the 128 pages 10000h..8FFFFh: each interval's first round
  // copies half a MiB, so two intervals are over a 1 MiB budget before the next snapshot comes.
  const m = boot(Uint8Array.from([
    0xb9, 0x2c, 0x01, // mov cx, 300
    0xb8, 0x00, 0x10, // round: mov ax, 0x1000
    0x8e, 0xc0, // page: mov es, ax
    0x26, 0x89, 0x0e, 0x00, 0x00, // mov [es:0], cx
    0x05, 0x00, 0x01, // add ax, 0x100
    0x3d, 0x00, 0x90, // cmp ax, 0x9000
    0x72, 0xf1, // jb page
    0xe2, 0xec, // loop round
    0xf4, // hlt
  ]));
  const budget = 1 << 20;
  const rec = new Recorder(m, { interval: 20_000, budgetBytes: budget }).attach();
  let stops = 0, over = 0;
  while (rec.run({ maxInstructions: 3_333 }).reason !== 'halt' && stops < 1_000) {
    stops++;
    if (rec.bytesUsed > budget) over++;
  }
  assert.ok(stops > 50 && rec.startIcount > 0, `${stops} stops, history from ${rec.startIcount}`);
  assert.equal(over, 0, `over the budget at ${over} of ${stops} stops`);
});

test('inputs: keys typed mid-run are logged and replayed; typing after going back replaces the future', () => {
  const m = boot(BIN);
  const rec = new Recorder(m, { interval: 5_000 }).attach();
  rec.run({ maxInstructions: 20_000 });
  rec.typeKeys('ab');
  const q = () => JSON.stringify((m.devices.kbc as unknown as Record<string, unknown>).queue ?? m.devices.saveState().devices.kbc);
  const afterTyping = q();
  rec.run({ maxInstructions: 20_000 });
  const at40k = q();
  rec.seek(19_000);
  rec.seek(20_000);
  assert.equal(q(), afterTyping, 'the keys are back in the queue at the point they were typed');
  rec.seek(40_000);
  assert.equal(q(), at40k);
  assert.equal(rec.inputLog.length, 1);
  rec.seek(10_000);
  rec.typeKeys('c');
  assert.equal(rec.inputLog.length, 1, 'the recorded future (and its input) was replaced');
  assert.equal(rec.frontier, 10_000);
  rec.run({ maxInstructions: 30_000 });
  rec.seek(30_000);
  rec.seek(39_999);
  assert.equal(rec.icount, 39_999);
});

test('reverseContinue to an exception and to a condition', () => {
  const bin = assemble('faults');
  const faulting = bin[506] | (bin[507] << 8), handler = bin[508] | (bin[509] << 8);
  const m = boot(bin);
  const rec = new Recorder(m, { interval: 1_000 }).attach();
  const trace = new Trace(1_000);
  assert.equal(rec.run({ maxInstructions: 10_000, beforeInstruction: (mm) => { trace.capture(mm.cpu); return null; } }).reason, 'halt');
  const end = rec.icount;
  // A fault is delivered in the faulting step: the next position is the handler's first instruction.
  const entries: number[] = [];
  for (let i = 1; i < end; i++) if (trace.pc(i - 1) === faulting) entries.push(i);
  assert.equal(entries.length, 3);
  assert.equal(trace.pc(entries[2]), handler);
  const r = reverseContinue(rec, { exceptions: [6] });
  assert.deepEqual([r.reason, r.icount], ['exception', entries[2]]);
  assert.equal(reverseContinue(rec, { exceptions: true }).icount, entries[1]);
  assert.equal(reverseContinue(rec, { exceptions: [13] }).reason, 'start');
  // A condition (as a conditional breakpoint or an I/O port watch would be): the last time CX was 2.
  rec.seek(end);
  let want = -1;
  for (let i = end - 1; i >= 0; i--) if (trace.set[i] && (trace.at(i)[2 + 1] & 0xffff) === 2) { want = i; break; }
  const c = reverseContinue(rec, { condition: (mm) => mm.cpu.r16[2] === 2 });
  assert.deepEqual([c.reason, c.icount], ['condition', want]);
});

test('HLT waits: seeks into and across halted time replay exactly', () => {
  const m = boot(assemble('halt'));
  const rec = new Recorder(m, { interval: 3_000 }).attach();
  const trace = new Trace(100_000);
  assert.equal(rec.run({ maxInstructions: 100_000, beforeInstruction: (mm) => { trace.capture(mm.cpu); return null; } }).reason, 'halt');
  const end = rec.icount;
  assert.ok(end > 20 * 1_900, `halted time counted: ${end}`);
  let gap = -1;
  for (let i = 100; i < end; i++) if (!trace.set[i]) { gap = i; break; }
  assert.ok(gap > 0, 'some positions are halted time');
  for (const p of [gap + 500, gap, gap - 1, end - 2_500, 17]) {
    assert.equal(rec.seek(p), p);
    assert.equal(m.cpu.halted, !trace.set[p], `halted at ${p}`);
    if (trace.set[p]) assert.deepEqual(rowOf(m.cpu), [...trace.at(p)]);
    const got = new Trace(100_000);
    rec.run({ maxInstructions: 5_000, beforeInstruction: (mm) => { got.capture(mm.cpu); return null; } });
    for (let i = p; i < Math.min(end, p + 5_000); i++) {
      assert.equal(got.set[i], trace.set[i], `executed at ${i} (from ${p})`);
      if (trace.set[i]) assert.deepEqual([...got.at(i)], [...trace.at(i)], `instruction ${i} (from ${p})`);
    }
  }
});

test('HLT waits: reverseContinue to a handler entry reached by waking from HLT (two states of one count)', () => {
  const m = boot(assemble('halt'));
  const rec = new Recorder(m, { interval: 3_000 }).attach();
  assert.equal(rec.run({ maxInstructions: 100_000 }).reason, 'halt');
  const end = rec.icount;
  const timer = m.mem.read16(8 * 4); // the program's IRQ 0 handler (segment 0)
  // A forward run from the start stops at the entry after a wake-up: reverse must agree.
  rec.seek(0);
  m.breakpoints.add(timer);
  assert.equal(rec.run({ maxInstructions: 100_000 }).reason, 'breakpoint');
  assert.equal(m.pcLinear, timer);
  const first = rec.icount;
  m.breakpoints.delete(timer);
  rec.seek(end);
  const r = reverseContinue(rec, { code: [timer] });
  assert.equal(r.reason, 'breakpoint');
  assert.equal(m.pcLinear, timer);
  assert.equal(m.cpu.halted, false);
  const at = r.icount;
  assert.ok(at > first, 'the last of the 20 wake-ups');
  rec.seek(first);
  rec.seek(at);
  assert.equal(m.cpu.halted, true, 'seek(n) shows the state before the delivery: still halted');
  rec.seek(at, timer);
  assert.equal(m.pcLinear, timer, 'seek(n, linear) the state after it');
  rec.run({ maxInstructions: 1 });
  assert.equal(m.pcLinear, timer + 1, 'one step from the entry: PUSH AX executed');
});

test('reverseContinueAsync: the same answer, and cancel goes back to where it started', async () => {
  const { rec, end } = live;
  rec.seek(end);
  const sync = reverseContinue(rec, { code: [L.store_sum] });
  rec.seek(end);
  const a = await reverseContinueAsync(rec, { code: [L.store_sum] });
  assert.deepEqual(a, sync);
  rec.seek(end - 5);
  let polls = 0;
  const seen: number[] = [];
  const c = await reverseContinueAsync(rec, { code: [0x12345] }, { cancelled: () => ++polls >= 3, progress: (at) => seen.push(at) });
  assert.equal(c.reason, 'cancelled');
  assert.equal(rec.icount, end - 5);
  expectRow(end - 5, 'after cancel');
  assert.equal(seen.length, 3, 'progress after each interval scanned');
  assert.ok(seen[0] > seen[1] && seen[1] > seen[2] && seen[0] < end - 5, `scanning backwards: ${seen.join(', ')}`);
});
