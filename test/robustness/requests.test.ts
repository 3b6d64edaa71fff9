// Every request argument is checked, with a bound and a clear message (issue 14): arguments that
// made the adapter run for seconds, take hundreds of MiB, overflow the stack or answer with a
// JavaScript TypeError now get one line naming the field, at once, and the session goes on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble, DapClient, type Fixture, repl } from '../dap/dapClient';

let fx: Fixture;
before(() => { fx = assemble('basic'); });

/** What a JavaScript error that escaped a handler looks like in a message. */
const JS_ERROR = /Cannot read prop|is not a function|is not iterable|undefined|TypeError|call stack/;

describe('request arguments', () => {
  let c: DapClient;
  after(() => c?.close());

  /** Sends a request that must fail fast with a message matching `want` (and no JavaScript error text). */
  async function refused(command: string, args: unknown, want: RegExp): Promise<void> {
    const t0 = performance.now();
    const r = await c.raw(command, args);
    const ms = performance.now() - t0;
    assert.equal(r.success, false, `${command} should fail`);
    assert.match(r.message ?? '', want);
    assert.doesNotMatch(r.message ?? '', JS_ERROR);
    assert.ok(ms < 1000, `${command} answered in ${ms.toFixed(0)} ms`);
  }

  test('launch', async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
  });

  test('disassemble: a huge instructionOffset or count is refused at once', async () => {
    await refused('disassemble', { memoryReference: '0x7c00', instructionOffset: 1e6, instructionCount: 10 }, /disassemble: 'instructionOffset' must be an integer from -4096 to 4096/);
    await refused('disassemble', { memoryReference: '0x7c00', instructionCount: 1e7 }, /'instructionCount' must be an integer from 0 to 4096/);
    await refused('disassemble', { memoryReference: '0x7c00', instructionOffset: 1.5, instructionCount: 1 }, /'instructionOffset' must be an integer/);
    const ok = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', { memoryReference: '0x7c00', instructionOffset: 4096, instructionCount: 4 });
    assert.equal(ok.instructions.length, 4);
  });

  test('setDataBreakpoints: a dataId with a huge length is refused per breakpoint', async () => {
    const t0 = performance.now();
    const r = await c.request<DebugProtocol.SetDataBreakpointsResponse['body']>('setDataBreakpoints', {
      breakpoints: [{ dataId: '7e00/4294967295' }, { dataId: '7e00/2' }],
    });
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(r.breakpoints[0].verified, false);
    assert.match(r.breakpoints[0].message ?? '', /1 to 1048576 bytes/);
    assert.equal(r.breakpoints[1].verified, true);
    await c.request('setDataBreakpoints', { breakpoints: [] });
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0x7e00', asAddress: true, bytes: 1 << 20 });
    assert.equal(info.dataId, '7e00/1048576');
    await refused('dataBreakpointInfo', { name: '0x7e00', asAddress: true, bytes: 1e12 }, /'bytes' must be an integer from 1 to 1048576/);
  });

  test('typeKeys: a million characters are refused; the keyboard queue is bounded', async () => {
    await refused('bootscope/typeKeys', { text: 'a'.repeat(1_000_000) }, /'text' is 1000000 characters long; at most 4096/);
    await refused('bootscope/typeKeys', { text: 42 }, /bootscope\/typeKeys: 'text' must be a string \(got 42\)/);
    await refused('bootscope/typeKeys', { text: '\\{NoSuchKey}' }, /cannot type that/);
    let full: DebugProtocol.Response | null = null;
    for (let i = 0; i < 8 && !full; i++) {
      const r = await c.raw('bootscope/typeKeys', { text: 'b'.repeat(4096) });
      if (!r.success) full = r;
    }
    assert.ok(full, 'the queue fills up');
    assert.match(full.message ?? '', /the keyboard queue holds \d+ keystrokes the guest has not read yet; at most 16384/);
  });

  test('console commands with bad numbers say what is wrong', async () => {
    await assert.rejects(repl(c, 'record budget -1'), /record budget: give a whole number of MiB from 1 to 65536, not '-1'/);
    await assert.rejects(repl(c, 'record budget 99999999'), /from 1 to 65536/);
    await assert.rejects(repl(c, 'goto -5'), /goto: give an instruction count \(a whole number\), not '-5'/);
    await assert.rejects(repl(c, 'goto'), /goto: give an instruction count/);
    await assert.rejects(repl(c, 'last write 0x7e00 99999999'), /last write: the length must be 1 to 1048576 bytes/);
    assert.match(await repl(c, 'record budget 64'), /of 64 MiB/);
  });

  test('missing or mistyped arguments name the field instead of a TypeError', async () => {
    await refused('evaluate', {}, /^evaluate: 'expression' must be a string \(got nothing\)$/);
    await refused('evaluate', { expression: 'x'.repeat(5000) }, /'expression' is 5000 characters long; at most 4096/);
    await refused('setBreakpoints', {}, /^setBreakpoints: 'source' must be an object \(got nothing\)$/);
    await refused('setBreakpoints', { source: { path: 'a.asm' }, breakpoints: [{ line: 'x' }] }, /'breakpoints\[0\]\.line' must be an integer/);
    await refused('setFunctionBreakpoints', { breakpoints: null }, /'breakpoints' must be a list/);
    await refused('setInstructionBreakpoints', { breakpoints: [{}] }, /'breakpoints\[0\]\.instructionReference' must be a string/);
    await refused('setExceptionBreakpoints', { filters: 'all' }, /'filters' must be a list/);
    await refused('readMemory', { memoryReference: '0x7c00', count: 1e9 }, /'count' must be an integer from 0 to 1048576/);
    await refused('writeMemory', { memoryReference: '0x7e00', data: 'not base64!' }, /'data' is not base64/);
    await refused('variables', { variablesReference: -1 }, /'variablesReference' must be an integer/);
    await refused('setVariable', { variablesReference: 1, name: 'eax' }, /'value' must be a string/);
    await refused('stepBack', { threadId: 1, granularity: 'sideways' }, /'granularity' must be one of statement, line, instruction/);
    await refused('goto', { threadId: 1 }, /'targetId' must be an integer/);
    await refused('completions', { text: 'a' }, /'column' must be an integer/);
    await refused('bootscope/gotoInstruction', { instruction: 'soon' }, /'instruction' must be an integer/);
    await refused('bootscope/readTimeline', { profile: 'raw', from: 'x' }, /'from' must be a number/);
    await refused('bootscope/findCheckFailureStart', {}, /'profile' must be a string/);
    await refused('bootscope/readDescriptorTable', { table: 'gdt', max: -1 }, /'max' must be an integer from 0 to 8192/);
  });

  test('the session is still alive and answers normally', async () => {
    assert.equal(await repl(c, 'cs'), '0x0000');
    const t = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
    assert.equal(t.threads.length, 1);
  });
});
