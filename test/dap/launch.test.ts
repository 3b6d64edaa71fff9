// Launch configuration errors, `bootscope dap --port` over a socket, malformed requests, stopOnEntry
// false, hit counts and logpoints, function breakpoints by linear address, terminate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, CLI, DapClient, type Fixture } from './dapClient';

let fx: Fixture;
const dir = mkdtempSync(join(tmpdir(), 'bootscope-launch-'));
before(() => { fx = assemble('basic'); });
after(() => rmSync(dir, { recursive: true, force: true }));

async function launchError(config: Record<string, unknown>): Promise<DebugProtocol.Response> {
  const c = DapClient.spawn();
  try {
    await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path' });
    const r = await c.raw('launch', config);
    assert.equal(r.success, false);
    // The session stays usable: a second request still gets an answer.
    const t = await c.raw('threads');
    assert.equal(t.success, true);
    return r;
  } finally {
    await c.close();
  }
}

describe('bad launch configurations', () => {
  test('missing image', async () => {
    const r = await launchError({});
    assert.match(r.message!, /'image' is missing/);
    assert.equal((r.body as { error: { id: number } }).error.id, 2001);
  });
  test('unreadable file', async () => {
    const r = await launchError({ image: join(dir, 'nope.img') });
    assert.match(r.message!, /cannot read image '.*nope\.img': no such file/);
  });
  test('unknown cpu', async () => {
    const r = await launchError({ image: fx.image, cpu: '68000' });
    assert.match(r.message!, /unknown cpu '68000': use one of 8086, 80286, 80386/);
  });
  test('truncated image', async () => {
    const p = join(dir, 'short.img');
    writeFileSync(p, Buffer.alloc(700));
    const r = await launchError({ image: p });
    assert.match(r.message!, /not a whole number of 512-byte sectors: the last sector is truncated \(188 of 512 bytes present/);
  });
  test('bad memoryMB, stopOnEntry and listing fields', async () => {
    assert.match((await launchError({ image: fx.image, memoryMB: 0 })).message!, /'memoryMB' must be an integer from 1 to 3072, not 0/);
    assert.match((await launchError({ image: fx.image, stopOnEntry: 'yes' })).message!, /'stopOnEntry' must be true or false/);
    assert.match((await launchError({ image: fx.image, listing: join(dir, 'x.lst') })).message!, /cannot read listing/);
  });
});

describe('robustness', () => {
  let c: DapClient;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
  });
  after(() => c?.close());

  test('malformed and unknown requests get error responses and the session continues', async () => {
    for (const [cmd, args] of [
      ['variables', { variablesReference: 99999 }],
      ['disassemble', { memoryReference: 'zz', instructionCount: 3 }],
      ['setInstructionBreakpoints', { breakpoints: [{ instructionReference: 'garbage' }] }],
      ['bootscope/readDescriptorTable', { table: 'xyz' }],
      ['bootscope/checkVmEntry', { profile: 'nope' }],
    ] as const) {
      const r = await c.raw(cmd, args);
      if (cmd === 'setInstructionBreakpoints') {
        assert.equal(r.success, true);
        const b = (r.body as DebugProtocol.SetInstructionBreakpointsResponse['body']).breakpoints[0];
        assert.equal(b.verified, false);
        assert.match(b.message!, /garbage/);
      } else {
        assert.equal(r.success, false, cmd);
        assert.ok(r.message && r.message.length > 0, cmd);
      }
    }
    const far = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', {
      breakpoints: [{ name: '0x10000000' }, { name: '0x100000000' }, { name: 'F000:FFF0' }],
    });
    assert.match(far.breakpoints[0].message!, /no memory at linear 0x10000000: guest RAM ends at 0x4000000/);
    assert.match(far.breakpoints[1].message!, /0x100000000 does not fit in 32 bits/);
    assert.equal(far.breakpoints[2].verified, true);
    const missing = await c.raw('setBreakpoints', {});
    assert.equal(missing.success, false);
    const fb = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', { breakpoints: [{ name: 'not an address' }] });
    assert.equal(fb.breakpoints[0].verified, false);
    assert.match(fb.breakpoints[0].message!, /^'not an address' is not an address or a known label \(unknown name 'not'\): use SSSS:OOOO, 0x… linear, phys 0x…, a label from the listing or a symbol$/);
    const { threads } = await c.request('threads');
    assert.equal(threads.length, 1);
  });

  test('hit count and logpoint on a linear-address function breakpoint', async () => {
    const loop = basic('LOOP');
    await c.request('setFunctionBreakpoints', { breakpoints: [{ name: `0x${loop.toString(16)}`, hitCondition: '3' }] });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${loop.toString(16)}`, logMessage: 'cx={cx}' }] });
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'function breakpoint');
    assert.equal((await c.request('evaluate', { expression: 'cx', context: 'watch' })).result, '0x0001');
    assert.match(c.output(), /cx=0x0003\ncx=0x0002\ncx=0x0001\n/);
  });

  test('source breakpoints are answered unverified with a reason', async () => {
    const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: '/x/boot.asm' }, breakpoints: [{ line: 3 }] });
    assert.equal(r.breakpoints[0].verified, false);
    assert.match(r.breakpoints[0].message!, /listing/);
  });
});

function basic(mark: string): number {
  return fx.marker(mark);
}

describe('stopOnEntry false and terminate', () => {
  test('runs to a breakpoint without an entry stop; terminate ends the session', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image, stopOnEntry: false }, async () => {
        await c.request('setFunctionBreakpoints', { breakpoints: [{ name: `0000:${basic('FUNC').toString(16)}` }] });
      });
      const s = await c.waitFor('stopped') as DebugProtocol.StoppedEvent;
      assert.equal(s.body.reason, 'function breakpoint');
      assert.equal(c.events.filter((e) => e.event === 'stopped').length, 1);
      await c.request('terminate', {});
      await c.waitFor('terminated');
    } finally {
      await c.close();
    }
  });
});

describe('bootscope dap --port', () => {
  /** CPU time (user + system, clock ticks) the process has used, from /proc. */
  function cpuTicks(pid: number): number {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return +f[11] + +f[12];
  }
  /** Ticks used over `ms` of wall time: about 0 when idle, however loaded the machine is. */
  async function busyTicks(pid: number, ms = 600): Promise<number> {
    await new Promise((r) => setTimeout(r, 100));
    const t0 = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, ms));
    return cpuTicks(pid) - t0;
  }
  /**
   * Whether the process goes on using CPU (a spinning burst loop): 10 more ticks within 30 s. Not a
   * fixed window: on a loaded machine a spinning process may get a few per cent of a core.
   */
  async function keepsRunning(pid: number): Promise<boolean> {
    const t0 = cpuTicks(pid);
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      if (cpuTicks(pid) - t0 > 10) return true;
    }
    return false;
  }

  test('serves DebugClient sessions on 127.0.0.1; a disconnected or dropped session leaves the server idle and ready', async () => {
    const proc = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const port = await new Promise<number>((res, rej) => {
        let err = '';
        proc.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m) res(+m[1]);
        });
        proc.on('exit', (code) => rej(new Error(`exited ${code}: ${err}`)));
      });
      // A full session: stop on entry, step, run, disconnect while the CPU runs.
      const a = await DapClient.connect(port);
      assert.equal((await a.launch({ image: fx.image }))!.body.reason, 'entry');
      assert.equal((await a.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].name, '0000:7C00 real');
      const stepped = a.nextStop();
      await a.dc.stepInRequest({ threadId: 1 });
      assert.equal((await stepped).body.reason, 'step');
      assert.equal((await a.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].instructionPointerReference, '0x00007c02');
      await a.dc.continueRequest({ threadId: 1 });
      assert.ok(await keepsRunning(proc.pid!), 'the guest should be running');
      await a.dc.disconnectRequest({});
      await a.close();
      assert.ok(await busyTicks(proc.pid!) <= 5, 'the machine of a disconnected session must stop');
      // A client that goes away without disconnecting (VS Code killed) while the CPU runs.
      const b = await DapClient.connect(port);
      await b.launch({ image: fx.image, stopOnEntry: false });
      b.drop();
      assert.ok(await busyTicks(proc.pid!) <= 5, 'the machine of a dropped connection must stop');
      // The server is still there and the next session starts afresh.
      const c = await DapClient.connect(port);
      assert.equal((await c.launch({ image: fx.image }))!.body.reason, 'entry');
      assert.equal((await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].name, '0000:7C00 real');
      await c.close();
      assert.equal(proc.exitCode, null);
    } finally {
      proc.kill();
    }
  });

  test('bootscope dap without --port speaks DAP on stdio and exits on disconnect', async () => {
    const c = DapClient.spawn([], true);
    const stop = await c.launch({ image: fx.image });
    assert.equal(stop!.body.reason, 'entry');
    const exited = new Promise<number | null>((r) => c.process!.on('exit', (code) => r(code)));
    await c.request('disconnect', {});
    assert.equal(await exited, 0);
  });

  test('a bad port is a usage error (exit 2)', async () => {
    const proc = spawn(process.execPath, [CLI, 'dap', '--port', 'x'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => proc.on('exit', r));
    assert.equal(code, 2);
    assert.match(err, /--port: 'x' is not a port number/);
  });
});

describe('disconnect', () => {
  test('the stdio adapter exits after disconnect while the CPU runs, even with stdin still open', async () => {
    const c = DapClient.spawn();
    await c.launch({ image: fx.image, stopOnEntry: false });
    const exited = new Promise<number | null>((r) => c.process!.on('exit', (code) => r(code)));
    await c.request('disconnect', {});
    const t0 = Date.now();
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 2000);
  });
});
