// Integer arithmetic: the ALU forms 00-3F, group 1 (80-83), INC/DEC, TEST, NEG/NOT/MUL/IMUL/DIV/IDIV
// (group 3), IMUL with immediates, CBW/CWD, decimal adjust (DAA DAS AAA AAS AAM AAD) and SALC.
// SDM Vol. 2 instruction pages; flags per Vol. 1 Appendix A.
// Pure TypeScript: no Node or VS Code imports.

import { type Cpu, type Handler, R8 } from '../cpu';
import { DIV_OVERFLOW, DIV_ZERO, type FaultRule } from '../faultRules';
import { LZ_ADD, LZ_DEC, LZ_INC, LZ_LOGIC, LZ_SUB, PARITY, getAF, getCF, setLazy, setLazyIncDec, setStatus, szp } from '../flags';
import {
  getG16, getG32, getG8, readE16, readE32, readE8, readRmw16, readRmw32, readRmw8, setG16, setG32, writeBack16,
  writeBack32, writeBack8,
} from '../modrm';
import { CS, EAX, EDX, EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_STATUS, EFLAGS_ZF } from '../regs';
import { ALU_CMP, ALU_NAMES, alu } from './alu';
import { type ByRegister, byRegister, forms, type Handlers, type Patch, type SizedHandler } from './table';

/** The six forms of one ALU operation (00-05 for ADD ... 38-3D for CMP), named as their rows. */
function aluForms(name: string, op: number): Handlers {
  const store = op !== ALU_CMP;
  return {
    [`${name}_Eb_Gb`]: (cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, readRmw8(cpu, m), getG8(cpu, m), 0xff);
      if (store) writeBack8(cpu, m, r);
    },
    [`${name}_Ev_Gv`]: [(cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, readRmw16(cpu, m), getG16(cpu, m), 0xffff);
      if (store) writeBack16(cpu, m, r);
    }, (cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, readRmw32(cpu, m), getG32(cpu, m), 0xffffffff);
      if (store) writeBack32(cpu, m, r);
    }],
    [`${name}_Gb_Eb`]: (cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, getG8(cpu, m), readE8(cpu, m), 0xff);
      if (store) cpu.r8[R8[(m >> 3) & 7]] = r;
    },
    [`${name}_Gv_Ev`]: [(cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, getG16(cpu, m), readE16(cpu, m), 0xffff);
      if (store) setG16(cpu, m, r);
    }, (cpu) => {
      const m = cpu.fetch8();
      const r = alu(cpu, op, getG32(cpu, m), readE32(cpu, m), 0xffffffff);
      if (store) setG32(cpu, m, r);
    }],
    [`${name}_AL_Ib`]: (cpu) => {
      const r = alu(cpu, op, cpu.r8[0], cpu.fetch8(), 0xff);
      if (store) cpu.r8[0] = r;
    },
    [`${name}_eAX_Iz`]: [(cpu) => {
      const r = alu(cpu, op, cpu.r16[0], cpu.fetch16(), 0xffff);
      if (store) cpu.r16[0] = r;
    }, (cpu) => {
      const r = alu(cpu, op, cpu.r32[EAX], cpu.fetch32(), 0xffffffff);
      if (store) cpu.r32[EAX] = r;
    }],
  };
}

