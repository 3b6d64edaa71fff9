// VM-entry checks on guest non-register state (SDM Vol. 3 §26.3.1.5: activity state, interruptibility, pending
// debug exceptions, VMCS link pointer) and the PDPTEs (§26.3.1.6); 2009 editions §22.3.1.5-6.
// Pure TypeScript: no Node or VS Code imports.
import type { EntryCheck } from './checkTypes';
import { hex, ENTRY_SMM, PIN_VIRTUAL_NMIS, PROC2_ENABLE_EPT, PROC_ACTIVATE_SECONDARY } from './guestState';
import { need, type View } from './view';

const ACTIVITY = ['active', 'HLT', 'shutdown', 'wait-for-SIPI'];
const INJ_TYPES = ['external interrupt', 'reserved type 1', 'NMI', 'hardware exception', 'software interrupt',
  'privileged software exception', 'software exception', 'other event'];

function act(n: number): string {
  return `${n} (${ACTIVITY[n] ?? 'undefined'})`;
}
function injected(v: View): string {
  const i = v.injection;
  return `${INJ_TYPES[i.type]} vector ${i.vector}`;
}
/** Which injected events an activity state accepts (§26.3.1.5, "Event injection vs activity state"). */
function injectionAllowed(v: View): boolean {
  const i = v.injection;
  switch (v.activity) {
    case 0: return true;
    case 1: return i.type === 0 || i.type === 2 || (i.type === 3 && (i.vector === 1 || i.vector === 18)) || (i.type === 7 && i.vector === 0);
    case 2: return i.type === 2 || (i.type === 3 && i.vector === 18);
    default: return false;
  }
}
const NO_INJECTION = (v: View) => (v.injection.valid ? undefined : 'no event injected');
function injecting(type: number, what: string) {
  return (v: View) => (v.injection.valid && v.injection.type === type ? undefined : `no ${what} injected`);
}

/** Pending-debug-exception bits that must be 0: 11:4, 13, 15, 63:17 (bit 16 is RTM in current editions). */
const PDE_MBZ = 0xfffffffffffeaff0n;
const ALL_ONES = (1n << 64n) - 1n;

function ept(v: View): boolean {
  const p = need(v.c.procBased, 'CPU_BASED_VM_EXEC_CONTROL');
  if ((p & PROC_ACTIVATE_SECONDARY) === 0) return false;
  return (need(v.c.procBased2, 'SECONDARY_VM_EXEC_CONTROL') & PROC2_ENABLE_EPT) !== 0;
}
/** A present PDPTE's reserved bits: 2:1, 8:5 and beyond MAXPHYADDR (SDM Vol. 3 §4.4.1). */
function pdpteBad(e: bigint, maxPhys: number): boolean {
  if ((e & 1n) === 0n) return false;
  return (e & 0x1e6n) !== 0n || BigInt.asUintN(64, e) >> BigInt(maxPhys) !== 0n;
}

