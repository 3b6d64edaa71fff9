// Deterministic re-execution for reverse execution: runs the machine's CPU and devices to an exact
// instruction count with the recorder's own stop conditions (code addresses, a per-instruction hook)
// and none of the user's breakpoints. Device time follows the count exactly as in Machine.run, so a
// replay from a snapshot repeats the recorded instructions whatever the slicing.

import { ATTN_CODE, ATTN_CSIP, ATTN_IRQ, ATTN_MODE, ATTN_SHADOW, ATTN_STOP, ATTN_TRAP } from '../cpu/cpu';
import {
  BreakpointSet, deliverFault, rearm, RUN_ATTENTION, RUN_BREAKPOINT, RUN_BUDGET, RUN_HALT, RUN_HOOK, RUN_SHUTDOWN, refreshAttention, runCpu,
  serviceInterrupt, stepOne, stepSlow, armBreakpoints,
} from '../cpu/execute';
import type { Cpu } from '../cpu/cpu';
import { CS, EFLAGS_IF } from '../cpu/regs';
import type { Machine } from '../machine';

export interface ReplayControl {
  /** Code addresses (linear) whose every arrival calls onCode; the replay goes on past them. */
  code?: BreakpointSet | null;
  onCode?: ((icount: number, linear: number) => void) | null;
  /** Called before every instruction (forces one instruction, one REP iteration, per step). */
  hook?: ((cpu: Cpu) => boolean) | null;
  /**
   * Called after an instruction that raised ATTN_STOP (Machine.requestStop from a debugger's hook, or
   * a device rescheduling its clock): the position right after it. The replay goes on.
   */
  onStopRequest?: ((icount: number) => void) | null;
}

/** Attention bits a replay deals with: stop requests (cleared per slice), interrupts, TF, the shadow, mode switches, CS loads. */
const HANDLED_ATTN = ATTN_STOP | ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW | ATTN_MODE | ATTN_CODE | ATTN_CSIP;

/** Why a replay ended before its target: the CPU can make no more progress (HLT with IF=0, shutdown). */
export type ReplayEnd = 'target' | 'hook' | 'stuck';

/**
 * Runs `m` until cpu.icount === target (or the hook returns true, or the CPU is stuck). The caller
 * guarantees target >= icount. Port accesses see the clock at the exact instruction (io.beforeAccess).
 */
export function replayTo(m: Machine, target: number, ctl: ReplayControl = {}): ReplayEnd {
  const cpu = m.cpu;
  const dev = m.devices;
  const sync = m.io.beforeAccess;
  const bps = ctl.code && ctl.code.size > 0 ? ctl.code : null;
  const hook = ctl.hook ?? null;
  let hookFired = false;
  const wrapped = hook ? (c: Cpu) => (hookFired = hook(c)) : null;
  let skip = -1;
  while (cpu.icount < target) {
    const left = target - cpu.icount;
    const slice = Math.max(1, Math.min(left, dev.nextEventIn()));
    cpu.attn &= ~ATTN_STOP;
    refreshAttention(cpu);
    sync?.();
    const before = cpu.icount;
    const r = wrapped ? runHooked(cpu, slice, bps, wrapped, skip) : runCpu(cpu, slice, { breakpoints: bps, skipBreakAt: skip });
    skip = -1;
    if (cpu.attn & ATTN_STOP) ctl.onStopRequest?.(cpu.icount);
    // Only the bits the loops handle themselves may end a slice without progress; any other would make
    // this loop spin forever inside a debugger request, so it is an error.
    if (r === RUN_ATTENTION && cpu.icount === before && (cpu.attn & ~HANDLED_ATTN) !== 0) {
      throw new Error(`replay stuck at instruction ${cpu.icount}: attention bits 0x${cpu.attn.toString(16)}`);
    }
    // As Machine.run: the clock is at the count (port accesses synced it mid-slice); deliver due events.
    sync?.();
    dev.advance(0);
    // A reset pulse during the recorded run stopped Machine.run, and the user went on: so do we.
    m.resetSource = null;
    if (r === RUN_SHUTDOWN) return 'stuck';
    if (r === RUN_BREAKPOINT) {
      const lin = (cpu.base[CS] + cpu.eip) >>> 0;
      ctl.onCode?.(cpu.icount, lin);
      skip = lin;
      continue;
    }
    if (r === RUN_HOOK && hookFired) return 'hook';
    if (r === RUN_HALT) {
      // As Machine.idleUntilInterrupt: halted time passes as instruction slots.
      if (!(cpu.flags & EFLAGS_IF)) return 'stuck';
      if (cpu.irqPending) {
        // Wake up as Machine.idleUntilInterrupt does: runCpu returns at once while the CPU is halted.
        serviceInterrupt(cpu);
        refreshAttention(cpu);
        if (cpu.halted) return 'stuck';
        continue;
      }
      const wait = dev.nextEventIn();
      if (!Number.isFinite(wait)) return 'stuck';
      const step = Math.min(wait, target - cpu.icount);
      cpu.icount += step;
      dev.advance(step);
      sync?.();
    }
  }
  return 'target';
}

/**
 * runCpu's hook path without its per-instruction slow step: the hook runs before every instruction
 * (REP iterations one by one), and only instructions with an attention bit (interrupt, TF, shadow)
 * go through stepSlow. Same results as runCpu with `beforeInstruction`, about twice as fast.
 */
function runHooked(cpu: Cpu, budget: number, bps: BreakpointSet | null, hook: (cpu: Cpu) => boolean, skip: number): number {
  const end = cpu.icount + budget;
  cpu.repEnd = end;
  const foreign = ~(ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW | ATTN_MODE | ATTN_CODE | ATTN_CSIP);
  armBreakpoints(cpu, bps);
  while (cpu.icount < end) {
    // A mode switch (and loadCpu after a restore) sets ATTN_MODE; nothing here depends on the mode,
    // so it is cleared as runCpu does, or every instruction would take stepSlow.
    if (cpu.attn & ATTN_CSIP || (cpu.attn & ATTN_MODE && bps !== null && bps.hasPhys)) rearm(cpu, bps!);
    cpu.attn &= ~(ATTN_MODE | ATTN_CODE);
    if (cpu.halted) return cpu.shutdown ? RUN_SHUTDOWN : RUN_HALT;
    if (cpu.attn & foreign) return RUN_ATTENTION;
    if (bps !== null) {
      const lin = (cpu.base[CS] + cpu.eip) >>> 0;
      if (lin !== skip && ((bps.pages[lin >>> 12] !== 0 && bps.has(lin)) || (cpu.paging && bps.hasPhys && bps.physAt(cpu, lin)))) return RUN_BREAKPOINT;
      skip = -1;
    }
    if (hook(cpu)) return RUN_HOOK;
    cpu.repEnd = cpu.icount + 1;
    if (cpu.attn !== 0) {
      stepSlow(cpu);
      continue;
    }
    try {
      stepOne(cpu);
    } catch (e) {
      deliverFault(cpu, e);
    }
  }
  if (cpu.halted) return cpu.shutdown ? RUN_SHUTDOWN : RUN_HALT;
  return RUN_BUDGET;
}
