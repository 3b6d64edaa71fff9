// Frames without a listing get a virtual disassembly document (DAP source with a sourceReference):
// the source request answers it in NASM syntax with the frame's line at CS:IP, a changed block gets a
// new document (syslinux's VBR read over its MBR at 0000:7C00), gutter breakpoints in it stop at the
// line's CS:IP, and every kind of stop leaves the top frame with a source (so VS Code focuses it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { missingTools, syslinuxImage } from '../boot/images';
import { act, assemble, DapClient, type Fixture } from './dapClient';

const skip = missingTools('syslinux') ?? false;

async function frames(c: DapClient): Promise<DebugProtocol.StackFrame[]> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 })).stackFrames;
}

async function sourceText(c: DapClient, source: DebugProtocol.Source): Promise<DebugProtocol.SourceResponse['body']> {
  return c.request<DebugProtocol.SourceResponse['body']>('source', { source, sourceReference: source.sourceReference });
}

/** The top frame's document line (1-based) as text, with the frame. */
async function topLine(c: DapClient): Promise<{ frame: DebugProtocol.StackFrame; text: string; lines: string[] }> {
  const [frame] = await frames(c);
  assert.ok(frame.source?.sourceReference, `frame ${frame.name} has a disassembly source`);
  const lines = (await sourceText(c, frame.source)).content.split('\n');
  return { frame, text: lines[frame.line - 1], lines };
}

