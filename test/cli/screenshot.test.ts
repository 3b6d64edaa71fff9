// `bootscope run --screenshot FILE`: in a VBE graphics mode the screen at the stop as a PNG (the same
// pixels as the VBE device's frame, test/bios/vbe.test.ts); in text mode nothing is written and the
// run says so in one line (exit 1); the file must not be an input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { patternRgb, vbeProbeImage } from '../devices/vbeProbe';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-screenshot-'));
const run = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

/** Width, height and RGBA rows of a PNG as host/png.ts writes it (8-bit RGBA, filter 0). */
function readPng(file: string): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const b = readFileSync(file);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = b.readUInt32BE(16), height = b.readUInt32BE(20);
  assert.deepEqual([b[24], b[25]], [8, 6], '8-bit RGBA');
  const idat: Buffer[] = [];
  for (let at = 8; at < b.length;) {
    const len = b.readUInt32BE(at);
    if (b.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { width, height, pixel: (x, y) => [...raw.subarray(y * (1 + width * 4) + 1 + x * 4, y * (1 + width * 4) + 5 + x * 4)] };
}

test('--screenshot writes the VBE screen as PNG; in text mode it writes nothing and exits 1', () => {
  const img = join(dir, 'vbe.img');
  writeFileSync(img, vbeProbeImage(0x143));
  const shot = join(dir, 'shot.png');
  const r = run(img, '--max', '40000000', '--screenshot', shot);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^graphics: 800x600, 32 bits a pixel/m);
  const png = readPng(shot);
  assert.deepEqual([png.width, png.height], [800, 600]);
  for (const [x, y] of [[0, 0], [799, 599], [123, 456]]) assert.deepEqual(png.pixel(x, y), [...patternRgb(x, y), 255]);
  const json = JSON.parse(run(img, '--max', '40000000', '--json').stdout);
  assert.deepEqual(json.graphics, { width: 800, height: 600, bpp: 32 });

  const text = join(dir, 'text.png');
  const t = run(img, '--max', '1000', '--screenshot', text);
  assert.equal(t.status, 1);
  assert.equal(t.stderr.trim().split('\n').length, 1, t.stderr);
  assert.match(t.stderr, /--screenshot '.*text\.png': the screen is in VGA text mode at the stop/);
  assert.ok(!existsSync(text));
  const same = run(img, '--max', '1000', '--screenshot', img);
  assert.equal(same.status, 2);
  assert.match(same.stderr, /--screenshot/);
});
