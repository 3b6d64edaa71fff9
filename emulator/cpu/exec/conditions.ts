// The sixteen condition codes of Jcc/SETcc/CMOVcc (low nibble of the opcode), SDM Vol. 1 Appendix B.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from '../cpu';
import { getCF, getOF, getPF, getSF, getZF } from '../flags';

/** The condition suffixes in opcode order, as the table's rows name them (jo_Jb, setnz_Eb, cmovg_Gv_Ev). */
export const CC_NAMES = ['o', 'no', 'c', 'nc', 'z', 'nz', 'na', 'a', 's', 'ns', 'pe', 'po', 'l', 'nl', 'ng', 'g'];

export function condition(cpu: Cpu, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = getOF(cpu); break;
    case 1: r = getCF(cpu); break;
    case 2: r = getZF(cpu); break;
    case 3: r = getCF(cpu) || getZF(cpu); break;
    case 4: r = getSF(cpu); break;
    case 5: r = getPF(cpu); break;
    case 6: r = getSF(cpu) !== getOF(cpu); break;
    default: r = getZF(cpu) || getSF(cpu) !== getOF(cpu); break;
  }
  return (cc & 1) === 0 ? r : !r;
}
