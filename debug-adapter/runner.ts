// The burst scheduler: runs the machine ~100k instructions at a time and yields with setImmediate
// between bursts, so pause, setBreakpoints and disconnect are handled promptly (STYLE.md D5.9).
// It turns machine stops, breakpoint decisions, watchpoint and exception hits and step targets
// into one Stop for the session. Node only; must not import vscode.

import { CS, ESP, SS } from '../emulator/cpu/regs';
import { EXCEPTION_NAMES, INT_EXC } from '../emulator/cpu/faults';
import { chainPath, lastRule } from '../emulator/cpu/faultChain';
import { formatChain, raisedBy } from '../emulator/debug/faultView';
import type { DebugMonitor } from '../emulator/debug/monitor';
import { segOff } from '../emulator/debug/machineView';
import type { Machine, StopInfo } from '../emulator/machine';
import { type LineTable, LineStep } from '../emulator/debug/lineStep';
import type { Recorder } from '../emulator/record/recorder';
import type { BreakpointOrigin, BreakpointStore } from './breakpointStore';
import type { DIVERGED_FROM_QEMU } from '../protocol/customRequests';

/** A run's first slice, in instructions; each next one aims at SLICE_MS of host time, within BURST..MAX_BURST. */
export const BURST = 100_000;
const MAX_BURST = 4_000_000;
/**
 * Long enough that a slice's start and end (a run entered and left mid-block, the recording's
 * boundary) cost little: at 100,000 instructions they were 4 % of a loop's time (callgrind, pg);
 * short enough that pause and the client's requests wait at most about this long.
 */
const SLICE_MS = 10;

/** The next slice's budget after one of `burst` instructions took `ms`: at most twice as long each time. */
function nextBurst(burst: number, ms: number): number {
  return Math.round(Math.min(MAX_BURST, Math.max(BURST, burst * Math.min(2, SLICE_MS / Math.max(ms, 0.1)))));
}

export type StopReasonName = 'entry' | 'breakpoint' | 'step' | 'pause' | 'exception' | 'data breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'goto'
  | typeof DIVERGED_FROM_QEMU;

export interface Stop {
  reason: StopReasonName;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
  /** The guest switched the machine off: the session ends (exited, terminated) instead of stopping. */
  poweredOff?: boolean;
}

export interface RunnerHost {
  onStop(stop: Stop): void;
  /** Log lines (logpoints, condition errors) for the debug console. */
  onMessage(text: string): void;
  /** Called after every burst (output flushing). */
  afterBurst(): void;
  /** Called every 10 bursts of a long run with the instructions executed so far. */
  onProgress?(instructions: number): void;
  /**
   * A task (a history scan, a goto) starts: the CPU counts as running until its stop. Tasks started
   * from the console did not come from a resuming request, so the client is told (it shows pause).
   */
  onResume?(): void;
}

/**
 * The DAP stop reason for breakpoints of these origins. It decides what VS Code shows: for
 * 'instruction breakpoint' (and instruction-granularity steps) it focuses the top frame through its
 * instructionPointerReference and opens the Disassembly view; for the others it focuses the first
 * frame that has a source (every frame has one: its listing line or its disassembly document). A
 * source breakpoint wins, so a stop on a source line shows that line.
 */
export function stopReasonFor(origins: ReadonlySet<BreakpointOrigin>): StopReasonName {
  if (origins.has('source')) return 'breakpoint';
  return origins.has('instruction') ? 'instruction breakpoint' : 'function breakpoint';
}

type Mode =
  | { kind: 'continue' }
  | { kind: 'next'; target: number; ss: number; esp: number }
  | { kind: 'stepOut' }
  | { kind: 'line'; step: LineStep };

