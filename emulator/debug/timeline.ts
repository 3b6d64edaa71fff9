// The recorded run as a timeline over the instruction count, for the Timeline panel: spans of CPU mode
// (real / unreal / pm16 / pm32 / vm86) and of the VM-entry verdict under a hypervisor profile, and point events
// (BIOS calls, exceptions, interrupts, code breakpoint hits). Built by one replay of the recording that looks at the
// state only where it can have changed, and runs the SDM checks only where it did (vmx/monitor.ts's sample).
// Pure TypeScript: no Node or VS Code imports.

import { BreakpointSet } from '../cpu/execute';
import { EXCEPTION_NAMES } from '../cpu/faults';
import { INT_EXC, INT_HW } from '../cpu/interrupts';
import { CR0_PE, CS, EAX, EFLAGS_VM } from '../cpu/regs';
import type { Recorder } from '../record/recorder';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { sampleVerdictState, VERDICT_SAMPLE } from '../vmx/monitor';
import type { ProfileName, Verdict } from '../vmx/profiles';
import { VerdictWatch } from '../vmx/watch';
import { displayMode, type DisplayMode, segOff } from './machineView';
import { watchSystemState } from './systemState';

export type TimelineEventKind = 'bios' | 'exception' | 'interrupt' | 'breakpoint';

export interface Span<T extends string> {
  from: number;
  to: number;
  value: T;
}

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
}

/** Software interrupts a PC BIOS serves (video, equipment, memory, disk, serial, system, keyboard, printer, time). */
function isBiosService(vector: number): boolean {
  return vector >= 0x10 && vector <= 0x1a;
}

const h2 = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');

/** Appends to the last span when the value is the same, else opens a new one. */
function extend<T extends string>(spans: Span<T>[], at: number, value: T): void {
  const last = spans[spans.length - 1];
  if (last && last.value === value) return;
  if (last) last.to = at;
  spans.push({ from: at, to: at, value });
}

/**
 * Replays the whole recording (from its start to its frontier) and returns the timeline; the machine is left at the
 * frontier, so the caller seeks back to where the user was. `breakpoints` are linear addresses.
 *
 * The replay runs on the fast path: mode and verdict are looked at only after the instructions that can change
 * segment or system state (systemState.ts) and after interrupt delivery, which is as exact as looking before every
 * instruction (test/record/timeline.test.ts compares the two) at a fraction of the cost.
 */
export function buildTimeline(rec: Recorder, profile: ProfileName, breakpoints: readonly number[] = []): Timeline {
  const cpu = rec.machine.cpu;
  const first = rec.startIcount;
  const modes: Span<DisplayMode>[] = [];
  const verdicts: Span<Verdict>[] = [];
  const events: TimelineEvent[] = [];
  const watch = new VerdictWatch(profile);
  const seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  const observe = (at: number) => {
    if (!sampleVerdictState(cpu, seen)) return;
    extend(modes, at, displayMode(cpu));
    extend(verdicts, at, watch.step(snapshotFromCpu(cpu)).result.verdict);
  };
  // A change nobody has looked at yet: after an interrupt's delivery, or where an STI/MOV SS shadow ends. The state
  // stays as it is until the next watched instruction or interrupt, which looks first.
  let pendingAt = -1;
  const flush = () => {
    if (pendingAt < 0 || cpu.icount < pendingAt) return;
    observe(pendingAt);
    pendingAt = -1;
  };

  const savedInterrupt = cpu.onInterrupt;
  cpu.onInterrupt = (c, vector, kind) => {
    flush();
    pendingAt = c.icount;
    const at = segOff(c.sel[CS], c.prevEip);
    if (kind === INT_HW) events.push({ at: c.icount, kind: 'interrupt', label: `hardware interrupt → INT ${h2(vector)}h` });
    else if (kind === INT_EXC) events.push({ at: c.icount - 1, kind: 'exception', label: `${EXCEPTION_NAMES[vector] ?? `exception ${vector}`} at ${at}` });
    else if (isBiosService(vector) && (!(c.cr0 & CR0_PE) || (c.flags & EFLAGS_VM) !== 0)) events.push({ at: c.icount - 1, kind: 'bios', label: `INT ${h2(vector)}h AH=${h2((c.r32[EAX] >>> 8) & 0xff)}h at ${at}` });
    else events.push({ at: c.icount - 1, kind: 'interrupt', label: `INT ${h2(vector)}h at ${at}` });
  };
  const unwatch = watchSystemState(cpu, {
    before: flush,
    after: (c) => {
      observe(c.icount);
      if (c.shadowUntil >= c.icount) pendingAt = c.shadowUntil + 1;
    },
  });
  let code: BreakpointSet | null = null;
  if (breakpoints.length > 0) {
    code = new BreakpointSet();
    for (const b of breakpoints) code.add(b);
  }
  try {
    rec.restore(0);
    observe(cpu.icount);
    rec.replayForward(rec.frontier, {
      code,
      onCode: (icount) => events.push({ at: icount, kind: 'breakpoint', label: `breakpoint at ${segOff(cpu.sel[CS], cpu.eip)}` }),
    });
    if (pendingAt >= 0) observe(Math.min(pendingAt, cpu.icount));
  } finally {
    unwatch();
    cpu.onInterrupt = savedInterrupt;
  }
  const end = Math.max(first, cpu.icount);
  for (const spans of [modes, verdicts] as Span<string>[][]) if (spans.length) spans[spans.length - 1].to = end;
  return { first, last: end, modes, verdicts, events };
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
