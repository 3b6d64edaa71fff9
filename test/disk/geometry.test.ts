// Hard-disk geometry against what QEMU 7.2 + SeaBIOS 1.16.2 report for the same images. The
// expected values were measured with a probe boot sector that prints INT 13h AH=08h (CX, DH) and
// EDD AH=48h over COM1, on images built as test/boot/images.ts does (sfdisk "start=2048").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eddDriveParameters, hardDiskGeometry, int13DriveParameters } from '../../emulator/disk/geometry';

const MiB = 2048; // sectors

/** Sector 0 with one partition entry given as its 8 status/CHS/type bytes, start 2048 and a length. */
function mbr(entry: number[] | null, length = 0): Uint8Array {
  const s = new Uint8Array(512);
  s[510] = 0x55;
  s[511] = 0xaa;
  if (entry) {
    s.set(entry, 0x1be);
    new DataView(s.buffer).setUint32(0x1be + 8, 2048, true);
    new DataView(s.buffer).setUint32(0x1be + 12, length, true);
  }
  return s;
}

interface Measured { sectors: number; sector0: Uint8Array; cx: number; dh: number; edd: [number, number, number, number] }

const CASES: Record<string, Measured> = {
  // The 32 MiB syslinux/GRUB image of test/boot/images.ts: end CHS 4/20/16 guesses 21 heads → 16 × 63 "large".
  '32M sfdisk (the syslinux and GRUB images)': {
    sectors: 32 * MiB, sector0: mbr([0x80, 0x20, 0x21, 0x00, 0x06, 0x14, 0x10, 0x04], 0xf800), cx: 0x3f3f, dh: 0x0f, edd: [2, 65, 16, 63],
  },
  '1G sfdisk': { sectors: 1024 * MiB, sector0: mbr([0x80, 0x20, 0x21, 0x00, 0x06, 0x8a, 0x08, 0x82], 0x1ff800), cx: 0x06bf, dh: 0x3f, edd: [2, 2080, 16, 63] },
  '200M sfdisk': { sectors: 200 * MiB, sector0: mbr([0x80, 0x20, 0x21, 0x00, 0x06, 0x7e, 0x25, 0x19], 0x63800), cx: 0x947f, dh: 0x0f, edd: [2, 406, 16, 63] },
  '4G sfdisk': { sectors: 4096 * MiB, sector0: mbr([0x80, 0x20, 0x21, 0x00, 0x06, 0x2a, 0xa0, 0x0a], 0x7ff800), cx: 0x08bf, dh: 0xfe, edd: [2, 8322, 16, 63] },
  '100M, table written for 8 heads × 32 sectors': {
    sectors: 100 * MiB, sector0: mbr([0x80, 0x01, 0x01, 0x00, 0x06, 0x07, 0xe0, 0x1f], 204800 - 2048), cx: 0x1ee0, dh: 0x07, edd: [2, 800, 8, 32],
  },
  '3M, no table': { sectors: 3 * MiB, sector0: mbr(null), cx: 0x043f, dh: 0x0f, edd: [2, 6, 16, 63] },
  '100M, no table': { sectors: 100 * MiB, sector0: mbr(null), cx: 0xc93f, dh: 0x0f, edd: [2, 203, 16, 63] },
  '1G, no table': { sectors: 1024 * MiB, sector0: mbr(null), cx: 0xfeff, dh: 0x1f, edd: [2, 2080, 16, 63] },
  '8G, no table': { sectors: 8192 * MiB, sector0: mbr(null), cx: 0xfeff, dh: 0xfe, edd: [0, 16383, 16, 63] },
};

for (const [name, m] of Object.entries(CASES)) {
  test(`geometry as QEMU + SeaBIOS report it: ${name}`, () => {
    const g = hardDiskGeometry(m.sectors, m.sector0);
    const p = int13DriveParameters(g.logical, true);
    assert.equal(p.cx.toString(16), m.cx.toString(16), 'INT 13h AH=08h CX');
    assert.equal(p.dh.toString(16), m.dh.toString(16), 'INT 13h AH=08h DH');
    const e = eddDriveParameters(g.physical, m.sectors);
    assert.deepEqual([e.info, e.cylinders, e.heads, e.sectors], m.edd, 'EDD AH=48h');
    assert.equal(e.totalSectors, m.sectors);
  });
}

test('the 32M image: logical 65 × 16 × 63, "large" translation that changes nothing', () => {
  const g = hardDiskGeometry(32 * MiB, CASES['32M sfdisk (the syslinux and GRUB images)'].sector0);
  assert.deepEqual(g, {
    physical: { cylinders: 65, heads: 16, sectors: 63 }, logical: { cylinders: 65, heads: 16, sectors: 63 }, translation: 'large', source: 'size',
  });
});

test('tiny images get at least 2 cylinders, as QEMU gives them', () => {
  assert.deepEqual(hardDiskGeometry(3, null).physical, { cylinders: 2, heads: 16, sectors: 63 });
});