/** Group 1: 80 Eb,Ib; 81 Ev,Iz; 82 Eb,Ib (alias of 80, #UD in 64-bit mode only); 83 Ev,Ib sign-extended. */
const grp1_Eb_Ib: Handler = (cpu) => {
  const m = cpu.fetch8();
  const op = (m >> 3) & 7;
  const a = readRmw8(cpu, m);
  const r = alu(cpu, op, a, cpu.fetch8(), 0xff);
  if (op !== ALU_CMP) writeBack8(cpu, m, r);
};
const grp1_Ev_Iz_16: Handler = (cpu) => {
  const m = cpu.fetch8();
  const op = (m >> 3) & 7;
  const a = readRmw16(cpu, m);
  const r = alu(cpu, op, a, cpu.fetch16(), 0xffff);
  if (op !== ALU_CMP) writeBack16(cpu, m, r);
};
const grp1_Ev_Iz_32: Handler = (cpu) => {
  const m = cpu.fetch8();
  const op = (m >> 3) & 7;
  const a = readRmw32(cpu, m);
  const r = alu(cpu, op, a, cpu.fetch32(), 0xffffffff);
  if (op !== ALU_CMP) writeBack32(cpu, m, r);
};
const grp1_Ev_Ib_16: Handler = (cpu) => {
  const m = cpu.fetch8();
  const op = (m >> 3) & 7;
  const a = readRmw16(cpu, m);
  const r = alu(cpu, op, a, cpu.fetchS8() & 0xffff, 0xffff);
  if (op !== ALU_CMP) writeBack16(cpu, m, r);
};
const grp1_Ev_Ib_32: Handler = (cpu) => {
  const m = cpu.fetch8();
  const op = (m >> 3) & 7;
  const a = readRmw32(cpu, m);
  const r = alu(cpu, op, a, cpu.fetchS8() >>> 0, 0xffffffff);
  if (op !== ALU_CMP) writeBack32(cpu, m, r);
};

export function inc8(cpu: Cpu, a: number): number {
  const r = (a + 1) & 0xff;
  setLazyIncDec(cpu, LZ_INC, a, r, 0xff);
  return r;
}
export function dec8(cpu: Cpu, a: number): number {
  const r = (a - 1) & 0xff;
  setLazyIncDec(cpu, LZ_DEC, a, r, 0xff);
  return r;
}
export function inc16(cpu: Cpu, a: number): number {
  const r = (a + 1) & 0xffff;
  setLazyIncDec(cpu, LZ_INC, a, r, 0xffff);
  return r;
}
export function dec16(cpu: Cpu, a: number): number {
  const r = (a - 1) & 0xffff;
  setLazyIncDec(cpu, LZ_DEC, a, r, 0xffff);
  return r;
}
export function inc32(cpu: Cpu, a: number): number {
  const r = (a + 1) >>> 0;
  setLazyIncDec(cpu, LZ_INC, a, r, 0xffffffff);
  return r;
}
export function dec32(cpu: Cpu, a: number): number {
  const r = (a - 1) >>> 0;
  setLazyIncDec(cpu, LZ_DEC, a, r, 0xffffffff);
  return r;
}

function test(cpu: Cpu, a: number, b: number, mask: number): void {
  setLazy(cpu, LZ_LOGIC, a, b, (a & b & mask) >>> 0, mask);
}

function neg(cpu: Cpu, a: number, mask: number): number {
  const r = ((0 - a) & mask) >>> 0;
  setLazy(cpu, LZ_SUB, 0, a, r, mask);
  return r;
}

// ---- group 3: TEST NOT NEG MUL IMUL DIV IDIV ------------------------------------------------

/**
 * Raises #DE through `rule` (DIV.ZERO or DIV.OVERFLOW) with the dividend `hi`:`lo`, the divisor and the
 * operand size; on the 8086 it is delivered like a trap, with the address of the next instruction.
 */
export function divideError(cpu: Cpu, rule: FaultRule, hi: number, lo: number, divisor: number, bits: number): never {
  cpu.faultIsTrap = cpu.traits.divideErrorIsTrap;
  return cpu.faultRule(rule, -1, -1, 0, lo, hi, bits, divisor);
}

function mulFlags(cpu: Cpu, overflow: boolean, low: number, mask: number): void {
  // SDM: CF=OF=1 when the upper half is significant; SF/ZF/AF/PF undefined (we derive SZP from the
  // low half, AF clear, as the 80286/80386 do).
  setStatus(cpu, EFLAGS_STATUS, (overflow ? EFLAGS_CF | EFLAGS_OF : 0) | szp(low, mask));
}

