// DisasmSources on memory given directly: ndisasm -s style sync (an instruction that would run over a
// known instruction start is shown as db bytes), runs of equal bytes as `times`, unless the CPU is at
// them, and a bounded number of documents where a dropped block's document is made again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CodeSegment, DisasmSources } from '../../debug-adapter/disasmSources';

const real: CodeSegment = { selector: 0, base: 0, limit: 0xffff, bits: 16, mode: 'real' };

function memory(fill: (m: Uint8Array) => void): (linear: number, n: number) => Uint8Array {
  const m = new Uint8Array(0x40000);
  fill(m);
  return (linear, n) => m.slice(linear, linear + n);
}

const body = (text: string) => text.split('\n').filter((l) => /^[0-9A-F]{4}:/.test(l));

test('a known start inside an instruction cuts it into db bytes; zeros fold into times unless the CPU is there', () => {
  // 7C00: mov ax,0x1234 (b8 34 12), but 7C01 is known to start an instruction (xor al,0x12: 34 12).
  const read = memory((m) => m.set([0xb8, 0x34, 0x12, 0x90], 0x7c00));
  const s = new DisasmSources('80386');
  const { doc, line } = s.locate(read, real, 0x7c01, [0x7c00]);
  const lines = body(doc.text);
  assert.deepEqual(lines.slice(0, 4), [
    '0000:7C00  b8                db 0xb8',
    '0000:7C01  3412              xor al,0x12',
    '0000:7C03  90                nop',
    '0000:7C04  00                times 508 db 0x00',
  ]);
  assert.equal(doc.text.split('\n')[line - 1], lines[1]);
  assert.equal(s.resolveLine(doc, 1)?.offset, 0x7c00);
  // The CPU executing zeros: its address starts a line of its own, never a times run.
  const z = s.locate(read, real, 0x7d00, []);
  assert.equal(z.doc.text.split('\n')[z.line - 1], '0000:7D00  0000              add [bx+si],al');
});

test('documents are bounded; a dropped one that is still its block\'s newest is made again', () => {
  const read = memory(() => {});
  const events: string[] = [];
  const s = new DisasmSources('80386', (reason, src) => events.push(`${reason} ${src.sourceReference}`));
  const first = s.locate(read, real, 0, []).doc;
  for (let b = 1; b <= 256; b++) s.locate(read, { ...real, selector: b, base: b * 0x200 }, 0, []);
  assert.equal(s.get(first.ref), undefined);
  const again = s.locate(read, real, 0, []).doc;
  assert.notEqual(again.ref, first.ref);
  assert.equal(s.get(again.ref)?.text, first.text);
  assert.equal(again.name, '0000:0000-01FF real v2');
  assert.equal(events.filter((e) => e.startsWith('new')).length, 258);
});
