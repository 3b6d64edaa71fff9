// @tier full
// Differential fuzzing against Bochs (bochsFuzz.ts): a fixed set of seeded programs, each packing
// many random protected-mode, ring 3, vm86, paging and task-switch cases, must print the same port
// 0xE9 text under Bochs and Bootscope. A divergence fails with its seed and a one-case NASM
// reproduction. The programs run in batches, as the campaigns do (fuzzBatch); a case that Bochs 2.7
// is known to get wrong, put in the middle of a batch, proves that a batch still finds the program
// and the case. Longer campaigns: scripts/bochsFuzz.mjs. BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out, as in differential.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleSource, bochsMissing, haveTool, runBochs, runBootscope } from './harness';
import { CASES_PER_PROGRAM, OP, type Divergence, type FuzzCase, assemblePrograms, batchTexts, fuzzBatch, generateCases, programSource } from './bochsFuzz';

const PROGRAMS = 20;
const skip = !haveTool('nasm') ? 'nasm missing' : process.env.BOOTSCOPE_SKIP_BOCHS === '1' ? 'BOOTSCOPE_SKIP_BOCHS=1' : false;

const seeded = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ seed: first + i, cases: generateCases(first + i, CASES_PER_PROGRAM) }));
const agree = (d: Divergence | null): void => assert.ok(d === null, d ? `seed ${d.seed} case ${d.index} diverges.\nBochs:\n${d.bochs}\n` +
  `Bootscope:\n${d.bootscope}\nReproduction (nasm -f bin -I test/pm/fixtures/):\n${d.repro}` : '');

test(`Bochs fuzzer: ${PROGRAMS} programs of ${CASES_PER_PROGRAM} random protected-mode, ring 3, vm86, paging and task cases match Bochs`, { skip }, async () => {
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  (await fuzzBatch(seeded(1, PROGRAMS))).forEach(agree);
});

// The same families on the Pentium model (its integrated FPU, CPUID, CR0/CR4 bits and alignment
// checking in place of the default core's) against Bochs's `model=pentium`, on seeds of their own.
const PENTIUM_SEEDS = [101, 110];
test(`Bochs fuzzer: ${PENTIUM_SEEDS[1] - PENTIUM_SEEDS[0] + 1} programs on the Pentium model match Bochs model=pentium`, { skip }, async () => {
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  (await fuzzBatch(seeded(PENTIUM_SEEDS[0], PENTIUM_SEEDS[1] - PENTIUM_SEEDS[0] + 1), true)).forEach(agree);
});

// IRETD to ring 3 whose new SS is not present: Bochs 2.7 raises #NP, the SDM and Bootscope #SS
// (README.md "Where Bochs (2.7) is not the reference"). In case 40 of the third of five programs.
const IRET_NP_SS: FuzzCase = {
  what: 'ring3 iretd to a not-present SS',
  lines: ['DESC 0x110000, 0xfff, 0x72, 0x4', 'dq 0', 'dd 0x800', 'dw 0x1b, 10', 'GATE ABS(fuzz_back), 0x08, 0xee, 0', 'dd 0x2', 'dw 0x53, 0x23', 'dd 0, 0'],
};
test('Bochs fuzzer: a batch finds a divergence in its middle program and names that seed and case', { skip }, async () => {
  const missing = bochsMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_BOCHS=1 leaves Bochs out`);
  const programs = seeded(1, 5);
  programs[2].cases[40] = IRET_NP_SS;
  const { bochs, bootscope } = await batchTexts(programs);
  assert.equal(bochs.length, 5, 'Bochs ran every program of the batch');
  for (const i of [0, 1, 3, 4]) assert.equal(bootscope[i], bochs[i], `program ${i} agrees`);
  assert.notEqual(bootscope[2], bochs[2], 'Bochs 2.7 raises #NP here; a Bochs that raises #SS needs another known difference for this test');
  const results = await fuzzBatch(programs);
  for (const i of [0, 1, 3, 4]) agree(results[i]);
  const d = results[2];
  assert.ok(d !== null);
  assert.deepEqual([d.seed, d.index], [3, 40]);
  assert.match(d.bochs, /^EXC v=000B e=00000050 /);
  assert.match(d.bootscope, /^EXC v=000C e=00000050 /);
  assert.ok(d.repro.includes('seed 3, case 40 of 80') && !d.repro.includes('batch'), d.repro);
});

// A generator whose cases all fault at their first check would still match Bochs: each family
// (ring 3, vm86, task switch, paging included) must also run to its report without a fault.
// A campaign beside busy helpers once reported Bochs's text cut short by its timeout as a divergence
// (seeds 400016 and 400019, which agree on an idle machine): a killed Bochs is no text to compare.
test('a Bochs run its timeout kills before END is an error saying so, after one run with twice the time', { skip }, () => {
  const bin = assembleSource('org 0x7c00\nmov al, 0x78\nout 0xe9, al\njmp $\n', 'bochs-loops');
  assert.throws(() => runBochs(bin, { bare: [], timeoutMs: 1500 }), /bochs did not finish in 3 s \(.*\) after 0 of 1 END lines; its text ends: "x"/);
});

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

// A batch assembles its programs in one nasm run: each image must be the program assembled alone.
test('Bochs fuzzer: a batch assembles each program as programSource assembles it alone', { skip: haveTool('nasm') ? false : 'nasm missing' }, () => {
  const programs = seeded(30, 4);
  programs[1].cases = programs[1].cases.slice(0, 7);
  assemblePrograms(programs).forEach((image, i) =>
    assert.deepEqual(image, assembleSource(programSource(programs[i].cases), `bochsfuzz-${programs[i].seed}`), `program ${i}`));
});
