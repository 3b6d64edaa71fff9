// Standard output of every command: `disasm` streams (a 1.44 MB file in a 64 MB heap; the listing
// held at once took 1.25 GB), a reader that goes away (`| head -3`, `| true`) ends the command
// quietly with exit 0, and a full device is one line and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-stdout-'));
const cli = `${process.execPath} ${join(process.cwd(), 'dist/cli.js')}`;
const bash = (script: string) => spawnSync('bash', ['-o', 'pipefail', '-c', script], { encoding: 'utf8', cwd: dir });

/** Deterministic bytes (a linear congruential generator), so the listing has every kind of line. */
function noise(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0, x = 12345; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

writeFileSync(join(dir, 'big.bin'), noise(1474560));

test('disasm streams: a 1.44 MB file in a 64 MB heap, every byte listed once, in order', () => {
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', 'dist/cli.js', 'disasm', join(dir, 'big.bin')],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '');
  // Every byte is listed once, in order: the addresses advance by each line's byte count.
  let next = 0;
  for (const l of lines) {
    const m = /^([0-9a-f]{8}) {2}([0-9a-f]+) {2}\S/.exec(l);
    assert.ok(m, l);
    assert.equal(parseInt(m[1], 16), next, l);
    next += m[2].length / 2;
  }
  assert.equal(next, 1474560);
});

test('a reader that goes away ends every command quietly (exit 0, nothing on stderr)', () => {
  const boot = Buffer.alloc(512);
  boot.set([0xeb, 0xfe]);
  boot.set([0x55, 0xaa], 510);
  writeFileSync(join(dir, 'boot.img'), boot);
  writeFileSync(join(dir, 'v.json'), '[]');
  for (const command of [
    `${cli} disasm big.bin 2>err | head -3`,
    `${cli} disasm big.bin 2>err | true`,
    `${cli} run boot.img --max 1000 --json 2>err | true`,
    `${cli} run boot.img --max 1000 --trace /dev/stdout 2>err | head -1`,
    `${cli} conformance v.json 2>err | true`,
    `${cli} --help 2>err | true`,
  ]) {
    const r = bash(`${command} > out; status=$?; cat err; exit $status`);
    assert.equal(r.stdout, '', `${command}: ${r.stdout.slice(0, 500)}`);
    assert.equal(r.status, 0, command);
  }
});

test('standard output on a full device: one line naming it, exit 1', () => {
  const r = bash(`${cli} disasm big.bin > /dev/full`);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'bootscope: cannot write standard output: no space left on the device\n');
});