const grp3_Eb: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  const a = readRmw8(cpu, m);
  switch (reg) {
    case 0: case 1: test(cpu, a, cpu.fetch8(), 0xff); return;
    case 2: writeBack8(cpu, m, ~a & 0xff); return;
    case 3: writeBack8(cpu, m, neg(cpu, a, 0xff)); return;
    case 4: {
      const r = cpu.r8[0] * a;
      cpu.r16[0] = r;
      mulFlags(cpu, r > 0xff, r & 0xff, 0xff);
      return;
    }
    case 5: {
      const r = ((cpu.r8[0] << 24) >> 24) * ((a << 24) >> 24);
      cpu.r16[0] = r & 0xffff;
      mulFlags(cpu, r !== (r << 24) >> 24, r & 0xff, 0xff);
      return;
    }
    case 6: {
      const n = cpu.r16[0];
      if (a === 0) divideError(cpu, DIV_ZERO, 0, n, a, 8);
      const q = Math.floor(n / a);
      if (q > 0xff) divideError(cpu, DIV_OVERFLOW, 0, n, a, 8);
      cpu.r8[0] = q;
      cpu.r8[1] = n % a;
      return;
    }
    default: {
      const n = (cpu.r16[0] << 16) >> 16;
      const d = (a << 24) >> 24;
      if (d === 0) divideError(cpu, DIV_ZERO, 0, cpu.r16[0], a, 8);
      const q = Math.trunc(n / d);
      if (q > 127 || q < cpu.idivMin8) divideError(cpu, DIV_OVERFLOW, 0, cpu.r16[0], a, 8);
      cpu.r8[0] = q & 0xff;
      cpu.r8[1] = (n % d) & 0xff;
    }
  }
};

const grp3_Ev_16: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  const a = readRmw16(cpu, m);
  switch (reg) {
    case 0: case 1: test(cpu, a, cpu.fetch16(), 0xffff); return;
    case 2: writeBack16(cpu, m, ~a & 0xffff); return;
    case 3: writeBack16(cpu, m, neg(cpu, a, 0xffff)); return;
    case 4: {
      const r = cpu.r16[0] * a;
      cpu.r16[0] = r & 0xffff;
      cpu.r16[EDX * 2] = r >>> 16;
      mulFlags(cpu, r > 0xffff, r & 0xffff, 0xffff);
      return;
    }
    case 5: {
      const r = ((cpu.r16[0] << 16) >> 16) * ((a << 16) >> 16);
      cpu.r16[0] = r & 0xffff;
      cpu.r16[EDX * 2] = (r >> 16) & 0xffff;
      mulFlags(cpu, r !== (r << 16) >> 16, r & 0xffff, 0xffff);
      return;
    }
    case 6: {
      const n = cpu.r16[EDX * 2] * 0x10000 + cpu.r16[0];
      if (a === 0) divideError(cpu, DIV_ZERO, 0, n, a, 16);
      const q = Math.floor(n / a);
      if (q > 0xffff) divideError(cpu, DIV_OVERFLOW, 0, n, a, 16);
      cpu.r16[0] = q;
      cpu.r16[EDX * 2] = n % a;
      return;
    }
    default: {
      const n = ((cpu.r16[EDX * 2] << 16) | cpu.r16[0]) | 0;
      const d = (a << 16) >> 16;
      if (d === 0) divideError(cpu, DIV_ZERO, 0, n >>> 0, a, 16);
      const q = Math.trunc(n / d);
      if (q > 32767 || q < cpu.idivMin16) divideError(cpu, DIV_OVERFLOW, 0, n >>> 0, a, 16);
      cpu.r16[0] = q & 0xffff;
      cpu.r16[EDX * 2] = (n % d) & 0xffff;
    }
  }
};

