// Flag and system instructions: CLC/STC/CMC/CLD/STD/CLI/STI, descriptor-table registers
// (LGDT/LIDT/SGDT/SIDT/LLDT/SLDT/LTR/STR), LMSW/SMSW/CLTS, MOV to/from CRn/DRn, LAR/LSL/VERR/VERW/ARPL,
// CPUID, RDTSC, RDMSR/WRMSR, INVD/WBINVD/INVLPG, the x87 escapes (no FPU, see below) and SALC.
// SDM Vol. 2 instruction pages; Vol. 3 §2.5 (control registers), §5.9 (privileged instructions).
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler } from '../cpu';
import { CR0_NW_NO_CD, CR0_PG_NO_PE, CR4_RESERVED, IOPL_CPL, IOPL_VM86, MSR_INDEX, NM_ESCAPE, PRIV_CPL, RDTSC_TSD, UD_MODE, UD_OPCODE } from '../faultRules';
import { getCF, setStatus } from '../flags';
import { decodeEa, eaOffPlus, getG16, readE16, readRmw16, writeBack16, writeE16 } from '../modrm';
import {
  AR_S, CR0_CD, CR0_EM, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR4_DE, EAX, EBX, ECX, EDX, EFLAGS_CF, EFLAGS_DF,
  EFLAGS_IF, EFLAGS_IOPL, EFLAGS_VM, EFLAGS_ZF, LDTR, TR,
} from '../regs';
import { descAr, descDpl, descLimit } from '../segmentation';
import { descriptorIfAny } from '../protected/common';
import { forms, type Handlers, type Patch, undefinedOpcode } from './table';
import { X87_ROWS } from '../../decode/tableX87';

/** Privileged instructions need CPL 0 in protected mode and are #GP(0) in vm86 (SDM Vol. 3 §5.9). */
export function requireCpl0(cpu: Cpu): void {
  if (cpu.cr0 & CR0_PE && (cpu.cpl !== 0 || cpu.flags & EFLAGS_VM)) cpu.faultRule(PRIV_CPL, 0, -1, 0, cpu.flags);
}

/** Instructions that do not exist outside protected mode (SDM: #UD in real-address and virtual-8086 mode). */
function requireProtectedMode(cpu: Cpu): void {
  if (!(cpu.cr0 & CR0_PE) || cpu.flags & EFLAGS_VM) cpu.faultRule(UD_MODE, -1, -1, 0, cpu.flags);
}

function iopl(cpu: Cpu): number {
  return (cpu.flags & EFLAGS_IOPL) >>> 12;
}

/** CLI/STI: IOPL-sensitive in protected mode and vm86 (no VME/PVI support: CR4 bits stay clear). */
function ifSensitive(cpu: Cpu): void {
  if (!(cpu.cr0 & CR0_PE)) return;
  if (cpu.flags & EFLAGS_VM ? iopl(cpu) < 3 : cpu.cpl > iopl(cpu)) cpu.faultRule(cpu.flags & EFLAGS_VM ? IOPL_VM86 : IOPL_CPL, 0, -1, 0, cpu.flags);
}

const sti: Handler = (cpu) => {
  ifSensitive(cpu);
  if (!(cpu.flags & EFLAGS_IF)) {
    cpu.flags |= EFLAGS_IF;
    cpu.inhibitInterrupts(false);
  }
};

/** Writes CR0 with its consistency rules: PG needs PE, NW needs CD (SDM Vol. 3 §2.5, MOV CR0 #GP conditions). */
export function writeCr0(cpu: Cpu, v: number): void {
  v >>>= 0;
  if (v & CR0_PG && !(v & CR0_PE)) cpu.faultRule(CR0_PG_NO_PE, 0, -1, 0, v);
  if (v & cpu.traits.cr0Writable & CR0_NW && !(v & CR0_CD)) cpu.faultRule(CR0_NW_NO_CD, 0, -1, 0, v);
  // The 386-class CPU without an x87 keeps ET as written; bits the model does not have read as zero.
  cpu.cr0 = (v & cpu.traits.cr0Writable) | cpu.traits.cr0Fixed1;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
}

