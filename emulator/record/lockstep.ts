// Lock-step comparison of Bootscope with QEMU, streamed: the one definition of what is compared and
// what is excused, for `bootscope compare` (a live machine against QEMU's live log), `bootscope
// trace-diff` (two trace files) and the debug adapter's `compareWith` (divergenceReport.ts formats
// what it finds for all three). QEMU's records (one per guest instruction, state before it, REP
// iterations included: host/qemu.ts) are pushed one at a time, and Bootscope's are pulled from a
// source that steps the machine (or reads a trace). CS:EIP and every register of TRACE_REGS (less
// `ignore`, EFLAGS under `flagsMask`) must agree at every instruction. Memory stays bounded: only the
// last few agreeing instructions are kept, for the report.
//
// Hardware interrupts into the guest's own handlers (ldlinux's protected-mode IRQ stubs) may arrive
// at different instructions — QEMU's timer and ours follow different clocks — so a handler run on
// one side only is skipped by rule: it must start as an interrupt entry (IF set before, cleared
// after, a 6- or 12-byte frame pushed) and it ends where that side is back at the interrupted
// instruction with the same stack; from there every register is compared again. Each skip is counted.
//
// Differences that are not emulation differences are excused, each until both sides agree again:
// an Allowance (BIOS data that differs from SeaBIOS's), EFLAGS bits the instruction before
// left undefined (SDM Vol. 1 Appendix A; `undefinedFlags`), and what the CPU model decides (a
// firmware traced from reset): EDX and CR0 at the reset vector (the signature; CD and NW, which the
// 80386 lacks, set in QEMU's qemu32: SDM Vol. 3 §9.1.1 Table 9-1), a MOV from CR0 while CR0 still
// differs so, and CPUID's four outputs.

import { hexLower } from '../../protocol/format';

/** What is compared at every instruction besides CS:EIP: the state before it. */
export const TRACE_REGS = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eflags', 'ds', 'es', 'ss', 'fs', 'gs', 'cr0'] as const;
export type TraceReg = (typeof TRACE_REGS)[number];

/** One side's state before one instruction. */
export interface TraceRecord {
  /** Line number or instruction count (ours) or record number (QEMU) in the source, for the user to find it. */
  source: number;
  cs: number;
  eip: number;
  /** Linear address of CS:EIP when known (QEMU always; ours when `lin` is in the line or in real mode). */
  lin: number | null;
  /** CS.D when known (QEMU raw logs): selects 16- or 32-bit disassembly. */
  code32: boolean | null;
  regs: Record<TraceReg, number>;
  /**
   * This side delivered an external interrupt since its record before (known for Bootscope's live
   * run, guestRun.ts; trace files and QEMU's log do not say).
   */
  interrupted?: boolean;
}

/** Guest code: linear 0x500..0x9FFFF, as QEMU's -dfilter keeps it (host/qemu.ts). */
export const GUEST_LOW = 0x500, GUEST_HIGH = 0x9ffff;

export function isGuest(lin: number | null): boolean {
  return lin === null || (lin >= GUEST_LOW && lin <= GUEST_HIGH);
}

/**
 * A register difference that is not an emulation difference: the instruction at linear `lin` loads
 * data that differs between our BIOS and SeaBIOS (a vector, a table address). The registers stay
 * exempt until both sides hold the same value again.
 */
export interface Allowance {
  lin: number;
  regs: TraceReg[];
  why: string;
}

/** The differences between our BIOS's data and SeaBIOS's that boot code is known to load. */
export const SEABIOS_ALLOWANCES: Allowance[] = [{
  lin: 0x7c76, regs: ['esi'],
  why: "syslinux's VBR `lfs si,[0x78]` loads the INT 1Eh vector (diskette parameter table): F000:EFC7 as in IBM's BIOS here, F000:601C in SeaBIOS",
}];

