// Disk images: geometry detection, MBR parsing, the copy-on-write overlay and error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DiskImage, DiskImageError, DISK_OK, DISK_SECTOR_NOT_FOUND, DISK_WRITE_PROTECTED, BLANK_HARD_DISK,
} from '../../emulator/disk/diskImage';
import { FLOPPY_FORMATS, lbaToChs } from '../../emulator/disk/geometry';
import { parseMbr } from '../../emulator/disk/mbr';
import { loadState, saveState } from '../../emulator/devices/state';

function bootable(bytes: number): Uint8Array {
  const d = new Uint8Array(bytes);
  d[510] = 0x55;
  d[511] = 0xaa;
  for (let s = 0; s < bytes / 512; s++) d[s * 512] = s & 0xff; // mark each sector with its LBA
  d[0] = 0xeb;
  return d;
}

/** A hard-disk image with one partition written for a heads × sectors geometry. */
function partitioned(totalSectors: number, heads: number, spt: number): Uint8Array {
  const d = bootable(totalSectors * 512);
  const o = 0x1be;
  const start = 2048;
  const end = totalSectors - 1;
  const endC = Math.floor(end / (heads * spt)), endH = Math.floor(end / spt) % heads, endS = (end % spt) + 1;
  d[o] = 0x80;
  d[o + 1] = 0; d[o + 2] = 0x21; d[o + 3] = 0; // start CHS (whatever)
  d[o + 4] = 0x06;
  d[o + 5] = endH; d[o + 6] = endS | ((endC >> 2) & 0xc0); d[o + 7] = endC & 0xff;
  new DataView(d.buffer).setUint32(o + 8, start, true);
  new DataView(d.buffer).setUint32(o + 12, totalSectors - start, true);
  return d;
}

test('every standard floppy size gets its standard geometry', () => {
  const expected: Record<string, [number, number, number]> = {
    '160K': [40, 1, 8], '180K': [40, 1, 9], '320K': [40, 2, 8], '360K': [40, 2, 9],
    '720K': [80, 2, 9], '1.2M': [80, 2, 15], '1.44M': [80, 2, 18], '2.88M': [80, 2, 36],
  };
  for (const f of FLOPPY_FORMATS) {
    const disk = new DiskImage(bootable(f.bytes), { kind: 'floppy', name: f.name });
    const g = disk.geometry;
    assert.deepEqual([g.cylinders, g.heads, g.sectors], expected[f.name], f.name);
    assert.equal(disk.sectorCount * 512, f.bytes);
    assert.deepEqual(disk.warnings, []);
  }
  const f144 = new DiskImage(bootable(1474560), { kind: 'floppy' });
  assert.equal(f144.floppyDriveType, 4);
  assert.deepEqual(f144.int13Parameters(), { maxCylinder: 79, maxHead: 1, sectors: 18, cx: 0x4f12, dh: 1, driveType: 4 });
});

test('a lone boot sector is placed on a blank 1.44M floppy or a blank hard disk', () => {
  const fl = new DiskImage(bootable(512), { kind: 'floppy' });
  assert.equal(fl.bootSectorOnly, true);
  assert.deepEqual(fl.geometry, { cylinders: 80, heads: 2, sectors: 18 });
  assert.equal(fl.sectorCount, 2880);
  const hd = new DiskImage(bootable(512));
  assert.deepEqual(hd.geometry, BLANK_HARD_DISK);
  assert.equal(hd.sectorCount, 20 * 16 * 63);
  const buf = new Uint8Array(1024);
  buf.fill(0x77);
  assert.deepEqual(hd.read(0, 2, buf), { status: DISK_OK, sectors: 2 });
  assert.equal(buf[0], 0xeb);
  assert.equal(buf[512], 0, 'the blank disk reads as zeros');
  assert.deepEqual(hd.warnings, []);
});