function loadDtr(isIdt: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
    requireCpl0(cpu);
    decodeEa(cpu, m);
    const limit = cpu.rd16(cpu.eaSeg, cpu.eaOff);
    let base = cpu.rd32(cpu.eaSeg, eaOffPlus(cpu, 2));
    // A 16-bit operand size loads a 24-bit base (SDM "LGDT/LIDT").
    if (!cpu.o32) base &= 0xffffff;
    if (isIdt) { cpu.idtrBase = base >>> 0; cpu.idtrLimit = limit; }
    else {
      cpu.gdtrBase = base >>> 0;
      cpu.gdtrLimit = limit;
      cpu.loadMemo.dropReloads();
    }
  };
}

function storeDtr(cpu: Cpu, m: number, base: number, limit: number): void {
  if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  decodeEa(cpu, m);
  cpu.wr16(cpu.eaSeg, cpu.eaOff, limit);
  // With a 16-bit operand the 80286 stores 0xFF in the top byte; the 80386 stores the full base.
  const stored = cpu.o32 ? base : (base & 0xffffff) | cpu.traits.sgdtHighByte;
  cpu.wr32(cpu.eaSeg, eaOffPlus(cpu, 2), stored >>> 0);
}

/** 0F 00: SLDT STR LLDT LTR VERR VERW (protected mode only). */
const grp6_Ew: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  requireProtectedMode(cpu);
  switch (reg) {
    case 0: case 1: {
      const v = cpu.sel[reg === 0 ? LDTR : TR];
      if (m >= 0xc0 && cpu.o32) cpu.r32[m & 7] = v;
      else writeE16(cpu, m, v);
      return;
    }
    case 2: {
      const sel = readE16(cpu, m);
      requireCpl0(cpu);
      cpu.loadLdtr(cpu, sel);
      return;
    }
    case 3: {
      const sel = readE16(cpu, m);
      requireCpl0(cpu);
      cpu.loadTr(cpu, sel);
      return;
    }
    case 4: case 5: {
      const sel = readE16(cpu, m);
      setStatus(cpu, EFLAGS_ZF, verify(cpu, sel, reg === 5) ? EFLAGS_ZF : 0);
      return;
    }
    default:
      cpu.faultRule(UD_OPCODE, -1, -1, 0);
  }
};

/** VERR/VERW: ZF=1 when the segment is readable/writable at the current CPL and RPL (SDM "VERR/VERW"). */
function verify(cpu: Cpu, sel: number, write: boolean): boolean {
  if ((sel & 0xfffc) === 0) return false;
  const d = descriptorIfAny(cpu, sel);
  if (!d) return false;
  const ar = descAr(d);
  if (!(ar & AR_S)) return false;
  const type = ar & 0xf;
  const code = (type & 8) !== 0;
  const conforming = code && (type & 4) !== 0;
  if (!conforming && descDpl(d) < Math.max(cpu.cpl, sel & 3)) return false;
  if (write) return !code && (type & 2) !== 0;
  return !code || (type & 2) !== 0;
}

/** LAR/LSL: valid descriptor types per SDM "LAR" and "LSL" tables. */
function larLsl(isLsl: boolean, size32: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    requireProtectedMode(cpu);
    const sel = readE16(cpu, m);
    const d = (sel & 0xfffc) === 0 ? null : descriptorIfAny(cpu, sel);
    let ok = d !== null;
    if (d) {
      const ar = descAr(d);
      const type = ar & 0xf;
      if (!(ar & AR_S)) {
        // System types: LDT, TSS (16/32, available/busy); LAR also allows call/task gates.
        const allowed = isLsl ? [1, 2, 3, 9, 11] : [1, 2, 3, 4, 5, 9, 11, 12];
        ok = allowed.includes(type);
      }
      const conformingCode = ar & AR_S && (type & 0xc) === 0xc;
      if (ok && !conformingCode && descDpl(d) < Math.max(cpu.cpl, sel & 3)) ok = false;
    }
    setStatus(cpu, EFLAGS_ZF, ok ? EFLAGS_ZF : 0);
    if (!ok || !d) return;
    const value = isLsl ? descLimit(d) : (d.hi & (size32 ? 0x00f0ff00 : 0xff00)) >>> 0;
    const reg = (m >> 3) & 7;
    if (size32) cpu.r32[reg] = value;
    else cpu.r16[reg << 1] = value & 0xffff;
  };
}

