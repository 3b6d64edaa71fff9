// Data movement: MOV forms, XCHG, LEA, LDS/LES/LFS/LGS/LSS, MOVZX/MOVSX, XLAT, LAHF/SAHF, CMOVcc,
// SETcc, BSWAP, CMPXCHG, XADD, BT/BTS/BTR/BTC, BSF/BSR.
// SDM Vol. 2 instruction pages. Pure TypeScript: no Node or VS Code imports.

import { type Cpu, type Handler, R8 } from '../cpu';
import { UD } from '../faults';
import { LZ_ADD, LZ_SUB, materialize, setLazy, setStatus } from '../flags';
import {
  decodeEa, eaOffPlus, getG16, getG32, getG8, readE16, readE32, readE8, readRmw16, readRmw32, readRmw8, setG16, setG32, setG8,
  writeBack16, writeBack32, writeBack8, writeE16, writeE32, writeE8,
} from '../modrm';
import { CS, DS, EAX, EBX, EFLAGS_CF, EFLAGS_OF, EFLAGS_ZF, ES, FS, GS, SS } from '../regs';
import { loadSeg } from '../segmentation';
import { condition } from './conditions';
import { MAP0F, def } from './table';

/** MOV Sw,Ew; `lastSeg` is GS on the 80386 and DS on the 80286, which has no FS/GS. */
export function mov_Sw_Ew(lastSeg: number): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const s = (m >> 3) & 7;
    // MOV to CS is #UD on the 80286 and later (the 8086 form is patched in dispatch.ts).
    if (s === CS || s > lastSeg) cpu.fault(UD);
    const v = readE16(cpu, m);
    loadSeg(cpu, s, v);
    if (s === SS) cpu.inhibitInterrupts();
  };
}

export const mov_Ew_Sw = (lastSeg: number): Handler => (cpu) => {
  const m = cpu.fetch8();
  const s = (m >> 3) & 7;
  if (s > lastSeg) cpu.fault(UD);
  // With a 32-bit operand size a register destination gets the selector zero-extended.
  if (m >= 0xc0 && cpu.o32) cpu.r32[m & 7] = cpu.sel[s];
  else writeE16(cpu, m, cpu.sel[s]);
};

/** LDS/LES/LSS/LFS/LGS: load a far pointer; the register form is #UD. */
function loadFar(seg: number, size32: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) cpu.fault(UD);
    decodeEa(cpu, m);
    const off = size32 ? cpu.rd32(cpu.eaSeg, cpu.eaOff) : cpu.rd16(cpu.eaSeg, cpu.eaOff);
    const sel = cpu.rd16(cpu.eaSeg, eaOffPlus(cpu, size32 ? 4 : 2));
    loadSeg(cpu, seg, sel);
    if (size32) setG32(cpu, m, off);
    else setG16(cpu, m, off);
    if (seg === SS) cpu.inhibitInterrupts();
  };
}

/** The moffs forms A0-A3 take an address-size offset. */
function moffs(cpu: Cpu): number {
  return cpu.a32 ? cpu.fetch32() : cpu.fetch16();
}

