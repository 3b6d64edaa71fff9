// Recording for reverse execution: periodic snapshots (CPU, devices, disk overlays, and the
// pre-write copy of every RAM page first written after the snapshot, caught through PF_TRACK_DIRTY
// and Memory.onFirstDirty), a log of inputs from outside (keys, debugger edits), a memory budget
// that drops the oldest snapshots with a notice, and seek/stepBack by restore + deterministic replay.
// Queries that scan history (reverseContinue, lastWrite, lastChange) live in reverse.ts.

import { refreshAttention, serviceInterrupt } from '../cpu/execute';
import type { DevicesSnapshot } from '../devices/pcDevices';
import type { DiskImage } from '../disk/diskImage';
import type { Machine, RunOptions, StopInfo } from '../machine';
import { PAGE_SHIFT, PAGE_SIZE, PF_MMIO, PF_ROM, PF_TRACK_DIRTY } from '../memory/pageFlags';
import { type CpuSnapshot, cpuSnapshotBytes, loadCpu, saveCpu } from './cpuState';
import { type ReplayControl, type ReplayEnd, replayTo } from './replay';
import type { FieldReader } from './fields';
import {
  type ChangeResult, type ReverseAsyncOptions, type ReverseCancelled, type ReverseResult, type ReverseStops, type WriteResult,
  lastChange, lastChangeAsync, lastWrite, lastWriteAsync, reverseContinue, reverseContinueAsync,
} from './reverse';

export interface RecorderOptions {
  /**
   * Instructions between snapshots: the upper bound of a stepBack's replay. Default 'adaptive': about
   * `replayTargetMs` of execution at the measured speed, between 10,000 and 2,000,000.
   */
  interval?: number | 'adaptive';
  /** With an adaptive interval, the replay time to aim at (default 8 ms). */
  replayTargetMs?: number;
  /**
   * The adaptive interval's clock, in milliseconds: wall time (performance.now) by default. A host
   * passes its process's CPU time, so other load on the machine does not shrink the interval (a
   * loaded host's wall clock measured a few times the instructions' real cost, and the snapshots
   * came that many times as often).
   */
  clock?: () => number;
  /** Memory for snapshots and page copies, in bytes (default 512 MiB). */
  budgetBytes?: number;
  /** Told when old history is dropped to stay in the budget. */
  onDrop?: (notice: DropNotice) => void;
  /**
   * Other objects whose number, boolean and string fields are machine state (the BIOS: its INT 15h
   * wait deadline): saved with every snapshot and restored with it.
   */
  extraState?: object[];
}

export interface DropNotice {
  /** Snapshots dropped this time. */
  dropped: number;
  /** The earliest instruction count that can still be reached. */
  oldestIcount: number;
  /** Bytes held after the drop. */
  bytes: number;
  message: string;
}

/** Something fed from outside the machine at an instruction count; replays apply it again there. */
export interface InputEvent {
  icount: number;
  kind: string;
  detail: string;
  apply: (m: Machine) => void;
}

/** The machine at one position of the recording (Recorder.bookmark). */
export interface Bookmark {
  readonly icount: number;
  /** The history it belongs to (Recorder.generation). */
  readonly generation: number;
  readonly ram: Uint8Array;
  readonly cpu: CpuSnapshot;
  readonly devices: DevicesSnapshot;
  readonly disks: Map<number, Uint8Array>[];
  readonly extra: Map<string, unknown>[];
  readonly evPtr: number;
  readonly resumeAt: number;
}

interface Snapshot {
  icount: number;
  cpu: CpuSnapshot;
  devices: DevicesSnapshot;
  /** Each disk's overlay (sector arrays are never mutated in place, so a shallow copy is a copy). */
  disks: Map<number, Uint8Array>[];
  /** Pages first written in [icount, next snapshot): their content at `icount`. */
  pages: Map<number, Uint8Array>;
  /** Scalar fields of each extraState object. */
  extra: Map<string, unknown>[];
  /** Bytes of the state part (CPU, devices, disks); the pages add PAGE_SIZE each. */
  stateBytes: number;
}

function saveScalars(o: object): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') out.set(k, v);
  return out;
}

