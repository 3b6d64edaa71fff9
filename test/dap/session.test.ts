// DAP session over the built adapter's stdio: launch and stop on entry, registers, stepping,
// breakpoints, data breakpoints, evaluate, disassemble, setVariable, pause, output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('basic'); });

async function started(extra: Record<string, unknown> = {}, setup?: (c: DapClient) => Promise<void>): Promise<DapClient> {
  const c = DapClient.spawn();
  await c.launch({ image: fx.image, ...extra }, setup ? () => setup(c) : undefined);
  return c;
}

async function regs(c: DapClient): Promise<Map<string, string>> {
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  const out = new Map<string, string>();
  for (const s of scopes) {
    const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: s.variablesReference });
    for (const v of variables) out.set(v.name, v.value);
  }
  return out;
}

async function evaluate(c: DapClient, expression: string, context = 'watch'): Promise<string> {
  return (await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, context, frameId: 0 })).result;
}

async function pc(c: DapClient): Promise<number> {
  const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
  return parseInt(stackFrames[0].instructionPointerReference!, 16);
}

describe('launch and inspect', () => {
  let c: DapClient;
  after(() => c?.close());

  test('stops on entry at 0000:7C00 with one thread "CPU 0"', async () => {
    c = DapClient.spawn();
    const stop = await c.launch({ image: fx.image });
    assert.equal(stop!.body.reason, 'entry');
    const { threads } = await c.request('threads');
    assert.deepEqual(threads, [{ id: 1, name: 'CPU 0' }]);
    const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
    assert.equal(stackFrames.length, 1);
    assert.equal(stackFrames[0].name, '0000:7C00 real');
    assert.equal(stackFrames[0].instructionPointerReference, '0x00007c00');
  });

  test('register scopes show the boot state', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    assert.deepEqual(scopes.map((s) => s.name), ['General Registers', 'Segment Registers', 'EFLAGS', 'Control Registers', 'Descriptor Tables']);
    const r = await regs(c);
    assert.equal(r.get('eip'), '0x00007c00');
    assert.equal(r.get('esp'), '0x00007c00');
    assert.equal(r.get('edx'), '0x00000080');
    assert.match(r.get('cs')!, /^0x0000 base=0x00000000 limit=0xffff ar=0x0009b/);
    assert.match(r.get('IF')!, /^0/);
  });

  test('a segment register expands into its hidden cache and decoded access rights', async () => {
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    const seg = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[1].variablesReference });
    const cs = seg.variables.find((v) => v.name === 'cs')!;
    assert.ok(cs.variablesReference > 0);
    const fields = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: cs.variablesReference });
    assert.deepEqual(fields.variables.map((v) => v.name), ['selector', 'base', 'limit', 'access rights']);
    const ar = fields.variables[3];
    const bits = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ar.variablesReference });
    const byName = new Map(bits.variables.map((v) => [v.name, v.value]));
    assert.match(byName.get('type')!, /^11 code, execute\/read, accessed/);
    assert.match(byName.get('P')!, /^1/);
    assert.match(byName.get('D/B')!, /^0/);
  });
});
