// One launched machine with its debugger attachment, as every front end drives it (the DAP session and
// the gdb server): the monitor (call stack, watchpoints, exception and VM-entry stops), the breakpoint
// store, the burst runner and, with `record` (default on), the recording that makes time travel possible.
// Node only; must not import vscode.

import { DebugMonitor } from '../emulator/debug/monitor';
import { Recorder } from '../emulator/record/recorder';
import { cpuMilliseconds } from '../host/cpuTime';
import { isProfileName } from '../emulator/vmx/profiles';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointStore } from './breakpointStore';
import { LiveCompare } from './handlers/compare';
import { DisasmSources, type SourceEventReason } from './disasmSources';
import type { SessionContext } from './context';
import type { Launched } from './launch';
import { Runner, type RunnerHost, type Stop } from './runner';
import { RegisterTree } from './variables';
import { CVariables } from './cVariables';

export interface SessionHost extends Omit<RunnerHost, 'onMessage'> {
  /** Debug console output (also log lines of the runner and the recording's drop notices). */
  output(text: string, category?: 'console' | 'stdout' | 'stderr' | 'important'): void;
  /** Stops that do not come from a run (time travel); the runner's go to onStop. */
  announceStop?(stop: Stop): void;
  /** Disassembly documents made or dropped (DAP loadedSource). */
  onLoadedSource?(reason: SourceEventReason, source: DebugProtocol.Source): void;
}

/** Attaches the debugger to a launched machine; notes about the launch are added to `l.notes`. */
export function openSession(l: Launched, host: SessionHost): SessionContext {
  const machine = l.machine;
  const monitor = new DebugMonitor(machine);
  monitor.magic.arm(l.config.magicBreakpoint);
  if (l.config.breakOnVmEntryFailure || l.config.breakOnEmulation) {
    const p = l.config.profile;
    if (isProfileName(p)) monitor.armVmEntryWatch(p, { failure: l.config.breakOnVmEntryFailure, emulation: l.config.breakOnEmulation });
    else l.notes.push(`breakOnVmEntryFailure/breakOnEmulation: unknown profile '${p}'`);
  }
  const bps = new BreakpointStore(machine, l.sourceMaps.lookup);
  const runner = new Runner(machine, monitor, bps, {
    onStop: (s) => host.onStop(s),
    onMessage: (t) => host.output(t + '\n', 'console'),
    afterBurst: () => host.afterBurst(),
    onProgress: (n) => host.onProgress?.(n),
    onResume: () => host.onResume?.(),
  });
  // Recording (default on) makes step back, reverse continue and the history queries possible. Its
  // snapshot interval follows the adapter's CPU time: a busy host must not multiply the snapshots.
  const recorder = l.config.record
    ? new Recorder(machine, { extraState: l.extraState, clock: cpuMilliseconds, onDrop: (n) => host.output(n.message + '\n', 'console') }).attach()
    : null;
  runner.recorder = recorder;
  return {
    // With a firmware (launch bios) the session starts at the reset vector: 0000:7C00 is found later.
    compare: l.reference ? new LiveCompare(l.reference, l.bios ? machine.cpu.icount : null) : null,
    machine, monitor, runner, bps, recorder, registers: new RegisterTree(machine.cpu), sources: l.sourceMaps, visited: new Set(),
    cvars: new CVariables(machine, monitor.stack, l.sourceMaps.dwarf),
    disasm: new DisasmSources(machine.cpu.model, (reason, source) => host.onLoadedSource?.(reason, source)),
    announceStop: (s) => (host.announceStop ?? host.onStop)(s), output: (t, c) => host.output(t, c),
  };
}

/** Ends what openSession started (the runner's bursts, the CPU hooks) and closes the image. */
export function closeSession(ctx: SessionContext, l: Launched): void {
  ctx.runner.dispose();
  ctx.monitor.detach();
  l.dispose();
}
