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
 * A `beforeInstruction` hook that stops where one line step ends, or null when the CPU is not on a
 * source line (the caller steps one instruction instead). `over`: step over calls (`next`).
 */
export function lineStepHook(lines: LineTable, stack: ShadowCallStack, pc: number, over: boolean): ((m: Machine) => StopReason | null) | null {
  let span = lines.lineSpan(pc);
  if (!span) return null;
  let depth = stack.depth;
  return (m) => {
    const at = m.pcLinear;
    const d = stack.depth;
    if (d < depth) return 'step';
    if (d > depth) {
      if (over || !lines.isStatementStart(at)) return null;
      if (!lines.isFunctionStart(at)) return 'step';
      // Stepped into a function at its first line (the prologue): go on to its next statement, as
      // gdb skips the prologue, so the stop is in the body with the frame set up.
      depth = d;
      span = lines.lineSpan(at)!;
      return null;
    }
    if (at >= span!.start && at < span!.end) return null;
    if (lines.isStatementStart(at)) return 'step';
    const next = lines.lineSpan(at);
    if (!next) return 'step';
    span = next;
    return null;
  };
}