/** 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG; its VMX and later forms (mod = 11b) are #UD here. */
function grp7(cpu: Cpu): void {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  switch (reg) {
    case 0: storeDtr(cpu, m, cpu.gdtrBase, cpu.gdtrLimit); return;
    case 1: storeDtr(cpu, m, cpu.idtrBase, cpu.idtrLimit); return;
    case 2: cpu.eip--; loadDtr(false)(cpu); return;
    case 3: cpu.eip--; loadDtr(true)(cpu); return;
    case 4:
      if (m >= 0xc0 && cpu.o32) cpu.r32[m & 7] = cpu.cr0;
      else writeE16(cpu, m, cpu.cr0 & 0xffff);
      return;
    case 6: {
      const v = readE16(cpu, m);
      requireCpl0(cpu);
      // LMSW changes PE/MP/EM/TS only, and cannot clear PE (SDM "LMSW").
      writeCr0(cpu, (cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & CR0_PE));
      return;
    }
    case 7:
      if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
      requireCpl0(cpu);
      decodeEa(cpu, m);
      cpu.tlbInvalidate(cpu, (cpu.base[cpu.eaSeg] + cpu.eaOff) >>> 0);
      return;
    default:
      cpu.faultRule(UD_OPCODE, -1, -1, 0);
  }
}

function movFromCr(cpu: Cpu): void {
  const m = cpu.fetch8();
  requireCpl0(cpu);
  const n = (m >> 3) & 7;
  const v = n === 0 ? cpu.cr0 : n === 2 ? cpu.cr2 : n === 3 ? cpu.cr3 : n === 4 ? cpu.cr4 : cpu.faultRule(UD_OPCODE, -1, -1, 0);
  cpu.r32[m & 7] = v;
}

function movToCr(cpu: Cpu): void {
  const m = cpu.fetch8();
  requireCpl0(cpu);
  const n = (m >> 3) & 7;
  const v = cpu.r32[m & 7];
  switch (n) {
    case 0: writeCr0(cpu, v); return;
    case 2: cpu.cr2 = v; return;
    case 3: cpu.cr3 = v & 0xfffff018; cpu.tlbFlush(cpu); return;
    case 4:
      // Only the model's implemented bits may be set; any other is #GP(0).
      if (v & ~cpu.traits.cr4Writable) cpu.faultRule(CR4_RESERVED, 0, -1, 0, v, cpu.traits.cr4Writable);
      cpu.cr4 = v;
      cpu.tlbFlush(cpu);
      return;
    default: cpu.faultRule(UD_OPCODE, -1, -1, 0);
  }
}

function movDr(toDr: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    requireCpl0(cpu);
    let n = (m >> 3) & 7;
    // DR4/DR5: #UD with CR4.DE = 1; without it (and before CR4 existed) they are DR6/DR7.
    if (n === 4 || n === 5) {
      if (cpu.cr4 & CR4_DE) cpu.faultRule(UD_OPCODE, -1, -1, 0);
      n += 2;
    }
    if (toDr) cpu.dr[n] = cpu.r32[m & 7];
    else cpu.r32[m & 7] = cpu.dr[n];
  };
}

const CPUID_VENDOR = 'GenuineIntel';
/**
 * CPUID with leaves 0 and 1 (SDM Vol. 2 CPUID): the model's signature and only the features it
 * implements (ModelTraits.cpuid), FPU (bit 0) when the machine has an x87. Leaves above 1 (no
 * extended leaves either) answer zeros: memtest86+ takes the SDM's other rule (the highest basic
 * leaf's data) for more than a Pentium had. Cpu.cpuidQuirks may change the answer to another machine's.
 */
/** CPUID leaf 1's signature (EAX) and feature flags (EDX) on this CPU, or null on a model without CPUID. */
export function cpuidLeaf1(cpu: Cpu): { eax: number; edx: number } | null {
  const id = cpu.traits.cpuid;
  return id ? { eax: id.signature, edx: ((cpu.fpu ? 1 : 0) | id.features) >>> 0 } : null;
}

