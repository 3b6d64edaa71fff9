// Queries over recorded history: reverseContinue (the most recent earlier stop of any armed kind:
// code address, data read/write, mode switch, exception, a condition), lastWrite (memory range) and
// lastChange (register or field). Each scans snapshot intervals from newest to oldest by restore +
// replay, keeps the last hit of an interval, and refines data hits to the exact REP iteration.

import type { Cpu } from '../cpu/cpu';
import { BreakpointSet, type CsIp } from '../cpu/execute';
import { CS, EFLAGS_VM } from '../cpu/regs';
import type { Machine } from '../machine';
import type { AccessObserver } from '../memory/bus';
import { PAGE_SHIFT, PF_WATCH_R, PF_WATCH_W } from '../memory/pageFlags';
import { type FieldReader, fieldReader } from './fields';
import type { Recorder } from './recorder';
import type { ReplayControl } from './replay';
import { hex } from '../../protocol/format';

export type WatchAccess = 'read' | 'write' | 'readWrite';

/** A data breakpoint: physical = linear addresses (paging is not translated here). */
export interface DataWatch {
  address: number;
  length: number;
  access: WatchAccess;
}

/** The stop conditions armed for reverseContinue (the same kinds as forward). */
export interface ReverseStops {
  /** Code breakpoints, linear addresses: a hit is the position before the instruction there. */
  code?: number[];
  /** CS:IP breakpoints (any mode): as `code`, where CS.selector and EIP match. */
  csip?: CsIp[];
  /** Physical breakpoints: as `code`, where the instruction's physical address matches. */
  phys?: number[];
  /**
   * Decides whether a code hit counts (conditional breakpoints): asked only at code hits, in the
   * state before the instruction, so it costs nothing elsewhere.
   */
  acceptCode?: ((m: Machine) => boolean) | null;
  /** Data breakpoints: a hit is the position after the accessing instruction (a trap, as on x86). */
  data?: DataWatch[];
  /**
   * Data hits at the position before the accessing instruction instead, so an access by the instruction
   * just before the current position counts: gdb's reverse semantics (it compares the watched value it saw
   * last with the one before the access), as its own record target stops.
   */
  dataBefore?: boolean;
  /** CR0.PE, CR0.PG, EFLAGS.VM or CS.D changed: the position after the switching instruction. */
  modeSwitch?: boolean;
  /** Exceptions delivered (all, or these vectors): the position at the handler's first instruction. */
  exceptions?: boolean | number[];
  /** Evaluated before every instruction: slow path. */
  condition?: ((m: Machine) => boolean) | null;
  /**
   * Stops raised by hooks outside the recorder through Machine.requestStop (a debugger's I/O-port,
   * INT n, mode-switch and exception filters, which watch replays as they watch runs): asked after each
   * instruction that raised one, returns its description or null. A forward run would have stopped
   * there, so reverse stops there too, with the same filters and conditions.
   */
  requested?: (() => string | null) | null;
}

export type ReverseReason = 'breakpoint' | 'data' | 'mode' | 'exception' | 'condition' | 'requested' | 'start';

/** What reverseContinueAsync returns when cancelled: the machine is back where it started. */
export interface ReverseCancelled {
  icount: number;
  reason: 'cancelled';
  detail: string;
}

export interface ReverseAsyncOptions {
  /** Polled between snapshot intervals (a debugger's pause): true ends the scan where it started. */
  cancelled?: () => boolean;
  /** Told after each interval scanned, with the instruction count the scan has gone back to. */
  progress?: (scannedBackTo: number) => void;
}

export interface ReverseResult {
  /** Where the machine now is. */
  icount: number;
  reason: ReverseReason;
  detail: string;
  /** For 'data': the watch that was hit (one of `stops.data`). */
  watch?: DataWatch;
}

export interface WriteResult {
  /** The instruction (REP iteration) that wrote: seek(instruction) stops just before it. */
  instruction: number;
  /** The position right after it. */
  after: number;
  address: number;
}

export interface ChangeResult {
  instruction: number;
  after: number;
  from: number;
  to: number;
}

interface Hit {
  pos: number;
  /** CS:EIP (linear) when the hit was seen: tells the two states of a count apart around an interrupt delivery; -1 none. */
  lin: number;
  reason: ReverseReason;
  detail: string;
  watch?: DataWatch;
}

