// Register access by name for expressions and the Variables view: general registers in every
// width, EIP, EFLAGS and each of its flags, segment registers with their hidden cache fields,
// control registers and their bits, GDTR/IDTR. Writes follow the hardware where a write has a
// hardware meaning (a real-mode segment load reloads the base); cache fields are written directly.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §3.4, Vol. 3 §2.5, §3.4.3, §20.1.

import type { Cpu } from '../cpu/cpu';
import {
  AR_DB, AR_DPL_SHIFT, AR_G, AR_P, AR_S, AR_UNUSABLE, CR0_PE, CS, EFLAGS_VM, SEG_NAMES, SS,
} from '../cpu/regs';
import { descriptorForSelector } from './descriptors';
import { fpuFieldNames, readFpu, writeFpu } from './fpuRegisters';

export const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;

/** EFLAGS bits by name with their position and width (SDM Vol. 1 Figure 3-8). */
export const EFLAGS_FIELDS: readonly [string, number, number, string][] = [
  ['cf', 0, 1, 'carry'], ['pf', 2, 1, 'parity'], ['af', 4, 1, 'auxiliary carry'], ['zf', 6, 1, 'zero'],
  ['sf', 7, 1, 'sign'], ['tf', 8, 1, 'trap (single-step)'], ['if', 9, 1, 'interrupt enable'], ['df', 10, 1, 'direction'],
  ['of', 11, 1, 'overflow'], ['iopl', 12, 2, 'I/O privilege level'], ['nt', 14, 1, 'nested task'], ['rf', 16, 1, 'resume'],
  ['vm', 17, 1, 'virtual-8086 mode'], ['ac', 18, 1, 'alignment check'], ['vif', 19, 1, 'virtual interrupt'],
  ['vip', 20, 1, 'virtual interrupt pending'], ['id', 21, 1, 'CPUID available'],
];
export const CR0_FIELDS: readonly [string, number, number, string][] = [
  ['pe', 0, 1, 'protection enable'], ['mp', 1, 1, 'monitor coprocessor'], ['em', 2, 1, 'x87 emulation'],
  ['ts', 3, 1, 'task switched'], ['et', 4, 1, 'extension type'], ['ne', 5, 1, 'numeric error'],
  ['wp', 16, 1, 'write protect'], ['am', 18, 1, 'alignment mask'], ['nw', 29, 1, 'not write-through'],
  ['cd', 30, 1, 'cache disable'], ['pg', 31, 1, 'paging'],
];
export const CR4_FIELDS: readonly [string, number, number, string][] = [
  ['vme', 0, 1, 'vm86 mode extensions'], ['pvi', 1, 1, 'protected-mode virtual interrupts'], ['tsd', 2, 1, 'time stamp disable'],
  ['de', 3, 1, 'debugging extensions'], ['pse', 4, 1, 'page size extensions'], ['pae', 5, 1, 'physical address extension'],
  ['mce', 6, 1, 'machine check enable'], ['pge', 7, 1, 'page global enable'],
];
export const CR3_FIELDS: readonly [string, number, number, string][] = [
  ['pwt', 3, 1, 'page-level write-through'], ['pcd', 4, 1, 'page-level cache disable'], ['pdb', 12, 20, 'page-directory base (frame)'],
];
/** Segment cache fields (access rights in VMCS layout, SDM Vol. 3 Table 25-2). */
export const SEG_FIELDS = ['sel', 'base', 'limit', 'ar', 'type', 's', 'dpl', 'p', 'avl', 'db', 'g', 'unusable'] as const;

export interface RegValue {
  value: number;
  /** Size in bytes, 0 for a bit field shown in decimal. */
  size: number;
}

function field(v: number, pos: number, width: number): number {
  return width === 32 ? v >>> 0 : (v >>> pos) & ((1 << width) - 1);
}

function arField(ar: number, name: string): number | null {
  switch (name) {
    case 'ar': return ar;
    case 'type': return ar & 0xf;
    case 's': return +((ar & AR_S) !== 0);
    case 'dpl': return (ar >>> AR_DPL_SHIFT) & 3;
    case 'p': return +((ar & AR_P) !== 0);
    case 'avl': return (ar >>> 12) & 1;
    case 'db': return +((ar & AR_DB) !== 0);
    case 'g': return +((ar & AR_G) !== 0);
    case 'unusable': return +((ar & AR_UNUSABLE) !== 0);
    default: return null;
  }
}

const AR_BITS: Record<string, [number, number]> = {
  type: [0, 4], s: [4, 1], dpl: [5, 2], p: [7, 1], avl: [12, 1], db: [14, 1], g: [15, 1], unusable: [16, 1],
};

function bitsOf(table: readonly [string, number, number, string][], name: string): [number, number] | null {
  const f = table.find((x) => x[0] === name);
  return f ? [f[1], f[2]] : null;
}

function cr(cpu: Cpu, n: number): number {
  return [cpu.cr0, 0, cpu.cr2, cpu.cr3, cpu.cr4][n] >>> 0;
}

