// @tier full
// Differential fuzzing against Bochs (bochsFuzz.ts): a fixed set of seeded programs, each packing
// many random protected-mode, ring 3, vm86, paging and task-switch cases, must print the same port
// 0xE9 text under Bochs and Bootscope. A divergence fails with its seed and a one-case NASM
// reproduction. Longer campaigns: scripts/bochsFuzz.mjs. BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out, as in differential.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bochsMissing, haveTool } from './harness';
import { CASES_PER_PROGRAM, fuzzProgram } from './bochsFuzz';

const PROGRAMS = 20;
const skip = !haveTool('nasm') ? 'nasm missing' : process.env.BOOTSCOPE_SKIP_BOCHS === '1' ? 'BOOTSCOPE_SKIP_BOCHS=1' : false;

test(`Bochs fuzzer: ${PROGRAMS} programs of ${CASES_PER_PROGRAM} random protected-mode, ring 3, vm86, paging and task cases match Bochs`, { skip }, () => {
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  for (let seed = 1; seed <= PROGRAMS; seed++) {
    const d = fuzzProgram(seed);
    assert.ok(d === null, d ? `seed ${seed} case ${d.index} diverges.\nBochs:\n${d.bochs}\nBootscope:\n${d.bootscope}\n` +
      `Reproduction (nasm -f bin -I test/pm/fixtures/):\n${d.repro}` : '');
  }
});