test('hard disk geometry from the partition table end CHS (8 heads × 32 sectors)', () => {
  const disk = new DiskImage(partitioned(8 * 32 * 40, 8, 32));
  assert.deepEqual(disk.geometry, { cylinders: 40, heads: 8, sectors: 32 });
  assert.deepEqual(disk.physicalGeometry, disk.geometry);
  assert.equal(disk.translation, 'none');
  assert.equal(disk.geometrySource, 'partition table');
  assert.equal(disk.partitions.length, 1);
  assert.deepEqual(
    { boot: disk.partitions[0].bootable, type: disk.partitions[0].type, lba: disk.partitions[0].lbaStart, n: disk.partitions[0].sectors },
    { boot: true, type: 0x06, lba: 2048, n: 8 * 32 * 40 - 2048 },
  );
  assert.deepEqual(disk.int13Parameters(), { maxCylinder: 38, maxHead: 7, sectors: 32, cx: 0x2620, dh: 7, driveType: 0 });
});

test('hard disk without a partition table: 16 heads × 63 sectors, cylinders from the size', () => {
  const disk = new DiskImage(bootable(16 * 63 * 5 * 512 + 7 * 512));
  assert.deepEqual(disk.geometry, { cylinders: 5, heads: 16, sectors: 63 });
  assert.equal(disk.geometrySource, 'size');
  assert.equal(disk.partitions.length, 0);
  assert.equal(disk.partitionProblem, '', 'an all-empty table is a valid, empty table');
  assert.equal(disk.sectorCount, 16 * 63 * 5 + 7, 'LBA reaches the whole image');
  assert.deepEqual(disk.eddParameters(), { info: 2, cylinders: 5, heads: 16, sectors: 63, totalSectors: 16 * 63 * 5 + 7, bytesPerSector: 512 });
});

test('MBR parsing rejects boot code that is not a partition table', () => {
  const d = bootable(512);
  d[0x1be] = 0x12;
  assert.deepEqual(parseMbr(d).partitions, []);
  assert.match(parseMbr(d).problem, /entry 0 has status byte 12h/);
});

test('the copy-on-write overlay never modifies the source array', () => {
  const src = bootable(2880 * 512);
  const before = src.slice();
  const disk = new DiskImage(src, { kind: 'floppy' });
  const data = new Uint8Array(1024).fill(0xab);
  assert.deepEqual(disk.write(1, 2, data), { status: DISK_OK, sectors: 2 });
  assert.deepEqual(src, before);
  const out = new Uint8Array(1536);
  disk.read(0, 3, out);
  assert.equal(out[0], 0xeb);
  assert.equal(out[512], 0xab);
  assert.equal(out[1024], 0xab);
  assert.deepEqual(disk.dirtySectors(), [1, 2]);
  disk.discardWrites();
  disk.read(1, 1, out);
  assert.equal(out[0], 1);
});

test('writeBack hands each written sector to the front end; readOnly refuses writes', () => {
  const writes: [number, number][] = [];
  const src = bootable(2880 * 512);
  const disk = new DiskImage(src, { kind: 'floppy', writeBack: (off, d) => writes.push([off, d[0]]) });
  disk.write(5, 1, new Uint8Array(512).fill(9));
  assert.deepEqual(writes, [[5 * 512, 9]]);
  assert.equal(src[5 * 512], 5, 'the source array stays untouched; the callback writes the file');
  const ro = new DiskImage(bootable(2880 * 512), { kind: 'floppy', readOnly: true });
  assert.deepEqual(ro.write(0, 1, new Uint8Array(512)), { status: DISK_WRITE_PROTECTED, sectors: 0 });
});

