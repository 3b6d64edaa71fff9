// DAP session over the built adapter's stdio: launch and stop on entry, registers, stepping,
// breakpoints, data breakpoints, evaluate, disassemble, setVariable, pause, output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, pc } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('basic'); });

async function started(extra: Record<string, unknown> = {}, setup?: (c: DapClient) => Promise<void>): Promise<DapClient> {
  const c = DapClient.spawn();
  await c.launch({ image: fx.image, ...extra }, setup ? () => setup(c) : undefined);
  return c;
}

async function regs(c: DapClient): Promise<Map<string, string>> {
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  const out = new Map<string, string>();
  for (const s of scopes) {
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: s.variablesReference });
    for (const v of variables) out.set(v.name, v.value);
  }
  return out;
}

async function evaluate(c: DapClient, expression: string, context = 'watch'): Promise<string> {
  return (await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, context, frameId: 0 })).result;
}

describe('launch and inspect', () => {
  let c: DapClient;
  after(() => c?.close());

  test('stops on entry at 0000:7C00 with one thread "CPU 0"', async () => {
    c = DapClient.spawn();
    const stop = await c.launch({ image: fx.image });
    assert.equal(stop!.body.reason, 'entry');
    const { threads } = await c.request('threads');
    assert.deepEqual(threads, [{ id: 1, name: 'CPU 0' }]);
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(stackFrames.length, 1);
    assert.equal(stackFrames[0].name, '0000:7C00 real');
    assert.equal(stackFrames[0].instructionPointerReference, '0x00007c00');
  });

  test('register scopes show the boot state', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    assert.deepEqual(scopes.map((s) => s.name), ['General Registers', 'Segment Registers', 'EFLAGS', 'Control Registers', 'Descriptor Tables']);
    const r = await regs(c);
    assert.equal(r.get('eip'), '0x00007c00');
    assert.equal(r.get('esp'), '0x00006f04'); // SS:SP as the built-in BIOS leaves it (SeaBIOS's value)
    assert.equal(r.get('edx'), '0x00000080');
    assert.match(r.get('cs')!, /^0x0000 base=0x00000000 limit=0xffff ar=0x0009b/);
    assert.match(r.get('IF')!, /^1/); // the BIOS boots with interrupts enabled, as SeaBIOS does
  });

  test('a segment register expands into its hidden cache and decoded access rights', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    const seg = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[1].variablesReference });
    const cs = seg.variables.find((v) => v.name === 'cs')!;
    assert.ok(cs.variablesReference > 0);
    const fields = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: cs.variablesReference });
    assert.deepEqual(fields.variables.map((v) => v.name), ['selector', 'base', 'limit', 'access rights']);
    const ar = fields.variables[3];
    const bits = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ar.variablesReference });
    const byName = new Map(bits.variables.map((v) => [v.name, v.value]));
    assert.match(byName.get('type')!, /^11 code, execute\/read, accessed/);
    assert.match(byName.get('P')!, /^1/);
    assert.match(byName.get('D/B')!, /^0/);
  });
});

