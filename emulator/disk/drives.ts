// The BIOS's view of the attached disks: drive numbers 00h–7Fh are floppies, 80h and up hard disks;
// the last INT 13h status per drive (AH=01h); and sector transfers between a disk and guest memory
// that go through Memory.write8/read8, so watchpoints, dirty-page tracking and A20 see them like
// any guest write. Pure TypeScript: no Node or VS Code imports. IBM PC AT BIOS INT 13h conventions.

import type { Memory } from '../memory/bus';
import { DiskImage, DISK_OK, type DiskImageOptions, type DiskTransfer } from './diskImage';
import { SECTOR_SIZE } from './mbr';

export class DriveTable {
  /** Status of the last operation per drive number (INT 13h AH=01h). */
  private readonly lastStatus = new Map<number, number>();
  private readonly buffer = new Uint8Array(SECTOR_SIZE);

  constructor(readonly floppies: DiskImage[] = [], readonly hardDisks: DiskImage[] = []) {}

  /**
   * One image as the boot drive, as the CLI and launch configuration attach it: a floppy (drive
   * 00h) with --floppy, else the first hard disk (80h).
   */
  static forBoot(image: Uint8Array, opts: DiskImageOptions): { drives: DriveTable; bootDrive: number; disk: DiskImage } {
    const disk = new DiskImage(image, opts);
    const floppy = disk.kind === 'floppy';
    return { drives: floppy ? new DriveTable([disk], []) : new DriveTable([], [disk]), bootDrive: floppy ? 0x00 : 0x80, disk };
  }

  /** The disk behind a BIOS drive number (DL), if any. */
  drive(dl: number): DiskImage | undefined {
    dl &= 0xff;
    return dl & 0x80 ? this.hardDisks[dl - 0x80] : this.floppies[dl];
  }

  /** CMOS byte 0x10 drive types for A: and B: (0 = none). */
  cmosFloppyTypes(): [number, number] {
    return [this.floppies[0]?.floppyDriveType ?? 0, this.floppies[1]?.floppyDriveType ?? 0];
  }

  getStatus(dl: number): number {
    return this.lastStatus.get(dl & 0xff) ?? DISK_OK;
  }

  setStatus(dl: number, status: number): void {
    this.lastStatus.set(dl & 0xff, status);
  }

  /** Reads `count` sectors from `lba` to physical address `addr` through the memory bus. */
  readToMemory(disk: DiskImage, memory: Memory, lba: number, count: number, addr: number): DiskTransfer {
    let n = 0;
    for (; n < count; n++) {
      const r = disk.read(lba + n, 1, this.buffer);
      if (r.status !== DISK_OK) return { status: r.status, sectors: n };
      const base = addr + n * SECTOR_SIZE;
      for (let i = 0; i < SECTOR_SIZE; i++) memory.write8(base + i, this.buffer[i]);
    }
    return { status: DISK_OK, sectors: n };
  }

  /** Writes `count` sectors at `lba` from physical address `addr` through the memory bus. */
  writeFromMemory(disk: DiskImage, memory: Memory, lba: number, count: number, addr: number): DiskTransfer {
    let n = 0;
    for (; n < count; n++) {
      const base = addr + n * SECTOR_SIZE;
      for (let i = 0; i < SECTOR_SIZE; i++) this.buffer[i] = memory.read8(base + i);
      const r = disk.write(lba + n, 1, this.buffer);
      if (r.status !== DISK_OK) return { status: r.status, sectors: n };
    }
    return { status: DISK_OK, sectors: n };
  }
}