export class Runner {
  private running = false;
  private pauseRequested = false;
  private disposed = false;
  private timer: NodeJS.Immediate | null = null;
  /** The session's recording: forward runs go through it (snapshots, re-recording after time travel). */
  recorder: Recorder | null = null;
  /** Watchpoint/exception filters and the breakpoint store are consulted on each machine stop. */
  constructor(
    private readonly machine: Machine,
    private readonly monitor: DebugMonitor,
    private readonly bps: BreakpointStore,
    private readonly host: RunnerHost,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.running = false;
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  continue(): void {
    this.start({ kind: 'continue' });
  }

  /**
   * One instruction (one iteration of a REP string instruction, as the TF trap steps). It runs on the
   * next turn of the event loop, so the client gets the step response before the stopped event.
   */
  stepIn(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.timer = setImmediate(() => {
      this.timer = null;
      if (this.disposed) return;
      let stop: Stop;
      try {
        stop = this.runSlice(1, { kind: 'continue' }) ?? { reason: 'step' };
      } catch (e) {
        stop = { reason: 'exception', description: 'adapter error', text: `adapter error: ${(e as Error).message}` };
      }
      this.finish(stop);
    });
  }

  /** Steps over CALL, INT and a whole REP string instruction; otherwise like stepIn. */
  next(): void {
    if (this.running || this.disposed) return;
    const target = this.monitor.stepOverTarget();
    if (target < 0) {
      this.stepIn();
      return;
    }
    const cpu = this.machine.cpu;
    this.machine.breakpoints.add(target);
    this.start({ kind: 'next', target, ss: cpu.sel[SS], esp: cpu.r32[ESP] & cpu.stackMask });
  }

  /**
   * One source line (DWARF line table): `over` steps over calls as `next`, else into them as `step`
   * (emulator/debug/lineStep.ts). Where the CPU is on no source line, one instruction step instead.
   */
  stepLine(lines: LineTable, over: boolean): void {
    if (this.running || this.disposed) return;
    const step = LineStep.at(lines, this.monitor.stack, this.machine.pcLinear, over);
    if (!step) {
      if (over) this.next();
      else this.stepIn();
      return;
    }
    this.start({ kind: 'line', step });
  }

  /** Runs until the current shadow-stack frame returns. */
  stepOut(): void {
    if (this.running || this.disposed) return;
    if (!this.monitor.armStepOut()) {
      this.host.onMessage('stepOut: no call frame to return from (the shadow stack is empty); stepped one instruction');
      this.stepIn();
      return;
    }
    this.start({ kind: 'stepOut' });
  }

  /**
   * A history scan (reverse continue) runs as a run does: the CPU counts as running, `pause` cancels
   * it through `cancelled`, and its stop is reported like a run's. It starts on the next turn of the
   * event loop, so the client gets the response before the stopped event.
   */
  travel(scan: (cancelled: () => boolean, progress: (instructions: number) => void) => Promise<Stop>): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.pauseRequested = false;
    const progress = (n: number) => this.host.onProgress?.(n);
    this.timer = setImmediate(() => {
      this.timer = null;
      this.host.onResume?.();
      scan(() => this.pauseRequested || this.disposed, progress)
        .catch((e: Error): Stop => ({ reason: 'exception', description: 'adapter error', text: `adapter error: ${e.message}` }))
        .then((stop) => { if (!this.disposed) this.finish(stop); });
    });
  }