describe('execution control', () => {
  let c: DapClient;
  before(async () => { c = await started(); });
  after(() => c?.close());

  test('stepIn executes one instruction; its response comes before the stopped event', async () => {
    const stop = c.nextStop();
    // Responses and events share the adapter's sequence numbers, so they tell the order on the wire.
    const response = await c.dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
    const s = await stop;
    assert.equal(s.body.reason, 'step');
    assert.ok(response.seq < s.seq, `stepIn response #${response.seq} came after the stopped event #${s.seq}`);
    assert.equal(await pc(c), 0x7c02);
  });

  test('an instruction breakpoint stops before the instruction', async () => {
    const r = await c.request<DebugProtocol.SetInstructionBreakpointsResponse['body']>('setInstructionBreakpoints', {
      breakpoints: [{ instructionReference: `0x${fx.marker('CALL').toString(16)}` }],
    });
    assert.equal(r.breakpoints[0].verified, true);
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'instruction breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [r.breakpoints[0].id]);
    assert.equal(await pc(c), fx.marker('CALL'));
    assert.equal(await evaluate(c, 'ax'), '0x1234');
  });

  test('stepIn enters a CALL; the shadow stack shows the caller; stepOut returns', async () => {
    let stop = c.nextStop();
    await c.request('stepIn', { threadId: 1 });
    await stop;
    assert.equal(await pc(c), fx.marker('FUNC'));
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(stackFrames.length, 2);
    assert.match(stackFrames[0].name, /^0000:7C\w\w real \(in call from 0000:7C0C\)$/);
    assert.equal(stackFrames[1].name, '0000:7C0C real');
    assert.equal(stackFrames[1].instructionPointerReference, `0x0000${fx.marker('CALL').toString(16)}`);
    stop = c.nextStop();
    await c.request('stepOut', { threadId: 1 });
    assert.equal((await stop).body.reason, 'step');
    assert.equal(await pc(c), fx.marker('WRITE'));
    const after1 = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(after1.stackFrames.length, 1);
    assert.equal(await evaluate(c, 'ax'), '0x1235');
  });

  test('a data breakpoint on a write stops after the writing instruction', async () => {
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0x7e00', asAddress: true, bytes: 2 });
    assert.ok(info.dataId);
    assert.ok(info.accessTypes!.includes('write'));
    const set = await c.request<DebugProtocol.SetDataBreakpointsResponse['body']>('setDataBreakpoints', {
      breakpoints: [{ dataId: info.dataId, accessType: 'write' }],
    });
    assert.equal(set.breakpoints[0].verified, true);
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(await pc(c), fx.marker('AFTERWRITE'));
    assert.equal(await evaluate(c, 'word [0:7e00]'), '0xbeef');
    await c.request('setDataBreakpoints', { breakpoints: [] });
  });

  test('a conditional function breakpoint (SSSS:OOOO) stops only when its condition is true', async () => {
    const r = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', {
      breakpoints: [{ name: `0000:${fx.marker('LOOP').toString(16)}`, condition: 'cx != 1 && eflags.zf == 0' }],
    });
    assert.equal(r.breakpoints[0].verified, true);
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop;
    assert.equal(await pc(c), fx.marker('LOOP'));
    // cx counts 3, 2, 1 at the DEC: the condition is false only at cx = 1, so the first stop is at cx = 3.
    assert.equal(await evaluate(c, 'cx'), '0x0003');
    const stop2 = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop2;
    assert.equal(await evaluate(c, 'cx'), '0x0002');
    await c.request('setFunctionBreakpoints', { breakpoints: [] });
  });

  test('pause stops a running endless loop promptly; guest port 0xE9 text reaches the console', async () => {
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await c.request('pause', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'pause');
    assert.ok(Date.now() - t0 < 1000, 'pause took too long');
    assert.equal(await pc(c), fx.marker('SPIN'));
    assert.match(c.output(), /hi\n/);
  });
});

