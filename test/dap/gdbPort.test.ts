// @tier full
// Launch attribute gdbPort: one machine, two front ends. A DAP session serves its machine to gdb; gdb's
// runs show in the DAP session (continued, then stopped), gdb's reverse commands move the session,
// and gdb's watchpoints and the DAP data breakpoints are armed side by side (neither replaces the other).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { textToHex } from '../../debug-adapter/gdb/packet';
import { assembleElf, gdbBatch, h, RawClient } from '../gdb/gdbFixture';
import { act, DapClient, pc } from './dapClient';

describe('launch gdbPort', () => {
  const fx = assembleElf('calls');
  let c: DapClient;
  let port = 0;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image, gdbPort: 0 });
    const ev = await c.waitFor('output', (e) => /gdb: target remote 127\.0\.0\.1:\d+/.test((e as DebugProtocol.OutputEvent).body.output));
    port = +/127\.0\.0\.1:(\d+)/.exec((ev as DebugProtocol.OutputEvent).body.output)![1];
  });
  after(() => c.close());

  test("gdb's continue, stepi and reverse commands drive the session's machine", async () => {
    const mark = c.events.length;
    const out = await gdbBatch([
      `file ${fx.elf}`, 'set architecture i8086', `target remote 127.0.0.1:${port}`,
      `break *${h(fx.marker('AFTERBUMP'))}`, 'continue', 'continue', 'printf "pc=%x\\n", $pc',
      'reverse-stepi', 'printf "pc=%x\\n", $pc',
      'detach',
    ]);
    assert.deepEqual([...out.matchAll(/^pc=(\S+)$/gm)].map((m) => m[1]), [fx.marker('AFTERBUMP'), fx.marker('BUMP')].map((a) => a.toString(16)), out);
    const later = c.events.slice(mark);
    assert.ok(later.some((e) => e.event === 'continued'), 'gdb runs show as running');
    assert.ok(later.filter((e) => e.event === 'stopped').length >= 2, 'and their stops as stops');
    assert.equal(await pc(c), fx.marker('BUMP'), 'the DAP side sees where gdb left the machine');
  });

  test("gdb's watchpoints do not replace the DAP data breakpoints", async () => {
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: `word [${h(fx.marker('COUNTER'))}]`, frameId: 0 });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId!, accessType: 'write' }] });
    const g = await RawClient.open(port);
    assert.equal(await g.ask(`Z2,${fx.marker('SPIN').toString(16)},1`), 'OK');
    assert.equal(await g.ask(`z2,${fx.marker('SPIN').toString(16)},1`), 'OK');
    const mode = await g.ask(`qRcmd,${textToHex('mode')}`);
    assert.ok(mode.length > 0);
    assert.equal(await g.ask('D'), 'OK');
    g.close();
    // From BUMP (before the INC of the second call), the INC writes the counter.
    const stop = await act(c, 'continue');
    assert.equal(stop.body.reason, 'data breakpoint');
    assert.equal(await pc(c), fx.marker('AFTERBUMP'));
  });

  test('a gdb that connects and goes away leaves a run of the DAP side running', async () => {
    await c.request('setDataBreakpoints', { breakpoints: [] });
    const mark = c.events.length;
    await c.request('continue', { threadId: 1 });
    const g = await RawClient.open(port);
    assert.equal(await g.ask('qAttached'), '1');
    g.close();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.events.slice(mark).filter((e) => e.event === 'stopped').length, 0, 'still running');
    const stop = await act(c, 'pause');
    assert.equal(stop.body.reason, 'pause');
  });
});
