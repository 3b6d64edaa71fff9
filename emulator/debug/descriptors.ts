// Descriptor-table decoding for the debugger: GDT/LDT segment and gate descriptors, the real-mode
// IVT, IDT gates and the 16/32-bit TSS, read without side effects. Access rights are returned in
// the VMCS layout the CPU's caches use. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 3 §3.4.5 (segment descriptors), §6.11 (IDT), §7.2 (TSS), §20.1.4 (IVT).

import type { Cpu } from '../cpu/cpu';
import { AR_G, CR0_PE, LDTR, TR } from '../cpu/regs';
import { describeType } from '../vmx/accessRights';
import type { LinearView } from '../cpu/protected/paging';
import { readLinear, readLinearValue } from './machineView';
import { hexDigits } from '../../protocol/format';

/** What reading the tables needs of a CPU: its registers and linear memory (the live Cpu, or a copy: attach). */
export type TableView = LinearView & Pick<Cpu, 'sel' | 'base' | 'limit' | 'ar' | 'gdtrBase' | 'gdtrLimit' | 'idtrBase' | 'idtrLimit'>;

export interface Descriptor {
  index: number;
  selector: number;
  raw: [number, number];
  base: number;
  /** Limit in bytes (G applied). */
  limit: number;
  /** Access rights in VMCS layout (type, S, DPL, P, AVL, L, D/B, G). */
  ar: number;
  present: boolean;
  system: boolean;
  dpl: number;
  type: number;
  typeName: string;
  /** For gates: target selector and offset. */
  gate?: { selector: number; offset: number; paramCount: number };
}

/** Decodes an 8-byte descriptor given as two little-endian dwords (SDM Vol. 3 Figure 3-8, 6-2). */
export function decodeDescriptor(lo: number, hi: number, index: number, ti = 0): Descriptor {
  const type = (hi >>> 8) & 0xf;
  const s = (hi & 0x1000) !== 0;
  const dpl = (hi >>> 13) & 3;
  const present = (hi & 0x8000) !== 0;
  const ar = ((hi >>> 8) & 0xff) | (((hi >>> 20) & 0xf) << 12);
  const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  const limit = ar & AR_G ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  const d: Descriptor = {
    index, selector: (index << 3) | (ti << 2), raw: [lo >>> 0, hi >>> 0], base, limit, ar, present, system: !s, dpl, type,
    typeName: describeType(type, s),
  };
  // Call, interrupt and trap gates (types 4, 6, 7, 12, 14, 15) carry a selector:offset instead of base/limit.
  if (!s && [4, 6, 7, 12, 14, 15].includes(type)) {
    const offset = type >= 12 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
    d.gate = { selector: lo >>> 16, offset, paramCount: hi & 0x1f };
  } else if (!s && type === 5) {
    d.gate = { selector: lo >>> 16, offset: 0, paramCount: 0 };
  }
  return d;
}

/** Reads descriptor `index` from a table at linear `base` with byte limit `limit`, or null if outside it or unmapped. */
export function readDescriptor(cpu: TableView, tableBase: number, tableLimit: number, index: number, ti = 0): Descriptor | null {
  const off = index * 8;
  if (off + 7 > tableLimit) return null;
  const lo = readLinearValue(cpu, tableBase + off, 4);
  const hi = readLinearValue(cpu, tableBase + off + 4, 4);
  if (lo === null || hi === null) return null;
  return decodeDescriptor(lo, hi, index, ti);
}

/** The descriptor a selector names in the GDT or the current LDT (null selector, outside the table → null). */
export function descriptorForSelector(cpu: TableView, selector: number): Descriptor | null {
  const index = selector >>> 3;
  if (selector & 4) return readDescriptor(cpu, cpu.base[LDTR], cpu.limit[LDTR], index, 1);
  if (index === 0) return null;
  return readDescriptor(cpu, cpu.gdtrBase, cpu.gdtrLimit, index);
}

/** All GDT (or LDT) entries, at most `max`. */
export function readTable(cpu: TableView, which: 'gdt' | 'ldt', max = 8192): Descriptor[] {
  const base = which === 'gdt' ? cpu.gdtrBase : cpu.base[LDTR];
  const limit = which === 'gdt' ? cpu.gdtrLimit : cpu.limit[LDTR];
  const out: Descriptor[] = [];
  const n = Math.min(max, Math.floor((limit + 1) / 8));
  for (let i = 0; i < n; i++) {
    const d = readDescriptor(cpu, base, limit, i, which === 'ldt' ? 1 : 0);
    if (d) out.push(d);
  }
  return out;
}

export interface InterruptEntry {
  vector: number;
  /** Real mode: the IVT's segment:offset; protected mode: the gate's selector:offset. */
  selector: number;
  offset: number;
  /** 'ivt' in real mode, else the gate type in words. */
  kind: string;
  present: boolean;
  dpl: number;
}

