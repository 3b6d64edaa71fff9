// The instruction decoder shared by execution and the disassembler: prefixes, opcode (one-byte and 0F
// maps), ModRM/SIB, displacement and immediates, the matching table row, and structured operands.
// Pure TypeScript: no Node or VS Code imports; never throws on guest bytes.
// SDM Vol. 2 Chapter 2 (instruction format, Tables 2-1/2-2/2-3) and Appendix A (opcode maps).
import { opMap, selectRow } from './opmap';
import {
  K, sizeOf, specsOf, type FarOperand, type ImmOperand, type MemOperand, type Operand, type RegOperand,
} from './operands';
import { IMM_ASIZE, IMM_FAR, IMM_OSIZE, T_8086, T_LOCK, T_ASIZE_MNEM, T_OSIZE_MNEM, T_P66, T_PF3, T_SX, type DecodeTier, type OpRow } from './table';

/** Reads the byte at `offset` from the instruction start (0 = first prefix or opcode byte). */
export type Fetch = (offset: number) => number;

export interface ModRM {
  readonly byte: number;
  readonly mod: number;
  readonly reg: number;
  readonly rm: number;
}

export interface SIB {
  readonly byte: number;
  readonly scale: number;
  readonly index: number;
  readonly base: number;
}

export interface Prefixes {
  /** The prefix bytes in encounter order. */
  readonly bytes: readonly number[];
  readonly opSize: boolean;
  readonly addrSize: boolean;
  /** Segment override (ES=0 ... GS=5), the last one given; -1 for none. */
  readonly seg: number;
  readonly lock: boolean;
  /** 0xF3 (REP/REPE), 0xF2 (REPNE), the last one given; 0 for none. */
  readonly rep: number;
}

export interface Instruction {
  /** False for an undefined opcode (#UD): row is null, `length` is what was consumed. */
  readonly valid: boolean;
  readonly length: number;
  readonly bits: 16 | 32;
  readonly opSize: 16 | 32;
  readonly addrSize: 16 | 32;
  readonly prefixes: Prefixes;
  /** Opcode byte, or 0x0F00 | second byte for the two-byte map; -1 when the bytes ran out of prefixes. */
  readonly opcode: number;
  readonly modrm: ModRM | null;
  readonly sib: SIB | null;
  readonly disp: number;
  readonly dispSize: number;
  /** Immediate fields in encoding order, unsigned as encoded. */
  readonly imm: readonly number[];
  readonly row: OpRow | null;
  /** Mnemonic resolved for operand/address size ('pushfd', 'jecxz'); 'db' when invalid. */
  readonly mnemonic: string;
  readonly operands: readonly Operand[];
  /** The instruction bytes. */
  readonly bytes: readonly number[];
  /**
   * LOCK on a form that does not take it, or on a register destination: #UD from the 80286 on
   * (SDM Vol. 2 LOCK). The record stays valid so the disassembler shows what is there.
   */
  readonly lockFault: boolean;
}

const MAX_LENGTH = 15;

/**
 * The fields of one decode without structured operands, filled in place by `decodeRaw` (no allocation):
 * what an execution engine's hot path needs to dispatch `row.handler`. `decode` builds on it.
 */
export class RawInstruction {
  /** Bytes consumed (the length when `valid`). */
  pos = 0;
  opSize: 16 | 32 = 16;
  addrSize: 16 | 32 = 16;
  /** Segment override ES=0 ... GS=5, or -1. */
  seg = -1;
  /** 0xF3, 0xF2 or 0 (a mandatory F3 of the row is not counted). */
  rep = 0;
  lock = false;
  /** A 66 / 67 prefix was present (a mandatory 66 of the row is not counted). */
  pOp = false;
  pAddr = false;
  nPrefix = 0;
  /** Opcode byte, 0x0F00 | byte for the two-byte map, -1 when none was reached. */
  opcode = -1;
  /** ModRM and SIB bytes, -1 when absent. */
  modrm = -1;
  sib = -1;
  /** Displacement, sign-extended to a number, and its size in bytes (0, 1, 2, 4). */
  disp = 0;
  dispSize = 0;
  /** Immediate fields as encoded (unsigned): count, first, second (ENTER's Ib; a far pointer's selector). */
  nImm = 0;
  imm0 = 0;
  imm1 = 0;
  row: OpRow | null = null;
  valid = false;
}

function u8(fetch: Fetch, pos: number): number {
  return fetch(pos) & 0xff;
}

function readLE(fetch: Fetch, pos: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + u8(fetch, pos + i);
  return v;
}

