// @tier full
// Protected mode, vm86, task switches and paging proven against QEMU and Bochs: every fixture's
// port 0xE9 text must be identical under the references and Bootscope (see harness.ts and
// README.md). pm_*/pm16_* fixtures are compared with QEMU and Bochs; sdm_* fixtures hold cases
// where QEMU departs from the SDM and are compared with Bochs only.
// Fixtures named pm16_* use only 80286 features and must match on the 80286 model too; *x87* fixtures
// run with an 80387 (`fpu: '387'`). m486_* run on the 80486 model against QEMU's `-cpu 486` (Bochs
// has no 486 model); p5_* and sdm_p5_* on the Pentium model against `-cpu pentium` and Bochs's
// `model=pentium`; p6_* on the Pentium II model against `-cpu pentium2` (Bochs's Pentium II, its
// p2_klamath, has no FXSAVE); each model with its integrated FPU.
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

/** The models a fixture runs on, and the CPU model each reference is given (its default: none). */
function plan(name: string): { models: CpuModel[]; qemuCpu?: string; bochsCpu?: string; refs: Ref[] } {
  const refs: Ref[] = name.startsWith('sdm_') ? ['bochs'] : name.startsWith('m486_') || name.startsWith('p6_') ? ['qemu'] : ['qemu', 'bochs'];
  if (name.startsWith('m486_')) return { models: ['80486'], qemuCpu: '486', refs };
  if (name.startsWith('p6_')) return { models: ['pentium2'], qemuCpu: 'pentium2', refs };
  if (name.startsWith('p5_') || name.startsWith('sdm_p5_')) return { models: ['pentium'], qemuCpu: 'pentium', bochsCpu: 'pentium', refs };
  return { models: name.startsWith('pm16_') ? ['80386', '80286'] : ['80386'], refs };
}

for (const name of names) {
  const { models, qemuCpu, bochsCpu, refs: all } = plan(name);
  const refs = all.filter((r) => !optedOut(r));
  const skip = !nasm ? 'nasm missing'
    : refs.length === 0 ? `every reference left out (${name.startsWith('sdm_') ? '' : 'BOOTSCOPE_SKIP_QEMU=1, '}BOOTSCOPE_SKIP_BOCHS=1)`
      : false;
  test(`${name}: Bootscope (${models.join(', ')}) matches ${refs.join(' and ') || 'the reference'} on port 0xE9`, { skip }, () => {
    for (const ref of refs) assert.equal(missing[ref], null, `${missing[ref]}; ${OPT_OUT[ref]}=1 leaves ${ref} out`);
    const bin = assemble(name);
    for (const ref of refs) {
      const expected = ref === 'qemu' ? runQemu(bin, undefined, qemuCpu) : runBochs(bin, { cpuModel: bochsCpu });
      assert.ok(expected.endsWith('END\n'), `${ref} did not finish ${name}:\n${expected}`);
      for (const model of models) {
        const emu = runBootscope(bin, model, undefined, name.includes('x87') || undefined);
        assert.equal(emu.text, expected, `${model} differs from ${ref}`);
        assert.ok(emu.stopped, `${model} did not reach the exit port`);
      }
    }
  });
}
