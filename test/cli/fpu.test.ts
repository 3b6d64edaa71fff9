// `bootscope run --fpu`: the x87 state in the --json summary, and a clear error for an FPU the
// chosen CPU model cannot have or an unknown one (exit 2, one line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-fpu-'));
const img = join(dir, 'boot.img');
// fninit; fldpi; fld1; cli; hlt, as a boot sector
const sector = Buffer.alloc(512);
Buffer.from([0xdb, 0xe3, 0xd9, 0xeb, 0xd9, 0xe8, 0xfa, 0xf4]).copy(sector);
sector[510] = 0x55;
sector[511] = 0xaa;
writeFileSync(img, sector);
const run = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', img, ...args], { encoding: 'utf8' });

test('run --fpu 387 --json reports the x87', () => {
  const r = run('--fpu', '387', '--json', '--max', '100000');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.fpu.cw, 0x037f);
  assert.equal(s.fpu.top, 6);
  assert.deepEqual(s.fpu.st[0], { raw: '3fff8000000000000000', tag: 'valid' });
  assert.deepEqual(s.fpu.st[1], { raw: '4000c90fdaa22168c235', tag: 'valid' });
  assert.equal(s.fpu.st[2].tag, 'empty');
  const none = JSON.parse(run('--json', '--max', '100000').stdout);
  assert.equal(none.fpu, undefined);
});

test('run --fpu: another CPU model or an unknown FPU is one line and exit 2', () => {
  const a = run('--fpu', '387', '--cpu', '80286');
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--fpu: the 80286 model takes fpu none, not 387/);
  assert.equal(a.stderr.trim().split('\n').length, 1);
  const p = run('--fpu', 'none', '--cpu', 'pentium');
  assert.equal(p.status, 2);
  assert.match(p.stderr, /--fpu: the pentium model takes fpu integrated, not none/);
  const b = run('--fpu', '8087');
  assert.equal(b.status, 2);
  assert.match(b.stderr, /--fpu/);
});
