// Latency over DAP on stdio (issue 4's benchmark line): step round trip (stepIn → stopped) and
// stop → variables (stopped → scopes + the general-register variables), p50/p95 over 200 steps.
// The numbers are printed as test diagnostics; the assertions only catch gross regressions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient } from './dapClient';

let c: DapClient;
before(async () => {
  c = DapClient.spawn();
  await c.launch({ image: assemble('basic').image });
  await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x7c19' }] });
  const stop = c.nextStop();
  await c.request('continue', { threadId: 1 });
  await stop;
  await c.request('setInstructionBreakpoints', { breakpoints: [] });
});
after(() => c?.close());

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

test('step round trip and stop→variables latency', async (t) => {
  const step: number[] = [];
  const vars: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const stop = c.nextStop();
    await c.request('stepIn', { threadId: 1, granularity: 'instruction' });
    await stop;
    const t1 = performance.now();
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    await c.request('variables', { variablesReference: scopes[0].variablesReference });
    const t2 = performance.now();
    step.push(t1 - t0);
    vars.push(t2 - t1);
  }
  const line = `step round trip p50 ${pct(step, 50).toFixed(2)} ms p95 ${pct(step, 95).toFixed(2)} ms; ` +
    `stop→variables p50 ${pct(vars, 50).toFixed(2)} ms p95 ${pct(vars, 95).toFixed(2)} ms`;
  t.diagnostic(line);
  process.stdout.write(`# ${line}\n`);
  assert.ok(pct(step, 50) < 50, line);
  assert.ok(pct(vars, 50) < 200, line);
});