function roughBytes(v: unknown, depth = 0): number {
  if (v === null || v === undefined || depth > 8) return 8;
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (typeof v !== 'object') return 8;
  if (ArrayBuffer.isView(v)) return 64 + v.byteLength;
  // State shared between snapshots (video memory pages) says what one snapshot adds.
  if (typeof (v as { roughBytes?: unknown }).roughBytes === 'function') return (v as { roughBytes(): number }).roughBytes();
  let n = 32;
  if (v instanceof Map) for (const [, x] of v) n += 16 + roughBytes(x, depth + 1);
  else if (Array.isArray(v)) for (const x of v) n += 8 + roughBytes(x, depth + 1);
  else for (const x of Object.values(v)) n += 16 + roughBytes(x, depth + 1);
  return n;
}

export class Recorder {
  readonly machine: Machine;
  /** Instructions from the newest snapshot to the next one (fixed, or adapted to the measured speed). */
  interval: number;
  readonly adaptive: boolean;
  private readonly replayTargetMs: number;
  private readonly clock: () => number;
  /** Wall time and instructions of new execution since the adaptive interval was last estimated. */
  private execMs = 0;
  private execInstructions = 0;
  budgetBytes: number;
  onDrop: ((notice: DropNotice) => void) | null;
  /** Oldest first; the last one starts the open interval. */
  private readonly snaps: Snapshot[] = [];
  private readonly events: InputEvent[] = [];
  private rewrites = 0;
  /** Index of the next event to apply (those before it are in the current state). */
  private evPtr = 0;
  /** The highest instruction count reached: beyond it the run is new and is recorded. */
  private frontierIcount = 0;
  /** Dirty tracking is armed (the position is in the open interval). */
  private armed = false;
  private bytes = 0;
  private attached = false;
  private readonly disks: DiskImage[];
  private readonly ramPages: number;
  private readonly extraState: object[];

  constructor(machine: Machine, opts: RecorderOptions = {}) {
    this.machine = machine;
    this.adaptive = opts.interval === undefined || opts.interval === 'adaptive';
    this.interval = this.adaptive ? 50_000 : Math.max(1000, Math.floor(opts.interval as number));
    this.replayTargetMs = opts.replayTargetMs ?? 8;
    this.clock = opts.clock ?? (() => performance.now());
    this.budgetBytes = opts.budgetBytes ?? 512 * 1024 * 1024;
    this.onDrop = opts.onDrop ?? null;
    this.disks = [...machine.floppies, ...machine.hardDisks];
    this.ramPages = machine.mem.ramSize >>> PAGE_SHIFT;
    this.extraState = opts.extraState ?? [];
  }

  // ---- lifecycle -----------------------------------------------------------------------

  /** Starts recording at the current instruction count (the start of the recording). */
  attach(): this {
    if (this.attached) return this;
    this.attached = true;
    this.machine.mem.onFirstDirty = (page) => this.capture(page);
    this.frontierIcount = this.machine.cpu.icount;
    this.takeSnapshot();
    return this;
  }

  /** Stops recording and forgets the history; the machine keeps its current state. */
  detach(): void {
    if (!this.attached) return;
    this.disarm();
    this.machine.mem.onFirstDirty = null;
    this.snaps.length = 0;
    this.events.length = 0;
    this.evPtr = 0;
    this.bytes = 0;
    this.attached = false;
  }

  get isAttached(): boolean {
    return this.attached;
  }

  /** Current position (instructions executed). */
  get icount(): number {
    return this.machine.cpu.icount;
  }

  /** Counts the times recorded history was cut and rewritten (an input in the past): views built from it are stale. */
  get generation(): number {
    return this.rewrites;
  }

  /** The earliest reachable instruction count. */
  get startIcount(): number {
    return this.snaps.length ? this.snaps[0].icount : this.machine.cpu.icount;
  }

  /** The furthest instruction count recorded (a forward seek up to here replays, beyond runs new code). */
  get frontier(): number {
    return Math.max(this.frontierIcount, this.machine.cpu.icount);
  }

  /** Bytes held by snapshots and page copies (the budget's measure). */
  get bytesUsed(): number {
    return this.bytes;
  }

  /** What the recording holds, for a status line and the benchmark. */
  stats(): { snapshots: number; pages: number; stateBytes: number; pageBytes: number; inputs: number; start: number; frontier: number } {
    let pages = 0, stateBytes = 0;
    for (const s of this.snaps) {
      pages += s.pages.size;
      stateBytes += s.stateBytes;
    }
    return { snapshots: this.snaps.length, pages, stateBytes, pageBytes: this.bytes - stateBytes, inputs: this.events.length, start: this.startIcount, frontier: this.frontier };
  }

