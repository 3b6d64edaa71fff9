// The x87 escapes D8-DF and WAIT on a CPU with an FPU (cpu.fpu, emulator/cpu/fpu/x87.ts): ModRM
// decoding, memory operands, CR0.EM/MP/TS (#NM), pending unmasked exceptions reported by the next
// waiting instruction as #MF (CR0.NE = 1) or through FERR# to IRQ13 (CR0.NE = 0, cleared by a
// write to port F0h), and the last-instruction pointers. installFpu patches a model's dispatch.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §8.1.8, §8.6-8.7, Vol. 3 §2.5 (CR0), §9.2.
import { type Cpu, type Handler, SEG_R, SEG_W } from '../cpu';
import { FXSAVE_ALIGN, MF_PENDING, NM_ESCAPE, NM_WAIT, UD_OPCODE } from '../faultRules';
import { decodeEa } from '../modrm';
import { CR0_EM, CR0_MP, CR0_NE, CR0_PE, CR0_TS, CS, EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_VM, EFLAGS_ZF } from '../regs';
import { CMP_EQ, CMP_LT, CMP_UN } from '../fpu/arith';
import { FX_X87_BYTES, OP_ADD, OP_DIV, OP_DIVR, OP_MUL, OP_SUB, OP_SUBR, type MemFormat, type MemValue, type X87 } from '../fpu/x87';
import { decodeTier, tierRank } from '../../decode/table';
import { setStatus } from '../flags';
import { condition } from './conditions';
import { ESC } from './system';
import { forms, type Handlers, type Patch, undefinedOpcode } from './table';

/** Bytes of a memory operand per format. */
const SIZE: Record<MemFormat, number> = { m32: 4, m64: 8, m80: 10, i16: 2, i32: 4, i64: 8, bcd: 10 };

function readBytes(cpu: Cpu, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = cpu.rd8(cpu.eaSeg, (cpu.eaOff + i) >>> 0);
  return out;
}

function writeBytes(cpu: Cpu, b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) cpu.wr8(cpu.eaSeg, (cpu.eaOff + i) >>> 0, b[i]);
}

/**
 * Faults now if `n` bytes at the operand cannot be written (limit, type, page), before the unit
 * changes state, so a restarted store finds it as it was: the first and last bytes are rewritten
 * with their own values (an operand of at most 108 bytes, or FXSAVE's 16-byte aligned 512, touches
 * at most two pages).
 */
function probeWrite(cpu: Cpu, n: number): void {
  for (const at of [0, n - 1]) {
    const off = (cpu.eaOff + at) >>> 0;
    cpu.wr8(cpu.eaSeg, off, cpu.rd8(cpu.eaSeg, off));
  }
}

/** Operand alignment under alignment checking (SDM Vol. 3 Table 6-7); packed BCD has none. */
const ALIGN: Record<MemFormat, number> = { m32: 4, m64: 8, m80: 8, i16: 2, i32: 4, i64: 8, bcd: 1 };

/**
 * #AC for a misaligned operand, checked once before any access (the accesses below are dwords and
 * bytes, and a store's must not fault after the unit popped). The environment images are not checked.
 */
function alignOperand(cpu: Cpu, fmt: MemFormat, need: number): void {
  if (cpu.alignCheck) cpu.checkData(cpu.eaSeg, cpu.eaOff, ALIGN[fmt], need);
}

function readMem(cpu: Cpu, fmt: MemFormat): MemValue {
  const seg = cpu.eaSeg, off = cpu.eaOff;
  alignOperand(cpu, fmt, SEG_R);
  switch (fmt) {
    case 'm32': case 'i32': return cpu.rd32(seg, off);
    case 'i16': return cpu.rd16(seg, off);
    case 'm64': case 'i64': {
      const lo = cpu.rd32(seg, off), hi = cpu.rd32(seg, (off + 4) >>> 0);
      return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    }
    default: return readBytes(cpu, 10);
  }
}

