// The disk layer on the two real-loader images of test/boot/images.ts: partition table,
// geometry as QEMU + SeaBIOS present it, and the boot sectors the loaders chain through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskImage } from '../../emulator/disk/diskImage';
import { grubImage, readImage, syslinuxImage } from './bootImages';

function common(disk: DiskImage): void {
  assert.deepEqual(disk.warnings, []);
  assert.equal(disk.sectorCount, 65536);
  assert.deepEqual(disk.geometry, { cylinders: 65, heads: 16, sectors: 63 });
  assert.equal(disk.int13Parameters().cx, 0x3f3f, 'what QEMU + SeaBIOS return in CX for INT 13h AH=08h');
  assert.equal(disk.partitions.length, 1);
  assert.deepEqual([disk.partitions[0].bootable, disk.partitions[0].type, disk.partitions[0].lbaStart, disk.partitions[0].sectors], [true, 6, 2048, 63488]);
  const vbr = disk.sector(2048);
  assert.deepEqual([vbr[510], vbr[511]], [0x55, 0xaa]);
  assert.equal(String.fromCharCode(...vbr.subarray(0x36, 0x3e)), 'FAT16   ');
}

test('syslinux image: MBR, FAT16 VBR with the SYSLINUX OEM name, ldlinux.sys present', (t) => {
  const path = syslinuxImage();
  if (!path) return t.skip('syslinux, mtools or fdisk not installed');
  const disk = new DiskImage(readImage(path), { name: path });
  common(disk);
  assert.equal(String.fromCharCode(...disk.sector(2048).subarray(3, 11)), 'SYSLINUX');
  const text = Buffer.from(readImage(path)).toString('latin1');
  assert.ok(text.includes('LDLINUX SYS'), 'ldlinux.sys directory entry');
});

test('GRUB image: boot.img in the MBR, diskboot.img at LBA 1 with its block list', (t) => {
  const path = grubImage();
  if (!path) return t.skip('grub-pc-bin, mtools or fdisk not installed');
  const disk = new DiskImage(readImage(path), { name: path });
  common(disk);
  const mbr = disk.sector(0);
  assert.equal(String.fromCharCode(...mbr.subarray(0x180, 0x184)), 'GRUB');
  // boot.img's kernel sector field (offset 0x5C) is LBA 1, where diskboot.img starts.
  assert.equal(new DataView(mbr.buffer).getUint32(0x5c, true), 1);
  const diskboot = disk.sector(1);
  const dv = new DataView(diskboot.buffer);
  // The last block-list entry at the end of diskboot.img: start LBA 2, load segment 0x0820.
  assert.equal(dv.getUint32(0x1f4, true), 2);
  assert.equal(dv.getUint16(0x1fe, true), 0x0820);
  assert.ok(dv.getUint16(0x1fc, true) > 0, 'core.img length in sectors');
});
