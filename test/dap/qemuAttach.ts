// A QEMU for the attach tests: stopped at reset with its gdbstub on a free port (-gdb tcp::PORT -S),
// and a DAP session attached to it at its entry stop.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapClient } from './dapClient';

/** A port free a moment ago (QEMU takes it next). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Attached {
  c: DapClient;
  qemu: ChildProcess;
  port: number;
  entry: DebugProtocol.StoppedEvent;
}

/** QEMU booting `image` from its IDE disk (`extra`: more QEMU options) and a session attached at the entry stop. */
export async function attachTo(image: string, extra: readonly string[] = []): Promise<Attached> {
  const port = await freePort();
  const qemu = spawn('qemu-system-i386', ['-nodefaults', ...extra, '-display', 'none', '-m', '16', '-serial', 'none', '-monitor', 'none',
    '-drive', `file=${image},format=raw,if=ide,snapshot=on`, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: 'ignore' });
  const c = DapClient.spawn();
  try {
    await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path' });
    // QEMU may take a moment to listen.
    let attached: DebugProtocol.Response | null = null;
    for (let i = 0; i < 50 && !attached?.success; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      attached = await c.raw('attach', { type: 'bootscope', request: 'attach', qemu: { port } });
    }
    assert.equal(attached?.success, true, attached?.message);
    await c.waitFor('initialized');
    const stop = c.nextStop();
    await c.request('configurationDone');
    return { c, qemu, port, entry: await stop };
  } catch (e) {
    await c.close();
    qemu.kill('SIGKILL');
    throw e;
  }
}