function writeMem(cpu: Cpu, fmt: MemFormat, v: MemValue): void {
  switch (fmt) {
    case 'm32': case 'i32': return cpu.wr32(cpu.eaSeg, cpu.eaOff, v as number);
    case 'i16': return cpu.wr16(cpu.eaSeg, cpu.eaOff, v as number);
    case 'm64': case 'i64': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, v as bigint, true);
      return writeBytes(cpu, b);
    }
    default: return writeBytes(cpu, v as Uint8Array);
  }
}

/**
 * A pending unmasked exception at a waiting instruction: #MF with CR0.NE = 1; with NE = 0 FERR#
 * has already raised IRQ13 (the PC's DOS-compatible wiring) and the instruction goes on.
 */
function checkPending(cpu: Cpu, fpu: X87): void {
  if (!fpu.pending()) return;
  if (cpu.cr0 & CR0_NE) cpu.faultRule(MF_PENDING, -1, -1, 0, cpu.cr0, fpu.status());
  cpu.ferr();
}

/** After an instruction: a new unmasked exception asserts FERR# at once when CR0.NE = 0. */
function afterInsn(cpu: Cpu, fpu: X87): void {
  if (fpu.pending() && (cpu.cr0 & CR0_NE) === 0) cpu.ferr();
}

function envMode(cpu: Cpu): { op32: boolean; protectedMode: boolean } {
  return { op32: cpu.o32 !== 0, protectedMode: (cpu.cr0 & CR0_PE) !== 0 && (cpu.flags & EFLAGS_VM) === 0 };
}

/** Records FIP/FCS/FOP (and FDP/FDS for memory forms): real-mode images hold linear addresses. */
function recordPointers(cpu: Cpu, fpu: X87, opcode: number, m: number): void {
  const real = !envMode(cpu).protectedMode;
  fpu.fop = ((opcode & 7) << 8) | m;
  fpu.fip = real ? (cpu.base[CS] + cpu.prevEip) >>> 0 : cpu.prevEip;
  fpu.fcs = cpu.sel[CS];
  if (m < 0xc0) {
    fpu.fdp = real ? (cpu.base[cpu.eaSeg] + cpu.eaOff) >>> 0 : cpu.eaOff;
    fpu.fds = cpu.sel[cpu.eaSeg];
  }
}

// D8/DC register forms by ModRM.reg; DC/DE reverse SUB/SUBR and DIV/DIVR (ST(i) is the destination).
const D8_OPS = [OP_ADD, OP_MUL, -1, -1, OP_SUB, OP_SUBR, OP_DIV, OP_DIVR];
const DC_OPS = [OP_ADD, OP_MUL, -1, -1, OP_SUBR, OP_SUB, OP_DIVR, OP_DIV];
const ARITH_MEM: MemFormat[] = ['m32', 'i32', 'm64', 'i16']; // D8, DA, DC, DE

const D9_UNARY = { 0xe0: 'fchs', 0xe1: 'fabs', 0xf0: 'f2xm1', 0xf2: 'fptan', 0xf4: 'fxtract', 0xfa: 'fsqrt', 0xfb: 'fsincos', 0xfc: 'frndint', 0xfe: 'fsin', 0xff: 'fcos' } as const;
const D9_ST01 = { 0xf1: 'fyl2x', 0xf3: 'fpatan', 0xf5: 'fprem1', 0xf8: 'fprem', 0xf9: 'fyl2xp1', 0xfd: 'fscale' } as const;
const D9_CONST = { 0xe8: '1', 0xe9: 'l2t', 0xea: 'l2e', 0xeb: 'pi', 0xec: 'lg2', 0xed: 'ln2', 0xee: 'z' } as const;

/** Whether an escape form is a control instruction that neither waits nor records pointers. */
function isNoWait(opcode: number, m: number): boolean {
  const reg = (m >> 3) & 7;
  if (m < 0xc0) return (opcode === 0xd9 && (reg === 6 || reg === 7)) || (opcode === 0xdd && (reg === 6 || reg === 7));
  return (opcode === 0xdb && (m === 0xe2 || m === 0xe3)) || (opcode === 0xdf && m === 0xe0);
}

/** Control instructions that wait but leave the pointers alone: FLDCW, FLDENV, FRSTOR. */
function isControl(opcode: number, m: number): boolean {
  const reg = (m >> 3) & 7;
  return m < 0xc0 && ((opcode === 0xd9 && (reg === 4 || reg === 5)) || (opcode === 0xdd && reg === 4));
}

