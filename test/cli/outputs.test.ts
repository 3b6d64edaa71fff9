// `bootscope run` outputs (--trace, --list-emulated): one that names an input — the same path, a
// hard link, a symbolic link — or the other output is refused before anything is written (exit 2,
// the image unchanged); a write error is one line and exit 1; a trace goes to a temporary file
// that is renamed over the old one only when the run is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-outputs-'));
const run = (...args: string[]) => spawnSync('node', ['dist/cli.js', 'run', ...args], { encoding: 'utf8' });

/** A boot sector that spins on `jmp $` (EB FE) with the 55 AA signature. */
function spinImage(name: string): string {
  const b = Buffer.alloc(512);
  b.set([0xeb, 0xfe]);
  b.set([0x55, 0xaa], 510);
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}

test('an output that is an input or the other output is refused, and nothing is written', () => {
  const img = spinImage('disk.img');
  const before = readFileSync(img);
  linkSync(img, join(dir, 'hard.img'));
  symlinkSync(img, join(dir, 'sym.img'));
  const firmware = join(dir, 'fw.bin');
  writeFileSync(firmware, Buffer.alloc(65536, 0xf4));
  for (const [args, message] of [
    [[img, '--trace', img], `--trace '${img}' is the same file as the input image '${img}': refusing to overwrite it`],
    [[img, '--trace', join(dir, 'hard.img')], 'is the same file as the input image'],
    [[img, '--trace', join(dir, 'sym.img')], 'is the same file as the input image'],
    [[join(dir, 'sym.img'), '--trace', `${dir}/./disk.img`], 'is the same file as the input image'],
    [[img, '--profile', 'raw', '--list-emulated', img], `--list-emulated '${img}' is the same file as the input image`],
    [[img, '--bios', firmware, '--trace', firmware], `--trace '${firmware}' is the same file as the input --bios`],
    [[img, '--trace', join(dir, 'both'), '--profile', 'raw', '--list-emulated', join(dir, 'both')], 'is the same file as the output --trace'],
  ] as const) {
    const r = run(...args, '--max', '1000');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^bootscope run: [^\n]*\n$/);
    assert.ok(r.stderr.includes(message), r.stderr);
    assert.deepEqual(readFileSync(img), before);
    assert.deepEqual(readFileSync(firmware), Buffer.alloc(65536, 0xf4));
  }
  assert.deepEqual(readdirSync(dir).sort(), ['disk.img', 'fw.bin', 'hard.img', 'sym.img']);
});

test('a trace that cannot be written is one line and exit 1', () => {
  const img = spinImage('full.img');
  for (const [trace, why] of [
    ['/dev/full', 'no space left on the device'],
    [join(dir, 'no-such-dir', 't.jsonl'), 'its directory does not exist'],
    [dir, 'is a directory'],
  ]) {
    const r = run(img, '--max', '100000', '--trace', trace);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.startsWith(`bootscope run: cannot write --trace '${trace}': `), r.stderr);
    assert.match(r.stderr, /^[^\n]*\n$/);
    assert.ok(r.stderr.includes(why), r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('a trace replaces an existing file only when complete, keeping its mode', async () => {
  const img = spinImage('spin.img');
  const trace = join(dir, 'old.jsonl');
  writeFileSync(trace, 'old trace\n');
  chmodSync(trace, 0o640);
  // A long run: while it traces, the old file is intact; the records go to a temporary file beside it.
  const child = spawn('node', ['dist/cli.js', 'run', img, '--max', '500000000', '--trace', trace], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((done) => child.stderr.once('data', () => done()));
  const temps = readdirSync(dir).filter((f) => f.startsWith('.old.jsonl.') && f.endsWith('.tmp'));
  assert.equal(temps.length, 1, readdirSync(dir).join(' '));
  assert.ok(statSync(join(dir, temps[0])).size > 0);
  assert.equal(readFileSync(trace, 'utf8'), 'old trace\n');
  child.kill('SIGKILL');
  await new Promise((done) => child.once('exit', done));
  assert.equal(readFileSync(trace, 'utf8'), 'old trace\n', 'an interrupted run leaves the old trace');
  const r = run(img, '--max', '1000', '--trace', trace);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(trace, 'utf8').split('\n').length, 1001);
  assert.equal(statSync(trace).mode & 0o777, 0o640);
});
