// @tier full
// Deoptimization cliffs (issue 22): the recording benchmark's runs, repeated, in a child node with
// --trace-deopt. A compiled block that first takes a path after V8 optimized it (the slow path of a
// store that meets the recording's first write to a page, say) is deoptimized and runs unoptimized
// until V8 optimizes it again with that path's feedback. The stated bound: a block function is only
// ever deoptimized for missing type feedback (a wrong map or a non-Smi would mean its types are
// unstable, which no warm-up settles), never twice at the same place in a run (V8 learnt the path
// the first time: a second would be a deoptimization loop), and after each run's warm-up (its blocks
// compiled and optimized, its first snapshot intervals) at most once in a run. Zero after warm-up
// needs block code whose slow paths do not depend on V8's type feedback (jit/compile.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPS = 10;
const N = 20_000_000;
/** Instructions between snapshots: 200 interval starts per run, each at another point of the loop. */
const INTERVAL = 100_000;
/**
 * Instructions of a run that count as its warm-up. Each run's blocks are new functions, and three
 * first take a path between 4M and 6M in every run (pg and pgs after 4M, f32s's inline REP after 5M,
 * where its fast path's page-flag test is first reached); a second f32s block did so too once in a CI run.
 */
const WARM_UP = 6_000_000;

interface Deopt {
  run: string;
  at: number;
  fn: string;
  reason: string;
  /** Where in the function (V8's bytecode offset). */
  offset: number;
}

test('recording benchmark: block functions are deoptimized only within the stated bound', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-deopt-'));
  try {
    // Bundled like dist/recordBench.js (scripts/build.mjs's options), so V8 sees the product's code.
    const child = join(dir, 'deoptRun.js');
    const script = `require('esbuild').buildSync({ entryPoints: ['test/record/deoptRun.ts'], outfile: ${JSON.stringify(child)},
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', define: { __DEBUG__: 'true' }, logLevel: 'error' })`;
    const b = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const r = spawnSync(process.execPath, ['--trace-deopt', child], {
      encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, REPS: String(REPS), N: String(N), INTERVAL: String(INTERVAL) },
    });
    assert.equal(r.status, 0, r.stderr);
    const deopts: Deopt[] = [];
    let run = '', at = 0, runs = 0;
    for (const line of r.stdout.split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^@@run (.+)$/.exec(line))) [run, at, runs] = [m[1], 0, runs + 1];
      else if ((m = /^@@at (\d+)$/.exec(line))) at = Number(m[1]);
      else if ((m = /^\[bailout \(kind: [^,]+, reason: ([^)]*)\).*<JSFunction (block_\w+).*bytecode offset (\d+)/.exec(line))) {
        deopts.push({ run, at, fn: m[2], reason: m[1], offset: Number(m[3]) });
      }
    }
    assert.equal(runs, REPS * 8, 'every layout ran in every repetition');
    const show = (d: Deopt) => `${d.fn} in run ${d.run} after ${d.at.toLocaleString('en')} instructions: ${d.reason}`;
    const unstable = deopts.filter((d) => !d.reason.startsWith('Insufficient type feedback'));
    assert.deepEqual(unstable.map(show), [], 'block deoptimizations for unstable types');
    const seen = new Set<string>(), again: Deopt[] = [];
    for (const d of deopts) {
      const key = `${d.run} ${d.fn} ${d.offset}`;
      if (seen.has(key)) again.push(d);
      else seen.add(key);
    }
    assert.deepEqual(again.map(show), [], 'block deoptimizations at a place where the run had one already');
    const late = deopts.filter((d) => d.at >= WARM_UP);
    const lateRuns = new Map<string, Deopt[]>();
    for (const d of late) lateRuns.set(d.run, [...lateRuns.get(d.run) ?? [], d]);
    const over = [...lateRuns.values()].filter((ds) => ds.length > 1).flat();
    assert.deepEqual(over.map(show), [], 'runs with more than one block deoptimization after warm-up');
    t.diagnostic(`${deopts.length} block deoptimizations in ${runs} runs, ${late.length} after warm-up${late.length ? `: ${late.map(show).join('; ')}` : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
