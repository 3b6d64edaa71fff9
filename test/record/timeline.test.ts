// The Timeline panel's data (emulator/debug/timeline.ts) from a recording: mode spans, hardware interrupts,
// breakpoint hits and exceptions, each at a position that a seek reaches, and the thinning for drawing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketEvents, buildTimeline } from '../../emulator/debug/timeline';
import { Recorder } from '../../emulator/record/recorder';
import { assemble, boot, labels } from './harness';

function recordToHalt(bin: Uint8Array): Recorder {
  const m = boot(bin);
  const rec = new Recorder(m, { interval: 20_000 }).attach();
  rec.run({ maxInstructions: 5_000_000 });
  assert.ok(m.cpu.halted, 'the program ends in HLT');
  return rec;
}

test('work.asm: pm16 spans per protected-mode trip, one event per timer tick, breakpoint hits where the code is', () => {
  const bin = assemble('work', ['-DITER=40']);
  const at = labels(bin);
  const rec = recordToHalt(bin);
  const m = rec.machine;
  const word = (a: number) => m.mem.read8(a) | (m.mem.read8(a + 1) << 8);
  const end = m.cpu.icount;
  const t = buildTimeline(rec, 'unrestricted', [at.store_sum]);
  assert.equal(t.first, 0);
  assert.equal(t.last, end);
  const pm = t.modes.filter((s) => s.value === 'pm16');
  assert.equal(pm.length, 10, 'every fourth of 40 iterations goes to protected mode');
  assert.ok(t.modes.every((s, i) => i === 0 || s.from === t.modes[i - 1].to), 'spans are contiguous');
  assert.equal(t.modes[t.modes.length - 1].to, end);
  const irqs = t.events.filter((e) => e.kind === 'interrupt');
  assert.ok(irqs.length > 5, `timer interrupts: ${irqs.length}`);
  assert.equal(irqs.length, word(at.ticks), 'one event per INT 08h the handler counted');
  assert.ok(irqs.every((e) => e.label === 'hardware interrupt → INT 08h'));
  const hits = t.events.filter((e) => e.kind === 'breakpoint');
  assert.equal(hits.length, 40);
  // Each position is one a click can travel to: there the CPU is about to run the breakpoint's instruction.
  for (const e of [hits[0], hits[17], hits[39]]) {
    assert.equal(rec.seek(e.at), e.at);
    assert.equal(m.pcLinear, at.store_sum);
  }
  // Thinning keeps every tick's count: 40 hits in 4 buckets are 4 ticks standing for 40.
  const thin = bucketEvents({ ...t, events: hits }, 4);
  assert.equal(thin.length, 4);
  assert.equal(thin.reduce((n, e) => n + e.count, 0), 40);
});

test('ud.asm: each #UD is an exception event at its UD2, and the pass leaves the recording intact', () => {
  const bin = assemble('ud');
  const rec = recordToHalt(bin);
  const m = rec.machine;
  const end = m.cpu.icount;
  const t = buildTimeline(rec, 'raw');
  const exc = t.events.filter((e) => e.kind === 'exception');
  assert.equal(exc.length, 3);
  for (const e of exc) {
    assert.match(e.label, /^#UD invalid opcode at 0000:7C/);
    rec.seek(e.at);
    assert.deepEqual([m.mem.read8(m.pcLinear), m.mem.read8(m.pcLinear + 1)], [0x0f, 0x0b], `UD2 at ${e.label}`);
  }
  assert.equal(rec.seek(end), end);
  assert.ok(m.cpu.halted);
});