describe('next over CALL', () => {
  let c: DapClient;
  before(async () => {
    c = await started({}, async (cl) => {
      await cl.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('CALL')}` }] });
    });
  });
  after(() => c?.close());

  test('next runs the whole call and stops at the following instruction', async () => {
    let stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop;
    assert.equal(await pc(c), fx.marker('CALL'));
    stop = c.nextStop();
    await c.request('next', { threadId: 1, granularity: 'instruction' });
    assert.equal((await stop).body.reason, 'step');
    assert.equal(await pc(c), fx.marker('WRITE'));
    assert.equal(await evaluate(c, 'ax'), '0x1235');
  });
});

describe('data breakpoints on implicit accesses', () => {
  test('a PUSH hits a write watch on the stack; LODSB hits a read watch; a REP STOSB stops after the iteration', async () => {
    const c = await started();
    try {
      // SS:SP = 0000:6F04 at boot (the BIOS's value): CALL pushes at 6F02, PUSH BX at 6F00.
      const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0000:6F00', asAddress: true, bytes: 2 });
      await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'write' }] });
      let stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      let s = await stop;
      assert.equal(s.body.reason, 'data breakpoint');
      assert.match(s.body.description!, /^data breakpoint: write of 0x(78|56) to 0x6f0[01]$/);
      assert.equal(await pc(c), fx.marker('POP'));
      // A read watch on the message: LODSB reads it (the instruction fetch of the code page does not count).
      const rd = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: `0x${(fx.marker('RET') + 1).toString(16)}`, asAddress: true, bytes: 1 });
      await c.request('setDataBreakpoints', { breakpoints: [{ dataId: rd.dataId, accessType: 'read' }] });
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      s = await stop;
      assert.equal(s.body.reason, 'data breakpoint');
      assert.match(s.body.description!, /^data breakpoint: read of 0x7c2e$/);
      assert.equal(await evaluate(c, 'al'), '0x68');
    } finally {
      await c.close();
    }
  });
});

describe('events for the client', () => {
  test('memory events for viewed ranges the guest wrote; progress during a long run', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image }, async () => {}, { supportsProgressReporting: true });
      await c.request('readMemory', { memoryReference: '0x7e00', count: 2 });
      await c.request('readMemory', { memoryReference: '0x9000', count: 2 });
      await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${fx.marker('AFTERWRITE').toString(16)}` }] });
      let stop = c.nextStop();
      const mark = c.events.length;
      await c.request('continue', { threadId: 1 });
      await stop;
      const mem = c.events.slice(mark).filter((e) => e.event === 'memory') as DebugProtocol.MemoryEvent[];
      assert.deepEqual(mem.map((e) => e.body), [{ memoryReference: '0x00007e00', offset: 0, count: 2 }]);
      await c.request('setInstructionBreakpoints', { breakpoints: [] });
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      const start = await c.waitFor('progressStart', () => true, 10000);
      assert.match((start as DebugProtocol.ProgressStartEvent).body.message!, /instructions$/);
      await c.request('pause', { threadId: 1 });
      await stop;
      await c.waitFor('progressEnd');
    } finally {
      await c.close();
    }
  });
});

describe('hardware interrupts', () => {
  test('a timer IRQ handler frame shows the interrupted instruction; stepOut returns to it', async () => {
    const irq = assemble('irq');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: irq.image }, async () => {
        // Inside the handler (its entry has a test of its own below).
        await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${irq.marker('TIMER2').toString(16)}` }] });
      });
      const stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      await stop;
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(stackFrames.length, 2);
      assert.match(stackFrames[0].name, /\(in hardware interrupt 08h from 0000:7C\w\w\)$/);
      assert.equal(parseInt(stackFrames[1].instructionPointerReference!, 16), irq.marker('SPIN'));
      await c.request('setInstructionBreakpoints', { breakpoints: [] });
      const out = c.nextStop();
      await c.request('stepOut', { threadId: 1 });
      assert.equal((await out).body.reason, 'step');
      assert.equal(await pc(c), irq.marker('SPIN'));
    } finally {
      await c.close();
    }
  });
});

describe('guest output', () => {
  test('COM1 output reaches the debug console as stdout', async () => {
    const serial = assemble('serial');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: serial.image }, async () => {
        await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${serial.marker('SPIN').toString(16)}` }] });
      });
      const stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      await stop;
      const out = c.events.filter((e) => e.event === 'output' && (e as DebugProtocol.OutputEvent).body.category === 'stdout')
        .map((e) => (e as DebugProtocol.OutputEvent).body.output).join('');
      assert.equal(out, 'OK');
    } finally {
      await c.close();
    }
  });
});

