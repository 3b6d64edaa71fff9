// Shared pieces of protected-mode control transfer: descriptor fetch with an error code that can
// carry the EXT bit, system-descriptor type tables per CPU model, and a save/restore of the
// register state so a transfer that faults half-way leaves the CPU as it was (SDM Vol. 3 §6.13:
// faults are precise). Slow path only; may allocate. No Node or VS Code imports.
// SDM Vol. 3 §3.4.5 (descriptors), §3.5 (system descriptor types), §5.8 (privilege on transfers).

import type { Cpu } from '../cpu';
import { ESP, EFLAGS_VM, LDTR, AR_UNUSABLE, CS } from '../regs';
import type { Descriptor } from '../segmentation';
import type { FaultRule } from '../faultRules';

// System descriptor types (S = 0), SDM Vol. 3 Table 3-2.
export const T_TSS16_AVAIL = 1, T_LDT = 2, T_TSS16_BUSY = 3, T_CALLGATE16 = 4, T_TASKGATE = 5;
export const T_INTGATE16 = 6, T_TRAPGATE16 = 7, T_TSS32_AVAIL = 9, T_TSS32_BUSY = 11;
export const T_CALLGATE32 = 12, T_INTGATE32 = 14, T_TRAPGATE32 = 15;

/** Per-model facts the protected-mode code needs (ModelTraits.pm; no model checks in handlers). */
export interface PmModel {
  /** Bit n set: system type n exists on this model (the 80286 has no 32-bit TSS or gates). */
  validSystemTypes: number;
  /** The 80386 reads CR3 from a 32-bit TSS; the 80286 has neither. */
  hasPaging: boolean;
}

export const PM_386: PmModel = {
  validSystemTypes: (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 9) | (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15),
  hasPaging: true,
};
export const PM_286: PmModel = {
  validSystemTypes: (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7),
  hasPaging: false,
};

/** The protected-mode facts of the CPU's model (only reached on a model with protected mode). */
export function pmModel(cpu: Cpu): PmModel {
  return cpu.traits.pm!;
}

/** Type (low 4 bits) and S bit of a descriptor as one 5-bit number: S=0 gives the system types. */
export function typeS(d: Descriptor): number {
  return (d.hi >>> 8) & 0x1f;
}
export function present(d: Descriptor): boolean {
  return (d.hi & 0x8000) !== 0;
}
export function dplOf(d: Descriptor): number {
  return (d.hi >>> 13) & 3;
}
export function isCode(d: Descriptor): boolean {
  return (d.hi & 0x1800) === 0x1800;
}
export function isConforming(d: Descriptor): boolean {
  return (d.hi & 0x1c00) === 0x1c00;
}
/** Writable data segment (SS must be one). */
export function isWritableData(d: Descriptor): boolean {
  return (d.hi & 0x1a00) === 0x1200;
}

/**
 * Reads the GDT/LDT descriptor of `sel`; outside the table raises `rule` with error code selector |
 * ext (SDM Vol. 3 §6.13: EXT = 1 when an external event caused the fault), `event` the vector being
 * delivered and `seg` the register being loaded.
 */
export function fetchDescriptor(cpu: Cpu, sel: number, ext: number, rule: FaultRule, event = -1, seg = -1): Descriptor {
  const addr = descriptorAddress(cpu, sel, ext, rule, event, seg);
  const hi = descriptorHigh(cpu, addr);
  return { lo: cpu.readLin32Sys(addr), hi, addr };
}

/** The descriptor of `sel`, or null where fetchDescriptor would fault (LAR, LSL, VERR and VERW never do). */
export function descriptorIfAny(cpu: Cpu, sel: number): Descriptor | null {
  if ((sel & 0xfff8) + 7 > tableLimit(cpu, sel)) return null;
  const addr = (tableBase(cpu, sel) + (sel & 0xfff8)) >>> 0;
  const hi = descriptorHigh(cpu, addr);
  return { lo: cpu.readLin32Sys(addr), hi, addr };
}

