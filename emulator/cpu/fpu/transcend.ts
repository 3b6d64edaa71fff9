// The x87 transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1)
// and the constants of FLDPI & co, computed in BigInt fixed point with at least 150 bits beyond the
// result's leading bit (more for tiny arguments), then rounded once to 64 bits. Accuracy: the
// correctly rounded result unless the exact value lies within 2^-140 (relative) of a rounding
// boundary; argument reduction uses π to as many bits as the argument needs (real Intel parts reduce
// with a 66-bit π and differ for large arguments). Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 2 FSIN ... FYL2XP1, Vol. 1 §8.3.8-8.3.10.
import { Cls, FE_DE, FE_PE, FE_ZE, INF, ONE, bitLength, classify, f80, withSign, type F80 } from './float80';
import { compare, CMP_EQ, CMP_LT, invalid, isDen, isNaNCls, mul, nan1, nan2, unpackExp } from './arith';
import { loadInt } from './convert';
import { round80, type RoundCtx } from './round';

// ---- fixed-point kernels: values are BigInts scaled by 2^F ----

/** a × b in fixed point, truncated toward zero (so that series of negative terms reach 0). */
function fxMul(a: bigint, b: bigint, F: number): bigint {
  const p = a * b;
  return p < 0n ? -(-p >> BigInt(F)) : p >> BigInt(F);
}

function fxDiv(a: bigint, b: bigint, F: number): bigint {
  return (a << BigInt(F)) / b;
}

/** atan(x) for 0 ≤ x ≤ 1: halve the angle until x < 2^-10, then the Taylor series. */
function atanFx(x: bigint, F: number): bigint {
  const one = 1n << BigInt(F);
  let halvings = 0n;
  while (x > one >> 10n) {
    // atan(x) = 2 atan(x / (1 + sqrt(1 + x^2)))
    const s = sqrtFx(one + fxMul(x, x, F), F);
    x = fxDiv(x, one + s, F);
    halvings++;
  }
  const x2 = fxMul(x, x, F);
  let term = x, sum = 0n, k = 1n, sign = 1n;
  while (term !== 0n) {
    sum += (sign * term) / k;
    term = fxMul(term, x2, F);
    k += 2n;
    sign = -sign;
  }
  return sum << halvings;
}

function sqrtFx(x: bigint, F: number): bigint {
  const n = x << BigInt(F);
  if (n < 2n) return n;
  let r = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (r + n / r) >> 1n;
    if (y >= r) return r;
    r = y;
  }
}

/** ln(x) for x > 0 given in fixed point: 2 atanh((x − 1)/(x + 1)); x near [1, 2) keeps it fast. */
function lnFx(x: bigint, F: number): bigint {
  const one = 1n << BigInt(F);
  return atanhSeries2(fxDiv(x - one, x + one, F), F);
}

/** 2 atanh(t) = 2 (t + t^3/3 + t^5/5 ...). */
function atanhSeries2(t: bigint, F: number): bigint {
  const t2 = fxMul(t, t, F);
  let term = t, sum = 0n, k = 1n;
  while (term !== 0n) {
    sum += term / k;
    term = fxMul(term, t2, F);
    k += 2n;
  }
  return sum * 2n;
}

/** e^y − 1 for |y| < 1 (Taylor). */
function expm1Fx(y: bigint, F: number): bigint {
  let term = y, sum = 0n, k = 1n;
  while (term !== 0n) {
    sum += term;
    k++;
    term = fxMul(term, y, F) / k;
  }
  return sum;
}

/** [sin r, cos r] for |r| ≤ π/4: the Taylor terms r^k / k!, even k to the cosine, odd k to the sine. */
function sinCosFx(r: bigint, F: number): [bigint, bigint] {
  let s = 0n, c = 0n, term = 1n << BigInt(F), k = 0n;
  while (term !== 0n) {
    const t = (k / 2n) % 2n === 0n ? term : -term;
    if (k % 2n === 0n) c += t;
    else s += t;
    k++;
    term = fxMul(term, r, F) / k;
  }
  return [s, c];
}

/** π·2^64 truncated: the 66-bit π of the x87's argument reduction (the next bits, 0.4C66…, round down). */
const PI66 = 0x3243f6a8885a308d3n;

// π and ln 2 to the largest precision asked for so far.
let piCache: { F: number; v: bigint } = { F: 0, v: 0n };
let ln2Cache: { F: number; v: bigint } = { F: 0, v: 0n };

