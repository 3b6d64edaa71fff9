// Latency over DAP on stdio (issue 4's benchmark line; a benchmark, not a test — `npm run bench` runs it):
// step round trip (stepIn → stopped) and stop → variables (stopped → scopes + the general-register variables),
// p50/p95 over 200 instruction steps. The README quotes the numbers with machine and date.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient } from './dapClient';

const STEPS = Number(process.env.BENCH_ROUNDS ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const c = DapClient.spawn();
  try {
    await c.launch({ image: assemble('basic').image });
    const step: number[] = [];
    const vars: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const t0 = performance.now();
      const stop = c.nextStop();
      await c.request('stepIn', { threadId: 1, granularity: 'instruction' });
      await stop;
      const t1 = performance.now();
      const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
      await c.request('variables', { variablesReference: scopes[0].variablesReference });
      step.push(t1 - t0);
      vars.push(performance.now() - t1);
    }
    const row = (what: string, xs: number[]) => console.log(`${what.padEnd(58)} n=${String(xs.length).padStart(3)}  p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms  p95 ${pct(xs, 95).toFixed(2).padStart(7)} ms`);
    row('DAP step round trip (stepIn → stopped)', step);
    row('DAP stop → variables (scopes + general registers)', vars);
  } finally {
    await c.close();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
