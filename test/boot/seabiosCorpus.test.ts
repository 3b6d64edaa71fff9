// @tier full
// The corpus images (images.ts) under Debian's SeaBIOS with SeaVGABIOS (`run --bios --vga-rom`) to
// the milestone their built-in-BIOS tests check, with the same checks (corpusChecks.ts) and, where
// those compare with QEMU 7.2 (which runs the same SeaBIOS), the same QEMU reference: memtest86+
// running its first test, hdt.c32 at its prompt with the PCI devices and DMI modules listed,
// vesamenu's graphical menu (pixel for pixel) on the Pentium model, poweroff.c32 powering off
// through SeaBIOS's APM (on its ACPI PM1a register), grub-mkrescue's ISO halting (as a CD and a
// disk), keys typed at syslinux's prompt. The boot
// loaders' own prompts and GRUB's halt under SeaBIOS are in seabios.test.ts. Skipped where the
// seabios package is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';
import { GRUB_RESCUE_ECHO, grubRescueIso, hdtImage, MEMTEST, memtestImage, missingTools, poweroffImage, syslinuxImage, vesamenuImage } from './images';
import { assertMemtestTesting, assertPowersOffAsQemu, BIOS, hdtAnswer, hdtBootscope, hdtQemu, run, SEABIOS, vesamenuAsQemu } from './corpusChecks';
import { qemuAvailable } from '../devices/portScript';

const skip = existsSync(BIOS) ? false : `${BIOS} is missing (Debian package seabios)`;
const qemu = !qemuAvailable() && 'qemu-system-i386 not installed';

test('memtest86+ v6 under SeaBIOS: syslinux boots it into its 32-bit test loop', { skip }, () => {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
  // SeaBIOS's POST takes about 6 million instructions of the budget the built-in BIOS's test gives.
  // 63MB, as under QEMU 7.2 + SeaBIOS: SeaBIOS reserves the top 128 KiB for fw_cfg's ACPI tables.
  assertMemtestTesting(memtestImage(), SEABIOS, 36_000_000, '63MB');
});

/** The line of `text` that `first` matches and the lines after it that `more` matches. */
function block(text: string, first: RegExp, more: RegExp): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => first.test(l));
  assert.ok(at >= 0, `no ${first} in:\n${text}`);
  const end = lines.findIndex((l, i) => i > at && !more.test(l));
  return lines.slice(at, end < 0 ? undefined : end);
}

test('hdt.c32 under SeaBIOS reaches its hdt> prompt and lists the PCI devices and DMI modules QEMU shows', { skip: skip || (missingTools('com32') ?? false) || qemu }, async () => {
  // hdt runs its commands itself (auto mode): those QEMU gets on serial once its prompt is there.
  const commands = ['pci', 'show', 'exit', 'show dmi'];
  const ours = hdtBootscope(hdtImage(commands), ...SEABIOS);
  assert.match(ours, /Hardware Detection Tool .*\nEntering Auto mode\n.*\nEntering CLI mode\nhdt> $/s);
  assert.doesNotMatch(ours, /DMI: ERROR/);
  const q = await hdtQemu(hdtImage(), commands);
  const devices = block(ours, /^\d+ PCI devices detected$/, /^\d+: /);
  assert.equal(devices[0], '5 PCI devices detected', ours);
  assert.deepEqual(devices, hdtAnswer(q, 'show'));
  // fw_cfg has this machine's SMBIOS 2.8 tables, SeaBIOS adding its type 0, as under QEMU.
  const modules = block(ours, /^DMI Table version/, /^(Available DMI modules|\t)/);
  assert.match(modules[0], /^DMI Table version 2\.8 found$/);
  assert.deepEqual(modules, hdtAnswer(q, 'show dmi'));
});

