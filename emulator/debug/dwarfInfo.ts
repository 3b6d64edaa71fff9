// .debug_info (with .debug_abbrev and the string/address sections): the tree of debugging information
// entries of each compilation unit, DWARF 2–5, with attribute values resolved to numbers and strings.
// Type and skeleton units are skipped. Pure TypeScript: no Node or VS Code imports.
// DWARF 5 §7.5 (unit headers, abbreviations), §3.1.1 (DW_AT_str_offsets_base, DW_AT_addr_base).

import { Cursor, DwarfError, Form, type RawValue, readForm, stringAt, type UnitShape } from './dwarfCursor';

export const enum Tag {
  arrayType = 0x01, formalParameter = 0x05, lexicalBlock = 0x0b, member = 0x0d, pointerType = 0x0f, compileUnit = 0x11,
  structureType = 0x13, typedef = 0x16, unionType = 0x17, inlinedSubroutine = 0x1d, subrangeType = 0x21, baseType = 0x24,
  constType = 0x26, enumerationType = 0x04, subprogram = 0x2e, variable = 0x34, volatileType = 0x35, partialUnit = 0x3c,
}

export const enum At {
  location = 0x02, name = 0x03, byteSize = 0x0b, stmtList = 0x10, lowPc = 0x11, highPc = 0x12, compDir = 0x1b,
  upperBound = 0x2f, abstractOrigin = 0x31, count = 0x37, dataMemberLocation = 0x38, declaration = 0x3c,
  encoding = 0x3e, external = 0x3f, frameBase = 0x40, specification = 0x47, type = 0x49, linkageName = 0x6e,
  strOffsetsBase = 0x72, addrBase = 0x73,
}

export interface DebugSections {
  debugInfo: Uint8Array;
  debugAbbrev: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
  debugStrOffsets?: Uint8Array;
  debugAddr?: Uint8Array;
}

interface AbbrevAttr { at: number; form: number; implicit: number }
interface Abbrev { tag: number; children: boolean; attrs: AbbrevAttr[] }

export interface Attr { form: number; value: RawValue }

export interface Die {
  /** Offset in .debug_info (DW_FORM_ref* values resolve to it). */
  offset: number;
  tag: number;
  attrs: Map<number, Attr>;
  children: Die[];
  parent: Die | null;
}

export interface Unit {
  version: number;
  addressSize: number;
  root: Die;
  /** Every entry of every unit by offset, for references (shared by all units). */
  dies: Map<number, Die>;
  /** Attribute value as a string (inline, strp, line_strp, strx), or undefined. */
  str(d: Die, at: number): string | undefined;
  /** Attribute value as a number; references come out as .debug_info offsets, addrx as addresses. */
  num(d: Die, at: number): number | undefined;
  /** Attribute value as bytes (a location expression or block). */
  block(d: Die, at: number): Uint8Array | undefined;
}

function readAbbrevs(b: Uint8Array, offset: number): Map<number, Abbrev> {
  const c = new Cursor(b, offset, '.debug_abbrev');
  const table = new Map<number, Abbrev>();
  for (let code = c.uleb(); code !== 0; code = c.uleb()) {
    const tag = c.uleb();
    const children = c.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const at = c.uleb(), form = c.uleb();
      if (at === 0 && form === 0) break;
      attrs.push({ at, form, implicit: form === Form.implicitConst ? c.sleb() : 0 });
    }
    table.set(code, { tag, children, attrs });
  }
  return table;
}

const REF_FORMS = new Set<number>([Form.ref1, Form.ref2, Form.ref4, Form.ref8, Form.refUdata]);
const STRX_FORMS = new Set<number>([Form.strx, Form.strx1, Form.strx2, Form.strx3, Form.strx4, Form.gnuStrIndex]);
const ADDRX_FORMS = new Set<number>([Form.addrx, Form.addrx1, Form.addrx2, Form.addrx3, Form.addrx4, Form.gnuAddrIndex]);

