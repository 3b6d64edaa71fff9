// The shadow call stack: frames pushed by near/far CALL, INT n, hardware interrupts and exceptions,
// popped by RET/RETF/IRET that return to a recorded return address. CALL and return opcodes are
// observed by wrapping their entries in the CPU's dispatch array (patched once, as dispatch.ts
// patches models), interrupts through cpu.onInterrupt; nothing is paid while it is not installed.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §6.3 (CALL/RET), §6.4 (INT/IRET).

import type { Cpu, Handler } from '../cpu/cpu';
import { INT_EXC, INT_HW } from '../cpu/interrupts';
import { OP32 } from '../cpu/exec/table';
import { CS, ESP, SS } from '../cpu/regs';
import { peekPhysical } from '../cpu/protected/paging';
import { T_CALL, T_RET, type OpRow } from '../decode/table';
import { SYS_SEG } from '../decode/sysWrites';
import { type CpuMode, cpuMode } from './machineView';
import { afterWatcher, watchOps } from './opWatch';

export type FrameKind = 'call' | 'callf' | 'int' | 'exception' | 'irq';

export interface ShadowFrame {
  kind: FrameKind;
  /** Interrupt/exception vector (int, exception, irq). */
  vector: number;
  /** The instruction that made the call (the CALL, the INT, the faulting or interrupted instruction). */
  callerCs: number;
  callerEip: number;
  callerLinear: number;
  callerMode: CpuMode;
  /** Where the matching return lands. */
  retCs: number;
  retEip: number;
  /** Callee entry (CS:EIP right after the transfer; for interrupts filled at the next return check). */
  entryCs: number;
  entryEip: number;
  /** SS:ESP after the return address was pushed (calls) or before the interrupt pushed anything. */
  ss: number;
  esp: number;
  /** The frame is gone once SS is `ss` and the stack pointer is at or above this (its return slot was popped). */
  unwoundAt: number;
}

const BLANK_FRAME: ShadowFrame = {
  kind: 'call', vector: -1, callerCs: 0, callerEip: 0, callerLinear: 0, callerMode: 'real', retCs: 0, retEip: 0, entryCs: 0, entryEip: 0,
  ss: 0, esp: 0, unwoundAt: 0,
};
const MAX_FRAMES = 4096;
/** Popped frames kept for near calls to refill: enough for a boot loader's call depth, never a pile. */
const MAX_SPARE = 64;
/** How deep a return looks for its frame: deeper mismatches are treated as stack switches, not returns. */
const MAX_UNWIND = 256;

const isCall = (r: OpRow) => (r.tags & T_CALL) !== 0;
/** A far call loads CS. */
const isFar = (r: OpRow) => (r.sysWritten & SYS_SEG) !== 0;

export class ShadowCallStack {
  readonly frames: ShadowFrame[] = [];
  /** Called after a return popped frames (stepOut waits for the depth to drop). */
  onPop: ((depth: number) => void) | null = null;
  private cpu: Cpu | null = null;
  /** Frames popped from the top, for noteNearCall to fill again (nothing outside keeps a popped frame). */
  private readonly spare: ShadowFrame[] = [];
  private unwatch: (() => void) | null = null;

  get depth(): number {
    return this.frames.length;
  }

  /**
   * Wraps the dispatch entries of the rows that call (near, far) or return (RET, RETF, IRET). Near
   * CALL and the returns are looked at after they ran (AfterWatcher), so compiled blocks keep their
   * native code; a far call is looked at before too (CS and the mode change).
   */
  install(cpu: Cpu): void {
    if (this.cpu) return;
    this.cpu = cpu;
    const undo = [
      watchOps(cpu, (r) => isCall(r) && !isFar(r), (h, e) => {
        const wide = (e.index & OP32) !== 0;
        return afterWatcher(h, (c) => this.noteNearCall(c, wide));
      }),
      watchOps(cpu, (r) => isCall(r) && isFar(r), (h) => this.wrapFarCall(h)),
      watchOps(cpu, (r) => (r.tags & T_RET) !== 0, (h) => afterWatcher(h, (c) => this.noteReturn(c))),
    ];
    this.unwatch = () => undo.reverse().forEach((u) => u());
  }

  uninstall(): void {
    this.unwatch?.();
    this.cpu = null;
    this.unwatch = null;
  }

  clear(): void {
    this.frames.length = 0;
  }

  /**
   * After a near CALL of operand size 32 (`wide`) or 16: CS and the mode are the caller's still,
   * prevEip is the CALL. Boot loops call millions of times a second: the frame is one a return
   * popped, refilled, where there is one.
   */
  private noteNearCall(cpu: Cpu, wide: boolean): void {
    const f = this.spare.pop() ?? { ...BLANK_FRAME };
    const eip = cpu.prevEip, esp = cpu.r32[ESP] >>> 0, cs = cpu.sel[CS], mode = cpuMode(cpu);
    // A spare frame is most often a call's from the same mode: its strings stay (storing one costs a write barrier).
    if (f.kind !== 'call') f.kind = 'call';
    f.vector = -1;
    f.callerCs = f.retCs = f.entryCs = cs;
    f.callerEip = eip;
    f.callerLinear = (cpu.base[CS] + eip) >>> 0;
    if (f.callerMode !== mode) f.callerMode = mode;
    f.retEip = this.readStack(cpu, 0, wide ? 4 : 2);
    f.entryEip = cpu.eip;
    f.ss = cpu.sel[SS];
    f.esp = esp;
    f.unwoundAt = ((esp & cpu.stackMask) + 1) >>> 0;
    this.push(f);
  }

