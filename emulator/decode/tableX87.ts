// x87 escape opcodes D8–DF as declarative rows: memory forms selected by ModRM.reg, register forms by
// the whole ModRM byte (SDM Vol. 2 Appendix A.5, Tables ). Pure data: no Node or VS Code
// imports. Enough for the decoder to size every form and the disassembler to name it; executing
// them is the FPU model's business (FNINIT/FNSTSW/FNSTCW/FLDCW/FWAIT matter for detection code).
import { makeRow, type DecodeTier, type OpRow, type RowDef } from './table';
import { hexDigits } from '../../protocol/format';

/** Memory forms of one escape, by ModRM.reg: [mnemonic, operand spec] or null (#UD / reserved). */
type MemForms = readonly ([string, string] | null)[];

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const IARITH = ['fiadd', 'fimul', 'ficom', 'ficomp', 'fisub', 'fisubr', 'fidiv', 'fidivr'];

// prettier-ignore
const MEM: Record<number, MemForms> = {
  0xd8: ARITH.map((m) => [m, 'Md']),
  0xd9: [['fld', 'Md'], null, ['fst', 'Md'], ['fstp', 'Md'], ['fldenv', 'M'], ['fldcw', 'Mw'], ['fnstenv', 'M'], ['fnstcw', 'Mw']],
  0xda: IARITH.map((m) => [m, 'Md']),
  0xdb: [['fild', 'Md'], ['fisttp', 'Md'], ['fist', 'Md'], ['fistp', 'Md'], null, ['fld', 'Mt'], null, ['fstp', 'Mt']],
  0xdc: ARITH.map((m) => [m, 'Mq']),
  0xdd: [['fld', 'Mq'], ['fisttp', 'Mq'], ['fst', 'Mq'], ['fstp', 'Mq'], ['frstor', 'M'], null, ['fnsave', 'M'], ['fnstsw', 'Mw']],
  0xde: IARITH.map((m) => [m, 'Mw']),
  0xdf: [['fild', 'Mw'], ['fisttp', 'Mw'], ['fist', 'Mw'], ['fistp', 'Mw'], ['fbld', 'Mt'], ['fild', 'Mq'], ['fbstp', 'Mt'], ['fistp', 'Mq']],
};

/** Memory operands whose size NASM leaves unwritten (control/status words, environments). */
const NOSIZE = new Set(['fldcw', 'fnstcw', 'fnstsw', 'fldenv', 'fnstenv', 'frstor', 'fnsave']);

function memRows(): RowDef[] {
  const out: RowDef[] = [];
  for (const [esc, forms] of Object.entries(MEM)) {
    forms.forEach((f, reg) => {
      if (!f) return;
      const [mn, spec] = f;
      const model: DecodeTier = mn === 'fisttp' ? 'later' : '8086';  // FISTTP: SSE3
      out.push([+esc, `/${reg}m`, mn, spec, `${mn}_${spec}`, model, NOSIZE.has(mn) ? 'x87 nosz' : 'x87 sz']);
    });
  }
  return out;
}

/** Eight-register range: [escape, first ModRM, mnemonic, operands, model]. */
// prettier-ignore
const REG8: readonly [number, number, string, string, DecodeTier][] = [
  [0xd8, 0xc0, 'fadd',    'ST,STi', '8086'], [0xd8, 0xc8, 'fmul',   'ST,STi', '8086'],
  [0xd8, 0xd0, 'fcom',    'STi',    '8086'], [0xd8, 0xd8, 'fcomp',  'STi',    '8086'],
  [0xd8, 0xe0, 'fsub',    'ST,STi', '8086'], [0xd8, 0xe8, 'fsubr',  'ST,STi', '8086'],
  [0xd8, 0xf0, 'fdiv',    'ST,STi', '8086'], [0xd8, 0xf8, 'fdivr',  'ST,STi', '8086'],
  [0xd9, 0xc0, 'fld',     'STi',    '8086'], [0xd9, 0xc8, 'fxch',   'STi',    '8086'],
  [0xda, 0xc0, 'fcmovb',  'ST,STi', 'pentium2'],  [0xda, 0xc8, 'fcmove', 'ST,STi', 'pentium2'],   // P6
  [0xda, 0xd0, 'fcmovbe', 'ST,STi', 'pentium2'],  [0xda, 0xd8, 'fcmovu', 'ST,STi', 'pentium2'],
  [0xdb, 0xc0, 'fcmovnb', 'ST,STi', 'pentium2'],  [0xdb, 0xc8, 'fcmovne','ST,STi', 'pentium2'],
  [0xdb, 0xd0, 'fcmovnbe','ST,STi', 'pentium2'],  [0xdb, 0xd8, 'fcmovnu','ST,STi', 'pentium2'],
  [0xdb, 0xe8, 'fucomi',  'ST,STi', 'pentium2'],  [0xdb, 0xf0, 'fcomi',  'ST,STi', 'pentium2'],
  [0xdc, 0xc0, 'fadd',    'STi,ST', '8086'], [0xdc, 0xc8, 'fmul',   'STi,ST', '8086'],
  [0xdc, 0xe0, 'fsubr',   'STi,ST', '8086'], [0xdc, 0xe8, 'fsub',   'STi,ST', '8086'],
  [0xdc, 0xf0, 'fdivr',   'STi,ST', '8086'], [0xdc, 0xf8, 'fdiv',   'STi,ST', '8086'],
  [0xdd, 0xc0, 'ffree',   'STi',    '8086'], [0xdd, 0xd0, 'fst',    'STi',    '8086'],
  [0xdd, 0xd8, 'fstp',    'STi',    '8086'], [0xdd, 0xe0, 'fucom',  'STi',    '80386'],
  [0xdd, 0xe8, 'fucomp',  'STi',    '80386'],
  [0xde, 0xc0, 'faddp',   'STi,ST', '8086'], [0xde, 0xc8, 'fmulp',  'STi,ST', '8086'],
  [0xde, 0xe0, 'fsubrp',  'STi,ST', '8086'], [0xde, 0xe8, 'fsubp',  'STi,ST', '8086'],
  [0xde, 0xf0, 'fdivrp',  'STi,ST', '8086'], [0xde, 0xf8, 'fdivp',  'STi,ST', '8086'],
  [0xdf, 0xc0, 'ffreep',  'STi',    '80386'],  // undocumented: FFREE then pop
  [0xdf, 0xe8, 'fucomip', 'ST,STi', 'pentium2'],  [0xdf, 0xf0, 'fcomip', 'ST,STi', 'pentium2'],
];

