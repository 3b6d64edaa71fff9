// A CD-ROM as the BIOS sees it: an ISO 9660 image in 2048-byte sectors, read-only, read from a
// SectorSource (the front end reads big images on demand, as for disks), and its El Torito boot
// catalogue: the boot record volume descriptor at sector 17 points to the catalogue, whose
// validation entry (header ID 01h, a word sum of zero, key 55h AAh) is followed by the initial/
// default entry (boot indicator 88h, emulation type, load segment, sector count in 512-byte virtual
// sectors, load RBA). Only an unusable image throws (CdImageError, one sentence); guest errors are
// INT 13h status codes. Pure TypeScript: no Node or VS Code imports. ECMA-119 §8; "El Torito"
// Bootable CD-ROM Format Specification 1.0 (Phoenix/IBM 1995) §2 and §5.

import { hasBootSignature } from './mbr';
import { bytesSource, DISK_BAD_COMMAND, DISK_OK, DISK_SECTOR_NOT_FOUND, DiskImage, type DiskTransfer, type SectorSource } from './diskImage';
import { FLOPPY_FORMATS } from './geometry';

export const CD_SECTOR_SIZE = 2048;
/** The drive number the BIOS gives a CD booted without emulation (DL at the boot entry). */
export const CD_DRIVE = 0xe0;
/** ECMA-119 §8.1: the volume descriptor set starts at logical sector 16. */
const PRIMARY_DESCRIPTOR = 16;
const BOOT_RECORD = 17;
const STANDARD_ID = 'CD001';
const EL_TORITO_ID = 'EL TORITO SPECIFICATION';

export class CdImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CdImageError';
  }
}

/** The floppy formats of El Torito media types 1–3. */
const EMULATED_FLOPPIES = [undefined, ...['1.2M', '1.44M', '2.88M'].map((n) => FLOPPY_FORMATS.find((f) => f.name === n)!)];

/** El Torito boot media types (initial entry byte 1, low nibble). */
export const MEDIA_NAMES = ['no emulation', '1.2M floppy emulation', '1.44M floppy emulation', '2.88M floppy emulation', 'hard disk emulation'] as const;

export interface BootEntry {
  /** Platform ID of the validation entry (0 = 80x86). */
  platform: number;
  /** 0 no emulation, 1–3 floppy emulation, 4 hard-disk emulation. */
  media: number;
  /** Real-mode segment the image is loaded at (07C0h when the entry says 0). */
  loadSegment: number;
  /** 512-byte virtual sectors to load. */
  sectorCount: number;
  /** 2048-byte sector of the boot image. */
  loadRba: number;
  /** The catalogue's sector (the INT 13h AX=4B01h specification packet does not carry it; messages do). */
  catalogRba: number;
}

function ascii(b: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...b.subarray(from, from + length));
}

export class CdImage {
  readonly name: string;
  /** 2048-byte sectors in the image (a partial last sector counts, read padded with zeros). */
  readonly sectorCount: number;
  private readonly source: SectorSource;

  constructor(data: Uint8Array | SectorSource, opts: { name?: string } = {}) {
    this.name = opts.name ?? 'CD image';
    this.source = data instanceof Uint8Array ? bytesSource(data) : data;
    this.sectorCount = Math.ceil(this.source.byteLength / CD_SECTOR_SIZE);
  }

  /** One 2048-byte sector as a fresh array (zeros past the end of the file). */
  sector(lba: number): Uint8Array {
    const out = new Uint8Array(CD_SECTOR_SIZE);
    this.copySector(lba, out, 0);
    return out;
  }

  private copySector(lba: number, out: Uint8Array, offset: number): void {
    const start = lba * CD_SECTOR_SIZE;
    const n = Math.max(0, Math.min(CD_SECTOR_SIZE, this.source.byteLength - start));
    if (n > 0) this.source.read(start, out, offset, n);
    out.fill(0, offset + n, offset + CD_SECTOR_SIZE);
  }

