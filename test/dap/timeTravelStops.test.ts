// @tier full
// reverseContinue over DAP for every armed stop kind — code, conditional, data write / read / readWrite,
// exception filters, INT n / I/O port / table-load / mode-switch filters — each stopping where a forward
// run stops, or at the start of the recording; stepping back N and forward N gives the same states;
// "goto N" in both directions; pause cancels a long reverse scan with progress reported.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, pc, act, repl } from './dapClient';

let rw: Fixture, events: Fixture, faults: Fixture;
before(() => {
  rw = assemble('rewind');
  events = assemble('events');
  faults = assemble('faults');
});

/** Every register the Variables view shows, by scope and name. */
async function registers(c: DapClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  for (const s of scopes) {
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: s.variablesReference });
    for (const v of variables) out[`${s.name}/${v.name}`] = v.value;
  }
  return out;
}

async function instructionBreakpoints(c: DapClient, bps: { at: number; condition?: string }[]): Promise<void> {
  const r = await c.request<DebugProtocol.SetInstructionBreakpointsResponse['body']>('setInstructionBreakpoints', {
    breakpoints: bps.map((b) => ({ instructionReference: `0x${b.at.toString(16)}`, condition: b.condition })),
  });
  assert.ok(r.breakpoints.every((b) => b.verified));
}

async function watch(c: DapClient, name: string, accessType: DebugProtocol.DataBreakpointAccessType | null): Promise<void> {
  if (accessType === null) {
    await c.request('setDataBreakpoints', { breakpoints: [] });
    return;
  }
  const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name, frameId: 0 });
  await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId!, accessType }] });
}

/** Launches (stopped at entry) and runs to `at` with an instruction breakpoint there, then clears it. */
async function runTo(c: DapClient, image: string, at: number): Promise<void> {
  await c.launch({ image });
  await instructionBreakpoints(c, [{ at }]);
  const s = await act(c, 'continue');
  assert.equal(s.body.reason, 'instruction breakpoint');
  assert.equal(await pc(c), at);
  await instructionBreakpoints(c, []);
}

