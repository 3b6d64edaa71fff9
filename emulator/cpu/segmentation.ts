// Loading segment registers: real mode and vm86 write selector and base (real mode keeps the cached
// limit and access rights — "unreal mode"), protected mode reads and checks the descriptor.
// SDM Vol. 3 §3.4.3 (descriptor cache), §5.5-5.6 (privilege checks on data and stack segment loads),
// §20.1.1 (real-mode address translation), §20.2.1 (vm86).
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from './cpu';
import type { FaultRule } from './faultRules';
import {
  SEG_LOAD_DATA_NOT_PRESENT, SEG_LOAD_DATA_PRIVILEGE, SEG_LOAD_DATA_TYPE, SEG_LOAD_INDEX, SEG_LOAD_SS_DPL, SEG_LOAD_SS_NOT_PRESENT,
  SEG_LOAD_SS_NULL, SEG_LOAD_SS_RPL, SEG_LOAD_SS_TYPE,
} from './faultRules';
import { fetchDescriptor } from './protected/common';
import { AR_P, AR_S, AR_UNUSABLE, CR0_PE, EFLAGS_VM, SS } from './regs';

/** A descriptor as read from the GDT or LDT. */
export interface Descriptor {
  lo: number;
  hi: number;
  /** Linear address of the descriptor (for setting the accessed bit). */
  addr: number;
}

export function descBase(d: Descriptor): number {
  return ((d.lo >>> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000)) >>> 0;
}
export function descRawLimit(d: Descriptor): number {
  return (d.lo & 0xffff) | (d.hi & 0xf0000);
}
/** Access rights in VMCS layout: type/S/DPL/P from bits 40-47, AVL/L/D/G from bits 52-55. */
export function descAr(d: Descriptor): number {
  return (d.hi >>> 8) & 0xf0ff;
}
export function descLimit(d: Descriptor): number {
  const ar = descAr(d);
  const raw = descRawLimit(d);
  return ar & 0x8000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}
export function descDpl(d: Descriptor): number {
  return (d.hi >>> 13) & 3;
}

/** Sets the accessed bit of a code/data descriptor, as the CPU does on every load (SDM §3.4.5.1). */
export function setAccessed(cpu: Cpu, d: Descriptor): void {
  if (!(d.hi & 0x100)) {
    d.hi |= 0x100;
    cpu.writeLin8Sys(d.addr + 5, (d.hi >>> 8) & 0xff);
  }
}

/** Loads a segment register from a descriptor already checked by the caller. */
export function loadCache(cpu: Cpu, seg: number, sel: number, d: Descriptor): void {
  cpu.setCache(seg, sel, descBase(d), descLimit(d), descAr(d));
}

/**
 * True when loading `sel` into `seg` (a data or stack segment register, or CS by a far JMP) would
 * change nothing and raise nothing, known without reading memory: the register's last load
 * recorded by protected/loadMemo.ts is known to repeat (only ever in protected mode outside vm86,
 * with a non-null selector: a change of PE or VM drops it). Compiled blocks skip such loads.
 */
export function reloadUnchanged(cpu: Cpu, seg: number, sel: number): boolean {
  return cpu.loadMemo.reloadable[seg] === sel;
}

/** MOV/POP/LxS to DS, ES, FS, GS or SS (not CS: far transfers load CS, see control.ts). */
export function loadSeg(cpu: Cpu, seg: number, sel: number): void {
  if (!(cpu.cr0 & CR0_PE)) {
    // Real mode: only selector and base change; limit and attributes stay (SDM §20.1.1, unreal mode).
    cpu.sel[seg] = sel;
    cpu.base[seg] = sel << 4;
    return;
  }
  if (cpu.flags & EFLAGS_VM) {
    // vm86: the whole cache is set as for a 16-bit, present, writable, DPL 3 segment (SDM §20.2.1).
    cpu.setCache(seg, sel, sel << 4, 0xffff, 0xf3);
    return;
  }
  loadSegProtected(cpu, seg, sel);
}

function loadSegProtected(cpu: Cpu, seg: number, sel: number): void {
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    // A null selector: SS cannot hold one at CPL < 3 (no 64-bit mode here); other registers become unusable.
    if (seg === SS) cpu.faultRule(SEG_LOAD_SS_NULL, 0, -1, sel, 0, 0, 0, 0, 0, seg);
    cpu.setCache(seg, sel, 0, 0, AR_UNUSABLE);
    return;
  }
  if (cpu.loadMemo.repeats(cpu, seg, sel, SEG_LOAD_INDEX, seg)) return;
  const d = fetchDescriptor(cpu, sel, 0, SEG_LOAD_INDEX, -1, seg);
  const ar = descAr(d);
  const dpl = descDpl(d);
  const type = ar & 0xf;
  const code = sel & 0xfffc;
  const broken = (rule: FaultRule) => cpu.faultRule(rule, code, -1, sel, d.lo, d.hi, 0, 0, 0, seg);
  if (seg === SS) {
    // SDM §6.15 #GP: SS needs RPL = CPL, a writable data segment with DPL = CPL; not present → #SS(sel).
    if (rpl !== cpu.cpl) broken(SEG_LOAD_SS_RPL);
    if (!(ar & AR_S) || type & 8 || !(type & 2)) broken(SEG_LOAD_SS_TYPE);
    if (dpl !== cpu.cpl) broken(SEG_LOAD_SS_DPL);
    if (!(ar & AR_P)) broken(SEG_LOAD_SS_NOT_PRESENT);
  } else {
    // Data or readable code; for data and non-conforming code DPL >= max(CPL, RPL). Not present → #NP(sel).
    if (!(ar & AR_S) || (type & 0xa) === 8) broken(SEG_LOAD_DATA_TYPE);
    const conformingCode = (type & 0xc) === 0xc;
    if (!conformingCode && dpl < Math.max(cpu.cpl, rpl)) broken(SEG_LOAD_DATA_PRIVILEGE);
    if (!(ar & AR_P)) broken(SEG_LOAD_DATA_NOT_PRESENT);
  }
  setAccessed(cpu, d);
  loadCache(cpu, seg, sel, d);
  cpu.loadMemo.record(cpu, seg, sel, d);
}

/** After a privilege drop (RET/IRET to an outer level), data segments the new CPL may not use become null (SDM §5.8.6). */
export function invalidateForOuterLevel(cpu: Cpu, seg: number): void {
  const ar = cpu.ar[seg];
  if (ar & AR_UNUSABLE) return;
  const dpl = (ar >>> 5) & 3;
  const conformingCode = (ar & 0x1c) === 0x1c;
  const dataOrNonConforming = !conformingCode;
  if (dataOrNonConforming && dpl < cpu.cpl) cpu.setCache(seg, 0, 0, 0, AR_UNUSABLE);
}