  private start(mode: Mode): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.pauseRequested = false;
    const startCount = this.machine.cpu.icount;
    let bursts = 0, burst = BURST;
    const tick = () => {
      this.timer = null;
      if (this.disposed) return;
      if (this.pauseRequested) {
        this.finish({ reason: 'pause' }, mode);
        return;
      }
      let stop: Stop | null;
      try {
        const t0 = performance.now();
        stop = this.runSlice(burst, mode);
        burst = nextBurst(burst, performance.now() - t0);
        this.host.afterBurst();
      } catch (e) {
        // A bug in a hook or host callback must end the run with a message, never kill the adapter.
        stop = { reason: 'exception', description: 'adapter error', text: `adapter error: ${(e as Error).message}` };
      }
      if (!stop && ++bursts % 10 === 0) this.host.onProgress?.(this.machine.cpu.icount - startCount);
      if (stop) this.finish(stop, mode);
      else this.timer = setImmediate(tick);
    };
    this.timer = setImmediate(tick);
  }

  private finish(stop: Stop, mode?: Mode): void {
    this.running = false;
    this.pauseRequested = false;
    if (mode?.kind === 'next') this.machine.breakpoints.delete(mode.target);
    if (mode?.kind === 'stepOut') this.monitor.disarmStepOut();
    if (mode?.kind === 'line' && mode.step.returnTo) this.machine.breakpoints.delete(mode.step.returnTo.linear);
    this.monitor.stack.settle(this.machine.cpu);
    this.host.afterBurst();
    this.host.onStop(stop);
  }

  /** The stop a hook asked for after an instruction (watchpoint, exception, VM entry, event filter, stepOut), or null. */
  private requestedStop(): Stop | null {
    const cpu = this.machine.cpu;
    const hit = this.monitor.watch.takeHit();
    if (hit) {
      const what = hit.kind === 'write' ? `write of 0x${hit.value.toString(16)} to` : 'read of';
      return {
        reason: 'data breakpoint', hitBreakpointIds: [hit.watch.id],
        description: `data breakpoint: ${what} 0x${hit.linear.toString(16)}`,
        text: `${what} linear 0x${hit.linear.toString(16)} (physical 0x${hit.address.toString(16)}; watch 0x${hit.watch.linear.toString(16)}, ${hit.watch.length} bytes) by the instruction before ${segOff(cpu.sel[CS], cpu.eip)}`,
      };
    }
    const exc = this.monitor.takeExceptionHit();
    if (exc) {
      // An exception that an earlier delivery raised says which rule raised it, one whose own delivery faulted
      // says which rule made it fault (info fault has the chain).
      const chain = cpu.faultChain;
      const rule = raisedBy(chain, exc.vector);
      const failed = chain.find((l) => l.kind === INT_EXC && l.vector === exc.vector && l.rule)?.rule;
      // An instruction's own fault through a rule (a segment load, a limit) names that rule.
      const cause = cpu.faultCause?.vector === exc.vector ? cpu.faultCause.rule : null;
      const description = `${exc.description}${rule ? `, raised by ${rule.id}` : ''}${cause ? `: ${cause.id}` : ''}${failed ? `; its delivery faulted (${failed.id}): ${chainPath(chain)}` : ''}`;
      return { reason: 'exception', description, text: `${description}; stopped at the handler` };
    }
    const vm = this.monitor.vmEntry?.takeHit();
    if (vm) return { reason: 'exception', description: vm, text: vm };
    const ev = this.monitor.events.takeHit();
    if (ev) return { reason: 'exception', description: ev, text: ev };
    const magic = this.monitor.magic.takeHit();
    if (magic) return { reason: 'breakpoint', description: magic };
    if (this.monitor.takeStepOutDone()) return { reason: 'step' };
    return null;
  }

  /** Runs up to `budget` instructions; returns a stop, or null when the budget ran out with nothing to report. */
  private runSlice(budget: number, mode: Mode): Stop | null {
    const m = this.machine, cpu = m.cpu;
    let left = budget;
    while (left > 0) {
      const startCount = cpu.icount, startPc = m.pcLinear;
      let r: StopInfo;
      try {
        // With a recording, runs go through it so new history is snapshotted as it is made.
        // A line step runs hooked, except through a call it steps over (to its return address, at full speed).
        const hook = mode.kind === 'line' && !mode.step.returnTo ? mode.step.hook : null;
        r = (this.recorder ?? m).run({ maxInstructions: left, beforeInstruction: hook });
      } catch (e) {
        return { reason: 'exception', description: 'emulator error', text: `emulator error: ${(e as Error).message}` };
      }
      const executed = cpu.icount - startCount;
      left -= Math.max(executed, 0);
      switch (r.reason) {
        case 'max':
          if (left <= 0) return null;
          continue;
        case 'breakpoint': {
          // Stopped before executing anything at the address we resumed from: run past it.
          if (executed === 0 && m.pcLinear === startPc) continue;
          // The instruction before trapped (a watchpoint, a filter) and this one has a breakpoint: the
          // trap comes first, as x86 delivers the debug trap before it fetches the next instruction.
          const trapped = this.requestedStop();
          if (trapped) {
            m.cancelStopRequest();
            return trapped;
          }
          if (mode.kind === 'next' && m.pcLinear === mode.target && cpu.sel[SS] === mode.ss
            && (cpu.r32[ESP] & cpu.stackMask) >= mode.esp && this.bps.at().length === 0) {
            return { reason: 'step' };
          }
          if (mode.kind === 'line' && mode.step.returned(m.pcLinear)) {
            // Back from a call of the line: the hooked run goes on from here (unless a breakpoint is here too).
            this.machine.breakpoints.delete(mode.step.returnTo!.linear);
            mode.step.returnTo = null;
            if (this.bps.at().length === 0) continue;
          }
          const d = this.bps.onHit();
          for (const msg of d.messages) this.host.onMessage(msg);
          if (d.stop) return { reason: stopReasonFor(d.origins), hitBreakpointIds: d.ids, description: `breakpoint at ${segOff(cpu.sel[CS], cpu.eip)}` };
          if (mode.kind === 'next' && m.pcLinear === mode.target && cpu.sel[SS] === mode.ss && (cpu.r32[ESP] & cpu.stackMask) >= mode.esp) {
            return { reason: 'step' };
          }
          continue;
        }
        case 'pause': {
          const requested = this.requestedStop();
          if (requested) return requested;
          if (budget === 1 && executed >= 1) return { reason: 'step' };
          continue;
        }
        case 'step':
          // Only a line step's hook stops so: the line step is done, or it runs through a call to its return.
          if (mode.kind === 'line' && mode.step.returnTo) {
            this.machine.breakpoints.add(mode.step.returnTo.linear);
            continue;
          }
          return { reason: 'step' };
        case 'halt':
          return { reason: 'exception', description: r.detail ?? 'HLT', text: `CPU halted: ${r.detail ?? 'HLT'}` };
        case 'triple-fault': {
          // The description names the rule that ended the chain; the text has the whole chain (as `info fault`).
          // An exception stop noted when a link's delivery began is part of this stop, not the next one.
          this.monitor.takeExceptionHit();
          const rule = lastRule(cpu.faultChain);
          const last = cpu.lastException >= 0 ? ` (last exception ${EXCEPTION_NAMES[cpu.lastException] ?? cpu.lastException})` : '';
          const description = rule ? `triple fault: ${rule.id}` : `triple fault${last}`;
          const chain = cpu.faultChain.length ? `\n${formatChain(cpu.faultChain).join('\n')}` : last;
          return { reason: 'exception', description, text: `${r.detail ?? 'triple fault'}${chain}` };
        }
        case 'shutdown':
          return { reason: 'exception', description: r.detail ?? 'shutdown', text: r.detail ?? 'shutdown' };
        case 'poweroff':
          return { reason: 'exception', description: 'powered off', text: `powered off: ${r.detail ?? 'the guest switched the machine off'}`, poweredOff: true };
        default:
          return { reason: 'exception', description: r.detail ?? r.reason, text: r.detail ?? r.reason };
      }
    }
    return null;
  }
}
