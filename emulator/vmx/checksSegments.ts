// VM-entry checks on the guest segment registers (SDM Vol. 3 §26.3.1.2; §22.3.1.2 in 2009 editions):
// the virtual-8086 rules, the protected-mode selector/base/type/S/DPL/P/reserved/G rules for CS, SS, DS-GS,
// and the TR and LDTR rules. Per-segment checks are generated, one id per register (e.g. 'V86.AR.DS').
// Pure TypeScript: no Node or VS Code imports.
import { AR_RESERVED_MASK, TYPE_ACCESSED, TYPE_CODE, TYPE_RW, describeAr } from './accessRights';
import type { EntryCheck } from './checkTypes';
import { hex, SEGS6, type SegName } from './guestState';
import { isCanonical, type SegView, type View } from './view';

const V86_SKIP = (v: View) => (v.v86 ? undefined : 'RFLAGS.VM=0 (not virtual-8086 mode)');
const PM_SKIP = (v: View) => (v.v86 ? 'RFLAGS.VM=1: the virtual-8086 rules apply instead' : undefined);
const UNUSABLE = (s: SegView) => `${s.N} unusable`;

/** Skip unless not v86 and (the register is CS or usable). */
function pmUsable(name: SegName) {
  return (v: View) => PM_SKIP(v) ?? (name === 'cs' || v.seg(name).usable ? undefined : UNUSABLE(v.seg(name)));
}

function sel16(n: number): string {
  return hex(n, 4);
}

/** The G-vs-limit rule (§26.3.1.2 "G"): limit[11:0] not all 1 → G=0; limit[31:20] not all 0 → G=1. */
function gLimitOk(s: SegView): boolean {
  const { limit } = s;
  const g = s.a.g;
  if ((limit & 0xfff) !== 0xfff && g) return false;
  if ((limit >>> 20) !== 0 && !g) return false;
  return true;
}
function gLimitExplain(s: SegView): string {
  return s.a.g
    ? `${s.N}.limit is ${hex(s.limit)} with G=1, but with G=1 the low 12 bits of the limit must all be 1`
    : `${s.N}.limit is ${hex(s.limit)} with G=0, but a limit above 0x000fffff needs G=1 (page granularity)`;
}

