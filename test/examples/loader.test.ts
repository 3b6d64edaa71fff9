// @tier full
// examples/loader: stage 1 relocates to 0000:0600 and loads stage 2 (INT 13h AH=02h); stage 2 queries E820, opens
// A20 through the 8042 and port 0x92, enters 16-bit protected mode (LLDT, LTR), 32-bit with paging, returns to real
// mode with 4 GiB data limits cached, and calls the BIOS again. Checked on the port 0xE9 / COM1 log and with --until
// at listing markers (stage 1 at org 0x600, stage 2 at 0x8000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { image, marker, NO_NASM, runJson, segoff } from './helpers';
import { bootWithProfile } from './profileBoot';

const LOG = [
  'loader: relocated to 0000:0600',
  'loader: stage 2 loaded at 0000:8000',
  'stage2: running at 0000:8000',
  'stage2: E820 entries: 0005',
  'stage2: A20 on through the 8042',
  'stage2: A20 on through port 92h',
  'pm16: LDT data segment over the BDA, KiB = 0x027f, TSS busy after LTR',
  'pm32: paging on, C0000000 aliases 0',
  'real: DS limit still 4 GiB, wrote above 1 MiB',
  'real: INT 12h says 0x027f KiB; loader done',
].join('\n') + '\n';

const s2 = (name: string) => marker('stage2', name, 0x8000);
// Protected-mode stops use linear addresses: `--until 0008:80FE` never fires on main today (Machine.run builds its
// breakpoint filter for seg:off addresses as (seg << 4) + off, a real-mode linear address; reported to the lead).
const lin = (a: number) => `0x${a.toString(16)}`;

test('runs to the end: every checkpoint on port 0xE9 and COM1, the BIOS prints after the return to real mode', { skip: NO_NASM }, () => {
  const j = runJson([image('loader'), '--screen']);
  assert.equal(j.stopReason, 'halt');
  assert.equal(j.mode, 'real');
  assert.equal(j.debugText, LOG);
  assert.equal(j.serialText, LOG);
  assert.equal(j.screen[0].trimEnd(), 'Back in real mode; the BIOS still answers.');
});

test('stage 1 runs at 0000:0600 after the relocation jump', { skip: NO_NASM }, () => {
  const at = marker('loader', 'RELOCATED', 0x600);
  const j = runJson([image('loader'), '--until', segoff(0, at.address)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.registers.eip, at.address);
  assert.ok(at.address > 0x600 && at.address < 0x800);
});

test('16-bit protected mode after LTR: LDTR = the LDT, TR = a busy 16-bit TSS, 16-bit code', { skip: NO_NASM }, () => {
  const ltr = s2('LTR');
  const j = runJson([image('loader'), '--until', lin(ltr.address + ltr.length)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.segments.cs.selector, 0x08);
  assert.equal(j.mode, 'protected16');
  assert.equal(j.segments.ldtr.selector, 0x18);
  assert.equal(j.segments.ldtr.access & 0x1f, 0x02, 'LDT type');
  assert.equal(j.segments.ldtr.limit, 7);
  assert.equal(j.segments.tr.selector, 0x20);
  assert.equal(j.segments.tr.access & 0x1f, 0x03, 'busy 16-bit TSS');
});

test('32-bit protected mode with paging: CR0.PG, CR3 = the page directory', { skip: NO_NASM }, () => {
  const pg = s2('PAGING_ON');
  const j = runJson([image('loader'), '--until', lin(pg.address + pg.length)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.segments.cs.selector, 0x28);
  assert.equal(j.mode, 'protected32');
  assert.equal(j.control.cr0 >>> 31, 1);
  assert.equal(j.control.cr3, 0x20000);
  assert.equal(j.segments.ds.limit, 0xffffffff);
});

test('back in real mode: DS, ES, FS, GS keep the 4 GiB limit (unreal mode), SS is a 64 KiB segment', { skip: NO_NASM }, () => {
  const at = s2('UNREAL');
  const j = runJson([image('loader'), '--until', segoff(0, at.address)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.mode, 'real');
  assert.equal(j.control.cr0 & 0x80000001, 0);
  // DS and ES were reloaded with 0 in real mode: new base, old limit. FS and GS were not touched at all.
  for (const s of ['ds', 'es']) assert.deepEqual([j.segments[s].selector, j.segments[s].base, j.segments[s].limit], [0, 0, 0xffffffff], s);
  for (const s of ['fs', 'gs']) assert.equal(j.segments[s].limit, 0xffffffff, `${s}.limit`);
  assert.equal(j.segments.ss.limit, 0xffff);
});

test('unreal mode under kvm-rmode: break-on-emulation stops right after the mov cr0 that clears PE; at #UNREAL KVM still emulates (DS limit)', { skip: NO_NASM }, async () => {
  const off = s2('PE_OFF');
  const kvm = bootWithProfile('loader', { profile: 'kvm-rmode', breakOnEmulation: true });
  assert.equal(kvm.run().reason, 'emulation');
  assert.equal(kvm.m.pcLinear, off.address + off.length);
  assert.match(kvm.mon.summary(kvm.m).reason, /^CS\.base 0x00000000 is not CS\.selector << 4 = 0x00000080 — KVM emulates/);
  assert.equal(kvm.run([s2('UNREAL').address]).reason, 'until');
  assert.equal(kvm.mon.summary(kvm.m).reason, 'DS.limit 0xffffffff is not 0x0000ffff — KVM emulates (emulate_invalid_guest_state) until DS is reloaded');
});

test("unreal mode under xen-vm86: enters as vm86, with the 4 GiB limits truncated to 64 KiB in the notes", { skip: NO_NASM }, async () => {
  const xen = bootWithProfile('loader', { profile: 'xen-vm86', breakOnEmulation: true, breakOnFailure: true });
  assert.equal(xen.run([s2('UNREAL').address]).reason, 'until');
  assert.equal(xen.mon.summary(xen.m).verdict, 'enter');
  assert.ok(xen.mon.lastResult!.notes.some((n) => /^DS\.limit 0xffffffff becomes 0xffff in vm86/.test(n)), xen.mon.lastResult!.notes.join('\n'));
});
