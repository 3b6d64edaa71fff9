// The x87 operations without an IEEE 754 counterpart beyond round-to-integral: FRNDINT, FSCALE,
// FXTRACT and the partial remainders FPREM (truncating quotient) and FPREM1 (IEEE remainder),
// exact on BigInt significands. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 2 FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1.
import { Cls, FE_DE, FE_ZE, INF, bitLength, classify, f80, withSign, type F80 } from './float80';
import { denormalStops, invalid, isDen, isNaNCls, nan1, nan2, unpackExp } from './arith';
import { loadInt } from './convert';
import { round80, roundToInteger, type RoundCtx } from './round';

export function frndint(ctx: RoundCtx, a: F80): F80 {
  const c = classify(a);
  if (c === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(c)) return nan1(ctx, a, c);
  if (c === Cls.Zero || c === Cls.Inf) return a;
  if (isDen(c) && denormalStops(ctx)) return a;
  const e = unpackExp(a);
  if (e >= 0) return a;
  const q = roundToInteger(ctx, a.sign, a.sig, e);
  return q === 0n ? f80(a.sign, 0, 0n) : withSign(loadInt(q), a.sign);
}

/** The scale FSCALE applies: ST1 truncated toward zero, clamped far outside the exponent range. */
function scaleOf(b: F80): number {
  const e = unpackExp(b);
  const t = e >= 0 ? 1 << 20 : Math.min(Number(b.sig >> BigInt(Math.min(-e, 64))), 1 << 20);
  return b.sign ? -t : t;
}

/** FSCALE: ST0 × 2^trunc(ST1), rounded once to 64 bits. */
export function fscale(ctx: RoundCtx, a: F80, b: F80): F80 {
  const ca = classify(a), cb = classify(b);
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(ca) || isNaNCls(cb)) return nan2(ctx, a, ca, b, cb);
  if (cb === Cls.Inf) {
    if (b.sign === 0) {
      if (ca === Cls.Zero) return invalid(ctx);
      if (isDen(ca)) ctx.flags |= FE_DE;
      return withSign(INF, a.sign);
    }
    if (ca === Cls.Inf) return invalid(ctx);
    if (isDen(ca)) ctx.flags |= FE_DE;
    return f80(a.sign, 0, 0n);
  }
  if ((isDen(ca) || isDen(cb)) && denormalStops(ctx)) return a;
  if (ca === Cls.Inf || ca === Cls.Zero) return a;
  return round80(ctx, a.sign, a.sig, unpackExp(a) + scaleOf(b), false, 64);
}

/** FXTRACT: [exponent as a real, significand with exponent 0]; ST0 becomes the exponent, then the significand is pushed. */
export function fxtract(ctx: RoundCtx, a: F80): [F80, F80] {
  const c = classify(a);
  if (c === Cls.Unsupported) {
    const r = invalid(ctx);
    return [r, r];
  }
  if (isNaNCls(c)) {
    const r = nan1(ctx, a, c);
    return [r, r];
  }
  if (c === Cls.Zero) {
    ctx.flags |= FE_ZE;
    return [withSign(INF, 1), a];
  }
  if (c === Cls.Inf) return [INF, a];
  if (isDen(c) && denormalStops(ctx)) return [a, a];
  const n = bitLength(a.sig);
  const exponent = unpackExp(a) + n - 1;
  return [loadInt(BigInt(exponent)), f80(a.sign, 16383, a.sig << BigInt(64 - n))];
}

/** A partial remainder and the condition bits it sets: C2 (incomplete) and the quotient's low three bits. */
export interface Remainder {
  value: F80;
  /** Quotient bits 0-2 (C1, C3, C0); 0 when incomplete; −1 for a NaN or invalid result (no quotient). */
  q: number;
  incomplete: boolean;
}

/**
 * FPREM (`ieee` false: quotient truncated) / FPREM1 (`ieee`: quotient rounded to nearest even).
 * When the exponents differ by 64 or more the reduction is partial: ST0 is reduced by ST1 × 2^(d−N),
 * N = 32 + d mod 32 (AMD's documented choice; the host x87 vectors agree), and C2 says so.
 */
export function fprem(ctx: RoundCtx, a: F80, b: F80, ieee: boolean): Remainder {
  const ca = classify(a), cb = classify(b);
  const none = (value: F80): Remainder => ({ value, q: 0, incomplete: false });
  const noQuotient = (value: F80): Remainder => ({ value, q: -1, incomplete: false });
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) return noQuotient(invalid(ctx));
  if (isNaNCls(ca) || isNaNCls(cb)) return noQuotient(nan2(ctx, a, ca, b, cb));
  if (ca === Cls.Inf || cb === Cls.Zero) return noQuotient(invalid(ctx));
  if ((isDen(ca) || isDen(cb)) && denormalStops(ctx)) return none(a);
  if (ca === Cls.Zero || cb === Cls.Inf) return none(a);
  const la = bitLength(a.sig), lb = bitLength(b.sig);
  const ea = unpackExp(a), eb = unpackExp(b);
  const d = ea + la - (eb + lb);
  if (d >= 64) {
    const k = d - (32 + (d % 32));
    // |a| / (|b| 2^k), truncated; the remainder is exact.
    const lo = Math.min(ea, eb + k);
    const A = a.sig << BigInt(ea - lo), B = b.sig << BigInt(eb + k - lo);
    const r = A % B;
    const v = r === 0n ? f80(a.sign, 0, 0n) : round80(ctx, a.sign, r, lo, false, 64);
    return { value: v, q: 0, incomplete: true };
  }
  const lo = Math.min(ea, eb);
  const A = a.sig << BigInt(ea - lo), B = b.sig << BigInt(eb - lo);
  let q = A / B;
  let r = A - q * B;
  let sign = a.sign;
  if (ieee && (2n * r > B || (2n * r === B && (q & 1n) === 1n))) {
    q += 1n;
    r = B - r;
    sign ^= 1;
  }
  const v = r === 0n ? f80(a.sign, 0, 0n) : round80(ctx, sign, r, lo, false, 64);
  return { value: v, q: Number(q & 7n), incomplete: false };
}
