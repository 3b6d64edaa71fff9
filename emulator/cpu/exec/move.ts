// Data movement: MOV forms, XCHG, LEA, LDS/LES/LFS/LGS/LSS, MOVZX/MOVSX, XLAT, LAHF/SAHF, CMOVcc,
// SETcc, BSWAP, CMPXCHG, XADD, BT/BTS/BTR/BTC, BSF/BSR.
// SDM Vol. 2 instruction pages. Pure TypeScript: no Node or VS Code imports.

import { type Cpu, type Handler, R8, SEG_W } from '../cpu';
import { UD_OPCODE } from '../faultRules';
import { LZ_ADD, LZ_SUB, materialize, setLazy, setStatus } from '../flags';
import {
  decodeEa, eaOffPlus, getG16, getG32, getG8, readE16, readE32, readE8, readRmw16, readRmw32, readRmw8, setG16, setG32, setG8,
  writeBack16, writeBack32, writeBack8, writeE16, writeE32, writeE8,
} from '../modrm';
import { CS, DS, EAX, EBX, ECX, EDX, EFLAGS_CF, EFLAGS_OF, EFLAGS_ZF, ES, FS, GS, SS } from '../regs';
import { loadSeg } from '../segmentation';
import { CC_NAMES, condition } from './conditions';
import { byRegister, forms, type HandlerEntry, type Handlers, type Patch, type SizedHandler, undefinedOpcode } from './table';

/** MOV Sw,Ew; `lastSeg` is GS on the 80386 and DS on the 80286, which has no FS/GS. */
function movToSeg(lastSeg: number): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const s = (m >> 3) & 7;
    // MOV to CS is #UD on the 80286 and later (MOVE_8086 has the 8086's form).
    if (s === CS || s > lastSeg) cpu.faultRule(UD_OPCODE, -1, -1, 0);
    const v = readE16(cpu, m);
    loadSeg(cpu, s, v);
    if (s === SS) cpu.inhibitInterrupts(true);
  };
}

const movFromSeg = (lastSeg: number): Handler => (cpu) => {
  const m = cpu.fetch8();
  const s = (m >> 3) & 7;
  if (s > lastSeg) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  // With a 32-bit operand size a register destination gets the selector zero-extended.
  if (m >= 0xc0 && cpu.o32) cpu.r32[m & 7] = cpu.sel[s];
  else writeE16(cpu, m, cpu.sel[s]);
};

/**
 * LDS/LES/LSS/LFS/LGS: load a far pointer; the register form is #UD. LSS opens no interrupt shadow:
 * it loads SS:ESP in one instruction (SDM §6.8.3 names MOV SS and POP SS; Bochs and QEMU agree).
 */
function loadFar(seg: number, size32: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
    decodeEa(cpu, m);
    const off = size32 ? cpu.rd32(cpu.eaSeg, cpu.eaOff) : cpu.rd16(cpu.eaSeg, cpu.eaOff);
    const sel = cpu.rd16(cpu.eaSeg, eaOffPlus(cpu, size32 ? 4 : 2));
    loadSeg(cpu, seg, sel);
    if (size32) setG32(cpu, m, off);
    else setG16(cpu, m, off);
  };
}

/** The moffs forms A0-A3 take an address-size offset. */
function moffs(cpu: Cpu): number {
  return cpu.a32 ? cpu.fetch32() : cpu.fetch16();
}

function lea(cpu: Cpu, m: number): number {
  // The register form is #UD on 80286+.
  if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  decodeEa(cpu, m);
  return cpu.eaOff;
}

function bitBase(cpu: Cpu, m: number, bitOff: number, bits: number): { off: number; bit: number } {
  // Memory forms with a register bit offset address the bit string beyond the operand (SDM "BT").
  decodeEa(cpu, m);
  const signed = bits === 16 ? (bitOff << 16) >> 16 : bitOff | 0;
  const delta = Math.floor(signed / bits) * (bits / 8);
  const off = eaOffPlus(cpu, delta);
  return { off, bit: ((signed % bits) + bits) % bits };
}

/**
 * CF and the OF that BT/BTS/BTR/BTC leave on the 80386: the bit reaches CF as through RCR by
 * bit + 1 with CF = 0, and OF is that rotate's (test386.asm TEST_UNDEF, measured on a 386SX).
 */
