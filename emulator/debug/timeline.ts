// The recorded run as a timeline over the instruction count, for the Timeline panel: spans of CPU mode
// (real / unreal / pm16 / pm32 / vm86) and of the VM-entry verdict under a hypervisor profile, and point events
// (BIOS calls, exceptions, interrupts, code breakpoint hits). Built by one replay of the recording with a hook
// that samples only what a mode or verdict depends on (vmx/monitor.ts), so the replay pays 44 compares per
// instruction and runs the SDM checks only where segment or system state changed.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from '../cpu/cpu';
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
 * Replays the whole recording (from its start to its frontier) and returns the timeline; the machine is left
 * at the recording's start, so the caller seeks back to where the user was. `breakpoints` are linear addresses.
 */
export function buildTimeline(rec: Recorder, profile: ProfileName, breakpoints: readonly number[] = []): Timeline {
  const cpu = rec.machine.cpu;
  const first = rec.startIcount;
  const last = rec.frontier;
  const modes: Span<DisplayMode>[] = [];
  const verdicts: Span<Verdict>[] = [];
  const events: TimelineEvent[] = [];
  const watch = new VerdictWatch(profile);
  const seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  const observe = (c: Cpu) => {
    if (!sampleVerdictState(c, seen)) return false;
    extend(modes, c.icount, displayMode(c));
    extend(verdicts, c.icount, watch.step(snapshotFromCpu(c)).result.verdict);
    return false;
  };

  const savedInterrupt = cpu.onInterrupt;
  cpu.onInterrupt = (c, vector, kind) => {
    const at = segOff(c.sel[CS], c.prevEip);
    if (kind === INT_HW) events.push({ at: c.icount, kind: 'interrupt', label: `hardware interrupt → INT ${h2(vector)}h` });
    else if (kind === INT_EXC) events.push({ at: c.icount - 1, kind: 'exception', label: `${EXCEPTION_NAMES[vector] ?? `exception ${vector}`} at ${at}` });
    else if (isBiosService(vector) && (!(c.cr0 & CR0_PE) || (c.flags & EFLAGS_VM) !== 0)) events.push({ at: c.icount - 1, kind: 'bios', label: `INT ${h2(vector)}h AH=${h2((c.r32[EAX] >>> 8) & 0xff)}h at ${at}` });
    else events.push({ at: c.icount - 1, kind: 'interrupt', label: `INT ${h2(vector)}h at ${at}` });
  };
  let code: BreakpointSet | null = null;
  if (breakpoints.length > 0) {
    code = new BreakpointSet();
    for (const b of breakpoints) code.add(b);
  }
  try {
    rec.restore(0);
    observe(cpu);
    rec.replayForward(last, {
      hook: observe,
      code,
      onCode: (icount) => events.push({ at: icount, kind: 'breakpoint', label: `breakpoint at ${segOff(cpu.sel[CS], cpu.eip)}` }),
    });
    // The hook runs before each instruction, so the state the last one left is looked at here.
    observe(cpu);
  } finally {
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
