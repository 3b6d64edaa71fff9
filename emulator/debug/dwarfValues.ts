// C variables of the DWARF at a stop: where a variable lives (a static address, a stack slot from the
// frame base — DW_OP_fbreg over DW_OP_call_frame_cfa or a base register — or a register), a caller's
// registers by the call frame information, and values formatted as C shows them (integers, chars,
// pointers, structs, arrays, char arrays as strings). Pure TypeScript: no Node or VS Code imports.
// DWARF 5 §2.5 (location expressions), §2.6 (locations), §6.4 (CFA).

import type { DwarfFunction } from './debugInfo';
import { type CallFrameTable, DWARF_EBP, DWARF_ESP } from './dwarfFrame';
import { type DwarfType, type DwarfVariable, Encoding } from './dwarfTypes';

const DW_OP_reg0 = 0x50, DW_OP_breg0 = 0x70, DW_OP_regx = 0x90, DW_OP_fbreg = 0x91, DW_OP_bregx = 0x92, DW_OP_call_frame_cfa = 0x9c;

/** A frame's registers: the eight general registers in DWARF (= CPU r32) order, its PC and SS's base. */
export interface FrameRegisters {
  r32: number[];
  pc: number;
  ssBase: number;
}

export type Place =
  | { kind: 'memory'; linear: number }
  | { kind: 'register'; reg: number }
  | { kind: 'none'; why: string };

/** Reads `n` bytes at a linear address; null where nothing is readable. */
export type ReadLinear = (linear: number, n: number) => Uint8Array | null;

function sleb(b: Uint8Array, at: number): number {
  let result = 0, shift = 0, byte: number, i = at;
  do {
    byte = b[i++] ?? 0;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80 && i < b.length);
  if (byte & 0x40) result -= 2 ** shift;
  return result;
}

function uleb(b: Uint8Array, at: number): { v: number; next: number } {
  let v = 0, shift = 0, i = at, byte: number;
  do {
    byte = b[i++] ?? 0;
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80 && i < b.length);
  return { v, next: i };
}

/** The CFA of a frame: its rule's register plus offset, or undefined where no FDE covers the PC. */
export function frameCfa(frames: CallFrameTable, regs: FrameRegisters): number | undefined {
  const rule = frames.ruleAt(regs.pc);
  if (!rule || rule.cfaRegister > 7) return undefined;
  return (regs.r32[rule.cfaRegister] + rule.cfaOffset) >>> 0;
}

/** The frame base (DW_AT_frame_base) of a function at a stop: an SS offset. */
function frameBase(fn: DwarfFunction, frames: CallFrameTable, regs: FrameRegisters): number | undefined {
  const e = fn.frameBase;
  if (!e || e.length === 0) return undefined;
  if (e[0] === DW_OP_call_frame_cfa) return frameCfa(frames, regs);
  if (e[0] >= DW_OP_breg0 && e[0] < DW_OP_breg0 + 8) return (regs.r32[e[0] - DW_OP_breg0] + sleb(e, 1)) >>> 0;
  if (e[0] >= DW_OP_reg0 && e[0] < DW_OP_reg0 + 8) return regs.r32[e[0] - DW_OP_reg0] >>> 0;
  return undefined;
}

/** Where a variable is at a stop (its function `fn` for locals). */
export function placeOf(v: DwarfVariable, fn: DwarfFunction | undefined, frames: CallFrameTable, regs: FrameRegisters): Place {
  if (v.address !== undefined) return { kind: 'memory', linear: v.address };
  const e = v.location;
  if (!e || e.length === 0) return { kind: 'none', why: 'optimized out' };
  const op = e[0];
  if (op === DW_OP_fbreg) {
    const base = fn && frameBase(fn, frames, regs);
    if (base === undefined) return { kind: 'none', why: 'no frame base here (no call frame information for this address)' };
    return { kind: 'memory', linear: (regs.ssBase + base + sleb(e, 1)) >>> 0 };
  }
  if (op >= DW_OP_breg0 && op < DW_OP_breg0 + 8) return { kind: 'memory', linear: (regs.ssBase + regs.r32[op - DW_OP_breg0] + sleb(e, 1)) >>> 0 };
  if (op === DW_OP_bregx) {
    const r = uleb(e, 1);
    if (r.v < 8) return { kind: 'memory', linear: (regs.ssBase + regs.r32[r.v] + sleb(e, r.next)) >>> 0 };
  }
  if (op >= DW_OP_reg0 && op < DW_OP_reg0 + 8) return { kind: 'register', reg: op - DW_OP_reg0 };
  if (op === DW_OP_regx && uleb(e, 1).v < 8) return { kind: 'register', reg: uleb(e, 1).v };
  return { kind: 'none', why: `location expression 0x${op.toString(16)} is not evaluated (only static addresses, frame-base and register locations)` };
}

