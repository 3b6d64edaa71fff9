// The disassembler against ndisasm on NASM-assembled instruction forms written for this project:
// fixtures/forms32.asm (32-bit code: ModRM/SIB addressing, every ALU/shift/bit form, 486/586 additions,
// system and x87 forms, prefixes) and fixtures/forms16.asm (real-mode boot-code forms). Exact text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, compareWithNdisasm, haveNdisasm } from './ndisasm';

const skip = process.env.BOOTSCOPE_SKIP_NDISASM === '1' || !haveNdisasm() ? 'nasm/ndisasm unavailable' : false;

for (const [name, bits, org] of [['forms32.asm', 32, 0x100000], ['forms16.asm', 16, 0x7c00]] as const) {
  test(`agrees with ndisasm on fixtures/${name}`, { skip }, (t) => {
    const bytes = assemble(`test/disasm/fixtures/${name}`);
    const c = compareWithNdisasm(bytes, bits, org);
    t.diagnostic(`${c.ndLines} lines, ${c.exact} exact (${((100 * c.exact) / c.ndLines).toFixed(2)}%)`);
    assert.deepEqual(c.failures, []);
    assert.deepEqual(c.textDiffs, []);
    assert.deepEqual(c.accepted, {});
    assert.equal(c.exact, c.ndLines);
  });
}
