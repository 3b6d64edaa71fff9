// Wires a hypervisor profile into Machine.run for `bootscope run --profile NAME` (../shared/docs/CLI.md):
// a beforeInstruction hook that stops with 'vmentry-failure' or 'emulation' where the verdict changes to fail or
// emulate (the first boundary counts as a change, so a state that is already invalid stops at once), the `vmentry`
// summary for the JSON stop summary, and the --list-emulated records. SDM Vol. 3 §26 via profiles.ts.
// Pure TypeScript: no Node or VS Code imports.
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

export class VmentryMonitor {
  readonly watch: VerdictWatch;
  readonly log: EmulationLog | undefined;
  private last: ProfileResult | undefined;

  constructor(private readonly opts: MonitorOptions) {
    this.watch = new VerdictWatch(opts.profile, opts.profileOptions);
    this.log = opts.listEmulated ? new EmulationLog(this.watch) : undefined;
  }

  /** Pass as RunOptions.beforeInstruction. */
  readonly beforeInstruction = (m: Machine): StopReason | null => {
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
