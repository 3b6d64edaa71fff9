// One test per VM-entry check id (SDM Vol. 3 §26.2.1.3, §26.3.1.1-6): a state where the check passes, and a minimal
// change that makes it fail with an explanation naming the values. A last test proves every id has a case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRY_CHECKS, runEntryChecks, type CheckResult } from '../../emulator/vmx/entryChecks';
import type { EntryState, SegName } from '../../emulator/vmx/guestState';
import { clone, protectedMode, unrestrictedReal, v86 } from './states';

interface Case {
  /** The passing state (defaults to flat protected mode with usable FS/GS and a usable LDTR). */
  base?: () => EntryState;
  /** Makes the check applicable (and still passing) before the base is checked. */
  setup?: (s: EntryState) => void;
  mutate: (s: EntryState) => void;
  expect: RegExp;
}

function pm(): EntryState {
  const s = protectedMode();
  s.guest.fs = { selector: 0x10, base: 0n, limit: 0xffffffff, access: 0xc093 };
  s.guest.gs = { selector: 0x10, base: 0n, limit: 0xffffffff, access: 0xc093 };
  s.guest.ldtr = { selector: 0x20, base: 0x101000n, limit: 0xff, access: 0x82 };
  return s;
}
const g = (s: EntryState) => s.guest;
const c = (s: EntryState) => s.controls!;
const seg = (s: EntryState, n: SegName) => s.guest[n]!;
const ia32e = (s: EntryState) => {
  c(s).entry! |= 1 << 9;
  g(s).cr4! |= 0x20n;
};
const inject = (info: number, err = 0, len = 0) => (s: EntryState) => {
  Object.assign(c(s), { entryIntrInfo: info >>> 0, entryErrorCode: err, entryInstrLen: len });
};
const NONCANON = 0x0000800000000000n;

