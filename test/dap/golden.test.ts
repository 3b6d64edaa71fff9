// Golden transcripts (STYLE.md D9.5): the stopped state at a breakpoint (stack, every register scope
// expanded), a disassembly window and console dumps, compared with test/dap/golden/*.txt. Paths and
// ids are sanitised; regenerate with UPDATE_GOLDEN=1 after an intended change and review the diff.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture } from './dapClient';

const GOLDEN = 'test/dap/golden';
let c: DapClient;
let fx: Fixture;

function golden(name: string, text: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  const clean = text.replace(/\/tmp\/[^\s"']*\//g, '<tmp>/').replace(/\r/g, '');
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, clean);
    if (!process.env.UPDATE_GOLDEN) assert.fail(`${file} was missing and has been written: review it and run again`);
    return;
  }
  assert.equal(clean, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 to accept)`);
}

before(async () => {
  fx = assemble('basic');
  c = DapClient.spawn();
  await c.launch({ image: fx.image, listing: fx.listing });
  await c.request('setFunctionBreakpoints', { breakpoints: [{ name: 'func' }] });
  const stop = c.nextStop();
  await c.request('continue', { threadId: 1 });
  await stop;
});
after(() => c?.close());

async function dumpVars(ref: number, depth: number, out: string[]): Promise<void> {
  const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref });
  for (const v of variables) {
    const mem = v.memoryReference ? `  @${v.memoryReference}` : '';
    out.push(`${'  '.repeat(depth)}${v.name} = ${v.value}${mem}${v.evaluateName ? `  [${v.evaluateName}]` : ''}`);
    if (v.variablesReference > 0) await dumpVars(v.variablesReference, depth + 1, out);
  }
}

test('stopped state: stack and every register scope', async () => {
  const out: string[] = [];
  const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
  out.push('# stack');
  for (const f of stackFrames) out.push(`${f.name}  ip=${f.instructionPointerReference}  ${f.source?.name ?? '-'}:${f.line}`);
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  for (const s of scopes) {
    out.push(`# ${s.name}`);
    await dumpVars(s.variablesReference, 0, out);
  }
  golden('stopped-func', out.join('\n') + '\n');
});

test('disassembly window around CS:IP', async () => {
  const { instructions } = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', {
    memoryReference: `0x${fx.marker('FUNC').toString(16)}`, instructionOffset: -8, instructionCount: 16, resolveSymbols: true,
  });
  golden('disassembly-func', instructions.map((i) =>
    `${i.address}  ${(i.instructionBytes ?? '').padEnd(20)}  ${i.instruction}${i.symbol ? `  <${i.symbol}>` : ''}${i.line ? `  line ${i.line}` : ''}`).join('\n') + '\n');
});

test('console dumps', async () => {
  const out: string[] = [];
  for (const cmd of ['info mode', 'x/32b 0000:7C00', 'x/4w ss:sp', 'info idt']) {
    const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: cmd, context: 'repl' });
    out.push(`> ${cmd}`, cmd === 'info idt' ? r.result.split('\n').slice(0, 6).join('\n') : r.result);
  }
  golden('console-func', out.join('\n') + '\n');
});
