// @tier full
// Plain (non-hybrid) El Torito ISOs built from Debian's packages at test time boot as CDs with the
// built-in BIOS (`bootscope run`, detected without --cdrom) — isolinux without emulation, and a
// syslinux floppy in 1.44M floppy emulation — to their config and boot prompt, and print on serial
// exactly what they print under QEMU 7.2 + SeaBIOS with `-cdrom`; a hybrid ISO boots from its MBR
// unless --cdrom; grub-mkrescue's ISO, as a CD and as a disk, halts after QEMU's serial text; the
// CLI's --cdrom on an image that is not a bootable CD, and with --floppy, is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRUB_RESCUE_ECHO, grubRescueIso, ISOLINUX_SAY, isolinuxIso, missingTools, SYSLINUX_SAY, syslinuxFloppyIso } from './images';
import { assertPowersOffAsQemu } from './corpusChecks';
import { qemuSerial } from './qemuSerial';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-cdrom-'));
const BOOT_PROMPT = 'boot: ';

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

test('plain isolinux ISO: boots as a CD to its config and boot prompt, serial as under QEMU -cdrom',
  { skip: missingTools('isolinux') ?? false }, async () => {
    const iso = isolinuxIso();
    const sector0 = readFileSync(iso).subarray(0, 512);
    assert.ok(sector0.every((b) => b === 0), 'the ISO is plain: sector 0 is zeros');
    const r = cli(iso, '--max', '30000000', '--screen', '--json');
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.biosLog, []);
    assert.equal(s.mode, 'protected32');
    // isolinux prints SAY to the screen only (QEMU's serial has no SAY line either).
    assert.ok(s.screen.join('\n').includes(ISOLINUX_SAY), s.screen.join('\n'));
    assert.match(s.serialText, /ISOLINUX 6\.\d+ .*\r?\nLoading \/none\.bin\.\.\. failed: No such file or directory/);
    assert.ok(s.serialText.endsWith(BOOT_PROMPT), JSON.stringify(s.serialText));
    const q = await qemuSerial(['-cdrom', iso], BOOT_PROMPT);
    assert.equal(s.serialText.replace(/\r/g, ''), q.replace(/\r/g, ''));
  });

test('a syslinux floppy in El Torito floppy emulation boots as drive 00h, serial as under QEMU -cdrom',
  { skip: missingTools('isolinux') ?? missingTools('syslinux') ?? false }, async () => {
    const iso = syslinuxFloppyIso();
    const r = cli(iso, '--max', '30000000', '--screen', '--json');
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.biosLog, []);
    assert.ok(s.screen.join('\n').includes(SYSLINUX_SAY), s.screen.join('\n'));
    assert.match(s.serialText, /SYSLINUX 6\.\d+ .*\r?\nLoading \/none\.bin\.\.\. failed: No such file or directory/);
    assert.ok(s.serialText.endsWith(BOOT_PROMPT), JSON.stringify(s.serialText));
    const q = await qemuSerial(['-cdrom', iso], BOOT_PROMPT);
    assert.equal(s.serialText.replace(/\r/g, ''), q.replace(/\r/g, ''));
  });

test('a hybrid isolinux ISO boots from its MBR as drive 80h, and with --cdrom as the CD (E0h); both reach the prompt',
  { skip: missingTools('isolinux') ?? false }, () => {
    const iso = isolinuxIso(true);
    const plain = JSON.parse(cli(isolinuxIso(), '--max', '30000000', '--json').stdout).serialText;
    for (const [flags, dl] of [[[], 0x80], [['--cdrom'], 0xe0]] as const) {
      const entry = JSON.parse(cli(iso, ...flags, '--max', '0', '--json').stdout);
      assert.equal(entry.registers.edx & 0xff, dl, flags.join(' '));
      const r = cli(iso, ...flags, '--max', '30000000', '--json');
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.deepEqual(s.biosLog, [], flags.join(' '));
      assert.equal(s.serialText, plain, flags.join(' '));
    }
  });

test('--cdrom: a non-CD image and --floppy with it are one-line errors', { skip: missingTools('isolinux') ?? false }, () => {
  const disk = join(dir, 'disk.img');
  writeFileSync(disk, new Uint8Array(64 * 2048));
  const r = cli(disk, '--cdrom');
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^bootscope run: .*disk\.img: not a bootable CD image: no ISO 9660 volume descriptor \(CD001\) at sector 16/);
  const broken = join(dir, 'broken.iso');
  copyFileSync(isolinuxIso(), broken);
  const bytes = readFileSync(broken);
  const cat = bytes.readUInt32LE(17 * 2048 + 0x47);
  bytes[cat * 2048 + 0x1e] = 0;
  writeFileSync(broken, bytes);
  const b = cli(broken, '--max', '1000');
  assert.equal(b.status, 1);
  assert.match(b.stderr, /^bootscope run: .*broken\.iso: not a bootable CD image: the boot catalogue \(sector \d+\) lacks the key bytes 55 AA of its validation entry\n$/);
  const u = cli(isolinuxIso(), '--cdrom', '--floppy');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /--floppy and --cdrom exclude each other/);
});

test('grub-mkrescue\'s ISO, as a CD (--cdrom) and as a disk from its hybrid MBR: grub.cfg halts, powering off after the serial text QEMU shows',
  { skip: missingTools('rescue') ?? false }, () => {
    for (const cdrom of [true, false]) assertPowersOffAsQemu(grubRescueIso(), [], [GRUB_RESCUE_ECHO], cdrom);
  });
