// Builds the opcode dispatch array for a CPU model: the 80386 table is the base, and the 80286
// and 8086 are patches to it (removed instructions become #UD, the 8086's aliases and quirks
// replace handlers), so no handler ever tests the model. Prefixes are handlers that update the
// decode state and dispatch the next byte. SDM Vol. 2 Appendix A (opcode map).
// Pure TypeScript: no Node or VS Code imports.

import { decode } from '../decode/decoder';
import { decoderModelFor } from '../decode/table';
import { type Cpu, type CpuModel, type Handler, type ModelTraits, R8 } from './cpu';
import { UD } from './faults';
import { getAF, getCF, setStatus, szp } from './flags';
import { decodeEa, readE16 } from './modrm';
import { CS, DS, EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_STATUS, EFLAGS_ZF, ES, ESP, FS, GS, SS } from './regs';
import { aaa286, aad286, aamWith, aas286, daa286, das286, registerArith } from './exec/arith';
import { registerControl } from './exec/control';
import { registerIo } from './exec/io';
import { mov_Ew_Sw, mov_Sw_Ew, registerMove } from './exec/move';
import { registerShift, shift, shift386, shift8086 } from './exec/shift';
import { registerStack } from './exec/stack';
import { registerString } from './exec/string';
import { esc8086, registerSystem } from './exec/system';
import { MAP0F, def } from './exec/table';
import { installProtectedMode } from './protected/install';
import { BlockCache } from './jit/blocks';

export const MODEL_TRAITS: Record<CpuModel, ModelTraits> = {
  '8086': { flagsFixed1: 0xf000, flagsWritable: 0x0fd5, addressMask: 0xfffff, wrapSegments: true, divideErrorIsTrap: true, realOverrunIsGp: false, maxInsnLength: 0, stringFaultAdvances: false },
  '80286': { flagsFixed1: 0, flagsWritable: 0x0fd5, addressMask: 0xffffff, wrapSegments: false, divideErrorIsTrap: false, realOverrunIsGp: true, maxInsnLength: 10, stringFaultAdvances: true },
  // IOPL/NT are writable in real mode on the 80386; AC (bit 18) and ID (bit 21) exist on our 386+ core
  // so that CPUID detection by toggling EFLAGS.ID works.
  '80386': { flagsFixed1: 0, flagsWritable: 0x00247fd5, addressMask: 0xffffffff, wrapSegments: false, divideErrorIsTrap: false, realOverrunIsGp: false, maxInsnLength: 15, stringFaultAdvances: false },
};

const undefinedOpcode: Handler = (cpu) => cpu.fault(UD);

/**
 * Dispatches the byte after a prefix. The outermost prefix of an instruction restores the decode
 * state afterwards (also when it faults), so unprefixed instructions never pay for resetting it.
 * Only prefixed instructions can exceed the length limit (80286: 10 bytes, 80386: 15 bytes):
 * from the first prefix on, fetches past prevEip + limit - 1 raise #GP(0).
 */
function dispatchNext(cpu: Cpu): void {
  if (cpu.prefixes++ !== 0) {
    const op = cpu.fetch8();
    cpu.ops[op | (cpu.o32 << 9)](cpu);
    return;
  }
  if (cpu.traits.maxInsnLength > 0) {
    cpu.fetchLimit = Math.min(cpu.fetchLimit, cpu.prevEip + cpu.traits.maxInsnLength - 1);
    cpu.clampFetchWindow();
  }
  try {
    const op = cpu.fetch8();
    cpu.ops[op | (cpu.o32 << 9)](cpu);
  } finally {
    cpu.resetDecodeState();
  }
}

function segPrefix(seg: number): Handler {
  return (cpu) => {
    cpu.segOvr = seg;
    dispatchNext(cpu);
  };
}

/**
 * LOCK on the 80386: the shared decoder (emulator/decode) says whether the form takes LOCK; a form
 * that does not, or a register destination, is #UD (SDM Vol. 2 "LOCK"). Decoding here, on the
 * prefix path only, keeps one source of truth for lockable forms at no cost to unprefixed code.
 */
const lockPrefix: Handler = (cpu) => {
  const start = (cpu.base[CS] + cpu.prevEip) >>> 0;
  const insn = decode((i) => cpu.readLin8((start + i) | 0), cpu.code32 ? 32 : 16, decoderModelFor('80386'));
  if (insn.lockFault) cpu.fault(UD);
  dispatchNext(cpu);
};

