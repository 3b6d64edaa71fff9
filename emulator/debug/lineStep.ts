// Stepping by source line (DWARF line tables), as gdb's `next` and `step` do: run while the CPU stays
// in the addresses of the line it started on; a call made from the line runs to its return (`next`)
// or stops at the first statement inside that has a line (`step`; a function entered at its first
// line stops past the prologue, on the next one; code without lines — the BIOS, asm without debug
// information, interrupt handlers — runs to its return); landing in the middle of another line keeps
// going to a statement start; returning to the caller stops there.
// Pure TypeScript: no Node or VS Code imports.

import type { Machine, StopReason } from '../machine';
import type { ShadowCallStack } from './callStack';

export interface LineTable {
  /** The addresses of the source line that holds `linear` (adjacent ranges of that line merged). */
  lineSpan(linear: number): { start: number; end: number } | undefined;
  /** Whether a statement's row of the line table begins exactly at `linear`. */
  isStatementStart(linear: number): boolean;
  /** Whether a described function (DW_TAG_subprogram) begins exactly at `linear`. */
  isFunctionStart(linear: number): boolean;
}

/**
 * One line step: `hook` is a `beforeInstruction` hook that stops where the step ends. A call the step
 * runs through (every call for `next`, one into code without lines for `step`) stops the hooked run at
 * the callee's entry with `returnTo` set: the caller runs to that return address at full speed (a
 * breakpoint, compiled blocks) and resumes the hooked run there once the stack is back at the line's
 * depth (`returned`).
 */
export class LineStep {
  private span: { start: number; end: number };
  private depth: number;
  /** A call of the line to run through without the hook: its return address and the line's depth. */
  returnTo: { linear: number; depth: number } | null = null;

  /** Null when the CPU is not on a source line (the caller steps one instruction instead). */
  static at(lines: LineTable, stack: ShadowCallStack, pc: number, over: boolean): LineStep | null {
    const span = lines.lineSpan(pc);
    return span ? new LineStep(lines, stack, span, over) : null;
  }

  private constructor(private readonly lines: LineTable, private readonly stack: ShadowCallStack, span: { start: number; end: number }, private readonly over: boolean) {
    this.span = span;
    this.depth = stack.depth;
  }

  readonly hook = (m: Machine): StopReason | null => {
    const at = m.pcLinear;
    const d = this.stack.depth;
    if (d < this.depth) return 'step';
    if (d > this.depth) {
      // Over a call (or an interrupt), and into code without lines as gdb steps over it: run to where
      // the frame it pushed returns.
      if (this.over || !this.lines.lineSpan(at)) {
        const f = this.stack.frame(this.depth);
        // A shadow stack that dropped its oldest frames (runaway recursion) cannot say: stop here.
        if (!f) return 'step';
        this.returnTo = { linear: (f.callerLinear - f.callerEip + f.retEip) >>> 0, depth: this.depth };
        return 'step';
      }
      if (!this.lines.isStatementStart(at)) return null;
      if (!this.lines.isFunctionStart(at)) return 'step';
      // Stepped into a function at its first line (the prologue): go on to its next statement, as
      // gdb skips the prologue, so the stop is in the body with the frame set up.
      this.depth = d;
      this.span = this.lines.lineSpan(at)!;
      return null;
    }
    if (at >= this.span.start && at < this.span.end) return null;
    if (this.lines.isStatementStart(at)) return 'step';
    const next = this.lines.lineSpan(at);
    if (!next) return 'step';
    this.span = next;
    return null;
  };

  /** Whether the run to `returnTo` is over at `linear`: the return address, the stack back at the line's depth. */
  returned(linear: number): boolean {
    return this.returnTo !== null && linear >>> 0 === this.returnTo.linear && this.stack.depth <= this.returnTo.depth;
  }
}
