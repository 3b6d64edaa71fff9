// Protected mode, vm86, task switches and paging proven against QEMU: every fixture's port 0xE9
// text must be identical under QEMU and Bootscope (see harness.ts). Skipped when nasm or
// qemu-system-i386 is not installed. Fixtures named pm16_* use only 80286 features and must match
// on the 80286 model too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { CpuModel } from '../../emulator/cpu/cpu';
import { FIXTURES, assemble, haveTool, runBootscope, runQemu } from './harness';

const tools = haveTool('nasm') && haveTool('qemu-system-i386');
const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

for (const name of names) {
  const models: CpuModel[] = name.startsWith('pm16_') ? ['80386', '80286'] : ['80386'];
  test(`${name}: Bootscope (${models.join(', ')}) matches QEMU on port 0xE9`, { skip: !tools && 'nasm or qemu-system-i386 missing' }, () => {
    const bin = assemble(name);
    const qemu = runQemu(bin);
    assert.ok(qemu.endsWith('END\n'), `QEMU did not finish ${name}:\n${qemu}`);
    for (const model of models) {
      const emu = runBootscope(bin, model);
      assert.equal(emu.text, qemu, `${model} differs from QEMU`);
      assert.ok(emu.stopped, `${model} did not reach the exit port`);
    }
  });
}
