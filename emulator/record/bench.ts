// Benchmark hook for `npm run bench`: runs a machine with recording on and reports the time and
// what the recording holds, so test/bench/run.ts can print the overhead against a plain run.
// Pure TypeScript (performance.now is a global in Node and browsers).

import type { Machine, StopInfo } from '../machine';
import { Recorder, type RecorderOptions } from './recorder';

export interface RecordedRun {
  seconds: number;
  stop: StopInfo;
  icount: number;
  snapshots: number;
  bytesUsed: number;
  /** Notices of dropped history (budget reached). */
  drops: number;
  recorder: Recorder;
}

/** Attaches a Recorder to `m` (already loaded) and runs it for up to maxInstructions. */
export function runRecorded(m: Machine, opts: { maxInstructions: number } & RecorderOptions): RecordedRun {
  let drops = 0;
  const rec = new Recorder(m, { ...opts, onDrop: (n) => { drops++; opts.onDrop?.(n); } }).attach();
  const t0 = performance.now();
  const stop = rec.run({ maxInstructions: opts.maxInstructions });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, stop, icount: m.cpu.icount, snapshots: rec.snapshotCount, bytesUsed: rec.bytesUsed, drops, recorder: rec };
}
