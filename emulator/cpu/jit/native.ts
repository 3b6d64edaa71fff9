// Native forms: what the block compiler writes out for the instructions boot loops are made of, as
// data (Native) the emitter places: the code with its holes, what it touches, its flags effect and,
// for a branch, its test and target. Semantics stay the interpreter's: helpers are its helpers,
// operands come from the shared decoder, and test/cpu/jit.test.ts checks every form against it.
// Pure TypeScript: no Node or VS Code imports.

import type { Instruction } from '../../decode/decoder';
import { flowOf } from '../../decode/flow';
import type { Cpu } from '../cpu';
import { nearEipBeyond, nearJump } from '../exec/control';
import { ALU_AND, ALU_CMP, ALU_PRODUCER, aluWithCarry } from '../exec/alu';
import { shift, shift386, shiftAF, shld, shlResult, shlStatus, shrd } from '../exec/shift';
import { LZ_DEC, LZ_INC, INC_DEC_LAZY, setStatus, szp } from '../flags';
import { CS, DS, EFLAGS_CF, EFLAGS_DF, EFLAGS_STATUS, ES, GS, SS } from '../regs';
import { hex } from '../../../protocol/format';
import { effectiveAddress, farJump, pop, push, rd, readE, reg16, reg32, reg8, regOf, segLoad, setStackPointer, stackPointer, wr } from './access';
import { type Code, flag, hasSlow, js, ref } from './code';
import { expand, incDec, lazyResult, maskOf, type Producer, signOf } from './flagCode';

/** What the code of one instruction needs around it. */
export const enum Kind {
  /** Registers and flags only: no fault, no memory, no EIP; only the instruction count is deferred. */
  Pure,
  /** Has slow holes (memory, segment loads): they settle count, prevEip and EIP; return if an attention bit came up. */
  Effect,
  /** Transfers control (or may): sets EIP itself, the block ends unless its flow goes on. */
  End,
}

/**
 * How an instruction's code touches the status flags: not at all, as a lazy producer into the
 * block's flag locals, through the CPU's own flag state (helpers), which must then be current
 * before it and is the truth after it, or ('set') by setting every status flag in the CPU itself
 * after its last slow hole, dropping the locals: nothing to settle before it.
 */
export type FlagUse = 'none' | 'cpu' | 'set' | Producer;

/** A branch's test: condition code `cc` of a Jcc, or LOOP/LOOPE/LOOPNE/JCXZ (`loop`: opcode & 3). */
export type Test = { cc: number } | { loop: number; a32: boolean };

export interface Native {
  kind: Kind;
  /** The instruction (empty for a branch: the emitter writes it from `branch`). */
  code: Code;
  flags: FlagUse;
  /** A direct near branch: taken when `test` holds (always when null), to `target`. */
  branch?: { test: Test | null; target: number };
  /** The segment register it loads, if any. */
  loadsSeg?: number;
}

function native(mem: boolean, code: Code, flags: FlagUse = 'none'): Native {
  const body = js`{ ${code} }`;
  return { kind: mem || hasSlow(body) ? Kind.Effect : Kind.Pure, code: body, flags };
}

const branch = (test: Test | null, target: number): Native => ({ kind: Kind.End, code: [], flags: 'none', branch: { test, target } });
const transfer = (code: Code, flags: FlagUse): Native => ({ kind: Kind.End, code, flags });

/**
 * `a op b` for ALU operation `aop` (ModRM.reg order) as an expression, with its flags effect. ADC
 * and SBB take CF from the block's flag state (a flag hole) and set every status flag in the CPU,
 * so the block's pending producer is dropped, not settled.
 */
function aluOp(aop: number, a: Code | string, b: Code | string, size: number): { value: Code; flags: FlagUse } {
  const lz = ALU_PRODUCER[aop];
  if (lz < 0) return { value: js`(($v = ${ref(aluWithCarry)}(cpu, ${aop}, ${a}, ${b}, ${flag(EFLAGS_CF)} ? 1 : 0, ${maskOf(size)})), ($fl = 0), $v)`, flags: 'set' };
  return { value: lazyResult(aop, a, b, size), flags: { op: lz, size, lazy: EFLAGS_STATUS } };
}

