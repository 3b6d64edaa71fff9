// One debugger attachment to a Machine: the shadow call stack, watchpoints, exception stops and the
// instruction classification `next` needs (step over CALL, INT and a whole REP string instruction).
// It installs the CPU's opt-in hooks on attach and removes them on detach.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §6.15 (exceptions), §18.3.1.
import { INT_EXC, INT_SOFT } from '../cpu/interrupts';
import { EXCEPTION_NAMES } from '../cpu/faults';
import { CS } from '../cpu/regs';
import { decode, type Instruction } from '../decode/decoder';
import { T_CALL, T_INT, T_REP, T_REPE, decodeTier } from '../decode/table';
import type { Machine } from '../machine';
import { ShadowCallStack } from './callStack';
import { EventStops, NO_EVENT_FILTERS } from './eventStops';
import { MagicBreakpoint } from './magicBreakpoint';
import { readLinear, segOff } from './machineView';
import { Watchpoints } from './watchpoints';
import { type VmEntryStops, VmEntryWatch } from './vmEntryWatch';
import type { ProfileName } from '../vmx/profiles';

export interface ExceptionStop {
  vector: number;
  description: string;
}

export class DebugMonitor {
  readonly stack = new ShadowCallStack();
  readonly watch: Watchpoints;
  /** INT n, port I/O, mode-switch and table-load stops. */
  readonly events: EventStops;
  /** `xchg bx, bx` stops (launch attribute magicBreakpoint), unarmed until asked for. */
  readonly magic: MagicBreakpoint;
  /** Exception vectors that stop execution (after delivery, at the handler's first instruction). */
  readonly exceptionFilter = new Set<number>();
  private exceptionHit: ExceptionStop | null = null;
  /** breakOnVmEntryFailure, when armed. */
  vmEntry: VmEntryWatch | null = null;
  /** Set when stepOut's frame returned. */
  private stepOutDone = false;
  private stepOutDepth = -1;

  constructor(readonly machine: Machine) {
    this.watch = new Watchpoints(machine.cpu, machine.mem);
    this.watch.onHit = () => machine.requestStop();
    this.events = new EventStops(machine);
    this.magic = new MagicBreakpoint(machine);
    const cpu = machine.cpu;
    this.stack.install(cpu);
    cpu.onInterrupt = (c, vector, kind) => {
      this.stack.noteInterrupt(c, vector, kind);
      if (kind === INT_SOFT) this.events.noteSoftInt(c, vector);
      if (kind === INT_EXC && this.exceptionFilter.has(vector) && !this.exceptionHit) {
        const name = EXCEPTION_NAMES[vector] ?? `exception ${vector}`;
        this.exceptionHit = { vector, description: `${name} at ${segOff(c.sel[CS], c.prevEip)}` };
        machine.requestStop();
      }
    };
  }

  /** The stack's onPop while stepOut is armed (none otherwise: every return would call it). */
  private readonly stepOutWatch = (depth: number): void => {
    if (depth < this.stepOutDepth) {
      this.disarmStepOut();
      this.stepOutDone = true;
      this.machine.requestStop();
    }
  };

  /** Arms breakOnVmEntryFailure / breakOnEmulation for the session (before any other dispatch wrapper that may be removed). */
  armVmEntryWatch(profile: ProfileName, on: VmEntryStops = { failure: true, emulation: false }): void {
    if (!this.vmEntry) this.vmEntry = new VmEntryWatch(this.machine, profile, on);
  }

  detach(): void {
    this.events.configure(NO_EVENT_FILTERS);
    this.magic.arm(false);
    this.stack.uninstall();
    this.machine.cpu.onInterrupt = null;
    this.watch.clear();
  }

  /**
   * Runs `replay` (a re-execution the user is not watching: a timeline pass, a history scan) without it showing:
   * the shadow call stack is put back and the stops it would have reported are dropped.
   */
  quietly<T>(replay: () => T): T {
    const frames = this.stack.save();
    try {
      return replay();
    } finally {
      this.stack.restore(frames);
      this.watch.takeHit();
      this.events.takeHit();
      this.magic.takeHit();
      this.vmEntry?.takeHit();
      this.exceptionHit = null;
      this.stepOutDone = false;
      this.machine.cancelStopRequest();
    }
  }

  takeExceptionHit(): ExceptionStop | null {
    const h = this.exceptionHit;
    this.exceptionHit = null;
    return h;
  }

  /** Arms stepOut: the run stops when the current top frame returns. */
  armStepOut(): boolean {
    if (this.stack.depth === 0) return false;
    this.stepOutDepth = this.stack.depth;
    this.stepOutDone = false;
    this.stack.onPop = this.stepOutWatch;
    return true;
  }

  disarmStepOut(): void {
    this.stepOutDepth = -1;
    this.stack.onPop = null;
  }

  takeStepOutDone(): boolean {
    const d = this.stepOutDone;
    this.stepOutDone = false;
    return d;
  }

  /** Decodes the instruction at CS:EIP (no side effects). */
  currentInstruction(): Instruction {
    const cpu = this.machine.cpu;
    const bytes = readLinear(cpu, this.machine.pcLinear, 15).bytes;
    return decode((i) => bytes[i], cpu.code32 ? 32 : 16, decodeTier(cpu.model));
  }

  /** For `next`: the linear address after the current instruction when it is a CALL, INT or REP string op, else -1. */
  stepOverTarget(): number {
    const insn = this.currentInstruction();
    const tags = insn.row?.tags ?? 0;
    const rep = insn.prefixes.rep !== 0 && (tags & (T_REP | T_REPE)) !== 0;
    if (!(tags & (T_CALL | T_INT)) && !rep) return -1;
    const cpu = this.machine.cpu;
    const next = cpu.traits.wrapSegments ? (cpu.eip + insn.length) & 0xffff : cpu.eip + insn.length;
    return (cpu.base[CS] + next) >>> 0;
  }
}
