// The emulator's live CPU state as a CpuSnapshot for the hypervisor profiles: selectors and hidden descriptor caches
// (access rights already in VMCS layout, SDM Vol. 3 §24.4.1), CR0-CR4, materialised EFLAGS, GDTR/IDTR, DR7, EFER
// and the STI/MOV-SS interrupt shadow as interruptibility (§24.4.2 Table 24-3). No Node or VS Code imports.
import type { Cpu } from '../cpu/cpu';
import { materialize } from '../cpu/flags';
import { EFLAGS_IF, ESP } from '../cpu/regs';
import type { CpuSnapshot } from './cpuSnapshot';
import type { SegName } from './guestState';

const MSR_EFER = 0xc0000080;
// Cpu arrays are indexed ES CS SS DS FS GS LDTR TR (emulator/cpu/regs.ts).
const ORDER: SegName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'];

export function snapshotFromCpu(cpu: Cpu): CpuSnapshot {
  const segments = {} as CpuSnapshot['segments'];
  ORDER.forEach((n, i) => {
    segments[n] = { selector: cpu.sel[i], base: cpu.base[i], limit: cpu.limit[i], access: cpu.ar[i] };
  });
  const eflags = materialize(cpu) >>> 0;
  // The CPU keeps one shadow for STI and MOV/POP SS. Reporting it as STI blocking when IF=1 and as MOV-SS blocking
  // when IF=0 is always a state the SDM accepts (INT.STI_IF), so the shadow never causes a spurious failure.
  const shadow = cpu.shadowUntil >= cpu.icount ? ((eflags & EFLAGS_IF) !== 0 ? 1 : 2) : 0;
  const efer = cpu.msr.get(MSR_EFER);
  return {
    segments,
    cr0: cpu.cr0 >>> 0,
    cr2: cpu.cr2 >>> 0,
    cr3: cpu.cr3 >>> 0,
    cr4: cpu.cr4 >>> 0,
    eflags,
    eip: cpu.eip >>> 0,
    esp: cpu.r32[ESP] >>> 0,
    gdtr: { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit },
    idtr: { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit },
    dr7: cpu.dr[7] >>> 0,
    efer: efer === undefined ? 0 : Number(BigInt.asUintN(32, efer)),
    interruptibility: shadow,
    halted: cpu.halted,
  };
}
