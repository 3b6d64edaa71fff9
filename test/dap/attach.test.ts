// @tier full
// Launch request "attach" (debug-adapter/attach.ts): a QEMU started by the test, stopped at reset
// with its gdbstub on a TCP port (-gdb tcp::PORT -S), debugged over DAP: the entry stop at the
// reset vector, an instruction breakpoint at 0000:7C00 reached by continue, the registers with the
// segment caches and CR0 as QEMU has them, memory (the boot sector), disassembly, a step, a data
// breakpoint (a read watchpoint), pause
// while running, and what needs Bootscope's own machine refused in one line (the panels:
// attachPanels.test.ts). After disconnect QEMU
// runs on. A missing QEMU fails the test (it is the reference; .ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { qemuMissing } from '../../host/qemu';
import { assemble, DapClient, pc, repl } from './dapClient';
import { attachTo, freePort } from './qemuAttach';

async function variables(c: DapClient, scope: string): Promise<Record<string, string>> {
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 1 });
  const ref = scopes.find((s) => s.name === scope)!.variablesReference;
  const { variables: vs } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref });
  return Object.fromEntries(vs.map((v) => [v.name, v.value]));
}

test('attach to a running QEMU: breakpoint at 0000:7C00, registers with caches, memory, disassembly, step, watchpoint, pause; recording requests refused',
  { timeout: 120_000 }, async () => {
    assert.equal(qemuMissing(), null);
    const fx = assemble('qemudiff');
    const { c, qemu, port, entry: e } = await attachTo(fx.image);
    try {
      assert.equal(e.body.reason, 'entry');
      assert.equal(e.body.description, `attached to QEMU at 127.0.0.1:${port}, real at 0xf000:0x0000fff0`);
      // The reset vector: CS F000 with its base FFFF0000, as the CPU leaves reset.
      assert.equal(await pc(c), 0xfffffff0);

      const bp = await c.request<DebugProtocol.SetInstructionBreakpointsResponse['body']>('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x7c00' }] });
      assert.equal(bp.breakpoints[0].verified, true);
      const hit = c.nextStop(30_000);
      await c.request('continue', { threadId: 1 });
      const h = await hit;
      assert.equal(h.body.reason, 'instruction breakpoint');
      assert.deepEqual(h.body.hitBreakpointIds, [bp.breakpoints[0].id]);
      assert.equal(await pc(c), 0x7c00);
      const gen = await variables(c, 'General Registers');
      assert.equal(gen.eip, '0x00007c00');
      assert.equal(gen.edx.slice(-2), '80', 'DL: the boot drive');
      const seg = await variables(c, 'Segment Registers');
      assert.equal(seg.cs, '0x0000 base=0x00000000 limit=0x0000ffff ar=0x0009b');
      assert.match(seg.tr, /^0x0000 base=0x00000000 limit=0x0000ffff ar=0x0008b$/);
      assert.equal((await variables(c, 'Control Registers')).cr0.slice(-1), '0', 'CR0.PE clear');
      assert.equal(await repl(c, 'cs.limit'), '0x0000ffff');

      const mem = await c.request<DebugProtocol.ReadMemoryResponse['body']>('readMemory', { memoryReference: '0x7c00', count: 512 });
      assert.deepEqual(Buffer.from(mem.data!, 'base64'), readFileSync(fx.image).subarray(0, 512));
      const dis = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', { memoryReference: '0x7c00', instructionOffset: -2, instructionCount: 5 });
      assert.deepEqual(dis.instructions.slice(2).map((i) => [i.address, i.instruction]), [['0x00007c00', 'cli'], ['0x00007c01', 'xor ax,ax'], ['0x00007c03', 'mov ds,ax']]);

      const step = c.nextStop();
      await c.request('stepIn', { threadId: 1 });
      assert.equal((await step).body.reason, 'step');
      assert.equal(await pc(c), 0x7c01);

      // A data breakpoint is a QEMU watchpoint: reading the INT 1Eh vector's offset stops the guest.
      const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0000:0078', bytes: 2 });
      assert.equal(info.dataId, '78/2');
      const { breakpoints: [watch] } = await c.request<DebugProtocol.SetDataBreakpointsResponse['body']>('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'read' }] });
      assert.equal(watch.verified, true);
      const read = c.nextStop(30_000);
      await c.request('continue', { threadId: 1 });
      const r = await read;
      assert.equal(r.body.reason, 'data breakpoint');
      assert.deepEqual(r.body.hitBreakpointIds, [watch.id]);
      // As on x86, the stop comes after the instruction that read (a trap).
      assert.equal(r.body.description, 'data breakpoint: read of 0x00000078, before 0000:7C0D in QEMU');
      assert.equal(await pc(c), fx.marker('DIVERGED'));
      await c.request('setDataBreakpoints', { breakpoints: [] });

      // Running in the loop: pause stops it where it is.
      await c.request('setInstructionBreakpoints', { breakpoints: [] });
      const paused = c.nextStop(30_000);
      await c.request('continue', { threadId: 1 });
      await new Promise((r) => setTimeout(r, 300));
      await c.request('pause', { threadId: 1 });
      assert.equal((await paused).body.reason, 'pause');
      assert.ok([fx.marker('SPIN'), fx.marker('SPIN') + 1].includes(await pc(c)), 'in the spin loop');

      for (const [command, args] of [['stepBack', { threadId: 1 }], ['stepInTargets', { frameId: 1 }]] as const) {
        const r = await c.raw(command, args);
        assert.equal(r.success, false, command);
        assert.match(r.message ?? '', new RegExp(`^${command}: not available when attached to QEMU`));
      }
    } finally {
      await c.close();
      // Detached, QEMU runs on until the test ends it.
      assert.equal(qemu.exitCode, null);
      qemu.kill('SIGKILL');
    }
  });

test('attach: a bad qemu attribute and a port nobody listens on fail with one line', async () => {
  const c = DapClient.spawn();
  try {
    await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path' });
    const bad = await c.raw('attach', { type: 'bootscope', request: 'attach', qemu: { port: 'x' } });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /^attach: 'qemu' must be \{ "host"\?: "127\.0\.0\.1", "port": 1234 \}/);
    const port = await freePort();
    const none = await c.raw('attach', { type: 'bootscope', request: 'attach', qemu: { port } });
    assert.equal(none.success, false);
    assert.match(none.message ?? '', new RegExp(`^attach: cannot reach QEMU's gdbstub at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    // Something that listens but is not a gdbstub: given up after the handshake's bound, not waited on forever.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const p = (silent.address() as { port: number }).port;
      const mute = await c.raw('attach', { type: 'bootscope', request: 'attach', qemu: { port: p } });
      assert.equal(mute.success, false);
      assert.match(mute.message ?? '', /no answer as QEMU's gdbstub within 5 s/);
    } finally {
      silent.close();
    }
  } finally {
    await c.close();
  }
});
