// host/v8Flags.ts: Bootscope's own processes run without on-stack replacement (V8 optimizes a
// function for its next call, never in the middle of a running loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { tuneV8 } from '../../host/v8Flags';

/** Whether a loop of `n` rounds, in a function called once, ever ran in optimized code (OSR). */
function loopWentOptimized(n: number): boolean {
  // V8's status bit "the topmost frame of the function runs TurboFan code" (%GetOptimizationStatus).
  const topmostTurbofanned = 1 << 12;
  const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
  const spin = new Function('status', 'n', `let s = 0, seen = 0;
    for (let i = 0; i < n; i++) { s = (s + i) | 0; if ((i & 0xffff) === 0) seen |= status(arguments.callee); }
    return seen;`) as (status: (f: unknown) => number, n: number) => number;
  return (spin(status, n) & topmostTurbofanned) !== 0;
}

test('tuneV8: a long loop is no longer replaced by optimized code while it runs', () => {
  setFlagsFromString('--allow-natives-syntax');
  assert.ok(loopWentOptimized(20_000_000), 'with V8 defaults the loop goes optimized mid-run (the probe works)');
  tuneV8();
  assert.ok(!loopWentOptimized(20_000_000));
});