/** atan(1/n) in fixed point, n an integer ≥ 2 (Machin's series). */
function atanInv(n: bigint, F: number): bigint {
  const n2 = n * n;
  let term = (1n << BigInt(F)) / n, sum = 0n, k = 1n, sign = 1n;
  while (term !== 0n) {
    sum += (sign * term) / k;
    term /= n2;
    k += 2n;
    sign = -sign;
  }
  return sum;
}

function piFx(F: number): bigint {
  if (piCache.F < F) {
    const G = F + 32;
    piCache = { F: G, v: 16n * atanInv(5n, G) - 4n * atanInv(239n, G) };
  }
  return piCache.v >> BigInt(piCache.F - F);
}

function ln2Fx(F: number): bigint {
  if (ln2Cache.F < F) {
    const G = F + 32;
    // ln 2 = 2 atanh(1/3)
    ln2Cache = { F: G, v: atanhSeries2((1n << BigInt(G)) / 3n, G) };
  }
  return ln2Cache.v >> BigInt(ln2Cache.F - F);
}

// ---- rounding a fixed-point approximation ----

/**
 * Rounds an approximation Y × 2^-F (|error| < 16 units) of an irrational value to 64 bits: the
 * value is taken to lie just below Y in magnitude, so that directed rounding of a result next to
 * an exact neighbour (sin x just below a tiny x) goes the right way.
 */
function fromFx(ctx: RoundCtx, y: bigint, F: number): F80 {
  const sign = y < 0n ? 1 : 0;
  const m = (sign ? -y : y) - 16n;
  return round80(ctx, sign, m, -F, true, 64);
}

/** The exact value of a finite nonzero v in fixed point (v × 2^F), F at least −unpackExp(v). */
function toFx(v: F80, F: number): bigint {
  const m = v.sig << BigInt(unpackExp(v) + F);
  return v.sign ? -m : m;
}

/** The exponent of v's leading bit. */
function lead(v: F80): number {
  return unpackExp(v) + bitLength(v.sig) - 1;
}

/** Working precision for a result of magnitude about 2^e: 160 bits below its leading bit. */
function precisionFor(e: number): number {
  return 160 + Math.max(0, -e);
}

// ---- the instructions ----

/** The result of FSIN/FCOS/FSINCOS/FPTAN: null when the operand is out of range (C2 = 1, ST0 unchanged). */
export type TrigResult = F80[] | null;

const TRIG_LIMIT = 63; // |x| < 2^63, else C2 = 1 and ST0 is left as it is

/**
 * `which`: 'sin' → [sin], 'cos' → [cos], 'sincos' → [sin, cos] (ST0 = cos after the push),
 * 'tan' → [tan, 1] (FPTAN pushes 1.0).
 */
export function trig(ctx: RoundCtx, x: F80, which: 'sin' | 'cos' | 'sincos' | 'tan'): TrigResult {
  const c = classify(x);
  const count = which === 'sincos' || which === 'tan' ? 2 : 1;
  const fill = (v: F80): F80[] => (count === 2 ? [v, v] : [v]);
  if (c === Cls.Unsupported || c === Cls.Inf) return fill(invalid(ctx));
  if (isNaNCls(c)) return fill(nan1(ctx, x, c));
  if (c === Cls.Zero) return which === 'sin' ? [x] : which === 'cos' ? [ONE] : [x, ONE];
  if (isDen(c)) ctx.flags |= FE_DE;
  const e = lead(x);
  if (e >= TRIG_LIMIT) return null;
  const F = precisionFor(e) + 160;
  const X = toFx(x, F);
  // SDM Vol. 1 §8.3.10: the x87 reduces with a 66-bit π (⌊π·2^64⌋), so large arguments follow it.
  const halfPi = PI66 << BigInt(F + 80 - 65);
  const Xw = X << 80n;
  // nearest multiple of π/2
  const num = 2n * Xw + halfPi, den = 2n * halfPi;
  let k = num / den;
  if (num < 0n && num % den !== 0n) k -= 1n; // floor
  const r = (Xw - k * halfPi) >> 80n;
  const [s0, c0] = sinCosFx(r, F);
  const quadrant = Number(((k % 4n) + 4n) % 4n);
  const sinV = [s0, c0, -s0, -c0][quadrant];
  const cosV = [c0, -s0, -c0, s0][quadrant];
  // With two results C1 reports the rounding of the one left in ST0 (the cosine, 1.0 for FPTAN).
  const out: F80[] = [];
  if (which === 'sin' || which === 'sincos') out.push(fromFx(ctx, sinV, F));
  if (which === 'cos' || which === 'sincos') out.push(fromFx(ctx, cosV, F));
  if (which === 'tan') {
    out.push(fromFx(ctx, fxDiv(sinV, cosV, F), F));
    out.push(ONE);
  }
  return out;
}

