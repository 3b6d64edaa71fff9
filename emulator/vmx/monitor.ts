// Wires a hypervisor profile into Machine.run for `bootscope run --profile NAME` (docs/CLI.md):
// a beforeInstruction hook that stops with 'vmentry-failure' or 'emulation' where the verdict changes to fail or
// emulate (the first boundary counts as a change, so a state that is already invalid stops at once), the `vmentry`
// summary for the JSON stop summary, and the --list-emulated records. SDM Vol. 3 §26 via profiles.ts.
// Pure TypeScript: no Node or VS Code imports.
import type { Cpu } from '../cpu/cpu';
import type { Machine, StopReason } from '../machine';
import { snapshotFromCpu } from './fromCpu';
import { type ProfileName, type ProfileOptions, type ProfileResult, vmentrySummary } from './profiles';
import { EmulationLog, VerdictWatch } from './watch';

export interface MonitorOptions {
  profile: ProfileName;
  breakOnFailure?: boolean;
  breakOnEmulation?: boolean;
  /** Keep the instructions the hypervisor would emulate (--list-emulated). */
  listEmulated?: boolean;
  profileOptions?: ProfileOptions;
}

/** EFLAGS bits a verdict can depend on; none of them is ever lazy (flags.ts defers only the six status flags). */
const EFLAGS_SYSTEM = ~0x08d5 >>> 0;
/** Length of the array sampleVerdictState fills. */
export const VERDICT_SAMPLE = 8 * 4 + 12;
const scratch = new Float64Array(VERDICT_SAMPLE);

/**
 * Copies what a verdict depends on from the CPU into `into` and says whether anything changed: 44 number compares
 * and no allocation, so an armed profile costs little on the instructions that do not touch segment or system state.
 */
export function sampleVerdictState(cpu: Cpu, into: Float64Array): boolean {
  const t = scratch;
  for (let s = 0; s < 8; s++) {
    t[s * 4] = cpu.sel[s];
    t[s * 4 + 1] = cpu.base[s];
    t[s * 4 + 2] = cpu.limit[s];
    t[s * 4 + 3] = cpu.ar[s];
  }
  t[32] = cpu.cr0;
  t[33] = cpu.cr3;
  t[34] = cpu.cr4;
  t[35] = (cpu.flags & EFLAGS_SYSTEM) >>> 0;
  t[36] = cpu.gdtrBase;
  t[37] = cpu.gdtrLimit;
  t[38] = cpu.idtrBase;
  t[39] = cpu.idtrLimit;
  t[40] = cpu.dr[7];
  t[41] = cpu.shadowUntil >= cpu.icount ? 1 : 0;
  t[42] = cpu.halted ? 1 : 0;
  const efer = cpu.msr.size === 0 ? undefined : cpu.msr.get(0xc0000080);
  t[43] = efer === undefined ? 0 : Number(efer & 0xffffffffn);
  let changed = false;
  for (let i = 0; i < VERDICT_SAMPLE; i++) {
    if (into[i] !== t[i]) {
      into[i] = t[i];
      changed = true;
    }
  }
  return changed;
}

export class VmentryMonitor {
  readonly watch: VerdictWatch;
  readonly log: EmulationLog | undefined;
  private last: ProfileResult | undefined;
  private readonly seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);

  constructor(private readonly opts: MonitorOptions) {
    this.watch = new VerdictWatch(opts.profile, opts.profileOptions);
    this.log = opts.listEmulated ? new EmulationLog(this.watch) : undefined;
  }

  /** Pass as RunOptions.beforeInstruction. */
  readonly beforeInstruction = (m: Machine): StopReason | null => {
    const changed = sampleVerdictState(m.cpu, this.seen);
    // Unchanged state and not emulating: the verdict is the last one and cannot have just changed.
    if (!changed && this.last && this.last.verdict !== 'emulate') return null;
    const snap = snapshotFromCpu(m.cpu);
    const step = this.log ? this.log.before(m.cpu.icount, snap) : this.watch.step(snap);
    this.last = step.result;
    if (step.becameFail && this.opts.breakOnFailure) return 'vmentry-failure';
    if (step.becameEmulate && this.opts.breakOnEmulation) return 'emulation';
    return null;
  };

  /** The `vmentry` object of the stop summary: the verdict for the state the machine stopped in. */
  summary(m: Machine): ReturnType<typeof vmentrySummary> {
    const r = this.watch.step(snapshotFromCpu(m.cpu)).result;
    this.last = r;
    return vmentrySummary(r);
  }

  /** Call when the run ends: closes the last emulated instruction's after-state. Returns the records. */
  finish(m: Machine) {
    this.log?.finish(snapshotFromCpu(m.cpu));
    return this.log?.entries ?? [];
  }

  get lastResult(): ProfileResult | undefined {
    return this.last;
  }
}