  private wrapFarCall(h: Handler): Handler {
    return (cpu) => {
      const cs = cpu.sel[CS], eip = cpu.prevEip, mode = cpuMode(cpu), lin = (cpu.base[CS] + eip) >>> 0;
      h(cpu);
      const wide = cpu.o32 === 1, esp = cpu.r32[ESP] >>> 0;
      this.push({
        kind: 'callf', vector: -1, callerCs: cs, callerEip: eip, callerLinear: lin, callerMode: mode,
        retCs: this.readStack(cpu, wide ? 4 : 2, 2), retEip: this.readStack(cpu, 0, wide ? 4 : 2), entryCs: cpu.sel[CS], entryEip: cpu.eip,
        ss: cpu.sel[SS], esp, unwoundAt: ((esp & cpu.stackMask) + 1) >>> 0,
      });
    };
  }

  /** The `n`-byte value at SS:ESP + `at`, as the CPU's own stack view (no side effects): what the CALL just pushed. */
  private readStack(cpu: Cpu, at: number, n: 2 | 4): number {
    const mem = cpu.mem;
    // SS:ESP is linear: under paging its page may be anywhere in physical memory.
    const lin = (cpu.base[SS] + (cpu.r32[ESP] & cpu.stackMask) + at) >>> 0;
    const p = cpu.paging ? peekPhysical(cpu, lin) : (lin & mem.a20Mask) >>> 0;
    if (p < 0) return 0;
    // The stack is in RAM almost always: read it there without a copy; elsewhere as the debugger reads.
    const b = p + n <= mem.ramSize ? mem.ram : mem.peek(p, n);
    const i = b === mem.ram ? p : 0;
    return n === 2 ? b[i] | (b[i + 1] << 8) : (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
  }

  /** Called before an interrupt or exception is delivered (cpu.eip holds the return address). */
  noteInterrupt(cpu: Cpu, vector: number, kind: number): void {
    const kindName: FrameKind = kind === INT_EXC ? 'exception' : kind === INT_HW ? 'irq' : 'int';
    const callerEip = kindName === 'int' ? cpu.prevEip : cpu.eip;
    const top = this.frames[this.frames.length - 1];
    // A fault while delivering a fault (#DF) replaces the frame of the delivery that failed.
    if (top && top.kind === 'exception' && kindName === 'exception' && top.retEip === cpu.eip && top.retCs === cpu.sel[CS]
      && top.entryEip === -1) {
      top.vector = vector;
      return;
    }
    this.push({
      kind: kindName, vector, callerCs: cpu.sel[CS], callerEip, callerLinear: (cpu.base[CS] + callerEip) >>> 0,
      callerMode: cpuMode(cpu), retCs: cpu.sel[CS], retEip: cpu.eip, entryCs: -1, entryEip: -1, ss: cpu.sel[SS],
      esp: cpu.r32[ESP] >>> 0, unwoundAt: (cpu.r32[ESP] & cpu.stackMask) >>> 0,
    });
  }

  private push(f: ShadowFrame): void {
    // Runaway recursion: drop the oldest quarter at once rather than shifting on every call.
    if (this.frames.length >= MAX_FRAMES) this.frames.splice(0, MAX_FRAMES >> 2);
    this.frames.push(f);
  }

  private noteReturn(cpu: Cpu): void {
    const cs = cpu.sel[CS], eip = cpu.eip;
    const fr = this.frames;
    const stop = Math.max(0, fr.length - MAX_UNWIND);
    for (let i = fr.length - 1; i >= stop; i--) {
      if (fr[i].retEip === eip && fr[i].retCs === cs) {
        // The usual case, the top frame, without an array-length store.
        if (i === fr.length - 1) {
          const f = fr.pop()!;
          // Interrupt frames are made new and replays return copies (DebugMonitor.quietly): keep a few.
          if (this.spare.length < MAX_SPARE) this.spare.push(f);
        }
        else fr.length = i;
        this.onPop?.(i);
        return;
      }
    }
    // No frame returns here: a handler that changed its return address (skipping a faulting
    // instruction) still unwinds the frames whose return slots it popped. PUSH addr / RET used as a
    // jump pops nothing of a frame and leaves the stack as it is.
    const ss = cpu.sel[SS], sp = (cpu.r32[ESP] & cpu.stackMask) >>> 0;
    let n = fr.length;
    while (n > stop && fr[n - 1].ss === ss && sp >= fr[n - 1].unwoundAt) n--;
    if (n < fr.length) {
      fr.length = n;
      this.onPop?.(n);
    }
  }

  /** Fills the entry of interrupt frames once the handler runs (called when the machine stops). */
  settle(cpu: Cpu): void {
    const top = this.frames[this.frames.length - 1];
    if (top && top.entryEip === -1) {
      top.entryCs = cpu.sel[CS];
      top.entryEip = cpu.eip;
    }
  }
}
