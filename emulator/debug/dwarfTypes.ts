// DWARF types and variables: base, pointer, struct/union, array and enum types (typedefs and
// const/volatile qualifiers name what they qualify), and variables with their location (a
// static address from DW_OP_addr, or the expression for the adapter to evaluate). Pure TypeScript:
// no Node or VS Code imports. DWARF 5 §5 (types), §4.1 (variables), §2.5 (DW_OP_addr).

import { type Die, At, Tag, type Unit } from './dwarfInfo';

export const DW_OP_addr = 0x03;

/** DW_ATE_* encodings of base types (DWARF 5 §5.1, table 5.2). */
export const enum Encoding {
  address = 0x01, boolean = 0x02, float = 0x04, signed = 0x05, signedChar = 0x06, unsigned = 0x07, unsignedChar = 0x08,
}

export type DwarfType =
  | { kind: 'base'; name: string; size: number; encoding: number }
  | { kind: 'pointer'; name: string; size: number; target: DwarfType | null }
  | { kind: 'struct'; name: string; size: number; members: { name: string; offset: number; type: DwarfType | null }[] }
  | { kind: 'array'; name: string; size: number; element: DwarfType | null; count: number }
  | { kind: 'enum'; name: string; size: number };

export interface DwarfVariable {
  name: string;
  type: DwarfType | null;
  /** Linear address of a variable with a static location (DW_OP_addr), load offset included. */
  address?: number;
  /** Any other location expression (locals: DW_OP_fbreg, registers), unevaluated. */
  location?: Uint8Array;
}

/** The name C would print for a type: `uint16_t`, `struct point`, `char *`. */
function typeName(t: DwarfType | null): string {
  return t ? t.name : 'void';
}

/** The type a DW_AT_type reference names (null for void), memoised by DIE offset; recursive types end in the memo. */
export function readType(u: Unit, ref: number | undefined, memo: Map<number, DwarfType>): DwarfType | null {
  if (ref === undefined) return null;
  const hit = memo.get(ref);
  if (hit) return hit;
  const d = u.dies.get(ref);
  if (!d) return null;
  const name = u.str(d, At.name);
  const size = u.num(d, At.byteSize) ?? 0;
  const inner = () => readType(u, u.num(d, At.type), memo);
  switch (d.tag) {
    case Tag.baseType: {
      const t: DwarfType = { kind: 'base', name: name ?? `int${size * 8}`, size, encoding: u.num(d, At.encoding) ?? Encoding.unsigned };
      memo.set(ref, t);
      return t;
    }
    case Tag.typedef: {
      // A typedef is its type under its own name (uint16_t).
      const t = inner();
      return t && name ? { ...t, name } : t;
    }
    case Tag.constType: case Tag.volatileType: {
      const t = inner();
      const q = d.tag === Tag.constType ? 'const' : 'volatile';
      // C writes a qualified pointer's qualifier after the star: `char *const`.
      return t ? { ...t, name: t.kind === 'pointer' ? `${t.name}${q}` : `${q} ${t.name}` } : null;
    }
    case Tag.pointerType: {
      const t: DwarfType = { kind: 'pointer', name: '', size: size || u.addressSize, target: null };
      memo.set(ref, t);
      t.target = inner();
      t.name = `${typeName(t.target)} *`;
      return t;
    }
    case Tag.structureType: case Tag.unionType: {
      const t: DwarfType = { kind: 'struct', name: `${d.tag === Tag.unionType ? 'union' : 'struct'} ${name ?? '<anonymous>'}`, size, members: [] };
      memo.set(ref, t);
      for (const m of d.children) {
        if (m.tag !== Tag.member) continue;
        t.members.push({ name: u.str(m, At.name) ?? '', offset: u.num(m, At.dataMemberLocation) ?? 0, type: readType(u, u.num(m, At.type), memo) });
      }
      return t;
    }
    case Tag.arrayType: {
      const element = inner();
      const sub = d.children.find((c) => c.tag === Tag.subrangeType);
      const count = sub ? u.num(sub, At.count) ?? (u.num(sub, At.upperBound) ?? -1) + 1 : 0;
      const t: DwarfType = { kind: 'array', name: `${typeName(element)}[${count}]`, size: (element?.size ?? 0) * count, element, count };
      memo.set(ref, t);
      return t;
    }
    case Tag.enumerationType: {
      const t: DwarfType = { kind: 'enum', name: `enum ${name ?? '<anonymous>'}`, size: size || 4 };
      memo.set(ref, t);
      return t;
    }
    default:
      return null;
  }
}

/** A variable or parameter entry; undefined for declarations and entries without a name or location. */
export function variableOf(u: Unit, d: Die, offset: number, memo: Map<number, DwarfType>): DwarfVariable | undefined {
  if (d.attrs.has(At.declaration)) return undefined;
  let src: Die | undefined = d;
  // A definition outside its class or an out-of-line instance names its declaration for name and type.
  const spec = u.num(d, At.specification) ?? u.num(d, At.abstractOrigin);
  const decl = spec === undefined ? undefined : u.dies.get(spec);
  const name = u.str(d, At.name) ?? (decl && u.str(decl, At.name));
  const location = u.block(d, At.location);
  if (!name || !location || location.length === 0) return undefined;
  if (!d.attrs.has(At.type) && decl) src = decl;
  const type = readType(u, u.num(src, At.type), memo);
  if (location[0] === DW_OP_addr && location.length === 1 + u.addressSize) {
    let a = 0;
    for (let i = u.addressSize; i >= 1; i--) a = a * 256 + location[i];
    return { name, type, address: (a + offset) >>> 0 };
  }
  return { name, type, location };
}
