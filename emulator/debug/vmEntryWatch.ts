// breakOnVmEntryFailure: after each instruction that can change what the VM-entry checks read
// (segment loads, far transfers, IRET, POPF/STI, MOV CRn, LMSW, LGDT/LIDT/LLDT/LTR), the checks run on
// the live state; the run stops where the verdict turns from "enter" to a failure. Installed by
// wrapping those dispatch entries once, for the whole session. Pure TypeScript: no Node or VS Code
// imports. SDM Vol. 3 §26.3 (guest-state checks).
import type { Cpu, Handler } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { Machine } from '../machine';
import { segOff } from './machineView';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { evaluateProfile, type ProfileName } from '../vmx/profiles';

const MAP0F = 0x100;
/** Opcodes whose execution may change the verdict (one-byte map, then 0F map). */
const WATCHED = [
  0x07, 0x17, 0x1f, 0x8e, 0x9a, 0x9d, 0xc4, 0xc5, 0xca, 0xcb, 0xcf, 0xea, 0xfb, 0xff,
  MAP0F | 0x00, MAP0F | 0x01, MAP0F | 0x22, MAP0F | 0xa1, MAP0F | 0xa9, MAP0F | 0xb2, MAP0F | 0xb4, MAP0F | 0xb5,
];

export class VmEntryWatch {
  private entering = false;
  private hit: string | null = null;

  constructor(private readonly machine: Machine, readonly profile: ProfileName) {
    const cpu = machine.cpu;
    this.entering = this.verdict(cpu) === null;
    for (const base of WATCHED) {
      for (const idx of [base, base | 0x200]) {
        const h: Handler = cpu.ops[idx];
        cpu.ops[idx] = (c) => {
          const at = c.prevEip;
          h(c);
          this.after(c, at);
        };
      }
    }
  }

  /** null when VM entry would succeed, else the first failure in words. */
  private verdict(cpu: Cpu): string | null {
    // The hypervisor profile of emulator/vmx decides (the same evaluation as `bootscope run --profile`);
    // "emulate" is not a failure: the hypervisor handles it.
    const r = evaluateProfile(this.profile, snapshotFromCpu(cpu));
    if (r.verdict !== 'fail') return null;
    const f = r.failures[0];
    return f ? `§${f.section} ${f.id}: ${f.message}` : r.reason;
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