function lea(cpu: Cpu, m: number): number {
  // The register form is #UD on 80286+ (the 8086 form is patched in dispatch.ts).
  if (m >= 0xc0) cpu.fault(UD);
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
    if (reg < 4) cpu.fault(UD);
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

export function registerMove(ops: Handler[]): void {
  def(ops, 0x88, (cpu) => { const m = cpu.fetch8(); writeE8(cpu, m, getG8(cpu, m)); });
  def(ops, 0x89, (cpu) => { const m = cpu.fetch8(); writeE16(cpu, m, getG16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); writeE32(cpu, m, getG32(cpu, m)); });
  def(ops, 0x8a, (cpu) => { const m = cpu.fetch8(); setG8(cpu, m, readE8(cpu, m)); });
  def(ops, 0x8b, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE32(cpu, m)); });
  def(ops, 0x8c, mov_Ew_Sw(GS));
  def(ops, 0x8e, mov_Sw_Ew(GS));
  def(ops, 0x8d, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, lea(cpu, m) & 0xffff); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, lea(cpu, m)); });
  def(ops, 0xa0, (cpu) => { const o = moffs(cpu); cpu.r8[0] = cpu.rd8(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); });
  def(ops, 0xa1, (cpu) => { const o = moffs(cpu); cpu.r16[0] = cpu.rd16(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); },
    (cpu) => { const o = moffs(cpu); cpu.r32[EAX] = cpu.rd32(cpu.segOvr >= 0 ? cpu.segOvr : DS, o); });
  def(ops, 0xa2, (cpu) => { const o = moffs(cpu); cpu.wr8(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r8[0]); });
  def(ops, 0xa3, (cpu) => { const o = moffs(cpu); cpu.wr16(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r16[0]); },
    (cpu) => { const o = moffs(cpu); cpu.wr32(cpu.segOvr >= 0 ? cpu.segOvr : DS, o, cpu.r32[EAX]); });
  for (let r = 0; r < 8; r++) {
    const i8 = R8[r];
    def(ops, 0xb0 + r, (cpu) => { cpu.r8[i8] = cpu.fetch8(); });
    def(ops, 0xb8 + r, (cpu) => { cpu.r16[r << 1] = cpu.fetch16(); }, (cpu) => { cpu.r32[r] = cpu.fetch32(); });
  }
  // C6/C7 with ModRM.reg != 0 are #UD on the 80286 and later (the 8086 ignores reg; see dispatch.ts).
  def(ops, 0xc6, (cpu) => {
    const m = cpu.fetch8();
    if (m & 0x38) cpu.fault(UD);
    if (m >= 0xc0) { cpu.r8[R8[m & 7]] = cpu.fetch8(); return; }
    decodeEa(cpu, m);
    cpu.wr8(cpu.eaSeg, cpu.eaOff, cpu.fetch8());
  });
  def(ops, 0xc7, (cpu) => {
    const m = cpu.fetch8();
    if (m & 0x38) cpu.fault(UD);
    if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = cpu.fetch16(); return; }
    decodeEa(cpu, m);
    cpu.wr16(cpu.eaSeg, cpu.eaOff, cpu.fetch16());
  }, (cpu) => {
    const m = cpu.fetch8();
    if (m & 0x38) cpu.fault(UD);
    if (m >= 0xc0) { cpu.r32[m & 7] = cpu.fetch32(); return; }
    decodeEa(cpu, m);
    cpu.wr32(cpu.eaSeg, cpu.eaOff, cpu.fetch32());
  });
  // XCHG
  def(ops, 0x86, (cpu) => { const m = cpu.fetch8(); const a = readRmw8(cpu, m); writeBack8(cpu, m, getG8(cpu, m)); setG8(cpu, m, a); });
  def(ops, 0x87, (cpu) => { const m = cpu.fetch8(); const a = readRmw16(cpu, m); writeBack16(cpu, m, getG16(cpu, m)); setG16(cpu, m, a); },
    (cpu) => { const m = cpu.fetch8(); const a = readRmw32(cpu, m); writeBack32(cpu, m, getG32(cpu, m)); setG32(cpu, m, a); });
  def(ops, 0x90, () => {});
  for (let r = 1; r < 8; r++) {
    def(ops, 0x90 + r, (cpu) => { const t = cpu.r16[0]; cpu.r16[0] = cpu.r16[r << 1]; cpu.r16[r << 1] = t; },
      (cpu) => { const t = cpu.r32[0]; cpu.r32[0] = cpu.r32[r]; cpu.r32[r] = t; });
  }
  def(ops, 0xc4, loadFar(ES, false), loadFar(ES, true));
  def(ops, 0xc5, loadFar(DS, false), loadFar(DS, true));
  def(ops, MAP0F | 0xb2, loadFar(SS, false), loadFar(SS, true));
  def(ops, MAP0F | 0xb4, loadFar(FS, false), loadFar(FS, true));
  def(ops, MAP0F | 0xb5, loadFar(GS, false), loadFar(GS, true));
  def(ops, 0xd7, (cpu) => {
    const off = cpu.a32 ? (cpu.r32[EBX] + cpu.r8[0]) >>> 0 : (cpu.r16[EBX * 2] + cpu.r8[0]) & 0xffff;
    cpu.r8[0] = cpu.rd8(cpu.segOvr >= 0 ? cpu.segOvr : DS, off);
  });
  def(ops, 0x9f, (cpu) => { cpu.r8[1] = cpu.getFlags() & 0xff; });
  def(ops, 0x9e, (cpu) => { materialize(cpu); cpu.flags = (cpu.flags & ~0xd5) | (cpu.r8[1] & 0xd5); });
  // MOVZX / MOVSX
  def(ops, MAP0F | 0xb6, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE8(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE8(cpu, m)); });
  def(ops, MAP0F | 0xb7, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, readE16(cpu, m)); });
  def(ops, MAP0F | 0xbe, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, ((readE8(cpu, m) << 24) >> 24) & 0xffff); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, (readE8(cpu, m) << 24) >> 24); });
  def(ops, MAP0F | 0xbf, (cpu) => { const m = cpu.fetch8(); setG16(cpu, m, readE16(cpu, m)); },
    (cpu) => { const m = cpu.fetch8(); setG32(cpu, m, (readE16(cpu, m) << 16) >> 16); });
  for (let cc = 0; cc < 16; cc++) {
    // SETcc Eb and CMOVcc Gv,Ev (the source is read even when the condition is false, as on hardware).
    def(ops, MAP0F | (0x90 + cc), (cpu) => { const m = cpu.fetch8(); writeE8(cpu, m, condition(cpu, cc) ? 1 : 0); });
    def(ops, MAP0F | (0x40 + cc), (cpu) => { const m = cpu.fetch8(); const v = readE16(cpu, m); if (condition(cpu, cc)) setG16(cpu, m, v); },
      (cpu) => { const m = cpu.fetch8(); const v = readE32(cpu, m); if (condition(cpu, cc)) setG32(cpu, m, v); });
  }
  for (let r = 0; r < 8; r++) {
    // BSWAP with a 16-bit operand is undefined; the 486 clears the register word. We do the same.
    def(ops, MAP0F | (0xc8 + r), (cpu) => { cpu.r16[r << 1] = 0; }, (cpu) => {
      const v = cpu.r32[r];
      cpu.r32[r] = ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0;
    });
  }
  // CMPXCHG: compare the accumulator with Ev; equal → Ev = Gv, else accumulator = Ev (SDM "CMPXCHG").
  def(ops, MAP0F | 0xb0, (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw8(cpu, m);
    setLazy(cpu, LZ_SUB, cpu.r8[0], d, (cpu.r8[0] - d) & 0xff, 0xff);
    if (d === cpu.r8[0]) writeBack8(cpu, m, getG8(cpu, m));
    else { writeBack8(cpu, m, d); cpu.r8[0] = d; }
  });
  def(ops, MAP0F | 0xb1, (cpu) => {
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
  });
  // XADD
  def(ops, MAP0F | 0xc0, (cpu) => {
    const m = cpu.fetch8();
    const d = readRmw8(cpu, m), s = getG8(cpu, m), r = (d + s) & 0xff;
    setLazy(cpu, LZ_ADD, d, s, r, 0xff);
    writeBack8(cpu, m, r);
    setG8(cpu, m, d);
  });
  def(ops, MAP0F | 0xc1, (cpu) => {
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
  });
  def(ops, MAP0F | 0xa3, bitOp(0, 16, false), bitOp(0, 32, false));
  def(ops, MAP0F | 0xab, bitOp(1, 16, false), bitOp(1, 32, false));
  def(ops, MAP0F | 0xb3, bitOp(2, 16, false), bitOp(2, 32, false));
  def(ops, MAP0F | 0xbb, bitOp(3, 16, false), bitOp(3, 32, false));
  def(ops, MAP0F | 0xba, grp8(16), grp8(32));
  def(ops, MAP0F | 0xbc, bitScan(bsf, 16), bitScan(bsf, 32));
  def(ops, MAP0F | 0xbd, bitScan(bsr, 16), bitScan(bsr, 32));
}
