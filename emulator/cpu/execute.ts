// The instruction loop: a fast inner loop that runs while no attention bit is set, and a slow
// step that handles interrupts, the STI/MOV SS shadow and the TF single-step trap around one
// instruction. Faults arrive as the FAULT sentinel and are delivered here; nothing the guest does
// escapes as a JavaScript exception. SDM Vol. 3 §6.8.3 (shadow), §17.3.1.4 (single-step trap).
// Pure TypeScript: no Node or VS Code imports.

import { ATTN_CODE, ATTN_CSIP, ATTN_IRQ, ATTN_MODE, ATTN_SHADOW, ATTN_TRAP, type Cpu } from './cpu';
import { DB, FAULT } from './faults';
import { INT_EXC, INT_HW, interrupt, raiseFault } from './interrupts';
import { peekPhysical } from './protected/paging';
import { CS, EFLAGS_IF, EFLAGS_TF } from './regs';

/** Executes one instruction (no interrupt or trap handling): the hot path. */
export function stepOne(cpu: Cpu): void {
  // Decode state (o32, a32, segOvr, rep, prefixes, fetchLimit) is at its defaults here: only
  // prefixes change it, and the outermost prefix restores it (exec/prefix.ts), so this path stays short.
  cpu.prevEip = cpu.eip;
  cpu.icount++;
  const op = cpu.fetch8();
  cpu.ops[op | (cpu.code32 << 9)](cpu);
}

/** Recomputes the CPU-owned attention bits after the slow path. */
export function refreshAttention(cpu: Cpu): void {
  let a = cpu.attn & ~(ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW);
  if (cpu.irqPending && cpu.flags & EFLAGS_IF) a |= ATTN_IRQ;
  if (cpu.flags & EFLAGS_TF) a |= ATTN_TRAP;
  if (cpu.shadowUntil >= cpu.icount) a |= ATTN_SHADOW;
  cpu.attn = a;
}