function bitTestFlags(cpu: Cpu, v: number, bit: number, bits: number): void {
  const x = (i: number) => (v >>> i) & 1;
  const of = bit === 0 ? x(bits - 1) : bit === 1 ? x(0) : x(bit - 1) ^ x(bit - 2);
  setStatus(cpu, EFLAGS_CF | EFLAGS_OF, (x(bit) ? EFLAGS_CF : 0) | (of ? EFLAGS_OF : 0));
}

/** BT/BTS/BTR/BTC: op 0 test, 1 set, 2 reset, 3 complement. `imm` forms mask the offset to the operand size. */
function bitOp(op: number, bits: 16 | 32, imm: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const mask = bits === 16 ? 0xffff : 0xffffffff;
    let bitOff: number;
    if (m >= 0xc0) {
      bitOff = (imm ? cpu.fetch8() : bits === 16 ? getG16(cpu, m) : getG32(cpu, m)) & (bits - 1);
      const v = bits === 16 ? cpu.r16[(m & 7) << 1] : cpu.r32[m & 7];
      bitTestFlags(cpu, v, bitOff, bits);
      if (op === 0) return;
      const b = (1 << bitOff) >>> 0;
      const r = (op === 1 ? v | b : op === 2 ? v & ~b : v ^ b) & mask;
      if (bits === 16) cpu.r16[(m & 7) << 1] = r;
      else cpu.r32[m & 7] = r;
      return;
    }
    let off: number, bit: number;
    if (imm) {
      decodeEa(cpu, m);
      off = cpu.eaOff;
      bit = cpu.fetch8() & (bits - 1);
    } else {
      const r = bitBase(cpu, m, bits === 16 ? getG16(cpu, m) : getG32(cpu, m), bits);
      off = r.off;
      bit = r.bit;
    }
    const v = bits === 16 ? cpu.rd16(cpu.eaSeg, off) : cpu.rd32(cpu.eaSeg, off);
    bitTestFlags(cpu, v, bit, bits);
    if (op === 0) return;
    const b = (1 << bit) >>> 0;
    const r = ((op === 1 ? v | b : op === 2 ? v & ~b : v ^ b) & mask) >>> 0;
    if (bits === 16) cpu.wr16(cpu.eaSeg, off, r);
    else cpu.wr32(cpu.eaSeg, off, r);
  };
}

function grp8(bits: 16 | 32): Handler {
  const forms = [bitOp(0, bits, true), bitOp(1, bits, true), bitOp(2, bits, true), bitOp(3, bits, true)];
  return (cpu) => {
    const modrm = peekModrm(cpu);
    const reg = (modrm >> 3) & 7;
    if (reg < 4) cpu.faultRule(UD_OPCODE, -1, -1, 0);
    forms[reg - 4](cpu);
  };
}

/** Reads the next code byte without consuming it (group dispatch on ModRM.reg before the form runs). */
function peekModrm(cpu: Cpu): number {
  const eip = cpu.eip;
  const m = cpu.fetch8();
  cpu.eip = eip;
  return m;
}

function bsf(cpu: Cpu, v: number): number {
  let i = 0;
  while (!((v >>> i) & 1)) i++;
  return i;
}
function bsr(cpu: Cpu, v: number): number {
  return 31 - Math.clz32(v);
}
function bitScan(scan: typeof bsf, bits: 16 | 32): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const v = bits === 16 ? readE16(cpu, m) : readE32(cpu, m);
    if (v === 0) {
      // SDM: ZF=1 and the destination is undefined; the 80386 leaves it unchanged.
      setStatus(cpu, EFLAGS_ZF, EFLAGS_ZF);
      return;
    }
    setStatus(cpu, EFLAGS_ZF, 0);
    if (bits === 16) setG16(cpu, m, scan(cpu, v));
    else setG32(cpu, m, scan(cpu, v));
  };
}

/**
 * Group 9 (0F C7): /1 with a memory operand is CMPXCHG8B m64 (SDM "CMPXCHG8B"): EDX:EAX against
 * m64; equal → m64 = ECX:EBX and ZF = 1, else EDX:EAX = m64 and ZF = 0. The destination is written
 * either way (a locked read-modify-write); every other form (VMX on later CPUs) is #UD here.
 */