function scan(fetch: Fetch, bits: 16 | 32, model: DecodeTier, st: RawInstruction): void {
  const map = opMap(model);
  st.pos = 0; st.seg = -1; st.rep = 0; st.lock = false; st.pOp = false; st.pAddr = false; st.nPrefix = 0;
  st.opcode = -1; st.modrm = -1; st.sib = -1; st.disp = 0; st.dispSize = 0; st.nImm = 0; st.imm0 = 0; st.imm1 = 0;
  st.row = null; st.valid = false;
  let b = 0;
  // SDM Vol. 2 §2.1.1: up to four prefix groups, any order; the last of each group wins on hardware.
  while (st.pos < MAX_LENGTH) {
    b = u8(fetch, st.pos);
    if (map.isPrefix[b] === 0) break;
    st.pos++;
    st.nPrefix++;
    switch (b) {
      case 0x26: st.seg = 0; break;
      case 0x2e: st.seg = 1; break;
      case 0x36: st.seg = 2; break;
      case 0x3e: st.seg = 3; break;
      case 0x64: st.seg = 4; break;
      case 0x65: st.seg = 5; break;
      case 0x66: st.pOp = true; break;
      case 0x67: st.pAddr = true; break;
      case 0xf0: case 0xf1: st.lock = true; break;
      case 0xf2: case 0xf3: st.rep = b; break;
    }
  }
  st.opSize = st.pOp ? ((48 - bits) as 16 | 32) : bits;
  st.addrSize = st.pAddr ? ((48 - bits) as 16 | 32) : bits;
  if (st.pos >= MAX_LENGTH) return;
  b = u8(fetch, st.pos++);
  let index = b;
  st.opcode = b;
  if (b === 0x0f && map.twoByte) {
    const b2 = u8(fetch, st.pos++);
    index = 0x100 | b2;
    st.opcode = 0x0f00 | b2;
  }
  const list = map.rows[index];
  if (list.length === 0) return;
  if (map.hasModrm[index]) st.modrm = u8(fetch, st.pos++);
  const row = selectRow(list, st.modrm, st.pOp, st.rep === 0xf3);
  if (!row) return;
  st.row = row;
  // A mandatory prefix is part of the opcode: it no longer sets the operand size or REP.
  if (row.tags & T_P66) {
    st.pOp = false;
    st.opSize = bits;
  }
  if (row.tags & T_PF3) st.rep = 0;
  if (st.modrm >= 0 && st.modrm < 0xc0 && row.addressing) scanAddress(fetch, st);
  scanImmediates(fetch, st, row);
  st.valid = st.pos <= MAX_LENGTH;
}

/** ModRM memory forms: SIB and displacement (SDM Vol. 2 Tables 2-1, 2-2, 2-3). */
function scanAddress(fetch: Fetch, st: RawInstruction): void {
  const mod = st.modrm >> 6, rm = st.modrm & 7;
  if (st.addrSize === 16) {
    if (mod === 0 && rm === 6) st.dispSize = 2;
    else if (mod === 1) st.dispSize = 1;
    else if (mod === 2) st.dispSize = 2;
  } else {
    if (rm === 4) {
      st.sib = u8(fetch, st.pos++);
      if (mod === 0 && (st.sib & 7) === 5) st.dispSize = 4;
    }
    if (mod === 0 && rm === 5) st.dispSize = 4;
    else if (mod === 1) st.dispSize = 1;
    else if (mod === 2) st.dispSize = 4;
  }
  if (st.dispSize > 0) {
    const raw = readLE(fetch, st.pos, st.dispSize);
    st.disp = st.dispSize === 1 ? (raw << 24) >> 24 : st.dispSize === 2 ? (raw << 16) >> 16 : raw | 0;
    st.pos += st.dispSize;
  }
}

function scanImmediates(fetch: Fetch, st: RawInstruction, row: OpRow): void {
  const plan = row.immPlan;
  for (let k = 0; k < plan.length; k++) {
    let n = plan[k];
    if (n === IMM_FAR) {
      const ob = st.opSize >> 3;
      st.imm0 = readLE(fetch, st.pos, ob);
      st.imm1 = readLE(fetch, st.pos + ob, 2);
      st.pos += ob + 2;
      st.nImm = 2;
      continue;
    }
    if (n === IMM_OSIZE) n = st.opSize >> 3;
    else if (n === IMM_ASIZE) n = st.addrSize >> 3;
    const v = readLE(fetch, st.pos, n);
    if (st.nImm === 0) st.imm0 = v;
    else st.imm1 = v;
    st.nImm++;
    st.pos += n;
  }
}