const grp3_Ev_32: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  const a = readRmw32(cpu, m);
  switch (reg) {
    case 0: case 1: test(cpu, a, cpu.fetch32(), 0xffffffff); return;
    case 2: writeBack32(cpu, m, ~a >>> 0); return;
    case 3: writeBack32(cpu, m, neg(cpu, a, 0xffffffff)); return;
    case 4: {
      const r = BigInt(cpu.r32[EAX]) * BigInt(a);
      const hi = Number(r >> 32n);
      cpu.r32[EAX] = Number(r & 0xffffffffn);
      cpu.r32[EDX] = hi;
      mulFlags(cpu, hi !== 0, cpu.r32[EAX], 0xffffffff);
      return;
    }
    case 5: {
      const r = BigInt(cpu.r32[EAX] | 0) * BigInt(a | 0);
      const lo = Number(BigInt.asUintN(32, r));
      cpu.r32[EAX] = lo;
      cpu.r32[EDX] = Number(BigInt.asUintN(32, r >> 32n));
      mulFlags(cpu, BigInt.asIntN(32, r) !== r, lo, 0xffffffff);
      return;
    }
    case 6: {
      if (a === 0) divideError(cpu, DIV_ZERO, cpu.r32[EDX], cpu.r32[EAX], a, 32);
      const n = (BigInt(cpu.r32[EDX]) << 32n) | BigInt(cpu.r32[EAX]);
      const q = n / BigInt(a);
      if (q > 0xffffffffn) divideError(cpu, DIV_OVERFLOW, cpu.r32[EDX], cpu.r32[EAX], a, 32);
      cpu.r32[EAX] = Number(q);
      cpu.r32[EDX] = Number(n % BigInt(a));
      return;
    }
    default: {
      if (a === 0) divideError(cpu, DIV_ZERO, cpu.r32[EDX], cpu.r32[EAX], a, 32);
      const n = BigInt.asIntN(64, (BigInt(cpu.r32[EDX]) << 32n) | BigInt(cpu.r32[EAX]));
      const d = BigInt(a | 0);
      const q = n / d;
      if (q > 0x7fffffffn || q < -0x80000000n) divideError(cpu, DIV_OVERFLOW, cpu.r32[EDX], cpu.r32[EAX], a, 32);
      cpu.r32[EAX] = Number(BigInt.asUintN(32, q));
      cpu.r32[EDX] = Number(BigInt.asUintN(32, n % d));
    }
  }
};

// ---- IMUL Gv,Ev[,imm] -------------------------------------------------------------------

function imul16(cpu: Cpu, a: number, b: number): number {
  const r = ((a << 16) >> 16) * ((b << 16) >> 16);
  mulFlags(cpu, r !== (r << 16) >> 16, r & 0xffff, 0xffff);
  return r & 0xffff;
}
function imul32(cpu: Cpu, a: number, b: number): number {
  const r = BigInt(a | 0) * BigInt(b | 0);
  const lo = Number(BigInt.asUintN(32, r));
  mulFlags(cpu, BigInt.asIntN(32, r) !== r, lo, 0xffffffff);
  return lo;
}

// ---- decimal adjust (SDM Vol. 2 DAA/DAS/AAA/AAS/AAM/AAD) --------------------------------------

/**
 * DAA/DAS. OF is undefined: the 80286 leaves it alone; the 80386 (`of386`) sets it as the signed
 * overflow of AL +- the whole adjustment (test386.asm's TEST_UNDEF results, measured on a 386SX).
 */
function decimalAdjust(subtract: boolean, of386: boolean): Handler {
  return (cpu) => {
    const al = cpu.r8[0];
    const cf = getCF(cpu), af = getAF(cpu);
    let adj = 0, newCf = false, newAf = false;
    // SDM "DAA"/"DAS": CF also takes the carry (borrow) out of AL +- 6.
    if ((al & 0xf) > 9 || af) { newCf = cf || (subtract ? al < 6 : al + 6 > 0xff); adj = 6; newAf = true; }
    if (al > 0x99 || cf) { adj |= 0x60; newCf = true; }
    const r = (subtract ? al - adj : al + adj) & 0xff;
    cpu.r8[0] = r;
    let f = (newCf ? EFLAGS_CF : 0) | (newAf ? EFLAGS_AF : 0) | szp(r, 0xff);
    if (of386 && ((subtract ? (al ^ adj) & (al ^ r) : (al ^ r) & (adj ^ r)) & 0x80)) f |= EFLAGS_OF;
    setStatus(cpu, of386 ? EFLAGS_STATUS : EFLAGS_STATUS & ~EFLAGS_OF, f);
  };
}

const daa = decimalAdjust(false, true);
const das = decimalAdjust(true, true);

