// @tier full
// Protected mode, vm86, task switches and paging proven against QEMU and Bochs: every fixture's
// port 0xE9 text must be identical under the references and Bootscope (see harness.ts and
// README.md). pm_*/pm16_* fixtures are compared with QEMU and Bochs; sdm_* fixtures hold cases
// where QEMU departs from the SDM and are compared with Bochs only.
// Fixtures named pm16_* use only 80286 features and must match on the 80286 model too; *x87* fixtures
// run with an 80387 (`fpu: '387'`).
// A missing reference fails its tests: only BOOTSCOPE_SKIP_BOCHS=1 / BOOTSCOPE_SKIP_QEMU=1 leave
// one out, so a machine without it cannot pass silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { CpuModel } from '../../emulator/cpu/cpu';
import { FIXTURES, assemble, bochsMissing, haveTool, runBochs, runBootscope, runQemu } from './harness';

type Ref = 'qemu' | 'bochs';
const OPT_OUT: Record<Ref, string> = { qemu: 'BOOTSCOPE_SKIP_QEMU', bochs: 'BOOTSCOPE_SKIP_BOCHS' };
const optedOut = (ref: Ref): boolean => process.env[OPT_OUT[ref]] === '1';
const missing: Record<Ref, string | null> = {
  qemu: haveTool('qemu-system-i386') ? null : 'qemu-system-i386 is not installed (apt-get install qemu-system-x86)',
  bochs: bochsMissing(),
};
const nasm = haveTool('nasm');
const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

for (const name of names) {
  const models: CpuModel[] = name.startsWith('pm16_') ? ['80386', '80286'] : ['80386'];
  const refs = (name.startsWith('sdm_') ? ['bochs'] as Ref[] : ['qemu', 'bochs'] as Ref[]).filter((r) => !optedOut(r));
  const skip = !nasm ? 'nasm missing'
    : refs.length === 0 ? `every reference left out (${name.startsWith('sdm_') ? '' : 'BOOTSCOPE_SKIP_QEMU=1, '}BOOTSCOPE_SKIP_BOCHS=1)`
      : false;
  test(`${name}: Bootscope (${models.join(', ')}) matches ${refs.join(' and ') || 'the reference'} on port 0xE9`, { skip }, () => {
    for (const ref of refs) assert.equal(missing[ref], null, `${missing[ref]}; ${OPT_OUT[ref]}=1 leaves ${ref} out`);
    const bin = assemble(name);
    for (const ref of refs) {
      const expected = ref === 'qemu' ? runQemu(bin) : runBochs(bin);
      assert.ok(expected.endsWith('END\n'), `${ref} did not finish ${name}:\n${expected}`);
      for (const model of models) {
        const emu = runBootscope(bin, model, undefined, name.includes('x87'));
        assert.equal(emu.text, expected, `${model} differs from ${ref}`);
        assert.ok(emu.stopped, `${model} did not reach the exit port`);
      }
    }
  });
}