const cpuid: Handler = (cpu) => {
  const id = cpu.traits.cpuid;
  if (!id) return cpu.faultRule(UD_OPCODE, -1, -1, 0);
  const r = cpu.r32;
  const word = (s: string, i: number) => s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
  const answer = (leaf: number) => {
    if (leaf === 0) {
      r[EAX] = 1;
      r[EBX] = word(CPUID_VENDOR, 0);
      r[EDX] = word(CPUID_VENDOR, 4);
      r[ECX] = word(CPUID_VENDOR, 8);
    } else if (leaf === 1) {
      const one = cpuidLeaf1(cpu)!;
      r[EAX] = one.eax;
      r[EBX] = 0;
      r[ECX] = 0;
      r[EDX] = one.edx;
    } else {
      r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;
    }
  };
  const leaf = r[EAX] >>> 0;
  answer(leaf);
  cpu.cpuidQuirks?.(leaf, r, answer);
};

function tsc(cpu: Cpu): bigint {
  return (BigInt(cpu.timeCount) << cpu.tscShift) + cpu.tscOffset;
}

const rdmsr: Handler = (cpu) => {
  requireCpl0(cpu);
  const idx = cpu.r32[ECX];
  const v = idx === 0x10 ? tsc(cpu) : cpu.msr.get(idx);
  if (v === undefined) return cpu.faultRule(MSR_INDEX, 0, -1, 0, idx);
  cpu.r32[EAX] = Number(v & 0xffffffffn);
  cpu.r32[EDX] = Number((v >> 32n) & 0xffffffffn);
};

const wrmsr: Handler = (cpu) => {
  requireCpl0(cpu);
  const idx = cpu.r32[ECX];
  if (!cpu.msr.has(idx)) cpu.faultRule(MSR_INDEX, 0, -1, 0, idx);
  const v = (BigInt(cpu.r32[EDX]) << 32n) | BigInt(cpu.r32[EAX]);
  if (idx === 0x10) cpu.tscOffset = v - (BigInt(cpu.timeCount) << cpu.tscShift);
  else cpu.msr.set(idx, v);
};

/**
 * x87 escapes D8-DF with no FPU present: CR0.EM or CR0.TS raise #NM, otherwise the ModRM is
 * decoded and nothing happens, so FNSTSW/FNSTCW leave memory unchanged and detection code sees
 * "no FPU" (SDM Vol. 1 §8.1 / Vol. 3 §9.2.1 FPU detection). WAIT is a no-op.
 */
const esc8086: Handler = (cpu) => {
  const m = cpu.fetch8();
  if (m < 0xc0) decodeEa(cpu, m);
};

/** Memory operand size of each x87 escape by opcode (D8-DF) and ModRM.reg, for the limit check. */
const ESC_OPERAND_SIZE = [
  [4, 4, 4, 4, 4, 4, 4, 4], // D8: m32fp
  [4, 4, 4, 4, 14, 2, 14, 2], // D9: fld/fst m32, fldenv, fldcw, fnstenv, fnstcw
  [4, 4, 4, 4, 4, 4, 4, 4], // DA: m32int
  [4, 4, 4, 4, 4, 10, 4, 10], // DB: m32int, fld/fstp m80
  [8, 8, 8, 8, 8, 8, 8, 8], // DC: m64fp
  [8, 8, 8, 8, 94, 8, 94, 2], // DD: m64fp, frstor, fnsave, fnstsw
  [2, 2, 2, 2, 2, 2, 2, 2], // DE: m16int
  [2, 2, 2, 2, 10, 8, 10, 8], // DF: m16int, fbld/fbstp, fild/fistp m64
];

/** The 80286+ escapes check the memory operand against the segment limit (the 80286 vectors fault at offset 0xFFFF). */
function esc(opcode: number): Handler {
  const sizes = ESC_OPERAND_SIZE[opcode - 0xd8];
  return (cpu) => {
    const m = cpu.fetch8();
    if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.faultRule(NM_ESCAPE, -1, -1, 0, cpu.cr0);
    if (m >= 0xc0) return;
    decodeEa(cpu, m);
    const off = cpu.eaOff, seg = cpu.eaSeg;
    if (off < cpu.lo[seg] || off + sizes[(m >> 3) & 7] - 1 > cpu.hi[seg]) cpu.segFault(seg);
  };
}