// SeaVGABIOS draws the glyphs on both machines here: every pixel is QEMU's.
test('vesamenu under SeaBIOS (--cpu pentium) draws its menu in the VBE mode QEMU -cpu pentium shows, pixel for pixel',
  { skip: skip || (missingTools('com32') ?? false) || qemu }, () =>
    vesamenuAsQemu(vesamenuImage(), [...SEABIOS, '--cpu', 'pentium'], ['-cpu', 'pentium'], 1));

test('syslinux poweroff.c32 under SeaBIOS powers off as under QEMU', { skip: skip || (missingTools('com32') ?? false) || qemu }, () =>
  assertPowersOffAsQemu(poweroffImage(), SEABIOS));

test('grub-mkrescue\'s ISO under SeaBIOS, as a CD from the ATAPI drive and as a disk from its hybrid MBR: grub.cfg halts, powering off as under QEMU',
  { skip: skip || (missingTools('rescue') ?? false) || qemu }, () => {
    for (const cdrom of [true, false]) assertPowersOffAsQemu(grubRescueIso(), SEABIOS, [GRUB_RESCUE_ECHO], cdrom);
  });

test('keys typed under SeaBIOS reach syslinux\'s boot: prompt through the 8042, IRQ1 and SeaBIOS\'s INT 09h', { skip: skip || (missingTools('syslinux') ?? false) }, () => {
  // SeaBIOS's INT 09h reads port 60h when the next key byte is already due: each byte still needs
  // its own IRQ1 edge (before, the prompt got one key and no more). Keys wait for SeaBIOS's keyboard
  // set-up (kbc.ts holdKeysUntilEnabled), so the first is not lost.
  const s = JSON.parse(run(syslinuxImage(), ...SEABIOS, '--keys', 'abcdefgh\\n', '--max', '100000000', '--json').stdout);
  assert.match(s.serialText, /boot: abcdefgh[^]*\r\nLoading abcdefgh\.\.\. failed: No such file or directory\r\nboot: $/, JSON.stringify(s.serialText));
});

test('memory with nothing there (past the top of RAM, the PCI hole) reads as 0, as under QEMU', { skip: qemu }, () => {
  // A boot sector that enters flat protected mode, prints three dwords read past 64 MiB of RAM and
  // in the PCI hole on port 402h and leaves QEMU through isa-debug-exit. hdt.c32 reads past an ACPI
  // table SeaBIOS puts at the top of RAM; with all-ones there it followed a pointer of FFFFFFFFh.
  const boot = assemble(`
  cli
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp dword 0x08:pm
bits 32
pm:
  mov ax, 0x10
  mov ds, ax
  mov eax, [0x4000000]
  call hex
  mov eax, [0x20000000]
  call hex
  mov eax, [0xfebfe000]
  call hex
  mov al, 10
  out dx, al
  out 0xf4, al
  cli
  hlt
hex:
  mov ecx, 8
.digit:
  rol eax, 4
  push eax
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .out
  add al, 7
.out:
  mov dx, 0x402
  out dx, al
  pop eax
  loop .digit
  mov al, ' '
  out dx, al
  ret
align 8
gdt: dq 0
  dq 0x00cf9a000000ffff
  dq 0x00cf92000000ffff
gdtr: dw 23
  dd gdt`);
  const img = join(mkdtempSync(join(tmpdir(), 'bootscope-unassigned-')), 'probe.img');
  const disk = new Uint8Array(1 << 20);
  disk.set(boot);
  writeFileSync(img, disk);
  const log = `${img}.qemu.log`;
  spawnSync('qemu-system-i386', ['-nodefaults', '-display', 'none', '-m', '64', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${img},format=raw,if=ide,snapshot=on`, '-chardev', `file,id=d,path=${log}`, '-device', 'isa-debugcon,iobase=0x402,chardev=d'], { timeout: 30000 });
  const want = '00000000 00000000 00000000 \n';
  assert.ok(readFileSync(log, 'latin1').endsWith(want), 'QEMU');
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--max', '1000000', '--json'], { encoding: 'utf8' });
  assert.equal(JSON.parse(r.stdout).debugText, want);
});
