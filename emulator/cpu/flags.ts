// Lazy arithmetic flags, in the style of v86: ADD/SUB/logic/INC/DEC record their operands and
// result, and CF/PF/AF/ZF/SF/OF are computed only when something reads them (a Jcc reads one,
// PUSHF, an interrupt or the debugger reads them all). Everything else sets flags eagerly.
// SDM Vol. 1 §3.4.3, Appendix A (EFLAGS cross-reference).
// Pure TypeScript: no Node or VS Code imports.

import { EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_STATUS, EFLAGS_ZF } from './regs';

export const LZ_ADD = 0, LZ_SUB = 1, LZ_LOGIC = 2, LZ_INC = 3, LZ_DEC = 4;

/** PARITY[b] is EFLAGS_PF when b has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, n = 0;
  while (b) { n += b & 1; b >>= 1; }
  PARITY[i] = n & 1 ? 0 : EFLAGS_PF;
}

/** The part of the CPU that holds flags; Cpu implements it. */
export interface FlagState {
  /** EFLAGS with the bits in `lazy` stale. */
  flags: number;
  /** Status bits that must be computed from the lz* fields. */
  lazy: number;
  lzOp: number;
  lzDst: number;
  lzSrc: number;
  lzRes: number;
  /** 0xff, 0xffff or 0xffffffff. */
  lzMask: number;
}

export function signBit(mask: number): number {
  return mask === 0xff ? 0x80 : mask === 0xffff ? 0x8000 : 0x80000000;
}

// The lazy formulas: each status flag's value from its producer (LZ_*) and that producer's inputs
// (`sign` is the result's sign bit). Each is defined once, here: the getters call them, and
// compiled blocks embed their source applied to the flag locals with the producer as a constant
// (jit/flagCode.ts), which V8 inlines and folds without a call. So they are closed: parameters
// and literals only (the producers by number: LZ_ADD 0, LZ_SUB 1, LZ_LOGIC 2, LZ_INC 3, LZ_DEC 4).
// INC and DEC are an ADD and a SUB of 1 (their src is 1) that keep CF (stored eagerly).

/** A status flag's value after producer `op` (LZ_*) with these inputs. */
export type Formula = (op: number, dst: number, src: number, res: number, sign: number) => boolean;

const cf: Formula = (op, dst, src, res) => (op === 0 ? res < dst : op === 1 && dst < src);
const of: Formula = (op, dst, src, res, sign) =>
  op !== 2 && ((op === 0 || op === 3 ? (dst ^ res) & (src ^ res) : (dst ^ src) & (dst ^ res)) & sign) !== 0;
const af: Formula = (op, dst, src, res) => op !== 2 && ((dst ^ src ^ res) & 0x10) !== 0;
const zf: Formula = (_op, _dst, _src, res) => res === 0;
const sf: Formula = (_op, _dst, _src, res, sign) => (res & sign) !== 0;
// Even parity of the low byte: the nibbles folded, then a 16-bit table of even-parity nibbles.
const pf: Formula = (_op, _dst, _src, res) => ((0x9669 >>> ((res ^ (res >>> 4)) & 0xf)) & 1) !== 0;

/** The formula of status flag `bit` (one EFLAGS bit). */
export function formula(bit: number): Formula {
  switch (bit) {
    case EFLAGS_CF: return cf;
    case EFLAGS_OF: return of;
    case EFLAGS_AF: return af;
    case EFLAGS_ZF: return zf;
    case EFLAGS_SF: return sf;
    default: return pf;
  }
}

export function getCF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_CF) === 0) return (s.flags & EFLAGS_CF) !== 0;
  return cf(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, 0);
}

export function getZF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_ZF) === 0) return (s.flags & EFLAGS_ZF) !== 0;
  return zf(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, 0);
}

export function getSF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_SF) === 0) return (s.flags & EFLAGS_SF) !== 0;
  return sf(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, signBit(s.lzMask));
}

export function getPF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_PF) === 0) return (s.flags & EFLAGS_PF) !== 0;
  return pf(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, 0);
}

export function getAF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_AF) === 0) return (s.flags & EFLAGS_AF) !== 0;
  return af(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, 0);
}

export function getOF(s: FlagState): boolean {
  if ((s.lazy & EFLAGS_OF) === 0) return (s.flags & EFLAGS_OF) !== 0;
  return of(s.lzOp, s.lzDst, s.lzSrc, s.lzRes, signBit(s.lzMask));
}

/** Computes every lazy bit into `flags` and returns EFLAGS. */
export function materialize(s: FlagState): number {
  if (s.lazy !== 0) {
    let f = s.flags & ~s.lazy;
    const l = s.lazy;
    if (l & EFLAGS_CF && getCF(s)) f |= EFLAGS_CF;
    if (l & EFLAGS_PF && getPF(s)) f |= EFLAGS_PF;
    if (l & EFLAGS_AF && getAF(s)) f |= EFLAGS_AF;
    if (l & EFLAGS_ZF && getZF(s)) f |= EFLAGS_ZF;
    if (l & EFLAGS_SF && getSF(s)) f |= EFLAGS_SF;
    if (l & EFLAGS_OF && getOF(s)) f |= EFLAGS_OF;
    s.flags = f;
    s.lazy = 0;
  }
  return s.flags;
}

/** Records an ADD-like result (ADD, ADC without carry handled eagerly elsewhere). Operands are masked. */
export function setLazy(s: FlagState, op: number, dst: number, src: number, res: number, mask: number): void {
  s.lzOp = op;
  s.lzDst = dst;
  s.lzSrc = src;
  s.lzRes = res;
  s.lzMask = mask;
  s.lazy = EFLAGS_STATUS;
}

/** INC/DEC leave CF alone: fix CF's current value before making the rest lazy. */
export function setLazyIncDec(s: FlagState, op: number, dst: number, res: number, mask: number): void {
  s.flags = keepCF(s.flags, getCF(s));
  s.lzOp = op;
  s.lzDst = dst;
  s.lzSrc = 1;
  s.lzRes = res;
  s.lzMask = mask;
  s.lazy = INC_DEC_LAZY;
}

/** The status flags INC and DEC leave lazy: all but CF, which they keep. */
export const INC_DEC_LAZY = EFLAGS_STATUS & ~EFLAGS_CF;

/** `flags` with CF (bit 0) set to `cf`: how INC and DEC store the CF they keep (closed, as the formulas). */
export const keepCF = (flags: number, cf: boolean): number => (cf ? flags | 1 : flags & ~1);

/** Sets status flags eagerly: `bits` holds their new values, `which` says which ones are written. */
export function setStatus(s: FlagState, which: number, bits: number): void {
  // Lazy bits that are all overwritten need not be computed first.
  if ((s.lazy & ~which) === 0) s.lazy = 0;
  else materialize(s);
  s.flags = (s.flags & ~which) | (bits & which);
}

/** SZP of a masked result, as eager bits. */
export function szp(res: number, mask: number): number {
  return (res === 0 ? EFLAGS_ZF : 0) | (res & signBit(mask) ? EFLAGS_SF : 0) | PARITY[res & 0xff];
}
