// What VM entry does with the failures (VMfail 7 vs VM exit 0x80000021 and its qualification, SDM §26.1/§26.8),
// skipping on missing fields, the places where the SDM, Bochs and KVM differ (we follow the SDM), and root causes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEntryChecks } from '../../emulator/vmx/entryChecks';
import { rootCauses } from '../../emulator/vmx/rootCause';
import type { EntryState } from '../../emulator/vmx/guestState';
import { protectedMode, unrestrictedReal, v86 } from './states';

const status = (s: EntryState, id: string) => runEntryChecks(s).checks.find((c) => c.id === id)!;

test('a control failure is VMfail error 7 even when guest state also fails (§26.2 is checked before §26.3)', () => {
  const s = protectedMode();
  s.guest.cr4 = 0x10n;
  s.controls!.entryIntrInfo = 0x80000130;
  const r = runEntryChecks(s);
  assert.deepEqual(r.outcome, { result: 'vmfail', vmInstructionError: 7, firstFailure: 'INJ.TYPE' });
});

test('a guest-state failure is VM exit 0x80000021; link pointer → qualification 4, PDPTEs → 2', () => {
  const s = protectedMode();
  s.guest.cr4 = 0x10n;
  assert.deepEqual(runEntryChecks(s).outcome, { result: 'vm-exit', exitReason: 0x80000021, exitQualification: 0, firstFailure: 'CR4.FIXED' });
  const l = protectedMode();
  l.guest.vmcsLinkPointer = 0x1008n;
  assert.deepEqual(runEntryChecks(l).outcome, { result: 'vm-exit', exitReason: 0x80000021, exitQualification: 4, firstFailure: 'LINK.ALIGN' });
  const p = protectedMode();
  p.guest.cr4 = 0x2030n;
  p.guest.pdpte = [0x1003n, 0n, 0n, 0n];
  assert.deepEqual(runEntryChecks(p).outcome, { result: 'vm-exit', exitReason: 0x80000021, exitQualification: 2, firstFailure: 'PDPTE.RSVD' });
});

test('an empty state skips every check and says which field is missing', () => {
  const r = runEntryChecks({ guest: {} });
  assert.equal(r.failures.length, 0);
  assert.ok(r.checks.every((c) => c.status === 'skip'));
  assert.match(status({ guest: {} }, 'CR0.FIXED').message, /needs GUEST_CR0, which the state does not have/);
});

test('without the control section, checks that need "unrestricted guest" skip unless an assumption is given', () => {
  const s = protectedMode();
  delete s.controls;
  const sel = runEntryChecks(s).checks.find((c) => c.id === 'SEL.SS_RPL')!;
  assert.equal(sel.status, 'skip');
  assert.match(sel.message, /SECONDARY_VM_EXEC_CONTROL \(unrestricted guest\)/);
  const assumed = runEntryChecks(s, { assume: { unrestrictedGuest: false, ia32eGuest: false } }).checks.find((c) => c.id === 'SEL.SS_RPL')!;
  assert.equal(assumed.status, 'pass');
});

test('LDTR checks skip with "LDTR unusable" when LDTR is unusable', () => {
  const c = status(protectedMode(), 'LDTR.TYPE');
  assert.equal(c.status, 'skip');
  assert.equal(c.message, 'LDTR unusable');
});

test('SDM vs Bochs/KVM: INJ.ERRCODE rejects error-code bit 15 (SDM says 31:15; Bochs and KVM test only 31:16)', () => {
  const s = protectedMode();
  Object.assign(s.controls!, { entryIntrInfo: 0x80000b0d, entryErrorCode: 0x8000 });
  assert.equal(status(s, 'INJ.ERRCODE').status, 'fail');
});

test('SDM vs KVM/2009 SDM: non-conforming CS.DPL is compared with SS.DPL, not with CS.selector RPL', () => {
  const s = protectedMode();
  s.guest.cs!.selector = 0x0b; // RPL 3, DPL 0: KVM's code_segment_valid (RPL rule) would reject this
  assert.equal(status(s, 'DPL.CS_NONCONF').status, 'pass');
});