describe('reverseContinue: code, conditional and data breakpoints', () => {
  let c: DapClient;
  before(async () => {
    c = DapClient.spawn();
    await runTo(c, rw.image, rw.marker('SPIN'));
  });
  after(() => c?.close());

  test('a code breakpoint: its last hit, then the one before, then the start of the recording', async () => {
    await instructionBreakpoints(c, [{ at: rw.marker('LOOP') }]);
    for (const cx of ['0x0001', '0x0002']) {
      const s = await act(c, 'reverseContinue');
      assert.equal(s.body.reason, 'instruction breakpoint', 'the reason a forward stop there has');
      assert.equal(s.body.hitBreakpointIds?.length, 1);
      assert.equal(await pc(c), rw.marker('LOOP'));
      assert.equal(await repl(c, 'cx'), cx);
    }
    await instructionBreakpoints(c, []);
    const s = await act(c, 'reverseContinue');
    assert.match(s.body.description ?? '', /start of the recording \(instruction 0\)/);
    assert.equal(await pc(c), 0x7c00);
  });

  test('a conditional breakpoint stops only where its condition holds; a false one reaches the start', async () => {
    await runForwardTo(c, rw.marker('SPIN'));
    await instructionBreakpoints(c, [{ at: rw.marker('WRITE'), condition: 'cx == 3' }]);
    const s = await act(c, 'reverseContinue');
    assert.equal(s.body.reason, 'instruction breakpoint');
    assert.equal(await pc(c), rw.marker('WRITE'));
    assert.equal(await repl(c, 'cx'), '0x0003');
    assert.equal(await repl(c, 'word [0x7e00]'), '0x0004', 'memory at that point in time: the previous iteration wrote 4');
    const mem = await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7e00', count: 2 });
    assert.deepEqual([...Buffer.from(mem.data!, 'base64')], [4, 0], 'readMemory too');
    await instructionBreakpoints(c, [{ at: rw.marker('WRITE'), condition: 'cx == 7' }]);
    const s2 = await act(c, 'reverseContinue');
    assert.match(s2.body.description ?? '', /start of the recording/);
    await instructionBreakpoints(c, []);
  });

  test('data breakpoints: write, read and readWrite stop after the accessing instruction', async () => {
    await runForwardTo(c, rw.marker('SPIN'));
    await watch(c, 'word [0x7e00]', 'write');
    let s = await act(c, 'reverseContinue');
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(await pc(c), rw.marker('AFTERLAST'));
    s = await act(c, 'reverseContinue');
    assert.equal(await pc(c), rw.marker('AFTERWRITE'));
    assert.equal(await repl(c, 'word [0x7e00]'), '0x0001', 'the loop\'s last write');
    await watch(c, 'word [0x7e02]', 'read');
    s = await act(c, 'reverseContinue');
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(await pc(c), rw.marker('AFTERREAD'));
    assert.equal(await repl(c, 'cx'), '0x0002', 'the read of the iteration before');
    await watch(c, 'word [0x7e00]', 'readWrite');
    s = await act(c, 'reverseContinue');
    assert.equal(await pc(c), rw.marker('AFTERWRITE'));
    assert.equal(await repl(c, 'cx'), '0x0002');
    await watch(c, '', null);
  });

  test('step back N, then step forward N: the same registers at every instruction', async () => {
    await runForwardTo(c, rw.marker('AFTERLAST'));
    const N = 12;
    const back: Record<string, string>[] = [await registers(c)];
    for (let i = 0; i < N; i++) {
      const s = await act(c, 'stepBack');
      assert.equal(s.body.reason, 'step');
      back.push(await registers(c));
    }
    assert.notDeepEqual(back[0], back[N]);
    for (let i = N - 1; i >= 0; i--) {
      await act(c, 'stepIn');
      assert.deepEqual(await registers(c), back[i], `${N - i} steps forward again`);
    }
  });

  test('goto N in both directions shows the state a forward run had at N', async () => {
    const seen = new Map<number, Record<string, string>>();
    assert.match(await repl(c, 'goto 0'), /at instruction 0/);
    for (let n = 0; n <= 20; n++) {
      seen.set(n, await registers(c));
      await act(c, 'stepIn');
    }
    for (const n of [20, 3, 17, 0, 9]) {
      assert.match(await repl(c, `goto ${n}`), new RegExp(`at instruction ${n}$`));
      assert.deepEqual(await registers(c), seen.get(n), `goto ${n}`);
    }
    await c.request('bootscope/gotoInstruction', { instruction: 11 });
    assert.deepEqual(await registers(c), seen.get(11), 'the panel request');
  });
});

/** Continues to `at` with a temporary instruction breakpoint (forward from wherever the CPU is). */
async function runForwardTo(c: DapClient, at: number): Promise<void> {
  await instructionBreakpoints(c, [{ at }]);
  await act(c, 'continue');
  assert.equal(await pc(c), at);
  await instructionBreakpoints(c, []);
}

