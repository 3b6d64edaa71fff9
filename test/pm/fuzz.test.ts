// @tier full
// Robustness: seeded random byte streams run as code in 16/32-bit protected mode at CPL 0 and 3,
// in vm86 and with paging, for a bounded number of instructions. run() must never throw and never
// hang, whatever descriptors, gates, TSSes and page tables the bytes produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCpu } from '../../emulator/cpu/execute';
import { SEEDS, setup, type Mode } from './fuzzSetup';

/** Runs every seed of a mode (the budget itself is checked in protected.test.ts). */
function fuzzMode(model: '80386' | '80286', mode: Mode, budget: number): void {
  let total = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const cpu = setup(mode, seed * 7919 + mode.length, model);
    const before = cpu.icount;
    assert.doesNotThrow(() => { runCpu(cpu, budget); }, `seed ${seed}`);
    total += cpu.icount - before;
  }
  assert.ok(total > SEEDS * 100, `only ${total} instructions ran`);
}

const RUNS: ['80386' | '80286', Mode][] = [
  ['80386', 'pm32'], ['80386', 'pm16'], ['80386', 'ring3'], ['80386', 'vm86'], ['80386', 'paging'], ['80286', 'pm16'],
];

for (const [model, mode] of RUNS) {
  test(`fuzz ${model} ${mode}: run() never throws and stops`, () => {
    fuzzMode(model, mode, 3000);
  });
}
