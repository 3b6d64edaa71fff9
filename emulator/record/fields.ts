// Names of registers and register fields for "last change of ..." queries: general registers
// (eax, ax, al), eip/ip, segment registers and their hidden caches (ds, ds.base, ds.limit, ds.ar),
// eflags and its bits (eflags.vm, eflags.if, iopl), control and debug registers and their bits
// (cr0.pe, cr0.pg), gdtr/idtr, cpl. Each name compiles to a reader `(cpu) => number`.

import type { Cpu } from '../cpu/cpu';
import { SEG_NAMES } from '../cpu/regs';

export type FieldReader = (cpu: Cpu) => number;

const GP32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const GP16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const GP8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const R8_INDEX = [0, 4, 8, 12, 1, 5, 9, 13];

const EFLAGS_BITS: Record<string, [number, number]> = {
  cf: [0, 1], pf: [2, 1], af: [4, 1], zf: [6, 1], sf: [7, 1], tf: [8, 1], if: [9, 1], df: [10, 1], of: [11, 1],
  iopl: [12, 2], nt: [14, 1], rf: [16, 1], vm: [17, 1], ac: [18, 1], vif: [19, 1], vip: [20, 1], id: [21, 1],
};
const CR0_BITS: Record<string, [number, number]> = {
  pe: [0, 1], mp: [1, 1], em: [2, 1], ts: [3, 1], et: [4, 1], ne: [5, 1], wp: [16, 1], am: [18, 1], nw: [29, 1], cd: [30, 1], pg: [31, 1],
};
const CR4_BITS: Record<string, [number, number]> = {
  vme: [0, 1], pvi: [1, 1], tsd: [2, 1], de: [3, 1], pse: [4, 1], pae: [5, 1], mce: [6, 1], pge: [7, 1], pce: [8, 1],
  osfxsr: [9, 1], vmxe: [13, 1],
};

function bits(read: FieldReader, [shift, width]: [number, number]): FieldReader {
  const mask = (1 << width) - 1;
  return (cpu) => (read(cpu) >>> shift) & mask;
}

/** Compiles a field name; throws with the list of accepted forms for an unknown one. */
export function fieldReader(name: string): FieldReader {
  const n = name.trim().toLowerCase();
  let i = GP32.indexOf(n);
  if (i >= 0) return (cpu) => cpu.r32[i];
  i = GP16.indexOf(n);
  if (i >= 0) return (cpu) => cpu.r16[i * 2];
  i = GP8.indexOf(n);
  if (i >= 0) { const b = R8_INDEX[i]; return (cpu) => cpu.r8[b]; }
  if (n === 'eip') return (cpu) => cpu.eip;
  if (n === 'ip') return (cpu) => cpu.eip & 0xffff;
  if (n === 'cpl') return (cpu) => cpu.cpl;
  const eflags: FieldReader = (cpu) => cpu.getFlags();
  if (n === 'eflags' || n === 'flags') return eflags;
  if (n.startsWith('eflags.') || n.startsWith('flags.')) {
    const b = EFLAGS_BITS[n.slice(n.indexOf('.') + 1)];
    if (b) return bits(eflags, b);
  }
  if (EFLAGS_BITS[n] && n !== 'if' && n !== 'id') return bits(eflags, EFLAGS_BITS[n]);
  const [head, sub] = n.split('.', 2);
  const seg = (SEG_NAMES as readonly string[]).indexOf(head);
  if (seg >= 0) {
    if (sub === undefined || sub === 'sel' || sub === 'selector') return (cpu) => cpu.sel[seg];
    if (sub === 'base') return (cpu) => cpu.base[seg];
    if (sub === 'limit') return (cpu) => cpu.limit[seg];
    if (sub === 'ar' || sub === 'access') return (cpu) => cpu.ar[seg];
  }
  const cr = /^cr([0234])$/.exec(head);
  if (cr) {
    const k = `cr${cr[1]}` as 'cr0' | 'cr2' | 'cr3' | 'cr4';
    const read: FieldReader = (cpu) => cpu[k] >>> 0;
    if (sub === undefined) return read;
    const table = k === 'cr0' ? CR0_BITS : k === 'cr4' ? CR4_BITS : null;
    if (table && table[sub]) return bits(read, table[sub]);
  }
  const dr = /^dr([0-7])$/.exec(n);
  if (dr) { const d = Number(dr[1]); return (cpu) => cpu.dr[d]; }
  if (head === 'gdtr' || head === 'idtr') {
    const g = head === 'gdtr';
    if (sub === 'limit') return g ? (cpu) => cpu.gdtrLimit : (cpu) => cpu.idtrLimit;
    if (sub === undefined || sub === 'base') return g ? (cpu) => cpu.gdtrBase >>> 0 : (cpu) => cpu.idtrBase >>> 0;
  }
  throw new Error(`unknown register or field '${name}': use e.g. eax, ax, al, eip, ds, ds.base, ds.limit, ds.ar, eflags, eflags.vm, cr0, cr0.pe, cr3, dr7, gdtr.base, idtr.limit, cpl`);
}