/** Linear address of `sel`'s descriptor in the GDT or LDT, with fetchDescriptor's faults. */
export function descriptorAddress(cpu: Cpu, sel: number, ext: number, rule: FaultRule, event = -1, seg = -1): number {
  const idx = sel & 0xfff8, limit = tableLimit(cpu, sel);
  if (idx + 7 > limit) cpu.faultRule(rule, (sel & 0xfffc) | ext, event, sel, 0, 0, limit, idx, 0, seg);
  return (tableBase(cpu, sel) + idx) >>> 0;
}

/**
 * The limit of the table `sel` indexes; -1 for a TI = 1 selector with no valid LDT, which SDM Vol. 3
 * §3.4.2 faults as an index beyond the limit.
 */
function tableLimit(cpu: Cpu, sel: number): number {
  if (!(sel & 4)) return cpu.gdtrLimit;
  return cpu.ar[LDTR] & AR_UNUSABLE || (cpu.sel[LDTR] & 0xfffc) === 0 ? -1 : cpu.limit[LDTR];
}
function tableBase(cpu: Cpu, sel: number): number {
  return sel & 4 ? cpu.base[LDTR] : cpu.gdtrBase;
}

/** Descriptor bytes 4-7, read before bytes 0-3 as fetchDescriptor does. */
export function descriptorHigh(cpu: Cpu, addr: number): number {
  const hi = cpu.readLin32Sys((addr + 4) >>> 0);
  // The 80286 ignores descriptor bytes 6-7 (reserved for the 80386: base 31-24, limit 19-16, G, D/B).
  return pmModel(cpu).hasPaging ? hi : hi & 0xffff;
}

/** Writes the access byte (descriptor byte 5) back, e.g. the TSS busy bit or the accessed bit. */
export function writeAccessByte(cpu: Cpu, d: Descriptor): void {
  cpu.writeLin8Sys((d.addr + 5) >>> 0, (d.hi >>> 8) & 0xff);
}

/** Loads CS from a checked code descriptor with RPL = the new CPL, and sets CPL. */
export function loadCs(cpu: Cpu, sel: number, cpl: number, base: number, limit: number, ar: number): void {
  cpu.setCache(CS, (sel & 0xfffc) | cpl, base, limit, ar);
  setCpl(cpu, cpl);
}

/** CPL changes the page-level U/S checks, so the fetch cache (which skips translation) is dropped. */
export function setCpl(cpu: Cpu, cpl: number): void {
  if (cpu.cpl !== cpl) {
    cpu.cpl = cpl;
    cpu.flushFetch();
    cpu.loadMemo.dropReloads();
    cpu.refreshAlignment();
  }
}

/** A snapshot of everything a far transfer may change before it can still fault. */
export class SavedState {
  readonly sel = new Uint16Array(8);
  readonly base = new Uint32Array(8);
  readonly limit = new Uint32Array(8);
  readonly ar = new Uint32Array(8);
  esp = 0;
  eip = 0;
  flags = 0;
  cpl = 0;
}

export function saveState(cpu: Cpu, s: SavedState): void {
  s.sel.set(cpu.sel);
  s.base.set(cpu.base);
  s.limit.set(cpu.limit);
  s.ar.set(cpu.ar);
  s.esp = cpu.r32[ESP];
  s.eip = cpu.eip;
  s.flags = cpu.getFlags();
  s.cpl = cpu.cpl;
}

export function restoreState(cpu: Cpu, s: SavedState): void {
  const vmChanged = ((cpu.flags ^ s.flags) & EFLAGS_VM) !== 0;
  cpu.setFlags(s.flags);
  for (let i = 0; i < 8; i++) cpu.setCache(i, s.sel[i], s.base[i], s.limit[i], s.ar[i]);
  cpu.r32[ESP] = s.esp;
  cpu.eip = s.eip;
  setCpl(cpu, s.cpl);
  if (vmChanged) cpu.updateMode();
}
