// The Descriptor Tables view model (extension/views/descriptorTables/model.ts) from adapter answers shaped like
// protocol/customRequests.ts: one-line explanations, entries held by segment registers, gate targets, real mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadDescriptorTableResponse } from '../../protocol/customRequests';
import { buildDescriptorView, foldTables } from '../../extension/views/descriptorTables/model';

const entry = (index: number, raw: number[], typeName: string, o: Partial<ReadDescriptorTableResponse['entries'][number]> = {}) => ({
  index, selector: index << 3, raw, base: 0, limit: 0xfffff, accessRights: 0, present: true, dpl: 0, typeName, ...o,
});

const gdt: ReadDescriptorTableResponse = {
  table: 'gdt', base: 0x7e00, limit: 0x37,
  entries: [
    entry(0, [0, 0], 'null', { present: false, limit: 0 }),
    entry(1, [0xffff, 0xcf9a00], 'code, execute/read', { accessRights: 0xc09a, limit: 0xffffffff }),
    entry(2, [0xffff, 0xcf9200], 'data, read/write', { accessRights: 0xc092, limit: 0xffffffff }),
    entry(3, [0x10000067, 0x8b00], 'system, 32-bit busy TSS', { accessRights: 0x8b, base: 0x1000, limit: 0x67 }),
    entry(4, [0, 0], 'empty', { present: false }),
    entry(5, [0xffff, 0x4f9200], 'data, read/write', { accessRights: 0x4012, present: false }),
    entry(6, [0x00081234, 0x8c00], 'system, 32-bit call gate', { accessRights: 0x8c, target: { selector: 8, offset: 0x1234 } }),
  ],
};

test('protected mode: explanations, cached entries, gate targets, empty entries folded', () => {
  const v = foldTables(buildDescriptorView({
    mode: 'pm32',
    segments: { cs: { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b }, ds: { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 }, tr: { selector: 0x18, base: 0x1000, limit: 0x67, access: 0x8b } },
    gdt,
    idt: { table: 'idt', base: 0x8000, limit: 0x7ff, entries: [entry(13, [0, 0], 'system, 32-bit interrupt gate', { target: { selector: 8, offset: 0x2000 }, dpl: 0 })] },
  }));
  const t = v.tables[0];
  const by = (i: number) => t.entries.find((e) => e.index === i)!;
  assert.deepEqual(by(1).cachedBy, ['CS']);
  assert.deepEqual(by(2).cachedBy, ['DS']);
  assert.deepEqual(by(3).cachedBy, ['TR']);
  assert.equal(by(1).linear, 0x7e08);
  assert.match(by(1).explain, /^32-bit code, execute\/read, base 0x00000000, limit 0xFFFFFFFF/);
  assert.equal(by(3).explain, '32-bit busy TSS, limit 0x67');
  assert.equal(by(5).explain, 'not present: loading it would raise #NP(0x0028)');
  assert.equal(by(6).gate?.linear, 0x1234);
  assert.equal(t.entries.some((e) => e.index === 4), false);
  assert.equal(t.note, '1 empty (all-zero) entry not shown');
  const idt = v.tables.find((x) => x.name === 'idt')!;
  assert.equal(idt.entries[0].linear, 0x8000 + 13 * 8);
  assert.match(idt.entries[0].explain, /→ 0008:2000, DPL 0 \(INT n from ring 3 raises #GP\)/);
});

test('real mode: the reset GDTR is not listed; IVT vectors lead to seg:off', () => {
  const v = foldTables(buildDescriptorView({
    mode: 'real', segments: { cs: { selector: 0, base: 0, limit: 0xffff, access: 0x9b } },
    gdt: { table: 'gdt', base: 0, limit: 0xffff, entries: [entry(0, [0, 0], 'null'), entry(1, [0xf000ff53, 0xf000ff53], 'x')] },
    idt: { table: 'ivt', base: 0, limit: 0x3ff, entries: [entry(0x10, [], 'ivt', { target: { selector: 0xc000, offset: 0x0123 } })] },
  }));
  assert.equal(v.tables[0].entries.length, 0);
  assert.match(v.tables[0].note ?? '', /^real mode: the GDT is not in use/);
  const ivt = v.tables.find((x) => x.name === 'ivt')!;
  assert.equal(ivt.entries[0].linear, 0x40);
  assert.equal(ivt.entries[0].gate?.linear, 0xc0123);
  assert.equal(ivt.entries[0].explain, 'INT 10h → C000:0123');
});

test('the adapter\'s real-mode answer: IDT shown as the IVT, reset GDTR folded', () => {
  const v = foldTables({ mode: 'real', segments: {}, tables: [{ name: 'gdt', base: 0, limit: 0xffff, entries: [{ index: 1, selector: 8, linear: 8, raw: [1, 2], type: 'x', dpl: 0, present: true, explain: 'x' }] }, { name: 'idt', base: 0, limit: 0x3ff, entries: [] }] });
  assert.deepEqual(v.tables.map((t) => [t.name, t.entries.length]), [['gdt', 0], ['ivt', 0]]);
});
