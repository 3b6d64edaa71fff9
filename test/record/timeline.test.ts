// @tier full
// The Timeline panel's data (emulator/debug/timeline.ts) from a recording: mode spans, hardware interrupts,
// breakpoint hits and exceptions, each at a position that a seek reaches, the thinning for drawing, and the fast
// replay (watching only system-state instructions) against an oracle that looks before every instruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cpu } from '../../emulator/cpu/cpu';
import { displayMode } from '../../emulator/debug/machineView';
import { bucketEvents, buildTimeline, type Span, type Timeline, TimelineBuilder, timelineOf, MAX_BREAKPOINT_HITS } from '../../emulator/debug/timeline';
import { Recorder } from '../../emulator/record/recorder';
import { snapshotFromCpu } from '../../emulator/vmx/fromCpu';
import type { ProfileName } from '../../emulator/vmx/profiles';
import { VerdictWatch } from '../../emulator/vmx/watch';
import { launch } from '../../debug-adapter/launch';
import { image, marker, NO_NASM } from '../examples/helpers';
import { assemble, boot, labels } from './harness';

function recordToHalt(bin: Uint8Array): Recorder {
  const m = boot(bin);
  const rec = new Recorder(m, { interval: 20_000 }).attach();
  rec.run({ maxInstructions: 5_000_000 });
  assert.ok(m.cpu.halted, 'the program ends in HLT');
  return rec;
}

test('work.asm: pm16 spans per protected-mode trip, one event per timer tick, breakpoint hits where the code is', () => {
  const bin = assemble('work', ['-DITER=40']);
  const at = labels(bin);
  const rec = recordToHalt(bin);
  const m = rec.machine;
  const word = (a: number) => m.mem.read8(a) | (m.mem.read8(a + 1) << 8);
  const end = m.cpu.icount;
  const t = buildTimeline(rec, 'unrestricted', [at.store_sum]);
  assert.equal(t.first, 0);
  assert.equal(t.last, end);
  const pm = t.modes.filter((s) => s.value === 'pm16');
  assert.equal(pm.length, 10, 'every fourth of 40 iterations goes to protected mode');
  assert.ok(t.modes.every((s, i) => i === 0 || s.from === t.modes[i - 1].to), 'spans are contiguous');
  assert.equal(t.modes[t.modes.length - 1].to, end);
  const irqs = t.events.filter((e) => e.kind === 'interrupt');
  assert.ok(irqs.length > 5, `timer interrupts: ${irqs.length}`);
  assert.equal(irqs.length, word(at.ticks), 'one event per INT 08h the handler counted');
  assert.ok(irqs.every((e) => e.label === 'hardware interrupt → INT 08h'));
  const hits = t.events.filter((e) => e.kind === 'breakpoint');
  assert.equal(hits.length, 40);
  // Each position is one a click can travel to: there the CPU is about to run the breakpoint's instruction.
  for (const e of [hits[0], hits[17], hits[39]]) {
    assert.equal(rec.seek(e.at), e.at);
    assert.equal(m.pcLinear, at.store_sum);
  }
  // Thinning keeps every tick's count: 40 hits in 4 buckets are 4 ticks standing for 40.
  const thin = bucketEvents({ ...t, events: hits }, 4);
  assert.equal(thin.length, 4);
  assert.equal(thin.reduce((n, e) => n + e.count, 0), 40);
});

