// Conversions between the 80-bit register format and the x87's memory formats: 32/64-bit reals
// (as bit patterns), 16/32/64-bit integers and 18-digit packed BCD, with the exceptions and
// masked responses of FLD/FILD/FBLD and FST/FIST/FBSTP. Loads are exact; stores round per the
// control word's rounding mode. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 1 §4.2.1-4.7 (formats), §8.5 (exceptions), Vol. 2 FLD/FST/FIST/FBLD/FBSTP.
import { Cls, FE_DE, FE_IE, FE_OE, FE_PE, FE_UE, INF, QUIET_BIT, bitLength, classify, f80, withSign, type F80 } from './float80';
import { isNaNCls, unpackExp } from './arith';
import { FMT32, FMT64, roundPack, roundToInteger, type Fmt, type RoundCtx } from './round';

/** A memory real format: significand bits (leading one included), exponent field width. */
interface RealFmt extends Fmt {
  readonly prec: number;
  readonly expBits: number;
}
const REAL32: RealFmt = { ...FMT32, prec: 24, expBits: 8 };
const REAL64: RealFmt = { ...FMT64, prec: 53, expBits: 11 };

function loadReal(ctx: RoundCtx, bits: bigint, f: RealFmt): F80 {
  const fracBits = BigInt(f.prec - 1);
  const frac = bits & ((1n << fracBits) - 1n);
  const exp = Number((bits >> fracBits) & BigInt(f.maxExp));
  const sign = Number(bits >> (fracBits + BigInt(f.expBits)));
  const shift = BigInt(64 - f.prec);
  if (exp === f.maxExp) {
    if (frac === 0n) return withSign(INF, sign);
    const quietBit = 1n << (fracBits - 1n);
    if ((frac & quietBit) === 0n) ctx.flags |= FE_IE;
    return f80(sign, 0x7fff, (1n << 63n) | QUIET_BIT | (frac << shift));
  }
  if (exp === 0) {
    if (frac === 0n) return f80(sign, 0, 0n);
    ctx.flags |= FE_DE;
    // Normalize: the denormal's value frac × 2^(1 − bias − (prec − 1)) is exact in 80 bits.
    const n = bitLength(frac);
    const e80 = 1 - f.bias - (f.prec - 1) + n - 1 + 16383;
    return f80(sign, e80, frac << BigInt(64 - n));
  }
  return f80(sign, exp - f.bias + 16383, ((1n << fracBits) | frac) << shift);
}

export function loadReal32(ctx: RoundCtx, bits: number): F80 {
  return loadReal(ctx, BigInt(bits >>> 0), REAL32);
}

export function loadReal64(ctx: RoundCtx, bits: bigint): F80 {
  return loadReal(ctx, BigInt.asUintN(64, bits), REAL64);
}

/**
 * The memory image of v in format f, or null when nothing may be stored (an unmasked exception
 * the caller turns into #MF with memory unchanged).
 */
function storeReal(ctx: RoundCtx, v: F80, f: RealFmt): bigint | null {
  const c = classify(v);
  const fracBits = BigInt(f.prec - 1);
  const signBit = BigInt(v.sign) << (fracBits + BigInt(f.expBits));
  const expAll = BigInt(f.maxExp) << fracBits;
  if (c === Cls.Unsupported) {
    ctx.flags |= FE_IE;
    return ctx.unmasked(FE_IE) ? null : (1n << (fracBits + BigInt(f.expBits))) | expAll | (1n << (fracBits - 1n));
  }
  if (isNaNCls(c)) {
    if (c === Cls.SNaN) {
      ctx.flags |= FE_IE;
      if (ctx.unmasked(FE_IE)) return null;
    }
    const frac = ((v.sig >> BigInt(64 - f.prec)) & ((1n << fracBits) - 1n)) | (1n << (fracBits - 1n));
    return signBit | expAll | frac;
  }
  if (c === Cls.Inf) return signBit | expAll;
  if (c === Cls.Zero) return signBit;
  // A denormal source raises no DE here (only too small a result: UE).
  const p = roundPack(ctx, v.sign, v.sig, unpackExp(v), false, f, f.prec, false);
  if (ctx.unmasked(FE_OE | FE_UE)) {
    // Memory stays as it was, and nothing was rounded: no PE, C1 clear.
    ctx.flags &= ~FE_PE;
    ctx.up = false;
    return null;
  }
  return signBit | (BigInt(p.exp) << fracBits) | (p.q & ((1n << fracBits) - 1n));
}