/** The interrupt table in force: the IVT in real mode, IDT gates in protected mode (SDM Vol. 3 §6.10, §20.1.4). */
export function readInterruptTable(cpu: TableView, max = 256): InterruptEntry[] {
  const out: InterruptEntry[] = [];
  const pm = (cpu.cr0 & CR0_PE) !== 0;
  const size = pm ? 8 : 4;
  const n = Math.min(max, Math.floor((cpu.idtrLimit + 1) / size), 256);
  for (let v = 0; v < n; v++) {
    if (!pm) {
      const e = readLinearValue(cpu, cpu.idtrBase + v * 4, 4);
      if (e === null) break;
      out.push({ vector: v, selector: e >>> 16, offset: e & 0xffff, kind: 'ivt', present: true, dpl: 0 });
    } else {
      const d = readDescriptor(cpu, cpu.idtrBase, cpu.idtrLimit, v);
      if (!d) break;
      out.push({
        vector: v, selector: d.gate?.selector ?? 0, offset: d.gate?.offset ?? 0, kind: d.typeName.replace(/^system, /, ''),
        present: d.present, dpl: d.dpl,
      });
    }
  }
  return out;
}

export interface TssView {
  selector: number;
  base: number;
  limit: number;
  bits: 16 | 32;
  fields: { name: string; value: number }[];
}

const TSS32: readonly [string, number, number][] = [
  ['link', 0, 2], ['esp0', 4, 4], ['ss0', 8, 2], ['esp1', 12, 4], ['ss1', 16, 2], ['esp2', 20, 4], ['ss2', 24, 2],
  ['cr3', 28, 4], ['eip', 32, 4], ['eflags', 36, 4], ['eax', 40, 4], ['ecx', 44, 4], ['edx', 48, 4], ['ebx', 52, 4],
  ['esp', 56, 4], ['ebp', 60, 4], ['esi', 64, 4], ['edi', 68, 4], ['es', 72, 2], ['cs', 76, 2], ['ss', 80, 2],
  ['ds', 84, 2], ['fs', 88, 2], ['gs', 92, 2], ['ldt', 96, 2], ['t', 100, 2], ['iomap', 102, 2],
];
const TSS16: readonly [string, number, number][] = [
  ['link', 0, 2], ['sp0', 2, 2], ['ss0', 4, 2], ['sp1', 6, 2], ['ss1', 8, 2], ['sp2', 10, 2], ['ss2', 12, 2],
  ['ip', 14, 2], ['flags', 16, 2], ['ax', 18, 2], ['cx', 20, 2], ['dx', 22, 2], ['bx', 24, 2], ['sp', 26, 2],
  ['bp', 28, 2], ['si', 30, 2], ['di', 32, 2], ['es', 34, 2], ['cs', 36, 2], ['ss', 38, 2], ['ds', 40, 2], ['ldt', 42, 2],
];

/** The task-state segment TR points at (SDM Vol. 3 §7.2.1 Figure 7-2, §7.7 Figure 7-11), or null when TR is unusable. */
export function readTss(cpu: TableView): TssView | null {
  if (!(cpu.cr0 & CR0_PE) || cpu.ar[TR] & 0x10000) return null;
  const type = cpu.ar[TR] & 0xf;
  const bits: 16 | 32 = type === 1 || type === 3 ? 16 : 32;
  const layout = bits === 32 ? TSS32 : TSS16;
  const base = cpu.base[TR];
  const fields: { name: string; value: number }[] = [];
  const bytes = readLinear(cpu, base, bits === 32 ? 104 : 44).bytes;
  for (const [name, off, size] of layout) {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[off + i];
    fields.push({ name, value: v });
  }
  return { selector: cpu.sel[TR], base, limit: cpu.limit[TR], bits, fields };
}

/** One text line per descriptor, as `info gdt` prints it. */
export function formatDescriptor(d: Descriptor): string {
  const sel = hexDigits(d.selector, 4);
  if (d.raw[0] === 0 && d.raw[1] === 0) return `${sel}  null`;
  if (d.gate) {
    return `${sel}  ${d.typeName}  target ${hexDigits(d.gate.selector, 4)}:${hexDigits(d.gate.offset, 8)}  DPL=${d.dpl} P=${+d.present}`;
  }
  const flags = [`DPL=${d.dpl}`, `P=${+d.present}`];
  if (!d.system) flags.push(`D/B=${+((d.ar & 0x4000) !== 0)}`, `G=${+((d.ar & 0x8000) !== 0)}`);
  return `${sel}  base=${hexDigits(d.base, 8)} limit=${hexDigits(d.limit, 8)}  ${d.typeName}  ${flags.join(' ')}`;
}
