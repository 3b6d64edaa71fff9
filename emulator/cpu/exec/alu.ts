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
 * Computes `a op b` for operands masked to `mask` and sets the flags; returns the masked result.
 * The lazy-flag operations stay in this small function so that V8 inlines it into every handler;
 * ADC and SBB, which need CF and set flags eagerly, are out of line.
 */
export function alu(cpu: Cpu, op: number, a: number, b: number, mask: number): number {
  let res: number;
  switch (op) {
    case ALU_ADD:
      res = ((a + b) & mask) >>> 0;
      setLazy(cpu, LZ_ADD, a, b, res, mask);
      return res;
    case ALU_OR:
      res = ((a | b) & mask) >>> 0;
      setLazy(cpu, LZ_LOGIC, a, b, res, mask);
      return res;
    case ALU_AND:
      res = ((a & b) & mask) >>> 0;
      setLazy(cpu, LZ_LOGIC, a, b, res, mask);
      return res;
    case ALU_XOR:
      res = ((a ^ b) & mask) >>> 0;
      setLazy(cpu, LZ_LOGIC, a, b, res, mask);
      return res;
    case ALU_SUB:
    case ALU_CMP:
      res = ((a - b) & mask) >>> 0;
      setLazy(cpu, LZ_SUB, a, b, res, mask);
      return res;
    default:
      return aluCarry(cpu, op, a, b, mask);
  }
}

/** ADC and SBB: the incoming CF takes part, so the flags are computed eagerly. */
function aluCarry(cpu: Cpu, op: number, a: number, b: number, mask: number): number {
  const c = getCF(cpu) ? 1 : 0;
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
