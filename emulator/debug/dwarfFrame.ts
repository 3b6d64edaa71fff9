// Call frame information (.debug_frame, or the .eh_frame gcc makes by default): for an address, the
// rule that gives the canonical frame address (CFA: a register plus an offset) and where the caller's
// registers were saved, so locals addressed from DW_OP_call_frame_cfa (gcc's frame base) can be found
// and a caller's registers recovered. i386 DWARF register numbers (0 eax … 4 esp, 5 ebp … 8 eip).
// Pure TypeScript: no Node or VS Code imports. DWARF 5 §6.4 (call frame information); System V i386
// ABI (DWARF register numbers); LSB Core §10.6 (.eh_frame).

import { Cursor, DwarfError } from './dwarfCursor';

/** DWARF register numbers of i386 in the order of the CPU's r32 file (EAX ECX EDX EBX ESP EBP ESI EDI). */
export const DWARF_ESP = 4, DWARF_EBP = 5, DWARF_EIP = 8;

export interface FrameRule {
  cfaRegister: number;
  cfaOffset: number;
  /** Register → offset from the CFA of the slot holding the caller's value. */
  saved: Map<number, number>;
}

interface Fde {
  low: number;
  high: number;
  codeAlign: number;
  dataAlign: number;
  initial: Uint8Array;
  program: Uint8Array;
}

export class CallFrameTable {
  constructor(private readonly fdes: readonly Fde[]) {}

  get size(): number {
    return this.fdes.length;
  }

  /**
   * The frame rule in effect at a linear address, or undefined where no FDE covers it or its
   * instructions cannot be read (truncated, or expressions this reader does not evaluate).
   */
  ruleAt(linear: number): FrameRule | undefined {
    const a = linear >>> 0;
    const f = this.fdes.find((x) => a >= x.low && a < x.high);
    if (!f) return undefined;
    const state: FrameRule = { cfaRegister: DWARF_ESP, cfaOffset: 4, saved: new Map() };
    try {
      const initial = run(f.initial, f, state, Infinity, f.low, null);
      run(f.program, f, state, a, f.low, initial);
    } catch (e) {
      if (e instanceof DwarfError) return undefined;
      throw e;
    }
    return state;
  }
}

function copy(r: FrameRule): FrameRule {
  return { cfaRegister: r.cfaRegister, cfaOffset: r.cfaOffset, saved: new Map(r.saved) };
}

/**
 * Runs CFA instructions up to the row that holds `target`; returns the state after them (the CIE's
 * initial rules, which DW_CFA_restore goes back to).
 */
function run(code: Uint8Array, f: Fde, s: FrameRule, target: number, start: number, initial: FrameRule | null): FrameRule {
  const c = new Cursor(code, 0, '.debug_frame');
  let loc = start;
  const stack: FrameRule[] = [];
  const advance = (delta: number): boolean => {
    loc += delta * f.codeAlign;
    return loc > target;
  };
  const restore = (reg: number) => {
    const v = initial?.saved.get(reg);
    if (v === undefined) s.saved.delete(reg);
    else s.saved.set(reg, v);
  };
  while (!c.done) {
    const op = c.u8();
    const low = op & 0x3f;
    switch (op & 0xc0) {
      case 0x40: if (advance(low)) return s; continue;
      case 0x80: s.saved.set(low, c.uleb() * f.dataAlign); continue;
      case 0xc0: restore(low); continue;
    }
    switch (op) {
      case 0x00: break;
      case 0x01: loc = c.u32(); if (loc > target) return s; break;
      case 0x02: if (advance(c.u8())) return s; break;
      case 0x03: if (advance(c.u16())) return s; break;
      case 0x04: if (advance(c.u32())) return s; break;
      case 0x05: { const r = c.uleb(); s.saved.set(r, c.uleb() * f.dataAlign); break; }
      case 0x06: restore(c.uleb()); break;
      case 0x07: case 0x08: s.saved.delete(c.uleb()); break;
      case 0x09: c.uleb(); c.uleb(); break;
      case 0x0a: stack.push(copy(s)); break;
      case 0x0b: { const r = stack.pop(); if (r) Object.assign(s, r); break; }
      case 0x0c: s.cfaRegister = c.uleb(); s.cfaOffset = c.uleb(); break;
      case 0x0d: s.cfaRegister = c.uleb(); break;
      case 0x0e: s.cfaOffset = c.uleb(); break;
      case 0x11: { const r = c.uleb(); s.saved.set(r, c.sleb() * f.dataAlign); break; }
      case 0x12: s.cfaRegister = c.uleb(); s.cfaOffset = c.sleb() * f.dataAlign; break;
      case 0x13: s.cfaOffset = c.sleb() * f.dataAlign; break;
      case 0x2e: c.uleb(); break;
      default:
        // Expressions (0x0f, 0x10, 0x14–0x16) describe frames gcc does not make for this code.
        throw new DwarfError(`.debug_frame: CFA instruction 0x${op.toString(16)} is not read`);
    }
  }
  return copy(s);
}

