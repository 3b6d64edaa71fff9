// The full chain syslinux → memtest86+, built from Debian's packages at test time (images.ts): syslinux's
// MBR → FAT16 VBR → ldlinux.sys (real mode ↔ 32-bit protected mode, calling the BIOS) → memtest86+
// v6 (a 32-bit protected-mode kernel that probes the CPU, memory and timer, then tests memory).
// Nobody here wrote any of it: reaching memtest's test screen exercises the CPU, BIOS and devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MEMTEST, memtestImage } from './images';

test('syslinux boots memtest86+ v6 into its 32-bit test loop (30 M instructions)', () => {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
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
