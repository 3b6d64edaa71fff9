// Disk geometry (cylinders × heads × sectors per track) as a BIOS reports it: the standard PC floppy
// formats recognised by image size, and for hard disks the geometry the partition table was written
// with (the CHS end of its entries), else 16 heads × 63 sectors with the cylinders from the size,
// translated for INT 13h the way QEMU + SeaBIOS do, so traces compare with QEMU's.
// Pure TypeScript: no Node or VS Code imports. IBM PC floppy formats; the CHS conventions of
// INT 13h (cylinder < 1024, head < 256, sector 1–63).

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
/** INT 13h CHS addressing reaches 1024 cylinders. */
export const MAX_BIOS_CYLINDERS = 1024;

/** How the BIOS maps its logical (INT 13h) geometry onto the drive's physical one. */
export type Translation = 'none' | 'large' | 'lba';
/** The code QEMU stores for each translation in CMOS byte 0x39 (two bits per disk). */
export const TRANSLATION_CMOS: Record<Translation, number> = { none: 0, lba: 1, large: 2 };

export interface HardDiskGeometry {
  /** The drive's own geometry (what EDD AH=48h reports). */
  physical: Geometry;
  /** The geometry INT 13h CHS calls use (AH=02h/03h/08h), at most 1024 cylinders. */
  logical: Geometry;
  translation: Translation;
  /** Where the physical geometry came from. */
  source: 'partition table' | 'size';
}

/**
 * The geometry guess QEMU makes from sector 0: the first entry with sectors and a non-zero end head
 * is taken to end on a cylinder boundary, so end head + 1 = heads and end sector = sectors per
 * track, if that gives 1–16383 cylinders. (QEMU hw/block/hd-geometry.c behaviour; no code copied.)
 */
function partitionGuess(totalSectors: number, sector0: Uint8Array | null): Geometry | null {
  if (!sector0 || sector0.length < 512 || sector0[510] !== 0x55 || sector0[511] !== 0xaa) return null;
  for (let i = 0; i < 4; i++) {
    const o = 0x1be + i * 16;
    const sectorsInPartition = (sector0[o + 12] | (sector0[o + 13] << 8) | (sector0[o + 14] << 16) | (sector0[o + 15] << 24)) >>> 0;
    const endHead = sector0[o + 5];
    if (sectorsInPartition === 0 || endHead === 0) continue;
    const heads = endHead + 1;
    const sectors = sector0[o + 6] & 0x3f;
    if (sectors === 0) continue;
    const cylinders = Math.floor(totalSectors / (heads * sectors));
    if (cylinders < 1 || cylinders > MAX_CYLINDERS) continue;
    return { cylinders, heads, sectors };
  }
  return null;
}

/** 16 heads × 63 sectors and the cylinders the size gives (2–16383). */
function sizeGuess(totalSectors: number): Geometry {
  const c = Math.floor(totalSectors / (DEFAULT_HEADS * DEFAULT_SECTORS));
  return { cylinders: Math.min(MAX_CYLINDERS, Math.max(2, c)), heads: DEFAULT_HEADS, sectors: DEFAULT_SECTORS };
}

/** The logical geometry a SeaBIOS-style BIOS derives from the physical one and the translation. */
export function translateGeometry(physical: Geometry, translation: Translation, totalSectors: number): Geometry {
  let { cylinders, heads, sectors } = physical;
  if (translation === 'lba') {
    sectors = 63;
    if (totalSectors > 63 * 255 * 1024) {
      heads = 255;
      cylinders = 1024;
    } else {
      const tracks = Math.floor(totalSectors / 63);
      const h = Math.floor(tracks / 1024);
      heads = h > 128 ? 255 : h > 64 ? 128 : h > 32 ? 64 : h > 16 ? 32 : 16;
      cylinders = Math.floor(tracks / heads);
    }
  } else if (translation === 'large') {
    // Halve the cylinders and double the heads until the cylinders fit INT 13h.
    while (cylinders > MAX_BIOS_CYLINDERS) {
      cylinders >>>= 1;
      heads <<= 1;
      if (heads > 127) break;
    }
  }
  return { cylinders: Math.min(cylinders, MAX_BIOS_CYLINDERS), heads, sectors };
}

/**
 * Geometry of a hard disk of `totalSectors` sectors, as QEMU presents an IDE disk image and SeaBIOS
 * translates it (checked against QEMU 7.2 + SeaBIOS 1.16.2, see test/disk/geometry.test.ts):
 * - a partition-table guess with at most 16 heads is the physical geometry, untranslated;
 * - a guess with more heads means the table was written under a BIOS translation: the physical
 *   geometry is then 16 × 63 from the size, with "large" translation (or "lba" beyond 131072 tracks);
 * - no guess: 16 × 63 from the size, translated only when it exceeds 1024 cylinders ("lba").
 */
export function hardDiskGeometry(totalSectors: number, sector0: Uint8Array | null): HardDiskGeometry {
  const guess = partitionGuess(totalSectors, sector0);
  let physical: Geometry;
  let translation: Translation;
  let source: HardDiskGeometry['source'] = 'size';
  if (guess && guess.heads <= 16) {
    physical = guess;
    translation = 'none';
    source = 'partition table';
  } else {
    physical = sizeGuess(totalSectors);
    if (guess) translation = physical.cylinders * physical.heads <= 131072 ? 'large' : 'lba';
    else translation = physical.cylinders <= MAX_BIOS_CYLINDERS ? 'none' : 'lba';
  }
  return { physical, logical: translateGeometry(physical, translation, totalSectors), translation, source };
}

export interface Int13Parameters {
  maxCylinder: number;
  maxHead: number;
  sectors: number;
  /** CH = maximum cylinder bits 7–0, CL = sectors | cylinder bits 9–8 in bits 7–6. */
  cx: number;
  dh: number;
  /** BL for floppies (CMOS drive type), 0 for hard disks. */
  driveType: number;
}

/**
 * INT 13h AH=08h values for a logical geometry. For hard disks the maximum cylinder is the count
 * minus 2, as SeaBIOS reports it (0-based, and the last cylinder kept back); for floppies minus 1.
 */
export function int13DriveParameters(logical: Geometry, hardDisk: boolean, driveType = 0): Int13Parameters {
  const maxCylinder = Math.max(0, logical.cylinders - (hardDisk ? 2 : 1));
  const maxHead = logical.heads - 1;
  const cx = ((maxCylinder & 0xff) << 8) | ((maxCylinder >>> 2) & 0xc0) | (logical.sectors & 0x3f);
  return { maxCylinder, maxHead, sectors: logical.sectors, cx, dh: maxHead & 0xff, driveType: hardDisk ? 0 : driveType };
}

export interface EddParameters {
  /** Information flags: bit 1 = the CHS values are valid. */
  info: number;
  cylinders: number;
  heads: number;
  sectors: number;
  totalSectors: number;
  bytesPerSector: number;
}

/**
 * EDD AH=48h result-buffer values: the physical geometry, flagged valid unless the disk is larger
 * than 16383 cylinders describe, in which case cylinders read 3FFFh and the flag is clear.
 */
export function eddDriveParameters(physical: Geometry, totalSectors: number): EddParameters {
  const valid = totalSectors <= physical.heads * physical.sectors * MAX_CYLINDERS;
  return {
    info: valid ? 0x02 : 0x00, cylinders: valid ? physical.cylinders : MAX_CYLINDERS, heads: physical.heads,
    sectors: physical.sectors, totalSectors, bytesPerSector: 512,
  };
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
