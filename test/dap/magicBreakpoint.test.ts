// The launch attribute magicBreakpoint (Bochs's magic breakpoint) over DAP: each `xchg bx, bx` stops
// right after itself with reason breakpoint, `xchg cx, cx` does not, reverseContinue finds the last
// one again; without the attribute the fixture runs to its HLT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, assemble, DapClient, pc, repl } from './dapClient';

test('magicBreakpoint: stops after each xchg bx, bx; reverseContinue goes back to the last; off by default', async () => {
  const fx = assemble('magic');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image, magicBreakpoint: true });
    for (let round = 1; round <= 3; round++) {
      const s = await act(c, 'continue');
      assert.equal(s.body.reason, 'breakpoint');
      assert.equal(s.body.description, `magic breakpoint: xchg bx, bx at 0000:${fx.marker('MAGIC').toString(16).toUpperCase()}`);
      assert.equal(await pc(c), fx.marker('AFTER'));
      assert.equal(await repl(c, 'ax'), `0x000${round}`);
    }
    const end = await act(c, 'continue');
    assert.equal(end.body.reason, 'exception');
    assert.equal(await pc(c), fx.marker('DONE') + 1);
    const back = await act(c, 'reverseContinue');
    assert.equal(back.body.reason, 'breakpoint');
    assert.match(back.body.description!, /^magic breakpoint: xchg bx, bx at 0000:7C06/);
    assert.equal(await pc(c), fx.marker('AFTER'));
    assert.equal(await repl(c, 'ax'), '0x0003');
  } finally {
    await c.close();
  }
  const plain = DapClient.spawn();
  try {
    await plain.launch({ image: fx.image });
    const s = await act(plain, 'continue');
    assert.equal(s.body.reason, 'exception');
    assert.equal(await pc(plain), fx.marker('DONE') + 1);
  } finally {
    await plain.close();
  }
});
