// @tier full
// Robustness: seeded random byte streams run as code in 16/32-bit protected mode at CPL 0 and 3,
// in vm86 and with paging, for a bounded number of instructions. run() must never throw and never
// hang, whatever descriptors, gates, TSSes and page tables the bytes produce. Every delivery that
// faults must name the rule that fired (emulator/cpu/faultRules.ts): each fault chain is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCpu } from '../../emulator/cpu/execute';
import type { FaultLink } from '../../emulator/cpu/faultChain';
import { SEEDS, setup, type Mode } from './fuzzSetup';

/** Runs every seed of a mode (the budget itself is checked in protected.test.ts). */
function fuzzMode(model: '80386' | '80286', mode: Mode, budget: number): number {
  let total = 0, chains = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const cpu = setup(mode, seed * 7919 + mode.length, model);
    const before = cpu.icount;
    // A new chain is complete by the next delivery (or the end of the run): check it then.
    let seen: readonly FaultLink[] = cpu.faultChain;
    const check = () => {
      if (cpu.faultChain === seen) return;
      seen = cpu.faultChain;
      chains++;
      for (const l of seen) if (l.raised) assert.ok(l.rule, `seed ${seed}: delivering vector ${l.vector} raised ${l.raised.vector} without a rule`);
    };
    cpu.onInterrupt = check;
    assert.doesNotThrow(() => { runCpu(cpu, budget); }, `seed ${seed}`);
    check();
    total += cpu.icount - before;
  }
  assert.ok(total > SEEDS * 100, `only ${total} instructions ran`);
  return chains;
}

const RUNS: ['80386' | '80286', Mode][] = [
  ['80386', 'pm32'], ['80386', 'pm16'], ['80386', 'ring3'], ['80386', 'vm86'], ['80386', 'paging'], ['80286', 'pm16'],
];

let chains = 0;
for (const [model, mode] of RUNS) {
  test(`fuzz ${model} ${mode}: run() never throws and stops; faulting deliveries name their rule`, () => {
    chains += fuzzMode(model, mode, 3000);
  });
}
test('the fuzzing made deliveries fault (the rule check above saw chains)', () => {
  assert.ok(chains > 0, 'no fault chain in any mode');
});
