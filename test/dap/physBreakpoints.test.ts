// Physical breakpoints (`phys 0x…`, Bochs `pb`) over DAP: set while paging is off, they stop where an
// instruction's physical address matches once paging maps another linear page there, and not where
// the linear address alone matches; reverseContinue finds them the same way (physbp.asm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { act, assemble, DapClient, pc, repl } from './dapClient';

test('phys 0x60000 stops at linear 50000h under paging, not at linear 60000h; reverseContinue too', async () => {
  const fx = assemble('physbp');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image });
    const set = async (names: string[]) => (await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', {
      breakpoints: names.map((name) => ({ name })),
    })).breakpoints;
    const [bp] = await set(['phys 0x60000']);
    assert.equal(bp.verified, true);
    assert.match(bp.message!, /^physical address 0x60000: /);
    const s = await act(c, 'continue');
    assert.deepEqual(s.body.hitBreakpointIds, [bp.id]);
    assert.equal(await pc(c), 0x50000);
    assert.equal(await repl(c, 'ecx'), '0x00000001', 'the routine at physical 50000h (linear 60000h) ran without a stop');
    assert.equal(await repl(c, 'ebx'), '0x00000000');
    assert.equal(await repl(c, 'phys(0x50000)'), '0x00060000');
    const [phys, end] = await set(['phys 0x60000', `0x${fx.marker('END').toString(16)}`]);
    const e = await act(c, 'continue');
    assert.deepEqual(e.body.hitBreakpointIds, [end.id]);
    assert.equal(await repl(c, 'ebx'), '0x00000001');
    const back = await act(c, 'reverseContinue');
    assert.deepEqual(back.body.hitBreakpointIds, [phys.id]);
    assert.equal(await pc(c), 0x50000);
    assert.equal(await repl(c, 'ebx'), '0x00000000');
  } finally {
    await c.close();
  }
});
