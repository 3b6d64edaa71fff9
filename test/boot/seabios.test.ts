// @tier full
// Debian's SeaBIOS (/usr/share/seabios/bios.bin) under `bootscope run --bios`: its own log on the
// debug console (port 402h) from the banner through POST (fw_cfg's e820, PCI, shadowing itself into
// F0000h through the PAM registers) to the hard disk on the IDE channel and its MBR, or the ATAPI CD
// on the secondary channel and its El Torito image, or a floppy on the floppy controller, and the same log under QEMU 7.2 line by line,
// SeaVGABIOS (--vga-rom) included. Skipped where the seabios package (.ci/run installs it) or QEMU
// is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';
import { qemuAvailable } from '../devices/portScript';
import { GRUB_ECHO, grubImage, isolinuxIso, missingTools, SYSLINUX_SAY, syslinuxFloppy, syslinuxFloppyIso, syslinuxImage } from './images';
import { qemuSerial } from './qemuSerial';
import { BIOS, VGA_ROM } from './corpusChecks';

const skip = existsSync(BIOS) ? false : `${BIOS} is missing (Debian package seabios)`;

/** Boot-sector code: prints the zero-ended string at SI on port 402h (SeaBIOS's debug console); the caller's code follows at .done. */
const PRINT_402 = `.print:
  lodsb
  test al, al
  jz .done
  mov dx, 0x402
  out dx, al
  jmp .print
.done:
`;

function run(...args: string[]): Record<string, any> {
  return runBios(BIOS, ...args);
}

function runBios(bios: string, ...args: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', '--bios', bios, '--json', ...args], { encoding: 'utf8' });
  assert.ok(r.stdout.startsWith('{'), r.stderr);
  return JSON.parse(r.stdout);
}

/** A 4 MiB disk whose MBR reads LBA 5 through INT 13h AH=42h, prints it on port 402h, leaves QEMU
 * through isa-debug-exit (port F4h; nothing there in Bootscope) and halts. */
function diskImage(): string {
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
${PRINT_402}  out 0xf4, al
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
  return img;
}