  get snapshotCount(): number {
    return this.snaps.length;
  }

  /** Instruction counts of the snapshots, oldest first (diagnostics, tests). */
  snapshotIcounts(): number[] {
    return this.snaps.map((s) => s.icount);
  }

  get inputLog(): readonly InputEvent[] {
    return this.events;
  }

  // ---- dirty tracking ------------------------------------------------------------------

  private get open(): Snapshot {
    return this.snaps[this.snaps.length - 1];
  }

  private capture(page: number): void {
    const open = this.open;
    if (!this.armed || open.pages.has(page) || page >= this.ramPages) return;
    const at = page << PAGE_SHIFT;
    open.pages.set(page, this.machine.mem.ram.slice(at, at + PAGE_SIZE));
    this.bytes += PAGE_SIZE + 48;
    // Page copies grow the recording between snapshots too: the bound holds at every stop.
    if (this.bytes > this.budgetBytes) this.enforceBudget();
  }

  /** Tracks every RAM page the open interval has not copied yet. */
  private arm(): void {
    const flags = this.machine.mem.pageFlags;
    const have = this.open.pages;
    for (let p = 0; p < this.ramPages; p++) {
      if (flags[p] & (PF_ROM | PF_MMIO) || have.has(p)) flags[p] &= ~PF_TRACK_DIRTY;
      else flags[p] |= PF_TRACK_DIRTY;
    }
    this.armed = true;
  }

  private disarm(): void {
    const flags = this.machine.mem.pageFlags;
    for (let p = 0; p < this.ramPages; p++) flags[p] &= ~PF_TRACK_DIRTY;
    this.armed = false;
  }

  // ---- snapshots -----------------------------------------------------------------------

  private takeSnapshot(): void {
    const m = this.machine;
    const prev = this.snaps.length ? this.open : null;
    // The speed is measured over at least one replay target of execution, however many intervals that
    // takes: a shorter window is mostly timer noise, and one reset with every snapshot froze a short
    // interval for good (its executions never took long enough to be measured). The interval moves
    // halfway to each estimate, so one slow window (a GC pause, other load on the host) cannot
    // collapse it to thousands of snapshots a second.
    if (this.adaptive && this.execMs >= this.replayTargetMs) {
      const estimate = (this.execInstructions / this.execMs) * this.replayTargetMs;
      this.interval = Math.round(Math.min(2_000_000, Math.max(10_000, (this.interval + estimate) / 2)));
      this.execMs = 0;
      this.execInstructions = 0;
    }
    const s: Snapshot = {
      icount: m.cpu.icount,
      cpu: saveCpu(m.cpu),
      devices: m.devices.saveState(),
      disks: this.disks.map((d) => new Map(d.writes())),
      pages: new Map(),
      extra: this.extraState.map(saveScalars),
      stateBytes: 0,
    };
    s.stateBytes = cpuSnapshotBytes(s.cpu) + roughBytes(s.devices) + s.disks.reduce((n, d) => n + 64 + 24 * d.size, 0);
    this.bytes += s.stateBytes;
    if (prev && prev.icount === s.icount) {
      // Same point (e.g. an input right at a snapshot): the new one replaces it.
      this.snaps.pop();
      this.bytes -= prev.stateBytes;
      for (const p of prev.pages.keys()) s.pages.set(p, prev.pages.get(p)!);
    }
    this.snaps.push(s);
    if (prev && this.armed && prev !== this.open && s.pages.size === 0) {
      // Re-arm only the pages the closed interval copied; the others are still armed.
      const flags = m.mem.pageFlags;
      for (const p of prev.pages.keys()) if (!(flags[p] & (PF_ROM | PF_MMIO))) flags[p] |= PF_TRACK_DIRTY;
    } else {
      this.arm();
    }
    this.enforceBudget();
  }

  private enforceBudget(): void {
    let dropped = 0;
    while (this.bytes > this.budgetBytes && this.snaps.length > 1) {
      const s = this.snaps.shift()!;
      this.bytes -= s.stateBytes + s.pages.size * (PAGE_SIZE + 48);
      dropped++;
    }
    if (dropped === 0) return;
    // Inputs before the oldest snapshot can no longer be replayed: they are in its state.
    const oldest = this.snaps[0].icount;
    let cut = 0;
    while (cut < this.events.length && this.events[cut].icount < oldest) cut++;
    if (cut > 0) {
      this.events.splice(0, cut);
      this.evPtr = Math.max(0, this.evPtr - cut);
    }
    this.onDrop?.({
      dropped, oldestIcount: oldest, bytes: this.bytes,
      message: `recording budget of ${Math.round(this.budgetBytes / 1048576)} MiB reached: history before instruction ${oldest} was dropped`,
    });
  }

