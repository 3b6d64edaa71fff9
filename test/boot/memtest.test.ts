// The full chain syslinux → memtest86+, built from Debian's packages at test time (images.ts): syslinux's
// MBR → FAT16 VBR → ldlinux.sys (real mode ↔ 32-bit protected mode, calling the BIOS) → memtest86+
// v6 (a 32-bit protected-mode kernel that probes the CPU, memory and timer, then tests memory).
// Nobody here wrote any of it: reaching memtest's test screen exercises the CPU, BIOS and devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { MEMTEST, memtestImage } from './images';
import { assertMemtestTesting } from './corpusChecks';

test('syslinux boots memtest86+ v6 into its 32-bit test loop (30 M instructions)', () => {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
  assertMemtestTesting(memtestImage(), [], 30_000_000);
});