function modeKey(cpu: Cpu): number {
  return (cpu.cr0 & 1) | ((cpu.cr0 >>> 31) << 1) | (cpu.flags & EFLAGS_VM ? 4 : 0) | (cpu.code32 << 3);
}

/** Arms page flags and an observer for data watches; the returned function disarms them. */
function armWatches(m: Machine, watches: DataWatch[], onHit: (w: DataWatch, addr: number) => void): () => void {
  const mem = m.mem;
  const saved = new Map<number, number>();
  for (const w of watches) {
    const bit = (w.access === 'read' ? 0 : PF_WATCH_W) | (w.access === 'write' ? 0 : PF_WATCH_R);
    for (let p = w.address >>> PAGE_SHIFT; p <= (w.address + Math.max(1, w.length) - 1) >>> PAGE_SHIFT; p++) {
      if (!saved.has(p)) saved.set(p, mem.pageFlags[p]);
      mem.pageFlags[p] |= bit;
    }
  }
  const prev = mem.observer;
  const test = (addr: number, size: number, write: boolean) => {
    for (const w of watches) {
      if (write ? w.access === 'read' : w.access === 'write') continue;
      if (addr < w.address + w.length && addr + size > w.address) onHit(w, addr);
    }
  };
  const obs: AccessObserver = {
    onRead: (addr, size) => { prev?.onRead(addr, size); test(addr, size, false); },
    onWrite: (addr, size, value) => { prev?.onWrite(addr, size, value); test(addr, size, true); },
  };
  mem.observer = obs;
  m.cpu.flushFetch();
  return () => {
    for (const [p, f] of saved) mem.pageFlags[p] = (mem.pageFlags[p] & ~(PF_WATCH_R | PF_WATCH_W)) | (f & (PF_WATCH_R | PF_WATCH_W));
    mem.observer = prev;
    m.cpu.flushFetch();
  };
}

/**
 * Scans interval k up to `end` (exclusive of positions >= limit) and returns its last hit. Data hits
 * found on the fast path carry the count at the start of a REP chunk and are refined afterwards.
 */
function scanInterval(rec: Recorder, k: number, end: number, limit: number, stops: ReverseStops): Hit | null {
  const m = rec.machine;
  const cpu = m.cpu;
  rec.restore(k);
  let last: Hit | null = null;
  let coarseData = -1;
  let coarseDetail = '';
  let coarseWatch: DataWatch | undefined;
  let coarsePos = -1;
  const note = (pos: number, reason: ReverseReason, detail: string, lin = m.pcLinear) => {
    if (pos < limit && (last === null || pos >= last.pos)) last = { pos, reason, detail, lin };
  };
  const ctl: ReplayControl = {};
  if (stops.code?.length || stops.csip?.length || stops.phys?.length) {
    const set = new BreakpointSet();
    for (const a of stops.code ?? []) set.add(a);
    for (const b of stops.csip ?? []) set.addCsIp(b.selector, b.offset);
    for (const p of stops.phys ?? []) set.addPhys(p);
    ctl.code = set;
    const accept = stops.acceptCode ?? null;
    ctl.onCode = (ic, lin) => {
      if (accept === null || accept(m)) note(ic, 'breakpoint', `breakpoint at ${hex(lin)}`, lin);
    };
  }
  const requested = stops.requested ?? null;
  if (requested) {
    ctl.onStopRequest = (ic) => {
      const what = requested();
      if (what !== null) note(ic, 'requested', what);
    };
  }
  const excs = stops.exceptions;
  const wantExc = excs === true || (Array.isArray(excs) && excs.length > 0);
  const cond = stops.condition ?? null;
  let mode = modeKey(cpu);
  cpu.lastException = -1;
  const checkChanges = () => {
    if (stops.modeSwitch) {
      const k2 = modeKey(cpu);
      if (k2 !== mode) {
        note(cpu.icount, 'mode', `mode switch: CR0.PE=${cpu.cr0 & 1} PG=${cpu.cr0 >>> 31} VM=${cpu.flags & EFLAGS_VM ? 1 : 0} CS.D=${cpu.code32}`);
        mode = k2;
      }
    }
    if (wantExc && cpu.lastException !== -1) {
      const v = cpu.lastException;
      if (excs === true || (excs as number[]).includes(v)) note(cpu.icount, 'exception', `exception ${v} delivered`);
      cpu.lastException = -1;
    }
  };
  if (stops.modeSwitch || wantExc || cond) {
    ctl.hook = () => {
      checkChanges();
      if (cond && cond(m)) note(cpu.icount, 'condition', 'condition true');
      return false;
    };
  }
  const watches = stops.data ?? [];
  const before = stops.dataBefore ? 1 : 0;
  const disarm = watches.length
    ? armWatches(m, watches, (w, addr) => {
      // cpu.icount is one past the instruction (or the REP chunk's first iteration) being executed.
      if (cpu.icount - 1 >= coarseData && cpu.icount - before < limit) {
        coarseData = cpu.icount - 1;
        coarseDetail = `${w.access} watch ${hex(w.address)}+${w.length}: access at ${hex(addr)}`;
        coarseWatch = w;
        coarsePos = cpu.icount - before;
      }
    })
    : null;
  try {
    rec.replayForward(end, ctl);
    if (cpu.icount === end) checkChanges();
  } finally {
    disarm?.();
  }
  if (coarseData >= 0) {
    // A BIOS service (an uncounted trap at the next count) writes after the refinement's stop: the coarse
    // position is exact there, as it is for every instruction but a REP chunk.
    const refined = refineData(rec, k, coarseData, end, limit, watches, before);
    const exact = refined >= 0 ? refined : coarsePos;
    if (exact >= 0 && (last === null || exact >= (last as Hit).pos)) last = { pos: exact, reason: 'data', detail: coarseDetail, lin: -1, watch: coarseWatch };
  }
  return last;
}