/**
 * Decodes into `out` without allocating: prefixes, opcode, ModRM/SIB, displacement, immediates and the
 * row; `out.valid` false for an undefined opcode (#UD). Returns `out`.
 */
export function decodeRaw(fetch: Fetch, bits: 16 | 32, model: DecodeTier, out: RawInstruction): RawInstruction {
  scan(fetch, bits, model, out);
  if (out.pos > MAX_LENGTH) out.valid = false;
  return out;
}

const lengthScan = new RawInstruction();

/**
 * Length in bytes of the instruction at offset 0, without building operands (no allocation).
 * For an undefined opcode: the bytes consumed up to and including what identified it as undefined.
 */
export function instructionLength(fetch: Fetch, bits: 16 | 32, model: DecodeTier = 'later'): number {
  scan(fetch, bits, model, lengthScan);
  return Math.min(lengthScan.pos, MAX_LENGTH);
}

/**
 * Decodes one instruction. `bits` is the default operand/address size (CS.D), `model` the CPU whose
 * opcode map applies (default 'later': every row, 386 and later integer instructions included).
 * Never throws: an undefined opcode gives `valid: false`.
 */
export function decode(fetch: Fetch, bits: 16 | 32, model: DecodeTier = 'later'): Instruction {
  const st = new RawInstruction();
  scan(fetch, bits, model, st);
  const length = Math.min(st.pos, MAX_LENGTH);
  const bytes: number[] = [];
  for (let i = 0; i < length; i++) bytes.push(u8(fetch, i));
  const prefixes: Prefixes = {
    bytes: bytes.slice(0, st.nPrefix), opSize: st.pOp, addrSize: st.pAddr, seg: st.seg, lock: st.lock, rep: st.rep,
  };
  const modrm = st.modrm >= 0 ? { byte: st.modrm, mod: st.modrm >> 6, reg: (st.modrm >> 3) & 7, rm: st.modrm & 7 } : null;
  const sib = st.sib >= 0 ? { byte: st.sib, scale: st.sib >> 6, index: (st.sib >> 3) & 7, base: st.sib & 7 } : null;
  const imm = st.nImm === 0 ? [] : st.nImm === 1 ? [st.imm0] : [st.imm0, st.imm1];
  const row = st.valid ? st.row : null;
  return {
    valid: row !== null, length, bits, opSize: st.opSize, addrSize: st.addrSize, prefixes, opcode: st.opcode,
    modrm, sib, disp: st.disp, dispSize: st.dispSize, imm, row,
    mnemonic: row ? mnemonicOf(row, st) : 'db',
    operands: row ? operandsOf(row, st) : [],
    bytes,
    lockFault: row !== null && st.lock && model !== '8086' && !((row.tags & T_LOCK) !== 0 && st.modrm >= 0 && st.modrm < 0xc0),
  };
}

function mnemonicOf(row: OpRow, st: RawInstruction): string {
  if (row.tags & T_OSIZE_MNEM) return row.mnemonic.split('|')[st.opSize === 32 ? 1 : 0];
  if (row.tags & T_ASIZE_MNEM) return row.mnemonic.split('|')[st.addrSize === 32 ? 1 : 0];
  return row.mnemonic;
}

function gpr(index: number, size: number): RegOperand {
  return { kind: 'reg', cls: 'gpr', index, size };
}

// 16-bit ModRM base/index pairs by rm (SDM Vol. 2 Table 2-1): BX=3, BP=5, SI=6, DI=7.
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, -1, -1, -1, -1];

function memOperand(st: RawInstruction, size: number): MemOperand {
  const mod = st.modrm >> 6, rm = st.modrm & 7;
  let base = -1, index = -1, scale: 1 | 2 | 4 | 8 = 1;
  if (st.addrSize === 16) {
    if (!(mod === 0 && rm === 6)) {
      base = BASE16[rm];
      index = INDEX16[rm];
    }
  } else if (rm === 4) {
    const sb = st.sib & 7, si = (st.sib >> 3) & 7;
    base = mod === 0 && sb === 5 ? -1 : sb;
    index = si === 4 ? -1 : si;
    scale = (1 << (st.sib >> 6)) as 1 | 2 | 4 | 8;
  } else if (!(mod === 0 && rm === 5)) {
    base = rm;
  }
  // SDM Vol. 1 §3.7.5: BP/EBP/ESP-based addresses default to SS, everything else to DS.
  const ssBase = st.addrSize === 16 ? base === 5 : base === 4 || base === 5;
  const seg = st.seg >= 0 ? st.seg : ssBase ? 2 : 3;
  return {
    kind: 'mem', size, seg, segOverride: st.seg >= 0, base, index, scale, disp: st.disp, dispSize: st.dispSize,
    addrSize: st.addrSize, implicit: false,
  };
}

