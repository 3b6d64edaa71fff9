// @tier full
// Debian's SeaBIOS (/usr/share/seabios/bios.bin) under `bootscope run --bios`: its own log on the
// debug console (port 402h) from the banner through POST (RAM size, PCI, shadowing itself into
// F0000h through the PAM registers, e820) to its boot attempts. Skipped where the seabios package
// is not installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BIOS = '/usr/share/seabios/bios.bin';
const skip = existsSync(BIOS) ? false : `${BIOS} is missing (Debian package seabios)`;

function run(...args: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', '--bios', BIOS, '--json', ...args], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout);
}

test('SeaBIOS POST runs to its boot attempts, logging on port 402h', { skip }, () => {
  const s = run('--max', '30000000');
  const log: string = s.debugText;
  assert.match(log, /^SeaBIOS \(version 1\.16/);
  assert.match(log, /\nRamSize: 0x04000000 \[cmos\]\n/, 'CMOS says 64 MiB (and F-segment variables are writable)');
  assert.match(log, /\nFound 5 PCI devices/);
  assert.match(log, /\ne820 map has \d+ items:\n {2}0: 0000000000000000 - 000000000009fc00 = 1 RAM\n/);
  assert.match(log, /\nBooting from Hard Disk\.\.\.\n/);
  assert.doesNotMatch(log, /No space for init relocation/);
});
