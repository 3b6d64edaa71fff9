// The boot order (protocol parseBootOrder, completeBootOrder) and the device the built-in BIOS boots
// along it (emulator/disk/bootChoice.ts): a device absent or not bootable passes to the next, and
// with nothing bootable the first disk boots anyway. test/boot/bootOrder.test.ts holds the same
// choices to QEMU's and SeaBIOS's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBootDevice } from '../../emulator/disk/bootChoice';
import { CdImage } from '../../emulator/disk/cdrom';
import { DiskImage } from '../../emulator/disk/diskImage';
import { completeBootOrder, driveCountProblem, parseBootOrder } from '../../protocol/launchConfig';
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
  assert.equal(parseBootOrder('hd,net'), '"net" is not a boot device: use fd, hd, cdrom (or QEMU\'s letters a, c, d)');
  assert.equal(parseBootOrder('cc'), 'hd is named twice');
  assert.equal(parseBootOrder(''), '"" is not a boot device: use fd, hd, cdrom (or QEMU\'s letters a, c, d)');
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