describe('virtual disassembly documents on the syslinux image (no listing)', { skip }, () => {
  let c: DapClient;
  let mbrDoc: DebugProtocol.Source;
  let mbrText = '';
  let copyDoc: DebugProtocol.Source;
  before(async () => {
    c = DapClient.spawn();
    await c.launch({ image: syslinuxImage() });
  });
  after(() => c?.close());

  test('entry: the top frame has a source whose current line is 0000:7C00, as the disassembler reads it', async () => {
    const { frame, text, lines } = await topLine(c);
    mbrDoc = frame.source!;
    assert.equal(mbrDoc.name, '0000:7C00-7DFF real');
    assert.equal(frame.column, 1);
    assert.equal(text, '0000:7C00  33c0              xor ax,ax');
    assert.equal(lines[frame.line], '0000:7C02  fa                cli');
    assert.match(lines[0], /^; 0000:7C00-0000:7DFF \(linear 00007C00\), real, 16-bit code \(CS\.D=0\)$/);
    const body = await sourceText(c, mbrDoc);
    assert.equal(body.mimeType, 'text/x-bootscope-disassembly');
    mbrText = body.content;
    // The same instructions as the Disassembly view's (the ndisasm-matching disassembler).
    const { instructions } = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', { memoryReference: '0x7c00', instructionCount: 12 });
    for (const [k, i] of instructions.entries()) {
      const [where, text] = i.instruction.split(/\s{2}/);
      assert.equal(lines[frame.line - 1 + k], `${where}  ${i.instructionBytes!.replace(/ /g, '').padEnd(16)}  ${text}`);
    }
    // The panels' request for a gate's target answers with the same document (selector 0 in real mode).
    const at = await c.request('bootscope/disassemblySource', { selector: 0, offset: 0x7c02 });
    assert.deepEqual(at, { source: { name: mbrDoc.name, sourceReference: mbrDoc.sourceReference }, line: frame.line + 1 });
    // The boot sector's zero padding before the signature is one `times` line.
    assert.match(mbrText, /^0000:7[0-9A-F]{3} {2}00 {16}times \d+ db 0x00$/m);
  });

  test('a gutter breakpoint on a later line stops at that line\'s CS:IP, in the same document', async () => {
    const lines = mbrText.split('\n');
    const jmp = lines.findIndex((l) => /jmp 0x0:0x61f$/.test(l)) + 1;
    assert.ok(jmp > 0, 'the far jump to the relocated copy');
    // A line before an instruction (a blank or header line) moves to the next instruction.
    const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: mbrDoc, breakpoints: [{ line: jmp }, { line: 2 }] });
    assert.equal(r.breakpoints[0].verified, true);
    assert.equal(r.breakpoints[0].line, jmp);
    assert.equal(r.breakpoints[0].source, undefined, 'VS Code keeps it in the document it was set in');
    assert.equal(r.breakpoints[0].instructionReference, `0x0000${lines[jmp - 1].slice(5, 9).toLowerCase()}`);
    assert.equal(r.breakpoints[1].line, 4, 'the header moves to the first instruction');
    const s = await act(c, 'continue');
    assert.equal(s.body.reason, 'breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [r.breakpoints[0].id]);
    const { frame, text } = await topLine(c);
    assert.equal(frame.source?.sourceReference, mbrDoc.sourceReference);
    assert.equal(frame.line, jmp);
    assert.equal(frame.name, `${text.slice(0, 9)} real`);
  });

  test('a step into another block opens its document; the caller frame has its own', async () => {
    const mark = c.events.length;
    await act(c, 'stepIn');
    const { frame, text } = await topLine(c);
    assert.equal(frame.name, '0000:061F real');
    assert.equal(frame.source?.name, '0000:0600-07FF real');
    assert.equal(text, '0000:061F  52                push dx');
    copyDoc = frame.source!;
    const seen = await c.waitFor('loadedSource', (e) => (e as DebugProtocol.LoadedSourceEvent).body.source.sourceReference === frame.source!.sourceReference, 5000, mark);
    assert.equal((seen as DebugProtocol.LoadedSourceEvent).body.reason, 'new');
  });

  test('the VBR read over the MBR at 7C00: a new document with the new bytes; the old one still answers', async () => {
    const mark = c.events.length;
    await c.request('setBreakpoints', { source: mbrDoc, breakpoints: [] });
    await c.request('setFunctionBreakpoints', { breakpoints: [{ name: '0000:7C00' }] });
    await act(c, 'continue');
    const [top, caller] = await frames(c);
    assert.equal(top.name, '0000:7C00 real (in call from 0000:0658)');
    assert.notEqual(top.source?.sourceReference, mbrDoc.sourceReference);
    assert.equal(top.source?.name, '0000:7C00-7DFF real v2');
    const vbr = (await sourceText(c, top.source!)).content.split('\n');
    assert.match(vbr[top.line - 1], /^0000:7C00 {2}eb[0-9a-f]{2} {14}jmp short 0x7c[0-9a-f]{2}$/);
    assert.equal((await sourceText(c, mbrDoc)).content, mbrText, 'the MBR document is unchanged');
    const removed = await c.waitFor('loadedSource', (e) => (e as DebugProtocol.LoadedSourceEvent).body.reason === 'removed', 5000, mark);
    assert.equal((removed as DebugProtocol.LoadedSourceEvent).body.source.sourceReference, mbrDoc.sourceReference);
    // The caller (the MBR's copy at 0600) is shown at its CALL, in a second version of that block:
    // mbr.bin patches its own read routine (EDD found: `mov ah,0x42; jmp short` over a `div`).
    assert.equal(caller.source?.name, '0000:0600-07FF real v2');
    const copy = (await sourceText(c, caller.source!)).content.split('\n');
    assert.match(copy[caller.line - 1], /^0000:0658 {2}e8[0-9a-f]{4} {12}call 0x6c1$/);
    assert.ok(copy.includes('0000:068D  b442              mov ah,0x42'));
    assert.ok((await sourceText(c, copyDoc)).content.split('\n').includes('0000:068D  66f736f47b        div dword [0x7bf4]'));
    // A breakpoint in a document of an earlier session (or dropped) is refused with a reason.
    const stale = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { name: 'x', sourceReference: 9999 }, breakpoints: [{ line: 4 }] });
    assert.equal(stale.breakpoints[0].verified, false);
    assert.match(stale.breakpoints[0].message!, /earlier session/);
    assert.equal((await c.raw('source', { source: { sourceReference: 9999 }, sourceReference: 9999 })).success, false);
  });
});