/** AAA/AAS on the 80286: AX += 0x106 (AAA) as one word operation; SF ZF PF OF are left alone. */
const aaa_80286: Handler = (cpu) => {
  if ((cpu.r8[0] & 0xf) > 9 || getAF(cpu)) {
    cpu.r16[0] = (cpu.r16[0] + 0x106) & 0xffff;
    cpu.r8[0] &= 0xf;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, EFLAGS_CF | EFLAGS_AF);
  } else {
    cpu.r8[0] &= 0xf;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, 0);
  }
};

const aas_80286: Handler = (cpu) => {
  if ((cpu.r8[0] & 0xf) > 9 || getAF(cpu)) {
    cpu.r16[0] = (cpu.r16[0] - 0x106) & 0xffff;
    cpu.r8[0] &= 0xf;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, EFLAGS_CF | EFLAGS_AF);
  } else {
    cpu.r8[0] &= 0xf;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, 0);
  }
};

// AAA/AAS on the 80386 also write the undefined SF ZF PF OF, in the way test386.asm documents
// (TEST_UNDEF, results measured on a 386SX): ZF and PF from AL after the +-106h, before masking.
const aaa: Handler = (cpu) => {
  const al = cpu.r8[0];
  let f = al >= 0x7a && al <= 0xf9 ? EFLAGS_SF : 0;
  if ((al & 0xf) > 9 || getAF(cpu)) {
    if ((al & 0xf) > 9 && (al & 0xf0) === 0x70) f |= EFLAGS_OF;
    cpu.r16[0] = (cpu.r16[0] + 0x106) & 0xffff;
    // With AF the 386 clears ZF whatever AL becomes.
    if ((al & 0xf) > 9 && cpu.r8[0] === 0) f |= EFLAGS_ZF;
    f |= EFLAGS_CF | EFLAGS_AF;
  } else if (al === 0) f |= EFLAGS_ZF;
  f |= PARITY[cpu.r8[0]];
  cpu.r8[0] &= 0xf;
  setStatus(cpu, EFLAGS_STATUS, f);
};

const aas: Handler = (cpu) => {
  const al = cpu.r8[0];
  let f = 0;
  if ((al & 0xf) > 9) {
    if (al > 0x85) f |= EFLAGS_SF;
    f |= EFLAGS_CF | EFLAGS_AF;
  } else if (getAF(cpu)) {
    if (al >= 0x80 && al <= 0x85) f |= EFLAGS_OF;
    if (al < 0x06 || al > 0x85) f |= EFLAGS_SF;
    f |= EFLAGS_CF | EFLAGS_AF;
  } else if (al >= 0x80) f |= EFLAGS_SF;
  if (f & EFLAGS_CF) cpu.r16[0] = (cpu.r16[0] - 0x106) & 0xffff;
  f |= (cpu.r8[0] === 0 ? EFLAGS_ZF : 0) | PARITY[cpu.r8[0]];
  cpu.r8[0] &= 0xf;
  setStatus(cpu, EFLAGS_STATUS, f);
};

/**
 * AAM. With an immediate of 0 the chip sets SF ZF PF to `zeroSzp` before raising #DE (the SDM
 * leaves them undefined; the 8086 and 80286 vectors show fixed values, null keeps them).
 */
function aamWith(zeroSzp: number | null): Handler {
  return (cpu) => {
    const base = cpu.fetch8();
    if (base === 0) {
      if (zeroSzp !== null) setStatus(cpu, EFLAGS_SF | EFLAGS_ZF | EFLAGS_PF, zeroSzp);
      divideError(cpu, DIV_ZERO, 0, cpu.r8[0], 0, 8);
    }
    const al = cpu.r8[0];
    cpu.r8[1] = Math.floor(al / base);
    cpu.r8[0] = al % base;
    setStatus(cpu, EFLAGS_STATUS, szp(cpu.r8[0], 0xff));
  };
}

const aam_Ib = aamWith(null);

/** AAD on the 80286: CF AF OF (undefined) cleared. */
const aad_80286: Handler = (cpu) => {
  const base = cpu.fetch8();
  const r = (cpu.r8[0] + cpu.r8[1] * base) & 0xff;
  cpu.r16[0] = r;
  setStatus(cpu, EFLAGS_STATUS, szp(r, 0xff));
};

