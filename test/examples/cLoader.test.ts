// The c-loader example (C built with gcc -m16 / -m32 and NASM with -F dwarf, linked by ld, run as a
// flat image) debugged by source line over DAP, with its ELF as launch `symbols`: a breakpoint on a C
// line hits, the stack shows C and asm sources and function names, next/stepIn move by line (over and
// into calls, past a prologue), through the asm switch to protected mode into the 32-bit C code.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { act, DapClient, repl } from '../dap/dapClient';
import { EXAMPLES_DIR, image, NO_NASM } from './helpers';

const SRC = join(EXAMPLES_DIR, 'c-loader');
const src = (f: string) => join(SRC, f);

/** The line of `file` tagged `#NAME` (in a C or asm comment). */
function line(file: string, name: string): number {
  const i = readFileSync(src(file), 'utf8').split('\n').findIndex((l) => new RegExp(`#${name}\\b`).test(l));
  assert.ok(i >= 0, `${file} has no #${name}`);
  return i + 1;
}

async function top(c: DapClient): Promise<DebugProtocol.StackFrame[]> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 })).stackFrames;
}

async function at(c: DapClient, file: string, ln: number, fn?: string): Promise<DebugProtocol.StackFrame[]> {
  const frames = await top(c);
  assert.equal(frames[0].source?.path, src(file), JSON.stringify(frames[0]));
  assert.equal(frames[0].line, ln, JSON.stringify(frames[0]));
  if (fn) assert.match(frames[0].name, new RegExp(`^${fn} \\(`), frames[0].name);
  return frames;
}

