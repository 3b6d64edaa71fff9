// Interrupt and exception delivery. Real mode uses the IVT at IDTR.base; protected mode and vm86
// go through the IDT (installed by protected/interrupts.ts as cpu.pmInterrupt). Nested faults
// follow the double-fault rules (SDM Vol. 3 §6.15 Table 6-5); a fault while delivering #DF is a
// triple fault, which stops the CPU (shutdown) and is reported to the caller, never thrown.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §6.12, §20.1.4.

import type { Cpu } from './cpu';
import { DF, FAULT, INT_EXC, PF, isDoubleFault } from './faults';
import { causeOf, deliveredLink, failedLink, type FaultLink } from './faultChain';
import { DF_CONTRIBUTORY, DF_PAGE_FAULT, IVT_ENTRY_LIMIT, IVT_STACK_LIMIT, IVT_STACK_LIMIT_80286, SHUTDOWN } from './faultRules';
import { CR0_PE, CS, EFLAGS_AC, EFLAGS_IF, EFLAGS_TF, ESP, SS } from './regs';

export { INT_EXC, INT_HW, INT_SOFT } from './faults';

/** Delivers `vector`; `eip` must already hold the return address. */
export function interrupt(cpu: Cpu, vector: number, kind: number, errorCode: number): void {
  if (cpu.onInterrupt !== null) cpu.onInterrupt(cpu, vector, kind);
  // Left set when delivery faults: raiseFault then starts the chain with this event.
  cpu.delivering = vector | (kind << 8);
  if (cpu.cr0 & CR0_PE) {
    cpu.pmInterrupt(cpu, vector, kind, errorCode);
    cpu.delivering = -1;
    return;
  }
  // Real mode (SDM §20.1.4): the vector must lie inside the IVT limit, else #GP (and, nested, #DF).
  const entry = vector * 4;
  if (entry + 3 > cpu.idtrLimit) cpu.faultRule(IVT_ENTRY_LIMIT, vector * 8 + 2, vector, vector, 0, 0, cpu.idtrLimit, entry);
  const ip = cpu.readLin16((cpu.idtrBase + entry) | 0);
  const cs = cpu.readLin16((cpu.idtrBase + entry + 2) | 0);
  realStackRoom(cpu, vector);
  cpu.push16(cpu.getFlags() & 0xffff);
  cpu.push16(cpu.sel[CS]);
  cpu.push16(cpu.eip & 0xffff);
  cpu.flags &= ~(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC);
  cpu.sel[CS] = cs;
  cpu.base[CS] = cs << 4;
  cpu.flushFetch();
  cpu.csLoaded();
  cpu.eip = ip;
  cpu.delivering = -1;
}

/**
 * The real-mode frame (FLAGS, CS, IP) must fit: a word at the stack segment's last byte or beyond
 * faults as push16 would (the 8086 wraps). Checked before the pushes, so a fault leaves SP as it was.
 */
function realStackRoom(cpu: Cpu, vector: number): void {
  const mask = cpu.stackMask, hi = cpu.hi[SS];
  const sp = (cpu.r32[ESP] & mask) >>> 0;
  for (let k = 2; k <= 6; k += 2) {
    const off = ((sp - k) & mask) >>> 0;
    if (off + 1 > hi && !(cpu.traits.wrapSegments && off === 0xffff)) {
      const rule = cpu.traits.realOverrunIsGp ? IVT_STACK_LIMIT_80286 : IVT_STACK_LIMIT;
      cpu.faultRule(rule, 0, vector, cpu.sel[SS], sp, 0, cpu.limit[SS], off);
    }
  }
}

const NO_CHAIN: readonly FaultLink[] = [];

/**
 * Delivers the fault held in FAULT. Faults restart the instruction (EIP = the first prefix byte);
 * a contributory fault during delivery becomes #DF, and a fault during #DF delivery shuts the CPU
 * down. When a delivery faults, cpu.faultChain keeps every attempt with its rule (faultChain.ts).
 */
export function raiseFault(cpu: Cpu): void {
  let vector = FAULT.vector;
  let code = FAULT.errorCode;
  if (cpu.faultIsTrap) cpu.faultIsTrap = false;
  else cpu.eip = cpu.prevEip;
  cpu.lastException = vector;
  // A fault raised while delivering INT n or an IRQ: that event is the chain's first link.
  const ev = cpu.delivering;
  // An instruction's own fault: why the exception was raised (the first link's cause).
  const cause = ev < 0 ? causeOf(cpu, FAULT) : null;
  cpu.faultCause = cause;
  let chain: FaultLink[] | null = ev >= 0 ? [failedLink(cpu, ev & 0xff, ev >> 8, -1, FAULT)] : null;
  cpu.delivering = -1;
  for (;;) {
    const cs = cpu.sel[CS], eip = cpu.eip >>> 0;
    try {
      interrupt(cpu, vector, INT_EXC, code);
      cpu.halted = false;
      if (chain) chain.push(deliveredLink(vector, code, cs, eip));
      cpu.faultChain = chain ?? NO_CHAIN;
      return;
    } catch (e) {
      if (e !== FAULT) throw e;
      const link = failedLink(cpu, vector, INT_EXC, code, FAULT);
      if (!chain) {
        chain = [];
        link.cause = cause;
      }
      chain.push(link);
      if (vector === DF) {
        link.then = SHUTDOWN;
        cpu.faultChain = chain;
        cpu.delivering = -1;
        cpu.shutdown = true;
        cpu.halted = true;
        return;
      }
      if (isDoubleFault(vector, FAULT.vector)) {
        link.then = vector === PF ? DF_PAGE_FAULT : DF_CONTRIBUTORY;
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