const twoByte: Handler = (cpu) => {
  const op = cpu.fetch8();
  cpu.ops[MAP0F | op | (cpu.o32 << 9)](cpu);
};

function base386(): Handler[] {
  const ops: Handler[] = new Array(0x400).fill(undefinedOpcode);
  registerArith(ops);
  registerShift(ops);
  registerMove(ops);
  registerStack(ops);
  registerControl(ops);
  registerString(ops);
  registerIo(ops);
  registerSystem(ops);
  def(ops, 0x26, segPrefix(ES));
  def(ops, 0x2e, segPrefix(CS));
  def(ops, 0x36, segPrefix(SS));
  def(ops, 0x3e, segPrefix(DS));
  def(ops, 0x64, segPrefix(FS));
  def(ops, 0x65, segPrefix(GS));
  def(ops, 0x66, (cpu) => { cpu.o32 = cpu.code32 ^ 1; dispatchNext(cpu); });
  def(ops, 0x67, (cpu) => { cpu.a32 = cpu.code32 ^ 1; dispatchNext(cpu); });
  def(ops, 0xf0, lockPrefix);
  def(ops, 0xf2, (cpu) => { cpu.rep = 1; dispatchNext(cpu); });
  def(ops, 0xf3, (cpu) => { cpu.rep = 2; dispatchNext(cpu); });
  def(ops, 0x0f, twoByte);
  return ops;
}

/** 0F-map opcodes that exist on the 80286: the system group, LAR/LSL, CLTS. */
const OPS_0F_286 = [0x00, 0x01, 0x02, 0x03, 0x06];

function patch286(ops: Handler[]): void {
  for (let op = 0; op < 0x100; op++) {
    if (!OPS_0F_286.includes(op)) def(ops, MAP0F | op, undefinedOpcode);
  }
  for (const op of [0x64, 0x65, 0x66, 0x67]) def(ops, op, undefinedOpcode);
  // The 80286 and 8086 ignore LOCK on any instruction (the 80286 vectors include `lock leave`).
  def(ops, 0xf0, dispatchNext);
  def(ops, 0xf1, undefinedOpcode);
  def(ops, 0x8c, mov_Ew_Sw(DS));
  def(ops, 0x8e, mov_Sw_Ew(DS));
  // The flags the manuals leave undefined, as the 80286 vectors show them (the base has the 386's).
  def(ops, 0x27, daa286);
  def(ops, 0x2f, das286);
  def(ops, 0x37, aaa286);
  def(ops, 0x3f, aas286);
  def(ops, 0xd5, aad286);
  def(ops, 0xd4, aamWith(EFLAGS_PF));
}

