// Control flow of a decoded instruction, for the debugger's "step over" and for views that draw branch
// targets: what kind of transfer it is, where it may go, and where execution continues after it.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 2 (CALL, JMP, Jcc, LOOP, RET, INT n, REP).
import { relTarget, type Instruction } from './decoder';
import { T_CALL, T_INT, T_JCC, T_JMP, T_REP, T_REPE, T_RET } from './table';

export type FlowKind = 'none' | 'call' | 'jmp' | 'jcc' | 'loop' | 'ret' | 'int' | 'rep' | 'invalid';

export interface Flow {
  readonly kind: FlowKind;
  /** Offset (IP/EIP) of the next instruction in sequence: where "step over" plants its one-shot breakpoint. */
  readonly next: number;
  /** Direct target offset (relative branches), when known from the bytes alone. */
  readonly target?: number;
  /** Direct far target (9A / EA). */
  readonly farTarget?: { readonly selector: number; readonly offset: number };
}

/**
 * The flow of `insn` at offset `ip`. `call`, `int` and `rep` are the kinds "step over" runs to `next`
 * (a REP string instruction as one step, as the debugger's `Rep(next)` stepping result).
 */
export function flowOf(insn: Instruction, ip: number): Flow {
  const wrap = insn.opSize === 16 ? 0xffff : 0xffffffff;
  const next = ((ip + insn.length) & wrap) >>> 0;
  const row = insn.row;
  if (!row) return { kind: 'invalid', next };
  const rel = insn.operands.find((o) => o.kind === 'rel');
  const far = insn.operands.find((o) => o.kind === 'far');
  const target = rel && rel.kind === 'rel' ? relTarget(insn, ip, rel.disp, rel.size) : undefined;
  const farTarget = far && far.kind === 'far' ? { selector: far.selector, offset: far.offset } : undefined;
  const t = row.tags;
  let kind: FlowKind = 'none';
  if (t & T_CALL) kind = 'call';
  else if (t & T_JMP) kind = 'jmp';
  else if (t & T_JCC) kind = row.opcode >= 0xe0 && row.opcode <= 0xe2 ? 'loop' : 'jcc';
  else if (t & T_RET) kind = 'ret';
  else if (t & T_INT) kind = 'int';
  else if (t & (T_REP | T_REPE) && insn.prefixes.rep !== 0) kind = 'rep';
  return { kind, next, ...(target !== undefined ? { target } : {}), ...(farTarget ? { farTarget } : {}) };
}
