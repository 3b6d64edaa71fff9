// The EFLAGS bits an instruction form may read and may change when it completes (a fault's delivery
// is not the instruction's), the table's flags columns (SDM Vol. 1 Appendix A, "EFLAGS
// Cross-Reference": tested → read; modified, set, cleared, undefined → written).
// By handler name where forms of one mnemonic differ, else by mnemonic; an instruction absent here
// neither reads nor changes the flags. test/cpu/rowFlags.test.ts checks both sets on the interpreter.
// Pure data: no Node or VS Code imports.

const LETTERS: Record<string, number> = { c: 0x1, p: 0x4, a: 0x10, z: 0x40, s: 0x80, t: 0x100, i: 0x200, d: 0x400, o: 0x800 };
/** Every flag, system ones included: instructions that load EFLAGS or switch tasks. */
const ALL = 0x3f7fd5;

function mask(letters: string): number {
  if (letters === '*') return ALL;
  let m = 0;
  for (const l of letters) m |= LETTERS[l] ?? 0;
  return m;
}

const ARITH = 'oszapc';
/** Condition suffix → flags tested (SDM Vol. 1 Appendix B). */
const CONDITIONS: Record<string, string> = {
  o: 'o', no: 'o', c: 'c', nc: 'c', z: 'z', nz: 'z', na: 'cz', a: 'cz',
  s: 's', ns: 's', pe: 'p', po: 'p', l: 'so', nl: 'so', ng: 'zso', g: 'zso',
};

/** [read, written] by mnemonic (without the |m32 alternative) or handler name. */
const FLAGS: Record<string, readonly [string, string]> = {
  add: ['', ARITH], or: ['', ARITH], adc: ['c', ARITH], sbb: ['c', ARITH], and: ['', ARITH], sub: ['', ARITH],
  xor: ['', ARITH], cmp: ['', ARITH], test: ['', ARITH], neg: ['', ARITH], inc: ['', 'oszap'], dec: ['', 'oszap'],
  mul: ['', ARITH], imul: ['', ARITH], div: ['', ARITH], idiv: ['', ARITH],
  daa: ['ac', ARITH], das: ['ac', ARITH], aaa: ['a', ARITH], aas: ['a', ARITH], aam: ['', ARITH], aad: ['', ARITH],
  rol: ['', 'oc'], ror: ['', 'oc'], rcl: ['c', 'oc'], rcr: ['c', 'oc'],
  shl: ['', ARITH], shr: ['', ARITH], sal: ['', ARITH], sar: ['', ARITH], setmo: ['', ARITH], setmoc: ['', ARITH],
  shld: ['', ARITH], shrd: ['', ARITH],
  bt: ['', ARITH], bts: ['', ARITH], btr: ['', ARITH], btc: ['', ARITH], bsf: ['', ARITH], bsr: ['', ARITH],
  cmpxchg: ['', ARITH], xadd: ['', ARITH], cmpxchg8b: ['', 'z'],
  arpl: ['', 'z'], lar: ['', 'z'], lsl: ['', 'z'], verr: ['', 'z'], verw: ['', 'z'],
  clc: ['', 'c'], stc: ['', 'c'], cmc: ['c', 'c'], cld: ['', 'd'], std: ['', 'd'], cli: ['', 'i'], sti: ['', 'i'],
  salc: ['c', ''], lahf: ['szapc', ''], sahf: ['', 'szapc'], pushf: ['*', ''], popf: ['', '*'],
  movsb: ['d', ''], movsw: ['d', ''], lodsb: ['d', ''], lodsw: ['d', ''], stosb: ['d', ''], stosw: ['d', ''],
  insb: ['d', ''], insw: ['d', ''], outsb: ['d', ''], outsw: ['d', ''],
  cmpsb: ['d', ARITH], cmpsw: ['d', ARITH], scasb: ['d', ARITH], scasw: ['d', ARITH],
  loope: ['z', ''], loopne: ['z', ''],
  // Interrupts clear TF and IF (and more in protected mode); IRET, task switches and SYSENTER/EXIT load EFLAGS.
  int: ['*', '*'], int3: ['*', '*'], int1: ['*', '*'], into: ['*', '*'], iret: ['*', '*'],
  jmp_Ap: ['*', '*'], jmp_Mp: ['*', '*'], call_Ap: ['*', '*'], call_Mp: ['*', '*'],
  sysenter: ['', '*'], sysexit: ['', '*'], rsm: ['', '*'], vmcall: ['', '*'], vmlaunch: ['', '*'],
  vmresume: ['', '*'], vmxoff: ['', '*'], vmread: ['', '*'], vmwrite: ['', '*'], vmclear: ['', '*'],
  vmxon: ['', '*'], vmptrld: ['', '*'], vmptrst: ['', '*'],
  fcomi: ['', 'zpc'], fucomi: ['', 'zpc'], fcomip: ['', 'zpc'], fucomip: ['', 'zpc'],
  fcmovb: ['c', ''], fcmovnb: ['c', ''], fcmove: ['z', ''], fcmovne: ['z', ''], fcmovbe: ['cz', ''],
  fcmovnbe: ['cz', ''], fcmovu: ['p', ''], fcmovnu: ['p', ''],
  ...Object.fromEntries(Object.entries(CONDITIONS).flatMap(([cc, f]) =>
    [[`j${cc}`, [f, '']], [`set${cc}`, [f, '']], [`cmov${cc}`, [f, '']]])),
};

/** The flags a form may read and may write, as EFLAGS masks. */
export function flagsOf(mnemonic: string, handler: string): { read: number; written: number } {
  const [read, written] = FLAGS[handler] ?? FLAGS[mnemonic.split('|')[0]] ?? ['', ''];
  return { read: mask(read), written: mask(written) };
}