/** AAA/AAS on the 8086 adjust AL and AH separately (no carry from AL into AH). */
const aaa8086: Handler = (cpu) => {
  if ((cpu.r8[0] & 0xf) > 9 || getAF(cpu)) {
    cpu.r8[0] = (cpu.r8[0] + 6) & 0xff;
    cpu.r8[1] = (cpu.r8[1] + 1) & 0xff;
    setStatus(cpu, EFLAGS_CF | EFLAGS_AF, EFLAGS_CF | EFLAGS_AF);
  } else setStatus(cpu, EFLAGS_CF | EFLAGS_AF, 0);
  cpu.r8[0] &= 0xf;
};
const aas8086: Handler = (cpu) => {
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

function patch8086(ops: Handler[]): void {
  patch286(ops);
  for (let op = 0; op < 0x100; op++) def(ops, MAP0F | op, undefinedOpcode);
  // 8086: every byte executes something. 0F is POP CS; 60-6F alias the Jcc block; C0/C1 alias RET imm/RET,
  // C8/C9 alias RETF imm/RETF; F1 is a LOCK alias. No 186 instructions exist.
  def(ops, 0x0f, (cpu) => { cpu.sel[CS] = cpu.pop16(); cpu.base[CS] = cpu.sel[CS] << 4; cpu.flushFetch(); cpu.csLoaded(); });
  for (let op = 0x60; op < 0x70; op++) def(ops, op, ops[op + 0x10]);
  def(ops, 0xc0, ops[0xc2]);
  def(ops, 0xc1, ops[0xc3]);
  def(ops, 0xc8, ops[0xca]);
  def(ops, 0xc9, ops[0xcb]);
  def(ops, 0xf1, ops[0xf0]);
  for (let op = 0xd8; op <= 0xdf; op++) def(ops, op, esc8086);
  // POP Ev ignores ModRM.reg on the 8086.
  def(ops, 0x8f, (cpu) => {
    const m = cpu.fetch8();
    const v = cpu.pop16();
    if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = v; return; }
    decodeEa(cpu, m);
    cpu.wr16(cpu.eaSeg, cpu.eaOff, v);
  });
  // C6/C7 ignore ModRM.reg on the 8086.
  def(ops, 0xc6, (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) { cpu.r8[R8[m & 7]] = cpu.fetch8(); return; }
    decodeEa(cpu, m);
    cpu.wr8(cpu.eaSeg, cpu.eaOff, cpu.fetch8());
  });
  def(ops, 0xc7, (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = cpu.fetch16(); return; }
    decodeEa(cpu, m);
    cpu.wr16(cpu.eaSeg, cpu.eaOff, cpu.fetch16());
  });
  def(ops, 0x37, aaa8086);
  def(ops, 0xf6, repNegatesQuotient(ops[0xf6], true));
  def(ops, 0xf7, repNegatesQuotient(ops[0xf7], false));
  def(ops, 0x27, decimalAdjust8086(false));
  def(ops, 0x2f, decimalAdjust8086(true));
  def(ops, 0x3f, aas8086);
  def(ops, 0xd4, aamWith(EFLAGS_ZF | EFLAGS_PF));
  // PUSH SP stores the decremented value on the 8086 (SDM "PUSH" note on the 8086).
  def(ops, 0x54, (cpu) => { const sp = (cpu.r16[ESP * 2] - 2) & 0xffff; cpu.wr16(SS, sp, sp); cpu.r16[ESP * 2] = sp; });
  // MOV Sw,Ew and MOV Ew,Sw use only two bits of ModRM.reg; MOV CS,Ew loads CS.
  def(ops, 0x8e, (cpu) => {
    const m = cpu.fetch8();
    const s = (m >> 3) & 3;
    const v = readE16(cpu, m);
    cpu.sel[s] = v;
    cpu.base[s] = v << 4;
    if (s === CS) {
      cpu.flushFetch();
      cpu.csLoaded();
    }
    if (s === SS) cpu.inhibitInterrupts();
  });
  def(ops, 0x8c, (cpu) => {
    const m = cpu.fetch8();
    const v = cpu.sel[(m >> 3) & 3];
    if (m >= 0xc0) cpu.r16[(m & 7) << 1] = v;
    else { decodeEa(cpu, m); cpu.wr16(cpu.eaSeg, cpu.eaOff, v); }
  });
}

/** Installs the model's dispatch table and behaviour hooks on `cpu`. */
export function installModel(cpu: Cpu): void {
  const ops = base386();
  cpu.baseOps = ops.slice();
  if (cpu.model === '80286') patch286(ops);
  if (cpu.model === '8086') patch8086(ops);
  cpu.ops = ops;
  if (cpu.model === '8086') {
    cpu.shiftMask = 0xff;
    cpu.shiftOp = shift8086;
    cpu.idivMin8 = -127;
    cpu.idivMin16 = -32767;
    cpu.pushSpValue = (c) => (c.r16[ESP * 2] - 2) & 0xffff;
    // FF /7 is an alias of PUSH Ev on the 8086.
    cpu.ffSlot7 = (c, m) => c.push16(m >= 0xc0 && (m & 7) === ESP ? (c.r16[ESP * 2] - 2) & 0xffff : readE16(c, m));
  } else {
    cpu.shiftMask = 0x1f;
    cpu.shiftOp = cpu.model === '80386' ? shift386 : shift;
  }
  if (cpu.model === '80286') {
    cpu.cr0Writable = 0xf;
    cpu.cr0Fixed1 = 0xfff0;
    cpu.cr0 |= 0xfff0;
    cpu.sgdtHighByte = 0xff000000;
  }
  installProtectedMode(cpu);
  cpu.jit = new BlockCache(cpu);
}
