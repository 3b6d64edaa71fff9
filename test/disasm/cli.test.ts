// `bootscope disasm` through the built CLI (dist/cli.js), as outside tools run it: the exact line format
// of docs/CLI.md (8 hex digits, two spaces, bytes in hex, two spaces, NASM text), --org,
// --bits, and the exit codes (2 usage, 1 unusable input).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LINE = /^[0-9a-f]{8}  [0-9a-f]+  [a-z0-9].*$/;
let dir = '';

function run(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', 'disasm', ...args], { encoding: 'utf8' });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootscope-disasm-'));
  // A tiny boot sector start: xor ax,ax / mov ss,ax / mov sp,0x7c00 / rep movsw / jmp 0:0x7c1b /
  // call rel16 / mov byte [0x7dfe],0x55 / an undefined byte / a lone prefix.
  writeFileSync(join(dir, 'boot.bin'), Buffer.from('31c08ed0bc007cf3a5ea1b7c0000e80400c606fe7d55ff ff2e'.replace(/ /g, ''), 'hex'));
  writeFileSync(join(dir, 'pm.bin'), Buffer.from('b878563412 0f22c0 8b04cd00100000 ebfe'.replace(/ /g, ''), 'hex'));
});

test('16-bit listing at --org 0x7c00, exact format', () => {
  const r = run(join(dir, 'boot.bin'), '--org', '0x7c00');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    '00007c00  31c0  xor ax,ax',
    '00007c02  8ed0  mov ss,ax',
    '00007c04  bc007c  mov sp,0x7c00',
    '00007c07  f3a5  rep movsw',
    '00007c09  ea1b7c0000  jmp 0x0:0x7c1b',
    '00007c0e  e80400  call 0x7c15',
    '00007c11  c606fe7d55  mov byte [0x7dfe],0x55',
    '00007c16  ff  db 0xff',
    '00007c17  ff  db 0xff',  // FF 2E would need a disp16 past the end of the file
    '00007c18  2e  cs',
    '',
  ].join('\n'));
  for (const l of r.stdout.trimEnd().split('\n')) assert.match(l, LINE);
});

test('32-bit listing with --bits 32 and the default org 0', () => {
  const r = run('--bits', '32', join(dir, 'pm.bin'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    '00000000  b878563412  mov eax,0x12345678',
    '00000005  0f22c0  mov cr0,eax',
    '00000008  8b04cd00100000  mov eax,[ecx*8+0x1000]',
    '0000000f  ebfe  jmp short 0xf',
    '',
  ].join('\n'));
});

test('usage errors exit 2, unreadable input exits 1', () => {
  assert.equal(run().status, 2);
  assert.equal(run(join(dir, 'boot.bin'), '--bits', '64').status, 2);
  assert.equal(run(join(dir, 'boot.bin'), '--org', 'zz').status, 2);
  assert.equal(run(join(dir, 'boot.bin'), '--frobnicate').status, 2);
  const missing = run(join(dir, 'nope.bin'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.bin/);
});
