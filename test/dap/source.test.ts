// Source-level debugging through NASM listings: source breakpoints move to the next line with code,
// stack frames and disassembly carry source locations and labels, function breakpoints by label.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('basic'); });

describe('NASM listing', () => {
  let c: DapClient;
  let bpId = 0;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image, listing: fx.listing }, async () => {
      const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', {
        source: { path: fx.source }, breakpoints: [{ line: fx.line('LOOP') - 1 }, { line: 1 }, { line: 9999 }],
      });
      // `again:` (no code) moves to the DEC on the next line; line 1 (a comment) to the first instruction.
      assert.equal(r.breakpoints[0].verified, true);
      assert.equal(r.breakpoints[0].line, fx.line('LOOP'));
      assert.equal(r.breakpoints[1].line, fx.line('ENTRY'));
      assert.equal(r.breakpoints[2].verified, false);
      bpId = r.breakpoints[0].id!;
    });
  });
  after(() => c?.close());

  test('a source breakpoint stops at its line; the frame shows the source location', async () => {
    // The entry breakpoint at line ENTRY is where we already stand: continue resumes past it.
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.deepEqual(s.body.hitBreakpointIds, [bpId]);
    // 'breakpoint' (not 'instruction breakpoint'): VS Code shows the source line rather than the Disassembly view.
    assert.equal(s.body.reason, 'breakpoint');
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(stackFrames[0].source?.path, fx.source);
    assert.equal(stackFrames[0].line, fx.line('LOOP'));
    assert.equal(stackFrames[0].instructionPointerReference, `0x0000${fx.marker('LOOP').toString(16)}`);
  });

  test('function breakpoints accept labels; disassembly carries symbols and lines', async () => {
    const r = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', { breakpoints: [{ name: 'func' }] });
    assert.equal(r.breakpoints[0].instructionReference, `0x0000${fx.marker('FUNC').toString(16)}`);
    const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
      memoryReference: `0x${fx.marker('FUNC').toString(16)}`, instructionCount: 2,
    });
    assert.equal(d.instructions[0].symbol, 'func');
    assert.equal(d.instructions[0].line, fx.line('FUNC'));
    assert.equal(d.instructions[1].symbol, undefined);
  });

  test('labels in expressions, conditions and completions', async () => {
    const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'msg', context: 'hover' });
    assert.equal(r.result, '0x00007c2e');
    assert.equal(r.memoryReference, '0x00007c2e');
    assert.equal((await c.request('evaluate', { expression: 'byte [msg+1]', context: 'watch' })).result, '0x69');
    assert.equal((await c.request('evaluate', { expression: 'x/3b msg', context: 'repl' })).result, '00007C2E  68 69 0a');
    const comp = await c.request<DebugProtocol.CompletionsResponse['body']>('completions', { text: 'fu', column: 3 });
    assert.ok(comp.targets.some((t) => t.label === 'func'));
    await c.request('setFunctionBreakpoints', { breakpoints: [] });
    await c.request('setBreakpoints', { source: { path: fx.source }, breakpoints: [{ line: fx.line('LOOP') }] });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x7c24', condition: 'si == msg + 2' }] });
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop;
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(stackFrames[0].instructionPointerReference, '0x00007c19');
    await c.request('setBreakpoints', { source: { path: fx.source }, breakpoints: [] });
    const stop2 = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop2;
    assert.equal((await c.request('evaluate', { expression: 'si - msg', context: 'watch' })).result, '0x02');
  });
});

describe('goto a source line', () => {
  test('gotoTargets + goto set CS:IP to the line and report a goto stop', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image, listing: fx.listing });
      const { targets } = await c.request<DebugProtocol.GotoTargetsResponse['body']>('gotoTargets', { source: { path: fx.source }, line: fx.line('FUNC') });
      assert.equal(targets[0].label, `0000:${fx.marker('FUNC').toString(16).toUpperCase()}`);
      const stop = c.nextStop();
      await c.request('goto', { threadId: 1, targetId: targets[0].id });
      assert.equal((await stop).body.reason, 'goto');
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      assert.equal(stackFrames[0].line, fx.line('FUNC'));
      const ph = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', { breakpoints: [{ name: 'phys 0x7c2d' }] });
      assert.equal(ph.breakpoints[0].instructionReference, '0x00007c2d');
    } finally {
      await c.close();
    }
  });
});