  /** Reads `count` 2048-byte sectors from `lba` into `out`; past the end: status 04h with the sectors read. */
  read(lba: number, count: number, out: Uint8Array, offset = 0): DiskTransfer {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0) return { status: DISK_BAD_COMMAND, sectors: 0 };
    let n = 0;
    for (; n < count; n++) {
      if (lba + n >= this.sectorCount) return { status: DISK_SECTOR_NOT_FOUND, sectors: n };
      if (offset + (n + 1) * CD_SECTOR_SIZE > out.length) return { status: DISK_BAD_COMMAND, sectors: n };
      this.copySector(lba + n, out, offset + n * CD_SECTOR_SIZE);
    }
    return { status: DISK_OK, sectors: n };
  }

  /** Reads `bytes` from the start of 2048-byte sector `lba` (a boot image of 512-byte virtual sectors). */
  readBytes(lba: number, bytes: number): Uint8Array {
    const out = new Uint8Array(bytes);
    const sectors = Math.ceil(bytes / CD_SECTOR_SIZE);
    const buf = new Uint8Array(sectors * CD_SECTOR_SIZE);
    for (let i = 0; i < sectors; i++) this.copySector(lba + i, buf, i * CD_SECTOR_SIZE);
    out.set(buf.subarray(0, bytes));
    return out;
  }

  /** True when the image has an ISO 9660 volume descriptor at sector 16 and an El Torito boot record at 17. */
  hasBootRecord(): boolean {
    if (this.sectorCount <= BOOT_RECORD) return false;
    const pvd = this.sector(PRIMARY_DESCRIPTOR);
    const br = this.sector(BOOT_RECORD);
    return ascii(pvd, 1, 5) === STANDARD_ID && br[0] === 0 && ascii(br, 1, 5) === STANDARD_ID && ascii(br, 7, EL_TORITO_ID.length) === EL_TORITO_ID;
  }

  /**
   * A plain El Torito ISO: a boot record and no boot signature in the first 512 bytes. A hybrid
   * ISO (isohybrid, grub-mkrescue) carries an MBR there and keeps booting as a hard disk unless
   * the user asks for the CD.
   */
  isPlainBootCd(): boolean {
    return this.hasBootRecord() && !hasBootSignature(this.sector(0));
  }

  /**
   * The disk a floppy or hard-disk emulation entry stands for: the image from its load RBA in
   * 512-byte sectors (a floppy of the media type's size; for a hard disk the rest of the CD, whose
   * MBR gives the geometry), read-only. Null for no emulation, a catalogue bootEntry refuses, or
   * an image cut short before its first 512 bytes.
   */
  emulatedDisk(): DiskImage | null {
    let entry: BootEntry;
    try {
      entry = this.bootEntry();
    } catch (e) {
      if (e instanceof CdImageError) return null;
      throw e;
    }
    if (entry.media === 0) return null;
    const base = entry.loadRba * CD_SECTOR_SIZE;
    const floppy = EMULATED_FLOPPIES[entry.media];
    const rest = this.source.byteLength - base;
    const size = Math.floor(Math.min(floppy?.bytes ?? rest, rest) / 512) * 512;
    if (size === 0) return null;
    const src = this.source;
    const view: SectorSource = { byteLength: size, read: (offset, out, outOffset, length) => src.read(base + offset, out, outOffset, length) };
    return new DiskImage(view, { kind: floppy ? 'floppy' : 'hard', name: `${this.name} (El Torito ${MEDIA_NAMES[entry.media]})`, readOnly: true });
  }

  /** What makes the image unbootable as a CD (bootEntry's sentence), or null when its catalogue gives a boot entry. */
  bootProblem(): string | null {
    try {
      this.bootEntry();
      return null;
    } catch (e) {
      if (e instanceof CdImageError) return e.message;
      throw e;
    }
  }

  /** The catalogue's initial/default entry; throws CdImageError saying what is wrong with the image. */
  bootEntry(): BootEntry {
    const what = `${this.name}: not a bootable CD image`;
    if (this.sectorCount <= BOOT_RECORD) {
      throw new CdImageError(`${what}: ${this.source.byteLength} bytes is too small for an ISO 9660 image (the boot record is sector 17, at byte ${BOOT_RECORD * CD_SECTOR_SIZE})`);
    }
    if (ascii(this.sector(PRIMARY_DESCRIPTOR), 1, 5) !== STANDARD_ID) {
      throw new CdImageError(`${what}: no ISO 9660 volume descriptor (CD001) at sector 16`);
    }
    const br = this.sector(BOOT_RECORD);
    if (br[0] !== 0 || ascii(br, 1, 5) !== STANDARD_ID || ascii(br, 7, EL_TORITO_ID.length) !== EL_TORITO_ID) {
      throw new CdImageError(`${what}: sector 17 is not an El Torito boot record volume descriptor`);
    }
    const catalogRba = (br[0x47] | (br[0x48] << 8) | (br[0x49] << 16) | (br[0x4a] << 24)) >>> 0;
    if (catalogRba >= this.sectorCount) {
      throw new CdImageError(`${what}: the boot catalogue's sector ${catalogRba} is past the end of the image (${this.sectorCount} sectors)`);
    }
    const cat = this.sector(catalogRba);
    const at = `the boot catalogue (sector ${catalogRba})`;
    if (cat[0] !== 0x01) throw new CdImageError(`${what}: ${at} does not start with a validation entry (header ID ${cat[0].toString(16).padStart(2, '0')}h, not 01h)`);
    if (cat[0x1e] !== 0x55 || cat[0x1f] !== 0xaa) throw new CdImageError(`${what}: ${at} lacks the key bytes 55 AA of its validation entry`);
    let sum = 0;
    for (let i = 0; i < 32; i += 2) sum = (sum + cat[i] + (cat[i + 1] << 8)) & 0xffff;
    if (sum !== 0) throw new CdImageError(`${what}: the validation entry of ${at} has a bad checksum (its words sum to ${sum.toString(16).padStart(4, '0')}h, not 0)`);
    const e = 32;
    if (cat[e] !== 0x88) throw new CdImageError(`${what}: the initial entry of ${at} is not bootable (boot indicator ${cat[e].toString(16).padStart(2, '0')}h, not 88h)`);
    const media = cat[e + 1] & 0x0f;
    if (media > 4) throw new CdImageError(`${what}: the initial entry of ${at} has an unknown media type ${media}`);
    const segment = cat[e + 2] | (cat[e + 3] << 8);
    const sectorCount = cat[e + 6] | (cat[e + 7] << 8);
    const loadRba = (cat[e + 8] | (cat[e + 9] << 8) | (cat[e + 10] << 16) | (cat[e + 11] << 24)) >>> 0;
    if (loadRba >= this.sectorCount) {
      throw new CdImageError(`${what}: the boot image's sector ${loadRba} is past the end of the image (${this.sectorCount} sectors)`);
    }
    return { platform: cat[1], media, loadSegment: segment === 0 ? 0x07c0 : segment, sectorCount, loadRba, catalogRba };
  }
}
