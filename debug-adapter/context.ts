// What the request handlers share once a launch has succeeded: the machine and its debugger
// attachment, the runner, the breakpoint store, the register tree and a way to print to the
// debug console. The session owns it; handlers receive it. Node only; must not import vscode.

import type { DebugMonitor } from '../emulator/debug/monitor';
import type { Machine } from '../emulator/machine';
import type { BreakpointStore } from './breakpointStore';
import type { Recorder } from '../emulator/record/recorder';
import type { DisasmSources } from './disasmSources';
import type { LiveCompare } from './handlers/compare';
import type { SourceMaps } from './listing';
import type { CVariables } from './cVariables';
import type { Runner, Stop } from './runner';
import type { RegisterTree } from './variables';

export interface SessionContext {
  machine: Machine;
  monitor: DebugMonitor;
  runner: Runner;
  bps: BreakpointStore;
  registers: RegisterTree;
  /** C variables of the DWARF (Locals, Globals, C expressions). */
  cvars: CVariables;
  /** The execution recording (launch `record`, default on), or null. */
  recorder: Recorder | null;
  /** Launch `compareWith`: the lock-step comparison with QEMU, or null. */
  compare: LiveCompare | null;
  /** Reports a stop that did not come from a run (time travel). */
  announceStop(stop: Stop): void;
  /** Linear addresses the CPU stopped at (instruction starts, for backward disassembly); bounded. */
  visited: Set<number>;
  /** Source maps from NASM listings (may be empty). */
  sources: SourceMaps;
  /** Virtual disassembly documents for code no listing covers. */
  disasm: DisasmSources;
  /** Debug console output. */
  output(text: string, category?: 'console' | 'stdout' | 'stderr' | 'important'): void;
}

/** An error for the client: its message is shown as is. */
export class RequestError extends Error {
  constructor(message: string, readonly showUser = false) {
    super(message);
  }
}

export const THREAD_ID = 1;
export const THREAD_NAME = 'CPU 0';

/** Parses a DAP memoryReference / instructionReference: `0x…` hex or decimal, as the spec allows. */
export function parseReference(ref: string, what: string): number {
  const t = ref.trim();
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isFinite(v) || v > 0xffffffff) throw new RequestError(`${what} '${ref}' is not an address (use 0x… or decimal)`);
  return v;
}

export function refString(linear: number): string {
  return `0x${(linear >>> 0).toString(16).padStart(8, '0')}`;
}
