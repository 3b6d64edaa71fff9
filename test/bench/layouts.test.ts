// The benchmark's layouts (benchAsm.ts) do what `npm run bench` divides by: each one reaches its
// completion signal in the mode it names (protected mode, 32-bit code, paging), and one more outer
// iteration costs exactly the instructions bench.asm's header derives — 3 + 54 × INNER in
// Bootscope's count, where each REP element counts (3 + 44 × INNER with a REP instruction once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CR0_PE, CR0_PG } from '../../emulator/cpu/regs';
import { Machine } from '../../emulator/machine';
import { assembleBench, BENCH_LAYOUTS } from './benchAsm';

const INNER = 100;

function run(defines: string[]): Machine {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(assembleBench(defines), 0);
  const stop = m.run({ maxInstructions: 10_000_000 });
  assert.equal(stop.reason, 'halt', `${defines.join(' ')}: ${stop.detail}`);
  return m;
}

for (const layout of BENCH_LAYOUTS) {
  test(`bench layout ${layout.name} (${layout.what}): completes in its mode with the loop count bench.asm derives`, () => {
    const two = run([...layout.defines, '-DOUTER=2', `-DINNER=${INNER}`]);
    const three = run([...layout.defines, '-DOUTER=3', `-DINNER=${INNER}`]);
    for (const m of [two, three]) assert.equal(m.devices.output().debugText, 'D', 'the self-check passed');
    assert.equal(three.cpu.icount - two.cpu.icount, 3 + 54 * INNER);
    const cpu = three.cpu;
    const pm = layout.defines.some((d) => d.startsWith('-DPM'));
    assert.equal((cpu.cr0 & CR0_PE) !== 0, pm, 'CR0.PE');
    assert.equal((cpu.cr0 & CR0_PG) !== 0, layout.defines.includes('-DPAGING'), 'CR0.PG');
    assert.equal(cpu.code32 === 1, layout.defines.includes('-DPM32'), '32-bit code');
    const quick = run([...layout.defines, '-DQUICK']);
    assert.equal(quick.devices.output().debugText, 'D');
    assert.ok(quick.cpu.icount < (layout.defines.includes('-DPAGING') ? 3000 : 100), `QUICK exits after the mode switch (${quick.cpu.icount})`);
  });
}