/** AAD on the 80386: every flag as the byte ADD of AL and AH * imm8 (test386.asm TEST_UNDEF, 386SX). */
const aad_Ib: Handler = (cpu) => {
  const al = cpu.r8[0], add = (cpu.r8[1] * cpu.fetch8()) & 0xff;
  const r = (al + add) & 0xff;
  cpu.r16[0] = r;
  setLazy(cpu, LZ_ADD, al, add, r, 0xff);
};

const incDec_Zv = (inc: boolean): ByRegister => byRegister((r) => inc
  ? [(cpu) => { cpu.r16[r << 1] = inc16(cpu, cpu.r16[r << 1]); }, (cpu) => { cpu.r32[r] = inc32(cpu, cpu.r32[r]); }]
  : [(cpu) => { cpu.r16[r << 1] = dec16(cpu, cpu.r16[r << 1]); }, (cpu) => { cpu.r32[r] = dec32(cpu, cpu.r32[r]); }]);
const grp3_Ev: SizedHandler = [grp3_Ev_16, grp3_Ev_32];
const GRP3 = ['not', 'neg', 'mul', 'imul', 'div', 'idiv'];

export const ARITH: Handlers = {
  ...Object.assign({}, ...ALU_NAMES.map((n, op) => aluForms(n, op))),
  ...forms(ALU_NAMES.map((n) => `${n}_Eb_Ib`), grp1_Eb_Ib),
  ...forms(ALU_NAMES.map((n) => `${n}_Ev_Iz`), [grp1_Ev_Iz_16, grp1_Ev_Iz_32]),
  ...forms(ALU_NAMES.map((n) => `${n}_Ev_Ib`), [grp1_Ev_Ib_16, grp1_Ev_Ib_32]),
  inc_Zv: incDec_Zv(true),
  dec_Zv: incDec_Zv(false),
  test_Eb_Gb: (cpu) => { const m = cpu.fetch8(); test(cpu, readE8(cpu, m), getG8(cpu, m), 0xff); },
  test_Ev_Gv: [(cpu) => { const m = cpu.fetch8(); test(cpu, readE16(cpu, m), getG16(cpu, m), 0xffff); },
    (cpu) => { const m = cpu.fetch8(); test(cpu, readE32(cpu, m), getG32(cpu, m), 0xffffffff); }],
  test_AL_Ib: (cpu) => test(cpu, cpu.r8[0], cpu.fetch8(), 0xff),
  test_eAX_Iz: [(cpu) => test(cpu, cpu.r16[0], cpu.fetch16(), 0xffff), (cpu) => test(cpu, cpu.r32[EAX], cpu.fetch32(), 0xffffffff)],
  ...forms(['test_Eb_Ib', ...GRP3.map((n) => `${n}_Eb`)], grp3_Eb),
  ...forms(['test_Ev_Iz', ...GRP3.map((n) => `${n}_Ev`)], grp3_Ev),
  imul_Gv_Ev_Iz: [(cpu) => { const m = cpu.fetch8(); const a = readE16(cpu, m); setG16(cpu, m, imul16(cpu, a, cpu.fetch16())); },
    (cpu) => { const m = cpu.fetch8(); const a = readE32(cpu, m); setG32(cpu, m, imul32(cpu, a, cpu.fetch32())); }],
  imul_Gv_Ev_Ib: [(cpu) => { const m = cpu.fetch8(); const a = readE16(cpu, m); setG16(cpu, m, imul16(cpu, a, cpu.fetchS8() & 0xffff)); },
    (cpu) => { const m = cpu.fetch8(); const a = readE32(cpu, m); setG32(cpu, m, imul32(cpu, a, cpu.fetchS8() >>> 0)); }],
  imul_Gv_Ev: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, imul16(cpu, getG16(cpu, m), readE16(cpu, m))); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, imul32(cpu, getG32(cpu, m), readE32(cpu, m))); }],
  cbw: [(cpu) => { cpu.r16[0] = (cpu.r8[0] << 24) >> 24; }, (cpu) => { cpu.r32[EAX] = (cpu.r16[0] << 16) >> 16; }],
  cwd: [(cpu) => { cpu.r16[EDX * 2] = cpu.r16[0] & 0x8000 ? 0xffff : 0; },
    (cpu) => { cpu.r32[EDX] = cpu.r32[EAX] & 0x80000000 ? 0xffffffff : 0; }],
  daa,
  das,
  aaa,
  aas,
  aam_Ib,
  aad_Ib,
};

