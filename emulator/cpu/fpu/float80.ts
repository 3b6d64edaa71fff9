// The x87 80-bit extended-precision value: sign, 15-bit biased exponent and 64-bit significand
// with an explicit integer bit (J), its classes (the 387+ "unsupported" encodings included) and the
// exception-flag bits every x87 operation reports. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 1 §4.2.2 (extended format), §4.8.3 (encodings), §8.1.3 (status word).

/** An extended-precision value; immutable. value = (-1)^sign × sig × 2^(max(exp,1) − 16383 − 63). */
export interface F80 {
  readonly sign: number;
  readonly exp: number;
  readonly sig: bigint;
}

export const BIAS = 16383;
export const EXP_MAX = 0x7fff;
export const J_BIT = 1n << 63n;
export const QUIET_BIT = 1n << 62n;

export function f80(sign: number, exp: number, sig: bigint): F80 {
  return { sign, exp, sig };
}

export const ZERO: F80 = f80(0, 0, 0n);
export const ONE: F80 = f80(0, BIAS, J_BIT);
export const INF: F80 = f80(0, EXP_MAX, J_BIT);
/** The real indefinite: the QNaN every masked invalid operation returns (SDM Vol. 1 §4.8.3.7). */
export const INDEFINITE: F80 = f80(1, EXP_MAX, 0xc000000000000000n);

// Exception flags, as in the status and control words (SDM Vol. 1 §8.1.3.1).
export const FE_IE = 0x01;
export const FE_DE = 0x02;
export const FE_ZE = 0x04;
export const FE_OE = 0x08;
export const FE_UE = 0x10;
export const FE_PE = 0x20;
/** Stack fault: with IE, a push onto a full register or a read of an empty one. */
export const FE_SF = 0x40;
/** The six exceptions the control word masks. */
export const FE_ALL = 0x3f;

export const enum Cls {
  Zero,
  Normal,
  /** exp = 0, J = 0, sig ≠ 0. */
  Denormal,
  /** exp = 0, J = 1: read as a denormal with exponent 1 (the 387+ accept it as an operand, #D). */
  PseudoDenormal,
  Inf,
  QNaN,
  SNaN,
  /** Unnormals, pseudo-infinities and pseudo-NaNs: invalid operands on the 387 and later. */
  Unsupported,
}

export function classify(v: F80): Cls {
  const j = (v.sig & J_BIT) !== 0n;
  if (v.exp === 0) {
    if (v.sig === 0n) return Cls.Zero;
    return j ? Cls.PseudoDenormal : Cls.Denormal;
  }
  if (!j) return Cls.Unsupported;
  if (v.exp === EXP_MAX) {
    if (v.sig === J_BIT) return Cls.Inf;
    return (v.sig & QUIET_BIT) !== 0n ? Cls.QNaN : Cls.SNaN;
  }
  return Cls.Normal;
}

export function withSign(v: F80, sign: number): F80 {
  return v.sign === sign ? v : f80(sign, v.exp, v.sig);
}

/** Ten bytes, little-endian, as stored by FSTP m80 and FSAVE. */
export function toBytes(v: F80, out: Uint8Array, at = 0): void {
  let s = v.sig;
  for (let i = 0; i < 8; i++) {
    out[at + i] = Number(s & 0xffn);
    s >>= 8n;
  }
  const se = (v.sign << 15) | v.exp;
  out[at + 8] = se & 0xff;
  out[at + 9] = se >>> 8;
}

export function fromBytes(b: Uint8Array, at = 0): F80 {
  let s = 0n;
  for (let i = 7; i >= 0; i--) s = (s << 8n) | BigInt(b[at + i]);
  const se = b[at + 8] | (b[at + 9] << 8);
  return f80(se >>> 15, se & EXP_MAX, s);
}

/** The 80-bit pattern as 20 hex digits, sign/exponent first ("3fff8000000000000000" is 1.0). */
export function toHex(v: F80): string {
  return (((v.sign << 15) | v.exp).toString(16).padStart(4, '0') + v.sig.toString(16).padStart(16, '0'));
}

export function fromHex(hex: string): F80 {
  if (!/^[0-9a-fA-F]{20}$/.test(hex)) throw new Error(`not a 20-digit 80-bit pattern: ${hex}`);
  const se = parseInt(hex.slice(0, 4), 16);
  return f80(se >>> 15, se & EXP_MAX, BigInt('0x' + hex.slice(4)));
}

export function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  let n = 0;
  let x = m;
  while (x >= 1n << 64n) {
    x >>= 64n;
    n += 64;
  }
  let lo = Number(x >> 32n);
  if (lo !== 0) return n + 32 + (32 - Math.clz32(lo));
  lo = Number(x & 0xffffffffn);
  return n + (32 - Math.clz32(lo));
}