const grp9: Handler = (cpu) => {
  const m = cpu.fetch8();
  if (m >= 0xc0 || (m & 0x38) !== 0x08) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  decodeEa(cpu, m);
  const seg = cpu.eaSeg, off = cpu.eaOff, offHi = eaOffPlus(cpu, 4);
  // An 8-byte operand is aligned to 8 (the two dword accesses below check 4).
  if (cpu.alignCheck) cpu.checkData(seg, off, 8, SEG_W);
  const lo = cpu.rd32(seg, off), hi = cpu.rd32(seg, offHi);
  const equal = lo === cpu.r32[EAX] && hi === cpu.r32[EDX];
  // The high dword's write checks run first, so a fault there leaves memory as it was.
  cpu.wr32(seg, offHi, hi);
  if (equal) {
    cpu.wr32(seg, off, cpu.r32[EBX]);
    cpu.wr32(seg, offHi, cpu.r32[ECX]);
  } else {
    cpu.wr32(seg, off, lo);
    cpu.r32[EAX] = lo;
    cpu.r32[EDX] = hi;
  }
  setStatus(cpu, EFLAGS_ZF, equal ? EFLAGS_ZF : 0);
};

const mov_Sw_Ew = movToSeg(GS);
const mov_Ev_Sw = movFromSeg(GS);
const nop: Handler = () => {};

// C6/C7 with ModRM.reg != 0 are #UD on the 80286 and later (the 8086 ignores reg: MOVE_8086).
const mov_Eb_Ib: Handler = (cpu) => {
  const m = cpu.fetch8();
  if (m & 0x38) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  if (m >= 0xc0) { cpu.r8[R8[m & 7]] = cpu.fetch8(); return; }
  decodeEa(cpu, m);
  cpu.wr8(cpu.eaSeg, cpu.eaOff, cpu.fetch8());
};
const mov_Ev_Iz: SizedHandler = [(cpu) => {
  const m = cpu.fetch8();
  if (m & 0x38) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = cpu.fetch16(); return; }
  decodeEa(cpu, m);
  cpu.wr16(cpu.eaSeg, cpu.eaOff, cpu.fetch16());
}, (cpu) => {
  const m = cpu.fetch8();
  if (m & 0x38) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  if (m >= 0xc0) { cpu.r32[m & 7] = cpu.fetch32(); return; }
  decodeEa(cpu, m);
  cpu.wr32(cpu.eaSeg, cpu.eaOff, cpu.fetch32());
}];

