// Protected mode, vm86, task switches and paging proven against QEMU: every fixture's port 0xE9
// text must be identical under QEMU and Bootscope (see harness.ts). Skipped when nasm or
// qemu-system-i386 is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { FIXTURES, assemble, haveTool, runBootscope, runQemu } from './harness';

const tools = haveTool('nasm') && haveTool('qemu-system-i386');
const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

for (const name of names) {
  test(`${name}: Bootscope matches QEMU on port 0xE9`, { skip: !tools && 'nasm or qemu-system-i386 missing' }, () => {
    const bin = assemble(name);
    const qemu = runQemu(bin);
    const emu = runBootscope(bin);
    assert.ok(qemu.endsWith('END\n'), `QEMU did not finish ${name}:\n${qemu}`);
    assert.equal(emu.text, qemu);
    assert.ok(emu.stopped, 'Bootscope did not reach the exit port');
  });
}
