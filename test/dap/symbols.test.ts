// Symbol files (launch `symbols`, `--symbols`): a NASM program built at test time with
// `nasm -f elf32` + `ld -m elf_i386 -Ttext 0x7c00 -Map`, its `nm` output and a Bochs ldsym file made
// from it. The parsers agree with nm; `bootscope disasm` labels the symbols' addresses and names branch
// targets; `run --trace` names each instruction's place; a DAP session stops on a function breakpoint
// given by name and names its frames after the symbols; gdbserver's monitor takes the names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { detectSymbolFormat, parseSymbolFile, SymbolFileError, SymbolTable } from '../../emulator/debug/symbols';
import { loadSymbolFile } from '../../host/symbolFiles';
import { act, CLI, DapClient, pc } from './dapClient';
import { startGdbServer } from '../../debug-adapter/gdb/server';
import { hexToText, textToHex } from '../../debug-adapter/gdb/packet';
import { launch } from '../../debug-adapter/launch';
import { RawClient } from '../gdb/gdbFixture';

const SOURCE = `bits 16
global _start
global print
global msg
section .text
_start:
  xor ax, ax
  mov ds, ax
  mov cx, 2
.again:
  mov si, msg
  call print
  loop .again
  cli
  hlt
print:
  lodsb
  test al, al
  jz .done
  out 0xe9, al
  jmp print
.done:
  ret
COUNT equ 5
msg: db "hi", 0
  times 510-($-$$) db 0
  dw 0xaa55
`;

let dir = '';
let image = '', map = '', nmFile = '', ldsym = '';
/** nm's own view: name → address, for the symbols that name an address (not `a` absolute). */
const nm = new Map<string, number>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootscope-symbols-'));
  const p = (f: string) => join(dir, f);
  writeFileSync(p('boot.asm'), SOURCE);
  execFileSync('nasm', ['-f', 'elf32', p('boot.asm'), '-o', p('boot.o')]);
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '-Map', p('boot.map'), '-o', p('boot.elf'), p('boot.o')]);
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', p('boot.elf'), p('boot.img')]);
  const nmText = execFileSync('nm', [p('boot.elf')], { encoding: 'utf8' });
  writeFileSync(p('boot.nm'), nmText);
  const ldsymLines: string[] = [];
  for (const line of nmText.trim().split('\n')) {
    const [addr, type, name] = line.trim().split(/\s+/);
    if (type === 'a') continue;
    nm.set(name, parseInt(addr, 16));
    ldsymLines.push(`0x${addr} ${name}`);
  }
  writeFileSync(p('boot.sym'), ldsymLines.join('\n') + '\n');
  [image, map, nmFile, ldsym] = [p('boot.img'), p('boot.map'), p('boot.nm'), p('boot.sym')];
});

