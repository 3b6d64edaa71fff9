// Reverse-execution latency over DAP on stdio (a benchmark, not a test): `node --import tsx test/dap/timeTravelBench.ts`.
// On fixtures/rewindbench.asm (10.5M instructions that write the watched page all the time), from its end:
// stepBack round trips (request → stopped), reverseContinue to a code breakpoint a few instructions back,
// to a data write breakpoint whose last hit is ~10.5M instructions back, and the `last write` query.
// Prints p50/p95 in ms; the README quotes them with machine and date.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, repl } from './dapClient';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const SCANS = Number(process.env.BENCH_SCANS ?? 7);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function report(what: string, xs: number[]): void {
  console.log(`${what.padEnd(58)} n=${String(xs.length).padStart(3)}  p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms  p95 ${pct(xs, 95).toFixed(1).padStart(7)} ms`);
}

async function timed(c: DapClient, command: string, args: Record<string, unknown> = { threadId: 1 }): Promise<number> {
  const t0 = performance.now();
  const stop = c.nextStop(60_000);
  await c.request(command, args);
  await stop;
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const fx = assemble('rewindbench');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image });
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${fx.marker('END').toString(16)}` }] });
    const run = await timed(c, 'continue');
    await c.request('setInstructionBreakpoints', { breakpoints: [] });
    const end = Number(/(\d+) instructions/.exec(await repl(c, 'info mode'))![1]);
    console.log(`recorded ${end.toLocaleString('en-US')} instructions in ${(run / 1000).toFixed(2)} s (continue to the end, recording on)`);

    const back: number[] = [];
    for (let i = 0; i < ROUNDS; i++) back.push(await timed(c, 'stepBack'));
    report('stepBack (one instruction)', back);
    const fwd: number[] = [];
    for (let i = 0; i < ROUNDS; i++) fwd.push(await timed(c, 'stepIn'));
    report('stepIn after stepping back (replayed from the recording)', fwd);

    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${fx.marker('LOOP').toString(16)}` }] });
    const code: number[] = [];
    for (let i = 0; i < ROUNDS; i++) code.push(await timed(c, 'reverseContinue'));
    report('reverseContinue to a code breakpoint (hit 5 instructions back)', code);
    await c.request('setInstructionBreakpoints', { breakpoints: [] });

    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: 'word [0x7e00]', frameId: 0 });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId!, accessType: 'write' }] });
    const data: number[] = [];
    for (let i = 0; i < SCANS; i++) {
      await repl(c, `goto ${end}`);
      data.push(await timed(c, 'reverseContinue'));
    }
    report(`reverseContinue to a data write ~${(end / 1e6).toFixed(1)}M instructions back`, data);
    await c.request('setDataBreakpoints', { breakpoints: [] });

    const query: number[] = [];
    for (let i = 0; i < SCANS; i++) {
      await repl(c, `goto ${end}`);
      const t0 = performance.now();
      const stop = c.nextStop(60_000);
      await repl(c, 'last write 0x7e00 2');
      await stop;
      query.push(performance.now() - t0);
    }
    report(`'last write 0x7e00 2' (~${(end / 1e6).toFixed(1)}M instructions back)`, query);
  } finally {
    await c.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