test('ud.asm: each #UD is an exception event at its UD2, and the pass leaves the recording intact', () => {
  const bin = assemble('ud');
  const rec = recordToHalt(bin);
  const m = rec.machine;
  const end = m.cpu.icount;
  const t = buildTimeline(rec, 'raw');
  const exc = t.events.filter((e) => e.kind === 'exception');
  assert.equal(exc.length, 3);
  for (const e of exc) {
    assert.match(e.label, /^#UD invalid opcode at 0000:7C/);
    rec.seek(e.at);
    assert.deepEqual([m.mem.read8(m.pcLinear), m.mem.read8(m.pcLinear + 1)], [0x0f, 0x0b], `UD2 at ${e.label}`);
  }
  assert.equal(rec.seek(end), end);
  assert.ok(m.cpu.halted);
});

/** The oracle: mode and verdict looked at before every instruction (the slow way buildTimeline avoids). */
function everyInstruction(rec: Recorder, profile: ProfileName): { modes: Span<string>[]; verdicts: Span<string>[] } {
  const cpu = rec.machine.cpu;
  const modes: Span<string>[] = [];
  const verdicts: Span<string>[] = [];
  const watch = new VerdictWatch(profile);
  const push = (spans: Span<string>[], at: number, value: string) => {
    const last = spans[spans.length - 1];
    if (last?.value === value) return;
    if (last) last.to = at;
    spans.push({ from: at, to: at, value });
  };
  const look = (c: Cpu) => {
    push(modes, c.icount, displayMode(c));
    push(verdicts, c.icount, watch.step(snapshotFromCpu(c)).result.verdict);
    return false;
  };
  rec.restore(0);
  rec.replayForward(rec.frontier, { hook: look });
  look(cpu);
  for (const s of [modes, verdicts]) s[s.length - 1].to = cpu.icount;
  return { modes, verdicts };
}

/**
 * Same spans as the oracle. A change made by an interrupt's delivery is seen by the oracle only before the
 * handler's second instruction (its hook runs before the slow step that delivers and runs the first one), so there
 * a boundary may lie one instruction later.
 */
function assertSameSpans(fast: Span<string>[], slow: Span<string>[], t: Timeline, what: string): void {
  assert.deepEqual(fast.map((s) => s.value), slow.map((s) => s.value), what);
  const delivered = new Set(t.events.filter((e) => e.kind === 'interrupt' || e.kind === 'exception').flatMap((e) => [e.at, e.at + 1]));
  fast.forEach((s, i) => {
    const d = slow[i].from - s.from;
    assert.ok(d === 0 || (d === 1 && delivered.has(s.from)), `${what} span ${i} (${s.value}): from ${s.from} here, ${slow[i].from} looking at every instruction`);
  });
}

function compareWithOracle(rec: Recorder, profiles: ProfileName[]): Timeline[] {
  return profiles.map((p) => {
    const t = buildTimeline(rec, p);
    const o = everyInstruction(rec, p);
    assertSameSpans(t.modes, o.modes, t, `${p} modes`);
    assertSameSpans(t.verdicts, o.verdicts, t, `${p} verdicts`);
    return t;
  });
}

test('the fast timeline equals looking before every instruction: work.asm and ud.asm, every profile', () => {
  compareWithOracle(recordToHalt(assemble('work', ['-DITER=40'])), ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode']);
  compareWithOracle(recordToHalt(assemble('ud')), ['raw', 'xen-vm86']);
});

test('the fast timeline equals looking before every instruction: the loader, vm86-monitor and vmentry-failure examples', { skip: NO_NASM }, () => {
  for (const [name, until] of [['loader', marker('stage2', 'UNREAL', 0x8000).address], ['vm86-monitor', marker('vm86task', 'VM86_IRET', 0x9000).address], ['vmentry-failure', marker('vmentry-failure', 'SS_RELOAD').address]] as const) {
    const { machine } = launch({ type: 'bootscope', request: 'launch', name, image: image(name) });
    const rec = new Recorder(machine).attach();
    machine.breakpoints.add(until);
    const stop = rec.run({ maxInstructions: 5_000_000 });
    assert.equal(stop.reason, 'breakpoint', `${name}: ${JSON.stringify(stop)}`);
    const [, xen] = compareWithOracle(rec, ['raw', 'xen-vm86', 'kvm-rmode']);
    assert.ok(xen.modes.length >= 2, `${name}: ${JSON.stringify(xen.modes)}`);
  }
});

test('built piece by piece as the recording grows, the timeline equals one built at the end; a rewrite of history rebuilds it', () => {
  const bin = assemble('work', ['-DITER=40']);
  const at = labels(bin);
  const m = boot(bin);
  const rec = new Recorder(m, { interval: 20_000 }).attach();
  const system = new TimelineBuilder();
  const hits = new TimelineBuilder([at.store_sum]);
  let updates = 0;
  while (!m.cpu.halted) {
    rec.run({ maxInstructions: 7_919 });
    const here = m.cpu.icount;
    system.update(rec);
    hits.update(rec);
    rec.seek(here);
    updates++;
  }
  assert.ok(updates > 5, `${updates} pieces`);
  for (const p of ['raw', 'xen-vm86'] as const) assert.deepEqual(timelineOf(system, hits, p), buildTimeline(rec, p, [at.store_sum]), p);

  // A bounded update builds part of the way; asked again, it goes on from there to the same timeline.
  const bounded = new TimelineBuilder();
  let requests = 0;
  while (bounded.to !== rec.frontier) {
    bounded.update(rec, 5_000);
    requests++;
  }
  assert.ok(requests > 5, `${requests} bounded updates`);
  assert.deepEqual(timelineOf(bounded, new TimelineBuilder([]), 'kvm-rmode').modes, buildTimeline(rec, 'kvm-rmode').modes);
  assert.deepEqual(timelineOf(bounded, new TimelineBuilder([]), 'kvm-rmode').verdicts, buildTimeline(rec, 'kvm-rmode').verdicts);
  assert.deepEqual(bounded.events, buildTimeline(rec, 'kvm-rmode').events);

  // A debugger write in the past cuts the recorded future: the builders start again from the recording.
  rec.seek(1000);
  rec.poke(at.store_sum, new Uint8Array([0x90]));
  assert.ok(rec.frontier < system.to);
  system.update(rec);
  assert.equal(system.to, rec.frontier);
  assert.deepEqual(timelineOf(system, new TimelineBuilder([]), 'raw').modes, buildTimeline(rec, 'raw').modes);
});

test('a breakpoint inside a hot loop: the hits stop at MAX_BREAKPOINT_HITS and the replay still reaches the frontier', () => {
  const bin = assemble('work', ['-DITER=40']);
  const at = labels(bin);
  const rec = recordToHalt(bin);
  // The first instruction of the summing loop runs 256 times per iteration: 10,240 hits in all.
  const loop = at.store_sum - 5; // .sum: lodsw (1 byte), add bx, ax (2), loop .sum (2)
  const t = buildTimeline(rec, 'raw', [loop]);
  assert.equal(t.events.filter((e) => e.kind === 'breakpoint').length, MAX_BREAKPOINT_HITS);
  assert.equal(t.hitsCapped, true);
  assert.equal(t.last, rec.frontier);
  assert.equal(buildTimeline(rec, 'raw', [at.store_sum]).hitsCapped, false);
});