describe('reverseContinue: the Breakpoints-view filters', () => {
  test('INT n with a condition, port I/O, LGDT and the mode switch: reverse stops where forward stops', async () => {
    const c = DapClient.spawn();
    try {
      await runTo(c, events.image, events.marker('AFTERCR0') + 1);
      await c.request('setExceptionBreakpoints', {
        filters: ['table-load', 'mode-switch'],
        filterOptions: [{ filterId: 'int', condition: 'vector == 0x13 && ah == 2' }, { filterId: 'io', condition: 'port == 0x64 && out' }],
      });
      const expect: [RegExp, number][] = [
        [/^mode switch: CR0\.PE 0→1 by the instruction at 0000:7C\w\w/, events.marker('AFTERCR0')],
        [/^LGDT at 0000:7C\w\w: GDTR 00000000\/0000/, events.marker('AFTERLGDT')],
        [/^OUT port 0064h ← D1h at 0000:7C\w\w/, events.marker('AFTEROUT')],
        [/^INT 13h \(AH=02h\) at 0000:7C\w\w/, events.marker('H13')],
      ];
      for (const [re, at] of expect) {
        const s = await act(c, 'reverseContinue');
        assert.equal(s.body.reason, 'exception');
        assert.match(s.body.description!, re);
        assert.equal(await pc(c), at);
      }
      // INT 13h with AH=1 does not meet the condition: nothing before the AH=2 one.
      const s = await act(c, 'reverseContinue');
      assert.match(s.body.description ?? '', /start of the recording/);
      // Forward again from the start with the same filters: the same stops in the other order.
      for (const [re, at] of [...expect].reverse()) {
        const f = await act(c, 'continue');
        assert.match(f.body.description!, re);
        assert.equal(await pc(c), at);
      }
    } finally {
      await c.close();
    }
  });

  test('an exception filter: back to the #UD handler from after the triple fault', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: faults.image });
      let s = await act(c, 'continue');
      assert.match(s.body.description ?? '', /triple fault/);
      await c.request('setExceptionBreakpoints', { filters: ['vector-6'] });
      s = await act(c, 'reverseContinue');
      assert.equal(s.body.reason, 'exception');
      assert.match(s.body.description!, /^#UD invalid opcode at 0000:7C\w\w/);
      assert.equal(await pc(c), faults.marker('HANDLER'));
      s = await act(c, 'reverseContinue');
      assert.match(s.body.description ?? '', /start of the recording/);
    } finally {
      await c.close();
    }
  });
});

describe('reverseContinue: an IRQ handler entry', () => {
  test('stops at the entry of the last timer interrupt, before its first instruction, as forward does', async () => {
    const irq = assemble('irq');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: irq.image });
      await c.request('continue', { threadId: 1 });
      await new Promise((r) => setTimeout(r, 300));
      await act(c, 'pause');
      const ticks = parseInt(await repl(c, `word [0x${irq.marker('TICKS').toString(16)}]`), 16);
      assert.ok(ticks >= 2, `${ticks} ticks`);
      await instructionBreakpoints(c, [{ at: irq.marker('TIMER') }]);
      for (const n of [ticks - 1, ticks - 2]) {
        const s = await act(c, 'reverseContinue');
        assert.equal(s.body.reason, 'instruction breakpoint');
        assert.equal(await pc(c), irq.marker('TIMER'));
        assert.equal(parseInt(await repl(c, `word [0x${irq.marker('TICKS').toString(16)}]`), 16), n, 'before the handler counted');
      }
      await instructionBreakpoints(c, []);
      await act(c, 'stepIn');
      assert.equal(await pc(c), irq.marker('TIMER2'));
      assert.equal(parseInt(await repl(c, `word [0x${irq.marker('TICKS').toString(16)}]`), 16), ticks - 1);
    } finally {
      await c.close();
    }
  });
});

/** A session paused after 1.5 s of the spin loop (millions of recorded instructions), for the long-scan tests. */
async function afterLongRun(body: (c: DapClient, at: { here: string; regs: Record<string, string>; mark: number; stop: Promise<DebugProtocol.StoppedEvent> }) => Promise<void>): Promise<void> {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: rw.image }, async () => {}, { supportsProgressReporting: true });
    await c.request('continue', { threadId: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    await act(c, 'pause');
    const here = await repl(c, 'info mode');
    const regs = await registers(c);
    await body(c, { here, regs, mark: c.events.length, stop: c.nextStop(30_000) });
  } finally {
    await c.close();
  }
}

describe('reverseContinue: a long scan', () => {
  test('reports progress, and pause cancels it back where it started', () => afterLongRun(async (c, { here, regs, stop }) => {
    assert.ok(Number(/(\d+) instructions/.exec(here)![1]) > 1_000_000, here);
    // Each spin is a breakpoint hit whose condition is false (DX is 16 bits): the scan would go to the start.
    await instructionBreakpoints(c, [{ at: rw.marker('SPIN'), condition: 'dx == 0x12345' }]);
    const mark = c.events.length;
    await c.request('reverseContinue', { threadId: 1 });
    await c.waitFor('progressStart', () => true, 20_000, mark);
    const busy = await c.raw('stepBack', { threadId: 1 });
    assert.equal(busy.success, false, 'other time travel waits for the scan');
    await c.request('pause', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'pause');
    assert.match(s.body.description ?? '', /cancelled/);
    assert.ok(c.events.slice(mark).some((e) => e.event === 'progressEnd'));
    assert.equal(await repl(c, 'info mode'), here, 'back at the instruction count it started from');
    assert.deepEqual(await registers(c), regs);
  }));
});

