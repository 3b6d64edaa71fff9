// Interrupt and exception delivery. Real mode uses the IVT at IDTR.base; protected mode and vm86
// go through the IDT (installed by protected/interrupts.ts as cpu.pmInterrupt). Nested faults
// follow the double-fault rules (SDM Vol. 3 §6.15 Table 6-5); a fault while delivering #DF is a
// triple fault, which stops the CPU (shutdown) and is reported to the caller, never thrown.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §6.12, §20.1.4.

import type { Cpu } from './cpu';
import { DF, FAULT, GP, isDoubleFault } from './faults';
import { CR0_PE, CS, EFLAGS_AC, EFLAGS_IF, EFLAGS_TF } from './regs';

/** Software INT n / INT3 / INTO, hardware IRQ, or an exception raised by the CPU. */
export const INT_SOFT = 0, INT_HW = 1, INT_EXC = 2;

/** Delivers `vector`; `eip` must already hold the return address. */
export function interrupt(cpu: Cpu, vector: number, kind: number, errorCode: number): void {
  if (cpu.onInterrupt !== null) cpu.onInterrupt(cpu, vector, kind);
  if (cpu.cr0 & CR0_PE) {
    cpu.pmInterrupt(cpu, vector, kind, errorCode);
    return;
  }
  // Real mode (SDM §20.1.4): the vector must lie inside the IVT limit, else #GP (and, nested, #DF).
  const entry = vector * 4;
  if (entry + 3 > cpu.idtrLimit) cpu.fault(GP, vector * 8 + 2);
  const ip = cpu.readLin16((cpu.idtrBase + entry) | 0);
  const cs = cpu.readLin16((cpu.idtrBase + entry + 2) | 0);
  cpu.push16(cpu.getFlags() & 0xffff);
  cpu.push16(cpu.sel[CS]);
  cpu.push16(cpu.eip & 0xffff);
  cpu.flags &= ~(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC);
  cpu.sel[CS] = cs;
  cpu.base[CS] = cs << 4;
  cpu.flushFetch();
  cpu.csLoaded();
  cpu.eip = ip;
}

/**
 * Delivers the fault held in FAULT. Faults restart the instruction (EIP = the first prefix byte);
 * a contributory fault during delivery becomes #DF, and a fault during #DF delivery shuts the CPU down.
 */
export function raiseFault(cpu: Cpu): void {
  let vector = FAULT.vector;
  let code = FAULT.errorCode;
  if (cpu.faultIsTrap) cpu.faultIsTrap = false;
  else cpu.eip = cpu.prevEip;
  cpu.lastException = vector;
  for (;;) {
    try {
      interrupt(cpu, vector, INT_EXC, code);
      cpu.halted = false;
      return;
    } catch (e) {
      if (e !== FAULT) throw e;
      if (vector === DF) {
        cpu.shutdown = true;
        cpu.halted = true;
        return;
      }
      if (isDoubleFault(vector, FAULT.vector)) {
        vector = DF;
        code = 0;
      } else {
        vector = FAULT.vector;
        code = FAULT.errorCode;
      }
      cpu.lastException = vector;
    }
  }
}
