// @tier full
// Differential fuzzing against Bochs (bochsFuzz.ts): a fixed set of seeded programs, each packing
// many random protected-mode, ring 3, vm86, paging and task-switch cases, must print the same port
// 0xE9 text under Bochs and Bootscope. A divergence fails with its seed and a one-case NASM
// reproduction. Longer campaigns: scripts/bochsFuzz.mjs. BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out, as in differential.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleSource, bochsMissing, haveTool, runBootscope } from './harness';
import { CASES_PER_PROGRAM, OP, fuzzProgram, generateCases, programSource } from './bochsFuzz';

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

// The same families on the Pentium model (its integrated FPU, CPUID, CR0/CR4 bits and alignment
// checking in place of the default core's) against Bochs's `model=pentium`, on seeds of their own.
const PENTIUM_SEEDS = [101, 110];
test(`Bochs fuzzer: ${PENTIUM_SEEDS[1] - PENTIUM_SEEDS[0] + 1} programs on the Pentium model match Bochs model=pentium`, { skip }, () => {
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  for (let seed = PENTIUM_SEEDS[0]; seed <= PENTIUM_SEEDS[1]; seed++) {
    const d = fuzzProgram(seed, CASES_PER_PROGRAM, true);
    assert.ok(d === null, d ? `seed ${seed} case ${d.index} diverges.\nBochs:\n${d.bochs}\nBootscope:\n${d.bootscope}\n` +
      `Reproduction (nasm -f bin -I test/pm/fixtures/):\n${d.repro}` : '');
  }
});

// A generator whose cases all fault at their first check would still match Bochs: each family
// (ring 3, vm86, task switch, paging included) must also run to its report without a fault.
test('Bochs fuzzer: every case family runs to its end in the fixed seeds', { skip: haveTool('nasm') ? false : 'nasm missing' }, () => {
  const completed = new Set<number>();
  for (let seed = 1; seed <= 6; seed++) {
    const bin = assembleSource(programSource(generateCases(seed, CASES_PER_PROGRAM)), `bochsfuzz-${seed}`);
    let faulted = false;
    for (const line of runBootscope(bin).text.split('\n')) {
      if (line.startsWith('EXC')) faulted = true;
      if (!line.startsWith('#')) continue;
      if (!faulted) completed.add(parseInt(line.split(' ')[1], 16));
      faulted = false;
    }
  }
  for (const [name, op] of Object.entries(OP)) assert.ok(completed.has(op), `no ${name} case ran to its end`);
});
