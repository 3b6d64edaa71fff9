// Exact x87 arithmetic on 80-bit values: add, subtract, multiply, divide, square root and compare,
// computed exactly on BigInt significands and rounded once (round.ts), with the x87's operand
// rules: unsupported encodings and invalid operations give the real indefinite, NaNs propagate
// by the x87 rule (QNaN over SNaN, else the larger significand), denormal operands raise DE.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §4.8.3.5 (Table 4-7), §4.9.1, §8.5.
import {
  Cls,
  FE_DE,
  FE_IE,
  FE_ZE,
  INDEFINITE,
  INF,
  QUIET_BIT,
  bitLength,
  classify,
  f80,
  withSign,
  type F80,
} from './float80';
import { RC_DOWN, round80, type RoundCtx } from './round';

/** Exponent of the significand's last place: value = sig × 2^unpackExp(v). */
export function unpackExp(v: F80): number {
  return Math.max(v.exp, 1) - 16383 - 63;
}

export function isDen(c: Cls): boolean {
  return c === Cls.Denormal || c === Cls.PseudoDenormal;
}

export function isNaNCls(c: Cls): boolean {
  return c === Cls.QNaN || c === Cls.SNaN;
}

/**
 * Raises DE for a denormal operand; true when DE is unmasked, which stops the operation before it
 * computes anything (no PE, UE or C1 from it).
 */
export function denormalStops(ctx: RoundCtx): boolean {
  ctx.flags |= FE_DE;
  return ctx.unmasked(FE_DE);
}

export function invalid(ctx: RoundCtx): F80 {
  ctx.flags |= FE_IE;
  return INDEFINITE;
}

export function quiet(v: F80): F80 {
  return f80(v.sign, v.exp, v.sig | QUIET_BIT);
}

/** One NaN operand: IE if it signals; the result is it made quiet. */
export function nan1(ctx: RoundCtx, a: F80, ca: Cls): F80 {
  if (ca === Cls.SNaN) ctx.flags |= FE_IE;
  return quiet(a);
}

/** Two operands, at least one a NaN (SDM Vol. 1 Table 4-7). */
export function nan2(ctx: RoundCtx, a: F80, ca: Cls, b: F80, cb: Cls): F80 {
  if (ca === Cls.SNaN || cb === Cls.SNaN) ctx.flags |= FE_IE;
  if (!isNaNCls(cb)) return quiet(a);
  if (!isNaNCls(ca)) return quiet(b);
  if (ca !== cb) return quiet(ca === Cls.QNaN ? a : b);
  const sa = a.sig | QUIET_BIT, sb = b.sig | QUIET_BIT;
  if (sa !== sb) return quiet(sa > sb ? a : b);
  return quiet(a.sign <= b.sign ? a : b);
}

/**
 * The checks every two-operand operation starts with; returns a result (NaN, indefinite) or null
 * to go on. Raises DE for denormal operands.
 */
function prelude2(ctx: RoundCtx, a: F80, ca: Cls, b: F80, cb: Cls): F80 | null {
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(ca) || isNaNCls(cb)) return nan2(ctx, a, ca, b, cb);
  if ((isDen(ca) || isDen(cb)) && denormalStops(ctx)) return a;
  return null;
}

function zero(sign: number): F80 {
  return f80(sign, 0, 0n);
}

/** a + b, or a − b when `subtract`; rounded at the control word's precision. */
export function add(ctx: RoundCtx, a: F80, b: F80, subtract: boolean): F80 {
  const ca = classify(a), cb = classify(b);
  const pre = prelude2(ctx, a, ca, b, cb);
  if (pre) return pre;
  const bs = b.sign ^ (subtract ? 1 : 0);
  if (ca === Cls.Inf || cb === Cls.Inf) {
    if (ca === Cls.Inf && cb === Cls.Inf && a.sign !== bs) return invalid(ctx);
    return ca === Cls.Inf ? a : withSign(INF, bs);
  }
  const ea = unpackExp(a), eb = unpackExp(b);
  let ma = a.sig, mb = b.sig;
  if (ma === 0n && mb === 0n) return zero(a.sign === bs ? a.sign : ctx.rc === RC_DOWN ? 1 : 0);
  if (ma === 0n) return round80(ctx, bs, mb, eb, false);
  if (mb === 0n) return round80(ctx, a.sign, ma, ea, false);
  // Align on the smaller exponent; a gap of more than 200 bits leaves the smaller operand a sticky bit.
  let sa = a.sign, sb = bs, e: number;
  if (ea < eb) {
    [ma, mb] = [mb, ma];
    [sa, sb] = [sb, sa];
  }
  const hi = Math.max(ea, eb), lo = Math.min(ea, eb);
  let sticky = false;
  let total: bigint;
  if (hi - lo > 200) {
    e = hi - 2;
    total = ma << 2n;
    if (sa !== sb) total -= 1n;
    sticky = true;
  } else {
    e = lo;
    const big = ma << BigInt(hi - lo);
    total = sa === sb ? big + mb : big - mb;
  }
  let sign = sa;
  if (total < 0n) {
    total = -total;
    sign ^= 1;
  }
  if (total === 0n) return zero(ctx.rc === RC_DOWN ? 1 : 0);
  return round80(ctx, sign, total, e, sticky);
}

