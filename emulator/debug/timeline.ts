// The recorded run as a timeline over the instruction count, for the Timeline panel: spans of CPU mode
// (real / unreal / pm16 / pm32 / vm86) and of the VM-entry verdict under each hypervisor profile, and point events
// (BIOS calls, exceptions, interrupts, code breakpoint hits). Built by replaying the recording while looking at the
// state only where it can have changed, running the SDM checks only where it did (vmx/monitor.ts's sample), and
// extended incrementally as the recording grows, so a refresh at every stop replays only what is new.
// Pure TypeScript: no Node or VS Code imports.

import { BreakpointSet, type CsIp } from '../cpu/execute';
import { chainPath, explainCause, explainLink, type FaultLink } from '../cpu/faultChain';
import { EXCEPTION_NAMES } from '../cpu/faults';
import { INT_EXC, INT_HW } from '../cpu/interrupts';
import { CR0_PE, CS, EAX, EFLAGS_VM } from '../cpu/regs';
import type { Recorder } from '../record/recorder';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { sampleVerdictState, VERDICT_SAMPLE } from '../vmx/monitor';
import { evaluateProfile, PROFILE_NAMES, type ProfileName, type Verdict } from '../vmx/profiles';
import { verdictKey } from '../vmx/watch';
import { displayMode, type DisplayMode, segOff } from './machineView';
import { watchSystemState } from './systemState';
import type { TimelineEventKind, TimelineSpan } from '../../protocol/customRequests';
import { hexDigits } from '../../protocol/format';

export type { TimelineEventKind };
export type Span<T extends string> = TimelineSpan<T>;

export interface TimelineEvent {
  /** The position to travel to: before the INT, faulting or breakpoint instruction; at a hardware interrupt's delivery. */
  at: number;
  kind: TimelineEventKind;
  label: string;
}

export interface Timeline {
  first: number;
  last: number;
  modes: Span<DisplayMode>[];
  verdicts: Span<Verdict>[];
  events: TimelineEvent[];
  /** Only the first MAX_BREAKPOINT_HITS breakpoint hits are in `events`. */
  hitsCapped: boolean;
}

/** Software interrupts a PC BIOS serves (video, equipment, memory, disk, serial, system, keyboard, printer, time). */
function isBiosService(vector: number): boolean {
  return vector >= 0x10 && vector <= 0x1a;
}

/**
 * Verdicts remembered per state (verdictKey): loops that load segment registers with a few hundred values (copying
 * through ES, polling the BIOS) run the SDM checks once per state instead of at every load.
 */
const REMEMBERED_STATES = 65536;

/** Breakpoint hits a timeline keeps (the strip shows about 600 ticks per row). */
export const MAX_BREAKPOINT_HITS = 5000;

/** Appends to the last span when the value is the same, else opens a new one. */
function extend<T extends string>(spans: Span<T>[], at: number, value: T): void {
  const last = spans[spans.length - 1];
  if (last && last.value === value) return;
  if (last) last.to = at;
  spans.push({ from: at, to: at, value });
}

/** Drops what lies before `first` (history the recorder no longer holds). */
function trimSpans<T extends string>(spans: Span<T>[], first: number): void {
  let k = 0;
  while (k < spans.length - 1 && spans[k].to <= first) k++;
  spans.splice(0, k);
  if (spans.length && spans[0].from < first) spans[0].from = first;
}

/**
 * The timeline of one recording, brought up to date by `update`. With `breakpoints` (linear; `more`: CS:IP and physical) it collects only their hits
 * (a second builder, so changing breakpoints does not replay the system-state timeline); without, everything else.
 */
export class TimelineBuilder {
  readonly modes: Span<DisplayMode>[] = [];
  readonly verdicts = new Map<ProfileName, Span<Verdict>[]>();
  readonly events: TimelineEvent[] = [];
  first = 0;
  /** Built up to this position (-1: nothing yet). */
  to = -1;
  private generation = -1;
  /** The breakpoint hits stopped being collected at MAX_BREAKPOINT_HITS. */
  hitsCapped = false;
  /** Each profile's verdict (PROFILE_NAMES order) by verdictKey. */
  private readonly verdictsByState = new Map<string, Verdict[]>();
  private readonly seen = new Float64Array(VERDICT_SAMPLE);

  constructor(
    private readonly breakpoints: readonly number[] | null = null,
    private readonly more: { csip?: readonly CsIp[]; phys?: readonly number[] } = {},
  ) {
    this.reset();
  }

  private reset(): void {
    this.modes.length = 0;
    this.events.length = 0;
    this.verdicts.clear();
    for (const p of PROFILE_NAMES) this.verdicts.set(p, []);
    this.seen.fill(NaN);
    this.to = -1;
    this.hitsCapped = false;
  }

