// Protected mode, vm86, task switches and paging proven against QEMU and Bochs: every fixture's
// port 0xE9 text must be identical under the references and Bootscope (see harness.ts and
// README.md). pm_*/pm16_* fixtures are compared with QEMU, and with Bochs when it is installed;
// sdm_* fixtures hold cases where QEMU departs from the SDM and are compared with Bochs only.
// Fixtures named pm16_* use only 80286 features and must match on the 80286 model too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { CpuModel } from '../../emulator/cpu/cpu';
import { FIXTURES, assemble, haveBochs, haveTool, runBochs, runBootscope, runQemu } from './harness';

const nasm = haveTool('nasm');
const qemu = haveTool('qemu-system-i386');
const bochs = haveBochs();
const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

for (const name of names) {
  const models: CpuModel[] = name.startsWith('pm16_') ? ['80386', '80286'] : ['80386'];
  const bochsOnly = name.startsWith('sdm_');
  const refs = bochsOnly ? (bochs ? ['bochs'] : []) : [...(qemu ? ['qemu'] : []), ...(bochs ? ['bochs'] : [])];
  const skip = !nasm ? 'nasm missing' : refs.length === 0 ? (bochsOnly ? 'bochs missing' : 'qemu-system-i386 missing') : false;
  test(`${name}: Bootscope (${models.join(', ')}) matches ${refs.join(' and ') || 'the reference'} on port 0xE9`, { skip }, () => {
    const bin = assemble(name);
    for (const ref of refs) {
      const expected = ref === 'qemu' ? runQemu(bin) : runBochs(bin);
      assert.ok(expected.endsWith('END\n'), `${ref} did not finish ${name}:\n${expected}`);
      for (const model of models) {
        const emu = runBootscope(bin, model);
        assert.equal(emu.text, expected, `${model} differs from ${ref}`);
        assert.ok(emu.stopped, `${model} did not reach the exit port`);
      }
    }
  });
}