function v86Checks(name: (typeof SEGS6)[number]): EntryCheck[] {
  const N = name.toUpperCase();
  return [
    {
      id: `V86.BASE.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_BASE`, `GUEST_${N}_SELECTOR`, 'GUEST_RFLAGS'],
      rule: `in virtual-8086 mode ${N}.base = ${N}.selector << 4`, skip: V86_SKIP,
      ok: (v) => { const s = v.seg(name); return s.base === BigInt(s.sel << 4); },
      explain: (v) => { const s = v.seg(name); return `${N}.base is ${hex(s.base)} but in virtual-8086 mode it must equal ${N}.selector << 4 = ${hex(s.sel << 4)}`; },
    },
    {
      id: `V86.LIMIT.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_LIMIT`, 'GUEST_RFLAGS'],
      rule: `in virtual-8086 mode ${N}.limit = 0x0000ffff`, skip: V86_SKIP,
      ok: (v) => v.seg(name).limit === 0xffff,
      explain: (v) => `${N}.limit is ${hex(v.seg(name).limit)} but in virtual-8086 mode it must be 0x0000ffff`,
    },
    {
      id: `V86.AR.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`, 'GUEST_RFLAGS'],
      rule: `in virtual-8086 mode ${N} access rights = 0x000f3`, skip: V86_SKIP,
      ok: (v) => v.seg(name).ar === 0xf3,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)} but in virtual-8086 mode they must be exactly 0x000f3 (read/write accessed data, S=1, DPL=3, P=1, nothing else)`,
    },
  ];
}

function commonChecks(name: (typeof SEGS6)[number]): EntryCheck[] {
  const N = name.toUpperCase();
  const skip = pmUsable(name);
  return [
    {
      id: `S.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N}: S=1 (code or data segment)`, skip,
      ok: (v) => v.seg(name).a.s,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)} with S=0 (a system descriptor) but ${N} must hold a code or data segment`,
    },
    {
      id: `P.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N}: P=1`, skip,
      ok: (v) => v.seg(name).a.p,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)} with P=0 but a${name === 'cs' ? '' : ' usable'} ${N} must be present`,
    },
    {
      id: `AR.RSVD.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N} access rights bits 11:8 and 31:17 are 0`, skip,
      ok: (v) => (v.seg(name).ar & AR_RESERVED_MASK) === 0,
      explain: (v) => `${N} access rights are ${hex(v.seg(name).ar, 5)} but reserved bits 11:8 and 31:17 must be 0 (set: ${hex((v.seg(name).ar & AR_RESERVED_MASK) >>> 0, 5)})`,
    },
    {
      id: `G.LIMIT.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_LIMIT`, `GUEST_${N}_AR_BYTES`],
      rule: `${N}.G is consistent with ${N}.limit`, skip,
      ok: (v) => gLimitOk(v.seg(name)),
      explain: (v) => gLimitExplain(v.seg(name)),
    },
  ];
}

function dataChecks(name: 'ds' | 'es' | 'fs' | 'gs'): EntryCheck[] {
  const N = name.toUpperCase();
  const skip = pmUsable(name);
  return [
    {
      id: `TYPE.DATA.ACC.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N} type has the accessed bit set`, skip,
      ok: (v) => (v.seg(name).a.type & TYPE_ACCESSED) !== 0,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)}: the type's accessed bit (bit 0) is 0 but a usable ${N} must be accessed`,
    },
    {
      id: `TYPE.DATA.READ.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `a code segment in ${N} is readable`, skip,
      ok: (v) => { const t = v.seg(name).a.type; return !(t & TYPE_CODE) || (t & TYPE_RW) !== 0; },
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)}: an execute-only code segment, but a code segment in ${N} must be readable`,
    },
    {
      id: `DPL.DATA.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`, `GUEST_${N}_SELECTOR`, 'SECONDARY_VM_EXEC_CONTROL'],
      rule: `${N}.DPL >= ${N}.selector RPL (types 0-11, without unrestricted guest)`,
      skip: (v) => skip(v) ?? (v.ug ? 'unrestricted guest = 1' : v.seg(name).a.type > 11 ? `${N} is conforming code` : undefined),
      ok: (v) => v.seg(name).a.dpl >= v.seg(name).rpl,
      explain: (v) => { const s = v.seg(name); return `${N}.DPL is ${s.a.dpl} but ${N}.selector ${sel16(s.sel)} has RPL ${s.rpl}; DPL must be >= RPL (unrestricted guest is 0)`; },
    },
  ];
}