/** A burst loop caught `e`: a guest fault (the FAULT sentinel) is delivered, anything else is ours and rethrown. */
export function deliverFault(cpu: Cpu, e: unknown): void {
  if (e !== FAULT) throw e;
  raiseFault(cpu);
  refreshAttention(cpu);
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
  const tf = (cpu.flags & EFLAGS_TF) !== 0;
  const rep = cpu.repEnd;
  if (tf) cpu.repEnd = cpu.icount + 1;
  try {
    stepOne(cpu);
  } catch (e) {
    if (e !== FAULT) throw e;
    raiseFault(cpu);
    cpu.repEnd = rep;
    refreshAttention(cpu);
    return;
  }
  cpu.repEnd = rep;
  // After MOV SS or POP SS the trap waits for the next instruction and comes after it.
  if (tf && cpu.trapHeldAt !== cpu.icount) {
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

/** A CS:IP breakpoint (Bochs `vb`): CS.selector and (E)IP, in whatever mode the CPU gets there. */
export interface CsIp {
  selector: number;
  offset: number;
}

/**
 * Code breakpoints: linear addresses (Bochs `lb`), CS:IP ones (`vb`: CS.selector and (E)IP, whatever
 * the mode and the descriptor) and physical ones (`pb`: the instruction's physical address). A page
 * filter (one byte per 4 KiB page) sits in front of an exact set, so the armed loop pays one
 * typed-array load per instruction (STYLE.md D5). A CS:IP breakpoint is armed in that filter as a
 * linear address while CS holds its selector (CS.base + offset: exact, since the selector matches),
 * and re-armed when CS changes: Cpu.csWatch makes a CS load raise ATTN_CSIP, which runCpu answers
 * with `arm` between instructions. A physical one is armed as linear = physical while paging is off;
 * with paging on, code windows on its physical page (physPages) and instructions outside a window
 * are checked by translation (`physAt`). Nothing of this runs when there are none.
 */
export class BreakpointSet {
  readonly pages = new Uint8Array(1 << 20);
  /** Physical pages holding physical breakpoints (allocated with the first one). */
  physPages: Uint8Array | null = null;
  /** Linear address → count: linear breakpoints and the armed CS:IP and physical ones. */
  private readonly addrs = new Map<number, number>();
  /** Linear breakpoints alone (address → count). */
  private readonly linear = new Map<number, number>();
  /** CS:IP breakpoints: selector → offset → count. */
  private readonly csip = new Map<number, Map<number, number>>();
  /** Physical breakpoints (address → count). */
  private readonly phys = new Map<number, number>();
  private entries = 0;
  private csipEntries = 0;
  private physEntries = 0;
  /** What the armed addresses were computed for: CS (selector, base; -1: nothing yet) and paging. */
  private armedSel = -1;
  private armedBase = 0;
  private armedPaging = false;
  private armed: number[] = [];
  /** Changes with every add/delete/clear/re-arm: compiled blocks made for another version are rechecked. */
  version = 0;

  /** Breakpoints of all kinds (0: runs take the unarmed loop). */
  get size(): number {
    return this.entries;
  }

  /** Whether CS:IP breakpoints exist (runs then watch CS loads). */
  get hasCsIp(): boolean {
    return this.csipEntries > 0;
  }

  /** Whether physical breakpoints exist (runs then follow paging). */
  get hasPhys(): boolean {
    return this.physEntries > 0;
  }

  add(lin: number): void {
    lin >>>= 0;
    count(this.linear, lin, 1);
    this.entries++;
    this.inc(lin);
  }

  delete(lin: number): void {
    lin >>>= 0;
    if (!this.linear.has(lin)) return;
    count(this.linear, lin, -1);
    this.entries--;
    this.dec(lin);
  }

  /** A CS:IP breakpoint: stops when CS.selector = `selector` and EIP = `offset`. */
  addCsIp(selector: number, offset: number): void {
    selector &= 0xffff;
    offset >>>= 0;
    let offs = this.csip.get(selector);
    if (!offs) this.csip.set(selector, (offs = new Map()));
    count(offs, offset, 1);
    this.entries++;
    this.csipEntries++;
    if (selector === this.armedSel) this.armOne((this.armedBase + offset) >>> 0);
    this.version++;
  }

  deleteCsIp(selector: number, offset: number): void {
    selector &= 0xffff;
    offset >>>= 0;
    const offs = this.csip.get(selector);
    if (!offs?.has(offset)) return;
    count(offs, offset, -1);
    if (offs.size === 0) this.csip.delete(selector);
    this.entries--;
    this.csipEntries--;
    if (selector === this.armedSel) this.disarmOne((this.armedBase + offset) >>> 0);
    this.version++;
  }

  /** A physical breakpoint: stops when the instruction's physical address is `addr`. */
  addPhys(addr: number): void {
    addr >>>= 0;
    count(this.phys, addr, 1);
    this.entries++;
    this.physEntries++;
    (this.physPages ??= new Uint8Array(1 << 20))[addr >>> 12]++;
    if (this.armedSel >= 0 && !this.armedPaging) this.armOne(addr);
    this.version++;
  }

  deletePhys(addr: number): void {
    addr >>>= 0;
    if (!this.phys.has(addr)) return;
    count(this.phys, addr, -1);
    this.entries--;
    this.physEntries--;
    this.physPages![addr >>> 12]--;
    if (this.armedSel >= 0 && !this.armedPaging) this.disarmOne(addr);
    this.version++;
  }

  /** With paging on: whether a physical breakpoint is at the physical address an instruction at `lin` has. */
  physAt(cpu: Cpu, lin: number): boolean {
    const p = peekPhysical(cpu, lin);
    return p >= 0 && this.physPages![p >>> 12] !== 0 && this.phys.has(p);
  }

  /**
   * Arms the CS:IP breakpoints for CS = (selector, base), those of that selector at base + offset and
   * no others, and the physical ones as linear addresses when paging is off. Returns whether the armed
   * addresses changed (version bumped).
   */
  arm(selector: number, base: number, paging: boolean): boolean {
    base >>>= 0;
    if (selector === this.armedSel && base === this.armedBase && paging === this.armedPaging) return false;
    const had = this.armed.length;
    for (const lin of this.armed) this.dec(lin);
    this.armed = [];
    this.armedSel = selector;
    this.armedBase = base;
    this.armedPaging = paging;
    for (const [off, n] of this.csip.get(selector) ?? []) for (let i = 0; i < n; i++) this.armOne((base + off) >>> 0);
    if (!paging) for (const [addr, n] of this.phys) for (let i = 0; i < n; i++) this.armOne(addr);
    return had > 0 || this.armed.length > 0;
  }

  clear(): void {
    this.addrs.clear();
    this.linear.clear();
    this.csip.clear();
    this.phys.clear();
    this.physPages?.fill(0);
    this.armed = [];
    this.armedSel = -1;
    this.entries = this.csipEntries = this.physEntries = 0;
    this.pages.fill(0);
    this.version++;
  }

  /** Whether a breakpoint is armed at `lin` (a CS:IP one only while CS holds its selector). */
  has(lin: number): boolean {
    return this.addrs.has(lin >>> 0);
  }

  private armOne(lin: number): void {
    this.armed.push(lin);
    this.inc(lin);
  }

  private disarmOne(lin: number): void {
    this.armed.splice(this.armed.indexOf(lin), 1);
    this.dec(lin);
  }

  private inc(lin: number): void {
    count(this.addrs, lin, 1);
    this.pages[lin >>> 12]++;
    this.version++;
  }

  private dec(lin: number): void {
    count(this.addrs, lin, -1);
    this.pages[lin >>> 12]--;
    this.version++;
  }
}

/** Adds `d` to a key's count, deleting the key at 0. */
function count<K>(m: Map<K, number>, k: K, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

/** What stops a run besides the budget: code breakpoints, a per-instruction hook, a skip at resume. */
export interface RunControl {
  breakpoints?: BreakpointSet | null;
  /** Called before every instruction (tracing, recording); returning true stops before it. Slow path. */
  beforeInstruction?: ((cpu: Cpu) => boolean) | null;
  /** Linear address whose breakpoint is ignored for the first instruction (resuming from it). */
  skipBreakAt?: number;
}

/** Why runCpu returned. */
export const RUN_BUDGET = 0, RUN_HALT = 1, RUN_SHUTDOWN = 2, RUN_BREAKPOINT = 3, RUN_ATTENTION = 4, RUN_HOOK = 5;

/**
 * Arms the CS:IP and physical breakpoints of `bps` for the current CS and paging, and watches CS
 * loads while CS:IP ones exist. Run loops call it first; ATTN_CSIP and ATTN_MODE then call `rearm`.
 */
export function armBreakpoints(cpu: Cpu, bps: BreakpointSet | null): void {
  cpu.attn &= ~ATTN_CSIP;
  cpu.csWatch = bps !== null && bps.hasCsIp;
  cpu.bpPhysPages = bps !== null && bps.hasPhys ? bps.physPages : null;
  if (cpu.csWatch || cpu.bpPhysPages !== null) bps!.arm(cpu.sel[CS], cpu.base[CS], cpu.paging);
}

/** CS or paging changed: the CS:IP and physical breakpoints follow; returns whether the armed addresses changed. */
export function rearm(cpu: Cpu, bps: BreakpointSet): boolean {
  cpu.attn &= ~ATTN_CSIP;
  if (!bps.arm(cpu.sel[CS], cpu.base[CS], cpu.paging)) return false;
  // The code window remembers whether its page has breakpoints.
  cpu.flushFetch();
  return true;
}

/**
 * Runs up to `budget` instructions, or until HLT, shutdown, a breakpoint, the hook, or an
 * attention bit the CPU does not own (the machine's stop request, a watchpoint hit). The hot loop
 * is chosen once per call: plain, with the breakpoint page filter, or with the per-instruction hook;
 * the first two run compiled blocks (cpu/jit).
 */
export function runCpu(cpu: Cpu, budget: number, ctl?: RunControl): number {
  const end = cpu.icount + budget;
  cpu.repEnd = end;
  const foreign = ~(ATTN_IRQ | ATTN_TRAP | ATTN_SHADOW | ATTN_MODE | ATTN_CODE | ATTN_CSIP);
  const bps = ctl?.breakpoints && ctl.breakpoints.size > 0 ? ctl.breakpoints : null;
  const hook = ctl?.beforeInstruction ?? null;
  let skip = ctl?.skipBreakAt ?? -1;
  armBreakpoints(cpu, bps);
  // Windows made before this run know nothing of this run's breakpoints.
  cpu.bpPages = bps !== null ? bps.pages : null;
  cpu.flushFetch();
  // The per-instruction hook must see every instruction: no blocks then. Physical breakpoints under
  // paging are checked by translation, which blocks do not do: those runs are interpreted.
  const blocks = hook === null && cpu.jit !== null;
  if (blocks) cpu.jit!.useBreakpoints(bps);
  while (cpu.icount < end) {
    // A store into compiled code (or a remap) returned from its block: nothing else to do.
    if (cpu.attn & ATTN_CODE) cpu.attn &= ~ATTN_CODE;
    // A CS load (raised only while CS:IP breakpoints exist) or a mode switch (paging on or off, for the
    // physical ones): the breakpoints follow before the check below.
    if ((cpu.attn & ATTN_CSIP || (cpu.attn & ATTN_MODE && bps !== null && bps.hasPhys)) && rearm(cpu, bps!) && blocks) cpu.jit!.useBreakpoints(bps);
    if (cpu.attn & ATTN_MODE) {
      cpu.attn &= ~ATTN_MODE;
      continue;
    }
    if (cpu.halted) return cpu.shutdown ? RUN_SHUTDOWN : RUN_HALT;
    if (cpu.attn & foreign) return RUN_ATTENTION;
    if (bps !== null || hook !== null) {
      const lin = (cpu.base[CS] + cpu.eip) >>> 0;
      if (bps !== null && lin !== skip && ((bps.pages[lin >>> 12] !== 0 && bps.has(lin)) || (cpu.paging && bps.hasPhys && bps.physAt(cpu, lin)))) {
        return RUN_BREAKPOINT;
      }
      skip = -1;
      if (hook === null && bps !== null && cpu.attn & ATTN_IRQ && serviceInterrupt(cpu)) {
        // The interrupt is delivered on its own here, so the next turn checks the handler's entry for
        // a breakpoint before it executes. The shadow makes the handler's first instruction run
        // before the next interrupt check, as stepSlow (delivery and that instruction in one step)
        // does when no breakpoint is armed: a run with breakpoints executes the same instructions.
        cpu.shadowUntil = cpu.icount;
        refreshAttention(cpu);
        continue;
      }
      if (hook !== null && hook(cpu)) return RUN_HOOK;
      if (hook !== null || cpu.attn !== 0) {
        cpu.repEnd = hook !== null ? cpu.icount + 1 : end;
        stepSlow(cpu);
        continue;
      }
      cpu.repEnd = end;
      try {
        if (blocks && !(cpu.paging && bps!.hasPhys)) cpu.jit!.runBurst(cpu, end, bps);
        else {
          // Physical breakpoints under paging: translated where the window cannot tell (mode switches end this loop).
          const phys = cpu.paging && bps!.hasPhys;
          for (;;) {
            stepOne(cpu);
            if (cpu.attn !== 0 || cpu.icount >= end || cpu.halted) break;
            // Inside a code window on a page without breakpoints there is nothing to look up.
            if (cpu.winBp === 0 && ((cpu.eip - cpu.winLo) >>> 0) < cpu.winLen) continue;
            const l = (cpu.base[CS] + cpu.eip) >>> 0;
            if (bps!.pages[l >>> 12] !== 0 && bps!.has(l)) break;
            if (phys && bps!.physAt(cpu, l)) break;
          }
        }
      } catch (e) {
        deliverFault(cpu, e);
      }
      continue;
    }
    if (cpu.attn !== 0) {
      cpu.repEnd = end;
      stepSlow(cpu);
      continue;
    }
    cpu.repEnd = end;
    try {
      if (blocks) cpu.jit!.runBurst(cpu, end, null);
      else {
        do stepOne(cpu);
        while (cpu.attn === 0 && cpu.icount < end && !cpu.halted);
      }
    } catch (e) {
      deliverFault(cpu, e);
    }
  }
  if (cpu.halted) return cpu.shutdown ? RUN_SHUTDOWN : RUN_HALT;
  return RUN_BUDGET;
}