/** F2XM1: 2^x − 1 for −1 ≤ x ≤ 1 (outside, the hardware's result is undefined; we compute it anyway). */
export function f2xm1(ctx: RoundCtx, x: F80): F80 {
  const c = classify(x);
  if (c === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(c)) return nan1(ctx, x, c);
  if (c === Cls.Zero) return x;
  if (c === Cls.Inf) return x.sign ? withSign(ONE, 1) : x;
  if (isDen(c)) ctx.flags |= FE_DE;
  const e = lead(x);
  if (e >= 0) {
    // |x| ≥ 1: exact for ±1 (1 and −0.5); beyond the documented range, computed in the same way
    if (x.exp === 16383 && x.sig === 1n << 63n) return x.sign ? f80(1, 16382, 1n << 63n) : x;
    // Outside −1..1 the result is undefined; the x87s we compared with return ST0 with PE.
    ctx.flags |= FE_PE;
    return x;
  }
  const F = precisionFor(e);
  return fromFx(ctx, expm1Fx(fxMul(toFx(x, F), ln2Fx(F), F), F), F);
}

/** log2(m × 2^e), m > 0, in fixed point F (exact for powers of two). */
function log2Fx(m: bigint, e: number, F: number): bigint {
  const n = bitLength(m);
  const lead = e + n - 1;
  const shift = F - (n - 1);
  const s = shift >= 0 ? m << BigInt(shift) : m >> BigInt(-shift); // significand in [1, 2)
  const one = 1n << BigInt(F);
  if (s === one) return BigInt(lead) << BigInt(F);
  // for x just below 1 take s in [0.5, 1) so that no cancellation loses bits
  const [ss, ee] = lead === -1 ? [s >> 1n, 0] : [s, lead];
  return (BigInt(ee) << BigInt(F)) + fxDiv(lnFx(ss, F), ln2Fx(F), F);
}

function isPowerOfTwo(x: F80): boolean {
  return (x.sig & (x.sig - 1n)) === 0n;
}

/** FYL2X: ST1 × log2(ST0); the result replaces ST1. */
export function fyl2x(ctx: RoundCtx, x: F80, y: F80): F80 {
  const cx = classify(x), cy = classify(y);
  if (cx === Cls.Unsupported || cy === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(cx) || isNaNCls(cy)) return nan2(ctx, x, cx, y, cy);
  if (x.sign === 1 && cx !== Cls.Zero) return invalid(ctx);
  if (isDen(cx) || isDen(cy)) ctx.flags |= FE_DE;
  if (cx === Cls.Zero) {
    if (cy === Cls.Zero) return invalid(ctx);
    if (cy !== Cls.Inf) ctx.flags |= FE_ZE;
    return withSign(INF, y.sign ^ 1);
  }
  if (cx === Cls.Inf) {
    if (cy === Cls.Zero) return invalid(ctx);
    return withSign(INF, y.sign);
  }
  const xIsOne = compare(ctx, x, ONE, true) === CMP_EQ;
  if (cy === Cls.Inf) {
    if (xIsOne) return invalid(ctx);
    return withSign(INF, y.sign ^ (lead(x) < 0 ? 1 : 0));
  }
  if (cy === Cls.Zero || xIsOne) return f80(y.sign ^ (lead(x) < 0 && cy === Cls.Zero ? 1 : 0), 0, 0n);
  if (isPowerOfTwo(x)) return mul(ctx, y, loadInt(BigInt(lead(x))));
  const F = 256;
  const l = log2Fx(x.sig, unpackExp(x), F);
  return productRound(ctx, l, F, y);
}

/** Rounds (L × 2^-F) × y, L an approximation, y exact. */
function productRound(ctx: RoundCtx, L: bigint, F: number, y: F80): F80 {
  const sign = (L < 0n ? 1 : 0) ^ y.sign;
  const mag = (L < 0n ? -L : L) - 16n;
  return round80(ctx, sign, mag * y.sig, unpackExp(y) - F, true, 64);
}