test('CHS addressing and bounds: sector not found instead of exceptions', () => {
  const disk = new DiskImage(bootable(1474560), { kind: 'floppy' });
  const out = new Uint8Array(512 * 4);
  assert.equal(disk.chsToLba(0, 1, 1), 18);
  assert.equal(disk.chsToLba(1, 0, 1), 36);
  assert.deepEqual(disk.readChs(0, 1, 1, 1, out), { status: DISK_OK, sectors: 1 });
  assert.equal(out[0], 18);
  assert.deepEqual(disk.readChs(0, 0, 19, 1, out), { status: DISK_SECTOR_NOT_FOUND, sectors: 0 });
  assert.deepEqual(disk.readChs(0, 0, 0, 1, out), { status: DISK_SECTOR_NOT_FOUND, sectors: 0 });
  assert.deepEqual(disk.readChs(80, 0, 1, 1, out), { status: DISK_SECTOR_NOT_FOUND, sectors: 0 });
  assert.deepEqual(disk.read(2878, 4, out), { status: DISK_SECTOR_NOT_FOUND, sectors: 2 });
  assert.deepEqual(disk.verify(2879, 1), { status: DISK_OK, sectors: 1 });
  assert.deepEqual(disk.verify(2880, 1), { status: DISK_SECTOR_NOT_FOUND, sectors: 0 });
  assert.deepEqual(lbaToChs(disk.geometry, 37), { cylinder: 1, head: 0, sector: 2 });
  // A multi-sector CHS read continues on the next head, as the BIOS's LBA conversion does.
  assert.deepEqual(disk.readChs(0, 0, 18, 2, out), { status: DISK_OK, sectors: 2 });
  assert.deepEqual([out[0], out[512]], [17, 18]);
});

test('malformed images: empty, truncated, too big for a floppy — clear messages', () => {
  assert.throws(() => new DiskImage(new Uint8Array(0), { name: 'boot.bin' }), (e: unknown) => {
    assert.ok(e instanceof DiskImageError);
    assert.equal(e.message, 'boot.bin: the image is empty (0 bytes); expected a 512-byte boot sector or a disk image');
    return true;
  });
  assert.throws(() => new DiskImage(new Uint8Array(1000), { name: 'disk.img' }), {
    name: 'DiskImageError',
    message: 'disk.img: the image is 1000 bytes, not a whole number of 512-byte sectors: the last sector is truncated (488 of 512 bytes present, 24 missing)',
  });
  assert.throws(() => new DiskImage(new Uint8Array(3 << 20), { kind: 'floppy', name: 'big.img' }), /big\.img: 3145728 bytes is too large for a floppy/);
});

test('a missing 55AA signature is a warning naming the bytes, not an error', () => {
  const d = new Uint8Array(512);
  d[510] = 0x12;
  const disk = new DiskImage(d, { name: 'nosig.bin' });
  assert.deepEqual(disk.warnings, [
    'nosig.bin: sector 0 does not end with the boot signature 55 AA (bytes 510–511 are 12 00); Bootscope boots it anyway, as many BIOSes do',
  ]);
});

test('an odd-sized floppy image is padded to the next standard format with a warning', () => {
  const disk = new DiskImage(bootable(20 * 512), { kind: 'floppy', name: 'small.img' });
  assert.equal(disk.sectorCount, 2880);
  assert.match(disk.warnings[0], /small\.img: 10240 bytes is not a standard floppy size; treated as a 1\.44M floppy padded with zeros/);
  const out = new Uint8Array(512);
  assert.deepEqual(disk.read(19, 1, out), { status: DISK_OK, sectors: 1 });
  assert.equal(out[0], 19);
  assert.deepEqual(disk.read(20, 1, out), { status: DISK_OK, sectors: 1 });
  assert.equal(out[0], 0);
});

test('the overlay is part of a snapshot: saveState/loadState bring guest writes back', () => {
  const disk = new DiskImage(bootable(2880 * 512), { kind: 'floppy' });
  disk.write(7, 1, new Uint8Array(512).fill(1));
  const snap = saveState(disk);
  disk.write(7, 1, new Uint8Array(512).fill(2));
  disk.write(8, 1, new Uint8Array(512).fill(3));
  loadState(disk, snap);
  assert.equal(disk.sector(7)[0], 1);
  assert.equal(disk.sector(8)[0], 8, 'sector 8 is the original again');
  assert.deepEqual(disk.dirtySectors(), [7]);
  assert.ok(!('source' in snap), 'the image bytes are wiring, not state');
});
