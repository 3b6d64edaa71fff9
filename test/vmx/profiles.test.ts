// Hypervisor profiles on live-CPU-like states (profiles.ts): real mode, unreal mode, the
// real-mode SS with RPL 3 kept across CR0.PE, and flat protected mode under raw, unrestricted, xen-vm86 and kvm-rmode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpuSnapshot, SegmentSnapshot } from '../../emulator/vmx/cpuSnapshot';
import { evaluateProfile, PROFILE_NAMES, verdictBecame, vmentrySummary } from '../../emulator/vmx/profiles';

const rm = (sel: number, access = 0x93): SegmentSnapshot => ({ selector: sel, base: sel << 4, limit: 0xffff, access });

function realMode(): CpuSnapshot {
  return {
    segments: { cs: rm(0, 0x9b), ss: rm(0), ds: rm(0x07c0), es: rm(0xb800), fs: rm(0), gs: rm(0),
      ldtr: { selector: 0, base: 0, limit: 0xffff, access: 0x82 }, tr: { selector: 0, base: 0, limit: 0xffff, access: 0x8b } },
    cr0: 0x00000010, cr3: 0, cr4: 0, eflags: 0x202, eip: 0x7c00, esp: 0x7bf0,
    gdtr: { base: 0, limit: 0xffff }, idtr: { base: 0, limit: 0x3ff },
  };
}
/** Back in real mode after loading 4 GiB data segments in protected mode ("unreal mode"). */
function unreal(dsBase = 0): CpuSnapshot {
  const s = realMode();
  s.segments.ds = { selector: 0, base: dsBase, limit: 0xffffffff, access: 0xc093 };
  return s;
}
/** Right after `mov cr0` set PE, with the real-mode SS value 0x1003 (RPL 3) still loaded. */
function peWithSsRpl3(): CpuSnapshot {
  const s = realMode();
  s.cr0 = 0x11;
  s.segments.ss = rm(0x1003);
  return s;
}
function flat32(): CpuSnapshot {
  const f = (sel: number, access: number): SegmentSnapshot => ({ selector: sel, base: 0, limit: 0xffffffff, access });
  return {
    segments: { cs: f(0x08, 0xc09b), ss: f(0x10, 0xc093), ds: f(0x10, 0xc093), es: f(0x10, 0xc093), fs: f(0x10, 0xc093), gs: f(0x10, 0xc093),
      ldtr: { selector: 0, base: 0, limit: 0, access: 0x10000 }, tr: { selector: 0x18, base: 0x9000, limit: 0x67, access: 0x8b } },
    cr0: 0x00000011, cr3: 0, cr4: 0, eflags: 0x2, eip: 0x100000, esp: 0x90000,
    gdtr: { base: 0x7e00, limit: 0x1f }, idtr: { base: 0, limit: 0 },
  };
}

test('real mode: raw fails (CR0.PE=0 without unrestricted guest), the other three enter', () => {
  const raw = evaluateProfile('raw', realMode());
  assert.equal(raw.verdict, 'fail');
  assert.ok(raw.failures.some((f) => f.id === 'CR0.FIXED' && f.section === '26.3.1.1'));
  assert.match(raw.reason, /real-mode state .* without the "unrestricted guest" control/);
  assert.equal(evaluateProfile('unrestricted', realMode()).verdict, 'enter');
  const xen = evaluateProfile('xen-vm86', realMode());
  assert.equal(xen.verdict, 'enter', xen.reason);
  assert.equal(xen.entered!.guest.rflags! & (1n << 17n), 1n << 17n, 'run as vm86');
  assert.deepEqual(xen.entered!.guest.ds, { selector: 0x07c0, base: 0x7c00n, limit: 0xffff, access: 0xf3 });
  const kvm = evaluateProfile('kvm-rmode', realMode());
  assert.equal(kvm.verdict, 'enter', kvm.reason);
  assert.equal(kvm.entered!.guest.cs!.access, 0xf3, 'KVM forces CS to DPL 3 / type 3');
  assert.equal(kvm.entered!.guest.tr!.base, 0xfeffd000n);
});

test('unreal mode (DS limit 4 GiB): kvm-rmode emulates and names DS; unrestricted enters', () => {
  const kvm = evaluateProfile('kvm-rmode', unreal());
  assert.equal(kvm.verdict, 'emulate');
  assert.equal(kvm.reason, 'DS.limit 0xffffffff is not 0x0000ffff — KVM emulates (emulate_invalid_guest_state) until DS is reloaded');
  assert.equal(evaluateProfile('unrestricted', unreal()).verdict, 'enter');
});

test('unreal mode under xen-vm86 follows Xen\'s test (limit >= 0xffff): base 0 enters with the limit truncated; base >= 1 MiB emulates', () => {
  // The reference's gloss says big-real limits make Xen emulate; its own formula (and Xen's source) accepts
  // limit >= 0xffff, so a base-0 4 GiB segment is faked as a 64 KiB vm86 segment and over-64K accesses fault into the emulator.
  const zero = evaluateProfile('xen-vm86', unreal());
  assert.equal(zero.verdict, 'enter', zero.reason);
  assert.ok(zero.notes.some((n) => /DS.limit 0xffffffff becomes 0xffff in vm86/.test(n)));
  const high = evaluateProfile('xen-vm86', unreal(0x100000));
  assert.equal(high.verdict, 'emulate');
  assert.equal(high.reason, 'DS.base 0x00100000 is not below 1 MiB — Xen emulates until DS is reloaded');
  const odd = evaluateProfile('xen-vm86', unreal(0x12345));
  assert.match(odd.reason, /DS.base 0x00012345 is not a multiple of 16/);
  assert.equal(evaluateProfile('xen-vm86', realMode(), { xenVm86Tss: false }).verdict, 'emulate');
});