/** The no-FPU escape handlers (exec/x87.ts replaces them on a CPU with an FPU). */
export const ESC = [0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf].map(esc);
const clts: Handler = (cpu) => { requireCpl0(cpu); cpu.cr0 &= ~CR0_TS; };

export const SYSTEM: Handlers = {
  clc: (cpu) => setStatus(cpu, EFLAGS_CF, 0),
  stc: (cpu) => setStatus(cpu, EFLAGS_CF, EFLAGS_CF),
  cmc: (cpu) => setStatus(cpu, EFLAGS_CF, getCF(cpu) ? 0 : EFLAGS_CF),
  cld: (cpu) => { cpu.flags &= ~EFLAGS_DF; },
  std: (cpu) => { cpu.flags |= EFLAGS_DF; },
  cli: (cpu) => { ifSensitive(cpu); cpu.flags &= ~EFLAGS_IF; },
  sti,
  wait: () => {},
  // SALC (undocumented): AL = CF ? 0xFF : 0, flags unchanged.
  salc: (cpu) => { cpu.r8[0] = getCF(cpu) ? 0xff : 0; },
  // Without an FPU every x87 form runs the handler of its escape byte.
  ...Object.fromEntries(X87_ROWS.map((r) => [r.handler, ESC[r.opcode - 0xd8]])),
  ...forms(['sldt_Ew', 'str_Ew', 'lldt_Ew', 'ltr_Ew', 'verr_Ew', 'verw_Ew'], grp6_Ew),
  ...forms(['sgdt_Ms', 'sidt_Ms', 'lgdt_Ms', 'lidt_Ms', 'smsw_Ew', 'lmsw_Ew', 'invlpg_Mb', 'vmcall', 'vmlaunch',
    'vmresume', 'vmxoff', 'monitor', 'mwait', 'xgetbv', 'xsetbv', 'rdtscp'], grp7),
  lar_Gv_Ew: [larLsl(false, false), larLsl(false, true)],
  lsl_Gv_Ew: [larLsl(true, false), larLsl(true, true)],
  clts,
  invd: requireCpl0,
  wbinvd: requireCpl0,
  ud2: undefinedOpcode,
  // 0F 1F: NOP Ev (the multi-byte NOP); the address is decoded, nothing is accessed.
  nop_Ev: (cpu) => { const m = cpu.fetch8(); if (m < 0xc0) decodeEa(cpu, m); },
  mov_Rd_Cd: movFromCr,
  mov_Cd_Rd: movToCr,
  mov_Rd_Dd: movDr(false),
  mov_Dd_Rd: movDr(true),
  wrmsr,
  rdtsc: (cpu) => {
    if (cpu.cr4 & 4 && cpu.cpl !== 0 && cpu.cr0 & CR0_PE) cpu.faultRule(RDTSC_TSD, 0, -1, 0, cpu.cr4);
    const v = tsc(cpu);
    cpu.r32[EAX] = Number(v & 0xffffffffn);
    cpu.r32[EDX] = Number((v >> 32n) & 0xffffffffn);
  },
  rdmsr,
  cpuid,
  // ARPL Ew,Gw: raise the RPL of the destination selector to the source's (protected mode only).
  arpl_Ew_Gw: (cpu) => {
    requireProtectedMode(cpu);
    const m = cpu.fetch8();
    const dst = readRmw16(cpu, m);
    const src = getG16(cpu, m);
    if ((dst & 3) < (src & 3)) {
      writeBack16(cpu, m, (dst & ~3) | (src & 3));
      setStatus(cpu, EFLAGS_ZF, EFLAGS_ZF);
    } else setStatus(cpu, EFLAGS_ZF, 0);
  },
  // Forms the decoder knows (as ndisasm does) that this core does not have: MOV TRn (386/486 only),
  // RDPMC, SYSENTER/SYSEXIT, RSM (SMM only), VMREAD/VMWRITE (group 9's VMX forms: exec/move.ts grp9).
  ...forms(['mov_Rd_Td', 'mov_Td_Rd', 'rdpmc', 'sysenter', 'sysexit', 'rsm', 'vmread_Ed_Gd', 'vmwrite_Gd_Ed'], undefinedOpcode),
};

/** The 8086's escapes decode the operand and nothing else. */
export const SYSTEM_8086: Patch = ESC.map((h) => [h, esc8086]);
