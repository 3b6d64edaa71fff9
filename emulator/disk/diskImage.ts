// A disk as the BIOS sees it: an image given as bytes or as a SectorSource (the front end reads the file, whole or
// sector by sector on demand, so a multi-gigabyte disk needs neither the memory nor the load time), its geometry,
// partition table and a copy-on-write overlay, so guest writes never reach the user's file unless
// the front end passes a `writeBack` callback. Guest errors come back as INT 13h status codes, never
// as exceptions; only an unusable image (empty, truncated, too big for a floppy) throws
// DiskImageError. Pure TypeScript: no Node or VS Code imports. INT 13h status codes per the IBM PC
// AT BIOS Technical Reference and the Phoenix BIOS book.

import { hasBootSignature, parseMbr, SECTOR_SIZE, type PartitionEntry } from './mbr';
import {
  chsToLba, eddDriveParameters, floppyFormatForSize, FLOPPY_1_44M, FLOPPY_2_88M, hardDiskGeometry, int13DriveParameters,
  type EddParameters, type Geometry, type Int13Parameters, type Translation,
} from './geometry';

/** INT 13h status codes (AH) the disk layer produces; the BIOS copies them into AH and the BDA. */
export const DISK_OK = 0x00;
export const DISK_BAD_COMMAND = 0x01;
export const DISK_WRITE_PROTECTED = 0x03;
export const DISK_SECTOR_NOT_FOUND = 0x04;

/** The blank hard disk a lone boot sector is placed on: 20 cylinders × 16 heads × 63 sectors (9.84 MiB). */
export const BLANK_HARD_DISK: Geometry = { cylinders: 20, heads: 16, sectors: 63 };

export class DiskImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiskImageError';
  }
}

export type DiskKind = 'floppy' | 'hard';

export interface DiskImageOptions {
  /** Floppy (BIOS drive 00h) or hard disk (80h); the CLI's --floppy. Default 'hard'. */
  kind?: DiskKind;
  /** Used in messages: the file name. Default "disk image". */
  name?: string;
  /** Guest writes fail with status 03h (write protected). */
  readOnly?: boolean;
  /**
   * When set, each guest write is also handed to this callback (byte offset in the image, data)
   * so the front end can write it to the file. The source itself is never modified through this class.
   */
  writeBack?: (offset: number, data: Uint8Array) => void;
}

/** Where an image's bytes come from when they are not all in memory (a file read on demand). */
export interface SectorSource {
  readonly byteLength: number;
  /** Copies `length` bytes from `offset` of the image into `out` at `outOffset` (within byteLength). */
  read(offset: number, out: Uint8Array, outOffset: number, length: number): void;
}

/** An image held in memory as a SectorSource. */
export function bytesSource(data: Uint8Array): SectorSource {
  return {
    byteLength: data.length,
    read: (offset, out, outOffset, length) => out.set(data.subarray(offset, offset + length), outOffset),
  };
}

export interface DiskTransfer {
  status: number;
  /** Sectors transferred before the error (all of them on success): INT 13h AL. */
  sectors: number;
}

export class DiskImage {
  readonly kind: DiskKind;
  readonly name: string;
  /** The logical geometry INT 13h CHS calls use (at most 1024 cylinders). */
  readonly geometry: Geometry;
  /** The drive's own geometry (EDD AH=48h); equal to `geometry` unless translated. */
  readonly physicalGeometry: Geometry;
  readonly translation: Translation;
  /** Where the geometry came from: a floppy format, the partition table, the size, or a blank disk. */
  readonly geometrySource: string;
  /** Sectors the disk has (LBA 0 … sectorCount − 1); may exceed the image when it was padded. */
  readonly sectorCount: number;
  /** Partitions from the MBR (hard disks only). */
  readonly partitions: PartitionEntry[];
  /** Why sector 0's table was not used as a partition table, when it was not. */
  readonly partitionProblem: string;
  /** Not errors, but worth telling the user (missing 55AA, padding). */
  readonly warnings: string[] = [];
  /** The image was a lone 512-byte boot sector, placed on a blank disk. */
  readonly bootSectorOnly: boolean;
  /** CMOS / INT 13h drive type for floppies (4 = 1.44M), 0 for hard disks. */
  readonly floppyDriveType: number;
  readOnly: boolean;
  private readonly source: SectorSource;
  private readonly overlay = new Map<number, Uint8Array>();
  private readonly writeBack: ((offset: number, data: Uint8Array) => void) | null;