export const MOVE: Handlers = {
  mov_Eb_Gb: (cpu) => { const m = cpu.fetch8(); writeE8(cpu, m, getG8(cpu, m)); },
  mov_Ev_Gv: [(cpu) => { const m = cpu.fetch8(); writeE16(cpu, m, getG16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); writeE32(cpu, m, getG32(cpu, m)); }],
  mov_Gb_Eb: (cpu) => { const m = cpu.fetch8(); setG8(cpu, m, readE8(cpu, m)); },
  mov_Gv_Ev: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE32(cpu, m)); }],
  mov_Ev_Sw,
  mov_Sw_Ew,
  lea_Gv_M: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, lea(cpu, m) & 0xffff); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, lea(cpu, m)); }],
  mov_AL_Ob: (cpu) => { const o = moffs(cpu); cpu.r8[0] = cpu.rd8(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); },
  mov_eAX_Ov: [(cpu) => { const o = moffs(cpu); cpu.r16[0] = cpu.rd16(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); },
    (cpu) => { const o = moffs(cpu); cpu.r32[EAX] = cpu.rd32(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); }],
  mov_Ob_AL: (cpu) => { const o = moffs(cpu); cpu.wr8(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r8[0]); },
  mov_Ov_eAX: [(cpu) => { const o = moffs(cpu); cpu.wr16(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r16[0]); },
    (cpu) => { const o = moffs(cpu); cpu.wr32(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r32[EAX]); }],
  mov_Zb_Ib: byRegister((r) => { const i8 = R8[r]; return (cpu) => { cpu.r8[i8] = cpu.fetch8(); }; }),
  mov_Zv_Iv: byRegister((r) => [(cpu) => { cpu.r16[r << 1] = cpu.fetch16(); }, (cpu) => { cpu.r32[r] = cpu.fetch32(); }]),
  mov_Eb_Ib,
  mov_Ev_Iz,
  xchg_Gb_Eb: (cpu) => { const m = cpu.fetch8(); const a = readRmw8(cpu, m); writeBack8(cpu, m, getG8(cpu, m)); setG8(cpu, m, a); },
  xchg_Gv_Ev: [(cpu) => { const m = cpu.fetch8(); const a = readRmw16(cpu, m); writeBack16(cpu, m, getG16(cpu, m)); setG16(cpu, m, a); },
    (cpu) => { const m = cpu.fetch8(); const a = readRmw32(cpu, m); writeBack32(cpu, m, getG32(cpu, m)); setG32(cpu, m, a); }],
  // 90 is NOP (the row before XCHG eAX,Zv in the table); PAUSE (F3 90) is a NOP too.
  nop,
  pause: nop,
  xchg_eAX_Zv: byRegister((r) => [(cpu) => { const t = cpu.r16[0]; cpu.r16[0] = cpu.r16[r << 1]; cpu.r16[r << 1] = t; },
    (cpu) => { const t = cpu.r32[0]; cpu.r32[0] = cpu.r32[r]; cpu.r32[r] = t; }]),
  les_Gv_Mp: [loadFar(ES, false), loadFar(ES, true)],
  lds_Gv_Mp: [loadFar(DS, false), loadFar(DS, true)],
  lss_Gv_Mp: [loadFar(SS, false), loadFar(SS, true)],
  lfs_Gv_Mp: [loadFar(FS, false), loadFar(FS, true)],
  lgs_Gv_Mp: [loadFar(GS, false), loadFar(GS, true)],
  xlatb: (cpu) => {
    const off = cpu.a32 ? (cpu.r32[EBX] + cpu.r8[0]) >>> 0 : (cpu.r16[EBX * 2] + cpu.r8[0]) & 0xffff;
    cpu.r8[0] = cpu.rd8(cpu.segOvr >= 0 ? cpu.segOvr : DS, off);
  },
  lahf: (cpu) => { cpu.r8[1] = cpu.getFlags() & 0xff; },
  sahf: (cpu) => { materialize(cpu); cpu.flags = (cpu.flags & ~0xd5) | (cpu.r8[1] & 0xd5); },
  movzx_Gv_Eb: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE8(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE8(cpu, m)); }],
  movzx_Gv_Ew: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE16(cpu, m)); }],
  movsx_Gv_Eb: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, ((readE8(cpu, m) << 24) >> 24) & 0xffff); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, (readE8(cpu, m) << 24) >> 24); }],
  movsx_Gv_Ew: [(cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, (readE16(cpu, m) << 16) >> 16); }],
  // SETcc Eb and CMOVcc Gv,Ev (the source is read even when the condition is false, as on hardware).
  ...Object.fromEntries(CC_NAMES.map((c, cc): [string, HandlerEntry] =>
    [`set${c}_Eb`, (cpu) => { const m = cpu.fetch8(); writeE8(cpu, m, condition(cpu, cc) ? 1 : 0); }])),
  ...Object.fromEntries(CC_NAMES.map((c, cc): [string, HandlerEntry] => [`cmov${c}_Gv_Ev`, [
    (cpu) => { const m = cpu.fetch8(); const v = readE16(cpu, m); if (condition(cpu, cc)) setG16(cpu, m, v); },
    (cpu) => { const m = cpu.fetch8(); const v = readE32(cpu, m); if (condition(cpu, cc)) setG32(cpu, m, v); }]])),
  // BSWAP with a 16-bit operand is undefined; the 486 clears the register word. We do the same.
  bswap_Zv: byRegister((r) => [(cpu) => { cpu.r16[r << 1] = 0; }, (cpu) => {
    const v = cpu.r32[r];
    cpu.r32[r] = ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0;
  }]),
  // CMPXCHG: compare the accumulator with Ev; equal → Ev = Gv, else accumulator = Ev (SDM "CMPXCHG").
  cmpxchg_Eb_Gb: (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw8(cpu, m);
    setLazy(cpu, LZ_SUB, cpu.r8[0], d, (cpu.r8[0] - d) & 0xff, 0xff);
    if (d === cpu.r8[0]) writeBack8(cpu, m, getG8(cpu, m));
    else { writeBack8(cpu, m, d); cpu.r8[0] = d; }
  },
  cmpxchg_Ev_Gv: [(cpu) => {
    const m = cpu.fetch8();
    const d = readRmw16(cpu, m);
    setLazy(cpu, LZ_SUB, cpu.r16[0], d, (cpu.r16[0] - d) & 0xffff, 0xffff);
    if (d === cpu.r16[0]) writeBack16(cpu, m, getG16(cpu, m));
    else { writeBack16(cpu, m, d); cpu.r16[0] = d; }
  }, (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw32(cpu, m);
    setLazy(cpu, LZ_SUB, cpu.r32[EAX], d, (cpu.r32[EAX] - d) >>> 0, 0xffffffff);
    if (d === cpu.r32[EAX]) writeBack32(cpu, m, getG32(cpu, m));
    else { writeBack32(cpu, m, d); cpu.r32[EAX] = d; }
  }],
  xadd_Eb_Gb: (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw8(cpu, m), s = getG8(cpu, m), r = (d + s) & 0xff;
    setLazy(cpu, LZ_ADD, d, s, r, 0xff);
    writeBack8(cpu, m, r);
    setG8(cpu, m, d);
  },
  xadd_Ev_Gv: [(cpu) => {
    const m = cpu.fetch8();
    const d = readRmw16(cpu, m), s = getG16(cpu, m), r = (d + s) & 0xffff;
    setLazy(cpu, LZ_ADD, d, s, r, 0xffff);
    writeBack16(cpu, m, r);
    setG16(cpu, m, d);
  }, (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw32(cpu, m), s = getG32(cpu, m), r = (d + s) >>> 0;
    setLazy(cpu, LZ_ADD, d, s, r, 0xffffffff);
    writeBack32(cpu, m, r);
    setG32(cpu, m, d);
  }],
  ...forms(['cmpxchg8b_Mq', 'vmclear_Mq', 'vmxon_Mq', 'vmptrld_Mq', 'vmptrst_Mq'], grp9),
  bt_Ev_Gv: [bitOp(0, 16, false), bitOp(0, 32, false)],
  bts_Ev_Gv: [bitOp(1, 16, false), bitOp(1, 32, false)],
  btr_Ev_Gv: [bitOp(2, 16, false), bitOp(2, 32, false)],
  btc_Ev_Gv: [bitOp(3, 16, false), bitOp(3, 32, false)],
  ...forms(['bt_Ev_Ib', 'bts_Ev_Ib', 'btr_Ev_Ib', 'btc_Ev_Ib'], [grp8(16), grp8(32)]),
  bsf_Gv_Ev: [bitScan(bsf, 16), bitScan(bsf, 32)],
  bsr_Gv_Ev: [bitScan(bsr, 16), bitScan(bsr, 32)],
};