interface Cie { codeAlign: number; dataAlign: number; initial: Uint8Array; addressSize: number; encoding: number; augData: boolean }

const DW_EH_PE_omit = 0xff, DW_EH_PE_pcrel = 0x10;

/** A pointer of .eh_frame in `encoding` (LSB 7.x: DW_EH_PE_*), at `c.pos`, whose own address is `here`. */
function encoded(c: Cursor, encoding: number, here: number): number {
  let v: number;
  switch (encoding & 0x0f) {
    case 0x00: v = c.u32(); break;
    case 0x01: v = c.uleb(); break;
    case 0x02: v = c.u16(); break;
    case 0x03: v = c.u32(); break;
    case 0x04: v = c.u64(); break;
    case 0x09: v = c.sleb(); break;
    case 0x0a: v = (c.u16() << 16) >> 16; break;
    case 0x0b: v = c.u32() | 0; break;
    case 0x0c: v = c.u64(); break;
    default: throw new DwarfError(`.eh_frame: pointer encoding 0x${encoding.toString(16)} is not read`);
  }
  return (encoding & 0x70) === DW_EH_PE_pcrel ? v + here : v;
}

/**
 * Reads .debug_frame, or with `eh` the .eh_frame gcc emits by default (CIE id 0, CIE pointers relative
 * to themselves, `z`-augmented pointer encodings; `ehAddress` is the section's address, for PC-relative
 * pointers). 32-bit offsets; CIE versions 1, 3 and 4. `offset` is added to every address.
 */
export function readDebugFrame(b: Uint8Array | undefined, offset = 0, eh: { address: number } | null = null): CallFrameTable {
  if (!b) return new CallFrameTable([]);
  const name = eh ? '.eh_frame' : '.debug_frame';
  const c = new Cursor(b, 0, name);
  const cies = new Map<number, Cie>();
  const fdes: Fde[] = [];
  const cieAt = (at: number): Cie => {
    const hit = cies.get(at);
    if (hit) return hit;
    const k = new Cursor(b, at, name);
    const { length } = k.unitLength();
    const end = k.pos + length;
    k.u32();
    const version = k.u8();
    const aug = k.cstring();
    if (aug === 'eh') k.u32();
    else if (aug !== '' && !aug.startsWith('z')) throw new DwarfError(`${name}: CIE augmentation '${aug}' is not read`);
    let addressSize = 4;
    if (version >= 4) {
      addressSize = k.u8();
      k.u8();
    }
    const codeAlign = k.uleb(), dataAlign = k.sleb();
    if (version === 1) k.u8();
    else k.uleb();
    let encoding = 0;
    if (aug.startsWith('z')) {
      const augEnd = k.uleb() + k.pos;
      for (const ch of aug.slice(1)) {
        if (ch === 'R') encoding = k.u8();
        else if (ch === 'L') k.u8();
        else if (ch === 'P') {
          const e = k.u8();
          encoded(k, e & 0x0f, 0);
        } else if (ch !== 'S' && ch !== 'B') break;
      }
      k.pos = augEnd;
    }
    const cie = { codeAlign, dataAlign, initial: b.subarray(k.pos, end), addressSize, encoding, augData: aug.startsWith('z') };
    cies.set(at, cie);
    return cie;
  };
  while (!c.done) {
    const start = c.pos;
    const { length, offsetSize } = c.unitLength();
    if (length === 0) {
      if (eh) break;
      continue;
    }
    const end = c.pos + length;
    if (offsetSize !== 4 || end > b.length) throw new DwarfError(`${name}: entry at 0x${start.toString(16)} is not a 32-bit entry inside the section`);
    const idAt = c.pos;
    const id = c.u32();
    const isCie = eh ? id === 0 : id === 0xffffffff;
    if (!isCie) {
      const cie = cieAt(eh ? idAt - id : id);
      let low: number, range: number;
      if (eh) {
        if (cie.encoding === DW_EH_PE_omit) throw new DwarfError(`${name}: an FDE without an address`);
        low = encoded(c, cie.encoding, eh.address + c.pos);
        range = encoded(c, cie.encoding & 0x0f, 0);
        if (cie.augData) c.pos += c.uleb();
      } else {
        low = c.uint(cie.addressSize);
        range = c.uint(cie.addressSize);
      }
      fdes.push({
        low: (low + offset) >>> 0, high: (low + range + offset) >>> 0, codeAlign: cie.codeAlign, dataAlign: cie.dataAlign,
        initial: cie.initial, program: b.subarray(c.pos, end),
      });
    }
    c.pos = end;
  }
  return new CallFrameTable(fdes);
}
