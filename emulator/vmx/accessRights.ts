// The VMCS segment access-rights word (SDM Vol. 3 §24.4.1 Table 24-2; §25.4.1 in later editions):
// the one place that packs and unpacks it, and describes it in words for explanations.
// Pure TypeScript: no Node or VS Code imports.
import { AR_AVL, AR_DB, AR_DPL_SHIFT, AR_G, AR_L, AR_P, AR_S, AR_TYPE_MASK, AR_UNUSABLE } from '../cpu/regs';

/** Bits that must be 0 in a usable segment's AR (SDM §26.3.1.2: bits 11:8 and 31:17). */
export const AR_RESERVED_MASK = 0xfffe0f00;

/** Type-field bits (SDM Vol. 3 §3.4.5.1): for code, bit 2 is conforming and bit 1 readable; for data, expand-down and writable. */
export const TYPE_ACCESSED = 1;
export const TYPE_RW = 2;
export const TYPE_EC = 4;
export const TYPE_CODE = 8;

export interface AccessRights {
  type: number;
  s: boolean;
  dpl: number;
  p: boolean;
  avl: boolean;
  l: boolean;
  db: boolean;
  g: boolean;
  unusable: boolean;
  /** Value of the reserved bits (11:8, 31:17) in place; 0 when clean. */
  reserved: number;
}

export function decodeAr(ar: number): AccessRights {
  return {
    type: ar & AR_TYPE_MASK,
    s: (ar & AR_S) !== 0,
    dpl: (ar >>> AR_DPL_SHIFT) & 3,
    p: (ar & AR_P) !== 0,
    avl: (ar & AR_AVL) !== 0,
    l: (ar & AR_L) !== 0,
    db: (ar & AR_DB) !== 0,
    g: (ar & AR_G) !== 0,
    unusable: (ar & AR_UNUSABLE) !== 0,
    reserved: (ar & AR_RESERVED_MASK) >>> 0,
  };
}

export function encodeAr(f: Partial<AccessRights>): number {
  let ar = ((f.type ?? 0) & AR_TYPE_MASK) | (((f.dpl ?? 0) & 3) << AR_DPL_SHIFT) | (f.reserved ?? 0);
  if (f.s) ar |= AR_S;
  if (f.p) ar |= AR_P;
  if (f.avl) ar |= AR_AVL;
  if (f.l) ar |= AR_L;
  if (f.db) ar |= AR_DB;
  if (f.g) ar |= AR_G;
  if (f.unusable) ar |= AR_UNUSABLE;
  return ar >>> 0;
}

/** Replaces the DPL field. */
export function withDpl(ar: number, dpl: number): number {
  return ((ar & ~(3 << AR_DPL_SHIFT)) | ((dpl & 3) << AR_DPL_SHIFT)) >>> 0;
}

/** Replaces the type field. */
export function withType(ar: number, type: number): number {
  return ((ar & ~AR_TYPE_MASK) | (type & AR_TYPE_MASK)) >>> 0;
}

const DATA_TYPES = ['read-only', 'read-only, accessed', 'read/write', 'read/write, accessed',
  'read-only, expand-down', 'read-only, expand-down, accessed', 'read/write, expand-down', 'read/write, expand-down, accessed'];
const CODE_TYPES = ['execute-only', 'execute-only, accessed', 'execute/read', 'execute/read, accessed',
  'execute-only, conforming', 'execute-only, conforming, accessed', 'execute/read, conforming', 'execute/read, conforming, accessed'];
// System types in a 32-bit-capable CPU (SDM Vol. 3 Table 3-2); 64-bit guests reuse 2, 9, 11, 12, 14, 15.
const SYSTEM_TYPES = ['reserved', 'available 16-bit TSS', 'LDT', 'busy 16-bit TSS', '16-bit call gate', 'task gate',
  '16-bit interrupt gate', '16-bit trap gate', 'reserved', 'available 32/64-bit TSS', 'reserved', 'busy 32/64-bit TSS',
  '32/64-bit call gate', 'reserved', '32/64-bit interrupt gate', '32/64-bit trap gate'];

/** Words for a type field: "code, execute/read, accessed" or "system, busy 32/64-bit TSS". */
export function describeType(type: number, s: boolean): string {
  if (!s) return `system, ${SYSTEM_TYPES[type & 15]}`;
  return type & TYPE_CODE ? `code, ${CODE_TYPES[type & 7]}` : `data, ${DATA_TYPES[type & 7]}`;
}

/** One-line description for explanations, e.g. "0x0c09b (type 0xB code, execute/read, accessed; S=1 DPL=0 P=1 D/B=1 G=1)". */
export function describeAr(ar: number): string {
  const f = decodeAr(ar);
  if (f.unusable) return `0x${ar.toString(16).padStart(5, '0')} (unusable)`;
  const bits = [`S=${+f.s}`, `DPL=${f.dpl}`, `P=${+f.p}`];
  if (f.avl) bits.push('AVL=1');
  if (f.l) bits.push('L=1');
  if (f.db) bits.push('D/B=1');
  if (f.g) bits.push('G=1');
  if (f.reserved) bits.push(`reserved bits 0x${f.reserved.toString(16)}`);
  return `0x${ar.toString(16).padStart(5, '0')} (type 0x${f.type.toString(16).toUpperCase()} ${describeType(f.type, f.s)}; ${bits.join(' ')})`;
}
