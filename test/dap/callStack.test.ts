// The shadow call stack over DAP: stackTrace in an interrupt handler's calls, after a recursion deeper
// than the stack keeps (its oldest quarter dropped at 4,096 frames), after a timeline replay (the
// frames put back) and after time travel (restarted from the new position).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, act, pc, wholeTimeline } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('recurse'); });

const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

async function frames(c: DapClient): Promise<DebugProtocol.StackFrame[]> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 })).stackFrames;
}

describe('call stack', () => {
  let c: DapClient;
  after(() => c?.close());

  test('in calls an INT handler made: each caller, the interrupt frame and the code that raised it', async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('BOTTOM')}` }] });
    await act(c, 'continue');
    assert.equal(await pc(c), fx.marker('BOTTOM'));
    // INT 80h, CALL recurse from the handler, then two recursive calls (CX = 3).
    assert.deepEqual((await frames(c)).map((f) => f.name), [
      `0000:${hex(fx.marker('BOTTOM'))} real (in call from 0000:${hex(fx.marker('RCALL'))})`,
      `0000:${hex(fx.marker('RCALL'))} real (in call)`,
      `0000:${hex(fx.marker('RCALL'))} real (in call)`,
      `0000:${hex(fx.marker('HCALL'))} real (in int 80h)`,
      `0000:${hex(fx.marker('INT1'))} real`,
    ]);
  });

  test('past 4,096 frames the oldest quarter is dropped; the newest are shown', async () => {
    await act(c, 'continue');
    assert.equal(await pc(c), fx.marker('BOTTOM'));
    // 5,001 frames made (the INT, the handler's call, 4,999 recursive calls); at 4,096 the oldest 1,024 went.
    const deep = await frames(c);
    assert.equal(deep.length, 1 + 5001 - 1024);
    assert.equal(deep[0].name, `0000:${hex(fx.marker('BOTTOM'))} real (in call from 0000:${hex(fx.marker('RCALL'))})`);
    assert.ok(deep.slice(1).every((f) => f.name === `0000:${hex(fx.marker('RCALL'))} real (in call)` || f === deep[deep.length - 1]));
    // A timeline replays the recording: the frames are put back as they were.
    await wholeTimeline(c, { profile: 'raw' });
    assert.deepEqual((await frames(c)).map((f) => f.name), deep.map((f) => f.name));
  });

  test('the returns pop every frame; after going back in time the stack restarts there and grows again', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('DONE')}` }] });
    await act(c, 'continue');
    assert.equal(await pc(c), fx.marker('DONE'));
    assert.equal((await frames(c)).length, 1);
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('HCALL')}` }] });
    await act(c, 'reverseContinue');
    assert.equal(await pc(c), fx.marker('HCALL'));
    assert.deepEqual((await frames(c)).map((f) => f.name), [`0000:${hex(fx.marker('HCALL'))} real`]);
    await act(c, 'stepIn');
    assert.deepEqual((await frames(c)).map((f) => f.name).slice(1), [`0000:${hex(fx.marker('HCALL'))} real`]);
    await act(c, 'stepBack', { threadId: 1, granularity: 'instruction' });
    assert.equal(await pc(c), fx.marker('HCALL'));
    assert.equal((await frames(c)).length, 1);
  });
});
