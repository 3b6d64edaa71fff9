// @tier full
// Debian's SeaBIOS (bios-256k.bin, SeaVGABIOS as the VGA's ROM) compared with QEMU 7.2 instruction by
// instruction from the reset vector F000:FFF0 through POST to 0000:7C00 and into the boot sector:
// `bootscope compare --firmware seabios --from-reset --no-acpi`, both machines on QEMU's -icount clock,
// QEMU told to be this machine (host/qemu.ts MACHINE_ALIKE, and our SMBIOS given QEMU's fields it
// cannot set, QEMU_SMBIOS_QUIRKS), every register at every instruction, QEMU's log read as it is
// written (memory stays bounded). Both machines without ACPI (QEMU's -machine acpi=off: no PIIX4 ACPI
// function, no tables), since QEMU's ACPI tables are not ours: SeaBIOS's DSDT parser would walk a
// 6,373-byte DSDT on one side and 285 bytes on the other and leave different stack below it. No
// rule beyond those every comparison has: no skip, no timer interrupt on one side only, nothing excused.
// The one thing not in step by construction: QEMU reads a disk sector in its I/O thread, so the
// status SeaBIOS polls after a READ SECTORS may read busy for a host-dependent time where ours has the
// data at once; compare's busy drive rule skips those polls and moves our clock on by them (counted
// in its output), so the test allows it.
// With two hard disks and the second named alone (--boot hd2), fw_cfg's bootorder and QEMU's from
// bootindex are read alike: every instruction agrees past SeaBIOS's reading and printing of it.
// Skipped where the seabios package or QEMU is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuAvailable } from '../devices/portScript';

const BIOS = '/usr/share/seabios/bios-256k.bin';
const skip = !existsSync(BIOS) ? `${BIOS} is missing (Debian package seabios)` : !qemuAvailable() && 'qemu-system-i386 not installed';
/**
 * Instructions compared from F000:FFF0: SeaBIOS's POST, the boot sector's INT 10h calls and INT 13h
 * read, and 3,337 instructions of its loop (from 5,696,663), well before its first timer interrupt
 * (about 100,000 further, less the time QEMU's drive was busy), which QEMU takes one instruction later
 * (emulator/devices/README.md).
 */
const MAX = 5_700_000;
/** The instruction count at the boot sector's first instruction, on both sides. */
const FIRST_7C00 = 5_692_444;

/** The boot sector: print a line through INT 10h, read sector 2 through INT 13h, then spin with interrupts on. */
const BOOT = [
  0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0, 0xbe, 0x29, 0x7c, // xor ax,ax; mov ds,ax; mov es,ax; mov si,msg
  0xac, 0x84, 0xc0, 0x74, 0x09, 0xb4, 0x0e, 0xbb, 0x07, 0x00, 0xcd, 0x10, 0xeb, 0xf2, // print: lodsb; test al,al; jz read; mov ah,0eh; mov bx,7; int 10h; jmp print
  0xb8, 0x01, 0x02, 0xb9, 0x02, 0x00, 0xba, 0x80, 0x00, 0xbb, 0x00, 0x7e, 0xcd, 0x13, // read: mov ax,0201h; mov cx,2; mov dx,80h; mov bx,7e00h; int 13h
  0xfb, 0x42, 0xeb, 0xfd, // sti; spin: inc dx; jmp spin
  ...Buffer.from('lock-step\r\n\0', 'latin1'), // msg (7C29h)
];

test('SeaBIOS from reset to the boot sector agrees with QEMU at every instruction, both machines without ACPI', { skip, timeout: 900_000 }, () => {
  assert.equal(spawnSync(process.execPath, ['scripts/build.mjs']).status, 0);
  const disk = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-reset-')), 'disk.img');
  const image = new Uint8Array(4 << 20);
  image.set(BOOT);
  image.set([0x55, 0xaa], 510);
  writeFileSync(disk, image);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', disk, '--firmware', 'seabios', '--from-reset', '--no-acpi', '--max', String(MAX)],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = r.stdout;
  assert.match(out, new RegExp(`^no divergence: ${MAX} instructions from F000:FFF0 agree \\(the budget\\)$`, 'm'), out);
  assert.match(out, new RegExp(`^first 0000:7C00: instruction ${FIRST_7C00}$`, 'm'), out);
  assert.match(out, /^resyncs: 0 interrupt handler runs on one side only skipped/m, 'the timer interrupts came at the same instructions');
  assert.doesNotMatch(out, /^excused:|^skipped to a common return/m, 'nothing excused or skipped');
});

/** From reset to here SeaBIOS has read fw_cfg's bootorder and printed it (boot_init), short of the ACPI tables. */
const BOOTORDER_MAX = 440_000;

test('two hard disks, the second named alone: SeaBIOS reads the same bootorder from fw_cfg as under QEMU (bootindex), every instruction agreeing',
  { skip, timeout: 600_000 }, () => {
    assert.equal(spawnSync(process.execPath, ['scripts/build.mjs']).status, 0);
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-seabios-bootorder-'));
    const disks = ['a.img', 'b.img'].map((name) => {
      const image = new Uint8Array(1 << 20);
      image.set(BOOT);
      image.set([0x55, 0xaa], 510);
      writeFileSync(join(dir, name), image);
      return ['--hd', join(dir, name)];
    }).flat();
    const ours = spawnSync(process.execPath, ['dist/cli.js', 'run', ...disks, '--boot', 'hd2', '--firmware', 'seabios', '--cpu', 'pentium', '--clock', 'icount',
      '--max', String(BOOTORDER_MAX), '--json'], { encoding: 'utf8' });
    assert.match(JSON.parse(ours.stdout).debugText, /^boot order:\n1: \/pci@i0cf8\/ide@1,1\/drive@0\/disk@1\n/m);
    const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', ...disks, '--boot', 'hd2', '--firmware', 'seabios', '--from-reset', '--max', String(BOOTORDER_MAX)],
      { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^no divergence: ${BOOTORDER_MAX} instructions from F000:FFF0 agree \\(the budget\\)$`, 'm'), r.stdout);
  });
