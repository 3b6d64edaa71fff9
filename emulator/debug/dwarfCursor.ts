// A read cursor over a DWARF section (little-endian, 32- or 64-bit DWARF offsets) and the attribute
// forms of DWARF 2–5: reading a value of any form, so a reader can skip what it does not use.
// Pure TypeScript: no Node or VS Code imports. DWARF 5 §7.4 (32/64-bit formats), §7.5.6 (forms), §7.6 (LEB128).

import { SymbolFileError } from './symbols';

export class DwarfError extends SymbolFileError {}

export class Cursor {
  private readonly v: DataView;
  constructor(readonly b: Uint8Array, public pos = 0, private readonly what = 'DWARF section') {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.b.length;
  }

  private need(n: number): number {
    const at = this.pos;
    if (at < 0 || at + n > this.b.length) throw new DwarfError(`${this.what}: offset 0x${at.toString(16)} is outside the section (truncated or corrupt)`);
    this.pos += n;
    return at;
  }

  u8(): number { return this.b[this.need(1)]; }
  i8(): number { return this.v.getInt8(this.need(1)); }
  u16(): number { return this.v.getUint16(this.need(2), true); }
  u24(): number { const at = this.need(3); return this.b[at] | (this.b[at + 1] << 8) | (this.b[at + 2] << 16); }
  u32(): number { return this.v.getUint32(this.need(4), true); }

  /** A 64-bit value as a number (offsets and addresses beyond 2^53 do not occur in boot code). */
  u64(): number {
    const lo = this.u32(), hi = this.u32();
    return hi * 0x100000000 + lo;
  }

  uint(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new DwarfError(`${this.what}: unsupported value size ${size}`);
    }
  }

  uleb(): number {
    return this.leb128(false);
  }

  sleb(): number {
    return this.leb128(true);
  }

  private leb128(signed: boolean): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8();
      // Beyond 2^53 precision is lost; such values (MD5s, hashes) are skipped, never used.
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (signed && byte & 0x40) result -= 2 ** shift;
    return result;
  }

  cstring(): string {
    const start = this.pos;
    while (this.pos < this.b.length && this.b[this.pos] !== 0) this.pos++;
    const bytes = this.b.subarray(start, this.pos);
    this.need(1);
    return new TextDecoder().decode(bytes);
  }

  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.b.subarray(at, at + n);
  }

  /** An initial length: the unit's length and whether it uses 64-bit DWARF offsets (§7.4). */
  unitLength(): { length: number; offsetSize: 4 | 8 } {
    const l = this.u32();
    if (l === 0xffffffff) return { length: this.u64(), offsetSize: 8 };
    if (l >= 0xfffffff0) throw new DwarfError(`${this.what}: reserved unit length 0x${l.toString(16)}`);
    return { length: l, offsetSize: 4 };
  }
}

/** A NUL-terminated string at an offset of a string section. */
export function stringAt(section: Uint8Array | undefined, offset: number, name: string): string {
  if (!section || offset >= section.length) throw new DwarfError(`${name}: string offset 0x${offset.toString(16)} is outside the section`);
  return new Cursor(section, offset, name).cstring();
}

export const enum Form {
  addr = 0x01, block2 = 0x03, block4 = 0x04, data2 = 0x05, data4 = 0x06, data8 = 0x07, string = 0x08, block = 0x09,
  block1 = 0x0a, data1 = 0x0b, flag = 0x0c, sdata = 0x0d, strp = 0x0e, udata = 0x0f, refAddr = 0x10, ref1 = 0x11,
  ref2 = 0x12, ref4 = 0x13, ref8 = 0x14, refUdata = 0x15, indirect = 0x16, secOffset = 0x17, exprloc = 0x18,
  flagPresent = 0x19, strx = 0x1a, addrx = 0x1b, refSup4 = 0x1c, strpSup = 0x1d, data16 = 0x1e, lineStrp = 0x1f,
  refSig8 = 0x20, implicitConst = 0x21, loclistx = 0x22, rnglistx = 0x23, refSup8 = 0x24, strx1 = 0x25, strx2 = 0x26,
  strx3 = 0x27, strx4 = 0x28, addrx1 = 0x29, addrx2 = 0x2a, addrx3 = 0x2b, addrx4 = 0x2c,
  gnuAddrIndex = 0x1f01, gnuStrIndex = 0x1f02, gnuRefAlt = 0x1f20, gnuStrpAlt = 0x1f21,
}

/**
 * A raw attribute value: a number (constants, offsets, indexes, addresses), a string (inline), or
 * bytes (blocks, expressions). What the number means depends on the form; `resolve` in the caller.
 */
export type RawValue = number | string | Uint8Array;

export interface UnitShape {
  version: number;
  addressSize: number;
  offsetSize: 4 | 8;
}

/** Reads one attribute value of `form` (§7.5.6); `implicit` is the abbreviation's DW_FORM_implicit_const value. */
export function readForm(c: Cursor, form: number, u: UnitShape, implicit = 0): RawValue {
  switch (form) {
    case Form.addr: return c.uint(u.addressSize);
    case Form.block2: return c.bytes(c.u16());
    case Form.block4: return c.bytes(c.u32());
    case Form.data2: case Form.ref2: case Form.strx2: case Form.addrx2: return c.u16();
    case Form.data4: case Form.ref4: case Form.refSup4: case Form.strx4: case Form.addrx4: return c.u32();
    case Form.data8: case Form.ref8: case Form.refSig8: case Form.refSup8: return c.u64();
    case Form.data16: return c.bytes(16);
    case Form.string: return c.cstring();
    case Form.block: case Form.exprloc: return c.bytes(c.uleb());
    case Form.block1: return c.bytes(c.u8());
    case Form.data1: case Form.ref1: case Form.flag: case Form.strx1: case Form.addrx1: return c.u8();
    case Form.strx3: case Form.addrx3: return c.u24();
    case Form.sdata: return c.sleb();
    case Form.udata: case Form.refUdata: case Form.strx: case Form.addrx: case Form.loclistx: case Form.rnglistx:
    case Form.gnuAddrIndex: case Form.gnuStrIndex:
      return c.uleb();
    case Form.strp: case Form.secOffset: case Form.lineStrp: case Form.strpSup: case Form.gnuRefAlt: case Form.gnuStrpAlt:
      return c.uint(u.offsetSize);
    // DWARF 2 wrote DW_FORM_ref_addr with the address size; later versions with the offset size.
    case Form.refAddr: return c.uint(u.version <= 2 ? u.addressSize : u.offsetSize);
    case Form.flagPresent: return 1;
    case Form.implicitConst: return implicit;
    case Form.indirect: return readForm(c, c.uleb(), u);
    default: throw new DwarfError(`unknown DWARF attribute form 0x${form.toString(16)}`);
  }
}