test('SDM vs Bochs: pending-debug bit 16 (RTM) is allowed; Bochs mask 0xffffaff0 rejects it', () => {
  const s = protectedMode();
  s.guest.pendingDebugExceptions = 1n << 16n;
  assert.equal(status(s, 'PDE.RSVD').status, 'pass');
});

test('SDM vs Bochs: the FS/GS canonical rule also applies in virtual-8086 mode (Bochs skips it there)', () => {
  const s = v86();
  s.guest.fs!.base = 0x0000800000000000n;
  assert.equal(status(s, 'BASE.CANON.FS').status, 'fail');
});

test('SDM vs the reference note: DPL.SS applies to an unusable SS too (the SDM gives no usability condition)', () => {
  const s = protectedMode();
  s.guest.ss = { selector: 0x03, base: 0n, limit: 0, access: 0x10000 };
  s.guest.cs!.selector = 0x0b;
  s.guest.cs!.access = 0xc0fb;
  assert.equal(status(s, 'TYPE.SS').status, 'skip');
  assert.match(status(s, 'DPL.SS').message, /SS.DPL is 0 but SS.selector 0x0003 has RPL 3/);
});

test('CS is checked even when its unusable bit is set', () => {
  const s = protectedMode();
  s.guest.cs!.access = 0x1c09b;
  assert.equal(status(s, 'S.CS').status, 'pass');
  s.guest.cs!.access = 0x1c08b;
  assert.equal(status(s, 'S.CS').status, 'fail');
});

test('unrestricted guest: SS.DPL must be 0 in real mode; deliver-error-code must be 0 for real-mode injection', () => {
  const s = unrestrictedReal();
  s.guest.ss!.access = 0xf3;
  assert.match(status(s, 'DPL.SS').message, /SS.DPL is 3 but must be 0 because CR0.PE=0/);
  const i = unrestrictedReal();
  Object.assign(i.controls!, { entryIntrInfo: 0x80000b0d, entryErrorCode: 0 });
  assert.match(status(i, 'INJ.ERRBIT').message, /sets deliver-error-code \(bit 11\) but the guest is in real mode/);
});

test('root cause: RFLAGS.VM=1 over protected-mode segments is one cause for 18 failing checks', () => {
  const s = protectedMode();
  s.guest.fs = { selector: 0x10, base: 0n, limit: 0xffffffff, access: 0xc093 };
  s.guest.gs = { selector: 0x10, base: 0n, limit: 0xffffffff, access: 0xc093 };
  s.guest.cs!.base = 0x100000n;
  s.guest.rflags = 0x20202n;
  const r = runEntryChecks(s);
  const causes = rootCauses(s, r);
  assert.equal(causes.length, 1, causes.map((c) => c.summary).join('\n'));
  assert.equal(causes[0].id, 'v86-segments');
  assert.equal(causes[0].checks.length, 18);
  assert.match(causes[0].summary, /^protected-mode segment state with EFLAGS.VM set/);
  assert.match(causes[0].summary, /CS, SS, DS, ES, FS, GS hold protected-mode descriptors/);
});

test('root cause: real mode without unrestricted guest groups CR0.FIXED with the segment failures', () => {
  const s = unrestrictedReal();
  s.controls!.procBased2 = 0x2a;
  const r = runEntryChecks(s);
  const causes = rootCauses(s, r);
  assert.equal(causes[0].id, 'real-mode-without-ug');
  assert.ok(causes[0].checks.includes('CR0.FIXED'));
  assert.equal(causes.length, 1, causes.map((c) => c.summary).join('\n'));
});

test('root cause: real-mode SS with RPL 3 kept after CR0.PE=1 is one cause', () => {
  const s = protectedMode();
  s.guest.cs = { selector: 0x0000, base: 0n, limit: 0xffff, access: 0x9b };
  s.guest.ss = { selector: 0x1003, base: 0x10030n, limit: 0xffff, access: 0x93 };
  s.guest.cr0 = 0x80000031n;
  const causes = rootCauses(s, runEntryChecks(s));
  assert.equal(causes.length, 1, causes.map((c) => c.summary).join('\n'));
  assert.equal(causes[0].id, 'ss-rpl');
  assert.deepEqual(causes[0].checks.sort(), ['DPL.SS', 'SEL.SS_RPL']);
  assert.match(causes[0].summary, /real-mode SS \(selector 0x1003, base = selector << 4\) still loaded after CR0.PE was set/);
});