describe('every stop leaves the top frame with a source (NASM fixture run without its listing)', () => {
  let fx: Fixture;
  let c: DapClient;
  before(async () => {
    fx = assemble('basic');
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
  });
  after(() => c?.close());

  async function expectLine(kind: string, linear: number): Promise<void> {
    const { frame, text } = await topLine(c);
    assert.equal(frame.instructionPointerReference, `0x0000${linear.toString(16)}`, kind);
    assert.ok(text.startsWith(`0000:${linear.toString(16).toUpperCase()}  `), `${kind}: line ${frame.line} is ${text}`);
  }

  test('entry, step, data breakpoint, step back, goto and pause', async () => {
    await expectLine('entry', fx.marker('ENTRY'));
    await act(c, 'next');
    await expectLine('step', fx.marker('ENTRY') + 2);
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse['body']>('dataBreakpointInfo', { name: '0x7e00', asAddress: true, bytes: 2 });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId!, accessType: 'write' }] });
    const d = await act(c, 'continue');
    assert.equal(d.body.reason, 'data breakpoint');
    await expectLine('data breakpoint', fx.marker('AFTERWRITE'));
    await c.request('setDataBreakpoints', { breakpoints: [] });
    await act(c, 'stepBack');
    await expectLine('step back', fx.marker('WRITE'));
    // Goto a line of the document: the instruction at the marker LOOP.
    const { frame, lines } = await topLine(c);
    const loopLine = lines.findIndex((l) => l.startsWith(`0000:${fx.marker('LOOP').toString(16).toUpperCase()}`)) + 1;
    const { targets } = await c.request<DebugProtocol.GotoTargetsResponse['body']>('gotoTargets', { source: frame.source, line: loopLine });
    assert.equal(targets[0].line, loopLine);
    await act(c, 'goto', { threadId: 1, targetId: targets[0].id });
    await expectLine('goto', fx.marker('LOOP'));
    const p = c.nextStop();
    const printed = c.events.length;
    await c.request('continue', { threadId: 1 });
    // Paused once the guest has printed its message (port E9) and so reached its spin loop.
    await c.waitFor('output', (e) => (e as DebugProtocol.OutputEvent).body.output.includes('hi'), 10000, printed);
    await c.request('pause', { threadId: 1 });
    assert.equal((await p).body.reason, 'pause');
    await expectLine('pause', fx.marker('SPIN'));
  });
});

describe('mode-switch and exception stops; 32-bit code follows CS.D (fixtures run without their listings)', () => {
  test('the stop after CR0.PG=1 shows 32-bit code in a 0008 document; an exception stop shows the handler', async () => {
    const fx = assemble('paging');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image }, async () => {
        await c.request('setExceptionBreakpoints', { filters: ['mode-switch'] });
      });
      assert.equal((await act(c, 'continue')).body.reason, 'exception'); // CR0.PE=1, still in 16-bit code
      const pe = await topLine(c);
      assert.match(pe.lines[0], /, 16-bit code \(CS\.D=0\)$/);
      assert.equal((await act(c, 'continue')).body.reason, 'exception'); // CR0.PG=1, in 32-bit code
      const { frame, text, lines } = await topLine(c);
      assert.equal(frame.instructionPointerReference, `0x${fx.marker('ALIAS1').toString(16).padStart(8, '0')}`);
      assert.match(frame.source!.name!, /^0008:0000[0-9A-F]{4}-0000[0-9A-F]{4} pm32$/);
      assert.match(lines[0], /, pm32, 32-bit code \(CS\.D=1\)$/);
      assert.match(text, /^0008:0000[0-9A-F]{4} {2}c7050000070001000000 {2}mov dword \[dword 0x70000\],0x1$/);
    } finally {
      await c.close();
    }
    const ud = assemble('faults');
    const d = DapClient.spawn();
    try {
      await d.launch({ image: ud.image }, async () => {
        await d.request('setExceptionBreakpoints', { filters: ['vector-6'] });
      });
      assert.equal((await act(d, 'continue')).body.reason, 'exception');
      const { frame, text } = await topLine(d);
      assert.equal(frame.instructionPointerReference, `0x${ud.marker('HANDLER').toString(16).padStart(8, '0')}`);
      assert.match(text, /^0000:[0-9A-F]{4} {2}55 {16}push bp$/);
    } finally {
      await d.close();
    }
  });
});
