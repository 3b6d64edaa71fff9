// Bootscope's side of a lock-step comparison (lockstep.ts): a machine run that yields a trace
// record per guest instruction (linear 0x500..0x9FFFF, as QEMU's log filter keeps), in blocks, so
// the comparison pulls records as QEMU's come. `bootscope compare` runs the bare machine; the debug
// adapter runs it through its recording (replaying the history it has, with the user's edits), and
// may end the run at a breakpoint.
import { refreshAttention, serviceInterrupt } from '../cpu/execute';
import { AR_DB, CS, EAX } from '../cpu/regs';
import type { Machine, RunOptions, StopInfo } from '../machine';
import { GUEST_HIGH, GUEST_LOW, type TraceRecord } from './lockstep';
import { IDE_PRIMARY, IDE_SECONDARY } from '../devices/ide';
import { undefinedFlags } from './undefinedFlags';

/** Our record carries the instruction's bytes as they were when it ran: the machine runs ahead of the comparison. */
export interface GuestRecord extends TraceRecord {
  bytes: Uint8Array;
}

/** The record of Bootscope's state before the instruction at linear `lin`; `source` is the instruction count. */
export function guestRecord(m: Machine, lin: number): GuestRecord {
  const cpu = m.cpu;
  const r = cpu.r32, s = cpu.sel;
  return {
    source: cpu.icount, bytes: m.mem.peek(lin, 15), cs: s[CS], eip: cpu.eip >>> 0, lin, code32: (cpu.ar[CS] & AR_DB) !== 0,
    regs: {
      eax: r[0], ebx: r[3], ecx: r[1], edx: r[2], esi: r[6], edi: r[7], ebp: r[5], esp: r[4],
      eflags: cpu.getFlags() >>> 0, ds: s[3], es: s[0], ss: s[2], fs: s[4], gs: s[5], cr0: cpu.cr0 >>> 0,
    },
  };
}

/** Our record's instruction is IN AL,DX from an IDE channel's status or alternate status register (BSY in bit 7). */
export function ataStatusRead(r: GuestRecord): boolean {
  const port = r.regs.edx & 0xffff;
  return r.bytes[0] === 0xec && [IDE_PRIMARY, IDE_SECONDARY].some((c) => port === c.base + 7 || port === c.control);
}

/** EFLAGS bits our record's instruction leaves undefined (the Lockstep option). */
export function guestUndefinedFlags(r: GuestRecord): number {
  return undefinedFlags((i) => r.bytes[i] ?? 0, r.code32 ? 32 : 16);
}

export interface GuestRunOptions {
  /** Test hook: flip bit 0 of EAX before guest instruction N (from 0 at the first record). */
  flipAt?: number | null;
  /**
   * The machine stopped at a breakpoint: true ends the run there (before that instruction, which
   * gets no record); false runs past it.
   */
  onBreakpoint?: (m: Machine) => boolean;
  /** Instructions one run call may take to find a guest instruction before the run gives up (default 100,000,000). */
  budget?: number;
  /** Every instruction gets a record, the firmware's too (a comparison from the reset vector), not only guest code's. */
  everyAddress?: boolean;
  /**
   * The block ends with the record after an instruction this picks, before that record's instruction
   * runs, so the comparison can act on the machine there (Machine.passTime) before it goes on.
   */
  pauseAfter?: (r: GuestRecord) => boolean;
}

/** Records per block: the machine runs at most this far ahead of the comparison. */
const BLOCK = 4096;

/**
 * The records of a run, pulled one at a time (`next`, null once the run has ended; `stop` says why).
 * `run` is Machine.run or the recording's run.
 */
export class GuestRun {
  stop: StopInfo | null = null;
  private readonly block: GuestRecord[] = [];
  private pos = 0;
  private guest = 0;
  /** An interrupt was delivered since the last record (TraceRecord.interrupted). */
  private interrupted = false;
  /** The last record pushed, and whether the run paused after it before its instruction ran (pauseAfter). */
  private previous: GuestRecord | null = null;
  private paused = false;

  /** The run has ended and every record of it has been pulled. */
  get exhausted(): boolean {
    return this.stop !== null && this.pos >= this.block.length;
  }

  constructor(private readonly m: Machine, private readonly run: (opts: RunOptions) => StopInfo, private readonly opts: GuestRunOptions = {}) {}

  next = (): GuestRecord | null => {
    if (this.pos < this.block.length) return this.block[this.pos++];
    if (this.stop) return null;
    this.block.length = 0;
    this.pos = 0;
    const budget = this.opts.budget ?? 100_000_000;
    const start = this.m.cpu.icount;
    while (this.block.length === 0 && !this.stop) {
      const left = budget - (this.m.cpu.icount - start);
      if (left <= 0) {
        this.stop = { reason: 'max', detail: `no guest instruction in ${budget.toLocaleString('en-US')}` };
        break;
      }
      const s = this.run({ maxInstructions: left, beforeInstruction: this.hook });
      if (s.reason === 'step' || s.reason === 'max') continue;
      // A debugger's stop request (a watchpoint or filter hit) is not the comparison's business.
      if (s.reason === 'pause') {
        this.m.cancelStopRequest();
        continue;
      }
      if (s.reason === 'breakpoint' && !(this.opts.onBreakpoint?.(this.m) ?? false)) continue;
      this.stop = s;
    }
    return this.block.length > 0 ? this.block[this.pos++] : null;
  };

  private readonly hook = (m: Machine): 'step' | null => {
    const cpu = m.cpu;
    // Its record is out already: run it.
    if (this.paused) {
      this.paused = false;
      return null;
    }
    // The slow path delivers an interrupt and runs the handler's first instruction in one step; QEMU
    // logs that instruction. So deliver it here, and let the shadow keep a second one from coming
    // before that instruction (as runCpu does when it checks breakpoints).
    if (serviceInterrupt(cpu)) {
      cpu.shadowUntil = cpu.icount;
      refreshAttention(cpu);
      this.interrupted = true;
    }
    const lin = (cpu.base[CS] + cpu.eip) >>> 0;
    if (!this.opts.everyAddress && (lin < GUEST_LOW || lin > GUEST_HIGH)) return null;
    if (this.block.length >= BLOCK) return 'step';
    if (this.guest === this.opts.flipAt) cpu.r32[EAX] ^= 1;
    const r = guestRecord(m, lin);
    if (this.interrupted) {
      r.interrupted = true;
      this.interrupted = false;
    }
    this.block.push(r);
    this.guest++;
    const before = this.previous;
    this.previous = r;
    if (before && this.opts.pauseAfter?.(before)) {
      this.paused = true;
      return 'step';
    }
    return null;
  };
}