const CASES: Record<string, Case> = {
  // §26.2.1.3 event injection (controls → VMfail 7)
  'INJ.TYPE': { setup: inject(0x80000030), mutate: inject(0x80000130), expect: /0x80000130 with type 1, which is reserved/ },
  'INJ.VEC_NMI': { setup: inject(0x80000202), mutate: inject(0x80000203), expect: /NMI is injected with vector 3 .* must be 2/ },
  'INJ.VEC_HWEXC': { setup: inject(0x80000306), mutate: inject(0x80000320), expect: /vector 32; exception vectors are 0-31/ },
  'INJ.VEC_OTHER': { setup: inject(0x80000700), mutate: inject(0x80000701), expect: /vector 1; only 0/ },
  'INJ.ERRBIT': { setup: inject(0x80000b0d), mutate: inject(0x8000030d), expect: /hardware exception 13 is injected without an error code/ },
  'INJ.RSVD': { setup: inject(0x80000306), mutate: inject(0x80001306), expect: /0x80001306 but bits 30:12 must be 0/ },
  'INJ.ERRCODE': { setup: inject(0x80000b0d, 0x7ff8), mutate: inject(0x80000b0d, 0x8000), expect: /error code is 0x00008000 but bits 31:15 must be 0/ },
  'INJ.ILEN': { setup: inject(0x80000421, 0, 2), mutate: inject(0x80000421, 0, 0), expect: /instruction length 0; it must be 1-15/ },
  // §26.3.1.1
  'CR0.FIXED': { mutate: (s) => { g(s).cr0 = 0x80050011n; }, expect: /CR0 is 0x80050011 but bit 5 \(NE\) must be 1 \(IA32_VMX_CR0_FIXED0\)/ },
  'CR0.PG_PE': { base: unrestrictedReal, mutate: (s) => { g(s).cr0 = 0x80000030n; }, expect: /CR0 is 0x80000030: PG=1 with PE=0/ },
  'CR0.PG_IA32E': { setup: ia32e, mutate: (s) => { g(s).cr0 = 0x00050031n; }, expect: /CR0 is 0x00050031 with PG=0 but the "IA-32e mode guest"/ },
  'CR4.FIXED': { mutate: (s) => { g(s).cr4 = 0x10n; }, expect: /CR4 is 0x00000010 but bit 13 \(VMXE\) must be 1/ },
  'CR4.PAE_IA32E': { setup: ia32e, mutate: (s) => { g(s).cr4 = 0x2000n; }, expect: /CR4 is 0x00002000 with PAE=0/ },
  'CR4.PCIDE': { mutate: (s) => { g(s).cr4! |= 1n << 17n; }, expect: /CR4 is 0x00022010 with PCIDE=1/ },
  'CR4.CET_WP': { setup: (s) => { g(s).cr4! |= 1n << 23n; }, mutate: (s) => { g(s).cr0 = 0x80040031n; }, expect: /CR0 is 0x80040031 with WP=0/ },
  'CR3.WIDTH': { mutate: (s) => { g(s).cr3 = 1n << 52n; }, expect: /CR3 is 0x0010000000000000 but bits 63:52 must be 0/ },
  'DEBUGCTL.RSVD': { setup: (s) => { c(s).entry! |= 4; }, mutate: (s) => { g(s).debugctl = 1n << 16n; }, expect: /IA32_DEBUGCTL is 0x00010000 but its reserved bits 16 must be 0/ },
  'BNDCFGS.RSVD': { setup: (s) => { c(s).entry! |= 1 << 16; g(s).bndcfgs = 0x7f0000001001n; }, mutate: (s) => { g(s).bndcfgs = 0x800000001001n; }, expect: /IA32_BNDCFGS is 0x0000800000001001 but bits 11:2 must be 0/ },
  'DR7.HI': { setup: (s) => { c(s).entry! |= 4; }, mutate: (s) => { g(s).dr7 = 1n << 32n; }, expect: /DR7 is 0x0000000100000000 but bits 63:32/ },
  'SYSENTER.CANON': { mutate: (s) => { g(s).sysenterEip = NONCANON; }, expect: /IA32_SYSENTER_EIP 0x0000800000000000: both must be canonical/ },
  'PAT.VALID': { setup: (s) => { c(s).entry! |= 1 << 14; }, mutate: (s) => { g(s).pat = 0x0007040600070402n; }, expect: /PA0 is 2/ },
  'EFER.RSVD': { setup: (s) => { c(s).entry! |= 1 << 15; }, mutate: (s) => { g(s).efer = 2n; }, expect: /IA32_EFER is 0x00000002 but only SCE, LME, LMA and NXE/ },
  'EFER.LMA': { setup: (s) => { c(s).entry! |= 1 << 15; }, mutate: (s) => { g(s).efer = 0x500n; }, expect: /LMA=1 but the "IA-32e mode guest" control is 0/ },
  'EFER.LME': { setup: (s) => { c(s).entry! |= 1 << 15; }, mutate: (s) => { g(s).efer = 0x100n; }, expect: /IA32_EFER is 0x00000100: LME and LMA differ/ },
  // §26.3.1.2
  'SEL.SS_RPL': { mutate: (s) => { seg(s, 'ss').selector = 0x13; }, expect: /SS.selector 0x0013 has RPL 3 but CS.selector 0x0008 has RPL 0/ },
  'BASE.CS_HI': { mutate: (s) => { seg(s, 'cs').base = 1n << 32n; }, expect: /CS.base is 0x0000000100000000 but bits 63:32 must be 0/ },
  'TR.TI': { mutate: (s) => { seg(s, 'tr').selector = 0x1c; }, expect: /TR.selector is 0x001c with TI=1/ },
  'TR.BASE': { mutate: (s) => { seg(s, 'tr').base = NONCANON; }, expect: /TR.base is 0x0000800000000000 but must be canonical/ },
  'TR.TYPE': { mutate: (s) => { seg(s, 'tr').access = 0x89; }, expect: /TR access rights are 0x00089 \(type 0x9 system, available 32\/64-bit TSS.*must be a busy TSS/ },
  'TR.S': { mutate: (s) => { seg(s, 'tr').access = 0x9b; }, expect: /TR access rights are 0x0009b .* with S=1/ },
  'TR.P': { mutate: (s) => { seg(s, 'tr').access = 0x0b; }, expect: /TR access rights are 0x0000b .* with P=0/ },
  'TR.AR_RSVD': { mutate: (s) => { seg(s, 'tr').access = 0x18b; }, expect: /TR access rights are 0x0018b but reserved bits/ },
  'TR.G': { mutate: (s) => { seg(s, 'tr').limit = 0x100000; }, expect: /TR.limit is 0x00100000 with G=0, but a limit above 0x000fffff needs G=1/ },
  'TR.USABLE': { mutate: (s) => { seg(s, 'tr').access = 0x1008b; }, expect: /TR access rights are 0x1008b with the unusable bit/ },
  'LDTR.TI': { mutate: (s) => { seg(s, 'ldtr').selector = 0x24; }, expect: /LDTR.selector is 0x0024 with TI=1/ },
  'LDTR.BASE': { mutate: (s) => { seg(s, 'ldtr').base = NONCANON; }, expect: /LDTR.base is 0x0000800000000000/ },
  'LDTR.TYPE': { mutate: (s) => { seg(s, 'ldtr').access = 0x83; }, expect: /LDTR access rights are 0x00083 .* must have type 2/ },
  'LDTR.S': { mutate: (s) => { seg(s, 'ldtr').access = 0x92; }, expect: /LDTR access rights are 0x00092 .* with S=1/ },
  'LDTR.P': { mutate: (s) => { seg(s, 'ldtr').access = 0x02; }, expect: /LDTR access rights are 0x00002 .* with P=0/ },
  'LDTR.AR_RSVD': { mutate: (s) => { seg(s, 'ldtr').access = 0x182; }, expect: /LDTR access rights are 0x00182 but reserved/ },
  'LDTR.G': { mutate: (s) => { seg(s, 'ldtr').limit = 0x100000; }, expect: /LDTR.limit is 0x00100000 with G=0/ },
  'TYPE.CS': { mutate: (s) => { seg(s, 'cs').access = 0xc093; }, expect: /CS access rights are 0x0c093 \(type 0x3 data, read\/write, accessed.*type 3 only with unrestricted guest/ },
  'TYPE.SS': { mutate: (s) => { seg(s, 'ss').access = 0xc091; }, expect: /SS access rights are 0x0c091 .* must be read\/write accessed data/ },
  'DPL.CS_DATA': { base: unrestrictedReal, setup: (s) => { seg(s, 'cs').access = 0x93; }, mutate: (s) => { seg(s, 'cs').access = 0xf3; }, expect: /a type-3 \(data\) CS must have DPL 0/ },
  'DPL.CS_NONCONF': { mutate: (s) => { seg(s, 'cs').access = 0xc0fb; }, expect: /CS.DPL is 3 but SS.DPL is 0; for non-conforming code/ },
  'DPL.CS_CONF': { setup: (s) => { seg(s, 'cs').access = 0xc09f; }, mutate: (s) => { seg(s, 'cs').access = 0xc0ff; }, expect: /CS.DPL is 3 but SS.DPL is 0; for conforming code/ },
  'DPL.SS': { mutate: (s) => { seg(s, 'ss').access = 0xc0f3; }, expect: /SS.DPL is 3 but SS.selector 0x0010 has RPL 0/ },
  'AR.CS_DB_L': { setup: (s) => { ia32e(s); seg(s, 'cs').access = 0xa09b; }, mutate: (s) => { seg(s, 'cs').access = 0xe09b; }, expect: /L=1 and D\/B=1 together are reserved/ },
  // §26.3.1.3
  'DT.BASE.GDTR': { mutate: (s) => { g(s).gdtr!.base = NONCANON; }, expect: /GDTR.base is 0x0000800000000000 but must be canonical/ },
  'DT.BASE.IDTR': { mutate: (s) => { g(s).idtr!.base = NONCANON; }, expect: /IDTR.base is 0x0000800000000000/ },
  'DT.LIMIT.GDTR': { mutate: (s) => { g(s).gdtr!.limit = 0x10000; }, expect: /GDTR.limit is 0x00010000 but bits 31:16 must be 0/ },
  'DT.LIMIT.IDTR': { mutate: (s) => { g(s).idtr!.limit = 0x10000; }, expect: /IDTR.limit is 0x00010000/ },
  // §26.3.1.4
  'RIP.HI': { mutate: (s) => { g(s).rip = 1n << 32n; }, expect: /RIP is 0x0000000100000000 but bits 63:32 must be 0/ },
  'RIP.CANON': {
    setup: (s) => { ia32e(s); seg(s, 'cs').access = 0xa09b; g(s).rip = 0xffffffff81000000n; },
    mutate: (s) => { g(s).rip = NONCANON; }, expect: /RIP is 0x0000800000000000 but in 64-bit mode it must be canonical/,
  },
  'RFLAGS.RSVD0': { mutate: (s) => { g(s).rflags = 0x20an; }, expect: /RFLAGS is 0x0000020a but reserved bit 3 must be 0/ },
  'RFLAGS.RSVD1': { mutate: (s) => { g(s).rflags = 0x200n; }, expect: /RFLAGS is 0x00000200 but reserved bit 1 must be 1/ },
  'RFLAGS.VM_IA32E': { setup: ia32e, mutate: (s) => { g(s).rflags = 0x20202n; }, expect: /VM=1 but the "IA-32e mode guest" control is 1/ },
  'RFLAGS.VM_REAL': { base: unrestrictedReal, mutate: (s) => { g(s).rflags = 0x20002n; }, expect: /RFLAGS is 0x00020002 with VM=1 but CR0 is 0x00000030 with PE=0/ },
  'RFLAGS.IF_EXTINT': { setup: inject(0x80000030), mutate: (s) => { g(s).rflags = 2n; }, expect: /external interrupt \(vector 48\) is being injected but RFLAGS is 0x00000002 with IF=0/ },
  // §26.3.1.5
  'ACT.RANGE': { mutate: (s) => { g(s).activityState = 4; }, expect: /activity state is 4/ },
  'ACT.HLT_DPL': { setup: (s) => { g(s).activityState = 1; }, mutate: (s) => { seg(s, 'ss').access = 0xc0f3; }, expect: /activity state is HLT but SS.DPL is 3/ },
  'ACT.SHADOW': { setup: (s) => { g(s).interruptibility = 1; }, mutate: (s) => { g(s).activityState = 1; }, expect: /interruptibility is 0x00000001 \(blocking by STI\) but the activity state is 1 \(HLT\)/ },
  'ACT.INJ': { setup: (s) => { g(s).activityState = 1; inject(0x80000202)(s); }, mutate: inject(0x80000306), expect: /hardware exception vector 6 is injected but the activity state 1 \(HLT\)/ },
  'ACT.SMM_SIPI': { setup: (s) => { c(s).entry! |= 1 << 10; g(s).interruptibility = 4; }, mutate: (s) => { g(s).activityState = 3; }, expect: /wait-for-SIPI but "entry to SMM" is 1/ },
  'INT.RSVD': { mutate: (s) => { g(s).interruptibility = 0x20; }, expect: /interruptibility is 0x00000020 but bits 31:5/ },
  'INT.STI_MOVSS': { mutate: (s) => { g(s).interruptibility = 3; }, expect: /blocking by STI \(bit 0\) and by MOV-SS \(bit 1\) cannot both be 1/ },
  'INT.STI_IF': { setup: (s) => { g(s).interruptibility = 1; }, mutate: (s) => { g(s).rflags = 2n; }, expect: /\(blocking by STI\) but RFLAGS is 0x00000002 with IF=0/ },
  'INT.EXTINT': { setup: inject(0x80000030), mutate: (s) => { g(s).interruptibility = 2; }, expect: /external interrupt \(vector 48\) is injected but interruptibility is 0x00000002/ },
  'INT.NMI_MOVSS': { setup: inject(0x80000202), mutate: (s) => { g(s).interruptibility = 2; }, expect: /an NMI is injected but interruptibility is 0x00000002 \(blocking by MOV-SS\)/ },
  'INT.SMI': { mutate: (s) => { g(s).interruptibility = 4; }, expect: /with blocking by SMI \(bit 2\), which is only possible in SMM/ },
  'INT.VNMI': { setup: inject(0x80000202), mutate: (s) => { g(s).interruptibility = 8; }, expect: /"virtual NMIs" = 1 but interruptibility is 0x00000008/ },
  'INT.ENCLAVE': { setup: (s) => { g(s).interruptibility = 0x10; }, mutate: (s) => { g(s).interruptibility = 0x12; }, expect: /enclave interruption \(bit 4\) with blocking by MOV-SS/ },
  'PDE.RSVD': { mutate: (s) => { g(s).pendingDebugExceptions = 0x10n; }, expect: /pending debug exceptions are 0x00000010 but bits 11:4, 13, 15 and 63:17 must be 0/ },
  'PDE.BS': {
    setup: (s) => { g(s).interruptibility = 1; g(s).rflags = 0x302n; g(s).pendingDebugExceptions = 0x4000n; },
    mutate: (s) => { g(s).pendingDebugExceptions = 0n; }, expect: /have BS=0 but RFLAGS.TF=1 and DEBUGCTL.BTF=0, so BS must be 1/,
  },
  'LINK.ALIGN': { setup: (s) => { g(s).vmcsLinkPointer = 0x1000n; }, mutate: (s) => { g(s).vmcsLinkPointer = 0x1008n; }, expect: /VMCS link pointer is 0x0000000000001008 but bits 11:0 must be 0/ },
  'LINK.WIDTH': { setup: (s) => { g(s).vmcsLinkPointer = 0x1000n; }, mutate: (s) => { g(s).vmcsLinkPointer = 1n << 52n; }, expect: /bits 63:52 must be 0/ },
  // §26.3.1.6
  'PDPTE.RSVD': {
    setup: (s) => { g(s).cr4 = 0x2030n; g(s).pdpte = [0x1001n, 0x2001n, 0x3001n, 0n]; },
    mutate: (s) => { g(s).pdpte![2] = 0x3003n; }, expect: /PDPTE2 is 0x0000000000003003: a present PDPTE must have bits 2:1, 8:5/,
  },
};

// Per-segment checks, generated: the v86 rules on a vm86 state, the others on protected mode.
for (const n of ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const) {
  const N = n.toUpperCase();
  CASES[`V86.BASE.${N}`] = { base: v86, mutate: (s) => { seg(s, n).base = seg(s, n).base! + 0x100000n; }, expect: new RegExp(`${N}.base is 0x001[0-9a-f]{5} but in virtual-8086 mode it must equal ${N}.selector << 4 = 0x000`) };
  CASES[`V86.LIMIT.${N}`] = { base: v86, mutate: (s) => { seg(s, n).limit = 0xffffffff; }, expect: new RegExp(`${N}.limit is 0xffffffff but in virtual-8086 mode it must be 0x0000ffff`) };
  CASES[`V86.AR.${N}`] = { base: v86, mutate: (s) => { seg(s, n).access = 0x93; }, expect: new RegExp(`${N} access rights are 0x00093 \\(type 0x3 data, read/write, accessed; S=1 DPL=0 P=1\\) but in virtual-8086 mode they must be exactly 0x000f3`) };
  const code = n === 'cs';
  CASES[`S.${N}`] = { mutate: (s) => { seg(s, n).access! &= ~0x10; }, expect: new RegExp(`${N} access rights are 0x0c0.b? ?.*with S=0`) };
  CASES[`P.${N}`] = { mutate: (s) => { seg(s, n).access! &= ~0x80; }, expect: new RegExp(`${N} access rights are 0x0c01${code ? 'b' : '3'} .* with P=0`) };
  CASES[`AR.RSVD.${N}`] = { mutate: (s) => { seg(s, n).access! |= 0x100; }, expect: new RegExp(`${N} access rights are 0x0c19${code ? 'b' : '3'} but reserved bits 11:8 and 31:17 must be 0 \\(set: 0x00100\\)`) };
  CASES[`G.LIMIT.${N}`] = { mutate: (s) => { seg(s, n).limit = 0xfffff000; }, expect: new RegExp(`${N}.limit is 0xfffff000 with G=1, but with G=1 the low 12 bits`) };
}
for (const n of ['ss', 'ds', 'es'] as const) {
  const N = n.toUpperCase();
  CASES[`BASE.HI.${N}`] = { mutate: (s) => { seg(s, n).base = 1n << 32n; }, expect: new RegExp(`${N}.base is 0x0000000100000000 but bits 63:32 of a usable ${N} base must be 0`) };
}
for (const n of ['fs', 'gs'] as const) {
  const N = n.toUpperCase();
  CASES[`BASE.CANON.${N}`] = { mutate: (s) => { seg(s, n).base = NONCANON; }, expect: new RegExp(`${N}.base is 0x0000800000000000 but must be canonical`) };
}
for (const n of ['ds', 'es', 'fs', 'gs'] as const) {
  const N = n.toUpperCase();
  CASES[`TYPE.DATA.ACC.${N}`] = { mutate: (s) => { seg(s, n).access = 0xc092; }, expect: new RegExp(`${N} access rights are 0x0c092 .*accessed bit \\(bit 0\\) is 0`) };
  CASES[`TYPE.DATA.READ.${N}`] = { mutate: (s) => { seg(s, n).access = 0xc099; }, expect: new RegExp(`${N} access rights are 0x0c099 \\(type 0x9 code, execute-only, accessed.*must be readable`) };
  CASES[`DPL.DATA.${N}`] = { mutate: (s) => { seg(s, n).selector = 0x13; }, expect: new RegExp(`${N}.DPL is 0 but ${N}.selector 0x0013 has RPL 3; DPL must be >= RPL`) };
}

function resultOf(s: EntryState, id: string): CheckResult {
  const r = runEntryChecks(s).checks.find((x) => x.id === id);
  assert.ok(r, `no result for ${id}`);
  return r;
}

for (const check of ENTRY_CHECKS) {
  const cs = CASES[check.id];
  test(`${check.id} (§${check.section})`, { skip: cs ? false : 'no case' }, () => {
    const s = (cs.base ?? pm)();
    cs.setup?.(s);
    const before = resultOf(s, check.id);
    assert.equal(before.status, 'pass', `base state: ${before.message}`);
    const m = clone(s);
    cs.mutate(m);
    const after = resultOf(m, check.id);
    assert.equal(after.status, 'fail', `mutated state: ${after.status} ${after.message}`);
    assert.match(after.message, cs.expect);
    assert.equal(after.section, check.section);
    assert.equal(after.oldSection, check.section.replace('26.', '22.'));
  });
}

test('every check id has a pass/fail case', () => {
  assert.deepEqual(ENTRY_CHECKS.map((c) => c.id).filter((id) => !CASES[id]), []);
  assert.equal(new Set(ENTRY_CHECKS.map((c) => c.id)).size, ENTRY_CHECKS.length, 'ids are unique');
});

test('the three baseline states pass every check', () => {
  for (const s of [protectedMode(), v86(), unrestrictedReal(), pm()]) {
    const r = runEntryChecks(s);
    assert.deepEqual(r.failures.map((f) => `${f.id}: ${f.message}`), []);
    assert.deepEqual(r.outcome, { result: 'enter' });
  }
});
