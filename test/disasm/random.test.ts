// The disassembler against ndisasm on seeded pseudo-random byte streams, 16- and 32-bit: every line
// where both start an instruction at the same address must agree on length, mnemonic and text; where
// they do not, the divergence must be one of the classified ones in ndisasm.ts (after which both
// resynchronise at the next common address). (Never-throws over every model: decoder.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithNdisasm, haveNdisasm, randomBytes } from './ndisasm';

const skip = process.env.BOOTSCOPE_SKIP_NDISASM === '1' || !haveNdisasm() ? 'ndisasm unavailable' : false;
const SEEDS = [1, 2, 3, 4, 5, 6];
const SIZE = 16384;

for (const bits of [16, 32] as const) {
  test(`random byte streams agree with ndisasm (${bits}-bit, seeds ${SEEDS.join(',')})`, { skip }, (t) => {
    let lines = 0, aligned = 0, exact = 0;
    const accepted: Record<string, number> = {};
    const failures: string[] = [], textDiffs: string[] = [];
    for (const seed of SEEDS) {
      const c = compareWithNdisasm(randomBytes(seed * 0x9e3779b1, SIZE), bits, 0);
      lines += c.ndLines;
      aligned += c.aligned;
      exact += c.exact;
      for (const [k, v] of Object.entries(c.accepted)) accepted[k] = (accepted[k] ?? 0) + v;
      failures.push(...c.failures);
      textDiffs.push(...c.textDiffs);
    }
    const acc = Object.values(accepted).reduce((a, b) => a + b, 0);
    t.diagnostic(`${lines} ndisasm lines, ${aligned} at common boundaries, ${exact} exact ` +
      `(${((100 * exact) / lines).toFixed(2)}% of all, ${((100 * exact) / aligned).toFixed(2)}% of aligned); ` +
      `accepted divergences ${JSON.stringify(accepted)}`);
    assert.deepEqual(failures.slice(0, 20), []);
    assert.deepEqual(textDiffs.slice(0, 20), []);
    assert.ok(acc <= lines * 0.03, `accepted divergences ${acc} of ${lines}`);
  });
}