  /** Index of the last snapshot at or before icount (-1 when before the recording). */
  private snapAtOrBefore(icount: number): number {
    let lo = 0, hi = this.snaps.length - 1, r = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.snaps[mid].icount <= icount) { r = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return r;
  }

  /** Icount of snapshot k, and where its interval ends (the next snapshot, or Infinity). */
  intervalBounds(k: number): [number, number] {
    return [this.snaps[k].icount, k + 1 < this.snaps.length ? this.snaps[k + 1].icount : Infinity];
  }

  /**
   * Whether the guest may have written physical [address, address+length) during interval k: false
   * only when every page is tracked RAM that the interval never wrote (so scans can skip it).
   */
  intervalMayWrite(k: number, address: number, length: number): boolean {
    const flags = this.machine.mem.pageFlags;
    const pages = this.snaps[k].pages;
    for (let p = address >>> PAGE_SHIFT; p <= (address + Math.max(1, length) - 1) >>> PAGE_SHIFT; p++) {
      if (p >= this.ramPages || flags[p] & (PF_ROM | PF_MMIO) || pages.has(p)) return true;
    }
    return false;
  }

  /** Index of the interval holding the position just before `icount` (for scans that end there). */
  intervalBefore(icount: number): number {
    return this.snapAtOrBefore(icount - 1);
  }

  /**
   * Puts the machine in the state of snapshot k. Needs the current position at or after it (memory
   * is rebuilt by undoing the pages copied in every interval from the current one back to k).
   */
  restore(k: number): void {
    const m = this.machine;
    const cur = Math.max(k, this.snapAtOrBefore(m.cpu.icount));
    for (let j = cur; j >= k; j--) {
      for (const [p, data] of this.snaps[j].pages) m.mem.restoreRam(p << PAGE_SHIFT, data);
    }
    const s = this.snaps[k];
    loadCpu(m.cpu, s.cpu);
    m.devices.loadState(s.devices);
    this.disks.forEach((d, i) => d.restoreWrites(s.disks[i]));
    this.extraState.forEach((o, i) => { for (const [f, v] of s.extra[i]) (o as Record<string, unknown>)[f] = v; });
    m.resetSource = null;
    if (k === this.snaps.length - 1) this.arm();
    else if (this.armed) this.disarm();
    let e = 0;
    while (e < this.events.length && this.events[e].icount < s.icount) e++;
    this.evPtr = e;
    this.applyEventsHere();
  }

  // ---- inputs --------------------------------------------------------------------------

  private applyEventsHere(): void {
    const c = this.machine.cpu.icount;
    while (this.evPtr < this.events.length && this.events[this.evPtr].icount <= c) this.events[this.evPtr++].apply(this.machine);
  }

  /**
   * Feeds something from outside at the current instruction count and logs it so replays repeat it.
   * Inputs made after going back replace the recorded future from here on.
   */
  input(kind: string, detail: string, apply: (m: Machine) => void): void {
    if (!this.attached) {
      apply(this.machine);
      return;
    }
    this.truncateFuture();
    // Applied before it is logged: an input that throws (a bad register value) is not replayed.
    apply(this.machine);
    this.events.push({ icount: this.machine.cpu.icount, kind, detail, apply });
    this.evPtr = this.events.length;
  }

  /** Keystrokes typed by the user (the keyboard controller's queue). */
  typeKeys(text: string): void {
    this.input('keys', JSON.stringify(text), (m) => m.devices.kbc.type(text));
  }

  /** A debugger write to memory (Memory.poke bypasses dirty tracking, so the pages are copied first). */
  poke(addr: number, data: Uint8Array): void {
    const bytes = data.slice();
    this.input('poke', `${bytes.length} bytes at 0x${(addr >>> 0).toString(16)}`, (m) => {
      if (this.armed) for (let p = addr >>> PAGE_SHIFT; p <= (addr + bytes.length - 1) >>> PAGE_SHIFT; p++) this.capture(p);
      m.mem.poke(addr, bytes);
      m.cpu.flushFetch();
    });
  }