/** ALU forms 00-3D: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz. */
function aluForm(insn: Instruction): Native {
  const op = insn.opcode, aop = op >> 3, form = op & 7;
  const size = form === 0 || form === 2 || form === 4 ? 8 : insn.opSize;
  const store = aop !== ALU_CMP;
  if (form >= 4) {
    const acc = regOf(size, 0);
    const r = aluOp(aop, acc, hex(insn.imm[0]), size);
    return native(false, store ? js`${acc} = ${r.value};` : js`${r.value};`, r.flags);
  }
  const e = readE(insn, size);
  const g = regOf(size, insn.modrm!.reg);
  const load = e.mem ? js`const v = ${e.value};` : [];
  const ev = e.mem ? 'v' : e.value;
  const r = form < 2 ? aluOp(aop, ev, g, size) : aluOp(aop, g, ev, size);
  const result = !store ? js`${r.value};` : form < 2 ? e.write(r.value) : js`${g} = ${r.value};`;
  return native(e.mem, js`${e.pre} ${load} ${result}`, r.flags);
}

/** Group 1 (80/81/83), TEST, MOV, LEA, MOV Ev,Iz, INC/DEC Ev, shifts, SHLD/SHRD, MOVZX/MOVSX: the ModRM forms. */
function modrmForm(cpu: Cpu, insn: Instruction): Native | null {
  const op = insn.opcode, osize = insn.opSize, m = insn.modrm!;
  switch (op) {
    case 0x80: case 0x81: case 0x83: {
      const size = op === 0x80 ? 8 : osize;
      const imm = op === 0x83 ? (osize === 16 ? ((insn.imm[0] << 24) >> 24) & 0xffff : ((insn.imm[0] << 24) >> 24) >>> 0) : insn.imm[0];
      const e = readE(insn, size);
      const r = aluOp(m.reg, 'v', hex(imm), size);
      return native(e.mem, js`${e.pre} const v = ${e.value}; ${m.reg !== ALU_CMP ? e.write(r.value) : js`${r.value};`}`, r.flags);
    }
    case 0x84: case 0x85: {
      const size = op === 0x84 ? 8 : osize;
      const e = readE(insn, size);
      return native(e.mem, js`${e.pre} ${lazyResult(ALU_AND, e.value, regOf(size, m.reg), size)};`, { op: ALU_PRODUCER[ALU_AND], size, lazy: EFLAGS_STATUS });
    }
    case 0x88: case 0x89: {
      const e = readE(insn, op === 0x88 ? 8 : osize);
      return native(e.mem, js`${e.pre} ${e.write(regOf(op === 0x88 ? 8 : osize, m.reg))}`);
    }
    case 0x8a: case 0x8b: {
      const size = op === 0x8a ? 8 : osize;
      const e = readE(insn, size);
      return native(e.mem, js`${e.pre} ${regOf(size, m.reg)} = ${e.value};`);
    }
    case 0x8d: {
      if (m.mod === 3) return null;
      const { off } = effectiveAddress(insn);
      return native(false, [osize === 16 ? `${reg16(m.reg)} = ${off} & 0xffff;` : `${reg32(m.reg)} = ${off};`]);
    }
    case 0xc6: case 0xc7: {
      if (m.reg !== 0) return null;
      const e = readE(insn, op === 0xc6 ? 8 : osize);
      return native(e.mem, js`${e.pre} ${e.write(hex(insn.imm[0]))}`);
    }
    case 0xfe: case 0xff: {
      if (m.reg > 1) return null;
      const size = op === 0xfe ? 8 : osize;
      const e = readE(insn, size);
      const lz = m.reg === 1 ? LZ_DEC : LZ_INC;
      return native(e.mem, js`${e.pre} const v = ${e.value}; ${e.write(incDec(m.reg === 1, 'v', size))}`, { op: lz, size, lazy: INC_DEC_LAZY });
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const size = (op & 1) === 0 ? 8 : osize;
      const shl = shlConstant(cpu, insn, size);
      if (shl) return shl;
      const count = op <= 0xc1 ? hex(insn.imm[0]) : op <= 0xd1 ? '1' : reg8(1);
      const e = readE(insn, size);
      const cmask = size === 32 ? '0x1f' : 'cpu.shiftMask';
      return native(e.mem, js`${e.pre} const v = ${e.value}; const c = ${count} & ${cmask}; ${e.write(`cpu.shiftOp(cpu, ${m.reg}, v, c, ${maskOf(size)})`)}`, 'cpu');
    }
    case 0x0fa4: case 0x0fac: {
      // SHLD/SHRD Ev,Gv,Ib into a register: the interpreter's shld/shrd, which set every status flag
      // (a count of 0 changes nothing, flags included: its dispatch entry runs it).
      const c = insn.imm[0] & 0x1f;
      if (m.mod !== 3 || c === 0) return null;
      const dst = regOf(osize, m.rm);
      return native(false, js`${dst} = ${ref(op === 0x0fa4 ? shld : shrd)}(cpu, ${dst}, ${regOf(osize, m.reg)}, ${c}, ${osize}); $fl = 0;`, 'set');
    }
    case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf: {
      const e = readE(insn, op === 0x0fb6 || op === 0x0fbe ? 8 : 16);
      let v = e.value;
      if (op === 0x0fbe) v = osize === 16 ? js`((${v} << 24) >> 24) & 0xffff` : js`(${v} << 24) >> 24`;
      if (op === 0x0fbf && osize === 32) v = js`(${v} << 16) >> 16`;
      return native(e.mem, js`${e.pre} ${regOf(osize, m.reg)} = ${v};`);
    }
    case 0x8e:
      // MOV Sw,Ew: an SS load opens an interrupt shadow (its dispatch entry does that).
      if (m.reg === CS || m.reg === SS || m.reg > GS) return null;
      return { ...native(true, js`${effectiveOperand(insn)} ${segLoad(m.reg, 'v')}`), loadsSeg: m.reg };
  }
  return null;
}

