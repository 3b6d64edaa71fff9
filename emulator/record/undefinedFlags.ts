// EFLAGS bits an instruction leaves undefined (SDM Vol. 1 Appendix A, Table A-2, and each
// instruction's "Flags Affected"): two correct CPUs may differ there, so a comparison with another
// emulator excuses them. Shifts and rotates leave OF undefined for counts other than 1, which only
// the by-1 forms (D0/D1, operand `1`) fix; their other forms are taken as undefined.
import { decode, type Fetch } from '../decode/decoder';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

const BY_MNEMONIC: Record<string, number> = {
  and: AF, or: AF, xor: AF, test: AF,
  mul: SF | ZF | AF | PF, imul: SF | ZF | AF | PF,
  div: CF | OF | SF | ZF | AF | PF, idiv: CF | OF | SF | ZF | AF | PF,
  shl: AF | OF, sal: AF | OF, shr: AF | OF, sar: AF | OF, shld: AF | OF, shrd: AF | OF,
  rol: OF, ror: OF, rcl: OF, rcr: OF,
  bsf: CF | OF | SF | AF | PF, bsr: CF | OF | SF | AF | PF,
  bt: OF | SF | AF | PF, bts: OF | SF | AF | PF, btr: OF | SF | AF | PF, btc: OF | SF | AF | PF,
  aaa: OF | SF | ZF | PF, aas: OF | SF | ZF | PF, aam: OF | AF | CF, aad: OF | AF | CF, daa: OF, das: OF,
};

/** The EFLAGS bits the instruction at `fetch` leaves undefined (0 for most). */
export function undefinedFlags(fetch: Fetch, bits: 16 | 32): number {
  const insn = decode(fetch, bits, 'later');
  if (!insn.valid) return 0;
  const mask = BY_MNEMONIC[insn.mnemonic] ?? 0;
  // Shift or rotate by 1: OF defined.
  return insn.row?.operands.endsWith(',1') ? mask & ~OF : mask;
}