/** The flags the manuals leave undefined, as the 80286 vectors show them (the 80386's are the base). */
export const ARITH_80286: Patch = [
  [daa, decimalAdjust(false, false)],
  [das, decimalAdjust(true, false)],
  [aaa, aaa_80286],
  [aas, aas_80286],
  [aad_Ib, aad_80286],
  [aam_Ib, aamWith(EFLAGS_PF)],
];

/** AAA/AAS on the 8086 adjust AL and AH separately (no carry from AL into AH). */
const aaa_8086: Handler = (cpu) => {
  if ((cpu.r8[0] & 0xf) > 9 || getAF(cpu)) {
    cpu.r8[0] = (cpu.r8[0] + 6) & 0xff;
    cpu.r8[1] = (cpu.r8[1] + 1) & 0xff;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, EFLAGS_CF | EFLAGS_AF);
  } else setStatus(cpu, EFLAGS_CF | EFLAGS_AF, 0);
  cpu.r8[0] &= 0xf;
};
const aas_8086: Handler = (cpu) => {
  if ((cpu.r8[0] & 0xf) > 9 || getAF(cpu)) {
    cpu.r8[0] = (cpu.r8[0] - 6) & 0xff;
    cpu.r8[1] = (cpu.r8[1] - 1) & 0xff;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, EFLAGS_CF | EFLAGS_AF);
  } else setStatus(cpu, EFLAGS_CF | EFLAGS_AF, 0);
  cpu.r8[0] &= 0xf;
};

/**
 * DAA/DAS on the 8086: the carry/borrow of the +-6 step does not reach CF, and the +-0x60 step
 * is taken when AL was above 0x9F (not 0x99) if AF was set (behaviour measured in the 8086 vectors).
 */
function decimalAdjust8086(subtract: boolean): Handler {
  return (cpu) => {
    const al = cpu.r8[0];
    const cf = getCF(cpu), af = getAF(cpu);
    let r = al, newAf = false, newCf = false;
    if ((al & 0xf) > 9 || af) { r = (r + (subtract ? -6 : 6)) & 0xff; newAf = true; }
    if (al > (af ? 0x9f : 0x99) || cf) { r = (r + (subtract ? -0x60 : 0x60)) & 0xff; newCf = true; }
    cpu.r8[0] = r;
    setStatus(cpu, EFLAGS_STATUS & ~EFLAGS_OF, (newCf ? EFLAGS_CF : 0) | (newAf ? EFLAGS_AF : 0) | szp(r, 0xff));
  };
}

/**
 * The 8086 IDIV with a REP prefix negates the quotient (the microcode reuses the REP flag as its
 * sign latch; measured in the 8086 vectors).
 */
function repNegatesQuotient(h: Handler, byteForm: boolean): Handler {
  return (cpu) => {
    const modrmEip = cpu.eip;
    h(cpu);
    if (cpu.rep === 0) return;
    const m = cpu.readLin8((cpu.base[CS] + modrmEip) & cpu.mem.a20Mask);
    if (((m >> 3) & 7) !== 7) return;
    if (byteForm) cpu.r8[0] = -cpu.r8[0] & 0xff;
    else cpu.r16[0] = -cpu.r16[0] & 0xffff;
  };
}

/** Applied after ARITH_80286 (AAD keeps the 80286's form). */
export const ARITH_8086: Patch = [
  [daa, decimalAdjust8086(false)],
  [das, decimalAdjust8086(true)],
  [aaa, aaa_8086],
  [aas, aas_8086],
  [aam_Ib, aamWith(EFLAGS_ZF | EFLAGS_PF)],
  [grp3_Eb, repNegatesQuotient(grp3_Eb, true)],
  [grp3_Ev, repNegatesQuotient(grp3_Ev_16, false)],
];
