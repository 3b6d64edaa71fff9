// The shadow call stack: frames pushed by near/far CALL, INT n, hardware interrupts and exceptions,
// popped by RET/RETF/IRET that return to a recorded return address. CALL and return opcodes are
// observed by wrapping their entries in the CPU's dispatch array (patched once, as dispatch.ts
// patches models), interrupts through cpu.onInterrupt; nothing is paid while it is not installed.
// Boot loops call millions of times a second: a frame is a row of numbers in a preallocated table,
// made an object only when a debugger asks (a stack trace, a line step).
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 §6.3 (CALL/RET), §6.4 (INT/IRET).

import type { Cpu, Handler } from '../cpu/cpu';
import { INT_EXC, INT_HW } from '../cpu/interrupts';
import { OP32 } from '../cpu/exec/table';
import { CS, ESP, SS } from '../cpu/regs';
import { peekPhysical } from '../cpu/protected/paging';
import { T_CALL, T_RET, type OpRow } from '../decode/table';
import { SYS_SEG } from '../decode/sysWrites';
import { CPU_MODES, type CpuMode, cpuModeIndex } from './machineView';
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

const KINDS: readonly FrameKind[] = ['call', 'callf', 'int', 'exception', 'irq'];
const K_CALL = 0, K_CALLF = 1, K_INT = 2, K_EXCEPTION = 3, K_IRQ = 4;

// A frame's row: ShadowFrame's fields in its order (kind and mode as their indexes in KINDS and CPU_MODES).
const C_KIND = 0, C_VECTOR = 1, C_CALLER_CS = 2, C_CALLER_EIP = 3, C_CALLER_LINEAR = 4, C_CALLER_MODE = 5, C_RET_CS = 6,
  C_RET_EIP = 7, C_ENTRY_CS = 8, C_ENTRY_EIP = 9, C_SS = 10, C_ESP = 11, C_UNWOUND_AT = 12;
const COLUMNS = 13;

const MAX_FRAMES = 4096;
/** Rows allocated at first, doubled up to MAX_FRAMES as a program calls deeper (a boot loader's depth fits). */
const FIRST_ROWS = 64;
/** How deep a return looks for its frame: deeper mismatches are treated as stack switches, not returns. */
const MAX_UNWIND = 256;

const isCall = (r: OpRow) => (r.tags & T_CALL) !== 0;
/** A far call loads CS. */
const isFar = (r: OpRow) => (r.sysWritten & SYS_SEG) !== 0;

export class ShadowCallStack {
  /** Called after a return popped frames (stepOut waits for the depth to drop); null costs nothing per return. */
  onPop: ((depth: number) => void) | null = null;
  private cpu: Cpu | null = null;
  /** The frames, oldest first, COLUMNS numbers each (Float64: offsets, linear addresses and -1 as they are). */
  private table = new Float64Array(FIRST_ROWS * COLUMNS);
  private n = 0;
  private unwatch: (() => void) | null = null;

  get depth(): number {
    return this.n;
  }

  /** Frame `i` (0 = the oldest), made for a debugger that asks. */
  frame(i: number): ShadowFrame | undefined {
    if (i < 0 || i >= this.n) return undefined;
    const t = this.table, o = i * COLUMNS;
    return {
      kind: KINDS[t[o + C_KIND]], vector: t[o + C_VECTOR], callerCs: t[o + C_CALLER_CS], callerEip: t[o + C_CALLER_EIP],
      callerLinear: t[o + C_CALLER_LINEAR], callerMode: CPU_MODES[t[o + C_CALLER_MODE]], retCs: t[o + C_RET_CS],
      retEip: t[o + C_RET_EIP], entryCs: t[o + C_ENTRY_CS], entryEip: t[o + C_ENTRY_EIP], ss: t[o + C_SS], esp: t[o + C_ESP],
      unwoundAt: t[o + C_UNWOUND_AT],
    };
  }

  /** All frames, oldest first. */
  frames(): ShadowFrame[] {
    const out: ShadowFrame[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.frame(i)!);
    return out;
  }

  /** A copy of the frames for restore: a replay the user does not watch leaves the stack as it was. */
  save(): Float64Array {
    return this.table.slice(0, this.n * COLUMNS);
  }

  restore(saved: Float64Array): void {
    const rows = saved.length / COLUMNS;
    while (this.table.length < saved.length) this.grow();
    this.table.set(saved);
    this.n = rows;
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
    this.n = 0;
  }

  /** After a near CALL of operand size 32 (`wide`) or 16: CS and the mode are the caller's still, prevEip is the CALL. */
  private noteNearCall(cpu: Cpu, wide: boolean): void {
    const eip = cpu.prevEip, esp = cpu.r32[ESP] >>> 0, cs = cpu.sel[CS];
    this.push(K_CALL, -1, cs, eip, (cpu.base[CS] + eip) >>> 0, cpuModeIndex(cpu), cs, this.readStack(cpu, 0, wide ? 4 : 2),
      cs, cpu.eip, cpu.sel[SS], esp, ((esp & cpu.stackMask) + 1) >>> 0);
  }