export function mul(ctx: RoundCtx, a: F80, b: F80): F80 {
  const ca = classify(a), cb = classify(b);
  const pre = prelude2(ctx, a, ca, b, cb);
  if (pre) return pre;
  const sign = a.sign ^ b.sign;
  if (ca === Cls.Inf || cb === Cls.Inf) {
    if (ca === Cls.Zero || cb === Cls.Zero) return invalid(ctx);
    return withSign(INF, sign);
  }
  if (a.sig === 0n || b.sig === 0n) return zero(sign);
  return round80(ctx, sign, a.sig * b.sig, unpackExp(a) + unpackExp(b), false);
}

export function div(ctx: RoundCtx, a: F80, b: F80): F80 {
  const ca = classify(a), cb = classify(b);
  const sign = a.sign ^ b.sign;
  if (cb === Cls.Zero && ca !== Cls.Unsupported && !isNaNCls(ca) && ca !== Cls.Inf) {
    if (ca === Cls.Zero) return invalid(ctx);
    ctx.flags |= FE_ZE;
    return withSign(INF, sign);
  }
  const pre = prelude2(ctx, a, ca, b, cb);
  if (pre) return pre;
  if (ca === Cls.Inf) return cb === Cls.Inf ? invalid(ctx) : withSign(INF, sign);
  if (cb === Cls.Inf || cb === Cls.Zero) return cb === Cls.Inf ? zero(sign) : withSign(INF, sign);
  if (a.sig === 0n) return zero(sign);
  // Enough quotient bits for 64-bit rounding with a guard bit; the remainder is the sticky bit.
  const s = Math.max(0, 67 + bitLength(b.sig) - bitLength(a.sig));
  const num = a.sig << BigInt(s);
  const q = num / b.sig;
  return round80(ctx, sign, q, unpackExp(a) - unpackExp(b) - s, q * b.sig !== num);
}

/** Integer square root (floor) of n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(ctx: RoundCtx, a: F80): F80 {
  const ca = classify(a);
  if (ca === Cls.Unsupported) return invalid(ctx);
  if (isNaNCls(ca)) return nan1(ctx, a, ca);
  if (ca === Cls.Zero) return a;
  if (a.sign === 1) return invalid(ctx);
  if (ca === Cls.Inf) return a;
  if (isDen(ca) && denormalStops(ctx)) return a;
  let m = a.sig, e = unpackExp(a);
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  let s = Math.max(0, 140 - bitLength(m));
  s += s & 1;
  const big = m << BigInt(s);
  const r = isqrt(big);
  return round80(ctx, 0, r, (e - s) / 2, r * r !== big);
}

/** Compare results, in C3/C2/C0 order: 000 greater, 001 less, 100 equal, 111 unordered. */
export const CMP_GT = 0, CMP_LT = 1, CMP_EQ = 2, CMP_UN = 3;

/**
 * Compares a with b. `quiet` (FUCOM): only SNaNs raise IE; otherwise (FCOM) every NaN does.
 * Unsupported operands are IE and unordered; denormals raise DE.
 */
export function compare(ctx: RoundCtx, a: F80, b: F80, quietNaN: boolean): number {
  const ca = classify(a), cb = classify(b);
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) {
    ctx.flags |= FE_IE;
    return CMP_UN;
  }
  if (isNaNCls(ca) || isNaNCls(cb)) {
    if (!quietNaN || ca === Cls.SNaN || cb === Cls.SNaN) ctx.flags |= FE_IE;
    return CMP_UN;
  }
  if (isDen(ca) || isDen(cb)) ctx.flags |= FE_DE;
  const c = compareValues(a, ca, b, cb);
  return c < 0 ? CMP_LT : c > 0 ? CMP_GT : CMP_EQ;
}

/** Numeric order of two non-NaN values: −1, 0, 1 (±0 equal). */
function compareValues(a: F80, ca: Cls, b: F80, cb: Cls): number {
  const za = ca === Cls.Zero, zb = cb === Cls.Zero;
  if (za && zb) return 0;
  if (a.sign !== b.sign || za || zb) {
    if (za) return b.sign ? 1 : -1;
    if (zb) return a.sign ? -1 : 1;
    return a.sign ? -1 : 1;
  }
  const mag = compareMagnitude(a, ca, b, cb);
  return a.sign ? -mag : mag;
}

function compareMagnitude(a: F80, ca: Cls, b: F80, cb: Cls): number {
  if (ca === Cls.Inf || cb === Cls.Inf) return ca === cb ? 0 : ca === Cls.Inf ? 1 : -1;
  const la = bitLength(a.sig), lb = bitLength(b.sig);
  const xa = unpackExp(a) + la, xb = unpackExp(b) + lb;
  if (xa !== xb) return xa > xb ? 1 : -1;
  const na = a.sig << BigInt(64 - la), nb = b.sig << BigInt(64 - lb);
  return na === nb ? 0 : na > nb ? 1 : -1;
}
