// VM-entry checks on guest control registers, debug registers and MSRs (SDM Vol. 3 §26.3.1.1), GDTR/IDTR
// (§26.3.1.3) and RIP/RFLAGS (§26.3.1.4). Older editions: §22.3.1.1, 22.3.1.3, 22.3.1.4.
// Pure TypeScript: no Node or VS Code imports.
import type { EntryCheck } from './checkTypes';
import {
  hex, ENTRY_LOAD_BNDCFGS, ENTRY_LOAD_DEBUG_CONTROLS, ENTRY_LOAD_EFER, ENTRY_LOAD_PAT,
} from './guestState';
import { isCanonical, need, type View } from './view';

const CR0_BITS: Record<number, string> = { 0: 'PE', 1: 'MP', 2: 'EM', 3: 'TS', 4: 'ET', 5: 'NE', 16: 'WP', 18: 'AM', 29: 'NW', 30: 'CD', 31: 'PG' };
const CR4_BITS: Record<number, string> = {
  0: 'VME', 1: 'PVI', 2: 'TSD', 3: 'DE', 4: 'PSE', 5: 'PAE', 6: 'MCE', 7: 'PGE', 8: 'PCE', 9: 'OSFXSR', 10: 'OSXMMEXCPT',
  11: 'UMIP', 12: 'LA57', 13: 'VMXE', 14: 'SMXE', 16: 'FSGSBASE', 17: 'PCIDE', 18: 'OSXSAVE', 19: 'KL', 20: 'SMEP', 21: 'SMAP',
  22: 'PKE', 23: 'CET', 24: 'PKS', 25: 'UINTR',
};

function bitList(mask: bigint, names: Record<number, string>): string {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((mask >> BigInt(i)) & 1n) out.push(names[i] ? `${i} (${names[i]})` : `${i}`);
  return out.join(', ');
}

const PE = 1n, PG = 1n << 31n, WP = 1n << 16n;
const CR4_PAE = 1n << 5n, CR4_PCIDE = 1n << 17n, CR4_CET = 1n << 23n;

/** CR0 bits FIXED0 requires; with unrestricted guest PE and PG are exempt (§26.3.1.1). */
function cr0Must1(v: View): bigint {
  return v.ug ? v.caps.cr0Fixed0 & ~(PE | PG) : v.caps.cr0Fixed0;
}
function cr0Bad(v: View): { must1: bigint; must0: bigint } {
  const cr0 = BigInt.asUintN(64, v.cr0);
  return { must1: cr0Must1(v) & ~cr0, must0: cr0 & ~v.caps.cr0Fixed1 & ((1n << 64n) - 1n) };
}
function cr4Bad(v: View): { must1: bigint; must0: bigint } {
  const cr4 = BigInt.asUintN(64, v.cr4);
  return { must1: v.caps.cr4Fixed0 & ~cr4, must0: cr4 & ~v.caps.cr4Fixed1 & ((1n << 64n) - 1n) };
}
function fixedMessage(reg: string, value: bigint, bad: { must1: bigint; must0: bigint }, names: Record<number, string>, extra = ''): string {
  const parts: string[] = [];
  if (bad.must1) parts.push(`bit${bad.must1 & (bad.must1 - 1n) ? 's' : ''} ${bitList(bad.must1, names)} must be 1 (IA32_VMX_${reg}_FIXED0)`);
  if (bad.must0) parts.push(`bit${bad.must0 & (bad.must0 - 1n) ? 's' : ''} ${bitList(bad.must0, names)} must be 0 (IA32_VMX_${reg}_FIXED1)`);
  return `${reg} is ${hex(value)} but ${parts.join(' and ')}${extra}`;
}

