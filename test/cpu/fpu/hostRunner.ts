// Replays one line of test/cpu/fpu/vectors/host.txt on the emulator's x87 unit exactly as
// scripts/x87host/x87host.c ran it on the host FPU: FNINIT, FLDCW, FLD B, FLD A, the instruction,
// FNSTSW, FNCLEX, then FSTP of one or two results (or the memory image a store wrote).
import { X87, OP_ADD, OP_DIV, OP_DIVR, OP_MUL, OP_SUB, OP_SUBR, type MemValue } from '../../../emulator/cpu/fpu/x87';
import { fromHex, toHex } from '../../../emulator/cpu/fpu/float80';

export interface Vector {
  line: string;
  op: string;
  cw: number;
  a: string;
  b: string;
  sw: number;
  r0: string;
  r1: string;
}

export function parseVectors(text: string): Vector[] {
  const out: Vector[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+) (\S+) (\S+) (\S+) -> (\S+) (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`bad vector line: ${line}`);
    out.push({ line, op: m[1], cw: parseInt(m[2], 16), a: m[3], b: m[4], sw: parseInt(m[5], 16), r0: m[6], r1: m[7] });
  }
  return out;
}

function bytes80(hex: string): Uint8Array {
  const b = new Uint8Array(10);
  for (let i = 0; i < 10; i++) b[9 - i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function hexOfBytes(b: Uint8Array): string {
  return Array.from(b).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
}

const ARITH: Record<string, number> = { add: OP_ADD, sub: OP_SUB, subr: OP_SUBR, mul: OP_MUL, div: OP_DIV, divr: OP_DIVR };
const UNARY = { sqrt: 'fsqrt', rndint: 'frndint', xtract: 'fxtract', sin: 'fsin', cos: 'fcos', sincos: 'fsincos', ptan: 'fptan', f2xm1: 'f2xm1' } as const;
const ST01 = { scale: 'fscale', prem: 'fprem', prem1: 'fprem1', patan: 'fpatan', yl2x: 'fyl2x', yl2xp1: 'fyl2xp1' } as const;
const CONST = { ldpi: 'pi', ldl2t: 'l2t', ldl2e: 'l2e', ldlg2: 'lg2', ldln2: 'ln2' } as const;
const STORES = { st32: ['m32', 0n], st64: ['m64', 0n], ist16: ['i16', 0xdeadn], ist32: ['i32', 0xdeadbeefn], ist64: ['i64', 0xdeadbeefdeadbeefn] } as const;

/** Runs a vector; returns [sw, r0, r1] in the file's notation. */
export function runVector(v: Vector): [number, string, string] {
  const f = new X87();
  f.fninit();
  f.fldcw(v.cw);
  const result = (n: number): [number, string, string] => {
    const sw = f.status();
    f.fnclex();
    const r: string[] = [];
    for (let i = 0; i < n; i++) {
      const out = f.fstMem('m80', true);
      r.push(out === null ? '0'.repeat(20) : hexOfBytes(out as Uint8Array));
    }
    return [sw, r[0], r[1] ?? '-'];
  };
  if (v.op === 'ld32' || v.op === 'ld64' || v.op === 'bld') {
    const m = BigInt('0x' + v.a.slice(4));
    f.fldMem(v.op === 'ld32' ? 'm32' : v.op === 'ld64' ? 'm64' : 'bcd', v.op === 'ld32' ? Number(m & 0xffffffffn) : v.op === 'ld64' ? m : bytes80(v.a));
    return result(1);
  }
  if (v.op in CONST) {
    f.fldMem('m80', bytes80(v.b));
    f.fldMem('m80', bytes80(v.a));
    f.fldConst(CONST[v.op as keyof typeof CONST]);
    return result(1);
  }
  f.fldMem('m80', bytes80(v.b));
  f.fldMem('m80', bytes80(v.a));
  if (v.op in ARITH) {
    f.arith(ARITH[v.op], 0, 1, false);
    return result(1);
  }
  if (v.op in UNARY) {
    const op = UNARY[v.op as keyof typeof UNARY];
    f.unary(op);
    return result(op === 'fxtract' || op === 'fsincos' || op === 'fptan' ? 2 : 1);
  }
  if (v.op in ST01) {
    f.st01(ST01[v.op as keyof typeof ST01]);
    return result(1);
  }
  if (v.op === 'com' || v.op === 'ucom') {
    f.fcom(1, 0, v.op === 'ucom');
    return result(1);
  }
  if (v.op === 'tst') {
    f.ftst();
    return result(1);
  }
  if (v.op === 'xam') {
    f.fxam();
    return result(1);
  }
  if (v.op in STORES) {
    const [fmt, initial] = STORES[v.op as keyof typeof STORES];
    const out: MemValue | null = f.fstMem(fmt, v.op === 'ist64');
    const n = out === null ? initial : BigInt(out as number | bigint);
    return [f.status(), n.toString(16).padStart(16, '0'), '-'];
  }
  if (v.op === 'bstp') {
    const out = f.fstMem('bcd', true);
    return [f.status(), out === null ? '0'.repeat(20) : hexOfBytes(out as Uint8Array), '-'];
  }
  throw new Error(`unknown vector op ${v.op}`);
}

/** Distance in units of the last place between two finite 80-bit patterns of one sign (Infinity otherwise). */
export function ulps(x: string, y: string): number {
  const a = fromHex(x), b = fromHex(y);
  if (a.sign !== b.sign || a.exp === 0x7fff || b.exp === 0x7fff) return x === y ? 0 : Infinity;
  const key = (v: typeof a): bigint => (BigInt(v.exp) << 64n) + v.sig;
  const d = key(a) - key(b);
  return Number(d < 0n ? -d : d);
}

export { toHex };
