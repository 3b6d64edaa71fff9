// @tier full
// examples/vmentry-failure: ~390,000 instructions of checksum work, then CR0.PE set while SS = 0x9FFB (RPL 3, cached
// DPL 0) and CS = 0 (RPL 0), SS reloaded after the far jump. Stop points are checked against the NASM listing's
// `; #PE_ON`, `; #FAR_JMP`, `; #SS_LOAD`, `; #SS_RELOAD` instructions. The live-profile tests run the emulator with
// VmentryMonitor directly; the `bootscope run --profile` tests check the same through the CLI contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { image, marker, NO_NASM, runJson, segoff } from './helpers';
import { bootWithProfile } from './profileBoot';

const SS_BAD = 0x9ffb;

test('without a profile it runs to the end: checkpoints on port 0xE9, SS reloaded, >300,000 instructions', { skip: NO_NASM }, () => {
  const j = runJson([image('vmentry-failure')]);
  assert.equal(j.stopReason, 'halt');
  assert.equal(j.mode, 'protected32');
  assert.equal(j.debugText, 'vmentry-failure: loading kernel\nkernel checksum done\nprotected mode, SS reloaded\n');
  assert.ok(j.instructions > 300_000, `${j.instructions} instructions`);
  assert.deepEqual(j.segments.ss, { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 });
});

test('right after mov cr0 (#FAR_JMP): PE=1, CS still 0000 (RPL 0), SS 9FFB (RPL 3) with its real-mode cache (DPL 0)', { skip: NO_NASM }, () => {
  const pe = marker('vmentry-failure', 'PE_ON');
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  assert.equal(pe.address + pe.length, jmp.address, 'the far jump follows mov cr0, eax');
  assert.match(pe.source, /mov cr0, eax/);
  const j = runJson([image('vmentry-failure'), '--until', segoff(0, jmp.address)]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.control.cr0 & 1, 1);
  assert.equal(j.segments.cs.selector, 0);
  assert.equal(j.segments.ss.selector, SS_BAD);
  assert.equal(j.segments.ss.base, SS_BAD << 4);
  assert.equal((j.segments.ss.access >> 5) & 3, 0, 'cached SS.DPL 0');
  assert.ok(j.instructions > 300_000);
});

test('live xen-vm86 with break-on-emulation stops right after mov cr0, naming SS; the window closes at #SS_RELOAD', { skip: NO_NASM }, async () => {
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  const reload = marker('vmentry-failure', 'SS_RELOAD', 0x7c00);
  const after = marker('vmentry-failure', 'PM_OK', 0x7c00);
  const { m, mon, run } = bootWithProfile('vmentry-failure', { profile: 'xen-vm86', breakOnEmulation: true });
  assert.equal(run().reason, 'emulation');
  assert.equal(m.pcLinear, jmp.address);
  const v = mon.summary(m);
  assert.equal(v.verdict, 'emulate');
  assert.match(v.reason, /SS\.selector 0x9ffb has RPL 3/);
  assert.deepEqual(v.failures.map((f) => f.id).sort(), ['DPL.SS', 'SEL.SS_RPL']);
  assert.ok(v.failures.every((f) => f.section === '26.3.1.2'));
  // Still emulating at the reload itself; entering again once it has executed.
  assert.equal(run([reload.address]).reason, 'until');
  assert.equal(mon.summary(m).verdict, 'emulate');
  assert.equal(run([after.address]).reason, 'until');
  assert.equal(mon.summary(m).verdict, 'enter');
});

test('live kvm-rmode stops at the same instruction; unrestricted guest never stops', { skip: NO_NASM }, async () => {
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  const kvm = bootWithProfile('vmentry-failure', { profile: 'kvm-rmode', breakOnEmulation: true });
  assert.equal(kvm.run().reason, 'emulation');
  assert.equal(kvm.m.pcLinear, jmp.address);
  assert.match(kvm.mon.summary(kvm.m).reason, /SS\.selector 0x9ffb has RPL 3 but CS\.selector 0x0000 has RPL 0/);
  const ug = bootWithProfile('vmentry-failure', { profile: 'unrestricted', breakOnEmulation: true, breakOnFailure: true });
  assert.equal(ug.run().reason, 'halt');
  assert.equal(ug.mon.summary(ug.m).verdict, 'enter');
});

test('live raw at the same point: VM entry fails SEL.SS_RPL and DPL.SS (§26.3.1.2), root cause the real-mode SS', { skip: NO_NASM }, async () => {
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  const raw = bootWithProfile('vmentry-failure', { profile: 'raw' });
  assert.equal(raw.run([jmp.address]).reason, 'until');
  const v = raw.mon.summary(raw.m);
  assert.equal(v.verdict, 'fail');
  const ids = v.failures.map((f) => `${f.id} §${f.section}`);
  assert.ok(ids.includes('SEL.SS_RPL §26.3.1.2') && ids.includes('DPL.SS §26.3.1.2'), ids.join(', '));
  assert.match(v.reason, /real-mode SS \(selector 0x9ffb, base = selector << 4\) still loaded after CR0\.PE was set/);
});

test('bootscope run --profile xen-vm86 --break-on-emulation stops right after mov cr0 with the vmentry object', { skip: NO_NASM }, () => {
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  const j = runJson([image('vmentry-failure'), '--profile', 'xen-vm86', '--break-on-emulation']);
  assert.equal(j.stopReason, 'emulation');
  assert.equal(segoff(j.segments.cs.selector, j.registers.eip), segoff(0, jmp.address));
  assert.equal(j.vmentry.profile, 'xen-vm86');
  assert.equal(j.vmentry.verdict, 'emulate');
  assert.match(j.vmentry.reason, /SS/);
});

test('bootscope run --profile raw: fails at once in real mode (CR0.FIXED), and at #FAR_JMP with the SS.RPL/CS.RPL and SS.DPL checks', { skip: NO_NASM }, () => {
  // Without unrestricted guest, real mode itself is not VM-enterable: the first boundary is already 'fail'.
  const first = runJson([image('vmentry-failure'), '--profile', 'raw', '--break-on-vmentry-failure']);
  assert.equal(first.stopReason, 'vmentry-failure');
  assert.equal(first.instructions, 0);
  assert.ok(first.vmentry.failures.some((f: { id: string }) => f.id === 'CR0.FIXED'));
  const jmp = marker('vmentry-failure', 'FAR_JMP');
  const j = runJson([image('vmentry-failure'), '--profile', 'raw', '--until', segoff(0, jmp.address)]);
  assert.equal(j.vmentry.verdict, 'fail');
  const byId = new Map(j.vmentry.failures.map((f: { id: string; section: string; message: string }) => [f.id, f]));
  const rpl = byId.get('SEL.SS_RPL') as { section: string; message: string };
  const dpl = byId.get('DPL.SS') as { section: string; message: string };
  assert.equal(rpl.section, '26.3.1.2');
  assert.match(rpl.message, /SS\.selector 0x9ffb has RPL 3 but CS\.selector 0x0000 has RPL 0/);
  assert.equal(dpl.section, '26.3.1.2');
  assert.match(dpl.message, /SS\.DPL is 0/);
});
