// Queries over recorded history: reverseContinue (the most recent earlier stop of any armed kind:
// code address, data read/write, mode switch, exception, a condition), lastWrite (memory range) and
// lastChange (register or field). Each scans snapshot intervals from newest to oldest by restore +
// replay, keeps the last hit of an interval, and refines data hits to the exact REP iteration.

import type { Cpu } from '../cpu/cpu';
import { BreakpointSet } from '../cpu/execute';
import { CS, EFLAGS_VM } from '../cpu/regs';
import type { Machine } from '../machine';
import type { AccessObserver } from '../memory/bus';
import { PAGE_SHIFT, PF_WATCH_R, PF_WATCH_W } from '../memory/pageFlags';
import { fieldReader } from './fields';
import type { Recorder } from './recorder';
import type { ReplayControl } from './replay';

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
  /** Data breakpoints: a hit is the position after the accessing instruction (a trap, as on x86). */
  data?: DataWatch[];
  /** CR0.PE, CR0.PG, EFLAGS.VM or CS.D changed: the position after the switching instruction. */
  modeSwitch?: boolean;
  /** Exceptions delivered (all, or these vectors): the position at the handler's first instruction. */
  exceptions?: boolean | number[];
  /** Evaluated before every instruction (conditional breakpoints, I/O ports, ...): slow path. */
  condition?: ((m: Machine) => boolean) | null;
}

export type ReverseReason = 'breakpoint' | 'data' | 'mode' | 'exception' | 'condition' | 'start';

export interface ReverseResult {
  /** Where the machine now is. */
  icount: number;
  reason: ReverseReason;
  detail: string;
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
  reason: ReverseReason;
  detail: string;
}

function modeKey(cpu: Cpu): number {
  return (cpu.cr0 & 1) | ((cpu.cr0 >>> 31) << 1) | (cpu.flags & EFLAGS_VM ? 4 : 0) | (cpu.code32 << 3);
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
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
  const note = (pos: number, reason: ReverseReason, detail: string) => {
    if (pos < limit && (last === null || pos >= last.pos)) last = { pos, reason, detail };
  };
  const ctl: ReplayControl = {};
  if (stops.code && stops.code.length) {
    const set = new BreakpointSet();
    for (const a of stops.code) set.add(a);
    ctl.code = set;
    ctl.onCode = (ic, lin) => note(ic, 'breakpoint', `breakpoint at ${hex(lin)}`);
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
  const disarm = watches.length
    ? armWatches(m, watches, (w, addr) => {
      // cpu.icount is one past the instruction (or the REP chunk's first iteration) being executed.
      if (cpu.icount - 1 >= coarseData && cpu.icount < limit) {
        coarseData = cpu.icount - 1;
        coarseDetail = `${w.access} watch ${hex(w.address)}+${w.length}: access at ${hex(addr)}`;
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
    const exact = refineData(rec, k, coarseData, end, limit, watches);
    if (exact >= 0 && (last === null || exact >= (last as Hit).pos)) last = { pos: exact, reason: 'data', detail: coarseDetail };
  }
  return last;
}

/** Replays the instruction (every REP iteration) that starts at `start`, returning the last exact hit position. */
function refineData(rec: Recorder, k: number, start: number, end: number, limit: number, watches: DataWatch[]): number {
  const m = rec.machine;
  const cpu = m.cpu;
  rec.restore(k);
  rec.replayForward(start);
  const pc0 = m.pcLinear;
  let exact = -1;
  const disarm = armWatches(m, watches, () => {
    if (cpu.icount < limit) exact = cpu.icount;
  });
  try {
    rec.replayForward(end, { hook: (c) => c.icount > start && ((c.base[CS] + c.eip) >>> 0) !== pc0 });
  } finally {
    disarm();
  }

  return exact;
}

/** The most recent earlier stop (before the current position); the machine is left there. */
export function reverseContinue(rec: Recorder, stops: ReverseStops): ReverseResult {
  const c = rec.icount;
  for (let k = rec.intervalBefore(c); k >= 0; k--) {
    const [, next] = rec.intervalBounds(k);
    const end = Math.min(next, c);
    const hit = scanInterval(rec, k, end, c, stops);
    if (hit) {
      rec.seek(hit.pos);
      return { icount: rec.icount, reason: hit.reason, detail: hit.detail };
    }
  }
  rec.restore(0);
  rec.setResumePoint();
  return { icount: rec.icount, reason: 'start', detail: 'start of the recording' };
}

/** The last write to [address, address+length) at or before the current position; the position is kept. */
export function lastWrite(rec: Recorder, address: number, length = 1): WriteResult | null {
  const c = rec.icount;
  const watch: DataWatch = { address, length, access: 'write' };
  let found: WriteResult | null = null;
  for (let k = rec.intervalBefore(c); k >= 0 && !found; k--) {
    const [, next] = rec.intervalBounds(k);
    const hit = scanInterval(rec, k, Math.min(next, c), c + 1, { data: [watch] });
    if (hit) found = { instruction: hit.pos - 1, after: hit.pos, address };
  }
  rec.seek(c);
  return found;
}

/** The last instruction at or before the current position that changed a register or field. */
export function lastChange(rec: Recorder, field: string): ChangeResult | null {
  const read = fieldReader(field);
  const c = rec.icount;
  const cpu = rec.machine.cpu;
  let found: ChangeResult | null = null;
  for (let k = rec.intervalBefore(c); k >= 0 && !found; k--) {
    const [, next] = rec.intervalBounds(k);
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
  }
  rec.seek(c);
  return found;
}
