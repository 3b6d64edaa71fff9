// breakOnVmEntryFailure / breakOnEmulation: after each instruction that can change what the VM-entry checks read
// (systemState.ts: segment loads, far transfers, IRET, POPF/CLI/STI, MOV CRn, LMSW, LGDT/LIDT/LLDT/LTR, ...), the
// hypervisor profile is evaluated on the live state if it changed; the run stops where the verdict turns to "fail"
// or to "emulate" (the hypervisor would emulate instead of entering the guest). Installed by wrapping those dispatch
// entries once, for the whole session. Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §26.3.
import type { Cpu } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { Machine } from '../machine';
import { segOff } from './machineView';
import { watchSystemState } from './systemState';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { sampleVerdictState, VERDICT_SAMPLE } from '../vmx/monitor';
import type { ProfileName } from '../vmx/profiles';
import { VerdictWatch } from '../vmx/watch';

/** Which verdict changes stop the run. */
export interface VmEntryStops {
  failure: boolean;
  emulation: boolean;
}

export class VmEntryWatch {
  private hit: string | null = null;
  private readonly seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  /** Says when the verdict becomes fail or emulate (the same rule as `bootscope run --profile`). */
  private readonly verdicts: VerdictWatch;

  constructor(private readonly machine: Machine, readonly profile: ProfileName, private readonly on: VmEntryStops) {
    const cpu = machine.cpu;
    this.verdicts = new VerdictWatch(profile);
    // The state at arming is where the run starts, not a change: only later changes stop.
    sampleVerdictState(cpu, this.seen);
    this.verdicts.step(snapshotFromCpu(cpu));
    watchSystemState(cpu, { after: (c, at) => this.after(c, at) });
  }

  private after(cpu: Cpu, at: number): void {
    // The checks run only when what they read changed.
    if (!sampleVerdictState(cpu, this.seen)) return;
    const step = this.verdicts.step(snapshotFromCpu(cpu));
    if (this.hit) return;
    const r = step.result;
    const where = `after the instruction at ${segOff(cpu.sel[CS], at)}`;
    const f = r.failures[0];
    if (step.becameFail && this.on.failure) this.hit = `VM entry would fail (${this.profile}) ${where}: ${f ? `§${f.section} ${f.id}: ${f.message}` : r.reason}`;
    else if (step.becameEmulate && this.on.emulation) this.hit = `the hypervisor would emulate (${this.profile}) ${where}: ${r.reason}`;
    else return;
    this.machine.requestStop();
  }

  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }
}
