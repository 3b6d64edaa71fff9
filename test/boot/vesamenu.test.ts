// @tier full
// syslinux's vesamenu.c32 (Debian's syslinux-common, images.ts) on the built-in BIOS with the 80387
// (`--fpu 387`: vesamenu checks for an FPU before it uses VBE) and under QEMU 7.2 + SeaVGABIOS
// (`-vga std`): both draw the menu in the same VBE mode, and QEMU's screendump and Bootscope's
// `--screenshot` agree but for the glyphs. The built-in BIOS has no ROM font (INT 10h AX=1130h is
// logged as unsupported), so the text vesamenu draws from the font pointer it gets is not QEMU's:
// the test pins that difference to under 5 % of the pixels. Without the FPU vesamenu shows its
// text menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { missingTools, vesamenuImage } from './images';
import { QEMU } from '../../host/qemu';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-vesamenu-'));
const run = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

/**
 * QEMU's screen once the menu stands: after serial shows the menu's last entry, screendumps until
 * two in a row are the same picture.
 */
async function qemuScreen(img: string): Promise<Buffer> {
  const log = join(dir, 'qemu.serial');
  const q = spawn(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-monitor', 'stdio',
    '-drive', `file=${img},format=raw,snapshot=on`, '-serial', `file:${log}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const until = async (done: () => boolean) => {
    for (const end = Date.now() + 90_000; Date.now() < end && !done() && q.exitCode === null;) await new Promise((r) => setTimeout(r, 200));
  };
  let n = 0;
  const dump = async (): Promise<Buffer> => {
    const shot = join(dir, `qemu-${n++}.ppm`);
    q.stdin.write(`screendump ${shot}\n`);
    await until(() => existsSync(shot) && readFileSync(shot).length >= 15 + 640 * 480 * 3);
    return readFileSync(shot);
  };
  try {
    // vesamenu mirrors the menu on serial; the last line it draws there is the second entry.
    await until(() => existsSync(log) && readFileSync(log, 'latin1').includes('Second entry'));
    let prev = await dump();
    for (let i = 0; i < 20; i++) {
      const next = await dump();
      if (next.equals(prev)) return next;
      prev = next;
    }
    return prev;
  } finally {
    q.kill('SIGKILL');
  }
}

test('vesamenu draws its menu in the VBE mode QEMU shows, the same picture but for the glyphs', { skip: missingTools('com32') ?? false }, async () => {
  assert.equal(spawnSync(process.execPath, ['scripts/build.mjs']).status, 0);
  const img = vesamenuImage();
  const text = JSON.parse(run(img, '--max', '60000000', '--json').stdout);
  assert.equal(text.graphics, undefined, 'without an FPU vesamenu stays in text mode');
  const png = join(dir, 'ours.png');
  const r = run(img, '--fpu', '387', '--max', '150000000', '--json', '--screenshot', png);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.graphics, { width: 640, height: 480, bpp: 24 });
  assert.deepEqual(s.biosLog.map((e: { message: string }) => e.message), ['INT 10h AX=1130h: function not supported']);
  const ppm = await qemuScreen(img);
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 32));
  assert.ok(m);
  assert.deepEqual([Number(m[1]), Number(m[2])], [640, 480]);
  const qemu = ppm.subarray(m[0].length);
  // host/png.ts writes 8-bit RGBA rows with filter 0 in one IDAT.
  const b = readFileSync(png);
  const raw = inflateSync(b.subarray(41, 41 + b.readUInt32BE(33)));
  let same = 0;
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      const o = y * (1 + 640 * 4) + 1 + x * 4, q = (y * 640 + x) * 3;
      if (raw[o] === qemu[q] && raw[o + 1] === qemu[q + 1] && raw[o + 2] === qemu[q + 2]) same++;
    }
  }
  assert.ok(same / (640 * 480) > 0.95, `${same} of ${640 * 480} pixels as QEMU's`);
});
