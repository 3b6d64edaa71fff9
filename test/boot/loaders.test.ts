// Real boot code from Debian, not written by us, booted with `bootscope run`: the syslinux image
// (mbr.bin → FAT16 VBR → ldlinux.sys → 32-bit protected mode, which keeps calling the BIOS through
// real mode) and the GRUB image (boot.img → diskboot.img → core.img, into protected mode). Images
// are built by images.ts from the installed packages. GRUB's 32-bit kernel through to its config's
// `halt` (90 M instructions) is poweroff.test.ts's, in the full tier.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grubImage, missingTools, SYSLINUX_SAY, syslinuxImage } from './images';

let dir = '';

function runJson(...args: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Runs with a trace and returns the first record with CR0.PE=1, or undefined. */
const lastTrace: string[] = [];

function firstProtectedRecord(image: string, max: number): Record<string, number> | undefined {
  const t = join(dir, `pe-${Math.random().toString(36).slice(2)}.jsonl`);
  runJson(image, '--max', String(max), '--trace', t);
  lastTrace.unshift(t);
  lastTrace.length = Math.min(lastTrace.length, 2);
  for (const line of readFileSync(t, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, number>;
    if (r.cr0 & 1) return r;
  }
  return undefined;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootscope-loaders-'));
});

test('syslinux: MBR → VBR → ldlinux.sys prints its banner through INT 10h and sets CR0.PE', { skip: missingTools('syslinux') ?? false }, () => {
  const img = syslinuxImage();
  const s = runJson(img, '--max', '100000', '--screen');
  assert.ok(s.screen.some((l: string) => l.startsWith('SYSLINUX 6.')), s.screen.join('\n'));
  firstProtectedRecord(img, 100000);
  const pe = firstProtectedRecord(img, 100000);
  assert.ok(pe, 'no instruction ran with CR0.PE=1');
  // Two runs with the same inputs give byte-identical traces (device time follows the count).
  assert.equal(readFileSync(lastTrace[0], 'utf8'), readFileSync(lastTrace[1], 'utf8'));
  // ldlinux.sys switches at about 76 k instructions (QEMU: record 75 925, BIOS code excluded).
  assert.ok(pe.n > 70000 && pe.n < 80000, `first CR0.PE=1 record at n=${pe.n}`);
  assert.deepEqual(s.biosLog, []);
});

test('syslinux: past the first protected-mode entry, ldlinux keeps calling the BIOS through real mode: config, disk, keyboard',
  { skip: missingTools('syslinux') ?? false }, () => {
    const s = runJson(syslinuxImage(), '--max', '40000000', '--screen', '--keys', 'hello\\n');
    assert.equal(s.mode, 'protected32');
    assert.equal(s.segments.cs.selector, 0x20);
    // Serial and screen output of ldlinux.c32, loaded from the FAT file system by BIOS disk reads.
    assert.match(s.serialText, /SYSLINUX 6\.\d+/);
    const screen = s.screen.join('\n');
    assert.ok(screen.includes(SYSLINUX_SAY), screen);
    assert.match(screen, /Loading \/none\.bin\.\.\. failed/);
    // TIMEOUT 0 leaves it at the boot: prompt, reading keys with INT 16h from protected mode.
    assert.match(screen, /boot: hello\s+Loading hello\.\.\. failed/);
    assert.deepEqual(s.biosLog, []);
  });

test('GRUB: boot.img → diskboot.img load core.img with INT 13h and set CR0.PE', { skip: missingTools('grub') ?? false }, () => {
  const img = grubImage();
  const s = runJson(img, '--max', '100000', '--screen');
  assert.match(s.screen[0], /^GRUB loading\.+ *$/);
  const pe = firstProtectedRecord(img, 100000);
  assert.ok(pe, 'no instruction ran with CR0.PE=1');
  assert.ok(pe.n > 70000 && pe.n < 80000, `first CR0.PE=1 record at n=${pe.n}`);
});
