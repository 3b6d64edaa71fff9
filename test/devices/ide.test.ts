// The primary IDE channel (ide.ts) at the register level, as SeaBIOS's ata.c drives it: the reset
// signature, IDENTIFY DEVICE, READ SECTORS in CHS, LBA28 and LBA48, WRITE SECTORS into the disk's
// overlay, aborted commands, an absent slave, IRQ 14 and nIEN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { IdeChannel } from '../../emulator/devices/ide';
import { DiskImage } from '../../emulator/disk/diskImage';

function channel() {
  const data = new Uint8Array(4 << 20);
  for (let s = 0; s < data.length / 512; s++) data.fill(s & 0xff, s * 512, s * 512 + 512);
  data.set([0x55, 0xaa], 510);
  const disk = new DiskImage(data);
  const irqs: string[] = [];
  const io = new IoBus();
  new IdeChannel([disk, null], { raiseIrq: (n) => irqs.push(`+${n}`), lowerIrq: (n) => irqs.push(`-${n}`) }).attach(io);
  const words = (n: number) => Array.from({ length: n }, () => io.in16(0x1f0));
  return { io, disk, irqs, words };
}

test('reset signature; IDENTIFY DEVICE gives the geometry, model and both LBA sizes', () => {
  const { io, words } = channel();
  io.out8(0x3f6, 0x04); io.out8(0x3f6, 0x00);
  assert.deepEqual([2, 3, 4, 5].map((r) => io.in8(0x1f0 + r)), [1, 1, 0, 0], 'an ATA device');
  assert.equal(io.in8(0x1f7), 0x50);
  io.out8(0x1f6, 0xa0); io.out8(0x1f7, 0xec);
  assert.equal(io.in8(0x1f7), 0x58, 'DRQ: 256 words to read');
  const w = words(256);
  assert.equal(io.in8(0x1f7), 0x50);
  const model = w.slice(27, 47).map((x) => String.fromCharCode(x >> 8, x & 0xff)).join('').trim();
  assert.equal(model, 'BOOTSCOPE HARDDISK');
  assert.deepEqual([w[1], w[3], w[6]], [8, 16, 63]);
  assert.equal(w[60] | (w[61] << 16), 8192);
  assert.equal(w[100], 8192);
  assert.ok(w[83] & 0x400, 'LBA48 supported');
  assert.equal(w[93], 0x6001, 'hardware reset result as QEMU 7.2 gives it (word valid, CBLID-, bit 0)');
});

test('READ SECTORS in LBA28, CHS and LBA48 reach the same sectors; data port in 16 and 32 bits', () => {
  const { io, words } = channel();
  io.out8(0x1f2, 2); io.out8(0x1f3, 65); io.out8(0x1f4, 0); io.out8(0x1f5, 0); io.out8(0x1f6, 0xe0);
  io.out8(0x1f7, 0x20);
  assert.equal(words(256)[0], 0x4141, 'LBA 65');
  assert.equal(io.in32(0x1f0), 0x42424242, 'LBA 66, the next sector');
  words(254);
  assert.equal(io.in8(0x1f7), 0x50, 'done');
  // CHS: cylinder 0, head 1, sector 3 = LBA 63 + 2 = 65.
  io.out8(0x1f2, 1); io.out8(0x1f3, 3); io.out8(0x1f4, 0); io.out8(0x1f5, 0); io.out8(0x1f6, 0xa1);
  io.out8(0x1f7, 0x20);
  assert.equal(words(1)[0], 0x4141);
  words(255);
  // LBA48: high-order bytes first, then low.
  for (const [r, v] of [[2, 0], [3, 0], [4, 0], [5, 0], [2, 1], [3, 7], [4, 0], [5, 0]]) io.out8(0x1f0 + r, v);
  io.out8(0x3f6, 0x80);
  assert.equal(io.in8(0x1f2), 0, "HOB: the count's high byte");
  io.out8(0x3f6, 0x00);
  io.out8(0x1f6, 0x40); io.out8(0x1f7, 0x24);
  assert.equal(words(1)[0], 0x0707);
});

test('WRITE SECTORS lands in the disk overlay; a sector past the end and an unknown command abort', () => {
  const { io, disk } = channel();
  io.out8(0x1f2, 1); io.out8(0x1f3, 9); io.out8(0x1f4, 0); io.out8(0x1f5, 0); io.out8(0x1f6, 0xe0);
  io.out8(0x1f7, 0x30);
  assert.equal(io.in8(0x1f7), 0x58);
  for (let i = 0; i < 256; i++) io.out16(0x1f0, 0xbeef);
  assert.equal(io.in8(0x1f7), 0x50);
  assert.deepEqual([...disk.sector(9).subarray(0, 2)], [0xef, 0xbe]);
  io.out8(0x1f2, 1); io.out8(0x1f3, 0); io.out8(0x1f4, 0); io.out8(0x1f5, 0x01); io.out8(0x1f6, 0xe0);
  io.out8(0x1f7, 0x20);
  assert.deepEqual([io.in8(0x1f7), io.in8(0x1f1)], [0x41, 0x10], 'LBA 65536 of 8192: IDNF (DRDY ERR: QEMU 7.2 reports no seek complete on an error)');
  io.out8(0x1f7, 0xa1);
  assert.deepEqual([io.in8(0x1f7), io.in8(0x1f1)], [0x41, 0x04], 'IDENTIFY PACKET on a disk: ABRT');
});

test('IRQ 14 on completion, cleared by reading status, masked by nIEN; the absent slave reads 0', () => {
  const { io, irqs } = channel();
  io.out8(0x1f6, 0xa0); io.out8(0x1f7, 0xef);
  assert.deepEqual(irqs, ['+14']);
  assert.equal(io.in8(0x3f6), 0x50, 'alternate status leaves the IRQ');
  assert.deepEqual(irqs, ['+14']);
  io.in8(0x1f7);
  assert.deepEqual(irqs, ['+14', '-14']);
  io.out8(0x3f6, 0x02);
  io.out8(0x1f7, 0xef);
  assert.deepEqual(irqs, ['+14', '-14'], 'nIEN');
  io.out8(0x1f6, 0xb0);
  assert.deepEqual([io.in8(0x1f7), io.in8(0x3f6)], [0, 0]);
});
