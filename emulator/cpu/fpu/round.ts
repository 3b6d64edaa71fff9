// Exact rounding of a value m × 2^e (m a BigInt, plus a sticky bit for a nonzero remainder) into
// the x87's destination formats: the 80-bit register under the control word's rounding and
// precision control, and 32/64-bit reals. Sets PE/UE/OE and the "rounded up" bit (C1) as the
// hardware does, with the masked responses and the unmasked bias adjustment of register results.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §4.8.4 (rounding), §4.9.1.4-6, §8.1.5.
import { BIAS, EXP_MAX, FE_OE, FE_PE, FE_UE, bitLength, f80, type F80 } from './float80';

/** Rounding control (control word bits 10-11). */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

/**
 * The rounding state of one instruction: control-word inputs (rounding mode, precision in bits,
 * exception masks) and outputs (exception flags raised, whether the last rounding increased the
 * magnitude, which is C1 when PE is raised).
 */
export class RoundCtx {
  rc = RC_NEAREST;
  /** Significand bits of register results: 24, 53 or 64 (precision control). */
  pc = 64;
  /** Masked exceptions: control word bits 0-5. */
  masks = 0x3f;
  flags = 0;
  up = false;

  begin(cw: number): void {
    this.rc = (cw >>> 10) & 3;
    const p = (cw >>> 8) & 3;
    this.pc = p === 0 ? 24 : p === 2 ? 53 : 64; // PC = 01 is reserved; the hardware rounds to 64 bits
    this.masks = cw & 0x3f;
    this.flags = 0;
    this.up = false;
  }

  /** Whether an exception raised by this instruction is unmasked. */
  unmasked(bits: number): boolean {
    return (this.flags & bits & ~this.masks) !== 0;
  }
}

/** A destination format: significand bits (leading one included), bias, all-ones exponent. */
export interface Fmt {
  readonly bias: number;
  readonly maxExp: number;
}
export const FMT80: Fmt = { bias: BIAS, maxExp: EXP_MAX };
export const FMT64: Fmt = { bias: 1023, maxExp: 0x7ff };
export const FMT32: Fmt = { bias: 127, maxExp: 0xff };

/** Unmasked overflow/underflow of a register result: the exponent is wrapped by 3 × 2^13 (SDM Vol. 1 §4.9.1.5-6). */
export const BIAS_ADJUST = 24576;

/**
 * x87 detects tininess (for UE) after rounding, on the rounded significand with an unbounded
 * exponent, as the cross-checked hardware vectors show (test/cpu/fpu/vectors).
 */
const TININESS_AFTER_ROUNDING = true;

let inexact = false;
let roundedUp = false;

/**
 * m × 2^e (+ sticky) rounded to an integer multiple of 2^(e + drop) under `rc`; returns that multiple.
 * Leaves `inexact` and `roundedUp` (magnitude increased) set.
 */
function roundAt(rc: number, sign: number, m: bigint, sticky: boolean, drop: number): bigint {
  if (drop <= 0) {
    inexact = sticky;
    const q = m << BigInt(-drop);
    roundedUp = sticky && directedUp(rc, sign);
    return roundedUp ? q + 1n : q;
  }
  const d = BigInt(drop);
  let q = m >> d;
  const rem = m & ((1n << d) - 1n);
  inexact = rem !== 0n || sticky;
  let up = false;
  if (inexact) {
    if (rc === RC_NEAREST) {
      const half = 1n << (d - 1n);
      up = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
    } else {
      up = directedUp(rc, sign);
    }
  }
  roundedUp = up;
  if (up) q += 1n;
  return q;
}

function directedUp(rc: number, sign: number): boolean {
  return (rc === RC_UP && sign === 0) || (rc === RC_DOWN && sign === 1);
}

/** A rounded result: biased exponent (0 for denormals and zero) and significand with its leading bit. */
export interface Packed {
  exp: number;
  q: bigint;
}

/**
 * Rounds sign × (m + sticky·ε) × 2^e, m > 0, to `prec` significand bits of format `fmt`. `wrap`:
 * the destination is a register, so unmasked OE/UE deliver the bias-adjusted result (a memory
 * destination is left unwritten by the caller instead).
 */
export function roundPack(ctx: RoundCtx, sign: number, m: bigint, e: number, sticky: boolean, fmt: Fmt, prec: number, wrap: boolean): Packed {
  const n = bitLength(m);
  const lead = e + n - 1 + fmt.bias; // biased exponent of the exact value
  let q = roundAt(ctx.rc, sign, m, sticky, n - prec);
  let unitExp = e + n - prec;
  if (q >> BigInt(prec) !== 0n) {
    q >>= 1n;
    unitExp++;
  }
  const up = roundedUp, inex = inexact;
  const biased = unitExp + prec - 1 + fmt.bias;
  if (biased >= fmt.maxExp) {
    if ((ctx.masks & FE_OE) === 0) {
      ctx.flags |= FE_OE | (inex ? FE_PE : 0);
      ctx.up = up;
      return { exp: wrap ? biased - BIAS_ADJUST : biased, q };
    }
    ctx.flags |= FE_OE | FE_PE;
    const toInf = ctx.rc === RC_NEAREST || directedUp(ctx.rc, sign);
    ctx.up = toInf;
    return toInf ? { exp: fmt.maxExp, q: 1n << BigInt(prec - 1) } : { exp: fmt.maxExp - 1, q: (1n << BigInt(prec)) - 1n };
  }
  if (lead >= 1) {
    if (inex) ctx.flags |= FE_PE;
    ctx.up = up;
    return { exp: biased, q };
  }
  const tiny = TININESS_AFTER_ROUNDING ? biased < 1 : true;
  if ((ctx.masks & FE_UE) === 0) {
    if (tiny) {
      ctx.flags |= FE_UE | (inex ? FE_PE : 0);
      ctx.up = up;
      return { exp: wrap ? biased + BIAS_ADJUST : biased, q };
    }
    if (inex) ctx.flags |= FE_PE;
    ctx.up = up;
    return { exp: biased, q };
  }
  // Masked underflow: denormalize, then round at the denormal's fixed last place.
  const unit = 1 - fmt.bias - (prec - 1);
  const dq = roundAt(ctx.rc, sign, m, sticky, unit - e);
  ctx.up = roundedUp;
  if (inexact) ctx.flags |= FE_PE | (tiny ? FE_UE : 0);
  return { exp: dq >> BigInt(prec - 1) !== 0n ? 1 : 0, q: dq };
}

/** roundPack into an 80-bit register at the control word's precision. */
export function round80(ctx: RoundCtx, sign: number, m: bigint, e: number, sticky: boolean, prec = ctx.pc): F80 {
  const p = roundPack(ctx, sign, m, e, sticky, FMT80, prec, true);
  return f80(sign, p.exp, p.q << BigInt(64 - prec));
}

/**
 * Rounds m × 2^e (+ sticky) to an integer under the rounding mode; leaves PE and C1 in ctx.
 * e ≥ 0 gives the exact m << e.
 */
export function roundToInteger(ctx: RoundCtx, sign: number, m: bigint, e: number, sticky = false): bigint {
  const q = roundAt(ctx.rc, sign, m, sticky, -e);
  if (inexact) ctx.flags |= FE_PE;
  ctx.up = roundedUp;
  return q;
}
