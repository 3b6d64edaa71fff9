// Following a profile's verdict along a run, for `run --profile` with --break-on-vmentry-failure / --break-on-emulation
// and --list-emulated: evaluates at each instruction boundary (memoised on the state the SDM §26.3 checks read, so an
// unchanged segment/CR/RFLAGS state costs a key build, not a run of every check), reports when the verdict becomes fail or
// emulate, and records the instructions the hypervisor would emulate with the state before and after.
// Pure TypeScript: no Node or VS Code imports.
import type { CpuSnapshot } from './cpuSnapshot';
import { evaluateProfile, type ProfileName, type ProfileOptions, type ProfileResult, type Verdict } from './profiles';

/** RFLAGS bits some check or profile reads: TF, IF, IOPL, VM and the reserved bits; arithmetic flags do not matter. */
const EFLAGS_RELEVANT = ~0x08d5 >>> 0;

/** The part of a snapshot a verdict depends on (not EIP/ESP: 32-bit values always pass RIP.HI). */
export function verdictKey(s: CpuSnapshot): string {
  const g = s.segments;
  return [
    g.es, g.cs, g.ss, g.ds, g.fs, g.gs, g.ldtr, g.tr,
  ].map((x) => `${x.selector},${x.base},${x.limit},${x.access}`).join(';')
    + `|${s.cr0}|${s.cr3}|${s.cr4}|${s.eflags & EFLAGS_RELEVANT}|${s.gdtr.base},${s.gdtr.limit}|${s.idtr.base},${s.idtr.limit}`
    + `|${s.efer ?? 0}|${s.dr7 ?? 0x400}|${s.interruptibility ?? 0}|${s.halted ? 1 : 0}`;
}

export interface WatchStep {
  result: ProfileResult;
  /** The verdict changed to fail at this boundary (--break-on-vmentry-failure). */
  becameFail: boolean;
  /** The verdict changed to emulate at this boundary (--break-on-emulation). */
  becameEmulate: boolean;
}

export class VerdictWatch {
  private lastKey = '';
  private last: ProfileResult | undefined;
  private prevVerdict: Verdict | undefined;

  constructor(readonly profile: ProfileName, private readonly options: ProfileOptions = {}) {}

  /** Call at every instruction boundary with the state before the next instruction. */
  step(s: CpuSnapshot): WatchStep {
    const key = verdictKey(s);
    if (key !== this.lastKey || !this.last) {
      this.last = evaluateProfile(this.profile, s, this.options);
      this.lastKey = key;
    }
    const v = this.last.verdict;
    const step = { result: this.last, becameFail: v === 'fail' && this.prevVerdict !== 'fail', becameEmulate: v === 'emulate' && this.prevVerdict !== 'emulate' };
    this.prevVerdict = v;
    return step;
  }
}

export interface EmulatedInstruction {
  /** Instruction count (as in --trace). */
  n: number;
  cs: number;
  eip: number;
  reason: string;
  before: CpuSnapshot;
  after?: CpuSnapshot;
}

/** The instructions a hypervisor would run in its emulator (--list-emulated): each with the state before and after. */
export class EmulationLog {
  readonly entries: EmulatedInstruction[] = [];
  private open: EmulatedInstruction | undefined;

  constructor(private readonly watch: VerdictWatch) {}

  /** Before instruction n executes; returns the watch step so the caller can also stop on it. */
  before(n: number, s: CpuSnapshot): WatchStep {
    if (this.open) this.open.after = structuredClone(s);
    this.open = undefined;
    const step = this.watch.step(s);
    if (step.result.verdict === 'emulate') {
      this.open = { n, cs: s.segments.cs.selector, eip: s.eip, reason: step.result.reason, before: structuredClone(s) };
      this.entries.push(this.open);
    }
    return step;
  }

  /** At the end of the run: the last emulated instruction's state after. */
  finish(s: CpuSnapshot): void {
    if (this.open) this.open.after = structuredClone(s);
    this.open = undefined;
  }
}