describe('console history queries: a long scan', () => {
  test("'last change' of a field that never changed runs as a task: progress, other time travel refused, pause cancels it", () => afterLongRun(async (c, { here, regs, mark, stop }) => {
    // CR0.PG never changes: the query would replay the whole recording, instruction by instruction.
    assert.match(await repl(c, 'last change cr0.pg'), /searching the recording for the last change of cr0\.pg \(pause cancels\)/);
    await c.waitFor('progressStart', () => true, 20_000, mark);
    assert.equal((await c.raw('stepBack', { threadId: 1 })).success, false, 'other time travel waits for the query');
    await c.request('pause', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'pause');
    assert.match(s.body.description ?? '', /last change of cr0\.pg cancelled/);
    assert.match(c.output(), /last change of cr0\.pg: cancelled/);
    assert.equal(await repl(c, 'info mode'), here, 'back at the instruction count it started from');
    assert.deepEqual(await registers(c), regs);
  }));
});

describe("the VM Entry panel's 'find where this started failing': a long scan", () => {
  test('runs as a task: its answer waits for the scan, pause cancels it back where it started', () => afterLongRun(async (c, { here, mark, stop }) => {
    // Real mode fails CR0.FIXED under raw from the first instruction: the scan would cover the whole recording.
    const answer = c.raw('bootscope/findCheckFailureStart', { profile: 'raw', checkId: 'CR0.FIXED' });
    await c.waitFor('progressStart', () => true, 20_000, mark);
    await c.request('pause', { threadId: 1 });
    const r = await answer;
    assert.equal(r.success, false);
    assert.match(r.message ?? '', /CR0\.FIXED: the search was cancelled/);
    assert.equal((await stop).body.reason, 'pause');
    assert.equal(await repl(c, 'info mode'), here, 'back at the instruction count it started from');
  }));
});

describe('recording budget', () => {
  test('the budget bounds the recording: older history is dropped with a notice, time travel goes on', async () => {
    const fx = assemble('budget');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image });
      assert.match(await repl(c, 'record budget'), /^recording: [\d.]+ of 512 MiB, 1 snapshots, instructions 0 to 0$/);
      assert.match(await repl(c, 'record budget 1'), / of 1 MiB/);
      await instructionBreakpoints(c, [{ at: fx.marker('END') }]);
      const s = await act(c, 'continue');
      assert.equal(s.body.reason, 'instruction breakpoint');
      await instructionBreakpoints(c, []);
      const notice = /recording budget of 1 MiB reached: history before instruction (\d+) was dropped/.exec(c.output());
      assert.ok(notice, 'a notice in the debug console');
      const end = Number(/(\d+) instructions/.exec(await repl(c, 'info mode'))![1]);
      const held = /^recording: ([\d.]+) of 1 MiB/.exec(await repl(c, 'record budget'));
      assert.ok(held && Number(held[1]) <= 1, 'within the budget');
      // A breakpoint hit only in the dropped part: the scan ends at the oldest instruction still held.
      await instructionBreakpoints(c, [{ at: fx.marker('ENTRY') }]);
      const r = await act(c, 'reverseContinue');
      await instructionBreakpoints(c, []);
      const m = /start of the recording \(instruction (\d+)\)/.exec(r.body.description ?? '');
      assert.ok(m, r.body.description);
      const start = Number(m[1]);
      assert.ok(start >= Number(notice[1]) && start < end, `recording starts at ${start} of ${end}`);
      assert.match(await repl(c, 'goto 0'), new RegExp(`at instruction ${start}$`));
      assert.match(await repl(c, `goto ${end}`), new RegExp(`at instruction ${end}$`));
      const b = await act(c, 'stepBack');
      assert.equal(b.body.reason, 'step');
      assert.match(await repl(c, 'info mode'), new RegExp(` ${end - 1} instructions`));
    } finally {
      await c.close();
    }
  });
});