  constructor(data: Uint8Array | SectorSource, opts: DiskImageOptions = {}) {
    this.kind = opts.kind ?? 'hard';
    this.name = opts.name ?? 'disk image';
    this.readOnly = opts.readOnly ?? false;
    this.writeBack = opts.writeBack ?? null;
    this.source = data instanceof Uint8Array ? bytesSource(data) : data;
    const len = this.source.byteLength;
    if (len === 0) {
      throw new DiskImageError(`${this.name}: the image is empty (0 bytes); expected a 512-byte boot sector or a disk image`);
    }
    if (len % SECTOR_SIZE !== 0) {
      const rest = len % SECTOR_SIZE;
      throw new DiskImageError(
        `${this.name}: the image is ${len} bytes, not a whole number of 512-byte sectors: ` +
          `the last sector is truncated (${rest} of 512 bytes present, ${SECTOR_SIZE - rest} missing)`,
      );
    }
    const imageSectors = len / SECTOR_SIZE;
    this.bootSectorOnly = len === SECTOR_SIZE;
    const sector0 = new Uint8Array(SECTOR_SIZE);
    this.source.read(0, sector0, 0, SECTOR_SIZE);
    if (!hasBootSignature(sector0)) {
      const b = (i: number) => sector0[i].toString(16).toUpperCase().padStart(2, '0');
      this.warnings.push(
        `${this.name}: sector 0 does not end with the boot signature 55 AA (bytes 510–511 are ${b(510)} ${b(511)}); ` +
          'Bootscope boots it anyway, as many BIOSes do',
      );
    }

    if (this.kind === 'floppy') {
      let fmt = floppyFormatForSize(len);
      if (!fmt) {
        if (len > FLOPPY_2_88M.bytes) {
          throw new DiskImageError(
            `${this.name}: ${len} bytes is too large for a floppy (the largest format, 2.88M, is ${FLOPPY_2_88M.bytes} bytes); boot it as a hard disk`,
          );
        }
        fmt = len <= FLOPPY_1_44M.bytes ? FLOPPY_1_44M : FLOPPY_2_88M;
        if (!this.bootSectorOnly) {
          this.warnings.push(`${this.name}: ${len} bytes is not a standard floppy size; treated as a ${fmt.name} floppy padded with zeros`);
        }
      }
      this.geometry = { cylinders: fmt.cylinders, heads: fmt.heads, sectors: fmt.sectors };
      this.physicalGeometry = { ...this.geometry };
      this.translation = 'none';
      this.geometrySource = this.bootSectorOnly ? `blank ${fmt.name} floppy` : `${fmt.name} floppy`;
      this.sectorCount = fmt.bytes / SECTOR_SIZE;
      this.floppyDriveType = fmt.driveType;
      this.partitions = [];
      this.partitionProblem = '';
      return;
    }

    this.floppyDriveType = 0;
    this.sectorCount = this.bootSectorOnly ? BLANK_HARD_DISK.cylinders * BLANK_HARD_DISK.heads * BLANK_HARD_DISK.sectors : imageSectors;
    const mbr = parseMbr(sector0, this.sectorCount);
    this.partitions = mbr.partitions;
    this.partitionProblem = mbr.problem;
    if (this.bootSectorOnly) {
      this.geometry = { ...BLANK_HARD_DISK };
      this.physicalGeometry = { ...BLANK_HARD_DISK };
      this.translation = 'none';
      this.geometrySource = 'blank hard disk';
    } else {
      const g = hardDiskGeometry(imageSectors, sector0);
      this.geometry = g.logical;
      this.physicalGeometry = g.physical;
      this.translation = g.translation;
      this.geometrySource = g.source;
    }
  }

  /** INT 13h AH=08h values (see int13DriveParameters). */
  int13Parameters(): Int13Parameters {
    return int13DriveParameters(this.geometry, this.kind === 'hard', this.floppyDriveType);
  }

  /** EDD AH=48h values (see eddDriveParameters). */
  eddParameters(): EddParameters {
    return eddDriveParameters(this.physicalGeometry, this.sectorCount);
  }

  /** Size in bytes as the guest sees it. */
  get byteLength(): number {
    return this.sectorCount * SECTOR_SIZE;
  }

  /** Sectors the guest has written (sorted LBAs): what `writeBack` would persist. */
  dirtySectors(): number[] {
    return [...this.overlay.keys()].sort((a, b) => a - b);
  }

  /** The guest's writes, LBA → sector (sectors are never changed in place: a shallow copy is a copy). */
  writes(): ReadonlyMap<number, Uint8Array> {
    return this.overlay;
  }

  /**
   * Puts back the writes of another point in time (the recording's snapshots). With writeBack every
   * sector whose content changes is written to the file as well, so the file holds the history being
   * looked at, not sectors written only in a future that was left.
   */
  restoreWrites(writes: ReadonlyMap<number, Uint8Array>): void {
    const before = this.writeBack ? new Map(this.overlay) : null;
    this.overlay.clear();
    for (const [lba, data] of writes) this.overlay.set(lba, data);
    if (!before || !this.writeBack) return;
    for (const lba of new Set([...before.keys(), ...writes.keys()])) {
      if (before.get(lba) !== writes.get(lba)) this.writeBack(lba * SECTOR_SIZE, this.sector(lba));
    }
  }