export const NON_REGISTER_CHECKS: EntryCheck[] = [
  {
    id: 'ACT.RANGE', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_ACTIVITY_STATE'],
    rule: 'activity state is 0-3',
    ok: (v) => v.activity >= 0 && v.activity <= 3,
    explain: (v) => `activity state is ${v.activity} but only 0 (active), 1 (HLT), 2 (shutdown) and 3 (wait-for-SIPI) exist`,
  },
  {
    id: 'ACT.HLT_DPL', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_ACTIVITY_STATE', 'GUEST_SS_AR_BYTES'],
    rule: 'HLT activity state requires SS.DPL = 0',
    skip: (v) => (v.activity === 1 ? undefined : `activity state ${act(v.activity)}`),
    ok: (v) => v.seg('ss').a.dpl === 0,
    explain: (v) => `activity state is HLT but SS.DPL is ${v.seg('ss').a.dpl}; HLT is only possible at CPL 0`,
  },
  {
    id: 'ACT.SHADOW', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_ACTIVITY_STATE', 'GUEST_INTERRUPTIBILITY_INFO'],
    rule: 'blocking by STI or MOV-SS requires the active state',
    skip: (v) => ((v.interruptibility & 3) === 0 ? 'no STI or MOV-SS blocking' : undefined),
    ok: (v) => v.activity === 0,
    explain: (v) => `interruptibility is ${hex(v.interruptibility)} (blocking by ${v.interruptibility & 1 ? 'STI' : 'MOV-SS'}) but the activity state is ${act(v.activity)}; it must be active`,
  },
  {
    id: 'ACT.INJ', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_ACTIVITY_STATE', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'the injected event is allowed in the activity state',
    skip: NO_INJECTION,
    ok: injectionAllowed,
    explain: (v) => `an ${injected(v)} is injected but the activity state ${act(v.activity)} does not accept it`,
  },
  {
    id: 'ACT.SMM_SIPI', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_ACTIVITY_STATE', 'VM_ENTRY_CONTROLS'],
    rule: 'no wait-for-SIPI with "entry to SMM"',
    skip: (v) => ((v.entry & ENTRY_SMM) === 0 ? '"entry to SMM" = 0' : undefined),
    ok: (v) => v.activity !== 3,
    explain: () => 'the activity state is wait-for-SIPI but "entry to SMM" is 1',
  },
  {
    id: 'INT.RSVD', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO'],
    rule: 'interruptibility bits 31:5 are 0',
    ok: (v) => v.interruptibility >>> 5 === 0,
    explain: (v) => `interruptibility is ${hex(v.interruptibility)} but bits 31:5 are reserved and must be 0`,
  },
  {
    id: 'INT.STI_MOVSS', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO'],
    rule: 'not both blocking by STI and by MOV-SS',
    ok: (v) => (v.interruptibility & 3) !== 3,
    explain: (v) => `interruptibility is ${hex(v.interruptibility)}: blocking by STI (bit 0) and by MOV-SS (bit 1) cannot both be 1`,
  },
  {
    id: 'INT.STI_IF', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO', 'GUEST_RFLAGS'],
    rule: 'blocking by STI requires RFLAGS.IF=1',
    skip: (v) => ((v.interruptibility & 1) === 0 ? 'no blocking by STI' : undefined),
    ok: (v) => v.ifFlag,
    explain: (v) => `interruptibility is ${hex(v.interruptibility)} (blocking by STI) but RFLAGS is ${hex(v.rflags)} with IF=0`,
  },
  {
    id: 'INT.EXTINT', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'injecting an external interrupt requires no STI or MOV-SS blocking',
    skip: injecting(0, 'external interrupt'),
    ok: (v) => (v.interruptibility & 3) === 0,
    explain: (v) => `an external interrupt (vector ${v.injection.vector}) is injected but interruptibility is ${hex(v.interruptibility)} (STI/MOV-SS blocking)`,
  },
  {
    id: 'INT.NMI_MOVSS', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'injecting an NMI requires no MOV-SS blocking',
    skip: injecting(2, 'NMI'),
    ok: (v) => (v.interruptibility & 2) === 0,
    explain: (v) => `an NMI is injected but interruptibility is ${hex(v.interruptibility)} (blocking by MOV-SS)`,
  },
  {
    id: 'INT.SMI', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO', 'VM_ENTRY_CONTROLS'],
    rule: 'blocking by SMI is 0 outside SMM and 1 with "entry to SMM"',
    ok: (v) => ((v.interruptibility & 4) !== 0) === ((v.entry & ENTRY_SMM) !== 0),
    explain: (v) => (v.entry & ENTRY_SMM) !== 0
      ? `interruptibility is ${hex(v.interruptibility)} without blocking by SMI (bit 2) but "entry to SMM" is 1`
      : `interruptibility is ${hex(v.interruptibility)} with blocking by SMI (bit 2), which is only possible in SMM`,
  },
  {
    id: 'INT.VNMI', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO', 'PIN_BASED_VM_EXEC_CONTROL', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'with virtual NMIs, injecting an NMI requires no blocking by NMI',
    skip: (v) => injecting(2, 'NMI')(v) ?? ((need(v.c.pinBased, 'PIN_BASED_VM_EXEC_CONTROL') & PIN_VIRTUAL_NMIS) === 0 ? '"virtual NMIs" = 0' : undefined),
    ok: (v) => (v.interruptibility & 8) === 0,
    explain: (v) => `an NMI is injected with "virtual NMIs" = 1 but interruptibility is ${hex(v.interruptibility)} (blocking by NMI, bit 3)`,
  },
  {
    id: 'INT.ENCLAVE', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_INTERRUPTIBILITY_INFO'],
    rule: 'enclave interruption (bit 4) excludes blocking by MOV-SS',
    skip: (v) => ((v.interruptibility & 0x10) === 0 ? 'no enclave interruption' : undefined),
    ok: (v) => (v.interruptibility & 2) === 0,
    explain: (v) => `interruptibility is ${hex(v.interruptibility)}: enclave interruption (bit 4) with blocking by MOV-SS (bit 1)`,
  },
  {
    id: 'PDE.RSVD', section: '26.3.1.5', kind: 'guest', fields: ['GUEST_PENDING_DBG_EXCEPTIONS'],
    rule: 'pending debug exceptions bits 11:4, 13, 15 and 63:17 are 0',
    ok: (v) => (BigInt.asUintN(64, need(v.g.pendingDebugExceptions, 'GUEST_PENDING_DBG_EXCEPTIONS')) & PDE_MBZ) === 0n,
    explain: (v) => `pending debug exceptions are ${hex(v.g.pendingDebugExceptions!)} but bits 11:4, 13, 15 and 63:17 must be 0 (the 2009 SDM also reserved 16 and Bochs uses mask 0xffffaff0)`,
  },
  {
    id: 'PDE.BS', section: '26.3.1.5', kind: 'guest',
    fields: ['GUEST_PENDING_DBG_EXCEPTIONS', 'GUEST_RFLAGS', 'GUEST_IA32_DEBUGCTL', 'GUEST_INTERRUPTIBILITY_INFO', 'GUEST_ACTIVITY_STATE'],
    rule: 'with STI/MOV-SS blocking or HLT, pending BS = (RFLAGS.TF and not DEBUGCTL.BTF)',
    skip: (v) => ((v.interruptibility & 3) === 0 && v.activity !== 1 ? 'no STI/MOV-SS blocking and not HLT' : undefined),
    ok: (v) => {
      const bs = ((need(v.g.pendingDebugExceptions, 'GUEST_PENDING_DBG_EXCEPTIONS') >> 14n) & 1n) === 1n;
      const btf = ((need(v.g.debugctl, 'GUEST_IA32_DEBUGCTL') >> 1n) & 1n) === 1n;
      return bs === (v.tf && !btf);
    },
    explain: (v) => {
      const bs = (v.g.pendingDebugExceptions! >> 14n) & 1n;
      const btf = (v.g.debugctl! >> 1n) & 1n;
      return `pending debug exceptions ${hex(v.g.pendingDebugExceptions!)} have BS=${bs} but RFLAGS.TF=${+v.tf} and DEBUGCTL.BTF=${btf}, so BS must be ${+(v.tf && btf === 0n)} while events are blocked or the guest is in HLT`;
    },
  },
  {
    id: 'LINK.ALIGN', section: '26.3.1.5', kind: 'guest', fields: ['VMCS_LINK_POINTER'], exitQualification: 4,
    rule: 'VMCS link pointer is all ones or 4-KByte aligned',
    skip: (v) => (BigInt.asUintN(64, need(v.g.vmcsLinkPointer, 'VMCS_LINK_POINTER')) === ALL_ONES ? 'link pointer is 0xffffffffffffffff (unused)' : undefined),
    ok: (v) => (v.g.vmcsLinkPointer! & 0xfffn) === 0n,
    explain: (v) => `VMCS link pointer is ${hex(v.g.vmcsLinkPointer!, 16)} but bits 11:0 must be 0 (or the pointer must be all ones)`,
  },
  {
    id: 'LINK.WIDTH', section: '26.3.1.5', kind: 'guest', fields: ['VMCS_LINK_POINTER'], exitQualification: 4,
    rule: 'VMCS link pointer is within MAXPHYADDR',
    skip: (v) => (BigInt.asUintN(64, need(v.g.vmcsLinkPointer, 'VMCS_LINK_POINTER')) === ALL_ONES ? 'link pointer is 0xffffffffffffffff (unused)' : undefined),
    ok: (v) => BigInt.asUintN(64, v.g.vmcsLinkPointer!) >> BigInt(v.caps.maxPhysAddr) === 0n,
    explain: (v) => `VMCS link pointer is ${hex(v.g.vmcsLinkPointer!, 16)} but bits 63:${v.caps.maxPhysAddr} must be 0 (MAXPHYADDR)`,
  },
  {
    id: 'PDPTE.RSVD', section: '26.3.1.6', kind: 'guest', fields: ['GUEST_PDPTE0', 'GUEST_PDPTE1', 'GUEST_PDPTE2', 'GUEST_PDPTE3'], exitQualification: 2,
    rule: 'with PAE paging and EPT, present PDPTEs have no reserved bits set',
    skip: (v) => {
      if ((v.cr0 & (1n << 31n)) === 0n || (v.cr4 & (1n << 5n)) === 0n) return 'not PAE paging (CR0.PG or CR4.PAE is 0)';
      if (v.ia32e) return 'IA-32e mode guest = 1 (no PDPTEs)';
      if (!ept(v)) return 'EPT off: the PDPTEs are loaded from guest memory at CR3, which the state does not include';
      return undefined;
    },
    ok: (v) => [0, 1, 2, 3].every((i) => !pdpteBad(need(v.g.pdpte?.[i], `GUEST_PDPTE${i}`), v.caps.maxPhysAddr)),
    explain: (v) => {
      const bad = [0, 1, 2, 3].filter((i) => pdpteBad(v.g.pdpte![i]!, v.caps.maxPhysAddr));
      return bad.map((i) => `PDPTE${i} is ${hex(v.g.pdpte![i]!, 16)}`).join(', ') + ': a present PDPTE must have bits 2:1, 8:5 and bits beyond MAXPHYADDR clear';
    },
  },
];
