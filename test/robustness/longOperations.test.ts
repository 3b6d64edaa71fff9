// @tier full
// Long adapter operations stay interruptible and bounded, and the adapter goes when its client goes
// (issue 14): a goto far beyond reach is refused at once; a long forward goto runs like a continue
// (continued event, threads answered, pause stops it, progress); disconnect, a closed stdin, a
// vanished parent process and a dropped --port connection all end the machine promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { act, ADAPTER, assemble, DapClient, pc, repl, wholeTimeline } from '../dap/dapClient';

const fx = assemble('inputs');

/** CPU seconds the process has used (Linux /proc): a machine still running in it keeps this growing. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function exited(p: { exitCode: number | null; signalCode: string | null; once(e: 'exit', f: () => void): void }, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    p.once('exit', () => { clearTimeout(t); res(true); });
  });
}

/** Starts `goto N` in the console without waiting for its answer (it comes when the goto ends). */
function startGoto(c: DapClient, n: number): Promise<DebugProtocol.Response> {
  return c.raw('evaluate', { expression: `goto ${n}`, context: 'repl', frameId: 0 });
}

test('goto beyond reach is refused at once; a long goto answers threads, reports progress and stops on pause', async () => {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image }, async () => {}, { supportsProgressReporting: true });
    const t0 = performance.now();
    await assert.rejects(repl(c, 'goto 999999999999999'), /goto 999999999999999: that is 999,999,999,999,999 instructions ahead; a goto runs at most 10,000,000,000/);
    assert.ok(performance.now() - t0 < 1000);

    const mark = c.events.length;
    const answer = startGoto(c, 2_000_000_000);
    await c.waitFor('continued', () => true, 5000, mark);
    await c.waitFor('progressStart', () => true, 5000, mark);
    for (let i = 0; i < 5; i++) {
      const q = performance.now();
      const t = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
      assert.equal(t.threads.length, 1);
      assert.ok(performance.now() - q < 500, `threads answered in ${(performance.now() - q).toFixed(0)} ms while the goto runs`);
    }
    const stop = c.nextStop();
    await c.request('pause', { threadId: 1 });
    assert.equal((await stop).body.reason, 'pause');
    const r = await answer;
    assert.equal(r.success, true);
    assert.match(r.body.result, /^goto 2000000000: paused at instruction \d+$/);
    const at = Number(/instruction (\d+)/.exec(r.body.result)![1]);
    assert.ok(at > 0 && at < 2_000_000_000);
    assert.match(await repl(c, 'info mode'), new RegExp(` ${at} instructions`));
    assert.ok(c.events.slice(mark).some((e) => e.event === 'progressEnd'));
  } finally {
    await c.close();
  }
});

test('a timeline of a long recording is built over bounded requests, each back at the user\'s position', async () => {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image });
    const end = 1_000_000;
    const r = await c.raw('evaluate', { expression: `goto ${end}`, context: 'repl', frameId: 0 });
    assert.match(r.body?.result ?? r.message, new RegExp(`at instruction ${end}$`));
    const exprs = ['info mode', 'eax', 'ebx', 'edi', 'esp', 'eflags', 'x/8w 0x7e00', 'x/8b 0x8000'];
    const state = async () => (await Promise.all(exprs.map((e) => repl(c, e)))).join('\n');
    const before = await state();
    const mark = c.events.length;
    let answers = 0, done = -1;
    for (;;) {
      const t = await c.request<{ building?: { done: number; total: number }; modes: unknown[] }>('bootscope/readTimeline', { profile: 'raw' });
      answers++;
      assert.equal(await state(), before, 'each answer comes back to the user\'s position');
      if (!t.building) break;
      assert.ok(t.building.done > done, `the build goes on (${done} → ${t.building.done})`);
      done = t.building.done;
      assert.ok(answers < 2000, 'the timeline is built');
    }
    assert.ok(answers > 1, 'a long recording takes several requests (none blocks the adapter for long)');
    assert.deepEqual(c.events.slice(mark).filter((e) => e.event === 'continued' || e.event === 'stopped'), [],
      'building a timeline is not a run: the client sees the CPU stopped throughout');
  } finally {
    await c.close();
  }
});

test('after a timeline, a breakpoint on the loop the CPU spins in is hit on continue', async () => {
  const spin = assemble('budget');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: spin.image });
    await c.request('continue', { threadId: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    const paused = c.nextStop();
    await c.request('pause', { threadId: 1 });
    await paused;
    const jmp = spin.marker('END') + 1;
    assert.equal(await pc(c), jmp, 'spinning on jmp $');
    await wholeTimeline(c, { profile: 'raw' });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${jmp.toString(16)}` }] });
    const stop = await act(c, 'continue');
    assert.equal(stop.body.reason, 'instruction breakpoint');
    assert.equal(await pc(c), jmp);
  } finally {
    await c.close();
  }
});

test('disconnect during a long goto ends the adapter', async () => {
  const c = DapClient.spawn();
  await c.launch({ image: fx.image });
  startGoto(c, 5_000_000_000).catch(() => {});
  await c.waitFor('continued');
  const t0 = performance.now();
  await c.request('disconnect', {});
  assert.ok(await exited(c.process!, 3000), 'the adapter exited');
  assert.ok(performance.now() - t0 < 3000);
  await c.close();
});

test('a closed stdin during a long goto ends the adapter', async () => {
  const c = DapClient.spawn();
  await c.launch({ image: fx.image });
  startGoto(c, 5_000_000_000).catch(() => {});
  await c.waitFor('continued');
  c.process!.stdin!.end();
  assert.ok(await exited(c.process!, 3000), 'the adapter exited');
  await c.close();
});

test('the adapter exits when its parent has gone, even with stdin still open', async () => {
  // A parent that starts the adapter on its own (inherited) stdin, which this test keeps open, then is killed.
  const script = `const p = require('child_process').spawn(process.execPath, [${JSON.stringify(ADAPTER)}], { stdio: ['inherit', 'ignore', 'ignore'] });
    console.log(p.pid); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((res) => parent.stdout!.once('data', (d: Buffer) => res(Number(String(d).trim()))));
  const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
  assert.ok(alive());
  parent.kill('SIGKILL');
  const t0 = Date.now();
  while (alive() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
  const gone = !alive();
  if (!gone) process.kill(pid, 'SIGKILL');
  parent.stdin!.end();
  assert.ok(gone, 'the adapter exited after its parent was killed');
});

test('--port: a connection dropped during a long goto ends its machine; the server serves the next one', async () => {
  const server = spawn(process.execPath, [ADAPTER, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((res) => server.stderr!.on('data', (d: Buffer) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(String(d));
      if (m) res(Number(m[1]));
    }));
    const c = await DapClient.connect(port);
    await c.launch({ image: fx.image });
    startGoto(c, 5_000_000_000).catch(() => {});
    await c.waitFor('continued');
    c.drop();
    await new Promise((r) => setTimeout(r, 300));
    const before = cpuSeconds(server.pid!);
    await new Promise((r) => setTimeout(r, 1000));
    const used = cpuSeconds(server.pid!) - before;
    assert.ok(used < 0.3, `the server used ${used.toFixed(2)} CPU seconds in the second after the client went`);
    const c2 = await DapClient.connect(port);
    await c2.launch({ image: fx.image });
    assert.match(await repl(c2, 'info mode'), / 0 instructions/);
    await c2.close();
  } finally {
    server.kill();
  }
});
