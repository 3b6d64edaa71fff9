// The BIOS drive table: drive numbers, status per drive, sector transfers through the memory bus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriveTable } from '../../emulator/disk/drives';
import { DISK_OK, DISK_SECTOR_NOT_FOUND } from '../../emulator/disk/diskImage';
import { Memory } from '../../emulator/memory/bus';
import { PF_WATCH_W } from '../../emulator/memory/pageFlags';

function image(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * 512);
  for (let s = 0; s < sectors; s++) d.fill(s & 0xff, s * 512, s * 512 + 512);
  d[510] = 0x55;
  d[511] = 0xaa;
  return d;
}

test('forBoot: a floppy is drive 00h, a hard disk 80h', () => {
  const f = DriveTable.forBoot(image(2880), { kind: 'floppy' });
  assert.equal(f.bootDrive, 0x00);
  assert.equal(f.drives.drive(0x00), f.disk);
  assert.equal(f.drives.drive(0x80), undefined);
  assert.deepEqual(f.drives.cmosFloppyTypes(), [4, 0]);
  const h = DriveTable.forBoot(image(4096), {});
  assert.equal(h.bootDrive, 0x80);
  assert.equal(h.drives.drive(0x80), h.disk);
  assert.equal(h.drives.drive(0x81), undefined);
  assert.deepEqual(h.drives.cmosFloppyTypes(), [0, 0]);
});

test('readToMemory goes through the bus: A20 wrap and write watch flags apply', () => {
  const { drives, disk } = DriveTable.forBoot(image(2880), { kind: 'floppy' });
  const memory = new Memory({ ramSize: 2 << 20 });
  const writes: number[] = [];
  memory.observer = { onRead() {}, onWrite(addr) { writes.push(addr); } };
  memory.pageFlags[0x7c00 >>> 12] |= PF_WATCH_W;
  assert.deepEqual(drives.readToMemory(disk, memory, 3, 2, 0x7c00), { status: DISK_OK, sectors: 2 });
  assert.equal(memory.read8(0x7c00), 3);
  assert.equal(memory.read8(0x7c00 + 512), 4);
  assert.equal(writes.length, 1024, 'the watched page saw every byte');
  memory.setA20(false);
  drives.readToMemory(disk, memory, 5, 1, 0x100000);
  assert.equal(memory.read8(0x000000), 5, 'A20 off: 1 MiB wraps to 0');
  assert.deepEqual(drives.readToMemory(disk, memory, 2879, 2, 0x8000), { status: DISK_SECTOR_NOT_FOUND, sectors: 1 });
});

test('writeFromMemory lands in the overlay; status per drive is remembered', () => {
  const src = image(2880);
  const { drives, disk } = DriveTable.forBoot(src, { kind: 'floppy' });
  const memory = new Memory({ ramSize: 1 << 20 });
  for (let i = 0; i < 512; i++) memory.write8(0x500 + i, 0xcc);
  assert.deepEqual(drives.writeFromMemory(disk, memory, 10, 1, 0x500), { status: DISK_OK, sectors: 1 });
  assert.equal(disk.sector(10)[0], 0xcc);
  assert.equal(src[10 * 512], 10);
  drives.setStatus(0x00, DISK_SECTOR_NOT_FOUND);
  assert.equal(drives.getStatus(0x00), 0x04);
  assert.equal(drives.getStatus(0x80), 0x00);
});
