// The recording's adaptive snapshot interval (about 8 ms of execution) under a clock this test
// controls: time is a function of the instruction count (a machine that runs a steady 100 million
// instructions a second), plus a pause of the test's choosing, so the interval the recorder picks is
// deterministic. It must settle near 8 ms × 100,000 instructions/ms = 800,000 however short the
// first interval is, and one slow stretch (a GC pause, other load on the host) must not collapse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { Recorder } from '../../emulator/record/recorder';
import { assembleBench } from '../bench/benchAsm';

const PER_MS = 100_000;

function withClock<T>(now: () => number, f: () => T): T {
  const real = performance.now;
  performance.now = now;
  try {
    return f();
  } finally {
    performance.now = real;
  }
}

function recordedMachine(): { m: Machine; rec: Recorder } {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(assembleBench([]), 0);
  return { m, rec: new Recorder(m).attach() };
}

test('adaptive interval: settles near the replay target at a steady speed, from its short first guess', () => {
  const { m, rec } = recordedMachine();
  withClock(() => m.cpu.icount / PER_MS, () => rec.run({ maxInstructions: 20_000_000 }));
  assert.ok(rec.interval >= 700_000 && rec.interval <= 800_000, `interval ${rec.interval}`);
  // 20 M instructions: tens of snapshots once settled, not one per 50,000 instructions.
  assert.ok(rec.snapshotCount < 80, `${rec.snapshotCount} snapshots`);
});

test('adaptive interval: one slow stretch at most halves it, and it recovers', () => {
  const { m, rec } = recordedMachine();
  // 200 ms go by inside the stretch of execution that passes instruction 15,050,000 (as if the
  // process were descheduled there).
  const PAUSE_AT = 15_050_000;
  withClock(() => m.cpu.icount / PER_MS + (m.cpu.icount >= PAUSE_AT ? 200 : 0), () => {
    rec.run({ maxInstructions: 15_000_000 });
    const settled = rec.interval;
    assert.ok(settled >= 700_000, `interval ${settled} before the pause`);
    rec.run({ maxInstructions: 5_000_000 });
    assert.ok(rec.interval >= settled / 2 - 10_000, `interval ${rec.interval} after the pause, ${settled} before`);
    rec.run({ maxInstructions: 25_000_000 });
    assert.ok(rec.interval >= 700_000, `interval ${rec.interval} recovered`);
  });
});

test('adaptive interval: a clock the host gives (its CPU time) is used instead of wall time', () => {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(assembleBench([]), 0);
  // A loaded host: each machine's instructions take ten times as long in wall time as in its own time.
  const rec = new Recorder(m, { clock: () => m.cpu.icount / PER_MS }).attach();
  const loaded = recordedMachine();
  withClock(() => ((m.cpu.icount + loaded.m.cpu.icount) / PER_MS) * 10, () => {
    rec.run({ maxInstructions: 20_000_000 });
    loaded.rec.run({ maxInstructions: 20_000_000 });
  });
  assert.ok(rec.interval >= 700_000 && rec.interval <= 800_000, `interval ${rec.interval} on the host's clock`);
  assert.ok(loaded.rec.interval < 100_000, `interval ${loaded.rec.interval} on the loaded wall clock`);
});