function memForm(cpu: Cpu, fpu: X87, opcode: number, m: number): void {
  const reg = (m >> 3) & 7;
  switch (opcode) {
    case 0xd8: case 0xda: case 0xdc: case 0xde: {
      const fmt = ARITH_MEM[(opcode - 0xd8) >> 1];
      const v = readMem(cpu, fmt);
      if (reg === 2 || reg === 3) return fpu.fcomMem(fmt, v, reg === 3);
      return fpu.arithMem(D8_OPS[reg], fmt, v);
    }
    case 0xd9:
      switch (reg) {
        case 0: return fpu.fldMem('m32', readMem(cpu, 'm32'));
        case 2: case 3: return store(cpu, fpu, 'm32', reg === 3);
        case 4: return fpu.fldenv(readBytes(cpu, cpu.o32 ? 28 : 14), envMode(cpu));
        case 5: return fpu.fldcw(cpu.rd16(cpu.eaSeg, cpu.eaOff));
        case 6: {
          const mode = envMode(cpu);
          probeWrite(cpu, mode.op32 ? 28 : 14);
          return writeBytes(cpu, fpu.fnstenv(mode));
        }
        case 7: return cpu.wr16(cpu.eaSeg, cpu.eaOff, fpu.cw);
      }
      break;
    case 0xdb:
      switch (reg) {
        case 0: return fpu.fldMem('i32', readMem(cpu, 'i32'));
        case 2: case 3: return store(cpu, fpu, 'i32', reg === 3);
        case 5: return fpu.fldMem('m80', readMem(cpu, 'm80'));
        case 7: return store(cpu, fpu, 'm80', true);
      }
      break;
    case 0xdd:
      switch (reg) {
        case 0: return fpu.fldMem('m64', readMem(cpu, 'm64'));
        case 2: case 3: return store(cpu, fpu, 'm64', reg === 3);
        case 4: return fpu.frstor(readBytes(cpu, (cpu.o32 ? 28 : 14) + 80), envMode(cpu));
        case 6: {
          const mode = envMode(cpu);
          probeWrite(cpu, (mode.op32 ? 28 : 14) + 80);
          return writeBytes(cpu, fpu.fnsave(mode));
        }
        case 7: return cpu.wr16(cpu.eaSeg, cpu.eaOff, fpu.status());
      }
      break;
    case 0xdf:
      switch (reg) {
        case 0: return fpu.fldMem('i16', readMem(cpu, 'i16'));
        case 2: case 3: return store(cpu, fpu, 'i16', reg === 3);
        case 4: return fpu.fldMem('bcd', readMem(cpu, 'bcd'));
        case 5: return fpu.fldMem('i64', readMem(cpu, 'i64'));
        case 6: return store(cpu, fpu, 'bcd', true);
        case 7: return store(cpu, fpu, 'i64', true);
      }
      break;
  }
  cpu.faultRule(UD_OPCODE, -1, -1, 0); // reserved forms and FISTTP (SSE3)
}

/** A store: the destination is checked before the unit pops, so a fault restarts cleanly. */
function store(cpu: Cpu, fpu: X87, fmt: MemFormat, pop: boolean): void {
  alignOperand(cpu, fmt, SEG_W);
  probeWrite(cpu, SIZE[fmt]);
  const v = fpu.fstMem(fmt, pop);
  if (v !== null) writeMem(cpu, fmt, v);
}

/** FCMOVcc's conditions by ModRM.reg (DA: B, E, BE, U; DB their negations), as Jcc's condition codes. */
const FCMOV_CC = [2, 4, 6, 10];

/**
 * FCOMI's result in EFLAGS: ZF, PF and CF as the comparison says (left alone when an unmasked
 * exception gives none); OF, SF and AF cleared in either case (SDM Vol. 2 FCOMI; QEMU keeps them).
 */
function comiFlags(cpu: Cpu, r: number | null): void {
  const zpc = r === null ? 0 : EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF;
  const bits = r === CMP_LT ? EFLAGS_CF : r === CMP_EQ ? EFLAGS_ZF : r === CMP_UN ? EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF : 0;
  setStatus(cpu, EFLAGS_OF | EFLAGS_SF | EFLAGS_AF | zpc, bits);
}

