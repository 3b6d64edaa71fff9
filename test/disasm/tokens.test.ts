// The disassembler's token stream: kinds a view can colour, and text that joins to the NASM line;
// and listing lines (address, length, text, decoded instruction). Node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../../emulator/decode/decoder';
import { formatInstruction } from '../../emulator/disasm/nasm';
import { disassemble } from '../../emulator/disasm/listing';
import { joinTokens } from '../../emulator/disasm/tokens';

function tokens(hex: string, ip = 0, bits: 16 | 32 = 16) {
  const b = Buffer.from(hex, 'hex');
  return formatInstruction(decode((i) => b[i] ?? 0, bits), ip);
}

test('tokens carry kinds and join to the NASM text', () => {
  const t = tokens('268b4010');
  assert.equal(joinTokens(t), 'mov ax,[es:bx+si+0x10]');
  assert.deepEqual(t.map((x) => x.kind), [
    'mnemonic', 'space', 'register', 'punct', 'punct', 'register', 'punct', 'register', 'punct', 'register', 'punct',
    'number', 'punct',
  ]);
  const call = tokens('e83b00', 0x7c00);
  assert.equal(joinTokens(call), 'call 0x7c3e');
  assert.deepEqual(call.at(-1), { kind: 'address', text: '0x7c3e' });
  const rep = tokens('f3a5');
  assert.deepEqual(rep.slice(0, 2), [{ kind: 'prefix', text: 'rep' }, { kind: 'space', text: ' ' }]);
  const far = tokens('ea007c0000');
  assert.equal(joinTokens(far), 'jmp 0x0:0x7c00');
  assert.ok(tokens('c606fe7d55').some((x) => x.kind === 'keyword' && x.text === 'byte'));
});

test('listing lines: address, bytes, text, and the decoded instruction', () => {
  const lines = disassemble(new Uint8Array([0x9b, 0xdb, 0xe3, 0xcd, 0x13, 0xc7]), { org: 0x7c00 });
  assert.deepEqual(lines.map((l) => [l.address, l.length, l.text]), [
    [0x7c00, 3, 'finit'],
    [0x7c03, 2, 'int 0x13'],
    [0x7c05, 1, 'db 0xc7'],
  ]);
  assert.equal(lines[1].insn?.row?.handler, 'int_Ib');
  assert.equal(lines[2].insn, null);
});
