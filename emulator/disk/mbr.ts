// Master boot record: the four primary partition entries at offset 0x1BE of sector 0 and the boot
// signature at 0x1FE. Parsing never throws: a sector whose entries do not look like a partition
// table (boot code or a FAT boot sector) yields no partitions and a reason.
// Pure TypeScript: no Node or VS Code imports. Layout per the IBM PC/AT MBR convention (UEFI spec
// §5.2.1 "Legacy Master Boot Record" describes the same fields).

export const SECTOR_SIZE = 512;
export const MBR_TABLE_OFFSET = 0x1be;
export const MBR_SIGNATURE_OFFSET = 0x1fe;

/** A cylinder/head/sector triple as stored in a partition entry (sector is 1-based). */
export interface Chs {
  cylinder: number;
  head: number;
  sector: number;
}

export interface PartitionEntry {
  /** 0–3: the slot in the table. */
  index: number;
  bootable: boolean;
  /** Partition type byte (0x06 FAT16, 0x0C FAT32 LBA, 0x83 Linux, 0xEE GPT protective …). */
  type: number;
  start: Chs;
  end: Chs;
  lbaStart: number;
  sectors: number;
}

export interface MbrParse {
  partitions: PartitionEntry[];
  /** Why the table was not accepted (empty when it was, or when all four slots are empty). */
  problem: string;
}

function chsAt(b: Uint8Array, o: number): Chs {
  return { head: b[o], sector: b[o + 1] & 0x3f, cylinder: ((b[o + 1] & 0xc0) << 2) | b[o + 2] };
}

function le32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** True when bytes 510–511 of the sector are 55h AAh. */
export function hasBootSignature(sector0: Uint8Array): boolean {
  return sector0.length >= SECTOR_SIZE && sector0[MBR_SIGNATURE_OFFSET] === 0x55 && sector0[MBR_SIGNATURE_OFFSET + 1] === 0xaa;
}

/**
 * Reads the partition table of sector 0. `totalSectors` (when known) rejects entries that start
 * beyond the disk. Entries with type 0 are empty slots and are skipped.
 */
export function parseMbr(sector0: Uint8Array, totalSectors = Infinity): MbrParse {
  if (!hasBootSignature(sector0)) return { partitions: [], problem: 'no 55AA signature' };
  const partitions: PartitionEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const o = MBR_TABLE_OFFSET + i * 16;
    const status = sector0[o];
    const type = sector0[o + 4];
    if (status !== 0x00 && status !== 0x80) {
      return { partitions: [], problem: `entry ${i} has status byte ${status.toString(16).padStart(2, '0')}h (a partition table has 00h or 80h)` };
    }
    if (type === 0) continue;
    const lbaStart = le32(sector0, o + 8);
    const sectors = le32(sector0, o + 12);
    if (lbaStart === 0 || sectors === 0) {
      return { partitions: [], problem: `entry ${i} (type ${type.toString(16).padStart(2, '0')}h) starts at LBA ${lbaStart} with ${sectors} sectors` };
    }
    if (lbaStart >= totalSectors) {
      return { partitions: [], problem: `entry ${i} starts at LBA ${lbaStart}, beyond the ${totalSectors}-sector disk` };
    }
    partitions.push({ index: i, bootable: status === 0x80, type, start: chsAt(sector0, o + 1), end: chsAt(sector0, o + 5), lbaStart, sectors });
  }
  return { partitions, problem: '' };
}