/** The P6's register forms (FCMOVcc, FCOMI, FUCOMI and their popping forms); false for any other. */
function p6Form(cpu: Cpu, fpu: X87, opcode: number, m: number): boolean {
  const reg = (m >> 3) & 7, i = m & 7;
  if ((opcode === 0xda || opcode === 0xdb) && reg < 4) {
    fpu.fcmov(i, condition(cpu, FCMOV_CC[reg] + (opcode === 0xdb ? 1 : 0)));
    return true;
  }
  if ((opcode === 0xdb || opcode === 0xdf) && (reg === 5 || reg === 6)) {
    comiFlags(cpu, fpu.fcomi(i, opcode === 0xdf, reg === 5));
    return true;
  }
  return false;
}

function regForm(cpu: Cpu, fpu: X87, opcode: number, m: number, p6: boolean): void {
  const reg = (m >> 3) & 7, i = m & 7;
  if (p6 && p6Form(cpu, fpu, opcode, m)) return;
  switch (opcode) {
    case 0xd8:
      if (reg === 2 || reg === 3) return fpu.fcom(i, reg - 2, false);
      return fpu.arith(D8_OPS[reg], 0, i, false);
    case 0xdc: case 0xde: {
      const pop = opcode === 0xde;
      if (reg === 2) return fpu.fcom(i, 1, false); // DC D0 (FCOM alias), DE D0 (FCOMP alias)
      if (reg === 3) {
        if (!pop) return fpu.fcom(i, 1, false);
        if (m === 0xd9) return fpu.fcom(1, 2, false); // FCOMPP
        break;
      }
      return fpu.arith(DC_OPS[reg], i, 0, pop);
    }
    case 0xd9:
      if (reg === 0) return fpu.fld(i);
      if (reg === 1) return fpu.fxch(i);
      if (reg === 3) return fpu.fst(i, true); // FSTP1 (undocumented alias)
      if (m === 0xd0) return;
      if (m === 0xe4) return fpu.ftst();
      if (m === 0xe5) return fpu.fxam();
      if (m === 0xf6) return fpu.fdecstp();
      if (m === 0xf7) return fpu.fincstp();
      if (m in D9_UNARY) return fpu.unary(D9_UNARY[m as keyof typeof D9_UNARY]);
      if (m in D9_ST01) return fpu.st01(D9_ST01[m as keyof typeof D9_ST01]);
      if (m in D9_CONST) return fpu.fldConst(D9_CONST[m as keyof typeof D9_CONST]);
      break;
    case 0xda:
      if (m === 0xe9) return fpu.fcom(1, 2, true); // FUCOMPP
      break;
    case 0xdb:
      if (m === 0xe2) return fpu.fnclex();
      if (m === 0xe3) return fpu.fninit();
      if (m === 0xe0 || m === 0xe1 || m === 0xe4) return; // FENI, FDISI, FSETPM: no-ops on the 387 and later
      break;
    case 0xdd:
      if (reg === 0) return fpu.ffree(i);
      if (reg === 1) return fpu.fxch(i); // FXCH4 alias
      if (reg === 2 || reg === 3) return fpu.fst(i, reg === 3);
      if (reg === 4 || reg === 5) return fpu.fcom(i, reg - 4, true);
      break;
    case 0xdf:
      if (reg === 0) {
        fpu.ffree(i); // FFREEP (undocumented): FFREE, then pop
        return fpu.pop();
      }
      if (reg === 1) return fpu.fxch(i);
      if (reg === 2 || reg === 3) return fpu.fst(i, true);
      if (m === 0xe0) {
        cpu.r16[0] = fpu.status(); // FNSTSW AX
        return;
      }
      break;
  }
  cpu.faultRule(UD_OPCODE, -1, -1, 0);
}