/** The default 80386 core has no CMPXCHG8B (its CPUID does not report CX8): group 9 is #UD there. */
export const MOVE_80386: Patch = [[grp9, undefinedOpcode]];

export const MOVE_80286: Patch = [
  [mov_Sw_Ew, movToSeg(DS)],
  [mov_Ev_Sw, movFromSeg(DS)],
];

/** Applied after MOVE_80286. */
export const MOVE_8086: Patch = [
  // MOV Sw,Ew and MOV Ew,Sw use only two bits of ModRM.reg; MOV CS,Ew loads CS.
  [mov_Sw_Ew, (cpu) => {
    const m = cpu.fetch8();
    const s = (m >> 3) & 3;
    const v = readE16(cpu, m);
    cpu.sel[s] = v;
    cpu.base[s] = v << 4;
    if (s === CS) {
      cpu.flushFetch();
      cpu.csLoaded();
    }
    if (s === SS) cpu.inhibitInterrupts(true);
  }],
  [mov_Ev_Sw, (cpu) => {
    const m = cpu.fetch8();
    const v = cpu.sel[(m >> 3) & 3];
    if (m >= 0xc0) cpu.r16[(m & 7) << 1] = v;
    else { decodeEa(cpu, m); cpu.wr16(cpu.eaSeg, cpu.eaOff, v); }
  }],
  // C6/C7 ignore ModRM.reg on the 8086.
  [mov_Eb_Ib, (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) { cpu.r8[R8[m & 7]] = cpu.fetch8(); return; }
    decodeEa(cpu, m);
    cpu.wr8(cpu.eaSeg, cpu.eaOff, cpu.fetch8());
  }],
  [mov_Ev_Iz, (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = cpu.fetch16(); return; }
    decodeEa(cpu, m);
    cpu.wr16(cpu.eaSeg, cpu.eaOff, cpu.fetch16());
  }],
];
