// The instruction loop: a fast inner loop that runs while no attention bit is set, and a slow
// step that handles interrupts, the STI/MOV SS shadow and the TF single-step trap around one
// instruction. Faults arrive as the FAULT sentinel and are delivered here; nothing the guest does
// escapes as a JavaScript exception. SDM Vol. 3 §6.8.3 (shadow), §17.3.1.4 (single-step trap).
// Pure TypeScript: no Node or VS Code imports.

import { ATTN_IRQ, ATTN_SHADOW, ATTN_TRAP, type Cpu } from './cpu';
import { DB, FAULT } from './faults';
import { INT_EXC, INT_HW, interrupt, raiseFault } from './interrupts';
import { CS, EFLAGS_IF, EFLAGS_TF } from './regs';

/** Executes one instruction (no interrupt or trap handling): the hot path. */
export function stepOne(cpu: Cpu): void {
  cpu.prevEip = cpu.eip;
  cpu.o32 = cpu.a32 = cpu.code32;
  cpu.segOvr = -1;
  cpu.rep = 0;
  cpu.prefixes = 0;
  cpu.fetchLimit = cpu.hi[CS];
  cpu.icount++;
  const op = cpu.fetch8();
  cpu.ops[op | (cpu.o32 << 9)](cpu);
}

/** Recomputes the CPU-owned attention bits after the slow path. */
export function refreshAttention(cpu: Cpu): void {
  let a = cpu.attn & ~(ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW);
  if (cpu.irqPending && cpu.flags & EFLAGS_IF) a |= ATTN_IRQ;
  if (cpu.flags & EFLAGS_TF) a |= ATTN_TRAP;
  if (cpu.shadowUntil >= cpu.icount) a |= ATTN_SHADOW;
  cpu.attn = a;
}

/** Delivers a pending hardware interrupt if IF and the shadow allow it; returns whether one was taken. */
export function serviceInterrupt(cpu: Cpu): boolean {
  if (!cpu.irqPending || !(cpu.flags & EFLAGS_IF) || cpu.shadowUntil >= cpu.icount || cpu.shutdown) return false;
  const vector = cpu.acknowledgeIrq();
  if (vector < 0) return false;
  cpu.halted = false;
  try {
    interrupt(cpu, vector, INT_HW, -1);
  } catch (e) {
    if (e !== FAULT) throw e;
    cpu.prevEip = cpu.eip;
    raiseFault(cpu);
  }
  return true;
}

/** One instruction with interrupt, shadow and trap handling (the slow path). */
export function stepSlow(cpu: Cpu): void {
  serviceInterrupt(cpu);
  if (cpu.halted) return;
  const trap = (cpu.flags & EFLAGS_TF) !== 0 && cpu.shadowUntil < cpu.icount;
  const rep = cpu.repBudget;
  if (trap) cpu.repBudget = 1;
  try {
    stepOne(cpu);
  } catch (e) {
    if (e !== FAULT) throw e;
    raiseFault(cpu);
    cpu.repBudget = rep;
    refreshAttention(cpu);
    return;
  }
  cpu.repBudget = rep;
  if (trap) {
    // Single-step trap after the instruction: DR6.BS, then INT 1 with EIP of the next instruction.
    cpu.dr[6] |= 0x4000;
    try {
      interrupt(cpu, DB, INT_EXC, -1);
    } catch (e) {
      if (e !== FAULT) throw e;
      cpu.prevEip = cpu.eip;
      raiseFault(cpu);
    }
  }
  refreshAttention(cpu);
}

/**
 * Runs up to `budget` instructions or until HLT, shutdown, or an attention bit the CPU does not
 * own (breakpoints, stop requests: the machine's) is set. Returns the number executed.
 */
export function runCpu(cpu: Cpu, budget: number): number {
  const start = cpu.icount;
  const end = start + budget;
  const foreign = ~(ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW);
  while (cpu.icount < end && !cpu.halted) {
    if (cpu.attn !== 0) {
      if (cpu.attn & foreign) break;
      cpu.repBudget = end - cpu.icount;
      stepSlow(cpu);
      continue;
    }
    cpu.repBudget = end - cpu.icount;
    try {
      do stepOne(cpu);
      while (cpu.attn === 0 && cpu.icount < end && !cpu.halted);
    } catch (e) {
      if (e !== FAULT) throw e;
      raiseFault(cpu);
      refreshAttention(cpu);
    }
  }
  return cpu.icount - start;
}