function escape(opcode: number, p6: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    // SDM Vol. 3 §2.5: CR0.EM = 1 or CR0.TS = 1 makes every x87 instruction #NM.
    if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.faultRule(NM_ESCAPE, -1, -1, 0, cpu.cr0);
    const fpu = cpu.fpu as X87;
    if (m < 0xc0) decodeEa(cpu, m);
    if (!isNoWait(opcode, m)) checkPending(cpu, fpu);
    if (!isNoWait(opcode, m) && !isControl(opcode, m)) recordPointers(cpu, fpu, opcode, m);
    if (m < 0xc0) memForm(cpu, fpu, opcode, m);
    else regForm(cpu, fpu, opcode, m, p6);
    afterInsn(cpu, fpu);
  };
}

/** WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set; then a pending exception is reported. */
const fwait: Handler = (cpu) => {
  if ((cpu.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) cpu.faultRule(NM_WAIT, -1, -1, 0, cpu.cr0);
  checkPending(cpu, cpu.fpu as X87);
};

/** FXSAVE's area: 512 bytes at a 16-byte aligned linear address. */
const FX_AREA = 512;
/** Whether FXSAVE writes byte `i` of the x87 region: not MXCSR (24-31), not bytes 10-15 of a register's slot. */
const fxWritten = (i: number): boolean => i < 24 || (i >= 32 && (i & 15) < 10);

/**
 * FXSAVE and FXRSTOR (0F AE /0, /1; SDM Vol. 2): the x87 state to and from the area's first 160
 * bytes. There is no SSE state (MXCSR, XMM registers), so the rest of the area is neither written
 * nor read, nor are a register slot's 6 reserved bytes: as QEMU does with CR4.OSFXSR clear (with it
 * set QEMU writes its SSE state even on -cpu pentium2). Neither waits for a pending exception nor
 * records the pointers; a misaligned area is #GP(0) and the whole area must lie in the segment. A
 * CPU without an x87 has nothing to save: #UD.
 */
const fxstate: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  if (m >= 0xc0 || reg > 1 || !cpu.fpu) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.faultRule(NM_ESCAPE, -1, -1, 0, cpu.cr0);
  decodeEa(cpu, m);
  const lin = (cpu.base[cpu.eaSeg] + cpu.eaOff) >>> 0;
  if (lin & 15) cpu.faultRule(FXSAVE_ALIGN, 0, -1, 0, 0, 0, FX_AREA, lin, 0, cpu.eaSeg);
  const fpu = cpu.fpu as X87;
  if (reg === 0) {
    probeWrite(cpu, FX_AREA);
    const img = fpu.fxsave(envMode(cpu));
    for (let i = 0; i < FX_X87_BYTES; i++) if (fxWritten(i)) cpu.wr8(cpu.eaSeg, (cpu.eaOff + i) >>> 0, img[i]);
  } else {
    cpu.rd8(cpu.eaSeg, (cpu.eaOff + FX_AREA - 1) >>> 0);
    fpu.fxrstor(readBytes(cpu, FX_X87_BYTES), envMode(cpu));
  }
};

/** The handlers of 0F AE's rows. */
export const FXSTATE: Handlers = forms(['fxsave_M', 'fxrstor_M'], fxstate);
/** The default 80386 core has no FXSAVE (its CPUID does not report FXSR): 0F AE is #UD there. */
export const FXSTATE_80386: Patch = [[fxstate, undefinedOpcode]];

const ESCAPES = [0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf];
/** The escapes of the 387, 486 and Pentium, and those with the P6's forms. */
const X87_ESC = ESCAPES.map((op) => escape(op, false));
const X87_ESC_P6 = ESCAPES.map((op) => escape(op, true));

/**
 * Gives `cpu` (with cpu.fpu set) the x87: its escape and WAIT entries of the dispatch array are
 * replaced. The P6's forms run where the model decodes them (the pentium2 model, and the default
 * 80386 core, which decodes every later instruction, with a 387).
 */
export function installFpu(cpu: Cpu): void {
  const wait = cpu.ops[0x9b];
  const escapes = tierRank(decodeTier(cpu.model)) >= tierRank('pentium2') ? X87_ESC_P6 : X87_ESC;
  for (let i = 0; i < cpu.ops.length; i++) {
    const e = ESC.indexOf(cpu.ops[i]);
    if (e >= 0) cpu.ops[i] = escapes[e];
    else if (cpu.ops[i] === wait) cpu.ops[i] = fwait;
  }
}
