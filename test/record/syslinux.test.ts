// Replay determinism on a real loader with the built-in BIOS: the syslinux image (MBR → VBR →
// ldlinux.sys, protected mode, BIOS disk reads and timer interrupts) recorded for a few million
// instructions; seeks back must reproduce the CPU state and a RAM checksum at every sample point
// and the per-instruction trace of windows traced during the live run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Bios } from '../../emulator/bios/bios';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine } from '../../emulator/machine';
import { Recorder } from '../../emulator/record/recorder';
import { missingTools, syslinuxImage } from '../boot/images';
import { ROW, Trace, rowOf } from './harness';

const missing = missingTools('syslinux');

function ramSum(m: Machine): number {
  const r = m.mem.ram;
  let h = 0x811c9dc5;
  for (let i = 0; i < 0x200000; i += 4) h = Math.imul(h ^ (r[i] | (r[i + 1] << 8) | (r[i + 2] << 16) | (r[i + 3] << 24)), 16777619);
  return h >>> 0;
}

test('syslinux: seeks back and replays reproduce the live run', { skip: missing ?? false }, () => {
  const disk = new DiskImage(new Uint8Array(readFileSync(syslinuxImage())), { kind: 'hard', name: 'syslinux' });
  const m = new Machine({ cpu: '80386', memoryMB: 32, hardDisks: [disk] });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  const rec = new Recorder(m, { interval: 40_000, extraState: [bios] }).attach();
  const STEP = 50_000, TOTAL = 3_000_000;
  const samples = new Map<number, { row: number[]; sum: number }>();
  const windows = [400_000, 1_650_000, 2_900_000];
  const trace = new Trace(TOTAL + 1);
  while (m.cpu.icount < TOTAL) {
    const c = m.cpu.icount;
    const w = windows.find((x) => x >= c && x < c + STEP);
    if (w !== undefined) {
      if (w > c) rec.run({ maxInstructions: w - c });
      rec.run({ maxInstructions: 3_000, beforeInstruction: (mm) => { trace.capture(mm.cpu); return null; } });
    }
    const next = (Math.floor(m.cpu.icount / STEP) + 1) * STEP;
    const s = rec.run({ maxInstructions: next - m.cpu.icount });
    assert.equal(s.reason, 'max', `${s.reason} ${s.detail ?? ''} at ${m.cpu.icount}`);
    samples.set(m.cpu.icount, { row: rowOf(m.cpu), sum: ramSum(m) });
  }
  assert.ok(m.cpu.cr0 & 1 || [...samples.values()].some((x) => x.row[12] & 1), 'reached protected mode');
  for (const p of [2_950_000, 1_200_000, 50_000, 2_000_000]) {
    rec.seek(p);
    for (let q = p; q <= Math.min(TOTAL, p + 300_000); q += STEP) {
      rec.seek(q);
      const want = samples.get(q)!;
      assert.deepEqual(rowOf(m.cpu), want.row, `state at ${q} (replayed from before ${p})`);
      assert.equal(ramSum(m), want.sum, `RAM at ${q}`);
    }
  }
  assert.ok(trace.set.reduce((a, b) => a + b, 0) >= 8_000, 'the windows were traced');
  for (const w of windows) {
    rec.seek(w);
    const got = new Trace(TOTAL + 1);
    rec.run({ maxInstructions: 3_000, beforeInstruction: (mm) => { got.capture(mm.cpu); return null; } });
    for (let i = w; i < w + 3_000; i++) {
      if (!trace.set[i]) continue;
      assert.deepEqual([...got.at(i)], [...trace.at(i)], `trace at ${i}`);
    }
  }
  assert.equal(ROW, 13);
});