export interface LockstepOptions<R extends TraceRecord = TraceRecord> {
  allowances?: Allowance[];
  /**
   * EFLAGS bits left undefined by the instruction of `last` (our record; `lastQemu` is QEMU's, both
   * agreed on the state before it).
   */
  undefinedFlags?: (last: R, lastQemu: TraceRecord) => number;
  /** Registers not compared. */
  ignore?: readonly TraceReg[];
  /** EFLAGS bits compared (default all). */
  flagsMask?: number;
  /** Skip an interrupt handler run on one side only (default true); without it that is a divergence. */
  resync?: boolean;
  /** Agreeing instructions kept for the report (default 5). */
  history?: number;
  /** Records one side may spend in an interrupt handler before its skip is given up (default 1,000,000). */
  handlerLimit?: number;
  /**
   * On a divergence, skip both sides to the first return they share and go on (returnResync's rule);
   * without it the divergence ends the comparison.
   */
  returnResync?: boolean;
  /** The bytes of our record's instruction, when known: CPUID's outputs and a MOV from CR0 follow the model. */
  code?: (r: R) => Uint8Array | null;
  /**
   * The busy drive rule: `statusRead` picks our record of an instruction that reads a drive's status
   * (BSY in AL bit 7: an IDE status register), `passTime` lets that many instructions of time pass on
   * our machine. Where QEMU's read answered busy and ours ready, all else equal, QEMU's records are
   * skipped until the same read answers ready there too (QEMU's I/O thread had not finished: host time,
   * not emulation), and our clock moves on by the instructions skipped, so the two stay in time; the
   * caller-saved registers and flags QEMU's polls left (POLL_SCRATCH) are excused until they agree.
   * `passTime` must act before our next instruction runs (GuestRunOptions.pauseAfter).
   */
  busyDrive?: { statusRead: (r: R) => boolean; passTime: (n: number) => void };
}

