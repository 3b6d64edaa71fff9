// The VMCS field table (SDM Vol. 3 Appendix B) and the access-rights codec (§24.4.1): encodings unique and
// consistent with their width/type bits, every field a check names exists, AR words decode as the reference shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, isField, VMCS_FIELDS } from '../../emulator/vmx/fields';
import { decodeAr, describeAr, encodeAr } from '../../emulator/vmx/accessRights';
import { ENTRY_CHECKS } from '../../emulator/vmx/entryChecks';
import { vmcsDiff, vmcsRows } from '../../emulator/vmx/vmcsView';
import { parseVmcsDump } from '../../emulator/vmx/parsers/parseDump';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

test('names and encodings are unique; encodings are even (access type full)', () => {
  assert.equal(new Set(VMCS_FIELDS.map((f) => f.name)).size, VMCS_FIELDS.length);
  assert.equal(new Set(VMCS_FIELDS.map((f) => f.encoding)).size, VMCS_FIELDS.length);
  assert.ok(VMCS_FIELDS.every((f) => (f.encoding & 1) === 0));
});

test('width and group follow the encoding (Appendix B)', () => {
  assert.deepEqual(field('GUEST_CS_AR_BYTES'), { name: 'GUEST_CS_AR_BYTES', encoding: 0x4816, width: 32, group: 'guest' });
  assert.deepEqual(field('GUEST_TR_SELECTOR'), { name: 'GUEST_TR_SELECTOR', encoding: 0x080e, width: 16, group: 'guest' });
  assert.deepEqual(field('GUEST_RFLAGS'), { name: 'GUEST_RFLAGS', encoding: 0x6820, width: 'natural', group: 'guest' });
  assert.deepEqual(field('VMCS_LINK_POINTER'), { name: 'VMCS_LINK_POINTER', encoding: 0x2800, width: 64, group: 'guest' });
  assert.deepEqual(field('VM_EXIT_REASON'), { name: 'VM_EXIT_REASON', encoding: 0x4402, width: 32, group: 'exit-info' });
  assert.deepEqual(field('HOST_RIP'), { name: 'HOST_RIP', encoding: 0x6c16, width: 'natural', group: 'host' });
  assert.deepEqual(field('SECONDARY_VM_EXEC_CONTROL'), { name: 'SECONDARY_VM_EXEC_CONTROL', encoding: 0x401e, width: 32, group: 'control' });
  assert.equal(field('GUEST_LDTR_BASE').encoding, 0x6812);
  assert.equal(field('GUEST_GDTR_LIMIT').encoding, 0x4810);
});

test('every field a check reads is in the table', () => {
  const unknown = ENTRY_CHECKS.flatMap((c) => c.fields).filter((f) => !isField(f));
  assert.deepEqual([...new Set(unknown)], []);
});

test('access rights: decode/encode round trip and descriptions of the reference examples', () => {
  for (const ar of [0x0c09b, 0x0c093, 0x0008b, 0x1c000, 0x000f3, 0x0a09b, 0x00082]) assert.equal(encodeAr(decodeAr(ar)), ar);
  assert.deepEqual(decodeAr(0x0c09b), { type: 0xb, s: true, dpl: 0, p: true, avl: false, l: false, db: true, g: true, unusable: false, reserved: 0 });
  assert.equal(decodeAr(0x1c000).unusable, true);
  assert.equal(decodeAr(0x0c193).reserved, 0x100);
  assert.equal(describeAr(0x0c09b), '0x0c09b (type 0xB code, execute/read, accessed; S=1 DPL=0 P=1 D/B=1 G=1)');
  assert.equal(describeAr(0x0008b), '0x0008b (type 0xB system, busy 32/64-bit TSS; S=0 DPL=0 P=1)');
  assert.equal(describeAr(0x1c000), '0x1c000 (unusable)');
});

test('vmcsRows shows a parsed dump through the field table', () => {
  const d = parseVmcsDump(readFileSync(join(__dirname, 'fixtures', 'kvm-prefixed-64bit.txt'), 'utf8'));
  const rows = vmcsRows(d);
  const v = (name: string) => rows.find((r) => r.name === name)?.value;
  assert.equal(rows.length, VMCS_FIELDS.length);
  assert.equal(v('GUEST_TR_AR_BYTES'), 0x89n);
  assert.equal(v('GUEST_GS_BASE'), 0xffff88813bd80000n);
  assert.equal(v('SECONDARY_VM_EXEC_CONTROL'), 0x021217ebn);
  assert.equal(v('HOST_TR_SELECTOR'), 0x40n);
  assert.equal(v('GUEST_SMBASE'), undefined);
});

test('vmcsDiff lists the fields two states disagree on (Compare with VMCS Dump)', () => {
  const text = readFileSync(join(__dirname, 'fixtures', 'kvm-prefixed-64bit.txt'), 'utf8');
  const a = parseVmcsDump(text);
  const b = parseVmcsDump(text.replace('attr=0x00089', 'attr=0x0008b').replace('RFLAGS=0x00000246', 'RFLAGS=0x00000202'));
  assert.deepEqual(vmcsDiff(a, b).map((d) => [d.name, d.left, d.right]), [['GUEST_TR_AR_BYTES', 0x89n, 0x8bn], ['GUEST_RFLAGS', 0x246n, 0x202n]]);
  assert.deepEqual(vmcsDiff(a, a), []);
});
