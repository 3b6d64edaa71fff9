// The x87's registers by name for expressions and the Variables view: fpu.cw / fpu.sw / fpu.tw,
// their fields (fpu.sw.c1, fpu.cw.rc, fpu.sw.top), the last-instruction pointers, and ST(i) as text
// (a decimal value exact to 19 significant digits beside the raw 80-bit pattern and the tag).
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §8.1.3-8.1.9.
import type { Cpu } from '../cpu/cpu';
import { Cls, bitLength, classify, toHex, type F80 } from '../cpu/fpu/float80';

/** Status word fields (SDM Vol. 1 Figure 8-4). */
export const FPU_SW_FIELDS: readonly [string, number, number, string][] = [
  ['ie', 0, 1, 'invalid operation'], ['de', 1, 1, 'denormal operand'], ['ze', 2, 1, 'zero divide'], ['oe', 3, 1, 'overflow'],
  ['ue', 4, 1, 'underflow'], ['pe', 5, 1, 'precision'], ['sf', 6, 1, 'stack fault'], ['es', 7, 1, 'error summary'],
  ['c0', 8, 1, 'condition 0'], ['c1', 9, 1, 'condition 1'], ['c2', 10, 1, 'condition 2'], ['top', 11, 3, 'top of stack'],
  ['c3', 14, 1, 'condition 3'], ['b', 15, 1, 'busy'],
];
/** Control word fields (SDM Vol. 1 Figure 8-6). */
export const FPU_CW_FIELDS: readonly [string, number, number, string][] = [
  ['im', 0, 1, 'invalid operation mask'], ['dm', 1, 1, 'denormal mask'], ['zm', 2, 1, 'zero divide mask'], ['om', 3, 1, 'overflow mask'],
  ['um', 4, 1, 'underflow mask'], ['pm', 5, 1, 'precision mask'], ['pc', 8, 2, 'precision control (0 24-bit, 2 53-bit, 3 64-bit)'],
  ['rc', 10, 2, 'rounding control (0 nearest, 1 down, 2 up, 3 toward zero)'], ['ic', 12, 1, 'infinity control (8087/287 only)'],
];

const TAG_NAMES = ['valid', 'zero', 'special', 'empty'];

function fieldOf(table: readonly [string, number, number, string][], name: string): [number, number] | null {
  const f = table.find((x) => x[0] === name);
  return f ? [f[1], f[2]] : null;
}

/** Reads fpu.* by name: { value, size } as registers.ts reads registers, or null (unknown, or no FPU). */
export function readFpu(cpu: Cpu, name: string): { value: number; size: number } | null {
  const f = cpu.fpu;
  if (!f) return null;
  const parts = name.split('.');
  const word: Record<string, [number, number]> = { cw: [f.cw, 2], sw: [f.status(), 2], tw: [f.tagWord(), 2], fip: [f.fip, 4], fcs: [f.fcs, 2], fdp: [f.fdp, 4], fds: [f.fds, 2], fop: [f.fop, 2], top: [f.top, 0] };
  const w = word[parts[1]];
  if (!w) return null;
  if (parts.length === 2) return { value: w[0] >>> 0, size: w[1] };
  const b = parts.length === 3 && (parts[1] === 'cw' || parts[1] === 'sw') ? fieldOf(parts[1] === 'cw' ? FPU_CW_FIELDS : FPU_SW_FIELDS, parts[2]) : null;
  return b ? { value: (w[0] >>> b[0]) & ((1 << b[1]) - 1), size: 0 } : null;
}

/** Writes fpu.cw, fpu.sw, fpu.top or a field of cw/sw; throws with a sentence otherwise. */
export function writeFpu(cpu: Cpu, name: string, value: number): string {
  const f = cpu.fpu;
  if (!f) throw new Error('this machine has no FPU (launch fpu "387" on the 80386 adds one; the 80486 and pentium models have theirs)');
  const parts = name.split('.');
  const insert = (v: number, [pos, width]: [number, number]): number => (v & ~(((1 << width) - 1) << pos)) | ((value & ((1 << width) - 1)) << pos);
  const setSw = (sw: number): void => {
    f.top = (sw >>> 11) & 7;
    f.sw = sw & 0x47ff & ~0x3800;
    f.fldcw(f.cw); // ES follows the flags and masks
  };
  if (parts.length === 2 && parts[1] === 'cw') { f.fldcw(value); return ''; }
  if (parts.length === 2 && parts[1] === 'sw') { setSw(value); return ''; }
  if (parts.length === 2 && parts[1] === 'top') { f.top = value & 7; return ''; }
  if (parts.length === 3 && parts[1] === 'cw') {
    const b = fieldOf(FPU_CW_FIELDS, parts[2]);
    if (b) { f.fldcw(insert(f.cw, b)); return ''; }
  }
  if (parts.length === 3 && parts[1] === 'sw') {
    const b = fieldOf(FPU_SW_FIELDS, parts[2]);
    if (b) { setSw(insert(f.status(), b)); return ''; }
  }
  throw new Error(`'${name}' cannot be written: use fpu.cw, fpu.sw, fpu.top or one of their fields`);
}

/** Every fpu.* name readFpu knows. */
export function fpuFieldNames(): string[] {
  return [
    'fpu.cw', 'fpu.sw', 'fpu.tw', 'fpu.top', 'fpu.fip', 'fpu.fcs', 'fpu.fdp', 'fpu.fds', 'fpu.fop',
    ...FPU_CW_FIELDS.map(([n]) => `fpu.cw.${n}`), ...FPU_SW_FIELDS.map(([n]) => `fpu.sw.${n}`),
  ];
}

/** An 80-bit value in decimal: 19 significant digits, correctly rounded (names for the specials). */
export function formatF80(v: F80): string {
  const c = classify(v);
  const sign = v.sign ? '-' : '';
  if (c === Cls.Zero) return `${sign}0`;
  if (c === Cls.Inf) return `${sign}inf`;
  if (c === Cls.QNaN) return `${sign}nan`;
  if (c === Cls.SNaN) return `${sign}snan`;
  if (c === Cls.Unsupported) return 'unsupported';
  const e = Math.max(v.exp, 1) - 16383 - 63;
  // value = sig × 2^e; scale by 10^k so that the integer part has 19 or 20 digits
  let d = Math.floor((e + bitLength(v.sig) - 1) * Math.log10(2));
  const digits = (k: number): bigint => {
    let num = v.sig, den = 1n;
    if (e >= 0) num <<= BigInt(e);
    else den <<= BigInt(-e);
    if (k >= 0) num *= 10n ** BigInt(k);
    else den *= 10n ** BigInt(-k);
    return (2n * num + den) / (2n * den);
  };
  let q = digits(18 - d);
  if (q >= 10n ** 19n) {
    d++;
    q = digits(18 - d);
  } else if (q < 10n ** 18n) {
    d--;
    q = digits(18 - d);
  }
  const s = q.toString();
  const mant = `${s[0]}.${s.slice(1).replace(/0+$/, '')}`.replace(/\.$/, '');
  return `${sign}${mant}${d === 0 ? '' : `e${d > 0 ? '+' : ''}${d}`}${c === Cls.Normal ? '' : ' (denormal)'}`;
}

/** ST(i) as the Variables view shows it: value, raw pattern, tag. */
export function stText(cpu: Cpu, i: number): string {
  const f = cpu.fpu;
  if (!f) return '?';
  const p = f.phys(i);
  const tag = f.tag(p);
  const v = f.st(i);
  return `${tag === 3 ? 'empty' : formatF80(v)}  raw ${toHex(v)}  R${p} ${TAG_NAMES[tag]}`;
}