test('CR0.PE set with real-mode SS RPL 3: raw fails with the SS rules and sections; xen-vm86 and kvm-rmode emulate until SS is reloaded', () => {
  const raw = evaluateProfile('raw', peWithSsRpl3());
  assert.equal(raw.verdict, 'fail');
  const ids = raw.failures.map((f) => `${f.id} §${f.section}`);
  assert.ok(ids.includes('SEL.SS_RPL §26.3.1.2'), ids.join(', '));
  assert.ok(ids.includes('DPL.SS §26.3.1.2'), ids.join(', '));
  assert.match(raw.failures.find((f) => f.id === 'SEL.SS_RPL')!.message, /SS.selector 0x1003 has RPL 3 but CS.selector 0x0000 has RPL 0/);
  assert.match(raw.failures.find((f) => f.id === 'DPL.SS')!.message, /SS.DPL is 0 but SS.selector 0x1003 has RPL 3/);
  const xen = evaluateProfile('xen-vm86', peWithSsRpl3());
  assert.equal(xen.verdict, 'emulate');
  assert.match(xen.reason, /^SS.selector 0x1003 has RPL 3 — after CR0.PE is set Xen emulates until CS and SS have RPL 0 \(SS is reloaded\)$/);
  const kvm = evaluateProfile('kvm-rmode', peWithSsRpl3());
  assert.equal(kvm.verdict, 'emulate');
  assert.match(kvm.reason, /SS.selector 0x1003 has RPL 3 but CS.selector 0x0000 has RPL 0 — KVM emulates .* until SS is reloaded/);
  // After `mov ss` with a flat ring-0 selector both enter again.
  const reloaded = peWithSsRpl3();
  reloaded.segments.ss = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 };
  assert.equal(evaluateProfile('xen-vm86', reloaded).verdict, 'enter', evaluateProfile('xen-vm86', reloaded).reason);
  assert.equal(evaluateProfile('kvm-rmode', reloaded).verdict, 'enter', evaluateProfile('kvm-rmode', reloaded).reason);
});

test('flat 32-bit protected mode without paging: raw fails only on CR0.PG; the others enter', () => {
  const raw = evaluateProfile('raw', flat32());
  assert.deepEqual(raw.failures.map((f) => f.id), ['CR0.FIXED']);
  assert.match(raw.failures[0].message, /bit 31 \(PG\) must be 1/);
  for (const p of ['unrestricted', 'xen-vm86', 'kvm-rmode'] as const) assert.equal(evaluateProfile(p, flat32()).verdict, 'enter', p);
});

test('a TR never loaded since reset is entered as the busy TSS hypervisors program', () => {
  const s = realMode();
  s.segments.tr = { selector: 0, base: 0, limit: 0xffff, access: 0x82 };
  const r = evaluateProfile('unrestricted', s);
  assert.equal(r.verdict, 'enter');
  assert.ok(r.notes.some((n) => /TR not loaded since reset/.test(n)));
});

test('vmentry summary shape and verdict changes for --break-on-*', () => {
  const v = vmentrySummary(evaluateProfile('raw', peWithSsRpl3()));
  assert.deepEqual(Object.keys(v), ['profile', 'verdict', 'reason', 'failures']);
  assert.deepEqual(Object.keys(v.failures[0]), ['id', 'section', 'field', 'message']);
  assert.equal(v.profile, 'raw');
  assert.ok(verdictBecame('enter', 'emulate', 'emulate'));
  assert.ok(!verdictBecame('emulate', 'emulate', 'emulate'));
  assert.ok(verdictBecame(undefined, 'fail', 'fail'));
  assert.deepEqual([...PROFILE_NAMES], ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode']);
});

test('kvm-rmode with emulate_invalid_guest_state=0: big real mode is forced into vm86 shape; an invalid protected-mode state fails entry', () => {
  const r = evaluateProfile('kvm-rmode', unreal(), { kvmEmulateInvalidGuestState: false });
  assert.equal(r.verdict, 'enter', r.reason);
  assert.deepEqual(r.entered!.guest.ds, { selector: 0, base: 0n, limit: 0xffff, access: 0xf3 });
  assert.ok(r.notes.some((n) => /DS forced into vm86 shape \(DS.limit 0xffffffff is not 0x0000ffff\)/.test(n)));
  const pm = evaluateProfile('kvm-rmode', peWithSsRpl3(), { kvmEmulateInvalidGuestState: false });
  assert.equal(pm.verdict, 'fail');
  assert.ok(pm.failures.some((f) => f.id === 'SEL.SS_RPL'));
});

test("the guest's own virtual-8086 mode (PE=1, VM=1, no paging) enters under xen-vm86 and kvm-rmode", () => {
  const s = realMode();
  s.cr0 = 0x11;
  s.eflags = 0x20202;
  for (const n of ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const) s.segments[n].access = 0xf3;
  s.segments.tr = { selector: 0x28, base: 0x9000, limit: 0x2067, access: 0x8b };
  for (const p of ['xen-vm86', 'kvm-rmode'] as const) {
    const r = evaluateProfile(p, s);
    assert.equal(r.verdict, 'enter', `${p}: ${r.reason}`);
    assert.equal(r.entered!.guest.cr0! & (1n << 31n), 1n << 31n, `${p}: identity-mapped paging`);
  }
  assert.equal(evaluateProfile('raw', s).verdict, 'fail', 'raw: CR0.PG=0 without unrestricted guest');
});