after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => `0x${n.toString(16)}`;
const h4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('symbol files', () => {
  test('the parsers read ld -Map, nm and ldsym files as nm sees the program', () => {
    assert.ok(nm.has('print') && nm.has('_start.again') && nm.has('print.done') && !nm.has('COUNT'), [...nm.keys()].join(' '));
    const read = (f: string) => readFileSync(f, 'utf8');
    const fromNm = parseSymbolFile(read(nmFile), 'boot.nm');
    assert.equal(fromNm.format, 'nm');
    assert.deepEqual(new Map(fromNm.symbols.map((s) => [s.name, s.address])), nm, 'every address nm names, absolute ones left out');
    const fromLdsym = parseSymbolFile(read(ldsym), 'boot.sym');
    assert.equal(fromLdsym.format, 'ldsym');
    assert.deepEqual(new Map(fromLdsym.symbols.map((s) => [s.name, s.address])), nm);
    // A map file lists the global symbols only: each where nm has it.
    const fromMap = parseSymbolFile(read(map), 'boot.map');
    assert.equal(fromMap.format, 'ld map');
    assert.deepEqual(fromMap.symbols.map((s) => s.name).sort(), ['_start', 'msg', 'print']);
    for (const s of fromMap.symbols) assert.equal(s.address, nm.get(s.name), s.name);
    // FILE@OFFSET relocates every address.
    assert.equal(loadSymbolFile(`${ldsym}@0x10000`).symbols.find((s) => s.name === 'print')?.address, nm.get('print')! + 0x10000);
  });

  test('anything unparsable is an error naming the file and the line', () => {
    const bad = (text: string, message: RegExp) => assert.throws(() => parseSymbolFile(text, 'f.sym'), (e: Error) => e instanceof SymbolFileError && message.test(e.message));
    bad('7c00 start\n7c10 a b c\n', /^f\.sym:2: not an ldsym line/);
    bad('00007c00 T start\nzz\n', /^f\.sym:2: not an nm line/);
    bad('\n\nhello world again\n', /^f\.sym:3: not a symbol file/);
    bad('100007c00 start\n', /^f\.sym:1: address 0x100007c00 is beyond 4 GiB/);
    bad('', /^f\.sym: empty/);
    bad('00000005 a COUNT\n', /^f\.sym: no symbols in this nm file$/);
    assert.equal(detectSymbolFormat('\x7fELF\x01\x01'), null);
    const r = cli('disasm', image, '--symbols', join(dir, 'boot.asm'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^bootscope disasm: .*boot\.asm:1: not a symbol file/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('the table names addresses: exact, name+0x12, globals before locals', () => {
    const t = new SymbolTable([{ name: '.loop', address: 0x7c10 }, { name: 'main', address: 0x7c10 }, { name: 'start', address: 0x7c00 }]);
    assert.equal(t.at(0x7c10), 'main');
    assert.equal(t.nearest(0x7c12), 'main+0x2');
    assert.equal(t.nearest(0x7c0f), 'start+0xf');
    assert.equal(t.nearest(0x7bff), undefined);
    assert.equal(t.nearest(0x17c10), undefined, 'beyond 64 KiB');
    assert.equal(t.lookup('.loop'), 0x7c10);
  });

  test('bootscope disasm: name: labels at symbol addresses, name+0x.. after branches', () => {
    for (const file of [nmFile, ldsym]) {
      const r = cli('disasm', image, '--org', '0x7c00', '--symbols', file);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      for (const [name, address] of nm) {
        if (address >= 0x7e00) continue;
        const i = lines.indexOf(`${name}:`);
        assert.ok(i >= 0, `${name}: in ${file}`);
        assert.ok(lines[i + 1].startsWith(address.toString(16).padStart(8, '0') + '  '), lines[i + 1]);
      }
      assert.ok(lines.some((l) => l.endsWith(`  call ${hex(nm.get('print')!)} ; print`)), 'call');
      assert.ok(lines.some((l) => l.endsWith(`  loop ${hex(nm.get('_start.again')!)} ; _start.again`)), 'loop');
      assert.ok(lines.some((l) => l.endsWith(`  jz ${hex(nm.get('print.done')!)} ; print.done`)), 'jz');
    }
    // The same bytes without symbols: no label, no comment.
    assert.doesNotMatch(cli('disasm', image, '--org', '0x7c00').stdout, /:\n|;/);
  });

  test('bootscope run: --until by name, trace lines name their place', () => {
    const trace = join(dir, 'trace.jsonl');
    const r = cli('run', image, '--symbols', map, '--until', 'print', '--trace', trace, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).registers.eip, nm.get('print'));
    const syms = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l).sym);
    assert.deepEqual(syms, ['_start', '_start+0x2', '_start+0x4', '_start+0x7', '_start+0xa']);
    const bad = cli('run', image, '--symbols', map, '--until', 'nosuch');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--until: 'nosuch' is not an address \(SSSS:OOOO, 0xNNNN or a name of --symbols\)/);
  });

  test('DAP: a function breakpoint by name, frames and disassembly named after symbols, names in expressions', async () => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image, symbols: [map, ldsym] });
      assert.match(c.output(), /symbols .*boot\.map: 3 symbols \(ld map\)/);
      const r = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', { breakpoints: [{ name: 'print' }] });
      assert.equal(r.breakpoints[0].verified, true);
      assert.equal(r.breakpoints[0].instructionReference, `0x0000${nm.get('print')!.toString(16)}`);
      const s = await act(c, 'continue');
      assert.equal(s.body.reason, 'function breakpoint');
      assert.equal(await pc(c), nm.get('print'));
      const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
      // The call is the second instruction after .again (mov si, imm16 is 3 bytes).
      const call = nm.get('_start.again')! + 3;
      assert.equal(stackFrames[0].name, `print (0000:${h4(nm.get('print')!)} real) (in call from 0000:${h4(call)})`);
      assert.equal(stackFrames[1].name, `_start.again+0x3 (0000:${h4(call)} real)`, 'the local label of the ldsym file is nearer');
      const d = await c.request<DebugProtocol.DisassembleResponse['body']>('disassemble', { memoryReference: hex(nm.get('print')!), instructionCount: 7 });
      const bySymbol = new Map(d.instructions.filter((i) => i.symbol).map((i) => [i.symbol, parseInt(i.address, 16)]));
      assert.deepEqual(bySymbol, new Map([['print', nm.get('print')], ['print.done', nm.get('print.done')], ['msg', nm.get('msg')]]));
      const branches = d.instructions.map((i) => i.instruction).filter((t) => t.includes(' ; '));
      assert.deepEqual(branches, [
        `0000:${h4(nm.get('print')! + 3)}  jz ${hex(nm.get('print.done')!)} ; print.done`,
        `0000:${h4(nm.get('print')! + 7)}  jmp short ${hex(nm.get('print')!)} ; print`,
      ]);
      const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'x/3b msg', context: 'repl' });
      assert.equal(ev.result, `0000${nm.get('msg')!.toString(16).toUpperCase()}  68 69 00`);
    } finally {
      await c.close();
    }
  });

  test('gdbserver: monitor expressions take the names of --symbols files', async () => {
    const server = await startGdbServer(launch({ image, symbols: [nmFile] }), { port: 0, log: () => {}, guestOutput: () => {} });
    const g = await RawClient.open(server.port);
    try {
      const answer = hexToText(await g.ask(`qRcmd,${textToHex('x/3b msg')}`));
      assert.equal(answer?.trim(), `0000${nm.get('msg')!.toString(16).toUpperCase()}  68 69 00`);
    } finally {
      g.close();
      server.close();
    }
  });

  test('DAP: an unparsable symbol file fails the launch naming the file and line', async () => {
    const bad = join(dir, 'bad.sym');
    writeFileSync(bad, '0x7c00 start\nnot a symbol line\n');
    const c = DapClient.spawn();
    try {
      await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path' });
      const r = await c.raw('launch', { type: 'bootscope', request: 'launch', image, symbols: bad });
      assert.equal(r.success, false);
      assert.match(r.message ?? '', /'symbols': .*bad\.sym:2: not an ldsym line/);
    } finally {
      await c.close();
    }
  });
});
