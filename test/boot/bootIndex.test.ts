// @tier full
// A boot order naming single drives (bootscope run --boot hd2,cdrom) against QEMU 7.2 given the same
// drives with a bootindex on each one named (-device ide-hd,...,bootindex=N, isa-fdc.bootindexA/B):
// the built-in BIOS and SeaBIOS (--firmware seabios, which reads fw_cfg's bootorder) boot the same
// drive as QEMU, which sees the same drive numbers (the drive booted first of its kind is 80h or 00h)
// and the same INT 13h drives (driveSet.ts prints them). test/boot/bootOrder.test.ts holds orders of
// kinds (-boot order=).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { qemuAvailable } from '../devices/portScript';
import { SEABIOS_FILES } from '../../protocol/launchConfig';
import { bootscopeDrives, type DriveScenario, driveSet, underBootscope, underQemu } from './driveSet';

const skip = !qemuAvailable() ? 'qemu-system-i386 not installed' : !existsSync(SEABIOS_FILES.bios) ? 'Debian package seabios not installed' : false;

interface Scenario extends DriveScenario {
  /** QEMU's side: the bootindex of each drive named alone (hd0, hd1, fd0, fd1, cd), and -boot order=. */
  bootindex: Record<string, number>;
  order: string;
}

/** QEMU's drives as -device on the IDE places -hda, -hdb, -hdd (and -hdc without a CD), with the scenario's bootindex values. */
function qemuDrives(s: Scenario): string[] {
  const index = (id: string) => (s.bootindex[id] === undefined ? '' : `,bootindex=${s.bootindex[id]}`);
  const free = [0, 1, 2, 3].filter((i) => !(s.cdrom && i === 2));
  return [
    ...s.hd.flatMap((f, i) => ['-drive', `file=${f},format=raw,if=none,id=hd${i},snapshot=on`,
      '-device', `ide-hd,drive=hd${i},bus=ide.${free[i] >> 1},unit=${free[i] & 1}${index(`hd${i}`)}`]),
    ...(s.cdrom ? ['-drive', `file=${s.cdrom},format=raw,if=none,id=cd,media=cdrom,snapshot=on`, '-device', `ide-cd,drive=cd,bus=ide.1,unit=0${index('cd')}`] : []),
    ...s.fd.flatMap((f, i) => ['-drive', `file=${f},format=raw,if=floppy,index=${i},snapshot=on`,
      ...(s.bootindex[`fd${i}`] === undefined ? [] : ['-global', `isa-fdc.bootindex${'AB'[i]}=${s.bootindex[`fd${i}`]}`])]),
    '-boot', `order=${s.order}`,
  ];
}

test('a boot order naming one drive boots that drive under QEMU (bootindex), the built-in BIOS and SeaBIOS (fw_cfg bootorder)', { skip }, () => {
  const d = driveSet();
  const scenarios: [Scenario, string, string][] = [
    [{ hd: [d.b, d.d], fd: [], boot: 'hd2', bootindex: { hd1: 0 }, order: 'cad' }, 'the second hard disk boots as 80h, the first is 81h', '[D 80 02 00 80:D 81:B 00:- 01:-]'],
    [{ hd: [d.b, d.d], fd: [], cdrom: d.c, boot: 'hd2', bootindex: { hd1: 0 }, order: 'cad' }, 'the second hard disk before the CD', '[D 80 02 00 80:D 81:B 00:- 01:-]'],
    [{ hd: [d.b, d.d], fd: [], cdrom: d.c, boot: 'cdrom,hd2', bootindex: { cd: 0, hd1: 1 }, order: 'dca' }, 'the CD before the second hard disk', '[C E0 02 00 80:D 81:B 00:- 01:-]'],
    [{ hd: [d.b], fd: [], cdrom: d.c, boot: 'hd1,cdrom', bootindex: { hd0: 0, cd: 1 }, order: 'cda' }, 'the hard disk before the CD', '[B 80 01 00 80:B 81:- 00:- 01:-]'],
    [{ hd: [d.b, d.d], fd: [d.f, d.g], boot: 'fd2,hd2', bootindex: { fd1: 0, hd1: 1 }, order: 'acd' }, 'floppy B boots as 00h; hard disk 2 is 80h', '[G 00 02 02 80:D 81:B 00:G 01:F]'],
    [{ hd: [d.a, d.b], fd: [], cdrom: d.c, boot: 'hd1', bootindex: { hd0: 0 }, order: 'cad' }, 'the named hard disk is not bootable: the next kind (the CD), not the next hard disk', '[C E0 02 00 80:A 81:B 00:- 01:-]'],
  ];
  for (const [s, what, expected] of scenarios) {
    assert.equal(underQemu(qemuDrives(s), d.dir), expected, `${what}: QEMU`);
    assert.equal(underBootscope(bootscopeDrives(s), []), expected, `${what}: built-in BIOS`);
    assert.equal(underBootscope(bootscopeDrives(s), ['--firmware', 'seabios']), expected, `${what}: SeaBIOS`);
  }
});

test('a boot order naming a drive the machine does not have is a usage error', () => {
  const d = driveSet();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', d.b, '--hd', d.d, '--boot', 'cdrom,hd3'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'bootscope run: --boot: hd3 names no drive: the machine has 2 hard disks');
  const f = spawnSync(process.execPath, ['dist/cli.js', 'run', d.b, '--boot', 'fd1'], { encoding: 'utf8' });
  assert.equal(f.stderr.trim(), 'bootscope run: --boot: fd1 names no drive: the machine has no floppies');
});
