// The eight classic ALU operations (ADD OR ADC SBB AND SUB XOR CMP, in ModRM.reg order) with their
// flag results; shared by the 00-3F forms, group 1 (80-83) and CMPXCHG/XADD.
// SDM Vol. 2 "ADD", "ADC", "SUB", "SBB", "AND", "OR", "XOR", "CMP"; flags per Vol. 1 Appendix A.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from '../cpu';
import { LZ_ADD, LZ_LOGIC, LZ_SUB, getCF, setLazy, setStatus, signBit, szp } from '../flags';
import { EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_STATUS } from '../regs';

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;
export const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

/**
 * The producer (flags.ts LZ_*) each operation leaves its flags to, by ALU_*; -1 for ADC and SBB,
 * whose flags need CF and are computed eagerly. Compiled blocks read it too (jit/native.ts).
 */
export const ALU_PRODUCER: readonly number[] = [LZ_ADD, LZ_LOGIC, -1, -1, LZ_LOGIC, LZ_SUB, LZ_LOGIC, LZ_SUB];

/**
 * The JavaScript operator of each lazy operation, by ALU_* ('' for ADC and SBB): compiled blocks
 * write `a op b` with it (jit/flagCode.ts lazyResult). A block that applied aluResult's source in
 * place paid for a closure in V8's lower tiers (bench.asm's real-mode loop ran about 7% slower), and
 * aluResult cannot be made from this table at run time where hosts forbid code from strings;
 * test/cpu/alu.test.ts holds the two to the same results.
 */
export const ALU_OPERATOR: readonly string[] = ['+', '|', '', '', '&', '-', '^', '-'];

/** The result of a lazy operation `op` (ALU_* by number, not ADC or SBB) before masking, for the interpreter. */
export const aluResult = (op: number, a: number, b: number): number =>
  op === ALU_ADD ? a + b : op === ALU_OR ? a | b : op === ALU_AND ? a & b : op === ALU_XOR ? a ^ b : a - b;

/**
 * Computes `a op b` for operands masked to `mask` and sets the flags; returns the masked result.
 * Small, so that V8 inlines it into every handler; ADC and SBB are out of line.
 */
export function alu(cpu: Cpu, op: number, a: number, b: number, mask: number): number {
  const lz = ALU_PRODUCER[op];
  if (lz < 0) return aluCarry(cpu, op, a, b, mask);
  const res = (aluResult(op, a, b) & mask) >>> 0;
  setLazy(cpu, lz, a, b, res, mask);
  return res;
}

/** ADC and SBB: the incoming CF takes part, so the flags are computed eagerly. */
function aluCarry(cpu: Cpu, op: number, a: number, b: number, mask: number): number {
  return aluWithCarry(cpu, op, a, b, getCF(cpu) ? 1 : 0, mask);
}

/**
 * ADC or SBB (`op`) with the incoming carry `c` (0 or 1): sets every status flag, lazy ones
 * included. Compiled blocks call it with CF read from their own flag state (jit/native.ts).
 */
export function aluWithCarry(cpu: Cpu, op: number, a: number, b: number, c: number, mask: number): number {
  const sign = signBit(mask);
  if (op === ALU_ADC) {
    const res = ((a + b + c) & mask) >>> 0;
    setStatus(cpu, EFLAGS_STATUS,
      (a + b + c > mask ? EFLAGS_CF : 0) | szp(res, mask) | ((a ^ b ^ res) & 0x10 ? EFLAGS_AF : 0) |
      ((a ^ res) & (b ^ res) & sign ? EFLAGS_OF : 0));
    return res;
  }
  const res = ((a - b - c) & mask) >>> 0;
  setStatus(cpu, EFLAGS_STATUS,
    (a < b + c ? EFLAGS_CF : 0) | szp(res, mask) | ((a ^ b ^ res) & 0x10 ? EFLAGS_AF : 0) |
    ((a ^ b) & (a ^ res) & sign ? EFLAGS_OF : 0));
  return res;
}