  /** Drops everything recorded after the current position: the future will differ from it. */
  private truncateFuture(): void {
    const c = this.machine.cpu.icount;
    if (c >= this.frontier) return;
    this.rewrites++;
    const k = this.snapAtOrBefore(c);
    while (this.snaps.length > k + 1) {
      const s = this.snaps.pop()!;
      this.bytes -= s.stateBytes + s.pages.size * (PAGE_SIZE + 48);
    }
    while (this.events.length > this.evPtr) this.events.pop();
    this.frontierIcount = c;
    // The open interval's copies cover [its start, old end) ⊇ [its start, c): keep them, arm the rest.
    this.arm();
  }

  // ---- moving forward ------------------------------------------------------------------

  /** Where the forward loop must pause next: an input, re-arming at the open interval, a snapshot. */
  private nextBoundary(): number {
    let b = this.armed ? this.open.icount + this.interval : this.open.icount;
    if (this.evPtr < this.events.length) b = Math.min(b, this.events[this.evPtr].icount);
    return b;
  }

  private atBoundary(): void {
    const c = this.machine.cpu.icount;
    if (!this.armed && c >= this.open.icount) this.arm();
    if (c > this.frontierIcount) this.frontierIcount = c;
    if (this.armed && c >= this.open.icount + this.interval && c >= this.frontierIcount) this.takeSnapshot();
    this.applyEventsHere();
  }

  /**
   * Moves forward to `target` by `exec(limit)`, which runs up to the instruction count `limit` and
   * returns null when it got there or a value to stop early with.
   */
  private forward<T>(target: number, exec: (limit: number) => T | null): T | null {
    const cpu = this.machine.cpu;
    this.atBoundary();
    while (cpu.icount < target) {
      const limit = Math.min(target, Math.max(cpu.icount + 1, this.nextBoundary()));
      const fresh = cpu.icount >= this.frontierIcount;
      const t0 = fresh ? this.clock() : 0, i0 = cpu.icount;
      const r = exec(limit);
      if (fresh) {
        this.execMs += this.clock() - t0;
        this.execInstructions += cpu.icount - i0;
      }
      if (cpu.icount > this.frontierIcount) this.frontierIcount = cpu.icount;
      if (cpu.icount >= limit || r === null) this.atBoundary();
      if (r !== null) return r;
      if (cpu.icount < limit) return null;
    }
    return null;
  }

  /**
   * Machine.run with recording: the front ends call this instead of machine.run while recording.
   * User breakpoints, `until` and the hook work as in Machine.run.
   */
  run(opts: RunOptions): StopInfo {
    const m = this.machine;
    if (!this.attached) return m.run(opts);
    const target = m.cpu.icount + opts.maxInstructions;
    let last: StopInfo = { reason: 'max' };
    const r = this.forward<StopInfo>(target, (limit) => {
      last = m.run({ ...opts, maxInstructions: limit - m.cpu.icount });
      return last.reason === 'max' && m.cpu.icount >= limit ? null : last;
    });
    return r ?? last;
  }

  /** Replays (no user breakpoints) to `target`, recording past the frontier. Internal to record/. */
  replayForward(target: number, ctl: ReplayControl = {}): ReplayEnd {
    const r = this.forward<ReplayEnd>(target, (limit) => {
      const e = replayTo(this.machine, limit, ctl);
      return e === 'target' ? null : e;
    });
    return r ?? 'target';
  }

  // ---- time travel ---------------------------------------------------------------------

  /**
   * Goes to exactly `icount` instructions (backward: restore the nearest earlier snapshot and replay;
   * forward: replay, then run new code past the frontier). Returns the count reached, which is less
   * than asked only before the start of the recording (clamped) or when the CPU stops for good.
   */
  seek(icount: number, linear?: number): number {
    if (!this.attached) throw new Error('seek: the recorder is not attached');
    const m = this.machine;
    const target = Math.max(Math.floor(icount), this.startIcount);
    const here = target === m.cpu.icount;
    if (target < m.cpu.icount || (here && this.evPtr < this.events.length && this.events[this.evPtr].icount < target)
      || (here && linear !== undefined && m.pcLinear !== linear)) {
      this.restore(this.snapAtOrBefore(target));
    }
    this.replayForward(target);
    if (linear !== undefined) this.deliverUntil(linear);
    this.setResumePoint();
    return m.cpu.icount;
  }

