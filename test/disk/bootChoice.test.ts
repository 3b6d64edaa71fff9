// The boot order (protocol/bootOrder.ts: parsing, completion, resolution over the drives as SeaBIOS
// sorts its boot list; emulator/devices/bootPaths.ts: fw_cfg's bootorder lines) and the device the built-in BIOS boots
// along it (emulator/disk/bootChoice.ts): a device absent or not bootable passes to the next, and
// with nothing bootable the first disk boots anyway. test/boot/bootOrder.test.ts holds the same
// choices to QEMU's and SeaBIOS's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBootDevice } from '../../emulator/disk/bootChoice';
import { CdImage } from '../../emulator/disk/cdrom';
import { DiskImage } from '../../emulator/disk/diskImage';
import { bootSequence, completeBootOrder, driveCountProblem, parseBootOrder, resolveBootOrder } from '../../protocol/bootOrder';
import { bootDevicePath } from '../../emulator/devices/bootPaths';
import { Machine } from '../../emulator/machine';
import { makeIso } from './isoFixture';

const disk = (name: string, signed: boolean, kind: 'hard' | 'floppy' = 'hard') => {
  const img = new Uint8Array(kind === 'floppy' ? 1474560 : 1 << 20);
  if (signed) img.set([0x55, 0xaa], 510);
  return new DiskImage(img, { kind, name });
};
const cd = new CdImage(makeIso(new Uint8Array(512)), { name: 'c.iso' });
const notCd = new CdImage(new Uint8Array(64 * 2048), { name: 'data.bin' });

test('--boot takes names or QEMU letters; unknown, repeated and empty orders are sentences', () => {
  assert.deepEqual(parseBootOrder('cdrom,hd,fd'), ['cdrom', 'hd', 'fd']);
  assert.deepEqual(parseBootOrder('dca'), ['cdrom', 'hd', 'fd']);
  assert.deepEqual(parseBootOrder('hd'), ['hd']);
  assert.deepEqual(parseBootOrder('hd2,cdrom,fd1'), ['hd2', 'cdrom', 'fd1']);
  const help = 'use fd, hd, cdrom, or one drive: fd1, fd2, hd1 ... hd4 (or QEMU\'s letters a, c, d)';
  assert.equal(parseBootOrder('hd,net'), `"net" is not a boot device: ${help}`);
  assert.equal(parseBootOrder('hd5'), `"hd5" is not a boot device: ${help}`);
  assert.equal(parseBootOrder('cc'), 'hd is named twice');
  assert.equal(parseBootOrder(''), `"" is not a boot device: ${help}`);
});

test('the devices not named follow floppy, hard disk, CD; without an order the CD, then IMAGE\'s drive', () => {
  assert.deepEqual(completeBootOrder(['hd'], null, true), ['hd', 'fd', 'cdrom']);
  assert.deepEqual(completeBootOrder(null, 'fd', true), ['cdrom', 'fd', 'hd']);
  assert.deepEqual(completeBootOrder(null, 'hd', true), ['cdrom', 'hd', 'fd']);
  assert.deepEqual(completeBootOrder(null, null, true), ['cdrom', 'hd', 'fd']);
  // Without a CD, QEMU's default order (-boot cad) for a hard disk.
  assert.deepEqual(completeBootOrder(null, 'hd', false), ['hd', 'fd', 'cdrom']);
  assert.deepEqual(completeBootOrder(null, 'fd', false), ['fd', 'hd', 'cdrom']);
});

test('drives the machine has room for: one CD, floppies A and B, four IDE places', () => {
  assert.equal(driveCountProblem(2, 3, 1), null);
  assert.match(driveCountProblem(3, 0, 0)!, /^3 floppies/);
  assert.match(driveCountProblem(0, 4, 1)!, /^4 hard disks and a CD: the two IDE channels hold 4 drives/);
  assert.match(driveCountProblem(0, 0, 2)!, /^2 CDs/);
});

test('the first bootable device in the order boots; those passed over are said, in order', () => {
  const a = disk('a.img', false), b = disk('b.img', true), f = disk('f.img', true, 'floppy');
  assert.deepEqual(chooseBootDevice(['cdrom', 'hd', 'fd'], { floppy: f, hardDisk: a, cdrom: cd }), { device: 'cdrom', passed: [], unsigned: false });
  assert.deepEqual(chooseBootDevice(['hd', 'cdrom', 'fd'], { floppy: f, hardDisk: a, cdrom: notCd }), {
    device: 'fd', unsigned: false, passed: [
      'a.img (drive 80h): not a bootable disk (sector 0 does not end with 55 AA); trying the next boot device',
      'data.bin: not a bootable CD image: no ISO 9660 volume descriptor (CD001) at sector 16; trying the next boot device',
    ],
  });
  assert.equal(chooseBootDevice(['fd', 'hd', 'cdrom'], { floppy: null, hardDisk: b, cdrom: null }).device, 'hd', 'an absent floppy is skipped without a word');
});

