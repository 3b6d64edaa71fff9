// The PIIX3 IDE function's primary channel in legacy mode: command block 1F0h–1F7h, control block
// 3F6h, IRQ 14, up to two ATA hard disks (master, slave) driven by PIO: IDENTIFY DEVICE, READ/WRITE
// SECTORS (CHS, LBA28, LBA48 EXT), the no-data housekeeping commands, soft reset and the reset
// signature. What SeaBIOS's ata.c uses to find a disk and boot it; no bus-master DMA, no ATAPI.
// Pure TypeScript: no Node or VS Code imports. ATA/ATAPI-6 (T13/1410D) §6 (registers), §8.15
// (IDENTIFY DEVICE), §8.27/§8.28 (READ SECTORS/EXT), §9.2 (software reset).

import type { IrqSink } from './clock';
import type { IoBus } from './ioBus';
import { SECTOR_SIZE } from '../disk/mbr';
import type { DiskImage } from '../disk/diskImage';

export const IDE_BASE = 0x1f0, IDE_CONTROL = 0x3f6, IDE_IRQ = 14;
const ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DRDY = 0x40;
const ER_ABRT = 0x04, ER_IDNF = 0x10;
const DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80;
const DEV_LBA = 0x40, DEV_SLAVE = 0x10;

/** Registers of one channel as the two drives share them (writes reach both), plus the transfer. */
export class IdeChannel {
  features = 0; count = 0; lbaLow = 0; lbaMid = 0; lbaHigh = 0; device = 0;
  /** The previous values of count and LBA (LBA48's high-order bytes, read with HOB). */
  hob = [0, 0, 0, 0];
  error = 1; status = ST_DRDY | ST_DSC; control = 0;
  irqLevel = false;
  /** The PIO data buffer, where the next word comes from or goes, and the rest of the command. */
  buffer = new Uint8Array(SECTOR_SIZE);
  pos = SECTOR_SIZE;
  writing = false;
  lba = 0;
  remaining = 0;

  constructor(private readonly drives: (DiskImage | null)[], private readonly irq: IrqSink) {}

  attach(io: IoBus): void {
    io.register(IDE_BASE, 8, {
      in8: (p) => this.read(p - IDE_BASE),
      out8: (p, v) => this.write(p - IDE_BASE, v),
      in16: (p) => (p === IDE_BASE ? this.readData() : this.read(p - IDE_BASE)),
      out16: (p, v) => (p === IDE_BASE ? this.writeData(v) : this.write(p - IDE_BASE, v & 0xff)),
      in32: (p) => (p === IDE_BASE ? (this.readData() | (this.readData() << 16)) >>> 0 : this.read(p - IDE_BASE)),
      out32: (p, v) => {
        if (p !== IDE_BASE) return this.write(p - IDE_BASE, v & 0xff);
        this.writeData(v & 0xffff);
        this.writeData(v >>> 16);
      },
    });
    io.register(IDE_CONTROL, 1, {
      in8: () => (this.drive() ? this.status : 0),
      out8: (_p, v) => this.writeControl(v),
    });
  }

  private drive(): DiskImage | null {
    return this.drives[this.device & DEV_SLAVE ? 1 : 0] ?? null;
  }

  private present(): boolean {
    return this.drives.some((d) => d);
  }

  private read(reg: number): number {
    if (!this.present()) return 0;
    const hob = (this.control & DC_HOB) !== 0;
    switch (reg) {
      case 0: return this.readData() & 0xff;
      case 1: return this.drive() ? this.error : 0;
      case 2: return hob ? this.hob[0] : this.count;
      case 3: return hob ? this.hob[1] : this.lbaLow;
      case 4: return hob ? this.hob[2] : this.lbaMid;
      case 5: return hob ? this.hob[3] : this.lbaHigh;
      case 6: return this.device | 0xa0;
      default:
        this.setIrq(false);
        return this.drive() ? this.status : 0;
    }
  }

  private write(reg: number, v: number): void {
    this.control &= ~DC_HOB; // a register write clears HOB (ATA-6 §7.9)
    switch (reg) {
      case 0: this.writeData(v); return;
      case 1: this.features = v; return;
      case 2: this.hob[0] = this.count; this.count = v; return;
      case 3: this.hob[1] = this.lbaLow; this.lbaLow = v; return;
      case 4: this.hob[2] = this.lbaMid; this.lbaMid = v; return;
      case 5: this.hob[3] = this.lbaHigh; this.lbaHigh = v; return;
      case 6: this.device = v & 0x5f; return;
      default: this.command(v);
    }
  }

  private writeControl(v: number): void {
    if (v & DC_SRST && !(this.control & DC_SRST)) this.reset();
    this.control = v;
    if (v & DC_NIEN) this.setIrq(false);
  }

  /** Software reset: the reset signature of an ATA device (§9.12) on the master selected. */
  private reset(): void {
    this.count = 1; this.lbaLow = 1; this.lbaMid = 0; this.lbaHigh = 0; this.device = 0;
    this.error = 1; this.status = ST_DRDY | ST_DSC;
    this.pos = SECTOR_SIZE; this.remaining = 0;
    this.setIrq(false);
  }

