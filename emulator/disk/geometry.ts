// Disk geometry (cylinders × heads × sectors per track) as a BIOS reports it: the standard PC floppy
// formats recognised by image size, and for hard disks the geometry the partition table was written
// with (the CHS end of its entries), else 16 heads × 63 sectors with the cylinders from the size.
// Pure TypeScript: no Node or VS Code imports. IBM PC floppy formats; the CHS conventions of
// INT 13h (cylinder < 1024, head < 256, sector 1–63).

import type { PartitionEntry } from './mbr';

export interface Geometry {
  cylinders: number;
  heads: number;
  /** Sectors per track. */
  sectors: number;
}

export interface FloppyFormat extends Geometry {
  /** Image size in bytes. */
  bytes: number;
  /** Name as users call it: "1.44M". */
  name: string;
  /** CMOS / INT 13h AH=08h BL drive type of the drive that reads it (1 = 360K … 5 = 2.88M). */
  driveType: number;
}

/** The standard formats, smallest first. */
export const FLOPPY_FORMATS: readonly FloppyFormat[] = [
  { name: '160K', bytes: 163840, cylinders: 40, heads: 1, sectors: 8, driveType: 1 },
  { name: '180K', bytes: 184320, cylinders: 40, heads: 1, sectors: 9, driveType: 1 },
  { name: '320K', bytes: 327680, cylinders: 40, heads: 2, sectors: 8, driveType: 1 },
  { name: '360K', bytes: 368640, cylinders: 40, heads: 2, sectors: 9, driveType: 1 },
  { name: '720K', bytes: 737280, cylinders: 80, heads: 2, sectors: 9, driveType: 3 },
  { name: '1.2M', bytes: 1228800, cylinders: 80, heads: 2, sectors: 15, driveType: 2 },
  { name: '1.44M', bytes: 1474560, cylinders: 80, heads: 2, sectors: 18, driveType: 4 },
  { name: '2.88M', bytes: 2949120, cylinders: 80, heads: 2, sectors: 36, driveType: 5 },
];

export const FLOPPY_1_44M = FLOPPY_FORMATS[6];
export const FLOPPY_2_88M = FLOPPY_FORMATS[7];

/** The format whose size is exactly `bytes`, if any. */
export function floppyFormatForSize(bytes: number): FloppyFormat | undefined {
  return FLOPPY_FORMATS.find((f) => f.bytes === bytes);
}

/** Heads and sectors per track when nothing on the disk says otherwise. */
export const DEFAULT_HEADS = 16;
export const DEFAULT_SECTORS = 63;
/** The largest cylinder count an ATA CHS geometry has. */
export const MAX_CYLINDERS = 16383;

export interface HardDiskGeometry extends Geometry {
  /** Where the heads and sectors came from. */
  source: 'partition table' | 'default';
}

/**
 * Geometry for a hard disk of `totalSectors` sectors. The partitioning tool wrote each entry's end
 * CHS with the geometry it assumed, so the end head + 1 and end sector give heads and sectors per
 * track; the first entry that yields a plausible geometry (1–16383 cylinders) wins.
 */
export function hardDiskGeometry(totalSectors: number, partitions: readonly PartitionEntry[]): HardDiskGeometry {
  for (const p of partitions) {
    const heads = p.end.head + 1;
    const sectors = p.end.sector;
    if (sectors === 0 || heads === 0) continue;
    const cylinders = Math.floor(totalSectors / (heads * sectors));
    if (cylinders >= 1 && cylinders <= MAX_CYLINDERS) return { cylinders, heads, sectors, source: 'partition table' };
  }
  const cylinders = Math.min(MAX_CYLINDERS, Math.max(1, Math.floor(totalSectors / (DEFAULT_HEADS * DEFAULT_SECTORS))));
  return { cylinders, heads: DEFAULT_HEADS, sectors: DEFAULT_SECTORS, source: 'default' };
}

/** LBA of a CHS address, or -1 when the address lies outside the geometry (sector is 1-based). */
export function chsToLba(g: Geometry, cylinder: number, head: number, sector: number): number {
  if (sector < 1 || sector > g.sectors || head < 0 || head >= g.heads || cylinder < 0 || cylinder >= g.cylinders) return -1;
  return (cylinder * g.heads + head) * g.sectors + (sector - 1);
}

/** CHS of an LBA under a geometry (for INT 13h callers and the debugger). */
export function lbaToChs(g: Geometry, lba: number): { cylinder: number; head: number; sector: number } {
  const sector = (lba % g.sectors) + 1;
  const t = Math.floor(lba / g.sectors);
  return { cylinder: Math.floor(t / g.heads), head: t % g.heads, sector };
}