/** The reset vector's linear address, where a firmware traced from reset starts. */
export const RESET_LIN = 0xfffffff0;
const CPUID_OUTPUTS: readonly TraceReg[] = ['eax', 'ebx', 'ecx', 'edx'];
/** General registers by their encoding (ModRM r/m). */
const GPR: readonly TraceReg[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

export interface LockstepDivergence<R extends TraceRecord = TraceRecord> {
  /** Index of the instruction among the compared guest instructions from 0000:7C00 (= instructions agreed before it). */
  index: number;
  /** CS:EIP differ; otherwise only registers do. */
  controlFlow: boolean;
  ours: R;
  qemu: TraceRecord;
  /** Registers that differ and are not excused (empty on a control-flow difference). */
  registers: TraceReg[];
  /** EFLAGS bits excused at this instruction (undefined after the one before). */
  flagsExcused: number;
  /** The last agreeing instructions (our records), oldest first. */
  history: R[];
}

/** An interrupt handler run on one side only, skipped. */
export interface Resync {
  /** Instructions agreed before it. */
  index: number;
  side: 'bootscope' | 'qemu';
  /** Records skipped. */
  records: number;
  /** The handler's first record. */
  from: TraceRecord;
}

/** QEMU's polls of a busy drive skipped (LockstepOptions.busyDrive). */
export interface BusyPoll {
  /** Instructions agreed before it. */
  index: number;
  /** Our record of the status read both ran. */
  from: TraceRecord;
  /** QEMU records skipped: the instructions our clock moved on by. */
  records: number;
  /** Registers QEMU's poll loop left otherwise (POLL_SCRATCH, AL aside), excused until they agree. */
  scratch: TraceReg[];
}

/**
 * A run of different lengths on the two sides, skipped to the first return both make (returnResync):
 * a function whose work depends on data the two machines describe differently (SeaBIOS walking
 * this machine's ACPI tables and QEMU's) returns to the same caller with the same stack on both.
 */
export interface ReturnResync {
  /** Instructions agreed before it. */
  index: number;
  /** Where the two sides parted (our record) and where they met again (QEMU's). */
  from: TraceRecord;
  to: TraceRecord | null;
  /** Records skipped on each side. */
  ours: number;
  qemu: number;
  /** Scratch registers (RETURN_SCRATCH) that differed where the two met, excused until they agree again. */
  scratch: TraceReg[];
}

/**
 * Registers a function may leave anything in, by the i386 System V calling convention (which
 * SeaBIOS's C code, 16- and 32-bit, is compiled to): ECX and EDX are the caller's to save, EAX
 * returns the result. At a common return the callee's leftovers in ECX and EDX carry no meaning, so
 * they are excused until both sides agree on them again; a caller that read them would show its
 * difference in the registers it computes.
 */
const RETURN_SCRATCH: readonly TraceReg[] = ['ecx', 'edx'];

/** Resyncs kept for the report; the rest are only counted (`interrupts`). */
const RESYNCS_KEPT = 100;
/** An ATA status register's BSY bit, in AL after the read. */
const ATA_BSY = 0x80;
/** The caller-saved registers of SeaBIOS's calling convention (as RETURN_SCRATCH, and EAX) and the flags. */
const POLL_SCRATCH: readonly TraceReg[] = ['eax', 'ecx', 'edx', 'eflags'];

/** QEMU's status read answered busy and ours did not, AL's other bits aside: BSY set in `b` (QEMU's) only. */
function busyOnlyThere(a: TraceRecord, b: TraceRecord): boolean {
  return (b.regs.eax & ATA_BSY) !== 0 && (a.regs.eax & ATA_BSY) === 0 && ((a.regs.eax ^ b.regs.eax) & ~0xff) === 0;
}

const IF = 0x200;
export const where = (r: TraceRecord) => `${hexLower(r.cs, 4)}:${hexLower(r.eip, 8)}${r.lin !== null ? ` lin=${hexLower(r.lin, 8)}` : ''}`;
const sameRecord = (a: TraceRecord, b: TraceRecord) =>
  a.lin === b.lin && a.cs === b.cs && a.eip === b.eip && TRACE_REGS.every((k) => a.regs[k] === b.regs[k]);

/**
 * Did `x` just enter an interrupt handler where `y` went on from `last`, the last common state: IF
 * clear in x, and x's side delivered an interrupt since its record before, or IF set in `last` and
 * x's stack a 16-bit (6-byte) or 32-bit (12-byte) frame deeper than y's — or than last's, when QEMU
 * logged the last instruction and then took the interrupt before it.
 */
function tookInterrupt(last: TraceRecord, x: TraceRecord, y: TraceRecord): boolean {
  const frame = (r: TraceRecord) => [6, 12].includes((r.regs.esp - x.regs.esp) >>> 0);
  // An interrupt x's side says it delivered may have come in code outside the guest range, whose
  // records neither side keeps: then no frame relates x's stack to the last common state.
  return (x.regs.eflags & IF) === 0 && (x.interrupted === true || ((last.regs.eflags & IF) !== 0 && (frame(y) || frame(last))));
}

const backAt = (r: TraceRecord, at: TraceRecord) => r.cs === at.cs && r.eip === at.eip && r.regs.esp === at.regs.esp;

/**
 * The comparison. `ours()` gives Bootscope's next guest record (null when its run ends); `push`
 * takes QEMU's next guest record and returns false once the comparison has ended (`divergence` or
 * `end` says why).
 */
export class Lockstep<R extends TraceRecord = TraceRecord> {
  /** Instructions compared that agree. */
  matched = 0;
  /** QEMU records consumed: agreeing ones, dropped repeats and skipped handler runs. */
  qemuCovered = 0;
  /** QEMU records dropped as exact repeats of the one before: QEMU logs a block, leaves it for an interrupt before it runs, and logs it again. */
  repeats = 0;
  /**
   * QEMU records dropped at the end of a REP whose count ran out: under -icount QEMU goes back to
   * the REP after the last iteration and logs it once more with the count register 0 before leaving.
   */
  repEnds = 0;
  /** Interrupt handler runs skipped (resynchronisations), by the side that took them. */
  readonly interrupts = { bootscope: 0, qemu: 0 };
  /** The first RESYNCS_KEPT of them (QEMU's with its record count once it has returned). */
  readonly resyncs: Resync[] = [];
  /** Runs skipped to a common return (returnResync). */
  readonly returns: ReturnResync[] = [];
  /** QEMU's polls of a busy drive skipped (busyDrive), the first RESYNCS_KEPT; `busyPolls` counts them all. */
  readonly busy: BusyPoll[] = [];
  busyPolls = 0;
  /** The allowances that applied, each with the instruction where it first did. */
  readonly allowed: string[] = [];
  /** Times EFLAGS bits left undefined were excused, and the first time. */
  readonly undefinedFlags = { count: 0, first: '' };
  divergence: LockstepDivergence<R> | null = null;
  /** Why the comparison ended without a divergence (a side ran out), or null while it goes on. */
  end: string | null = null;

  private readonly exempt = new Set<TraceReg>();
  private exemptFlags = 0;
  private readonly history: R[] = [];
  private readonly keep: number;
  private readonly handlerLimit: number;
  private cur: R | null = null;
  private prevQemu: TraceRecord | null = null;
  /** QEMU is in a handler Bootscope did not take: its records are skipped until it is back here. */
  private qemuSkipTo: R | null = null;
  private qemuSkipFrom: TraceRecord | null = null;
  private qemuSkipped = 0;
  private qemuResync: Resync | null = null;
  /**
   * Skipping to a common return: the highest stack pointer each side has reached since they parted
   * and our record that reached it (the candidate on our side).
   */
  private seek: { qemuTop: number; oursTop: R; skip: ReturnResync } | null = null;
  /** Skipping QEMU's polls of a busy drive: our record of the status read and the records skipped so far. */
  private polling: { read: R; poll: BusyPoll } | null = null;
  private last: TraceRecord | null = null;
  private lastOurs: R | null = null;
  private readonly compared: readonly TraceReg[];
  private readonly flagsMask: number;

  constructor(private readonly ours: () => R | null, private readonly opts: LockstepOptions<R> = {}) {
    this.keep = opts.history ?? 5;
    this.handlerLimit = opts.handlerLimit ?? 1_000_000;
    this.compared = TRACE_REGS.filter((k) => !opts.ignore?.includes(k));
    this.flagsMask = (opts.flagsMask ?? 0xffffffff) >>> 0;
  }

  private noteResync(side: Resync['side'], from: TraceRecord): Resync | null {
    if (this.resyncs.length >= RESYNCS_KEPT) return null;
    const r: Resync = { index: this.matched, side, records: 0, from };
    this.resyncs.push(r);
    return r;
  }

  /** Our record of the last instruction both agreed on, or null before the first. */
  get lastAgreed(): R | null {
    return this.lastOurs;
  }

  get done(): boolean {
    return this.divergence !== null || this.end !== null;
  }

  /** Ends the comparison where QEMU's records run out (its budget or its log; `why` when known). */
  finish(why: string | null = null): void {
    if (this.done) return;
    if (why) {
      this.end = why;
      return;
    }
    if (this.seek) {
      this.end = `QEMU's records end while both sides are skipped to a common return from ${where(this.seek.skip.from)}`;
      return;
    }
    if (this.qemuSkipFrom) {
      this.end = `QEMU's records end in the interrupt handler entered at record ${this.qemuSkipFrom.source} (${where(this.qemuSkipFrom)})`;
      return;
    }
    this.end = this.cur ?? this.ours() ? `QEMU's records end after ${this.qemuCovered}` : `our run ends after ${this.matched} guest instructions`;
  }

  push(b: TraceRecord): boolean {
    if (this.done) return false;
    const prev = this.prevQemu;
    this.prevQemu = b;
    if (this.qemuSkipTo) {
      if (!backAt(b, this.qemuSkipTo)) {
        this.qemuCovered++;
        if (++this.qemuSkipped > this.handlerLimit) {
          this.end = `QEMU did not return from the interrupt handler entered at record ${this.qemuSkipFrom!.source} (${where(this.qemuSkipFrom!)}) within ${this.handlerLimit} records`;
        }
        return !this.done;
      }
      if (this.qemuResync) this.qemuResync.records = this.qemuSkipped + 1;
      this.qemuSkipTo = this.qemuSkipFrom = this.qemuResync = null;
    }
    if (this.seek && !this.seekReturn(b)) return !this.done;
    if (this.polling && !this.pollDone(b, prev)) return !this.done;
    for (;;) {
      const a = this.cur ?? (this.cur = this.ours());
      if (!a) {
        this.end = `our run ends after ${this.matched} guest instructions`;
        return false;
      }
      if (prev && this.unexcused(a, b, false)?.length !== 0) {
        const repeat = sameRecord(b, prev);
        if (repeat || (b.cs === prev.cs && b.eip === prev.eip && (b.regs.ecx & 0xffff) === 0 && prev.regs.ecx !== b.regs.ecx)) {
          if (repeat) this.repeats++;
          else this.repEnds++;
          this.qemuCovered++;
          return true;
        }
      }
      const regs = this.unexcused(a, b, true);
      if (regs?.length === 0) {
        this.matched++;
        this.qemuCovered++;
        this.last = b;
        this.lastOurs = a;
        this.history.push(a);
        if (this.history.length > this.keep) this.history.shift();
        this.cur = null;
        return true;
      }
      const last = this.last;
      const resync = this.opts.resync ?? true;
      if (resync && !regs && last && tookInterrupt(last, b, a)) {
        this.interrupts.qemu++;
        this.qemuCovered++;
        this.qemuSkipTo = a;
        this.qemuSkipFrom = b;
        this.qemuSkipped = 0;
        this.qemuResync = this.noteResync('qemu', b);
        return true;
      }
      if (resync && !regs && last && tookInterrupt(last, a, b)) {
        this.interrupts.bootscope++;
        const from = a;
        let n = 0;
        let r: R | null = a;
        while (r && !backAt(r, b) && n <= this.handlerLimit) {
          r = this.ours();
          n++;
        }
        const noted = this.noteResync('bootscope', from);
        if (noted) noted.records = n;
        this.cur = r;
        if (!r || n > this.handlerLimit) {
          this.end = `our run ${r ? `did not return within ${this.handlerLimit} instructions from` : 'ends in'} the interrupt handler entered at n=${from.source} (${where(from)})`;
          return false;
        }
        continue;
      }
      const busy = this.opts.busyDrive, read = this.lastOurs;
      if (busy && read && regs?.length === 1 && regs[0] === 'eax' && busy.statusRead(read) && busyOnlyThere(a, b)) {
        const poll: BusyPoll = { index: this.matched, from: read, records: 1, scratch: [] };
        this.busyPolls++;
        if (this.busy.length < RESYNCS_KEPT) this.busy.push(poll);
        this.polling = { read, poll };
        this.qemuCovered++;
        return true;
      }
      if (this.opts.returnResync && last) {
        const skip: ReturnResync = { index: this.matched, from: a, to: null, ours: 1, qemu: 1, scratch: [] };
        this.returns.push(skip);
        this.seek = { qemuTop: b.regs.esp >>> 0, oursTop: a, skip };
        this.qemuCovered++;
        return true;
      }
      this.divergence = {
        index: this.matched, controlFlow: regs === null, ours: a, qemu: b, registers: regs ?? [],
        flagsExcused: this.exemptFlags, history: [...this.history],
      };
      return false;
    }
  }

  /**
   * While skipping QEMU's polls of a busy drive: QEMU's record `b` after another run of the status
   * read (`prev` at its CS:EIP) that no longer answers busy ends the skip, our clock moved on by the
   * records skipped, and `b` is compared with our record after the read (true); false while skipping.
   */
  private pollDone(b: TraceRecord, prev: TraceRecord | null): boolean {
    const k = this.polling!;
    const again = prev !== null && prev.cs === k.read.cs && prev.eip === k.read.eip;
    if (!again || (b.regs.eax & ATA_BSY) !== 0) {
      k.poll.records++;
      this.qemuCovered++;
      if (k.poll.records > this.handlerLimit) this.end = `QEMU's drive stayed busy for ${this.handlerLimit} records from ${where(k.read)}`;
      return false;
    }
    this.opts.busyDrive!.passTime(k.poll.records);
    this.polling = null;
    // What QEMU's poll loop did between its reads (a timer check, a yield) leaves the caller-saved
    // registers and the flags as it likes: excused until they agree, AL (the status) compared.
    const a = this.cur!;
    k.poll.scratch = POLL_SCRATCH.filter((r) => a.regs[r] !== b.regs[r] && (r !== 'eax' || ((a.regs.eax ^ b.regs.eax) & 0xff) === 0));
    for (const r of k.poll.scratch) {
      if (r === 'eflags') this.exemptFlags |= (a.regs.eflags ^ b.regs.eflags) & this.flagsMask;
      else this.exempt.add(r);
    }
    return true;
  }

  /**
   * While skipping to a common return: QEMU's record `b` rising above its stack's highest point since
   * the sides parted is a return; our side is run until its stack is as high, and where our record
   * that got there is at the same CS:EIP, SS and ESP, the comparison goes on from both (true). The
   * skipped records are counted; false while skipping.
   */
  private seekReturn(b: TraceRecord): boolean {
    const k = this.seek!;
    const esp = b.regs.esp >>> 0;
    if (esp <= k.qemuTop) {
      k.skip.qemu++;
      this.qemuCovered++;
      if (k.skip.qemu > this.handlerLimit) this.end = `the two sides did not return to a common caller within ${this.handlerLimit} records from ${where(k.skip.from)}`;
      return false;
    }
    k.qemuTop = esp;
    while ((k.oursTop.regs.esp >>> 0) < esp) {
      const r = this.ours();
      if (!r) {
        this.end = `our run ends while both sides are skipped to a common return from ${where(k.skip.from)}`;
        return false;
      }
      k.skip.ours++;
      if ((r.regs.esp >>> 0) > (k.oursTop.regs.esp >>> 0)) k.oursTop = r;
    }
    const a = k.oursTop;
    if (a.cs === b.cs && a.eip === b.eip && a.regs.ss === b.regs.ss && a.regs.esp === b.regs.esp) {
      k.skip.to = b;
      k.skip.ours--; // our record there is compared, not skipped
      k.skip.scratch = RETURN_SCRATCH.filter((r) => a.regs[r] !== b.regs[r]);
      for (const r of k.skip.scratch) this.exempt.add(r);
      this.cur = a;
      this.seek = null;
      return true;
    }
    k.skip.qemu++;
    this.qemuCovered++;
    return false;
  }

  /**
   * Registers that differ between a (ours) and b (QEMU) and are not excused; null when CS:EIP differ.
   * `commit` records what was excused and forgets exemptions once both sides agree.
   */
  private unexcused(a: TraceRecord, b: TraceRecord, commit: boolean): TraceReg[] | null {
    if (a.cs !== b.cs || a.eip !== b.eip) return null;
    const out: TraceReg[] = [];
    const last = this.last;
    for (const k of this.compared) {
      const diff = k === 'eflags' ? (a.regs[k] ^ b.regs[k]) & this.flagsMask : (a.regs[k] ^ b.regs[k]) >>> 0;
      if (k === 'eflags') {
        // Bits that agree again are compared again; a new difference in a bit the last instruction
        // left undefined is excused from here on.
        let exempt = this.exemptFlags & diff;
        const fresh = diff & ~exempt;
        const undef = fresh && this.lastOurs && this.opts.undefinedFlags ? this.opts.undefinedFlags(this.lastOurs, last!) & fresh : 0;
        if (commit) {
          this.exemptFlags = exempt | undef;
          if (undef && this.undefinedFlags.count++ === 0) this.undefinedFlags.first = `EFLAGS ${hexLower(undef, 8)} after ${where(last!)} (instruction ${this.matched})`;
        }
        exempt |= undef;
        if (diff & ~exempt) out.push(k);
        continue;
      }
      if (diff === 0) {
        if (commit) this.exempt.delete(k);
        continue;
      }
      if (this.exempt.has(k)) continue;
      const model = this.modelDecides(k, a);
      if (model) {
        if (commit) {
          this.exempt.add(k);
          this.allowed.push(`${k} ${last ? `after ${where(last)}` : `at ${where(b)}`} (instruction ${this.matched}): ${model}`);
        }
        continue;
      }
      const allow = last && this.opts.allowances?.find((x) => x.lin === last.lin && x.regs.includes(k));
      if (!allow) {
        out.push(k);
      } else if (commit) {
        this.exempt.add(k);
        this.allowed.push(`${k} after ${where(last!)} (instruction ${this.matched}): ${allow.why}`);
      }
    }
    return out;
  }

  /** Why register `k` of our record `a` is the CPU model's to decide, or null. */
  private modelDecides(k: TraceReg, a: TraceRecord): string | null {
    if (!this.last) {
      if (a.lin !== RESET_LIN) return null;
      if (k === 'edx') return "the CPU signature at reset is the model's";
      if (k === 'cr0') return "CR0 at reset is the model's (CD and NW exist from the 486 on)";
      return null;
    }
    const bytes = this.lastOurs ? this.opts.code?.(this.lastOurs) : null;
    if (!bytes || bytes[0] !== 0x0f) return null;
    if (bytes[1] === 0xa2 && CPUID_OUTPUTS.includes(k)) return 'CPUID answers for the CPU model';
    // MOV r32, CR0 (0F 20 /r, mod 11, reg 0): the register holds CR0's model bits.
    const modrm = bytes[2];
    if (bytes[1] === 0x20 && modrm >> 6 === 3 && ((modrm >> 3) & 7) === 0 && GPR[modrm & 7] === k && this.exempt.has('cr0')) {
      return "it holds CR0, whose reset value is the model's";
    }
    return null;
  }
}

/** The comparison of two whole traces (both guest only, both from 0000:7C00). */
export function lockstepArrays(ours: TraceRecord[], qemu: TraceRecord[], opts: LockstepOptions = {}): Lockstep {
  let i = 0;
  const l = new Lockstep(() => ours[i++] ?? null, opts);
  for (const r of qemu) if (!l.push(r)) break;
  l.finish();
  return l;
}