  /** Drops all guest writes (a fresh boot of the same image). */
  discardWrites(): void {
    this.overlay.clear();
  }

  /** Copies one sector into `out` at `offset` (zeros beyond the end of a padded image). */
  private copySector(lba: number, out: Uint8Array, offset: number): void {
    const o = this.overlay.get(lba);
    if (o) {
      out.set(o, offset);
      return;
    }
    const start = lba * SECTOR_SIZE;
    if (start + SECTOR_SIZE <= this.source.byteLength) this.source.read(start, out, offset, SECTOR_SIZE);
    else out.fill(0, offset, offset + SECTOR_SIZE);
  }

  /** One sector as a fresh array (the debugger, the boot loader of the BIOS). */
  sector(lba: number): Uint8Array {
    const out = new Uint8Array(SECTOR_SIZE);
    if (lba >= 0 && lba < this.sectorCount) this.copySector(lba, out, 0);
    return out;
  }

  /**
   * Reads `count` sectors from `lba` into `out` (at `offset`). Sectors past the end are not read:
   * status 04h (sector not found) with the number read before it.
   */
  read(lba: number, count: number, out: Uint8Array, offset = 0): DiskTransfer {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0) return { status: DISK_BAD_COMMAND, sectors: 0 };
    let n = 0;
    for (; n < count; n++) {
      if (lba + n >= this.sectorCount) return { status: DISK_SECTOR_NOT_FOUND, sectors: n };
      if (offset + (n + 1) * SECTOR_SIZE > out.length) return { status: DISK_BAD_COMMAND, sectors: n };
      this.copySector(lba + n, out, offset + n * SECTOR_SIZE);
    }
    return { status: DISK_OK, sectors: n };
  }

  /** Writes `count` sectors from `data` (at `offset`) to the overlay, and through `writeBack` if set. */
  write(lba: number, count: number, data: Uint8Array, offset = 0): DiskTransfer {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0) return { status: DISK_BAD_COMMAND, sectors: 0 };
    if (this.readOnly) return { status: DISK_WRITE_PROTECTED, sectors: 0 };
    let n = 0;
    for (; n < count; n++) {
      if (lba + n >= this.sectorCount) return { status: DISK_SECTOR_NOT_FOUND, sectors: n };
      const from = offset + n * SECTOR_SIZE;
      if (from + SECTOR_SIZE > data.length) return { status: DISK_BAD_COMMAND, sectors: n };
      // A fresh array: `data` may be a Node Buffer, whose slice() would share memory.
      const copy = new Uint8Array(SECTOR_SIZE);
      copy.set(data.subarray(from, from + SECTOR_SIZE));
      this.overlay.set(lba + n, copy);
      this.writeBack?.((lba + n) * SECTOR_SIZE, copy);
    }
    return { status: DISK_OK, sectors: n };
  }

  /** Checks that sectors exist (INT 13h AH=04h verify, AH=44h). */
  verify(lba: number, count: number): DiskTransfer {
    if (lba < 0 || count < 0) return { status: DISK_BAD_COMMAND, sectors: 0 };
    const ok = Math.max(0, Math.min(count, this.sectorCount - lba));
    return { status: ok === count ? DISK_OK : DISK_SECTOR_NOT_FOUND, sectors: ok };
  }

  /** LBA of a CHS address under this disk's geometry, or -1. */
  chsToLba(cylinder: number, head: number, sector: number): number {
    return chsToLba(this.geometry, cylinder, head, sector);
  }

  /** INT 13h AH=02h: CHS read of `count` consecutive sectors (which may continue on the next head/track). */
  readChs(cylinder: number, head: number, sector: number, count: number, out: Uint8Array, offset = 0): DiskTransfer {
    const lba = this.chsToLba(cylinder, head, sector);
    if (lba < 0) return { status: DISK_SECTOR_NOT_FOUND, sectors: 0 };
    return this.read(lba, count, out, offset);
  }

  /** INT 13h AH=03h. */
  writeChs(cylinder: number, head: number, sector: number, count: number, data: Uint8Array, offset = 0): DiskTransfer {
    const lba = this.chsToLba(cylinder, head, sector);
    if (lba < 0) return { status: DISK_SECTOR_NOT_FOUND, sectors: 0 };
    return this.write(lba, count, data, offset);
  }

  /** INT 13h AH=04h. */
  verifyChs(cylinder: number, head: number, sector: number, count: number): DiskTransfer {
    const lba = this.chsToLba(cylinder, head, sector);
    if (lba < 0) return { status: DISK_SECTOR_NOT_FOUND, sectors: 0 };
    return this.verify(lba, count);
  }
}