function stringOperand(st: RawInstruction, dest: boolean, size: number): MemOperand {
  const seg = dest ? 0 : st.seg >= 0 ? st.seg : 3;
  return {
    kind: 'mem', size, seg, segOverride: !dest && st.seg >= 0, base: dest ? 7 : 6, index: -1, scale: 1, disp: 0,
    dispSize: 0, addrSize: st.addrSize, implicit: true,
  };
}

function imm(value: number, size: number, signExtended = false, implicit = false): ImmOperand {
  return { kind: 'imm', value, size, signExtended, implicit };
}

function operandsOf(row: OpRow, st: RawInstruction): Operand[] {
  const specs = specsOf(row);
  const out: Operand[] = [];
  const reg = (st.modrm >> 3) & 7, rm = st.modrm & 7, isMem = st.modrm >= 0 && st.modrm < 0xc0;
  const ob = st.opSize >> 3;
  let immIdx = 0;
  const nextImm = () => (immIdx++ === 0 ? st.imm0 : st.imm1);
  for (const s of specs) {
    switch (s.k) {
      case K.E:
        if (isMem) out.push(memOperand(st, sizeOf(s.size, st.opSize)));
        else out.push(gpr(rm, s.regSize === -1 ? ob : sizeOf(s.size, st.opSize)));
        break;
      case K.M:
        out.push(memOperand(st, sizeOf(s.size, st.opSize)));
        break;
      case K.G: out.push(gpr(reg, sizeOf(s.size, st.opSize))); break;
      case K.R: out.push(gpr(rm, 4)); break;
      case K.C: out.push({ kind: 'reg', cls: 'cr', index: reg, size: 4 }); break;
      case K.D: out.push({ kind: 'reg', cls: 'dr', index: reg, size: 4 }); break;
      case K.T: out.push({ kind: 'reg', cls: 'tr', index: reg, size: 4 }); break;
      case K.S: out.push({ kind: 'reg', cls: 'seg', index: row.tags & T_8086 ? reg & 3 : reg, size: 2 }); break;
      case K.Z: out.push(gpr(st.opcode & 7, sizeOf(s.size, st.opSize))); break;
      case K.Fixed: out.push(gpr(s.reg, s.regSize)); break;
      case K.FixedSeg: out.push({ kind: 'reg', cls: 'seg', index: s.reg, size: 2 }); break;
      case K.AccV: out.push(gpr(0, ob)); break;
      case K.ST: out.push({ kind: 'reg', cls: 'st', index: 0, size: 10 }); break;
      case K.STi: out.push({ kind: 'reg', cls: 'st', index: rm, size: 10 }); break;
      case K.One: out.push(imm(1, 1, false, true)); break;
      case K.I: {
        const v = nextImm();
        const n = s.size === 'b' ? 1 : s.size === 'w' ? 2 : ob;
        if (n === 1 && row.tags & T_SX) out.push(imm(ob === 4 ? ((v << 24) >> 24) >>> 0 : ((v << 24) >> 24) & 0xffff, 1, true));
        else out.push(imm(v, n));
        break;
      }
      case K.J: {
        const v = nextImm();
        const disp = s.size === 'b' ? (v << 24) >> 24 : ob === 2 ? (v << 16) >> 16 : v | 0;
        out.push({ kind: 'rel', disp, size: ob });
        break;
      }
      case K.A: {
        const far: FarOperand = { kind: 'far', offset: st.imm0, selector: st.imm1, size: ob };
        out.push(far);
        break;
      }
      case K.O: {
        const v = nextImm();
        out.push({
          kind: 'mem', size: sizeOf(s.size, st.opSize), seg: st.seg >= 0 ? st.seg : 3, segOverride: st.seg >= 0,
          base: -1, index: -1, scale: 1, disp: v | 0, dispSize: st.addrSize >> 3, addrSize: st.addrSize, implicit: false,
        });
        break;
      }
      case K.X: out.push(stringOperand(st, false, sizeOf(s.size, st.opSize))); break;
      case K.Y: out.push(stringOperand(st, true, sizeOf(s.size, st.opSize))); break;
    }
  }
  return out;
}

/** Absolute target of a relative operand for an instruction at offset `ip` (IP/EIP, not linear). */
export function relTarget(insn: Instruction, ip: number, disp: number, size: number): number {
  const t = ip + insn.length + disp;
  return size === 2 ? t & 0xffff : t >>> 0;
}
