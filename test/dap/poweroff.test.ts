// A guest that switches the machine off (APM set power state off → PM1a_CNT) ends the debug
// session: the console says so after the guest's output, then the adapter sends exited (code 0)
// and terminated instead of a stopped event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient } from './dapClient';

test('power-off ends the session: output, exited 0, terminated, no stopped event', async () => {
  const fx = assemble('poweroff');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image, stopOnEntry: false });
    await c.waitFor('terminated');
    const exited = await c.waitFor('exited') as DebugProtocol.ExitedEvent;
    assert.equal(exited.body.exitCode, 0);
    assert.ok(!c.events.some((e) => e.event === 'stopped'));
    assert.match(c.output(), /going off\n[\s\S]*powered off: the guest switched the machine off/);
  } finally {
    c.close();
  }
});