test('root cause: several failures on one data segment are grouped; unrelated failures stay single', () => {
  const s = protectedMode();
  s.guest.ds = { selector: 0x13, base: 0n, limit: 0xfffff000, access: 0xc092 };
  s.guest.cr4 = 0x10n;
  const causes = rootCauses(s, runEntryChecks(s));
  const ds = causes.find((c) => c.id === 'segment-ds')!;
  assert.deepEqual(ds.checks.sort(), ['DPL.DATA.DS', 'G.LIMIT.DS', 'TYPE.DATA.ACC.DS']);
  assert.ok(causes.some((c) => c.id === 'CR4.FIXED'));
});

test('SDM vs Bochs: a CR4 fixed-bit violation is a guest-state failure (VM exit 0x80000021); Bochs reports a host-state VMfail', () => {
  const s = protectedMode();
  s.guest.cr4 = 0n;
  assert.equal(runEntryChecks(s).outcome.result, 'vm-exit');
});

test('SDM vs 2009 SDM: conforming CS.DPL is compared with SS.DPL, not CS.selector RPL', () => {
  const s = protectedMode();
  s.guest.cs = { selector: 0x0b, base: 0n, limit: 0xffffffff, access: 0xc0df }; // conforming, DPL 2, RPL 3
  s.guest.ss = { selector: 0x13, base: 0n, limit: 0xffffffff, access: 0xc0f3 }; // DPL 3
  assert.equal(status(s, 'DPL.CS_CONF').status, 'pass');
});

test('SDM vs Bochs: RFLAGS.VM with CR0.PE=0 (unrestricted guest) fails RFLAGS.VM_REAL; Bochs does not check it', () => {
  const s = unrestrictedReal();
  s.guest.rflags = 0x20002n;
  assert.equal(status(s, 'RFLAGS.VM_REAL').status, 'fail');
});

test('SDM vs Bochs: NMI injection under STI blocking only fails the model-specific rule, which we do not apply', () => {
  const s = protectedMode();
  Object.assign(s.controls!, { entryIntrInfo: 0x80000202 });
  s.guest.interruptibility = 1;
  assert.equal(status(s, 'INT.NMI_MOVSS').status, 'pass');
  assert.equal(runEntryChecks(s).failures.length, 0);
});

test('SDM vs older SDM: interruptibility bit 4 (enclave) is not reserved', () => {
  const s = protectedMode();
  s.guest.interruptibility = 0x10;
  assert.equal(status(s, 'INT.RSVD').status, 'pass');
});

test('SDM vs KVM nested: shutdown and wait-for-SIPI activity states are valid (KVM nested accepts only 0 and 1)', () => {
  for (const a of [2, 3]) {
    const s = protectedMode();
    s.guest.activityState = a;
    assert.equal(status(s, 'ACT.RANGE').status, 'pass');
  }
});

test('IA32_VMX_BASIC[56] relaxes only the "must be 0" direction of INJ.ERRBIT', () => {
  const s = protectedMode();
  Object.assign(s.controls!, { entryIntrInfo: 0x80000b06 }); // #UD with an error code
  assert.equal(runEntryChecks(s).checks.find((c) => c.id === 'INJ.ERRBIT')!.status, 'fail');
  assert.equal(runEntryChecks(s, { caps: { basicNoErrCodeCheck: true } }).checks.find((c) => c.id === 'INJ.ERRBIT')!.status, 'pass');
  Object.assign(s.controls!, { entryIntrInfo: 0x8000030d }); // #GP without one
  assert.equal(runEntryChecks(s, { caps: { basicNoErrCodeCheck: true } }).checks.find((c) => c.id === 'INJ.ERRBIT')!.status, 'fail');
});

test('root cause: without controls, the real-mode cause uses the assumed "unrestricted guest" value', () => {
  const s = unrestrictedReal();
  delete s.controls;
  const assume = { unrestrictedGuest: false, ia32eGuest: false };
  const causes = rootCauses(s, runEntryChecks(s, { assume }), assume);
  assert.equal(causes[0].id, 'real-mode-without-ug');
});
