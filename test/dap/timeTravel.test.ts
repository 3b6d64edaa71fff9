// Reverse execution over DAP: stepBack, reverseContinue to code and data breakpoints and to the start
// of the recording, the history commands of the debug console, and forward stepping after going back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, pc, act, repl } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('basic'); });

describe('time travel', () => {
  let c: DapClient;
  after(() => c?.close());

  test('the adapter advertises step back; a breakpoint after the write stops there', async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('AFTERWRITE')}` }] });
    const s = await act(c, 'continue');
    assert.equal(s.body.reason, 'instruction breakpoint');
    assert.equal(await pc(c), fx.marker('AFTERWRITE'));
  });

  test('stepBack goes to the instruction before; stepping forward again re-executes it', async () => {
    const s = await act(c, 'stepBack');
    assert.equal(s.body.reason, 'step');
    assert.equal(await pc(c), fx.marker('WRITE'));
    assert.equal(await repl(c, 'word [0x7e00]'), '0x0000'); // the write has not happened at this point in time
    await act(c, 'stepIn');
    assert.equal(await pc(c), fx.marker('AFTERWRITE'));
    assert.equal(await repl(c, 'word [0x7e00]'), '0xbeef');
  });

  test('reverseContinue stops at the most recent earlier breakpoint hit, then at the start of the recording', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('CALL')}` }] });
    const s = await act(c, 'reverseContinue');
    assert.equal(s.body.reason, 'instruction breakpoint', 'the reason a forward stop there has');
    assert.equal(await pc(c), fx.marker('CALL'));
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    const s2 = await act(c, 'reverseContinue');
    assert.match(s2.body.description ?? '', /start of the recording/);
    assert.equal(await pc(c), 0x7c00);
  });

  test('console: last write and last change jump to the instruction that did it', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('LOOP')}` }] });
    await act(c, 'continue');
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    // The queries answer at once and search as a task: the result comes as console output and a stop there.
    const query = async (q: string) => {
      const stop = c.nextStop();
      assert.match(await repl(c, q), /^searching the recording for the last .* \(pause cancels\)…$/);
      const s = await stop;
      return s.body.description ?? '';
    };
    assert.match(await query('last write 0x7e00 2'), /wrote 0x7e00/);
    assert.match(c.output(), /instruction \d+ at 0000:7C[0-9A-F]{2} wrote 0x7e00/);
    assert.equal(await pc(c), fx.marker('WRITE'));
    assert.match(await query('last change ax'), /changed ax/);
    assert.equal(await pc(c), fx.marker('FUNC')); // inc ax in the called function, before the write
    const bad = await c.raw('evaluate', { expression: 'last change nosuchreg', context: 'repl', frameId: 0 });
    assert.equal(bad.success, false, 'a bad field is refused before any search');
    const g = await repl(c, 'goto 0');
    assert.match(g, /at instruction 0/);
    assert.equal(await pc(c), 0x7c00);
  });

  test('reverseContinue finds the last write of a data breakpoint', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('LOOP')}` }] });
    await act(c, 'continue');
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: 'word [0x7e00]', frameId: 0 });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId!, accessType: 'write' }] });
    const s = await act(c, 'reverseContinue');
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(await pc(c), fx.marker('AFTERWRITE')); // a data breakpoint is a trap: after the writing instruction
  });
});