/**
 * SHL/SAL by a constant count below the operand size on the 80286 and later (count masked to 5
 * bits): the interpreter's shlResult and shlStatus (exec/shift.ts) written out in place, with the
 * model's AF, the flags set after the store: every status flag, so the block's pending producer is
 * dropped, not settled.
 */
function shlConstant(cpu: Cpu, insn: Instruction, size: number): Native | null {
  const op = insn.opcode, m = insn.modrm!;
  if ((m.reg !== 4 && m.reg !== 6) || (op >= 0xd2) || (cpu.shiftOp !== shift && cpu.shiftOp !== shift386)) return null;
  const c = op <= 0xc1 ? insn.imm[0] & 0x1f : 1;
  if (c === 0 || c >= size) return null;
  const e = readE(insn, size), mask = maskOf(size);
  const status = expand(shlStatus, ['v', String(c), 'r', signOf(size), String(shiftAF(cpu.traits))]);
  const set = js`${ref(setStatus)}(cpu, ${EFLAGS_STATUS}, ${status} | ${ref(szp)}(r, ${mask})); $fl = 0;`;
  return native(e.mem, js`${e.pre} const v = ${e.value}; const r = ${expand(shlResult, ['v', String(c), mask])}; ${e.write('r')} ${set}`, 'set');
}

/** `const v = ` the 16-bit E operand. */
function effectiveOperand(insn: Instruction): Code {
  const e = readE(insn, 16);
  return js`${e.pre} const v = ${e.value};`;
}

/** Forms with the register or operand in the opcode: INC/DEC, PUSH/POP, MOV r,imm, moffs, segment registers. */
function registerForm(insn: Instruction, stack32: boolean): Native | null {
  const op = insn.opcode, osize = insn.opSize;
  if (op >= 0x40 && op <= 0x4f) {
    const r = regOf(osize, op & 7);
    return native(false, js`${r} = ${incDec(op >= 0x48, r, osize)};`, { op: op >= 0x48 ? LZ_DEC : LZ_INC, size: osize, lazy: INC_DEC_LAZY });
  }
  if (op >= 0x50 && op <= 0x57) return native(true, push(osize, regOf(osize, op & 7), stack32));
  if (op >= 0x58 && op <= 0x5f) return native(true, pop(osize, regOf(osize, op & 7), stack32));
  if (op === 0x68 || op === 0x6a) {
    const imm = op === 0x6a ? (insn.imm[0] << 24) >> 24 : insn.imm[0];
    return native(true, push(osize, hex(osize === 16 ? imm & 0xffff : imm >>> 0), stack32));
  }
  // PUSH/POP of ES, CS, SS, DS with a 16-bit operand (an SS load's interrupt shadow is its dispatch entry's).
  if ((op === 0x06 || op === 0x0e || op === 0x16 || op === 0x1e) && osize === 16) return native(true, push(16, `cpu.sel[${op >> 3}]`, stack32));
  if ((op === 0x07 || op === 0x1f) && osize === 16) {
    const pop = js`${stackPointer(stack32)} const s = s0; const v = ${rd(16, SS, 's')}; ${segLoad(op >> 3, 'v')} ${setStackPointer(stack32, 's + 2')}`;
    return { ...native(true, pop), loadsSeg: op >> 3 };
  }
  if (op >= 0xa0 && op <= 0xa3) {
    // MOV AL/eAX with a direct offset (moffs, in the immediate field; address-size wide).
    const size = (op & 1) === 0 ? 8 : osize;
    const seg = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
    const o = `const o = ${hex(insn.imm[0])};`;
    return native(true, op <= 0xa1 ? js`${o} ${regOf(size, 0)} = ${rd(size, seg, 'o')};` : js`${o} ${wr(size, seg, 'o', regOf(size, 0))}`);
  }
  // CLD/STD: DF lives in cpu.flags (no lazy state), as system.ts's handlers set it.
  if (op === 0xfc || op === 0xfd) return native(false, [op === 0xfc ? `cpu.flags &= ${~EFLAGS_DF};` : `cpu.flags |= ${EFLAGS_DF};`]);
  if (op >= 0xb0 && op <= 0xb7) return native(false, [`${reg8(op & 7)} = ${hex(insn.imm[0])};`]);
  if (op >= 0xb8 && op <= 0xbf) return native(false, [`${regOf(osize, op & 7)} = ${hex(insn.imm[0])};`]);
  return null;
}