/**
 * Replays the instruction (every REP iteration) that starts at `start`, returning the last exact hit position:
 * after the access, or with `before` = 1 before it.
 */
function refineData(rec: Recorder, k: number, start: number, end: number, limit: number, watches: DataWatch[], before: number): number {
  const m = rec.machine;
  const cpu = m.cpu;
  rec.restore(k);
  rec.replayForward(start);
  const pc0 = m.pcLinear;
  let exact = -1;
  const disarm = armWatches(m, watches, () => {
    if (cpu.icount - before < limit) exact = cpu.icount - before;
  });
  try {
    rec.replayForward(end, { hook: (c) => c.icount > start && ((c.base[CS] + c.eip) >>> 0) !== pc0 });
  } finally {
    disarm();
  }

  return exact;
}

/** Only write watches are armed: intervals that never wrote a watched page need no replay. */
function writesOnly(stops: ReverseStops): DataWatch[] | null {
  if (stops.code?.length || stops.csip?.length || stops.phys?.length || stops.modeSwitch || stops.condition || stops.requested || stops.exceptions === true || (Array.isArray(stops.exceptions) && stops.exceptions.length)) return null;
  const d = stops.data ?? [];
  return d.length > 0 && d.every((w) => w.access === 'write') ? d : null;
}

function canSkip(rec: Recorder, k: number, writes: DataWatch[] | null): boolean {
  return writes !== null && writes.every((w) => !rec.intervalMayWrite(k, w.address, w.length));
}

