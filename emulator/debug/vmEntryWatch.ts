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
import { evaluateProfile, type ProfileName, type Verdict } from '../vmx/profiles';

/** Which verdict changes stop the run. */
export interface VmEntryStops {
  failure: boolean;
  emulation: boolean;
}

export class VmEntryWatch {
  private hit: string | null = null;
  private readonly seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  private verdict: Verdict = 'enter';
  private why = '';

  constructor(private readonly machine: Machine, readonly profile: ProfileName, private readonly on: VmEntryStops) {
    const cpu = machine.cpu;
    this.evaluate(cpu);
    watchSystemState(cpu, { after: (c, at) => this.after(c, at) });
  }

  /** Re-evaluates the profile when the state it reads changed; returns whether the verdict changed. */
  private evaluate(cpu: Cpu): boolean {
    if (!sampleVerdictState(cpu, this.seen)) return false;
    const r = evaluateProfile(this.profile, snapshotFromCpu(cpu));
    const f = r.failures[0];
    const changed = r.verdict !== this.verdict;
    this.verdict = r.verdict;
    this.why = r.verdict === 'fail' && f ? `§${f.section} ${f.id}: ${f.message}` : r.reason;
    return changed;
  }

  private after(cpu: Cpu, at: number): void {
    if (!this.evaluate(cpu) || this.hit) return;
    const where = `after the instruction at ${segOff(cpu.sel[CS], at)}`;
    if (this.verdict === 'fail' && this.on.failure) this.hit = `VM entry would fail (${this.profile}) ${where}: ${this.why}`;
    else if (this.verdict === 'emulate' && this.on.emulation) this.hit = `the hypervisor would emulate (${this.profile}) ${where}: ${this.why}`;
    else return;
    this.machine.requestStop();
  }

  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }
}