export function storeReal32(ctx: RoundCtx, v: F80): number | null {
  const b = storeReal(ctx, v, REAL32);
  return b === null ? null : Number(b);
}

export function storeReal64(ctx: RoundCtx, v: F80): bigint | null {
  return storeReal(ctx, v, REAL64);
}

/** FILD: a signed integer is exact in 80 bits. */
export function loadInt(n: bigint): F80 {
  if (n === 0n) return f80(0, 0, 0n);
  const sign = n < 0n ? 1 : 0;
  const m = sign ? -n : n;
  const len = bitLength(m);
  return f80(sign, 16383 + len - 1, m << BigInt(64 - len));
}

/** The integer v rounds to under the rounding mode, or null for NaN, infinity or unsupported. */
function toInteger(ctx: RoundCtx, v: F80): bigint | null {
  const c = classify(v);
  if (c === Cls.Unsupported || c === Cls.Inf || isNaNCls(c)) return null;
  if (c === Cls.Zero) return 0n;
  const e = unpackExp(v);
  if (e > 64) return null;
  const q = roundToInteger(ctx, v.sign, v.sig, e);
  return v.sign ? -q : q;
}

/**
 * FIST/FISTP to a `bits`-wide integer: out of range, NaN or infinity is IE, and masked it stores
 * the integer indefinite (the most negative integer). null: unmasked IE, nothing stored.
 */
export function storeInt(ctx: RoundCtx, v: F80, bits: number): bigint | null {
  const n = toInteger(ctx, v);
  const lim = 1n << BigInt(bits - 1);
  if (n === null || n >= lim || n < -lim) {
    ctx.flags = (ctx.flags & ~FE_PE) | FE_IE;
    ctx.up = false;
    return ctx.unmasked(FE_IE) ? null : lim;
  }
  return BigInt.asUintN(bits, n);
}

/** FBLD: 18 BCD digits in bytes 0-8 (low nibble first), sign in bit 7 of byte 9. */
export function loadBcd(b: Uint8Array, at = 0): F80 {
  let n = 0n;
  for (let i = 8; i >= 0; i--) {
    const byte = b[at + i];
    n = n * 100n + BigInt((byte >>> 4) * 10 + (byte & 15));
  }
  const v = loadInt(n);
  return withSign(v, b[at + 9] >>> 7);
}

/**
 * FBSTP: ten bytes of packed BCD, or null (unmasked IE). A value that does not round into 18
 * digits, a NaN or an infinity is IE; masked, the BCD indefinite (FFFF C000 0000 0000 0000h).
 */
export function storeBcd(ctx: RoundCtx, v: F80): Uint8Array | null {
  const n = toInteger(ctx, v);
  const out = new Uint8Array(10);
  if (n === null || n > 999999999999999999n || n < -999999999999999999n) {
    ctx.flags = (ctx.flags & ~FE_PE) | FE_IE;
    ctx.up = false;
    if (ctx.unmasked(FE_IE)) return null;
    out[9] = 0xff;
    out[8] = 0xff;
    out[7] = 0xc0;
    return out;
  }
  let m = n < 0n ? -n : n;
  for (let i = 0; i < 9; i++) {
    const lo = Number(m % 10n);
    m /= 10n;
    const hi = Number(m % 10n);
    m /= 10n;
    out[i] = (hi << 4) | lo;
  }
  out[9] = v.sign << 7;
  return out;
}
