// Group 2 shifts and rotates (C0/C1/D0-D3), SHLD/SHRD. Counts are masked by the model's shift
// mask (8086: the whole count, 80286+: 5 bits) and then executed one bit at a time, which is what
// the 8086 microcode does and gives the architectural flags of the last step on every model (SHL
// and SAL compute that last step's flags directly).
// SDM Vol. 2 "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD".
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler, ModelTraits } from '../cpu';
import { getCF, setStatus, signBit, szp } from '../flags';
import { getG16, getG32, readRmw16, readRmw32, readRmw8, writeBack16, writeBack32, writeBack8 } from '../modrm';
import { EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_STATUS, EFLAGS_ZF, ECX } from '../regs';
import { forms, type Handlers, type SizedHandler } from './table';

/**
 * The AF that SHL, SHR and SAL by a nonzero count leave on a model with `traits`, which the SDM
 * leaves undefined: set on the 80386 as test386.asm documents it (TEST_UNDEF, measured on a 386SX),
 * clear on the others.
 */
export const shiftAF = (traits: ModelTraits): number => (traits.shift386 ? EFLAGS_AF : 0);

// SHL/SAL by the whole count at once, with the flags of the last of its one-bit steps. Defined once,
// here: shift() calls these, and compiled blocks write their expressions out with the operands,
// the count and the size in place (jit/flagCode.ts expand), which V8 folds. So they are closed and
// expression-bodied: parameters and literals only (CF is 1, OF 800h).

/** SHL/SAL's result: `v` shifted left `count` times within `mask`. */
export const shlResult = (v: number, count: number, mask: number): number => (count < 32 ? ((v << count) & mask) >>> 0 : 0);

/**
 * SHL/SAL's CF, OF and AF as eager bits (SZP are szp()'s), `v` shifted left `count` (1 and up)
 * times to `res`, `sign` the operand's sign bit, `af` shiftAF()'s: CF is the last bit shifted out
 * (0 once the count passes the operand size) and OF is CF xor the result's sign.
 */
export const shlStatus = (v: number, count: number, res: number, sign: number, af: number): number =>
  (count <= 32 && ((v << (count - 1)) & sign) !== 0 ? ((res & sign) !== 0 ? 1 : 0x801) : ((res & sign) !== 0 ? 0x800 : 0)) | af;

/** Executes group-2 operation `op` (ModRM.reg) `count` times on `v`; count 0 changes nothing. */
export function shift(cpu: Cpu, op: number, v: number, count: number, mask: number): number {
  if (count === 0) return v;
  const sign = signBit(mask);
  if (op === 4 || op === 6) {
    // SHL/SAL (reg 6 is the undocumented SAL alias on 80286+; the 8086's is SETMO, shift8086).
    const r = shlResult(v, count, mask);
    setStatus(cpu, EFLAGS_STATUS, shlStatus(v, count, r, sign, shiftAF(cpu.traits)) | szp(r, mask));
    return r;
  }
  // Only RCL/RCR shift the incoming CF in; the others set CF in their first step.
  let cf = op === 2 || op === 3 ? (getCF(cpu) ? 1 : 0) : 0;
  let of = 0;
  for (let i = 0; i < count; i++) {
    switch (op) {
      case 0: // ROL
        cf = v & sign ? 1 : 0;
        v = ((v << 1) | cf) & mask;
        of = (v & sign ? 1 : 0) ^ cf;
        break;
      case 1: // ROR
        cf = v & 1;
        v = (v >>> 1) | (cf ? sign : 0);
        of = ((v ^ (v << 1)) & sign) ? 1 : 0;
        break;
      case 2: { // RCL
        const out = v & sign ? 1 : 0;
        v = ((v << 1) | cf) & mask;
        cf = out;
        of = (v & sign ? 1 : 0) ^ cf;
        break;
      }
      case 3: { // RCR
        of = (v & sign ? 1 : 0) ^ cf;
        const out = v & 1;
        v = (v >>> 1) | (cf ? sign : 0);
        cf = out;
        break;
      }
      case 5: // SHR
        of = v & sign ? 1 : 0;
        cf = v & 1;
        v = v >>> 1;
        break;
      default: // SAR
        of = 0;
        cf = v & 1;
        v = (v >>> 1) | (v & sign);
        break;
    }
    v >>>= 0;
  }
  const f = (cf ? EFLAGS_CF : 0) | (of ? EFLAGS_OF : 0);
  if (op < 4) setStatus(cpu, EFLAGS_CF | EFLAGS_OF, f);
  else setStatus(cpu, EFLAGS_STATUS, f | szp(v, mask) | (op === 5 ? shiftAF(cpu.traits) : 0));
  return v;
}

/**
 * Group 2 on the 80386, with the flags the manuals leave undefined as test386.asm documents them
 * (TEST_UNDEF, measured on a 386SX): a byte shifted left or right by 16 or 24 leaves CF and OF as a
 * shift by 8 does (and AF set, shiftAF).
 */
export function shift386(cpu: Cpu, op: number, v: number, count: number, mask: number): number {
  const byte8 = op >= 4 && op !== 7 && mask === 0xff && (count === 16 || count === 24);
  return shift(cpu, op, v, byte8 ? 8 : count, mask);
}