  /**
   * Replays what the timeline lacks, at most `maxInstructions` of it: from the last position built, or from the start
   * when the recording's history was rewritten. The machine is left where the replay ended; the caller seeks back
   * to where the user was.
   */
  update(rec: Recorder, maxInstructions = Infinity): void {
    const frontier = rec.frontier;
    if (rec.generation !== this.generation || frontier < this.to || this.to < rec.startIcount) {
      this.reset();
      this.generation = rec.generation;
    }
    this.first = rec.startIcount;
    if (this.to >= 0) {
      trimSpans(this.modes, this.first);
      for (const v of this.verdicts.values()) trimSpans(v, this.first);
      let k = 0;
      while (k < this.events.length && this.events[k].at < this.first) k++;
      this.events.splice(0, k);
    }
    if (this.to === frontier) return;
    if (this.to < 0) rec.restore(0);
    else rec.seek(this.to);
    // A bounded update builds part of the way (a caller that must stay responsive asks again for the rest).
    const target = Math.min(frontier, rec.machine.cpu.icount + maxInstructions);
    if (this.breakpoints) this.replayBreakpoints(rec, target);
    else this.replaySystemState(rec, target);
    this.to = rec.machine.cpu.icount;
    for (const spans of [this.modes, ...this.verdicts.values()] as Span<string>[][]) if (spans.length) spans[spans.length - 1].to = this.to;
  }

  /**
   * Collects up to MAX_BREAKPOINT_HITS hits; then the rest is replayed without breakpoints (a breakpoint inside a hot
   * loop would otherwise stop the replay at every iteration) and `hitsCapped` says the row is incomplete.
   */
  private replayBreakpoints(rec: Recorder, frontier: number): void {
    const cpu = rec.machine.cpu;
    const code = new BreakpointSet();
    for (const b of this.breakpoints!) code.add(b);
    for (const b of this.more.csip ?? []) code.addCsIp(b.selector, b.offset);
    for (const p of this.more.phys ?? []) code.addPhys(p);
    if (code.size > 0 && !this.hitsCapped) {
      rec.replayForward(frontier, {
        code,
        onCode: (icount) => {
          this.events.push({ at: icount, kind: 'breakpoint', label: `breakpoint at ${segOff(cpu.sel[CS], cpu.eip)}` });
          if (this.events.length >= MAX_BREAKPOINT_HITS) {
            this.hitsCapped = true;
            code.clear();
          }
        },
      });
    }
    if (cpu.icount < frontier) rec.replayForward(frontier);
  }

  /**
   * Mode and verdicts are looked at only after the instructions that can change segment or system state
   * (systemState.ts) and after interrupt delivery: as exact as looking before every instruction
   * (test/record/timeline.test.ts compares the two) at the replay's own speed.
   */
  private replaySystemState(rec: Recorder, frontier: number): void {
    const cpu = rec.machine.cpu;
    const { modes, verdicts, verdictsByState, events } = this;
    const observe = (at: number) => {
      if (!sampleVerdictState(cpu, this.seen)) return;
      extend(modes, at, displayMode(cpu));
      const snap = snapshotFromCpu(cpu);
      const key = verdictKey(snap);
      let v = verdictsByState.get(key);
      if (!v) {
        if (verdictsByState.size >= REMEMBERED_STATES) verdictsByState.clear();
        verdictsByState.set(key, (v = PROFILE_NAMES.map((p) => evaluateProfile(p, snap).verdict)));
      }
      PROFILE_NAMES.forEach((p, i) => extend(verdicts.get(p)!, at, v[i]));
    };
    // A change nobody has looked at yet: after an interrupt's delivery, or where an STI/MOV SS shadow ends. The state
    // stays as it is until the next watched instruction or interrupt, which looks first.
    let pendingAt = -1;
    const flush = () => {
      if (pendingAt < 0 || cpu.icount < pendingAt) return;
      observe(pendingAt);
      pendingAt = -1;
    };
    // A delivery that faulted leaves its chain in cpu.faultChain once it is over: the chain's events are the last
    // ones pushed (one per link, in order), and each gets its link's rule, looked for before the next event.
    let chainSeen = cpu.faultChain;
    const annotate = () => {
      if (cpu.faultChain === chainSeen) return;
      chainSeen = cpu.faultChain;
      annotateChain(chainSeen, events);
    };
    const savedInterrupt = cpu.onInterrupt;
    cpu.onInterrupt = (c, vector, kind) => {
      annotate();
      flush();
      pendingAt = c.icount;
      const at = segOff(c.sel[CS], c.prevEip);
      if (kind === INT_HW) events.push({ at: c.icount, kind: 'interrupt', label: `hardware interrupt → INT ${hexDigits(vector, 2)}h` });
      else if (kind === INT_EXC) {
        // The rule the instruction broke, when its raise site names one (faultChain.ts FaultCause).
        const cause = c.faultCause?.vector === vector && c.faultCause.cs === c.sel[CS] && c.faultCause.eip === c.eip >>> 0 ? c.faultCause : null;
        events.push({ at: c.icount - 1, kind: 'exception', label: `${EXCEPTION_NAMES[vector] ?? `exception ${vector}`} at ${at}${cause ? ` — ${cause.rule.id} (SDM ${cause.rule.section}): ${explainCause(cause)}` : ''}` });
      }
      else if (isBiosService(vector) && (!(c.cr0 & CR0_PE) || (c.flags & EFLAGS_VM) !== 0)) events.push({ at: c.icount - 1, kind: 'bios', label: `INT ${hexDigits(vector, 2)}h AH=${hexDigits((c.r32[EAX] >>> 8) & 0xff, 2)}h at ${at}` });
      else events.push({ at: c.icount - 1, kind: 'interrupt', label: `INT ${hexDigits(vector, 2)}h at ${at}` });
    };
    const unwatch = watchSystemState(cpu, {
      before: flush,
      after: (c) => {
        observe(c.icount);
        if (c.shadowUntil >= c.icount) pendingAt = c.shadowUntil + 1;
      },
    });
    try {
      observe(cpu.icount);
      rec.replayForward(frontier);
      if (pendingAt >= 0) observe(Math.min(pendingAt, cpu.icount));
      annotate();
    } finally {
      unwatch();
      cpu.onInterrupt = savedInterrupt;
    }
  }
}