/** Reads a register or register field by name (lower case), or null for an unknown name. */
export function readRegister(cpu: Cpu, name: string): RegValue | null {
  let i: number;
  if ((i = GPR32.indexOf(name as never)) >= 0) return { value: cpu.r32[i] >>> 0, size: 4 };
  if ((i = GPR16.indexOf(name as never)) >= 0) return { value: cpu.r16[i * 2], size: 2 };
  if ((i = GPR8.indexOf(name as never)) >= 0) return { value: cpu.r8[(i & 3) * 4 + (i >> 2)], size: 1 };
  if (name === 'eip') return { value: cpu.eip >>> 0, size: 4 };
  if (name === 'ip') return { value: cpu.eip & 0xffff, size: 2 };
  if (name === 'eflags') return { value: cpu.getFlags() >>> 0, size: 4 };
  if (name === 'flags') return { value: cpu.getFlags() & 0xffff, size: 2 };
  if ((i = SEG_NAMES.indexOf(name as never)) >= 0) return { value: cpu.sel[i], size: 2 };
  if (/^cr[0234]$/.test(name)) return { value: cr(cpu, +name[2]), size: 4 };
  if (/^dr[0-7]$/.test(name)) return { value: cpu.dr[+name[2]] >>> 0, size: 4 };
  if (name === 'cpl') return { value: cpu.cpl, size: 0 };
  if (name === 'icount') return { value: cpu.icount, size: 0 };
  const dot = name.indexOf('.');
  if (dot < 0) return null;
  const head = name.slice(0, dot), tail = name.slice(dot + 1);
  if (head === 'fpu') return readFpu(cpu, name);
  if (head === 'eflags' || head === 'flags') {
    const b = bitsOf(EFLAGS_FIELDS, tail);
    return b ? { value: field(cpu.getFlags(), b[0], b[1]), size: 0 } : null;
  }
  if (head === 'cr0' || head === 'cr3' || head === 'cr4') {
    const b = bitsOf(head === 'cr0' ? CR0_FIELDS : head === 'cr3' ? CR3_FIELDS : CR4_FIELDS, tail);
    return b ? { value: field(cr(cpu, +head[2]), b[0], b[1]), size: 0 } : null;
  }
  if (head === 'gdtr' || head === 'idtr') {
    if (tail === 'base') return { value: (head === 'gdtr' ? cpu.gdtrBase : cpu.idtrBase) >>> 0, size: 4 };
    if (tail === 'limit') return { value: head === 'gdtr' ? cpu.gdtrLimit : cpu.idtrLimit, size: 2 };
    return null;
  }
  if ((i = SEG_NAMES.indexOf(head as never)) >= 0) {
    if (tail === 'sel' || tail === 'selector') return { value: cpu.sel[i], size: 2 };
    if (tail === 'base') return { value: cpu.base[i] >>> 0, size: 4 };
    if (tail === 'limit') return { value: cpu.limit[i] >>> 0, size: 4 };
    const v = arField(cpu.ar[i], tail);
    return v === null ? null : { value: v, size: tail === 'ar' ? 4 : 0 };
  }
  return null;
}

/** Every name readRegister knows (for help and completions). */
export function fieldNames(): string[] {
  const out: string[] = [...GPR32, ...GPR16, ...GPR8, 'eip', 'ip', 'eflags', 'flags', ...SEG_NAMES, 'cr0', 'cr2', 'cr3', 'cr4', 'cpl'];
  for (const [n] of EFLAGS_FIELDS) out.push(`eflags.${n}`);
  for (const [n] of CR0_FIELDS) out.push(`cr0.${n}`);
  for (const s of SEG_NAMES) for (const f of SEG_FIELDS) out.push(`${s}.${f}`);
  out.push('gdtr.base', 'gdtr.limit', 'idtr.base', 'idtr.limit', ...fpuFieldNames());
  return out;
}

function insert(v: number, pos: number, width: number, x: number): number {
  const mask = width === 32 ? 0xffffffff : ((1 << width) - 1) << pos;
  return ((v & ~mask) | ((x << pos) & mask)) >>> 0;
}

/**
 * Loads a segment register as the debugger: in real mode and vm86 the selector sets base = sel << 4
 * and keeps the cached limit and rights, as MOV Sreg does (SDM Vol. 3 §20.1.1); in protected mode
 * the descriptor is read from the GDT/LDT without privilege checks. Returns a note for the user.
 */
export function loadSegment(cpu: Cpu, seg: number, selector: number): string {
  selector &= 0xffff;
  if (!(cpu.cr0 & CR0_PE) || cpu.flags & EFLAGS_VM || seg >= 6) {
    if (seg >= 6 && cpu.cr0 & CR0_PE) return loadFromDescriptor(cpu, seg, selector);
    cpu.setCache(seg, selector, selector << 4, cpu.limit[seg], cpu.ar[seg]);
    return `base reloaded as ${selector.toString(16)}h << 4`;
  }
  return loadFromDescriptor(cpu, seg, selector);
}