/**
 * The registers of the caller of a frame (ESP = the CFA, the saved ones from their slots), when the call
 * frame information covers its PC; the caller's PC is the shadow stack's (`callerPc`).
 */
export function unwind(frames: CallFrameTable, regs: FrameRegisters, callerPc: number, read: ReadLinear): FrameRegisters | undefined {
  const rule = frames.ruleAt(regs.pc);
  const cfa = frameCfa(frames, regs);
  if (!rule || cfa === undefined) return undefined;
  const r32 = regs.r32.slice();
  r32[DWARF_ESP] = cfa;
  for (const [reg, off] of rule.saved) {
    if (reg > 7 || reg === DWARF_ESP) continue;
    const b = read((regs.ssBase + cfa + off) >>> 0, 4);
    if (!b) return undefined;
    r32[reg] = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
  // A frame without a saved EBP keeps the callee's (it did not change it).
  if (!rule.saved.has(DWARF_EBP)) r32[DWARF_EBP] = regs.r32[DWARF_EBP];
  return { r32, pc: callerPc >>> 0, ssBase: regs.ssBase };
}

function uint(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = Math.min(size, 6) - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

const isChar = (t: DwarfType | null): boolean =>
  t?.kind === 'base' && t.size === 1 && (t.encoding === Encoding.signedChar || t.encoding === Encoding.unsignedChar);

/** A scalar's value as C prints it (integers in decimal, chars with their character, pointers in hex). */
export function formatScalar(t: DwarfType, b: Uint8Array, at = 0): string {
  const size = Math.max(1, Math.min(t.size, 8));
  const u = uint(b, at, size);
  if (t.kind === 'pointer') return `0x${u.toString(16).padStart(t.size * 2, '0')}`;
  if (t.kind !== 'base' && t.kind !== 'enum') return '{…}';
  const signed = t.kind === 'base' && (t.encoding === Encoding.signed || t.encoding === Encoding.signedChar);
  const v = signed && size <= 6 && u >= 2 ** (size * 8 - 1) ? u - 2 ** (size * 8) : u;
  if (t.kind === 'base' && t.encoding === Encoding.boolean) return v ? 'true' : 'false';
  if (t.kind === 'base' && t.encoding === Encoding.float) return `(float, ${size} bytes) 0x${u.toString(16)}`;
  if (isChar(t)) return `${v} ${charText(u)}`;
  return String(v);
}

const ESCAPES: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' };

function charText(c: number): string {
  if (c === 0x27 || c === 0x5c) return `'\\${String.fromCharCode(c)}'`;
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `'${ESCAPES[c] ?? `\\x${c.toString(16).padStart(2, '0')}`}'`;
}

/** A char array's text (up to its first NUL), as C shows it. */
export function formatString(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += ESCAPES[c] ?? `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `"${s}"`;
}

/** The one-line value of any type at `b` (a struct or array summarised). */
export function formatValue(t: DwarfType | null, b: Uint8Array): string {
  if (!t) return 'void';
  if (t.kind === 'array') {
    if (isChar(t.element)) return formatString(b.subarray(0, t.size));
    return `${t.element?.name ?? '?'}[${t.count}]`;
  }
  if (t.kind === 'struct') {
    const parts = t.members.slice(0, 8).map((m) => `${m.name} = ${m.type && m.type.kind !== 'struct' && m.type.kind !== 'array'
      ? formatScalar(m.type, b, m.offset) : '{…}'}`);
    return `{${parts.join(', ')}${t.members.length > 8 ? ', …' : ''}}`;
  }
  return formatScalar(t, b);
}
