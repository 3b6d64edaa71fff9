// @tier full
// Several drives and a boot order (bootscope run --hd/--fd/--cdrom/--boot) against QEMU 7.2: the same
// image set under QEMU (-drive ... if=ide,index=N / if=floppy / media=cdrom, -boot order=...) and under
// Bootscope, with the built-in BIOS and with SeaBIOS (--firmware seabios), boots the same drive, which
// sees the same drive numbers, BIOS data area counts and INT 13h drives (driveSet.ts prints them). A
// hard disk without 55 AA passes to the next device in all three; a floppy or hard disk emulation CD takes
// drive 00h or 80h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { qemuAvailable } from '../devices/portScript';
import { SEABIOS_FILES } from '../../protocol/launchConfig';
import { bootscopeDrives, type DriveScenario, driveSet, underBootscope, underQemu } from './driveSet';

const skip = !qemuAvailable() ? 'qemu-system-i386 not installed' : !existsSync(SEABIOS_FILES.bios) ? 'Debian package seabios not installed' : false;

/** `boot`: QEMU's -boot order letters, which --boot takes too. */
type Scenario = DriveScenario;

/** QEMU's drive options for the scenario: the hard disks on the IDE places -hda, -hdb, -hdd (and -hdc without a CD). */
function qemuDrives(s: Scenario): string[] {
  const free = [0, 1, 2, 3].filter((i) => !(s.cdrom && i === 2));
  return [
    ...s.hd.flatMap((f, i) => ['-drive', `file=${f},format=raw,if=ide,index=${free[i]},snapshot=on`]),
    ...s.fd.flatMap((f, i) => ['-drive', `file=${f},format=raw,if=floppy,index=${i},snapshot=on`]),
    ...(s.cdrom ? ['-drive', `file=${s.cdrom},format=raw,if=ide,index=2,media=cdrom,snapshot=on`] : []),
    '-boot', `order=${s.boot}`,
  ];
}

test('hard disks, floppies and a CD with a boot order boot the same drive under QEMU, the built-in BIOS and SeaBIOS', { skip }, () => {
  const d = driveSet();
  const scenarios: [Scenario, string][] = [
    [{ hd: [d.a, d.b], fd: [d.f], cdrom: d.c, boot: 'dca' }, 'the CD first'],
    [{ hd: [d.a, d.b], fd: [d.f], cdrom: d.c, boot: 'cda' }, 'hard disk 80h has no 55 AA: the CD next'],
    [{ hd: [d.a, d.b], fd: [d.f], cdrom: d.c, boot: 'acd' }, 'the floppy first'],
    [{ hd: [d.b, d.a], fd: [d.f, d.g], boot: 'c' }, 'the first hard disk is 80h; two floppies'],
    [{ hd: [d.a, d.b, d.d], fd: [], cdrom: d.c, boot: 'c' }, 'three hard disks beside the CD (-hdd); 80h not bootable, then the CD not named'],
    [{ hd: [d.a], fd: [d.f], cdrom: d.c, boot: 'c' }, 'devices not named follow floppy first, as SeaBIOS orders them'],
    [{ hd: [d.b], fd: [d.f], cdrom: d.e, boot: 'd' }, 'a CD in floppy emulation is 00h, the floppy image moves to 01h'],
    [{ hd: [d.b], fd: [], cdrom: d.h, boot: 'd' }, 'a CD in hard disk emulation is 80h, the hard disk image moves to 81h'],
    [{ hd: [d.b], fd: [], cdrom: d.a, boot: 'dc' }, 'a CD that is no ISO (QEMU attaches any file): passed over for the hard disk'],
  ];
  for (const [s, what] of scenarios) {
    const qemu = underQemu(qemuDrives(s), d.dir);
    assert.ok(qemu, `${what}: QEMU's boot printed nothing`);
    assert.equal(underBootscope(bootscopeDrives(s), []), qemu, `${what}: built-in BIOS`);
    assert.equal(underBootscope(bootscopeDrives(s), ['--firmware', 'seabios']), qemu, `${what}: SeaBIOS`);
  }
});

test('a --cdrom file that is no El Torito ISO under SeaBIOS: attached as QEMU does, with a warning that the firmware will pass it over', { skip }, () => {
  const d = driveSet();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', d.b, '--cdrom', d.a, '--boot', 'dc', '--firmware', 'seabios', '--max', '60000000', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.split('\n').filter((l) => l.includes('warning'))[0],
    `bootscope run: warning: ${d.a}: not a bootable CD image: no ISO 9660 volume descriptor (CD001) at sector 16; the firmware will pass the CD over`);
  assert.match(JSON.parse(r.stdout).debugText, /Booting from DVD\/CD\.\.\.\nBoot failed: Could not read from CDROM \(code 0005\)\n[^]*Booting from Hard Disk\.\.\./);
});
