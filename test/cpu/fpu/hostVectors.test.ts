// The x87 unit (emulator/cpu/fpu) against an x86 host's FPU: test/cpu/fpu/vectors/host.txt holds
// 4,828 instructions run on real hardware by scripts/x87vectors.mjs (operands from specials,
// denormals, rounding ties, every rounding/precision control, masked and unmasked exceptions).
// Everything but the transcendentals must match bit for bit, status word included; transcendental
// results must be within one unit in the last place (hardware is not correctly rounded) with the
// same status word apart from C1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVectors, runVector, ulps } from './hostRunner';

const vectors = parseVectors(readFileSync(join(__dirname, 'vectors', 'host.txt'), 'utf8'));
const TRANSCENDENTAL = new Set(['sin', 'cos', 'sincos', 'ptan', 'f2xm1', 'yl2x', 'yl2xp1', 'patan']);
const SW_C1 = 0x0200;

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

test('host vectors: exact operations match the hardware bit for bit', () => {
  const exact = vectors.filter((v) => !TRANSCENDENTAL.has(v.op));
  assert.ok(exact.length > 4000);
  const bad: string[] = [];
  for (const v of exact) {
    const [sw, r0, r1] = runVector(v);
    if (sw !== v.sw || r0 !== v.r0 || r1 !== v.r1) bad.push(`${v.line}\n   got ${hex4(sw)} ${r0} ${r1}`);
  }
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${exact.length} differ`);
});

test('host vectors: transcendentals within 1 ulp, status word equal but for C1', () => {
  const trans = vectors.filter((v) => TRANSCENDENTAL.has(v.op));
  assert.ok(trans.length > 400);
  const bad: string[] = [];
  let same = 0;
  for (const v of trans) {
    const [sw, r0, r1] = runVector(v);
    const near = (a: string, b: string): boolean => a === b || (a !== '-' && b !== '-' && ulps(a, b) <= 1);
    if ((sw & ~SW_C1) !== (v.sw & ~SW_C1) || !near(r0, v.r0) || !near(r1, v.r1)) bad.push(`${v.line}\n   got ${hex4(sw)} ${r0} ${r1}`);
    if (r0 === v.r0 && r1 === v.r1) same++;
  }
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${trans.length} differ`);
  // Most results agree exactly; a drop would mean an accuracy regression, not hardware noise.
  assert.ok(same / trans.length > 0.9, `only ${same} of ${trans.length} exact`);
});