function systemChecks(name: 'tr' | 'ldtr'): EntryCheck[] {
  const N = name.toUpperCase();
  const skip = name === 'tr' ? undefined : (v: View) => (v.seg('ldtr').usable ? undefined : 'LDTR unusable');
  const typeRule = name === 'tr'
    ? { rule: 'TR type is 3 (busy 16-bit TSS) or 11 (busy 32-bit TSS); 11 only with IA-32e mode guest', fields: ['GUEST_TR_AR_BYTES', 'VM_ENTRY_CONTROLS'] }
    : { rule: 'LDTR type is 2 (LDT)', fields: ['GUEST_LDTR_AR_BYTES'] };
  const checks: EntryCheck[] = [
    {
      id: `${N}.TI`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_SELECTOR`],
      rule: `${N}.selector TI (bit 2) = 0`, skip,
      ok: (v) => (v.seg(name).sel & 4) === 0,
      explain: (v) => `${N}.selector is ${sel16(v.seg(name).sel)} with TI=1 but the ${N === 'TR' ? 'TSS' : 'LDT'} descriptor must come from the GDT (TI=0)`,
    },
    {
      id: `${N}.BASE`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_BASE`],
      rule: `${N}.base is canonical`, skip,
      ok: (v) => isCanonical(v.seg(name).base, v.caps.linearAddressWidth),
      explain: (v) => `${N}.base is ${hex(v.seg(name).base)} but must be canonical (${v.caps.linearAddressWidth}-bit linear addresses)`,
    },
    {
      id: `${N}.TYPE`, section: '26.3.1.2', kind: 'guest', fields: typeRule.fields, rule: typeRule.rule, skip,
      ok: (v) => {
        const t = v.seg(name).a.type;
        return name === 'ldtr' ? t === 2 : v.ia32e ? t === 11 : t === 3 || t === 11;
      },
      explain: (v) => {
        const ar = describeAr(v.seg(name).ar);
        if (name === 'ldtr') return `LDTR access rights are ${ar} but a usable LDTR must have type 2 (LDT)`;
        return v.ia32e
          ? `TR access rights are ${ar} but with the "IA-32e mode guest" control TR must be a busy 64-bit TSS (type 11)`
          : `TR access rights are ${ar} but TR must be a busy TSS (type 3 or 11)`;
      },
    },
    {
      id: `${N}.S`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N}: S=0 (system descriptor)`, skip,
      ok: (v) => !v.seg(name).a.s,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)} with S=1 but ${N} must hold a system descriptor (S=0)`,
    },
    {
      id: `${N}.P`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N}: P=1`, skip,
      ok: (v) => v.seg(name).a.p,
      explain: (v) => `${N} access rights are ${describeAr(v.seg(name).ar)} with P=0 but ${N} must be present`,
    },
    {
      id: `${N}.AR_RSVD`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_AR_BYTES`],
      rule: `${N} access rights bits 11:8 and 31:17 are 0`, skip,
      ok: (v) => (v.seg(name).ar & AR_RESERVED_MASK) === 0,
      explain: (v) => `${N} access rights are ${hex(v.seg(name).ar, 5)} but reserved bits 11:8 and 31:17 must be 0`,
    },
    {
      id: `${N}.G`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_LIMIT`, `GUEST_${N}_AR_BYTES`],
      rule: `${N}.G is consistent with ${N}.limit`, skip,
      ok: (v) => gLimitOk(v.seg(name)),
      explain: (v) => gLimitExplain(v.seg(name)),
    },
  ];
  if (name === 'tr') {
    checks.push({
      id: 'TR.USABLE', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_TR_AR_BYTES'],
      rule: 'TR is usable (AR bit 16 = 0)',
      ok: (v) => v.seg('tr').usable,
      explain: (v) => `TR access rights are ${hex(v.seg('tr').ar, 5)} with the unusable bit (16) set, but VM entry needs a usable TR`,
    });
  }
  return checks;
}

// Every per-register check, by id, so the list below can follow the SDM's order (selectors, bases, limits, then
// access rights field by field) while each family is written once.
const FAMILY = new Map<string, EntryCheck>(
  [
    ...SEGS6.flatMap((n) => [...v86Checks(n), ...commonChecks(n)]),
    ...(['ds', 'es', 'fs', 'gs'] as const).flatMap((n) => dataChecks(n)),
    ...systemChecks('tr'),
    ...systemChecks('ldtr'),
  ].map((c) => [c.id, c]),
);

/** The checks `prefix.<SEG>` for the given registers, in that order. */
function each(prefix: string, segs: readonly string[]): EntryCheck[] {
  return segs.map((n) => FAMILY.get(`${prefix}.${n.toUpperCase()}`)!);
}
/** The TR or LDTR checks with these suffixes. */
function sys(name: 'TR' | 'LDTR', ...suffixes: string[]): EntryCheck[] {
  return suffixes.map((x) => FAMILY.get(`${name}.${x}`)!);
}
const DATA4 = ['ds', 'es', 'fs', 'gs'] as const;

export const SEGMENT_CHECKS: EntryCheck[] = [
  // Selector fields.
  ...sys('TR', 'TI'),
  ...sys('LDTR', 'TI'),
  {
    id: 'SEL.SS_RPL', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_SS_SELECTOR', 'GUEST_CS_SELECTOR', 'SECONDARY_VM_EXEC_CONTROL'],
    rule: 'SS.selector RPL = CS.selector RPL (without unrestricted guest)',
    skip: (v) => PM_SKIP(v) ?? (v.ug ? 'unrestricted guest = 1' : undefined),
    ok: (v) => v.seg('ss').rpl === v.seg('cs').rpl,
    explain: (v) => `SS.selector ${sel16(v.seg('ss').sel)} has RPL ${v.seg('ss').rpl} but CS.selector ${sel16(v.seg('cs').sel)} has RPL ${v.seg('cs').rpl}; they must be equal (the RPLs give the CPL)`,
  },
  // Base-address fields: v86 rule, then the 64-bit-CPU rules.
  ...each('V86.BASE', SEGS6),
  ...sys('TR', 'BASE'),
  ...sys('LDTR', 'BASE'),
  {
    id: 'BASE.CS_HI', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_BASE'],
    rule: 'CS.base bits 63:32 are 0',
    ok: (v) => BigInt.asUintN(64, v.seg('cs').base) >> 32n === 0n,
    explain: (v) => `CS.base is ${hex(v.seg('cs').base)} but bits 63:32 must be 0`,
  },
  ...(['ss', 'ds', 'es'] as const).map((name): EntryCheck => {
    const N = name.toUpperCase();
    return {
      id: `BASE.HI.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_BASE`],
      rule: `${N}.base bits 63:32 are 0 (when usable)`,
      skip: (v) => (v.seg(name).usable ? undefined : UNUSABLE(v.seg(name))),
      ok: (v) => BigInt.asUintN(64, v.seg(name).base) >> 32n === 0n,
      explain: (v) => `${N}.base is ${hex(v.seg(name).base)} but bits 63:32 of a usable ${N} base must be 0`,
    };
  }),
  ...(['fs', 'gs'] as const).map((name): EntryCheck => {
    const N = name.toUpperCase();
    return {
      id: `BASE.CANON.${N}`, section: '26.3.1.2', kind: 'guest', fields: [`GUEST_${N}_BASE`],
      rule: `${N}.base is canonical`,
      ok: (v) => isCanonical(v.seg(name).base, v.caps.linearAddressWidth),
      explain: (v) => `${N}.base is ${hex(v.seg(name).base)} but must be canonical (${v.caps.linearAddressWidth}-bit linear addresses)`,
    };
  }),
  // Limit fields (v86 only) and access-rights fields.
  ...each('V86.LIMIT', SEGS6),
  ...each('V86.AR', SEGS6),
  {
    id: 'TYPE.CS', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_AR_BYTES', 'SECONDARY_VM_EXEC_CONTROL'],
    rule: 'CS type is 9, 11, 13 or 15 (accessed code); 3 also with unrestricted guest', skip: PM_SKIP,
    ok: (v) => { const t = v.seg('cs').a.type; return [9, 11, 13, 15].includes(t) || (t === 3 && v.ug); },
    explain: (v) => `CS access rights are ${describeAr(v.seg('cs').ar)} but CS must be an accessed code segment (type 9, 11, 13 or 15${v.ug ? ', or 3 with unrestricted guest' : '; type 3 only with unrestricted guest'})`,
  },
  {
    id: 'TYPE.SS', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_SS_AR_BYTES'],
    rule: 'SS type is 3 or 7 (read/write accessed data)', skip: pmUsable('ss'),
    ok: (v) => [3, 7].includes(v.seg('ss').a.type),
    explain: (v) => `SS access rights are ${describeAr(v.seg('ss').ar)} but a usable SS must be read/write accessed data (type 3 or 7)`,
  },
  ...each('TYPE.DATA.ACC', DATA4),
  ...each('TYPE.DATA.READ', DATA4),
  ...each('S', SEGS6),
  {
    id: 'DPL.CS_DATA', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_AR_BYTES'],
    rule: 'CS of type 3 (unrestricted guest) has DPL 0',
    skip: (v) => PM_SKIP(v) ?? (v.seg('cs').a.type === 3 ? undefined : 'CS type is not 3'),
    ok: (v) => v.seg('cs').a.dpl === 0,
    explain: (v) => `CS access rights are ${describeAr(v.seg('cs').ar)}: a type-3 (data) CS must have DPL 0`,
  },
  {
    id: 'DPL.CS_NONCONF', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_AR_BYTES', 'GUEST_SS_AR_BYTES'],
    rule: 'non-conforming CS (type 9 or 11): CS.DPL = SS.DPL',
    skip: (v) => PM_SKIP(v) ?? ([9, 11].includes(v.seg('cs').a.type) ? undefined : 'CS is not non-conforming code'),
    ok: (v) => v.seg('cs').a.dpl === v.seg('ss').a.dpl,
    explain: (v) => `CS.DPL is ${v.seg('cs').a.dpl} but SS.DPL is ${v.seg('ss').a.dpl}; for non-conforming code they must be equal (the 2009 SDM compared CS.DPL with CS.selector RPL)`,
  },
  {
    id: 'DPL.CS_CONF', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_AR_BYTES', 'GUEST_SS_AR_BYTES'],
    rule: 'conforming CS (type 13 or 15): CS.DPL <= SS.DPL',
    skip: (v) => PM_SKIP(v) ?? ([13, 15].includes(v.seg('cs').a.type) ? undefined : 'CS is not conforming code'),
    ok: (v) => v.seg('cs').a.dpl <= v.seg('ss').a.dpl,
    explain: (v) => `CS.DPL is ${v.seg('cs').a.dpl} but SS.DPL is ${v.seg('ss').a.dpl}; for conforming code CS.DPL must not exceed SS.DPL`,
  },
  {
    id: 'DPL.SS', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_SS_AR_BYTES', 'GUEST_SS_SELECTOR', 'SECONDARY_VM_EXEC_CONTROL'],
    rule: 'SS.DPL = SS.selector RPL without unrestricted guest; SS.DPL = 0 if CS type is 3 or CR0.PE=0',
    // The SDM puts no usability condition on the SS DPL rules (SS.DPL is the CPL even when SS is unusable).
    skip: PM_SKIP,
    ok: (v) => {
      const ss = v.seg('ss');
      if (!v.ug && ss.a.dpl !== ss.rpl) return false;
      if ((v.seg('cs').a.type === 3 || !v.pe) && ss.a.dpl !== 0) return false;
      return true;
    },
    explain: (v) => {
      const ss = v.seg('ss');
      if (!v.ug && ss.a.dpl !== ss.rpl) return `SS.DPL is ${ss.a.dpl} but SS.selector ${sel16(ss.sel)} has RPL ${ss.rpl}; they must be equal (unrestricted guest is 0)`;
      return `SS.DPL is ${ss.a.dpl} but must be 0 because ${!v.pe ? `CR0.PE=0 (CR0 ${hex(v.cr0)})` : 'CS has type 3'}`;
    },
  },
  ...each('DPL.DATA', DATA4),
  ...each('P', SEGS6),
  ...each('AR.RSVD', SEGS6),
  {
    id: 'AR.CS_DB_L', section: '26.3.1.2', kind: 'guest', fields: ['GUEST_CS_AR_BYTES', 'VM_ENTRY_CONTROLS'],
    rule: 'with IA-32e mode guest and CS.L=1, CS.D/B=0',
    skip: (v) => PM_SKIP(v) ?? (v.ia32e && v.seg('cs').a.l ? undefined : 'not 64-bit code'),
    ok: (v) => !v.seg('cs').a.db,
    explain: (v) => `CS access rights are ${describeAr(v.seg('cs').ar)}: L=1 and D/B=1 together are reserved`,
  },
  ...each('G.LIMIT', SEGS6),
  ...sys('TR', 'TYPE', 'S', 'P', 'AR_RSVD', 'G', 'USABLE'),
  ...sys('LDTR', 'TYPE', 'S', 'P', 'AR_RSVD', 'G'),
];
