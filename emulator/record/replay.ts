// Deterministic re-execution for reverse execution: runs the machine's CPU and devices to an exact
// instruction count with the recorder's own stop conditions (code addresses, a per-instruction hook)
// and none of the user's breakpoints. Device time follows the count exactly as in Machine.run, so a
// replay from a snapshot repeats the recorded instructions whatever the slicing.

import { ATTN_STOP } from '../cpu/cpu';
import { BreakpointSet, RUN_BREAKPOINT, RUN_HALT, RUN_HOOK, RUN_SHUTDOWN, refreshAttention, runCpu } from '../cpu/execute';
import type { Cpu } from '../cpu/cpu';
import { CS, EFLAGS_IF } from '../cpu/regs';
import type { Machine } from '../machine';

export interface ReplayControl {
  /** Code addresses (linear) whose every arrival calls onCode; the replay goes on past them. */
  code?: BreakpointSet | null;
  onCode?: ((icount: number, linear: number) => void) | null;
  /** Called before every instruction (forces one instruction, one REP iteration, per step). */
  hook?: ((cpu: Cpu) => boolean) | null;
}

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
    const before = cpu.icount;
    cpu.attn &= ~ATTN_STOP;
    refreshAttention(cpu);
    sync?.();
    const r = runCpu(cpu, slice, { breakpoints: bps, beforeInstruction: wrapped, skipBreakAt: skip });
    skip = -1;
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
        // Deliver it through the slow path (stepSlow wakes the CPU).
        if (cpu.icount === before) return 'stuck';
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