test('nothing bootable: the first disk boots anyway, or the CD, whose boot says what is wrong', () => {
  const a = disk('a.img', false), e = disk('e.img', false, 'floppy');
  assert.deepEqual(chooseBootDevice(['cdrom', 'fd', 'hd'], { floppy: e, hardDisk: a, cdrom: notCd }), {
    device: 'fd', unsigned: true, passed: [
      'data.bin: not a bootable CD image: no ISO 9660 volume descriptor (CD001) at sector 16; trying the next boot device',
      'a.img (drive 80h): not a bootable disk (sector 0 does not end with 55 AA); trying the next boot device',
    ],
  });
  assert.deepEqual(chooseBootDevice(['cdrom', 'hd', 'fd'], { floppy: null, hardDisk: null, cdrom: notCd }), { device: 'cdrom', passed: [], unsigned: false });
  assert.deepEqual(chooseBootDevice(['cdrom', 'hd', 'fd'], { floppy: null, hardDisk: null, cdrom: null }), { device: null, passed: [], unsigned: false });
});

const drive = (kind: 'fd' | 'hd' | 'cdrom', index = 0) => ({ kind, index });

test('a drive named alone comes first (the bootorder file); the others by their kind\'s CMOS place, then floppy, hard disk, CD', () => {
  const counts = { floppies: 2, hardDisks: 3, cdrom: true };
  const o = resolveBootOrder(['hd2'], 'hd', counts);
  assert.ok(typeof o !== 'string');
  assert.deepEqual(o.kinds, ['hd', 'fd', 'cdrom']);
  assert.deepEqual(o.listed, [drive('hd', 1)]);
  assert.deepEqual(o.drives, [drive('hd', 1), drive('hd', 0), drive('hd', 2), drive('fd', 0), drive('fd', 1), drive('cdrom')]);
  assert.deepEqual(bootSequence(o), ['hd', 'fd', 'cdrom']);
  // A kind before a drive stands for its drives not named alone, so the order written holds.
  const c = resolveBootOrder(['cdrom', 'fd2', 'hd'], null, counts);
  assert.ok(typeof c !== 'string');
  assert.deepEqual(c.listed, [drive('cdrom'), drive('fd', 1), drive('hd', 0), drive('hd', 1), drive('hd', 2)]);
  assert.deepEqual(bootSequence(c), ['cdrom', 'fd', 'hd']);
  assert.deepEqual(c.drives.filter((d) => d.kind === 'fd'), [drive('fd', 1), drive('fd', 0)], 'floppy B is numbered 00h');
  // Kinds only: nothing listed (no bootorder, QEMU's -boot alone), each kind in its drives' order.
  const k = resolveBootOrder(['cdrom', 'hd'], null, counts);
  assert.ok(typeof k !== 'string');
  assert.deepEqual([k.listed, bootSequence(k)], [[], ['cdrom', 'hd', 'fd']]);
  assert.equal(resolveBootOrder(['hd4'], null, counts), 'hd4 names no drive: the machine has 3 hard disks');
  assert.equal(resolveBootOrder(['fd1'], null, { floppies: 0, hardDisks: 1, cdrom: false }), 'fd1 names no drive: the machine has no floppies');
});

test('bootorder lines are the device paths QEMU 7.2 writes for the drives (SeaBIOS\'s log under QEMU)', () => {
  assert.equal(bootDevicePath(drive('hd', 0), false), '/pci@i0cf8/ide@1,1/drive@0/disk@0');
  assert.equal(bootDevicePath(drive('hd', 1), true), '/pci@i0cf8/ide@1,1/drive@0/disk@1');
  assert.equal(bootDevicePath(drive('cdrom'), true), '/pci@i0cf8/ide@1,1/drive@1/disk@0');
  // The third hard disk is -hdd beside a CD and -hdc without one.
  assert.equal(bootDevicePath(drive('hd', 2), true), '/pci@i0cf8/ide@1,1/drive@1/disk@1');
  assert.equal(bootDevicePath(drive('hd', 2), false), '/pci@i0cf8/ide@1,1/drive@1/disk@0');
  assert.equal(bootDevicePath(drive('fd', 1), false), '/pci@i0cf8/isa@1/fdc@03f0/floppy@1');
});

test('the built-in BIOS numbers the hard disks by boot priority and boots the first; a firmware finds them in their places and numbers them so', () => {
  const a = disk('a.img', true), b = disk('b.img', true);
  const bootOrder = resolveBootOrder(['hd2'], 'hd', { floppies: 0, hardDisks: 2, cdrom: false });
  assert.ok(typeof bootOrder !== 'string');
  const m = new Machine({ hardDisks: [a, b], bootOrder });
  assert.deepEqual([m.hardDisks.map((d) => d.name), m.bootChoice?.device], [['b.img', 'a.img'], 'hd']);
  const fw = new Machine({ hardDisks: [a, b], bootOrder, firmware: true });
  assert.deepEqual([fw.hardDisks.map((d) => d.name), fw.numbered.hardDisks.map((d) => d.name)], [['a.img', 'b.img'], ['b.img', 'a.img']], 'places; SeaBIOS\'s numbers');
});