  /**
   * An interrupt is delivered without counting an instruction, so its count shows two states: before
   * the delivery (or halted) and at the handler's entry. seek() stops before it; with `linear` (a stop
   * found at the handler's entry) pending interrupts are delivered until CS:EIP is there.
   */
  private deliverUntil(linear: number): void {
    const cpu = this.machine.cpu;
    for (let n = 0; n < 4 && this.machine.pcLinear !== (linear >>> 0); n++) {
      if (!serviceInterrupt(cpu)) break;
      refreshAttention(cpu);
    }
  }

  /**
   * The whole machine here, RAM included, for a replay that must come back (a panel building its view
   * from history): returnTo() restores it at once, where seek() would replay forward from wherever the
   * replay stopped.
   */
  bookmark(reuse?: Bookmark): Bookmark {
    const m = this.machine;
    // RAM is most of it (64 MiB by default): a caller that bookmarks again and again hands back its old one.
    const ram = reuse?.ram.length === m.mem.ramSize ? reuse.ram : new Uint8Array(m.mem.ramSize);
    ram.set(m.mem.ram);
    return {
      icount: m.cpu.icount, generation: this.rewrites, ram, cpu: saveCpu(m.cpu), devices: m.devices.saveState(),
      disks: this.disks.map((d) => new Map(d.writes())), extra: this.extraState.map(saveScalars), evPtr: this.evPtr, resumeAt: m.resumeAt,
    };
  }

  /** Whether returnTo(b) can go there: the history it was made in is still the recording's, and still held. */
  holds(b: Bookmark): boolean {
    return b.generation === this.rewrites && b.icount <= this.frontier && b.icount >= this.startIcount;
  }

  /** Back to a bookmark of the same history (replays in between may have gone anywhere in it). */
  returnTo(b: Bookmark): void {
    if (!this.holds(b)) throw new Error('returnTo: the recording changed since the bookmark was made');
    const m = this.machine;
    m.mem.restoreAllRam(b.ram);
    loadCpu(m.cpu, b.cpu);
    m.devices.loadState(b.devices);
    this.disks.forEach((d, i) => d.restoreWrites(b.disks[i]));
    this.extraState.forEach((o, i) => { for (const [f, v] of b.extra[i]) (o as Record<string, unknown>)[f] = v; });
    m.resetSource = null;
    if (this.snapAtOrBefore(b.icount) === this.snaps.length - 1) this.arm();
    else if (this.armed) this.disarm();
    this.evPtr = b.evPtr;
    m.resumeAt = b.resumeAt;
  }

  /** Back n instructions (REP iterations count one each); stops at the start of the recording. */
  stepBack(n = 1): number {
    return this.seek(this.machine.cpu.icount - n);
  }

  /** The most recent earlier stop of any armed kind, or the start of the recording (see reverse.ts). */
  reverseContinue(stops: ReverseStops): ReverseResult {
    return reverseContinue(this, stops);
  }

  /** reverseContinue yielding to the event loop between intervals; `cancelled()` (DAP pause) returns to the start point. */
  reverseContinueAsync(stops: ReverseStops, opts?: ReverseAsyncOptions): Promise<ReverseResult | ReverseCancelled> {
    return reverseContinueAsync(this, stops, opts);
  }

  /** The last write to [address, address + length) at or before the current position (position kept). */
  lastWrite(address: number, length = 1): WriteResult | null {
    return lastWrite(this, address, length);
  }

  /** The last change of a register or field (`ds`, `ds.base`, `eflags.vm`, `cr0.pe`, ...) or of any value read from the CPU (position kept). */
  lastChange(field: string | FieldReader): ChangeResult | null {
    return lastChange(this, field);
  }

  /** lastWrite yielding between intervals; `cancelled()` returns to the start point. */
  lastWriteAsync(address: number, length: number, opts?: ReverseAsyncOptions): Promise<WriteResult | null | ReverseCancelled> {
    return lastWriteAsync(this, address, length, opts);
  }

  /** lastChange yielding between intervals; `cancelled()` returns to the start point. */
  lastChangeAsync(field: string | FieldReader, opts?: ReverseAsyncOptions): Promise<ChangeResult | null | ReverseCancelled> {
    return lastChangeAsync(this, field, opts);
  }

  /**
   * After time travel the user's next run should not stop at a breakpoint on the instruction we
   * arrived at (as after a breakpoint stop).
   */
  setResumePoint(): void {
    this.machine.resumeAt = this.machine.pcLinear;
  }
}