/** Runs a scan to its end. */
function drain<T>(scan: Generator<number, T, void>): T {
  for (;;) {
    const r = scan.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs a scan, yielding to the event loop between snapshot intervals, so a debug adapter can handle `pause`
 * (cancelled() → the machine goes back to where it was, reason 'cancelled') and report progress.
 */
async function drainAsync<T>(rec: Recorder, scan: Generator<number, T, void>, opts: ReverseAsyncOptions, what: string): Promise<T | ReverseCancelled> {
  const c = rec.icount;
  for (;;) {
    const r = scan.next();
    if (r.done) return r.value;
    opts.progress?.(r.value);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (opts.cancelled?.()) {
      rec.seek(c);
      return { icount: rec.icount, reason: 'cancelled', detail: `${what} cancelled` };
    }
  }
}

/** The most recent earlier stop (before the current position); the machine is left there. */
export function reverseContinue(rec: Recorder, stops: ReverseStops): ReverseResult {
  return drain(reverseScan(rec, stops));
}

/** reverseContinue that yields between intervals (cancel, progress). */
export function reverseContinueAsync(rec: Recorder, stops: ReverseStops, opts: ReverseAsyncOptions = {}): Promise<ReverseResult | ReverseCancelled> {
  return drainAsync(rec, reverseScan(rec, stops), opts, 'reverse continue');
}

/** The scan behind reverseContinue: yields after each interval it replayed, with the interval's start. */
function* reverseScan(rec: Recorder, stops: ReverseStops): Generator<number, ReverseResult, void> {
  const c = rec.icount;
  const writes = writesOnly(stops);
  for (let k = rec.intervalBefore(c); k >= 0; k--) {
    if (canSkip(rec, k, writes)) continue;
    const [, next] = rec.intervalBounds(k);
    const end = Math.min(next, c);
    const hit = scanInterval(rec, k, end, c, stops);
    if (hit) {
      if (hit.lin >= 0) rec.seek(hit.pos, hit.lin);
      else rec.seek(hit.pos);
      return { icount: rec.icount, reason: hit.reason, detail: hit.detail, ...(hit.watch ? { watch: hit.watch } : {}) };
    }
    yield rec.intervalBounds(k)[0];
  }
  rec.restore(0);
  rec.setResumePoint();
  return { icount: rec.icount, reason: 'start', detail: 'start of the recording' };
}

/** The last write to [address, address+length) at or before the current position; the position is kept. */
export function lastWrite(rec: Recorder, address: number, length = 1): WriteResult | null {
  return drain(lastWriteScan(rec, address, length));
}

/** lastWrite that yields between intervals (cancel, progress). */
export function lastWriteAsync(rec: Recorder, address: number, length: number, opts: ReverseAsyncOptions = {}): Promise<WriteResult | null | ReverseCancelled> {
  return drainAsync(rec, lastWriteScan(rec, address, length), opts, 'last write');
}

function* lastWriteScan(rec: Recorder, address: number, length: number): Generator<number, WriteResult | null, void> {
  const c = rec.icount;
  const watch: DataWatch = { address, length, access: 'write' };
  let found: WriteResult | null = null;
  for (let k = rec.intervalBefore(c); k >= 0 && !found; k--) {
    if (canSkip(rec, k, [watch])) continue;
    const [start, next] = rec.intervalBounds(k);
    const hit = scanInterval(rec, k, Math.min(next, c), c + 1, { data: [watch] });
    if (hit) found = { instruction: hit.pos - 1, after: hit.pos, address };
    else yield start;
  }
  rec.seek(c);
  return found;
}

/**
 * The last instruction at or before the current position that changed a register or field (a name of fields.ts),
 * or any value read from the CPU (e.g. the status of a VM-entry check).
 */
export function lastChange(rec: Recorder, field: string | FieldReader): ChangeResult | null {
  return drain(lastChangeScan(rec, field));
}

/** lastChange that yields between intervals (cancel, progress). */
export function lastChangeAsync(rec: Recorder, field: string | FieldReader, opts: ReverseAsyncOptions = {}): Promise<ChangeResult | null | ReverseCancelled> {
  return drainAsync(rec, lastChangeScan(rec, field), opts, 'last change');
}

function* lastChangeScan(rec: Recorder, field: string | FieldReader): Generator<number, ChangeResult | null, void> {
  // A bad field name throws here, before any replay.
  const read = typeof field === 'string' ? fieldReader(field) : field;
  const c = rec.icount;
  const cpu = rec.machine.cpu;
  let found: ChangeResult | null = null;
  for (let k = rec.intervalBefore(c); k >= 0 && !found; k--) {
    const [start, next] = rec.intervalBounds(k);
    const end = Math.min(next, c);
    rec.restore(k);
    let prev = read(cpu);
    let hit: ChangeResult | null = null;
    const check = (c2: Cpu) => {
      const v = read(c2);
      if (v !== prev) {
        hit = { instruction: c2.icount - 1, after: c2.icount, from: prev, to: v };
        prev = v;
      }
      return false;
    };
    rec.replayForward(end, { hook: check });
    if (cpu.icount === end) check(cpu);
    found = hit;
    if (!found) yield start;
  }
  rec.seek(c);
  return found;
}