describe('data breakpoints across paging changes', () => {
  test('a watch on a linear address follows CR0.PG and CR3 to the new frames and ignores the old ones', async () => {
    const pg = assemble('paging');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: pg.image });
      const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0x50000', asAddress: true, bytes: 4 });
      await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'write' }] });
      let stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      let s = await stop;
      assert.equal(s.body.reason, 'data breakpoint');
      assert.match(s.body.description!, /^data breakpoint: write of 0x2 to 0x50000$/);
      assert.equal(await pc(c), pg.marker('AFTER1'));
      assert.match(c.output(), /write of 0x2 to linear 0x50000 \(physical 0x60000;/);
      assert.equal(await evaluate(c, 'dword [0x50000]'), '0x00000002');
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      s = await stop;
      assert.match(s.body.description!, /^data breakpoint: write of 0x4 to 0x50000$/);
      assert.equal(await pc(c), pg.marker('AFTER2'));
      assert.match(c.output(), /write of 0x4 to linear 0x50000 \(physical 0x61000;/);
    } finally {
      await c.close();
    }
  });
});

describe("frames without a listing in VS Code's Disassembly view", () => {
  // VS Code (debugModel.ts Thread.getTopStackFrame, StackFrame.openInEditor) opens the Disassembly view
  // at a frame for the stop reason 'instruction breakpoint' or an instruction-granularity step, through
  // the frame's instructionPointerReference; other stops focus the first frame with a source, which
  // is a virtual disassembly document when no listing covers it (test/dap/disasmSource.test.ts).
  test("an instruction breakpoint stops with reason 'instruction breakpoint'; every frame has an instructionPointerReference the disassembler answers at", async () => {
    const irq = assemble('irq');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: irq.image }, async () => {
        await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${irq.marker('TIMER2').toString(16)}` }] });
      });
      assert.equal(c.capabilities.supportsDisassembleRequest, true);
      assert.equal(c.capabilities.supportsInstructionBreakpoints, true);
      const stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      assert.equal((await stop).body.reason, 'instruction breakpoint');
      const { stackFrames } = (await c.dc.stackTraceRequest({ threadId: 1 })).body;
      assert.equal(stackFrames.length, 2); // the handler and the interrupted loop
      for (const f of stackFrames) {
        assert.ok(f.source?.sourceReference, f.name);
        assert.match(f.instructionPointerReference ?? '', /^0x[0-9a-f]{8}$/, f.name);
        const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
          memoryReference: f.instructionPointerReference, instructionOffset: -2, instructionCount: 5,
        });
        assert.equal(d.instructions[2].address, f.instructionPointerReference, f.name);
      }
      assert.deepEqual(stackFrames.map((f) => parseInt(f.instructionPointerReference!, 16)), [irq.marker('TIMER2'), irq.marker('SPIN')]);
    } finally {
      await c.close();
    }
  });
});

describe('a breakpoint at an IRQ handler entry', () => {
  test('stops when the timer interrupt is delivered, before the handler runs; stepping runs its first instruction', async () => {
    const irq = assemble('irq');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: irq.image, listing: irq.listing }, async () => {
        await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${irq.marker('TIMER').toString(16)}` }] });
      });
      let stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      assert.deepEqual((await stop).body.hitBreakpointIds?.length, 1);
      assert.equal(await pc(c), irq.marker('TIMER'));
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.match(stackFrames[0].name, /\(in hardware interrupt 08h from 0000:7C\w\w\)$/);
      assert.equal(parseInt(stackFrames[1].instructionPointerReference!, 16), irq.marker('SPIN'));
      assert.equal(await evaluate(c, 'word [ticks]'), '0x0000'); // the handler's `inc word [ticks]` has not run
      assert.equal(await evaluate(c, 'eflags.if'), '0');
      stop = c.nextStop();
      await c.request('stepIn', { threadId: 1 });
      await stop;
      assert.equal(await pc(c), irq.marker('TIMER2'));
      assert.equal(await evaluate(c, 'word [ticks]'), '0x0001');
      // The next tick stops at the entry again.
      stop = c.nextStop();
      await c.request('continue', { threadId: 1 });
      await stop;
      assert.equal(await pc(c), irq.marker('TIMER'));
      assert.equal(await evaluate(c, 'word [ticks]'), '0x0001');
    } finally {
      await c.close();
    }
  });
});