const PAT_OK = new Set([0, 1, 4, 5, 6, 7]);
/** IA32_DEBUGCTL bits no processor defines: 63:16 and 5:2 (SDM Vol. 3 §17.4.1; model-specific bits stay allowed). */
const DEBUGCTL_RSVD = 0xffffffffffff003cn;
/** IA32_EFER bits an Intel CPU defines: SCE, LME, LMA, NXE. */
const EFER_DEFINED = (1n << 0n) | (1n << 8n) | (1n << 10n) | (1n << 11n);
const EFER_LME = 1n << 8n, EFER_LMA = 1n << 10n;

export const REGISTER_CHECKS: EntryCheck[] = [
  // §26.3.1.1 — control registers, debug registers, MSRs
  {
    id: 'CR0.FIXED', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR0', 'SECONDARY_VM_EXEC_CONTROL'],
    rule: 'CR0 honours IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG exempt with unrestricted guest)',
    ok: (v) => { const b = cr0Bad(v); return b.must1 === 0n && b.must0 === 0n; },
    explain: (v) => fixedMessage('CR0', v.cr0, cr0Bad(v), CR0_BITS,
      (cr0Bad(v).must1 & (PE | PG)) !== 0n ? ' (only the "unrestricted guest" control lets PE or PG be 0)' : ''),
  },
  {
    id: 'CR0.PG_PE', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR0'],
    rule: 'CR0.PG=1 requires CR0.PE=1',
    ok: (v) => !((v.cr0 & PG) !== 0n && (v.cr0 & PE) === 0n),
    explain: (v) => `CR0 is ${hex(v.cr0)}: PG=1 with PE=0; paging requires protected mode`,
  },
  {
    id: 'CR0.PG_IA32E', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR0', 'VM_ENTRY_CONTROLS'],
    rule: 'with the "IA-32e mode guest" entry control, CR0.PG=1',
    skip: (v) => (v.ia32e ? undefined : 'IA-32e mode guest = 0'),
    ok: (v) => (v.cr0 & PG) !== 0n,
    explain: (v) => `CR0 is ${hex(v.cr0)} with PG=0 but the "IA-32e mode guest" VM-entry control is 1, which requires paging`,
  },
  {
    id: 'CR4.FIXED', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR4'],
    rule: 'CR4 honours IA32_VMX_CR4_FIXED0/FIXED1 (VMXE=1)',
    ok: (v) => { const b = cr4Bad(v); return b.must1 === 0n && b.must0 === 0n; },
    explain: (v) => fixedMessage('CR4', v.cr4, cr4Bad(v), CR4_BITS),
  },
  {
    id: 'CR4.PAE_IA32E', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR4', 'VM_ENTRY_CONTROLS'],
    rule: 'with the "IA-32e mode guest" entry control, CR4.PAE=1',
    skip: (v) => (v.ia32e ? undefined : 'IA-32e mode guest = 0'),
    ok: (v) => (v.cr4 & CR4_PAE) !== 0n,
    explain: (v) => `CR4 is ${hex(v.cr4)} with PAE=0 but the "IA-32e mode guest" VM-entry control is 1, which requires PAE`,
  },
  {
    id: 'CR4.PCIDE', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR4', 'VM_ENTRY_CONTROLS'],
    rule: 'without the "IA-32e mode guest" entry control, CR4.PCIDE=0',
    skip: (v) => (v.ia32e ? 'IA-32e mode guest = 1' : undefined),
    ok: (v) => (v.cr4 & CR4_PCIDE) === 0n,
    explain: (v) => `CR4 is ${hex(v.cr4)} with PCIDE=1 but the "IA-32e mode guest" VM-entry control is 0; PCIDs exist only in IA-32e mode`,
  },
  {
    id: 'CR4.CET_WP', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR4', 'GUEST_CR0'],
    rule: 'CR4.CET=1 requires CR0.WP=1',
    skip: (v) => ((v.cr4 & CR4_CET) === 0n ? 'CR4.CET=0' : undefined),
    ok: (v) => (v.cr0 & WP) !== 0n,
    explain: (v) => `CR4.CET is 1 (CR4 ${hex(v.cr4)}) but CR0 is ${hex(v.cr0)} with WP=0`,
  },
  {
    id: 'CR3.WIDTH', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_CR3'],
    rule: 'CR3 has no bits set beyond MAXPHYADDR',
    ok: (v) => BigInt.asUintN(64, v.cr3) >> BigInt(v.caps.maxPhysAddr) === 0n,
    explain: (v) => `CR3 is ${hex(v.cr3)} but bits 63:${v.caps.maxPhysAddr} must be 0 (MAXPHYADDR ${v.caps.maxPhysAddr})`,
  },
  {
    id: 'DEBUGCTL.RSVD', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_IA32_DEBUGCTL', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load debug controls", reserved IA32_DEBUGCTL bits (63:16, 5:2) are 0',
    skip: (v) => ((v.entry & ENTRY_LOAD_DEBUG_CONTROLS) === 0 ? '"load debug controls" = 0' : undefined),
    ok: (v) => (BigInt.asUintN(64, need(v.g.debugctl, 'GUEST_IA32_DEBUGCTL')) & DEBUGCTL_RSVD) === 0n,
    explain: (v) => `IA32_DEBUGCTL is ${hex(v.g.debugctl!)} but its reserved bits ${bitList(BigInt.asUintN(64, v.g.debugctl!) & DEBUGCTL_RSVD, {})} must be 0 (bits 63:16 and 5:2)`,
  },
  {
    id: 'DR7.HI', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_DR7', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load debug controls", DR7[63:32] = 0',
    skip: (v) => ((v.entry & ENTRY_LOAD_DEBUG_CONTROLS) === 0 ? '"load debug controls" = 0' : undefined),
    ok: (v) => BigInt.asUintN(64, need(v.g.dr7, 'GUEST_DR7')) >> 32n === 0n,
    explain: (v) => `DR7 is ${hex(v.g.dr7!)} but bits 63:32 must be 0 when "load debug controls" is 1`,
  },
  {
    id: 'SYSENTER.CANON', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_SYSENTER_ESP', 'GUEST_SYSENTER_EIP'],
    rule: 'IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical',
    ok: (v) => isCanonical(need(v.g.sysenterEsp, 'GUEST_SYSENTER_ESP'), v.caps.linearAddressWidth)
      && isCanonical(need(v.g.sysenterEip, 'GUEST_SYSENTER_EIP'), v.caps.linearAddressWidth),
    explain: (v) => `IA32_SYSENTER_ESP ${hex(v.g.sysenterEsp!)} / IA32_SYSENTER_EIP ${hex(v.g.sysenterEip!)}: both must be canonical (${v.caps.linearAddressWidth}-bit linear addresses)`,
  },
  {
    id: 'PAT.VALID', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_IA32_PAT', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load IA32_PAT", every PAT entry is 0, 1, 4, 5, 6 or 7',
    skip: (v) => ((v.entry & ENTRY_LOAD_PAT) === 0 ? '"load IA32_PAT" = 0' : undefined),
    ok: (v) => patBad(need(v.g.pat, 'GUEST_IA32_PAT')).length === 0,
    explain: (v) => `IA32_PAT is ${hex(v.g.pat!, 16)}: ${patBad(v.g.pat!).join(', ')}; each byte must be 0, 1, 4, 5, 6 or 7`,
  },
  {
    id: 'EFER.RSVD', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_IA32_EFER', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load IA32_EFER", no reserved EFER bits are set',
    skip: (v) => ((v.entry & ENTRY_LOAD_EFER) === 0 ? '"load IA32_EFER" = 0' : undefined),
    ok: (v) => (need(v.g.efer, 'GUEST_IA32_EFER') & ~EFER_DEFINED) === 0n,
    explain: (v) => `IA32_EFER is ${hex(v.g.efer!)} but only SCE, LME, LMA and NXE (bits 0, 8, 10, 11) may be set`,
  },
  {
    id: 'EFER.LMA', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_IA32_EFER', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load IA32_EFER", EFER.LMA equals the "IA-32e mode guest" control',
    skip: (v) => ((v.entry & ENTRY_LOAD_EFER) === 0 ? '"load IA32_EFER" = 0' : undefined),
    ok: (v) => ((need(v.g.efer, 'GUEST_IA32_EFER') & EFER_LMA) !== 0n) === v.ia32e,
    explain: (v) => `IA32_EFER is ${hex(v.g.efer!)} with LMA=${+((v.g.efer! & EFER_LMA) !== 0n)} but the "IA-32e mode guest" control is ${+v.ia32e}; they must be equal`,
  },
  {
    id: 'EFER.LME', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_IA32_EFER', 'GUEST_CR0', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load IA32_EFER" and CR0.PG=1, EFER.LME equals EFER.LMA',
    skip: (v) => ((v.entry & ENTRY_LOAD_EFER) === 0 ? '"load IA32_EFER" = 0' : (v.cr0 & PG) === 0n ? 'CR0.PG=0' : undefined),
    ok: (v) => ((need(v.g.efer, 'GUEST_IA32_EFER') & EFER_LME) !== 0n) === ((v.g.efer! & EFER_LMA) !== 0n),
    explain: (v) => `IA32_EFER is ${hex(v.g.efer!)}: LME and LMA differ while CR0.PG=1`,
  },

  {
    id: 'BNDCFGS.RSVD', section: '26.3.1.1', kind: 'guest', fields: ['GUEST_BNDCFGS', 'VM_ENTRY_CONTROLS'],
    rule: 'with "load IA32_BNDCFGS", BNDCFGS bits 11:2 are 0 and bits 63:12 form a canonical address',
    skip: (v) => ((v.entry & ENTRY_LOAD_BNDCFGS) === 0 ? '"load IA32_BNDCFGS" = 0' : undefined),
    ok: (v) => {
      const b = BigInt.asUintN(64, need(v.g.bndcfgs, 'GUEST_BNDCFGS'));
      return (b & 0xffcn) === 0n && isCanonical(b & ~0xfffn, v.caps.linearAddressWidth);
    },
    explain: (v) => `IA32_BNDCFGS is ${hex(v.g.bndcfgs!)} but bits 11:2 must be 0 and the base (bits 63:12) canonical`,
  },

  // §26.3.1.3 — GDTR and IDTR
  ...(['gdtr', 'idtr'] as const).flatMap((t): EntryCheck[] => {
    const T = t.toUpperCase();
    return [
      {
        id: `DT.BASE.${T}`, section: '26.3.1.3', kind: 'guest', fields: [`GUEST_${T}_BASE`],
        rule: `${T}.base is canonical`,
        ok: (v) => isCanonical(need(v.g[t]?.base, `GUEST_${T}_BASE`), v.caps.linearAddressWidth),
        explain: (v) => `${T}.base is ${hex(v.g[t]!.base!)} but must be canonical (${v.caps.linearAddressWidth}-bit linear addresses)`,
      },
      {
        id: `DT.LIMIT.${T}`, section: '26.3.1.3', kind: 'guest', fields: [`GUEST_${T}_LIMIT`],
        rule: `${T}.limit bits 31:16 are 0`,
        ok: (v) => need(v.g[t]?.limit, `GUEST_${T}_LIMIT`) >>> 16 === 0,
        explain: (v) => `${T}.limit is ${hex(v.g[t]!.limit!)} but bits 31:16 must be 0 (descriptor-table limits are 16 bits)`,
      },
    ];
  }),

  // §26.3.1.4 — RIP and RFLAGS
  {
    id: 'RIP.HI', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RIP', 'VM_ENTRY_CONTROLS', 'GUEST_CS_AR_BYTES'],
    rule: 'outside 64-bit mode, RIP[63:32] = 0',
    skip: (v) => (v.ia32e && v.seg('cs').a.l ? '64-bit code (IA-32e mode guest and CS.L=1)' : undefined),
    ok: (v) => BigInt.asUintN(64, v.rip) >> 32n === 0n,
    explain: (v) => `RIP is ${hex(v.rip)} but bits 63:32 must be 0 unless the guest runs 64-bit code (IA-32e mode guest and CS.L=1)`,
  },
  {
    id: 'RIP.CANON', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RIP', 'VM_ENTRY_CONTROLS', 'GUEST_CS_AR_BYTES'],
    rule: 'in 64-bit mode, RIP is canonical',
    skip: (v) => (v.ia32e && v.seg('cs').a.l ? undefined : 'not 64-bit code'),
    ok: (v) => isCanonical(v.rip, v.caps.linearAddressWidth),
    explain: (v) => `RIP is ${hex(v.rip)} but in 64-bit mode it must be canonical (${v.caps.linearAddressWidth}-bit linear addresses)`,
  },
  {
    id: 'RFLAGS.RSVD0', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RFLAGS'],
    rule: 'RFLAGS bits 63:22, 15, 5 and 3 are 0',
    ok: (v) => (BigInt.asUintN(64, v.rflags) & RFLAGS_MBZ) === 0n,
    explain: (v) => `RFLAGS is ${hex(v.rflags)} but reserved bit${bitList(BigInt.asUintN(64, v.rflags) & RFLAGS_MBZ, {}).includes(',') ? 's' : ''} ${bitList(BigInt.asUintN(64, v.rflags) & RFLAGS_MBZ, {})} must be 0 (bits 63:22, 15, 5, 3)`,
  },
  {
    id: 'RFLAGS.RSVD1', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RFLAGS'],
    rule: 'RFLAGS bit 1 is 1',
    ok: (v) => (v.rflags & 2n) !== 0n,
    explain: (v) => `RFLAGS is ${hex(v.rflags)} but reserved bit 1 must be 1`,
  },
  {
    id: 'RFLAGS.VM_IA32E', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RFLAGS', 'VM_ENTRY_CONTROLS'],
    rule: 'RFLAGS.VM=0 with the "IA-32e mode guest" entry control',
    skip: (v) => (v.ia32e ? undefined : 'IA-32e mode guest = 0'),
    ok: (v) => !v.v86,
    explain: (v) => `RFLAGS is ${hex(v.rflags)} with VM=1 but the "IA-32e mode guest" control is 1; virtual-8086 mode does not exist in IA-32e mode`,
  },
  {
    id: 'RFLAGS.VM_REAL', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RFLAGS', 'GUEST_CR0'],
    rule: 'RFLAGS.VM=0 when CR0.PE=0',
    ok: (v) => !(v.v86 && !v.pe),
    explain: (v) => `RFLAGS is ${hex(v.rflags)} with VM=1 but CR0 is ${hex(v.cr0)} with PE=0; virtual-8086 mode needs protected mode`,
  },
  {
    id: 'RFLAGS.IF_EXTINT', section: '26.3.1.4', kind: 'guest', fields: ['GUEST_RFLAGS', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'injecting an external interrupt requires RFLAGS.IF=1',
    skip: (v) => (v.injection.valid && v.injection.type === 0 ? undefined : 'no external interrupt injected'),
    ok: (v) => v.ifFlag,
    explain: (v) => `an external interrupt (vector ${v.injection.vector}) is being injected but RFLAGS is ${hex(v.rflags)} with IF=0`,
  },
];

/** RFLAGS bits that must be 0 (§26.3.1.4): 63:22, 15, 5, 3. */
const RFLAGS_MBZ = (((1n << 64n) - 1n) & ~((1n << 22n) - 1n)) | (1n << 15n) | (1n << 5n) | (1n << 3n);

function patBad(pat: bigint): string[] {
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const b = Number((pat >> BigInt(8 * i)) & 0xffn);
    if (!PAT_OK.has(b)) out.push(`PA${i} is ${b}`);
  }
  return out;
}
