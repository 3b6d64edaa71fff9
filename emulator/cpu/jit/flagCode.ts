// Status flags in generated code. A lazy-flag producer (ADD/OR/AND/SUB/XOR/CMP/TEST, INC/DEC) leaves
// setLazy()'s inputs in locals ($fo op, $fd dst, $fs src, $fr result, $fm mask, $fz lazy bits) and
// sets $fl; they reach the CPU's fields only where something can look (settleFlags): a slow memory
// access (a fault or a stop shows EFLAGS), a helper or dispatch entry, a block exit. Where the
// producer is known at compile time, flags are read from the locals through the formulas of
// flags.ts and the condition table of exec/conditions.ts, and ALU results by exec/alu.ts's
// ALU_OPERATOR, the interpreter's own definitions: a formula's source is written out in place with
// its parameters replaced (expand), so V8 folds the constant producer away.
// Pure TypeScript: no Node or VS Code imports.

import { ALU_OPERATOR, ALU_PRODUCER } from '../exec/alu';
import { condition, CONDITION_ANY, CONDITION_LESS } from '../exec/conditions';
import { type FlagState, formula, getAF, getCF, getOF, getPF, getSF, getZF, INC_DEC_LAZY, keepCF, LZ_DEC, LZ_INC, LZ_LOGIC } from '../flags';
import { EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_STATUS, EFLAGS_ZF } from '../regs';
import { hex } from '../../../protocol/format';
import { type Code, flag, join, js, ref } from './code';

/** The producer whose inputs the flag locals hold, where the compiler knows it. */
export interface Producer {
  /** LZ_* of flags.ts. */
  op: number;
  size: number;
  /** The status bits it leaves lazy (the rest are in cpu.flags). */
  lazy: number;
}

/** After an instruction that set every status flag in the CPU ('set'): all are read from cpu.flags, none from locals. */
export const EAGER: Producer = { op: LZ_LOGIC, size: 32, lazy: 0 };

/** The flag locals every block declares. */
export const FLAG_LOCALS = '$fl = 0, $fo = 0, $fd = 0, $fs = 0, $fr = 0, $fm = 0, $fz = 0';

/** Copies the flag locals to the CPU (as setLazy does) if they are newer: an expression. */
export const SETTLE_FLAGS_EXPR = '($fl !== 0 && (cpu.lzOp = $fo, cpu.lzDst = $fd, cpu.lzSrc = $fs, cpu.lzRes = $fr, cpu.lzMask = $fm, cpu.lazy = $fz, $fl = 0))';
export const SETTLE_FLAGS = `${SETTLE_FLAGS_EXPR};`;

/**
 * The expression of `fn` (closed: parameters and literals only, expression-bodied) with its parameters replaced by
 * `args` (names, literals or code): the function applied in place, written out. Applied as a call, V8 would inline
 * it as one more function, and each counts against V8's inlining budget for the whole block: SHL's flags applied as
 * two calls cost bench.asm's pms loop 1.2-1.6 host instructions per guest instruction (callgrind), written out nothing.
 */
export function expand(fn: (...args: never[]) => unknown, args: readonly (Code | string)[]): Code {
  const m = /^\(([^)]*)\)\s*=>\s*([^{][\s\S]*)$/.exec(fn.toString());
  if (!m) throw new Error(`expand: not an expression-bodied arrow function: ${fn.toString()}`);
  const params = m[1].split(',').map((p) => p.trim());
  const out: Code[] = [];
  let at = 0;
  for (const id of m[2].matchAll(/\b[A-Za-z_$][\w$]*\b/g)) {
    const k = params.indexOf(id[0]);
    if (k < 0) continue;
    out.push(js`${m[2].slice(at, id.index)}(${args[k]})`);
    at = id.index + id[0].length;
  }
  return js`(${join(out, '')}${m[2].slice(at)})`;
}

export const maskOf = (size: number) => (size === 8 ? '0xff' : size === 16 ? '0xffff' : '0xffffffff');
export const signOf = (size: number) => hex(size === 8 ? 0x80 : size === 16 ? 0x8000 : 0x80000000);

/**
 * `x aop y` (a lazy ALU_* operation) masked to `size` bits with its lazy flags in the locals, as alu() computes
 * it: an expression valued the result.
 */
export function lazyResult(aop: number, x: Code | string, y: Code | string, size: number): Code {
  const mask = maskOf(size);
  return js`(($fd = ${x}), ($fs = ${y}), ($fr = ((($fd ${ALU_OPERATOR[aop]} $fs) & ${mask}) >>> 0)), ($fo = ${ALU_PRODUCER[aop]}), ($fm = ${mask}), ($fz = ${EFLAGS_STATUS}), ($fl = 1), $fr)`;
}

/**
 * INC/DEC of `x` (`size` bits) as an expression valued the result, as setLazyIncDec() does it: CF
 * keeps its value (a flag hole: the emitter knows where it comes from), now stored eagerly.
 */
export function incDec(dec: boolean, x: Code | string, size: number): Code {
  const mask = maskOf(size);
  const rest = `($fr = (($fd ${dec ? '-' : '+'} 1) & ${mask}) >>> 0), ($fo = ${dec ? LZ_DEC : LZ_INC}), ($fm = ${mask}), ($fz = ${INC_DEC_LAZY}), ($fl = 1), $fr`;
  return js`((cpu.flags = ${expand(keepCF, ['cpu.flags', js`${flag(EFLAGS_CF)}`])}), ($fd = ${x}), ($fs = 1), ${rest})`;
}

const GETTERS: Record<number, (s: FlagState) => boolean> = {
  [EFLAGS_CF]: getCF, [EFLAGS_PF]: getPF, [EFLAGS_AF]: getAF, [EFLAGS_ZF]: getZF, [EFLAGS_SF]: getSF, [EFLAGS_OF]: getOF,
};

/** Status flag `bit` as it stands: from the locals when their producer is known, else from the CPU. */
export function flagValue(bit: number, known: Producer | null): Code {
  if (!known) return js`(${SETTLE_FLAGS_EXPR}, ${ref(GETTERS[bit])}(cpu))`;
  if ((known.lazy & bit) === 0) return js`((cpu.flags & ${bit}) !== 0)`;
  return js`${expand(formula(bit), [String(known.op), '$fd', '$fs', '$fr', signOf(known.size)])}`;
}

/** Condition `cc` (Jcc's low nibble): from the locals when their producer is known, else the CPU's condition(). */
export function conditionCode(cc: number, known: Producer | null): Code {
  if (!known) return js`${ref(condition)}(cpu, ${cc})`;
  const n = cc >> 1;
  const terms = [EFLAGS_ZF, EFLAGS_CF, EFLAGS_SF, EFLAGS_OF, EFLAGS_PF].filter((bit) => (CONDITION_ANY[n] & bit) !== 0).map((bit) => flagValue(bit, known));
  if (CONDITION_LESS[n]) terms.push(js`(${flagValue(EFLAGS_SF, known)} !== ${flagValue(EFLAGS_OF, known)})`);
  const r = js`(${join(terms, ' || ')})`;
  return cc & 1 ? js`!${r}` : r;
}