/** LODS/STOS/MOVS without REP (a segment override applies to the source), on CPUs without the 80286's fault-time register stepping. */
function stringForm(cpu: Cpu, insn: Instruction): Native | null {
  const op = insn.opcode;
  if (!(op === 0xac || op === 0xad || op === 0xaa || op === 0xab || op === 0xa4 || op === 0xa5) || cpu.traits.stringFaultAdvances) return null;
  const size = (op & 1) === 0 ? 8 : insn.opSize;
  // SI and DI at the address size (the width they are written at: see access.ts stackPointer).
  const index = (r: number) => (insn.addrSize === 16 ? reg16(r) : reg32(r));
  const step = (r: number) => `${index(r)} = ${index(r)} + d;`;
  const d = `const d = cpu.flags & ${EFLAGS_DF} ? ${-(size >> 3)} : ${size >> 3};`;
  const si = `const o = ${index(6)};`, di = `const o = ${index(7)};`;
  const src = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
  if (op === 0xac || op === 0xad) return native(true, js`${d} ${si} ${regOf(size, 0)} = ${rd(size, src, 'o')}; ${step(6)}`);
  if (op === 0xaa || op === 0xab) return native(true, js`${d} ${di} ${wr(size, ES, 'o', regOf(size, 0))} ${step(7)}`);
  return native(true, js`${d} let v; { ${si} v = ${rd(size, src, 'o')}; } { ${di} ${wr(size, ES, 'o', 'v')} } ${step(6)} ${step(7)}`);
}

/** Transfers: EIP already holds the next instruction's offset (the return address) when these run. */
function transferForm(cpu: Cpu, insn: Instruction, eip: number): Native | null {
  const op = insn.opcode, osize = insn.opSize, stack32 = cpu.stackMask !== 0xffff;
  // Relative branch targets wrap at the operand size (the decoder's flow computes them so).
  const to = () => flowOf(insn, eip).target!;
  if ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f)) return branch({ cc: op & 0xf }, to());
  switch (op) {
    case 0xeb: case 0xe9:
      return branch(null, to());
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
      return branch({ loop: op & 3, a32: insn.addrSize === 32 }, to());
    case 0xe8: {
      // callNear's steps: the CS limit check before the push, then the push of the return address.
      const check = cpu.traits.wrapSegments ? '' : js`if (${hex(to())} > cpu.limit[${CS}]) ${ref(nearEipBeyond)}(cpu, ${hex(to())}); `;
      return transfer(js`${check}${push(osize, 'cpu.eip', stack32)} cpu.eip = ${hex(to())};`, 'none');
    }
    case 0xc3:
      return transfer(js`{ ${pop(osize, null, stack32)} ${ref(nearJump)}(cpu, v); }`, 'none');
    case 0xea:
      return transfer(farJump(hex(insn.imm[1]), hex(insn.imm[0]), osize), 'cpu');
    case 0xff: {
      // JMP FAR m16:16/m16:32 (FF /5): offset, then selector, as grp5 reads them.
      const m = insn.modrm!;
      if (m.reg !== 5 || m.mod === 3) return null;
      const { seg, off } = effectiveAddress(insn);
      const sel = `const p = (o + ${osize >> 3}) & ${insn.addrSize === 32 ? '0xffffffff' : '0xffff'};`;
      return transfer(js`{ const o = ${off}; const t = ${rd(osize, seg, 'o')}; ${sel} const q = ${rd(16, seg, 'p')}; ${farJump('q', 't', osize)} }`, 'cpu');
    }
  }
  return null;
}

/**
 * Native code for `insn` at `eip`, or null (the block calls its dispatch entry instead). Stack
 * accesses are for the stack size the CPU has now (the block's, blocks.ts blockMode).
 */
export function emitNative(cpu: Cpu, insn: Instruction, eip: number): Native | null {
  if (insn.opcode < 0x40 && (insn.opcode & 7) < 6) return aluForm(insn);
  return (insn.modrm ? modrmForm(cpu, insn) : null) ?? registerForm(insn, cpu.stackMask !== 0xffff) ?? stringForm(cpu, insn) ?? transferForm(cpu, insn, eip);
}