test('SeaBIOS POST without a disk: fw_cfg, PCI, e820, no boot menu, boot attempts', { skip }, () => {
  const s = run('--max', '30000000');
  const log: string = s.debugText;
  assert.match(log, /^SeaBIOS \(version 1\.16/);
  assert.match(log, /\nFound QEMU fw_cfg\nQEMU fw_cfg DMA interface supported\nqemu\/e820: addr 0x0000000000000000 len 0x0000000004000000 \[RAM\]\nRelocating init/);
  assert.match(log, /\nFound 5 PCI devices/);
  assert.match(log, /\ne820 map has \d+ items:\n {2}0: 0000000000000000 - 000000000009fc00 = 1 RAM\n/);
  assert.match(log, /\nBooting from Hard Disk\.\.\.\nBoot failed: could not read the boot disk\n/);
  assert.doesNotMatch(log, /Press ESC/, 'fw_cfg: no boot menu');
});

test('SeaBIOS (128 and 256 KiB builds) finds the hard disk on the IDE channel and boots its MBR, which reads LBA 5 through INT 13h', { skip }, () => {
  const img = diskImage();
  for (const bios of [BIOS, '/usr/share/seabios/bios-256k.bin']) {
    const s = runBios(bios, img, '--max', '60000000');
    const log: string = s.debugText;
    assert.equal(s.stopReason, 'halt', bios);
    assert.match(log, /\nata0-0: BOOTSCOPE HARDDISK ATA-7 Hard-Disk \(4 MiBytes\)\n/);
    assert.match(log, /\nBooting from Hard Disk\.\.\.\nBooting from 0000:7c00\nsector 5 via ATA\n$/);
  }
});

// QEMU's clock follows the instruction count (-icount) where its log is compared, so its log does not
// vary with the machine's load.

// Lines only Bootscope's log has, and why: its 80386 has no local APIC (CPUID).
const OURS_ONLY = [/^No apic - only the main cpu is present\.$/];

// SeaBIOS probes the keyboard and the drives in threads that yield to each other on the clock, so
// their lines interleave in an order the two machines' clocks decide: such a line must be in QEMU's
// log before the threads are joined, in any order.
const THREADED = [/^PS2 keyboard initialized$/, /^ata\d-\d: /, /^Searching bootorder for: \/pci@i0cf8\/\*@1,1\/drive@/];
const JOINED = 'All threads complete.';

// Addresses, sizes and the drives' model names differ between the two machines; the steps must not.
const norm = (line: string) => line.replace(/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{4,}\b/g, '#')
  .replace('QEMU HARDDISK', 'BOOTSCOPE HARDDISK').replace('QEMU DVD-ROM', 'BOOTSCOPE DVD-ROM');

/** Every line of Bootscope's SeaBIOS log is in QEMU's, in order (but OURS_ONLY's and THREADED's). */
function assertLogWithin(ours: string, qemu: string): void {
  const q = qemu.split('\n').map(norm);
  const joined = q.indexOf(JOINED);
  let at = 0;
  for (const line of ours.split('\n').map(norm)) {
    if (THREADED.some((r) => r.test(line))) {
      const found = q.indexOf(line);
      assert.ok(found >= 0 && found < joined, `not in QEMU's log before '${JOINED}': ${line}`);
      continue;
    }
    const found = q.indexOf(line, at);
    if (found >= 0) at = found + 1;
    else assert.ok(OURS_ONLY.some((r) => r.test(line)), `not in QEMU's log after line ${at}: ${line}`);
  }
}

test('the same disk under QEMU 7.2: every line of Bootscope\'s SeaBIOS log is in QEMU\'s, in order', { skip: skip || (!qemuAvailable() && 'qemu-system-i386 not installed') }, () => {
  const img = diskImage();
  const qlog = `${img}.qemu.log`;
  spawnSync('qemu-system-i386', [
    '-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-serial', 'null', '-bios', BIOS,
    '-icount', 'shift=8,sleep=off', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01', '-drive', `file=${img},format=raw,if=ide,snapshot=on`,
    '-chardev', `file,id=seabios,path=${qlog}`, '-device', 'isa-debugcon,iobase=0x402,chardev=seabios',
  ], { timeout: 30000 });
  const qemu = readFileSync(qlog, 'latin1');
  const s = run(img, '--vga-rom', VGA_ROM, '--screen', '--max', '60000000');
  assert.equal(qemu.split('\n').at(-2), 'sector 5 via ATA');
  assertLogWithin(s.debugText, qemu);
  assert.equal((s.debugText as string).split('\n').at(-2), 'sector 5 via ATA');
  assert.ok((s.debugText as string).includes('Start SeaVGABIOS (version 1.16.2-debian-1.16.2-1)'));
  assert.deepEqual(s.screen.slice(0, 2).map((l: string) => l.trimEnd()), ['SeaBIOS (version 1.16.2-debian-1.16.2-1)', 'Booting from Hard Disk...']);
});

test('plain El Torito ISOs (isolinux, no emulation; a syslinux floppy in floppy emulation) boot from the ATAPI drive to boot:, serial and log as under QEMU -cdrom',
  { skip: skip || (missingTools('isolinux') ?? missingTools('syslinux') ?? false) || (!qemuAvailable() && 'qemu-system-i386 not installed') }, async () => {
    for (const iso of [isolinuxIso(), syslinuxFloppyIso()]) {
      const s = run(iso, '--max', '60000000');
      const log: string = s.debugText;
      assert.match(log, /\nDVD\/CD \[ata1-0: BOOTSCOPE DVD-ROM ATAPI-4 DVD\/CD\]\n/, iso);
      assert.match(log, /\nBooting from DVD\/CD\.\.\.\nBooting from 0000:7c00\n/, iso);
      assert.ok((s.serialText as string).endsWith('boot: '), JSON.stringify(s.serialText));
      const qlog = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-cd-')), 'debugcon.log');
      const serial = await qemuSerial(['-bios', BIOS, '-cdrom', iso], 'boot: ', ['-vga', 'std', '-icount', 'shift=8,sleep=off', '-chardev', `file,id=seabios,path=${qlog}`, '-device', 'isa-debugcon,iobase=0x402,chardev=seabios']);
      assert.equal(s.serialText.replace(/\r/g, ''), serial.replace(/\r/g, ''), iso);
      assertLogWithin(log, readFileSync(qlog, 'latin1'));
    }
  });

test('a syslinux floppy boots from drive A on the floppy controller (DMA channel 2, IRQ 6) to boot:, serial and log as under QEMU -fda',
  { skip: skip || (missingTools('syslinux') ?? false) || (!qemuAvailable() && 'qemu-system-i386 not installed') }, async () => {
    const img = syslinuxFloppy();
    const s = run('--floppy', img, '--max', '60000000');
    const log: string = s.debugText;
    assert.match(log, /\nBooting from Floppy\.\.\.\nBooting from 0000:7c00\n/);
    assert.ok((s.serialText as string).endsWith('boot: '), JSON.stringify(s.serialText));
    const qlog = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-fd-')), 'debugcon.log');
    const serial = await qemuSerial(['-bios', BIOS, '-drive', `file=${img},format=raw,if=floppy,snapshot=on`], 'boot: ', ['-vga', 'std', '-icount', 'shift=8,sleep=off', '-chardev', `file,id=seabios,path=${qlog}`, '-device', 'isa-debugcon,iobase=0x402,chardev=seabios']);
    assert.equal(s.serialText.replace(/\r/g, ''), serial.replace(/\r/g, ''));
    assertLogWithin(log, readFileSync(qlog, 'latin1'));
  });

test('INT 13h on the floppy under SeaBIOS: AH=05h formats cylinder 1 through the controller (FORMAT TRACK), AH=02h reads it back filled', { skip }, () => {
  const boot = assemble(`
  xor ax, ax
  mov es, ax
  mov bx, ids
  mov ax, 0x0512
  mov cx, 0x0101
  xor dx, dx
  int 0x13
  jc .fail
  mov ax, 0x0201
  mov cx, 0x0105
  xor dx, dx
  mov bx, 0x8000
  int 0x13
  jc .fail
  mov si, ok
  cmp byte [0x8000], 0xf6
  je .print
.fail:
  mov si, failed
${PRINT_402}  cli
  hlt
ids:
%assign r 1
%rep 18
  db 1, 0, r, 2
%assign r r+1
%endrep
ok: db 'formatted and read back', 10, 0
failed: db 'INT 13h failed', 10, 0`);
  const img = new Uint8Array(1474560);
  img.set(boot);
  img.fill(0x11, 18 * 2 * 512, 18 * 3 * 512);
  const file = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-format-')), 'floppy.img');
  writeFileSync(file, img);
  const s = run('--floppy', file, '--max', '60000000');
  assert.equal(s.stopReason, 'halt');
  // SeaBIOS's log names AH=05h's handler a stub (its debug level says so for every call it serves).
  assert.match(s.debugText, /\nBooting from Floppy\.\.\.\nBooting from 0000:7c00\nstub disk_1305:[^]*\nformatted and read back\n$/);
});

test('keys typed from the start (--keys) all reach the boot sector\'s INT 16h: none is lost to SeaBIOS\'s keyboard set-up during POST', { skip }, () => {
  // The boot sector echoes each key on port 402h until it reads 'c'. SeaBIOS flushes the 8042 and
  // resets the keyboard during POST; before, the first key typed then was dropped ('bc').
  const boot = assemble(`
.next:
  mov ah, 0
  int 0x16
  mov dx, 0x402
  out dx, al
  cmp al, 'c'
  jne .next
  cli
  hlt`);
  const file = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-keys-')), 'keys.img');
  writeFileSync(file, boot);
  for (const bios of [BIOS, '/usr/share/seabios/bios-256k.bin']) {
    const s = runBios(bios, file, '--keys', 'abc', '--max', '60000000');
    assert.equal(s.stopReason, 'halt', bios);
    assert.match(s.debugText, /\nBooting from 0000:7c00\nabc$/, bios);
  }
});

test('--firmware seabios: Debian\'s bios-256k.bin from reset, with SeaVGABIOS as the VGA\'s ROM drawing its banner', { skip }, () => {
  const img = join(mkdtempSync(join(tmpdir(), 'bootscope-seabios-firmware-')), 'boot.img');
  writeFileSync(img, assemble(`
  mov si, text
${PRINT_402}  cli
  hlt
text: db 'booted', 10, 0`));
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--firmware', 'seabios', '--max', '20000000', '--screen', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'halt');
  assert.match(s.debugText, /^SeaBIOS \(version 1\.16[^]*\nBooting from 0000:7c00\nbooted\n$/);
  assert.match(s.screen[0], /^SeaBIOS \(version 1\.16/, 'SeaVGABIOS drew the banner: the VGA ROM was loaded');
  // The same count as with the files named: the 256 KiB build (bios.bin takes another path) and SeaVGABIOS.
  const named = runBios('/usr/share/seabios/bios-256k.bin', img, '--vga-rom', VGA_ROM, '--max', '20000000');
  assert.equal(named.instructions, s.instructions, '--firmware seabios runs the same files as --bios bios-256k.bin --vga-rom vgabios-stdvga.bin');
});

test('syslinux under SeaBIOS and SeaVGABIOS: from the IDE disk to its boot: prompt, on serial and screen', { skip: skip || (missingTools('syslinux') ?? false) }, () => {
  const s = run(syslinuxImage(), '--vga-rom', VGA_ROM, '--screen', '--max', '60000000');
  assert.match(s.serialText, /SYSLINUX 6\.04 .*\r\nLoading \/none\.bin\.\.\. failed: No such file or directory\r\nboot: $/s);
  const screen = (s.screen as string[]).map((l) => l.trimEnd());
  assert.deepEqual(screen.slice(0, 2), ['SeaBIOS (version 1.16.2-debian-1.16.2-1)', 'Booting from Hard Disk...']);
  assert.ok(screen.includes(SYSLINUX_SAY), screen.join('\n'));
});

test('GRUB under SeaBIOS: core.img from the IDE disk, normal mode, and its halt powers off through SeaBIOS\'s ACPI tables', { skip: skip || (missingTools('grub') ?? false) }, () => {
  const s = run(grubImage(), '--max', '200000000');
  assert.equal(s.stopReason, 'poweroff');
  assert.ok(s.serialText.includes(GRUB_ECHO));
  assert.match(s.serialText, /grub\.cfg: normal mode reached/);
});
