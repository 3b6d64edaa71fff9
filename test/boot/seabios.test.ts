// @tier full
// Debian's SeaBIOS (/usr/share/seabios/bios.bin) under `bootscope run --bios`: its own log on the
// debug console (port 402h) from the banner through POST (RAM size, PCI, shadowing itself into
// F0000h through the PAM registers, e820) to its boot attempts, and with a disk on the IDE channel
// to the MBR. Skipped where the seabios package
// is not installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';

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

test('SeaBIOS finds the hard disk on the IDE channel and boots its MBR, which reads LBA 5 through INT 13h', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-seabios-'));
  const mbr = assemble(`
  mov ah, 0x42
  mov dl, 0x80
  mov si, dap
  int 0x13
  jc .fail
  mov si, 0x8000
  jmp .print
.fail:
  mov si, failed
.print:
  lodsb
  test al, al
  jz .done
  mov dx, 0x402
  out dx, al
  jmp .print
.done:
  cli
  hlt
dap: db 16, 0
  dw 1, 0x8000, 0
  dq 5
failed: db 'INT 13h failed', 10, 0`, { raw: true });
  const disk = new Uint8Array(4 << 20);
  disk.set(mbr);
  disk.set([0x55, 0xaa], 510);
  disk.set(new TextEncoder().encode('sector 5 via ATA\n\0'), 5 * 512);
  const img = join(dir, 'disk.img');
  writeFileSync(img, disk);
  const s = run(img, '--max', '60000000');
  const log: string = s.debugText;
  assert.equal(s.stopReason, 'halt');
  assert.match(log, /\nata0-0: BOOTSCOPE HARDDISK ATA-7 Hard-Disk \(4 MiBytes\)\n/);
  assert.match(log, /\nBooting from Hard Disk\.\.\.\nBooting from 0000:7c00\nsector 5 via ATA\n$/);
});
