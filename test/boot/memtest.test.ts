// The full chain syslinux → memtest86+, built from Debian's packages at test time (images.ts): syslinux's
// MBR → FAT16 VBR → ldlinux.sys (real mode ↔ 32-bit protected mode, calling the BIOS) → memtest86+
// v6 (a 32-bit protected-mode kernel that probes the CPU, memory and timer, then tests memory).
// Nobody here wrote any of it: reaching memtest's test screen exercises the CPU, BIOS and devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MEMTEST = '/boot/memtest86+ia32.bin';
const CACHE = resolve('test/.out/boot-images');

function memtestImage(): string {
  const out = join(CACHE, 'syslinux-memtest.img');
  if (existsSync(out)) return out;
  const tmp = join(CACHE, 'memtest-build');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'syslinux.cfg'),
    'SERIAL 0 115200\nDEFAULT memtest\nPROMPT 0\nTIMEOUT 1\nLABEL memtest\n  LINUX /memtest.bin\n  APPEND console=ttyS0,115200\n');
  const script = `
truncate -s 32M img
printf 'label: dos\\nunit: sectors\\nstart=2048, type=6, bootable\\n' | sfdisk -q img
dd if=/usr/lib/syslinux/mbr/mbr.bin of=img bs=440 count=1 conv=notrunc status=none
mkfs.fat -F 16 -n BOOTTEST --offset 2048 -h 2048 img 31744 >/dev/null
mcopy -i img@@1M syslinux.cfg ::/syslinux.cfg
mcopy -i img@@1M ${MEMTEST} ::/memtest.bin
syslinux --install --offset 1048576 img`;
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: tmp, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the memtest image failed: ${r.stderr}`);
  renameSync(join(tmp, 'img'), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

test('syslinux boots memtest86+ v6 into its 32-bit test loop (30 M instructions)', () => {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
  execFileSync('node', ['scripts/build.mjs']);
  const img = memtestImage();
  const r = spawnSync('node', ['dist/cli.js', 'run', img, '--max', '30000000', '--screen', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'max');
  assert.equal(s.mode, 'protected32');
  assert.match(s.serialText, /SYSLINUX 6\.04/);
  assert.match(s.serialText, /Memtest86\+/);
  const screen = s.screen.join('\n');
  assert.match(screen, /Memtest86\+ v6\.\d+/);
  assert.match(screen, /Memory\s*:\s*64MB/); // from the BIOS's E820 map for the default 64 MiB
  assert.match(screen, /Testing/);
});