/** Single register forms: [escape, ModRM, mnemonic, operands, model]. */
// prettier-ignore
const REG1: readonly [number, number, string, string, DecodeTier][] = [
  [0xd9, 0xd0, 'fnop', '', '8086'],    [0xd9, 0xe0, 'fchs', '', '8086'],    [0xd9, 0xe1, 'fabs', '', '8086'],
  [0xd9, 0xe4, 'ftst', '', '8086'],    [0xd9, 0xe5, 'fxam', '', '8086'],    [0xd9, 0xe8, 'fld1', '', '8086'],
  [0xd9, 0xe9, 'fldl2t', '', '8086'],  [0xd9, 0xea, 'fldl2e', '', '8086'],  [0xd9, 0xeb, 'fldpi', '', '8086'],
  [0xd9, 0xec, 'fldlg2', '', '8086'],  [0xd9, 0xed, 'fldln2', '', '8086'],  [0xd9, 0xee, 'fldz', '', '8086'],
  [0xd9, 0xf0, 'f2xm1', '', '8086'],   [0xd9, 0xf1, 'fyl2x', '', '8086'],   [0xd9, 0xf2, 'fptan', '', '8086'],
  [0xd9, 0xf3, 'fpatan', '', '8086'],  [0xd9, 0xf4, 'fxtract', '', '8086'], [0xd9, 0xf5, 'fprem1', '', '80386'],
  [0xd9, 0xf6, 'fdecstp', '', '8086'], [0xd9, 0xf7, 'fincstp', '', '8086'], [0xd9, 0xf8, 'fprem', '', '8086'],
  [0xd9, 0xf9, 'fyl2xp1', '', '8086'], [0xd9, 0xfa, 'fsqrt', '', '8086'],   [0xd9, 0xfb, 'fsincos', '', '80386'],
  [0xd9, 0xfc, 'frndint', '', '8086'], [0xd9, 0xfd, 'fscale', '', '8086'],  [0xd9, 0xfe, 'fsin', '', '80386'],
  [0xd9, 0xff, 'fcos', '', '80386'],
  [0xda, 0xe9, 'fucompp', '', '80386'],
  [0xdb, 0xe0, 'fneni', '', '8086'],   [0xdb, 0xe1, 'fndisi', '', '8086'],  // 8087 only; later FPUs: FNOP
  [0xdb, 0xe2, 'fnclex', '', '8086'],  [0xdb, 0xe3, 'fninit', '', '8086'],
  [0xdb, 0xe4, 'fsetpm', '', '80286'],                                      // 80287 only (NASM: no FN form)
  [0xde, 0xd9, 'fcompp', '', '8086'],
  [0xdf, 0xe0, 'fnstsw', 'AX', '80286'],
];

function regRows(): RowDef[] {
  const out: RowDef[] = [];
  for (const [esc, lo, mn, spec, model] of REG8) {
    out.push([esc, `=${hexDigits(lo)}-${hexDigits(lo + 7)}`, mn, spec, spec ? `${mn}_${spec.replace(',', '_')}` : mn, model, 'x87']);
  }
  for (const [esc, modrm, mn, spec, model] of REG1) {
    out.push([esc, `=${hexDigits(modrm)}`, mn, spec, spec ? `${mn}_${spec}` : mn, model, 'x87']);
  }
  return out;
}

export const X87_ROWS: readonly OpRow[] = [...memRows(), ...regRows()].map(makeRow);