describe('c-loader over DAP: source-level C and nasm -F dwarf', { skip: NO_NASM }, () => {
  const clients: DapClient[] = [];
  after(async () => { for (const c of clients) await c.close(); });
  const start = async (setup: (c: DapClient) => Promise<void>) => {
    const c = DapClient.spawn();
    clients.push(c);
    await c.launch({ image: image('c-loader'), symbols: join(SRC, '..', 'build', 'c-loader.elf') }, () => setup(c));
    return c;
  };

  test('a breakpoint on a C line hits; next and stepIn move by line, into the asm switch and the 32-bit C', async () => {
    let bp: DebugProtocol.Breakpoint[] = [];
    const c = await start(async (cl) => {
      bp = (await cl.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [{ line: line('stage16.c', 'COUNT') }, { line: 1 }, { line: 999 }] })).breakpoints;
    });
    assert.equal(bp[0].verified, true);
    assert.equal(bp[0].line, line('stage16.c', 'COUNT'));
    // Line 1 is a comment: the breakpoint moves to the first line with code (put's opening line).
    assert.equal(bp[1].verified, true);
    assert.ok(bp[1].line! > 1);
    assert.equal(bp[2].verified, false);
    assert.match(bp[2].message ?? '', /no code at or after line 999 of stage16\.c in the DWARF line table of c-loader\.elf/);
    assert.match(c.output(), /c-loader\.elf: \d+ symbols \(elf; DWARF [\d/]+: 4 source files/);

    // configurationDone stopped at entry; the breakpoint on put's line is hit first (puts16 → put).
    await c.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [{ line: line('stage16.c', 'COUNT') }] });
    const hit = await act(c, 'continue');
    assert.equal(hit.body.reason, 'breakpoint');
    const frames = await at(c, 'stage16.c', line('stage16.c', 'COUNT'), 'cmain16');
    // The caller: the MBR's `call dword cmain16`, an asm line of the same line table.
    assert.equal(frames[1].source?.path, src('mbr.asm'));
    assert.equal(frames[1].line, line('mbr.asm', 'CALL_C'));

    // next: one C line; step back (the recording) returns to the line before, next goes forward again.
    assert.equal((await act(c, 'next')).body.reason, 'step');
    await at(c, 'stage16.c', line('stage16.c', 'DRIVE'), 'cmain16');
    await act(c, 'stepBack');
    await at(c, 'stage16.c', line('stage16.c', 'COUNT'), 'cmain16');
    assert.equal(await repl(c, 'counter'), '0');
    await act(c, 'next');
    await at(c, 'stage16.c', line('stage16.c', 'DRIVE'), 'cmain16');
    assert.equal(await repl(c, 'counter'), '1');
    await act(c, 'next');
    await at(c, 'stage16.c', line('stage16.c', 'DRIVE') + 1);
    // An instruction step (the Disassembly view's granularity) stays on the line; a line step from the
    // middle of it steps over the call to checksum (a whole loop) to the next line.
    await act(c, 'next', { threadId: 1, granularity: 'instruction' });
    await at(c, 'stage16.c', line('stage16.c', 'DRIVE') + 1);
    await act(c, 'next');
    await at(c, 'stage16.c', line('stage16.c', 'DRIVE') + 2);
    await act(c, 'next');
    await at(c, 'stage16.c', line('stage16.c', 'ENTER_PM'));

    // stepIn: into pm.asm (nasm -F dwarf), then line by line across mov cr0 and the far jump to 32-bit code.
    await act(c, 'stepIn');
    await at(c, 'pm.asm', line('pm.asm', 'PE_ON') - 4);
    for (let l = line('pm.asm', 'PE_ON') - 3; l <= line('pm.asm', 'PE_ON') + 1; l++) {
      await act(c, 'next');
      await at(c, 'pm.asm', l);
    }
    await act(c, 'next');
    const pm = await at(c, 'pm.asm', line('pm.asm', 'PM32'));
    assert.match(pm[0].name, /^pm32 \(0008:7E18 pm32\)/);
    for (let i = 0; i < 5; i++) await act(c, 'next');
    await at(c, 'pm.asm', line('pm.asm', 'PM32') + 5);
    // `call cmain32`: stepIn stops in the 32-bit C function past its prologue, on its first body line.
    await act(c, 'stepIn');
    await at(c, 'stage32.c', line('stage32.c', 'STAGE32'), 'cmain32');
    await act(c, 'next');
    await at(c, 'stage32.c', line('stage32.c', 'COUNT32'), 'cmain32');
    // stepIn on a line without calls is next; on `puts32(...)` it enters puts32's body.
    await act(c, 'stepIn');
    await act(c, 'stepIn');
    const inPuts = await top(c);
    assert.match(inPuts[0].name, /^puts32 \(/);
    assert.equal(inPuts[0].source?.path, src('stage32.c'));
    assert.equal(inPuts[1].source?.path, src('stage32.c'));
    assert.equal(inPuts[1].line, line('stage32.c', 'COUNT32') + 1);
    // stepOut returns to the caller's line.
    await act(c, 'stepOut');
    await at(c, 'stage32.c', line('stage32.c', 'COUNT32') + 1, 'cmain32');
  });

  test('C variables: globals by name, locals of the frame and of its caller (through .debug_frame), members, pointers', async () => {
    const c = await start(async (cl) => {
      await cl.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [{ line: line('stage16.c', 'SUM') }] });
    });
    const mbr = readFileSync(image('c-loader')).subarray(0, 512);
    assert.equal((await act(c, 'continue')).body.reason, 'breakpoint');
    await at(c, 'stage16.c', line('stage16.c', 'SUM'), 'checksum');
    const value = async (expression: string, frameId = 0) =>
      (await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId, context: 'watch' })).result;
    // First hit: i = 0, sum = 0; the parameters as cmain16 passed them.
    assert.equal(await value('i'), '0');
    assert.equal(await value('sum'), '0');
    assert.equal(await value('n'), '512');
    assert.equal(await value('p'), '0x00007c00');
    // The MBR starts with cli (FA) and xor ax, ax (31 C0): chars show their character or escape.
    assert.deepEqual([mbr[0], mbr[1]], [0xfa, 0x31]);
    assert.equal(await value('*p'), `250 '\\xfa'`);
    assert.equal(await value('p[1]'), `49 '1'`);
    await act(c, 'continue');
    assert.equal(await value('i'), '1');
    assert.equal(await value('sum'), String(mbr[0]));
    // Globals: counter was set, info.drive too (the BIOS's boot drive, 80h); struct members by name.
    assert.equal(await value('counter'), '1');
    assert.equal(await value('info.drive'), `128 '\\x80'`);
    assert.equal(await value('info'), `{drive = 128 '\\x80', mbr_sum = 0, stage = 0}`);
    // The caller's frame: cmain16's local `greeting`, found from checksum's CFA, and what it points at.
    assert.equal(await value('*greeting', 1), `114 'r'`);
    const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
    assert.deepEqual(scopes.slice(0, 2).map((x) => x.name), ['Locals', 'Globals']);
    const locals = (await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[0].variablesReference })).variables;
    assert.deepEqual(locals.map((v) => `${v.name}: ${v.type} = ${v.value}`),
      ['p: const unsigned char * = 0x00007c00', 'n: short unsigned int = 512', 'sum: short unsigned int = 250', 'i: short unsigned int = 1']);
    const globals = (await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[1].variablesReference })).variables;
    const info = globals.find((v) => v.name === 'info')!;
    assert.equal(info.type, 'struct boot_info');
    const members = (await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: info.variablesReference })).variables;
    assert.deepEqual(members.map((v) => v.name), ['drive', 'mbr_sum', 'stage']);
    const caller = (await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 1 })).scopes;
    const callerLocals = (await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: caller[0].variablesReference })).variables;
    assert.deepEqual(callerLocals.map((v) => v.name), ['greeting']);
    // A data breakpoint on a C global watches its bytes.
    const dbi = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: 'counter' });
    assert.match(dbi.description, /^2 bytes at linear 0x/);
    assert.match((await c.raw('evaluate', { expression: 'info.nothing', frameId: 0, context: 'watch' })).message ?? '', /struct boot_info has no member nothing/);
  });

  test('next over a call stops at a breakpoint inside it; stepOut and next return to the caller', async () => {
    const c = await start(async (cl) => {
      await cl.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [{ line: line('stage16.c', 'HELLO') }] });
    });
    await act(c, 'continue');
    await at(c, 'stage16.c', line('stage16.c', 'HELLO'), 'cmain16');
    await c.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [{ line: line('stage16.c', 'PUT') }] });
    const inside = await act(c, 'next');
    assert.equal(inside.body.reason, 'breakpoint');
    const frames = await at(c, 'stage16.c', line('stage16.c', 'PUT'), 'put');
    assert.match(frames[1].name, /^puts16 \(/);
    assert.equal(await repl(c, 'c'), `114 'r'`);
    await c.request('setBreakpoints', { source: { path: src('stage16.c') }, breakpoints: [] });
    // next from inside put runs out of it: the stop is in puts16, the caller.
    await act(c, 'next');
    await act(c, 'next');
    assert.match((await top(c))[0].name, /^puts16 \(/);
    await act(c, 'stepOut');
    await at(c, 'stage16.c', line('stage16.c', 'HELLO'), 'cmain16');
    await act(c, 'next');
    await at(c, 'stage16.c', line('stage16.c', 'COUNT'), 'cmain16');
    assert.match(c.output(), /real mode: C says hello/);
  });

  test('source breakpoints in a file the DWARF does not have; goto targets and stepIn over the BIOS in asm', async () => {
    let bp: DebugProtocol.Breakpoint[] = [];
    const c = await start(async (cl) => {
      bp = (await cl.request('setBreakpoints', { source: { path: '/nowhere/other.c' }, breakpoints: [{ line: 3 }] })).breakpoints;
    });
    assert.equal(bp[0].verified, false);
    assert.match(bp[0].message ?? '', /no NASM listing or DWARF line table for \/nowhere\/other\.c/);
    const { targets } = await c.request('gotoTargets', { source: { path: src('mbr.asm') }, line: line('mbr.asm', 'LOAD') });
    assert.equal(targets.length, 1);
    assert.equal(targets[0].line, line('mbr.asm', 'LOAD'));
    // stepIn on `int 0x13` (an asm line of nasm -F dwarf): the BIOS has no lines, so it runs to its return.
    await c.request('setBreakpoints', { source: { path: src('mbr.asm') }, breakpoints: [{ line: line('mbr.asm', 'LOAD') }] });
    await act(c, 'continue');
    await at(c, 'mbr.asm', line('mbr.asm', 'LOAD'));
    assert.equal((await act(c, 'stepIn')).body.reason, 'step');
    await at(c, 'mbr.asm', line('mbr.asm', 'LOAD') + 1);
  });
});
