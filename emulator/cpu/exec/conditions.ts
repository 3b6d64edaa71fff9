// The sixteen condition codes of Jcc/SETcc/CMOVcc (low nibble of the opcode), SDM Vol. 1 Appendix B.
// Pure TypeScript: no Node or VS Code imports.

import { type FlagState, getCF, getOF, getPF, getSF, getZF } from '../flags';
import { EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_ZF } from '../regs';

/** The condition suffixes in opcode order, as the table's rows name them (jo_Jb, setnz_Eb, cmovg_Gv_Ev). */
export const CC_NAMES = ['o', 'no', 'c', 'nc', 'z', 'nz', 'na', 'a', 's', 'ns', 'pe', 'po', 'l', 'nl', 'ng', 'g'];

/**
 * The eight condition pairs (cc >> 1; the odd cc of a pair is its negation) as data, the one
 * definition for condition() and the block compiler (jit/flagCode.ts): pair n holds when a flag of
 * CONDITION_ANY[n] is set, or, where CONDITION_LESS[n], when SF differs from OF.
 */
export const CONDITION_ANY: readonly number[] = [EFLAGS_OF, EFLAGS_CF, EFLAGS_ZF, EFLAGS_CF | EFLAGS_ZF, EFLAGS_SF, EFLAGS_PF, 0, EFLAGS_ZF];
export const CONDITION_LESS: readonly boolean[] = [false, false, false, false, false, false, true, true];

export function condition(cpu: FlagState, cc: number): boolean {
  const n = cc >> 1, any = CONDITION_ANY[n];
  const r = ((any & EFLAGS_ZF) !== 0 && getZF(cpu)) || ((any & EFLAGS_CF) !== 0 && getCF(cpu)) || ((any & EFLAGS_SF) !== 0 && getSF(cpu)) ||
    ((any & EFLAGS_OF) !== 0 && getOF(cpu)) || ((any & EFLAGS_PF) !== 0 && getPF(cpu)) || (CONDITION_LESS[n] && getSF(cpu) !== getOF(cpu));
  return (cc & 1) === 0 ? r : !r;
}
