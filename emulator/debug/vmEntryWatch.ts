// breakOnVmEntryFailure: after each instruction that can change what the VM-entry checks read (systemState.ts:
// segment loads, far transfers, IRET, POPF/CLI/STI, MOV CRn, LMSW, LGDT/LIDT/LLDT/LTR, ...), the checks run on the
// live state if it changed; the run stops where the verdict turns from "enter" to a failure. Installed by wrapping
// those dispatch entries once, for the whole session. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 3 §26.3 (guest-state checks).
import type { Cpu } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { Machine } from '../machine';
import { segOff } from './machineView';
import { watchSystemState } from './systemState';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { sampleVerdictState, VERDICT_SAMPLE } from '../vmx/monitor';
import { evaluateProfile, type ProfileName } from '../vmx/profiles';

export class VmEntryWatch {
  private entering = false;
  private hit: string | null = null;
  private readonly seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  private why: string | null = null;

  constructor(private readonly machine: Machine, readonly profile: ProfileName) {
    const cpu = machine.cpu;
    this.entering = this.verdict(cpu) === null;
    watchSystemState(cpu, { after: (c, at) => this.after(c, at) });
  }

  /** null when VM entry would succeed, else the first failure in words; checks run only when the state changed. */
  private verdict(cpu: Cpu): string | null {
    if (!sampleVerdictState(cpu, this.seen)) return this.why;
    // The hypervisor profile of emulator/vmx decides (the same evaluation as `bootscope run --profile`);
    // "emulate" is not a failure: the hypervisor handles it.
    const r = evaluateProfile(this.profile, snapshotFromCpu(cpu));
    const f = r.failures[0];
    this.why = r.verdict !== 'fail' ? null : f ? `§${f.section} ${f.id}: ${f.message}` : r.reason;
    return this.why;
  }

  private after(cpu: Cpu, at: number): void {
    const why = this.verdict(cpu);
    if (this.entering && why !== null && !this.hit) {
      this.hit = `VM entry would fail (${this.profile}) after the instruction at ${segOff(cpu.sel[CS], at)}: ${why}`;
      this.machine.requestStop();
    }
    this.entering = why === null;
  }

  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }
}