  private wrapFarCall(h: Handler): Handler {
    return (cpu) => {
      const cs = cpu.sel[CS], eip = cpu.prevEip, mode = cpuModeIndex(cpu), lin = (cpu.base[CS] + eip) >>> 0;
      h(cpu);
      const wide = cpu.o32 === 1, esp = cpu.r32[ESP] >>> 0;
      this.push(K_CALLF, -1, cs, eip, lin, mode, this.readStack(cpu, wide ? 4 : 2, 2), this.readStack(cpu, 0, wide ? 4 : 2),
        cpu.sel[CS], cpu.eip, cpu.sel[SS], esp, ((esp & cpu.stackMask) + 1) >>> 0);
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
    const k = kind === INT_EXC ? K_EXCEPTION : kind === INT_HW ? K_IRQ : K_INT;
    const callerEip = k === K_INT ? cpu.prevEip : cpu.eip;
    const t = this.table, top = (this.n - 1) * COLUMNS;
    // A fault while delivering a fault (#DF) replaces the frame of the delivery that failed.
    if (this.n > 0 && k === K_EXCEPTION && t[top + C_KIND] === K_EXCEPTION && t[top + C_RET_EIP] === cpu.eip
      && t[top + C_RET_CS] === cpu.sel[CS] && t[top + C_ENTRY_EIP] === -1) {
      t[top + C_VECTOR] = vector;
      return;
    }
    this.push(k, vector, cpu.sel[CS], callerEip, (cpu.base[CS] + callerEip) >>> 0, cpuModeIndex(cpu), cpu.sel[CS], cpu.eip,
      -1, -1, cpu.sel[SS], cpu.r32[ESP] >>> 0, (cpu.r32[ESP] & cpu.stackMask) >>> 0);
  }

  /** Appends a frame, its fields in ShadowFrame's order. */
  private push(kind: number, vector: number, callerCs: number, callerEip: number, callerLinear: number, callerMode: number,
    retCs: number, retEip: number, entryCs: number, entryEip: number, ss: number, esp: number, unwoundAt: number): void {
    if (this.n * COLUMNS === this.table.length) this.grow();
    const t = this.table, o = this.n++ * COLUMNS;
    t[o + C_KIND] = kind;
    t[o + C_VECTOR] = vector;
    t[o + C_CALLER_CS] = callerCs;
    t[o + C_CALLER_EIP] = callerEip;
    t[o + C_CALLER_LINEAR] = callerLinear;
    t[o + C_CALLER_MODE] = callerMode;
    t[o + C_RET_CS] = retCs;
    t[o + C_RET_EIP] = retEip;
    t[o + C_ENTRY_CS] = entryCs;
    t[o + C_ENTRY_EIP] = entryEip;
    t[o + C_SS] = ss;
    t[o + C_ESP] = esp;
    t[o + C_UNWOUND_AT] = unwoundAt;
  }

  /** Room for one more frame: a table twice the size, or at MAX_FRAMES (runaway recursion) the oldest quarter dropped at once. */
  private grow(): void {
    if (this.table.length >= MAX_FRAMES * COLUMNS) {
      const drop = (MAX_FRAMES >> 2) * COLUMNS;
      this.table.copyWithin(0, drop, this.n * COLUMNS);
      this.n -= MAX_FRAMES >> 2;
      return;
    }
    const t = new Float64Array(this.table.length * 2);
    t.set(this.table);
    this.table = t;
  }

  private noteReturn(cpu: Cpu): void {
    const cs = cpu.sel[CS], eip = cpu.eip, t = this.table, n = this.n;
    // The usual case first: the top frame's return.
    const top = (n - 1) * COLUMNS;
    if (n > 0 && t[top + C_RET_EIP] === eip && t[top + C_RET_CS] === cs) {
      this.popTo(n - 1);
      return;
    }
    const stop = Math.max(0, n - MAX_UNWIND);
    for (let i = n - 2, o = i * COLUMNS; i >= stop; i--, o -= COLUMNS) {
      if (t[o + C_RET_EIP] === eip && t[o + C_RET_CS] === cs) {
        this.popTo(i);
        return;
      }
    }
    // No frame returns here: a handler that changed its return address (skipping a faulting
    // instruction) still unwinds the frames whose return slots it popped. PUSH addr / RET used as a
    // jump pops nothing of a frame and leaves the stack as it is.
    const ss = cpu.sel[SS], sp = (cpu.r32[ESP] & cpu.stackMask) >>> 0;
    let k = n;
    while (k > stop && t[(k - 1) * COLUMNS + C_SS] === ss && sp >= t[(k - 1) * COLUMNS + C_UNWOUND_AT]) k--;
    if (k < n) this.popTo(k);
  }

  private popTo(depth: number): void {
    this.n = depth;
    this.onPop?.(depth);
  }

  /** Fills the entry of interrupt frames once the handler runs (called when the machine stops). */
  settle(cpu: Cpu): void {
    const o = (this.n - 1) * COLUMNS;
    if (this.n > 0 && this.table[o + C_ENTRY_EIP] === -1) {
      this.table[o + C_ENTRY_CS] = cpu.sel[CS];
      this.table[o + C_ENTRY_EIP] = cpu.eip;
    }
  }
}
