// @tier full
// Debian's gdb in batch mode against `bootscope gdbserver` (the CLI bundle): on a NASM fixture with
// its ELF symbols — x/3i at 0x7C00 in 16-bit code, break, continue, stepi, watch, reverse-stepi,
// reverse-finish, reverse-continue to a watchpoint, the start of history, monitor commands — and on
// the syslinux image (MBR → VBR) with no symbols at all; on the c-loader example with its ELF, at C
// source lines (break, next, bt, print of C globals).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../dap/dapClient';
import { missingTools, syslinuxImage } from '../boot/images';
import { assembleElf, gdbBatch, h } from './gdbFixture';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR, image } from '../examples/helpers';

/** Starts `bootscope gdbserver IMAGE --port 0` and resolves with the port it listens on. */
function startServer(image: string): Promise<{ proc: ChildProcess; port: number; stderr: () => string }> {
  const proc = spawn(process.execPath, [CLI, 'gdbserver', image, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no listening line: ${err}`)), 20_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) {
        clearTimeout(t);
        res({ proc, port: +m[1], stderr: () => err });
      }
    });
    proc.on('exit', (code) => rej(new Error(`gdbserver exited (${code}): ${err}`)));
  });
}

/** The values of `printf "TAG=%x\n"` lines, by tag, in order. */
function tagged(out: string, tag: string): string[] {
  return [...out.matchAll(new RegExp(`^${tag}=(\\S+)$`, 'gm'))].map((m) => m[1]);
}

describe('gdb against bootscope gdbserver', () => {
  const procs: ChildProcess[] = [];
  after(() => { for (const p of procs) if (p.exitCode === null) p.kill(); });

  test('a NASM fixture with its ELF symbols: break, step, watch and every reverse command', async () => {
    const fx = assembleElf('calls');
    const s = await startServer(fx.image);
    procs.push(s.proc);
    const at = (tag: string) => `printf "${tag}=%x\\n", $pc`;
    const out = await gdbBatch([
      `file ${fx.elf}`,
      'set architecture i8086',
      `target remote 127.0.0.1:${s.port}`,
      at('entry'),
      'x/3i 0x7c00',
      `break *${h(fx.marker('AFTERBUMP'))}`,
      'continue', at('bp1'),
      'stepi', at('step'),
      'continue', 'printf "cx2=%x\\n", $cx',
      'reverse-stepi', at('rstep'),
      'reverse-finish', at('rfinish'), 'printf "cxf=%x\\n", $cx',
      'delete',
      `watch *(short*)${h(fx.marker('COUNTER'))}`,
      'reverse-continue', at('rwatch'), `printf "counter=%x\\n", *(short*)${h(fx.marker('COUNTER'))}`,
      'continue', at('fwatch'),
      'delete',
      `monitor break 0000:${fx.marker('LAST').toString(16).toUpperCase()}`,
      'continue', at('mbreak'),
      'monitor mode',
      'monitor info gdt',
      `monitor last write ${h(fx.marker('COUNTER'))} 2`,
      'maint flush register-cache', at('lastwrite'),
      'monitor goto 1',
      'maint flush register-cache', at('goto'),
      'reverse-stepi', at('start'),
      'reverse-stepi',
      'kill',
    ]);
    assert.deepEqual(tagged(out, 'entry'), ['7c00']);
    assert.match(out, /=> 0x7c00 <start>:\s+xor\s+%ax,%ax\n\s+0x7c02 <start\+2>:\s+mov\s+%ax,%ds\n\s+0x7c04 <start\+4>:\s+mov\s+%ax,%ss/);
    assert.deepEqual(tagged(out, 'bp1'), [fx.marker('AFTERBUMP').toString(16)]);
    assert.match(out, /Breakpoint 1, bump \(\)/);
    assert.deepEqual(tagged(out, 'step'), [(fx.marker('AFTERBUMP') + 1).toString(16)], 'stepi: the RET after the NOP');
    assert.deepEqual(tagged(out, 'cx2'), ['2'], 'second call');
    assert.deepEqual(tagged(out, 'rstep'), [fx.marker('BUMP').toString(16)], 'reverse-stepi: back over the INC');
    assert.deepEqual(tagged(out, 'rfinish'), [fx.marker('CALL').toString(16)], 'reverse-finish: the CALL of the second call');
    assert.deepEqual(tagged(out, 'cxf'), ['2']);
    // Back from the second CALL, the last write to the counter is the first call's INC: gdb stops before it.
    assert.match(out, /Hardware watchpoint 2: \*\(short\*\)0x[0-9a-f]+\n\nOld value = 1\nNew value = 0\n/);
    assert.deepEqual(tagged(out, 'rwatch'), [fx.marker('BUMP').toString(16)]);
    assert.deepEqual(tagged(out, 'counter'), ['0']);
    assert.match(out, /Old value = 0\nNew value = 1\n/, 'forward again: the same INC');
    assert.deepEqual(tagged(out, 'fwatch'), [fx.marker('AFTERBUMP').toString(16)]);
    assert.deepEqual(tagged(out, 'mbreak'), [fx.marker('LAST').toString(16)]);
    assert.match(out, new RegExp(`real at 0000:${fx.marker('LAST').toString(16).toUpperCase()} \\(linear 0x0000${fx.marker('LAST').toString(16)}\\)`));
    assert.match(out, /GDT base=0x00000000/);
    // Stopped before the MOV at #LAST, the last write to the counter is the third call's INC.
    assert.match(out, new RegExp(`instruction \\d+ at 0000:${fx.marker('BUMP').toString(16).toUpperCase()} wrote`));
    assert.deepEqual(tagged(out, 'lastwrite'), [fx.marker('BUMP').toString(16)]);
    assert.deepEqual(tagged(out, 'goto'), ['7c02']);
    assert.deepEqual(tagged(out, 'start'), ['7c00']);
    assert.match(out, /No more reverse-execution history\.\n/);
    assert.doesNotMatch(out, /Remote connection closed|Remote failure|internal error/);
  });

  test('the syslinux image: x/3i, break at the relocated MBR, stepi, reverse-continue to the INT 13h that loaded the VBR', { skip: missingTools('syslinux') ?? false }, async () => {
    const s = await startServer(syslinuxImage());
    procs.push(s.proc);
    const at = (tag: string) => `printf "${tag}=%x\\n", $pc`;
    const out = await gdbBatch([
      `target remote 127.0.0.1:${s.port}`,
      'x/3i 0x7c00',
      'break *0x61f',
      'continue', at('reloc'),
      'stepi', at('step'),
      'delete',
      'monitor break 0000:7C00',
      'continue', at('vbr'),
      'x/1i $pc',
      'reverse-stepi', at('back'),
      'watch *(short*)0x7c00',
      'reverse-continue', at('int13'), 'x/1i $pc', 'printf "ah=%x\\n", $ah',
      'continue', at('loaded'),
      'kill',
    ], 120_000);
    // Debian's mbr.bin (syslinux 6.04) in 16-bit code, as ndisasm shows it.
    assert.match(out, /=> 0x7c00:\s+xor\s+%ax,%ax\n\s+0x7c02:\s+cli\s*\n\s+0x7c03:\s+mov\s+%ax,%ds/);
    assert.deepEqual(tagged(out, 'reloc'), ['61f']);
    assert.equal(tagged(out, 'step').length, 1);
    assert.notEqual(tagged(out, 'step')[0], '61f');
    assert.deepEqual(tagged(out, 'vbr'), ['7c00']);
    assert.match(out, /=> 0x7c00:\s+jmp\s+0x7c5a/, "the VBR's first instruction");
    assert.match(tagged(out, 'back')[0] ?? '', /^[67][0-9a-f]{2}$/, 'back in the relocated MBR');
    // Before the INT 13h that read the VBR over the MBR: gdb sees the MBR's bytes come back.
    assert.match(out, /Old value = 22763\nNew value = -16333\n/);
    assert.match(out, /=> 0x[0-9a-f]+:\s+int\s+\$0x13/);
    assert.match(out, /Old value = -16333\nNew value = 22763\n/, 'forward again over the same read');
    assert.doesNotMatch(out, /Remote connection closed|Remote failure/);
  });

  test('the c-loader example with its ELF: a breakpoint on a C line, next, bt into the asm, a 32-bit C line', async () => {
    const s = await startServer(image('c-loader'));
    procs.push(s.proc);
    const src = (f: string, mark: string) => readFileSync(join(EXAMPLES_DIR, 'c-loader', f), 'utf8').split('\n').findIndex((l) => l.includes(`#${mark} `)) + 1;
    const count = src('stage16.c', 'COUNT'), stage32 = src('stage32.c', 'STAGE32');
    const out = await gdbBatch([
      `file ${join(EXAMPLES_DIR, 'build', 'c-loader.elf')}`,
      `target remote 127.0.0.1:${s.port}`,
      `break stage16.c:${count}`,
      'continue', 'printf "counter=%d\\n", counter',
      'next', 'printf "counter=%d\\n", counter',
      'bt',
      `break stage32.c:${stage32}`,
      'continue', 'printf "stage=%d\\n", info.stage',
      'next', 'printf "stage=%d\\n", info.stage',
      'kill',
    ], 120_000);
    assert.match(out, new RegExp(`Breakpoint 1, cmain16 \\(\\) at stage16\\.c:${count}\n`));
    assert.deepEqual(tagged(out, 'counter'), ['0', '1']);
    assert.match(out, new RegExp(`#0  cmain16 \\(\\) at stage16\\.c:${count + 1}\n#1  0x[0-9a-f]+ in _start \\(\\) at mbr\\.asm:\\d+`));
    assert.match(out, new RegExp(`Breakpoint 2, cmain32 \\(\\) at stage32\\.c:${stage32}\n`));
    assert.deepEqual(tagged(out, 'stage'), ['16', '32']);
    assert.doesNotMatch(out, /Remote connection closed|Remote failure/);
  });
});
