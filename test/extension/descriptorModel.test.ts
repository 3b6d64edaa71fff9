// The Descriptor Tables view's tidying of the adapter's answer (extension/views/descriptorTables/model.ts): the
// real-mode reset GDTR and LDT folded into notes, the IDT shown as the IVT in real mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldTables } from '../../extension/views/descriptorTables/model';

test('the adapter\'s real-mode answer: IDT shown as the IVT, reset GDTR folded', () => {
  const v = foldTables({ mode: 'real', segments: {}, tables: [{ name: 'gdt', base: 0, limit: 0xffff, entries: [{ index: 1, selector: 8, linear: 8, raw: [1, 2], type: 'x', dpl: 0, present: true, explain: 'x' }] }, { name: 'idt', base: 0, limit: 0x3ff, entries: [] }] });
  assert.deepEqual(v.tables.map((t) => [t.name, t.entries.length]), [['gdt', 0], ['ivt', 0]]);
});

test('protected mode: all-zero entries are folded into a note, the null descriptor stays', () => {
  const e = (index: number, raw: number[]) => ({ index, selector: index << 3, linear: 0x7e00 + index * 8, raw, type: 'x', dpl: 0, present: raw[1] !== 0, explain: 'x' });
  const v = foldTables({ mode: 'pm32', segments: {}, tables: [{ name: 'gdt', base: 0x7e00, limit: 0x27, entries: [e(0, [0, 0]), e(1, [0xffff, 0xcf9a00]), e(2, [0, 0]), e(3, [0, 0]), e(4, [0xffff, 0xcf9200])] }] });
  assert.deepEqual(v.tables[0].entries.map((x) => x.index), [0, 1, 4]);
  assert.equal(v.tables[0].note, '2 empty (all-zero) entries not shown');
});