function grp2_8(count: (cpu: Cpu) => number): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const v = readRmw8(cpu, m);
    const c = count(cpu) & cpu.shiftMask;
    writeBack8(cpu, m, cpu.shiftOp(cpu, (m >> 3) & 7, v, c, 0xff));
  };
}
function grp2_16(count: (cpu: Cpu) => number): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const v = readRmw16(cpu, m);
    const c = count(cpu) & cpu.shiftMask;
    writeBack16(cpu, m, cpu.shiftOp(cpu, (m >> 3) & 7, v, c, 0xffff));
  };
}
function grp2_32(count: (cpu: Cpu) => number): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const v = readRmw32(cpu, m);
    const c = count(cpu) & 0x1f;
    writeBack32(cpu, m, cpu.shiftOp(cpu, (m >> 3) & 7, v, c, 0xffffffff));
  };
}

const one = (): number => 1;
const cl = (cpu: Cpu): number => cpu.r8[4];
const ib = (cpu: Cpu): number => cpu.fetch8();

// ---- SHLD / SHRD (80386) ----------------------------------------------------------------

// Both work in 32-bit halves of the wide operand (no BigInt: memtest86+'s timing code runs SHRD in
// its hot loops). 32-bit: dst:src (SHLD) or src:dst (SHRD), c is 1-31. 16-bit: the 48-bit
// dst:src:dst, so counts 1-16 shift src in and the undefined counts 17-31 shift dst in again, as the
// 80386 does (and Bochs); `lo` is its low 32 bits src:dst, dst its high 16.

export function shld(cpu: Cpu, dst: number, src: number, c: number, bits: number): number {
  if (c === 0) return dst;
  let res: number, cf: number, mask: number;
  if (bits === 32) {
    mask = 0xffffffff;
    res = ((dst << c) | (src >>> (32 - c))) >>> 0;
    cf = (dst >>> (32 - c)) & 1;
  } else {
    mask = 0xffff;
    const lo = ((src << 16) | dst) >>> 0;
    res = ((lo >>> (32 - c)) | (dst << c)) & 0xffff;
    cf = c <= 16 ? (dst >>> (16 - c)) & 1 : (lo >>> (48 - c)) & 1;
  }
  const of = ((res ^ dst) & signBit(mask)) ? EFLAGS_OF : 0;
  setStatus(cpu, EFLAGS_STATUS, (cf ? EFLAGS_CF : 0) | of | szp(res, mask));
  return res;
}

export function shrd(cpu: Cpu, dst: number, src: number, c: number, bits: number): number {
  if (c === 0) return dst;
  let res: number, mask: number;
  if (bits === 32) {
    mask = 0xffffffff;
    res = ((dst >>> c) | (src << (32 - c))) >>> 0;
  } else {
    mask = 0xffff;
    res = ((((src << 16) | dst) >>> c) | (dst << (32 - c))) & 0xffff;
  }
  // The last bit out is bit c-1 of the low 32 bits in both widths.
  const cf = (bits === 32 ? dst >>> (c - 1) : (((src << 16) | dst) >>> (c - 1))) & 1;
  const of = ((res ^ dst) & signBit(mask)) ? EFLAGS_OF : 0;
  setStatus(cpu, EFLAGS_STATUS, (cf ? EFLAGS_CF : 0) | of | szp(res, mask));
  return res;
}

function shxd(fn: typeof shld, countFrom: (cpu: Cpu) => number): SizedHandler {
  return [
    (cpu) => {
      const m = cpu.fetch8();
      const d = readRmw16(cpu, m);
      writeBack16(cpu, m, fn(cpu, d, getG16(cpu, m), countFrom(cpu) & 0x1f, 16));
    },
    (cpu) => {
      const m = cpu.fetch8();
      const d = readRmw32(cpu, m);
      writeBack32(cpu, m, fn(cpu, d, getG32(cpu, m), countFrom(cpu) & 0x1f, 32));
    },
  ];
}

const GRP2 = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
/**
 * The rows of one group-2 opcode. The 8086 rows of D0-D3 /6 (SETMO, SETMOC) run the same handler,
 * through the model's cpu.shiftOp.
 */
const grp2 = (spec: string, entry: SizedHandler, setmo?: string): Handlers =>
  forms([...GRP2, ...(setmo ? [setmo] : [])].map((n) => `${n}_${spec}`), entry);
const ecxLow = (cpu: Cpu): number => cpu.r8[ECX * 4];

export const SHIFT: Handlers = {
  ...grp2('Eb_Ib', grp2_8(ib)),
  ...grp2('Ev_Ib', [grp2_16(ib), grp2_32(ib)]),
  ...grp2('Eb_1', grp2_8(one), 'setmo'),
  ...grp2('Ev_1', [grp2_16(one), grp2_32(one)], 'setmo'),
  ...grp2('Eb_CL', grp2_8(cl), 'setmoc'),
  ...grp2('Ev_CL', [grp2_16(cl), grp2_32(cl)], 'setmoc'),
  shld_Ev_Gv_Ib: shxd(shld, ib),
  shld_Ev_Gv_CL: shxd(shld, ecxLow),
  shrd_Ev_Gv_Ib: shxd(shrd, ib),
  shrd_Ev_Gv_CL: shxd(shrd, ecxLow),
};

/** 8086 group 2 with ModRM.reg = 6: SETMO, which stores all ones (undocumented; research on the 8086 microcode). */
export function shift8086(cpu: Cpu, op: number, v: number, count: number, mask: number): number {
  if (op !== 6) return shift(cpu, op, v, count, mask);
  if (count === 0) return v;
  setStatus(cpu, EFLAGS_STATUS, szp(mask, mask) & (EFLAGS_SF | EFLAGS_PF | EFLAGS_ZF) & ~EFLAGS_AF);
  return mask;
}