/** FYL2XP1: ST1 × log2(ST0 + 1) for |ST0| < 1 − √2/2; the result replaces ST1. */
export function fyl2xp1(ctx: RoundCtx, x: F80, y: F80): F80 {
  const cx = classify(x), cy = classify(y);
  if (cx === Cls.Unsupported || cy === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(cx) || isNaNCls(cy)) return nan2(ctx, x, cx, y, cy);
  if (isDen(cx) || isDen(cy)) ctx.flags |= FE_DE;
  if (cx === Cls.Inf) {
    if (x.sign === 1 || cy === Cls.Zero) return invalid(ctx);
    return withSign(INF, y.sign);
  }
  if (cx === Cls.Zero) {
    if (cy === Cls.Inf) return invalid(ctx);
    return f80(x.sign ^ y.sign, 0, 0n);
  }
  if (cy === Cls.Inf) return withSign(INF, y.sign ^ x.sign);
  if (cy === Cls.Zero) return f80(x.sign ^ y.sign, 0, 0n);
  const e = lead(x);
  if (e >= -2) {
    // |x| ≥ 1/4 (the documented range ends at 1 − √2/2): log2 of 1 + x, formed exactly
    const ex = unpackExp(x);
    const lo = Math.min(ex, 0);
    const sum = (1n << BigInt(-lo)) + (x.sign ? -x.sig : x.sig) * (1n << BigInt(ex - lo));
    if (sum <= 0n) {
      // x ≤ −1 is undefined; the x87s we compared with return ST0 with PE.
      ctx.flags |= FE_PE;
      return x;
    }
    return productRound(ctx, log2Fx(sum, lo, 256), 256, y);
  }
  const F = 256 + Math.max(0, -e);
  const one = 1n << BigInt(F);
  const X = toFx(x, F);
  // ln(1 + x) = 2 atanh(x / (2 + x))
  const ln = atanhSeries2(fxDiv(X, 2n * one + X, F), F);
  return productRound(ctx, fxDiv(ln, ln2Fx(F), F), F, y);
}

/** FPATAN: atan(ST1 / ST0) in the quadrant of (ST0, ST1); the result replaces ST1. */
export function fpatan(ctx: RoundCtx, x: F80, y: F80): F80 {
  const cx = classify(x), cy = classify(y);
  if (cx === Cls.Unsupported || cy === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(cx) || isNaNCls(cy)) return nan2(ctx, x, cx, y, cy);
  if (isDen(cx) || isDen(cy)) ctx.flags |= FE_DE;
  const W = 200;
  const piW = piFx(W);
  // Angles that are fractions of π: (x, y) zero or infinite.
  const angle = (num: bigint, den: bigint): F80 => {
    const v = fromFx(ctx, (piW * num) / den, W);
    return withSign(v, y.sign);
  };
  if (cy === Cls.Zero) return x.sign === 0 ? f80(y.sign, 0, 0n) : angle(1n, 1n);
  if (cx === Cls.Inf && cy === Cls.Inf) return angle(x.sign ? 3n : 1n, 4n);
  if (cx === Cls.Zero || cy === Cls.Inf) return angle(1n, 2n);
  if (cx === Cls.Inf) return x.sign === 0 ? f80(y.sign, 0, 0n) : angle(1n, 1n);
  const ax = withSign(x, 0), ay = withSign(y, 0);
  const swap = compare(ctx, ay, ax, true) !== CMP_LT; // |y| ≥ |x|: atan(|x|/|y|) instead, for a ratio ≤ 1
  const [num, den] = swap ? [ax, ay] : [ay, ax];
  const e = lead(num) - lead(den);
  const F = precisionFor(e);
  // |num| / |den| × 2^F from the significands, whatever the operands' own magnitudes
  const ratio = (num.sig << BigInt(unpackExp(num) - unpackExp(den) + F)) / den.sig;
  let t = atanFx(ratio, F);
  if (swap || x.sign === 1) {
    // combine with π in a fixed width: the result is then at least π/4 in magnitude
    t >>= BigInt(F - W);
    if (swap) t = piW / 2n - t;
    if (x.sign === 1) t = piW - t;
    return withSign(fromFx(ctx, t, W), y.sign);
  }
  return withSign(fromFx(ctx, t, F), y.sign);
}

/** FLDPI, FLDL2T, FLDL2E, FLDLG2, FLDLN2: the constant rounded per the rounding control (no PE). */
export function constant(ctx: RoundCtx, which: 'pi' | 'l2t' | 'l2e' | 'lg2' | 'ln2'): F80 {
  const W = 200;
  const one = 1n << BigInt(W);
  const ln2 = ln2Fx(W);
  const ln10 = lnFx(10n << BigInt(W - 3), W) + 3n * ln2; // ln 10 = ln(10/8) + 3 ln 2
  const v = {
    pi: piFx(W),
    l2t: fxDiv(ln10, ln2, W),
    l2e: fxDiv(one, ln2, W),
    lg2: fxDiv(ln2, ln10, W),
    ln2,
  }[which];
  const saved = ctx.flags;
  const r = fromFx(ctx, v, W);
  ctx.flags = saved;
  ctx.up = false;
  return r;
}