/** Reads every compilation and partial unit of .debug_info. */
export function readUnits(s: DebugSections): Unit[] {
  const units: Unit[] = [];
  const dies = new Map<number, Die>();
  const c = new Cursor(s.debugInfo, 0, '.debug_info');
  while (!c.done) {
    const unitStart = c.pos;
    const { length, offsetSize } = c.unitLength();
    const unitEnd = c.pos + length;
    if (unitEnd > s.debugInfo.length) throw new DwarfError(`.debug_info: the unit at 0x${unitStart.toString(16)} runs past the section`);
    const version = c.u16();
    if (version < 2 || version > 5) throw new DwarfError(`.debug_info: unit at 0x${unitStart.toString(16)} has version ${version}, not DWARF 2–5`);
    let unitType = 1, abbrevOffset: number, addressSize: number;
    if (version >= 5) {
      unitType = c.u8();
      addressSize = c.u8();
      abbrevOffset = c.uint(offsetSize);
    } else {
      abbrevOffset = c.uint(offsetSize);
      addressSize = c.u8();
    }
    // DW_UT_compile (1) and DW_UT_partial (3) hold code; type and split units do not describe addresses here.
    if (unitType !== 1 && unitType !== 3) {
      c.pos = unitEnd;
      continue;
    }
    const shape: UnitShape = { version, addressSize, offsetSize };
    const abbrevs = readAbbrevs(s.debugAbbrev, abbrevOffset);
    const stack: Die[] = [];
    let root: Die | null = null;
    while (c.pos < unitEnd) {
      const offset = c.pos;
      const code = c.uleb();
      if (code === 0) {
        stack.pop();
        if (stack.length === 0 && root) break;
        continue;
      }
      const a = abbrevs.get(code);
      if (!a) throw new DwarfError(`.debug_info: unknown abbreviation ${code} at 0x${offset.toString(16)}`);
      const attrs = new Map<number, Attr>();
      for (const spec of a.attrs) {
        let value = readForm(c, spec.form, shape, spec.implicit);
        // CU-relative references become section offsets.
        if (REF_FORMS.has(spec.form)) value = (value as number) + unitStart;
        attrs.set(spec.at, { form: spec.form, value });
      }
      const parent = stack[stack.length - 1] ?? null;
      const die: Die = { offset, tag: a.tag, attrs, children: [], parent };
      dies.set(offset, die);
      if (parent) parent.children.push(die);
      else root ??= die;
      if (a.children) stack.push(die);
      else if (!parent) break;
    }
    c.pos = unitEnd;
    if (!root) continue;
    const cu = root;
    const strOffsetsBase = numberOf(cu.attrs.get(At.strOffsetsBase)) ?? 8;
    const addrBase = numberOf(cu.attrs.get(At.addrBase)) ?? 8;
    const str = (d: Die, at: number): string | undefined => {
      const v = d.attrs.get(at);
      if (!v) return undefined;
      if (typeof v.value === 'string') return v.value;
      if (typeof v.value !== 'number') return undefined;
      if (v.form === Form.strp) return stringAt(s.debugStr, v.value, '.debug_str');
      if (v.form === Form.lineStrp) return stringAt(s.debugLineStr, v.value, '.debug_line_str');
      if (STRX_FORMS.has(v.form)) {
        const table = s.debugStrOffsets;
        if (!table) throw new DwarfError('.debug_str_offsets is missing (DW_FORM_strx)');
        return stringAt(s.debugStr, new Cursor(table, strOffsetsBase + v.value * offsetSize, '.debug_str_offsets').uint(offsetSize), '.debug_str');
      }
      return undefined;
    };
    const num = (d: Die, at: number): number | undefined => {
      const v = d.attrs.get(at);
      if (!v || typeof v.value !== 'number') return undefined;
      if (ADDRX_FORMS.has(v.form)) {
        if (!s.debugAddr) throw new DwarfError('.debug_addr is missing (DW_FORM_addrx)');
        return new Cursor(s.debugAddr, addrBase + v.value * addressSize, '.debug_addr').uint(addressSize);
      }
      return v.value;
    };
    const block = (d: Die, at: number): Uint8Array | undefined => {
      const v = d.attrs.get(at)?.value;
      return v instanceof Uint8Array ? v : undefined;
    };
    units.push({ version, addressSize, root: cu, dies, str, num, block });
  }
  return units;
}

function numberOf(a: Attr | undefined): number | undefined {
  return typeof a?.value === 'number' ? a.value : undefined;
}

/** Whether a DW_AT_high_pc is an offset from DW_AT_low_pc (constant class, DWARF 4+) rather than an address. */
export function highPcIsOffset(d: Die): boolean {
  const f = d.attrs.get(At.highPc)?.form;
  return f !== undefined && f !== Form.addr && f !== Form.addrx && f !== Form.addrx1 && f !== Form.addrx2
    && f !== Form.addrx3 && f !== Form.addrx4 && f !== Form.gnuAddrIndex;
}