  private command(cmd: number): void {
    const disk = this.drive();
    if (!disk) return;
    this.error = 0;
    switch (cmd) {
      case 0xec: this.identify(disk); return;
      case 0x20: case 0x21: this.transfer(disk, this.lba28(disk), this.count || 256, false); return;
      case 0x24: this.transfer(disk, this.lba48(), ((this.hob[0] << 8) | this.count) || 65536, false); return;
      case 0x30: case 0x31: this.transfer(disk, this.lba28(disk), this.count || 256, true); return;
      case 0x34: this.transfer(disk, this.lba48(), ((this.hob[0] << 8) | this.count) || 65536, true); return;
      // No data: INITIALIZE DEVICE PARAMETERS, RECALIBRATE, SET FEATURES, SET MULTIPLE, idle,
      // standby, FLUSH CACHE (EXT), CHECK POWER MODE (FFh: active).
      case 0x91: case 0x10: case 0xef: case 0xc6: case 0xe0: case 0xe1: case 0xe3: case 0xe7: case 0xea: case 0xe5:
        if (cmd === 0xe5) this.count = 0xff;
        this.done();
        return;
      default: this.abort();
    }
  }

  private lba28(disk: DiskImage): number {
    if (this.device & DEV_LBA) return ((this.device & 0xf) << 24) | (this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow;
    const g = disk.physicalGeometry;
    const cyl = (this.lbaHigh << 8) | this.lbaMid;
    return (cyl * g.heads + (this.device & 0xf)) * g.sectors + this.lbaLow - 1;
  }

  private lba48(): number {
    const lo = ((this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow) >>> 0;
    const hi = (this.hob[3] << 16) | (this.hob[2] << 8) | this.hob[1];
    return hi * 0x1000000 + lo;
  }

  private transfer(disk: DiskImage, lba: number, count: number, writing: boolean): void {
    if (lba < 0 || lba + count > disk.sectorCount) return this.abort(ER_IDNF);
    if (writing && disk.readOnly) return this.abort();
    this.lba = lba; this.remaining = count; this.writing = writing;
    if (writing) {
      this.pos = 0;
      this.status = ST_DRDY | ST_DSC | ST_DRQ; // the first sector's DRQ comes without an interrupt
    } else this.nextRead(disk);
  }

  private nextRead(disk: DiskImage): void {
    disk.read(this.lba, 1, this.buffer);
    this.lba++; this.remaining--; this.pos = 0;
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.setIrq(true);
  }

  private readData(): number {
    if (this.pos >= SECTOR_SIZE || this.writing) return 0xffff;
    const v = this.buffer[this.pos] | (this.buffer[this.pos + 1] << 8);
    this.pos += 2;
    if (this.pos === SECTOR_SIZE) {
      const disk = this.drive();
      if (this.remaining > 0 && disk) this.nextRead(disk);
      else this.status = ST_DRDY | ST_DSC;
    }
    return v;
  }

  private writeData(v: number): void {
    if (this.pos >= SECTOR_SIZE || !this.writing) return;
    this.buffer[this.pos] = v & 0xff;
    this.buffer[this.pos + 1] = (v >>> 8) & 0xff;
    this.pos += 2;
    if (this.pos < SECTOR_SIZE) return;
    const disk = this.drive();
    if (!disk || disk.write(this.lba, 1, this.buffer).status !== 0) return this.abort();
    this.lba++; this.remaining--;
    if (this.remaining > 0) {
      this.pos = 0;
      this.status = ST_DRDY | ST_DSC | ST_DRQ;
      this.setIrq(true);
    } else {
      this.writing = false;
      this.done();
    }
  }

  private identify(disk: DiskImage): void {
    const w = new Uint16Array(256);
    const g = disk.physicalGeometry;
    const text = (at: number, words: number, s: string) => {
      const t = s.padEnd(words * 2, ' ');
      for (let i = 0; i < words; i++) w[at + i] = (t.charCodeAt(2 * i) << 8) | t.charCodeAt(2 * i + 1);
    };
    const total = disk.sectorCount;
    w[0] = 0x0040; // fixed device
    w[1] = Math.min(g.cylinders, 16383); w[3] = g.heads; w[6] = g.sectors;
    text(10, 10, 'BS0001'); text(23, 4, '1.0'); text(27, 20, 'BOOTSCOPE HARDDISK');
    w[47] = 0x8010; // READ/WRITE MULTIPLE: 16 sectors
    w[49] = 0x0300; // LBA and DMA supported (IORDY)
    w[53] = 0x0007; // words 54–58, 64–70 and 88 valid
    w[54] = Math.min(g.cylinders, 16383); w[55] = g.heads; w[56] = g.sectors;
    const chs = Math.min(g.cylinders, 16383) * g.heads * g.sectors;
    w[57] = chs & 0xffff; w[58] = chs >>> 16;
    const lba28 = Math.min(total, 0x0fffffff);
    w[60] = lba28 & 0xffff; w[61] = lba28 >>> 16;
    w[80] = 0x00f0; // ATA/ATAPI-4 to -7
    w[83] = 0x4400; w[86] = 0x0400; // 48-bit address feature set supported, enabled
    for (let i = 0; i < 4; i++) w[100 + i] = Math.floor(total / 2 ** (16 * i)) & 0xffff;
    this.buffer = new Uint8Array(w.buffer);
    this.pos = 0; this.remaining = 0; this.writing = false;
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.setIrq(true);
  }

  private done(): void {
    this.status = ST_DRDY | ST_DSC;
    this.setIrq(true);
  }

  private abort(error = ER_ABRT): void {
    this.error = error;
    this.status = ST_DRDY | ST_DSC | ST_ERR;
    this.pos = SECTOR_SIZE; this.remaining = 0; this.writing = false;
    this.setIrq(true);
  }

  private setIrq(level: boolean): void {
    if (level && this.control & DC_NIEN) return;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raiseIrq(IDE_IRQ);
    else this.irq.lowerIrq(IDE_IRQ);
  }
}