/**
 * Adds to the last chain.length events (one per link) the rule that made the link's delivery fault; the first also
 * names the whole chain, since the links share one instruction and a drawn strip shows the first event of a tick.
 */
function annotateChain(chain: readonly FaultLink[], events: TimelineEvent[]): void {
  const first = events.length - chain.length;
  if (first < 0) return;
  chain.forEach((l, i) => {
    if (!l.rule) return;
    const e = events[first + i];
    e.label += `${i === 0 ? ` — fault chain ${chainPath(chain)}` : ''} — delivery faulted: ${l.rule.id} (SDM ${l.rule.section}): ${explainLink(l)}${l.then ? `; then ${l.then.id}` : ''}`;
  });
}

/** The timeline under `profile` with the hits of `breakpoints`, from a system-state builder and a breakpoint builder. */
export function timelineOf(system: TimelineBuilder, hits: TimelineBuilder, profile: ProfileName): Timeline {
  const events = hits.events.length ? [...system.events, ...hits.events].sort((a, b) => a.at - b.at) : system.events;
  return { first: system.first, last: Math.max(system.first, system.to), modes: system.modes, verdicts: system.verdicts.get(profile)!, events, hitsCapped: hits.hitsCapped };
}

/** Builds the whole timeline in one go (tests, the CLI); the machine is left at the frontier. */
export function buildTimeline(rec: Recorder, profile: ProfileName, breakpoints: readonly number[] = []): Timeline {
  const system = new TimelineBuilder();
  const hits = new TimelineBuilder(breakpoints);
  system.update(rec);
  hits.update(rec);
  return timelineOf(system, hits, profile);
}

/** The part of a timeline inside [from, to] (spans cut at the edges), for drawing a zoomed window. */
export function windowOf(t: Timeline, from: number, to: number): Timeline {
  const lo = Math.max(t.first, Math.min(from, to)), hi = Math.min(t.last, Math.max(from, to));
  const clip = <T extends string>(spans: Span<T>[]) => spans
    .filter((s) => s.to >= lo && s.from <= hi)
    .map((s) => ({ from: Math.max(s.from, lo), to: Math.min(s.to, hi), value: s.value }));
  return { ...t, first: lo, last: hi, modes: clip(t.modes), verdicts: clip(t.verdicts), events: t.events.filter((e) => e.at >= lo && e.at <= hi) };
}

/**
 * Thins events for drawing: at most `buckets` per kind over [first, last], each the first event of its bucket with
 * how many it stands for. A long run has thousands of timer interrupts; a strip has a few hundred pixels.
 */
export function bucketEvents(t: Timeline, buckets: number): (TimelineEvent & { count: number })[] {
  const span = Math.max(1, t.last - t.first);
  const out: (TimelineEvent & { count: number })[] = [];
  const open = new Map<string, TimelineEvent & { count: number }>();
  for (const e of t.events) {
    const key = `${e.kind}:${Math.min(buckets - 1, Math.floor(((e.at - t.first) / span) * buckets))}`;
    const b = open.get(key);
    if (b) b.count++;
    else {
      const nb = { ...e, count: 1 };
      open.set(key, nb);
      out.push(nb);
    }
  }
  return out;
}