function loadFromDescriptor(cpu: Cpu, seg: number, selector: number): string {
  if ((selector & 0xfffc) === 0) {
    if (seg === CS || seg === SS) throw new Error(`a null selector cannot be loaded into ${SEG_NAMES[seg]} in protected mode`);
    cpu.setCache(seg, selector, 0, 0, AR_UNUSABLE);
    return 'null selector: the segment is unusable';
  }
  const d = descriptorForSelector(cpu, selector);
  if (!d) throw new Error(`selector ${selector.toString(16).padStart(4, '0')} is outside the ${selector & 4 ? 'LDT' : 'GDT'}`);
  cpu.setCache(seg, selector, d.base, d.limit, d.ar);
  return `loaded from descriptor: base ${d.base.toString(16)} limit ${d.limit.toString(16)}`;
}

/**
 * Writes a register or field by name. Returns a note when the write has a side effect worth saying
 * (a reloaded cache, a cache field written directly); throws Error with a sentence when not writable.
 */
export function writeRegister(cpu: Cpu, name: string, value: number): string {
  value >>>= 0;
  let i: number;
  if ((i = GPR32.indexOf(name as never)) >= 0) { cpu.r32[i] = value; return ''; }
  if ((i = GPR16.indexOf(name as never)) >= 0) { cpu.r16[i * 2] = value; return ''; }
  if ((i = GPR8.indexOf(name as never)) >= 0) { cpu.r8[(i & 3) * 4 + (i >> 2)] = value; return ''; }
  if (name === 'eip' || name === 'ip') {
    cpu.eip = name === 'ip' ? (cpu.eip & 0xffff0000) | (value & 0xffff) : value;
    return '';
  }
  if (name === 'eflags' || name === 'flags') {
    cpu.setFlags(name === 'flags' ? (cpu.getFlags() & 0xffff0000) | (value & 0xffff) : value);
    return '';
  }
  if ((i = SEG_NAMES.indexOf(name as never)) >= 0) return loadSegment(cpu, i, value);
  if (/^cr[0234]$/.test(name)) return writeCr(cpu, +name[2], value);
  if (/^dr[0-7]$/.test(name)) { cpu.dr[+name[2]] = value; return ''; }
  const dot = name.indexOf('.');
  const head = name.slice(0, dot), tail = name.slice(dot + 1);
  if (dot > 0 && head === 'fpu') return writeFpu(cpu, name, value);
  if (dot > 0 && (head === 'eflags' || head === 'flags')) {
    const b = bitsOf(EFLAGS_FIELDS, tail);
    if (b) { cpu.setFlags(insert(cpu.getFlags(), b[0], b[1], value)); return ''; }
  }
  if (dot > 0 && (head === 'cr0' || head === 'cr3' || head === 'cr4')) {
    const n = +head[2];
    const b = bitsOf(n === 0 ? CR0_FIELDS : n === 3 ? CR3_FIELDS : CR4_FIELDS, tail);
    if (b) return writeCr(cpu, n, insert(cr(cpu, n), b[0], b[1], value));
  }
  if (dot > 0 && (head === 'gdtr' || head === 'idtr') && (tail === 'base' || tail === 'limit')) {
    if (head === 'gdtr') {
      if (tail === 'base') cpu.gdtrBase = value;
      else cpu.gdtrLimit = value & 0xffff;
      cpu.loadMemo.dropReloads();
    }
    else if (tail === 'base') cpu.idtrBase = value; else cpu.idtrLimit = value & 0xffff;
    return '';
  }
  if (dot > 0 && (i = SEG_NAMES.indexOf(head as never)) >= 0) {
    if (tail === 'sel' || tail === 'selector') return loadSegment(cpu, i, value);
    let base = cpu.base[i], limit = cpu.limit[i], ar = cpu.ar[i];
    if (tail === 'base') base = value;
    else if (tail === 'limit') limit = value;
    else if (tail === 'ar') ar = value & 0x1f0ff;
    else if (AR_BITS[tail]) ar = insert(ar, AR_BITS[tail][0], AR_BITS[tail][1], value);
    else throw new Error(`'${name}' is not a register or field`);
    cpu.setCache(i, cpu.sel[i], base, limit, ar);
    cpu.flushFetch();
    return `hidden cache written directly (${SEG_NAMES[i]}.${tail}); the selector was not reloaded`;
  }
  throw new Error(`'${name}' is not a writable register or field`);
}

function writeCr(cpu: Cpu, n: number, value: number): string {
  if (n === 0) cpu.cr0 = ((value & cpu.traits.cr0Writable) | cpu.traits.cr0Fixed1) >>> 0;
  else if (n === 2) cpu.cr2 = value;
  else if (n === 3) cpu.cr3 = value;
  else cpu.cr4 = value;
  cpu.tlbFlush(cpu);
  cpu.updateMode();
  return '';
}
