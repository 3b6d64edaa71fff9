// A PIIX3 IDE channel in legacy mode — the primary (command block 1F0h–1F7h, control 3F6h, IRQ 14)
// or the secondary (170h–177h, 376h, IRQ 15) — with up to two drives driven by PIO: ATA hard disks
// (IDENTIFY DEVICE, READ/WRITE SECTORS in CHS, LBA28 and LBA48 EXT, the no-data housekeeping
// commands) and ATAPI CD-ROMs (IDENTIFY PACKET DEVICE and PACKET, whose commands atapi.ts answers),
// soft reset and each kind's reset signature. What SeaBIOS's ata.c uses to find the drives and boot
// them; no bus-master DMA. Pure TypeScript: no Node or VS Code imports. ATA/ATAPI-6 (T13/1410D) §6
// (registers), §8.15 (IDENTIFY DEVICE), §8.16 (IDENTIFY PACKET DEVICE), §8.21 (PACKET), §8.27/§8.28
// (READ SECTORS/EXT), §9.2 (software reset), §9.10 (PACKET command protocol), §9.12 (signatures).

import type { IrqSink } from './clock';
import type { IoBus } from './ioBus';
import { SECTOR_SIZE } from '../disk/mbr';
import type { DiskImage } from '../disk/diskImage';
import { CD_SECTOR_SIZE, CdImage } from '../disk/cdrom';
import { atapiCommand, NO_SENSE, type Sense } from './atapi';

/** Where a channel decodes: command block, control block (device control / alternate status), IRQ. */
export interface IdePorts { base: number; control: number; irq: number }
export const IDE_PRIMARY: IdePorts = { base: 0x1f0, control: 0x3f6, irq: 14 };
export const IDE_SECONDARY: IdePorts = { base: 0x170, control: 0x376, irq: 15 };
/** A drive on a channel: an ATA hard disk (DiskImage) or an ATAPI CD-ROM (CdImage). */
export type IdeDrive = DiskImage | CdImage;

const ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DRDY = 0x40;
const ER_ABRT = 0x04, ER_IDNF = 0x10;
const DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80;
const DEV_LBA = 0x40, DEV_SLAVE = 0x10;
/** The interrupt reason bits in the sector count register during a PACKET command (§9.10). */
const IR_COD = 0x01, IR_IO = 0x02;
const PACKET_BYTES = 12;

/** What the data port is doing: nothing, an ATA sector in or out, a packet coming in, ATAPI data out. */
type Phase = 'idle' | 'ata-in' | 'ata-out' | 'packet' | 'atapi-in';

/** Registers of one channel as the two drives share them (writes reach both), plus the transfer. */
export class IdeChannel {
  features = 0; count = 0; lbaLow = 0; lbaMid = 0; lbaHigh = 0; device = 0;
  /** The previous values of count and LBA (LBA48's high-order bytes, read with HOB). */
  hob = [0, 0, 0, 0];
  error = 1; status = ST_DRDY | ST_DSC; control = 0;
  irqLevel = false;
  /** The PIO data buffer and where the next word comes from or goes. */
  buffer: Uint8Array = new Uint8Array(SECTOR_SIZE);
  pos = SECTOR_SIZE;
  phase: Phase = 'idle';
  /** ATA transfers: the next sector and the sectors left after the one in the buffer. */
  lba = 0;
  remaining = 0;
  /**
   * ATAPI data: the medium's sector the data starts at (-1: the reply in `reply`), the bytes sent
   * so far and in all, and the host's byte count limit per DRQ phase.
   */
  xferLba = -1; xferDone = 0; xferTotal = 0; byteLimit = 0;
  reply: Uint8Array = new Uint8Array(0);
  /** Each drive's sense of its last packet command (REQUEST SENSE). */
  sense: Sense[] = [[...NO_SENSE], [...NO_SENSE]];

  constructor(private readonly drives: (IdeDrive | null)[], private readonly irq: IrqSink, private readonly ports: IdePorts = IDE_PRIMARY) {
    this.signature();
  }

  attach(io: IoBus): void {
    const base = this.ports.base;
    io.register(base, 8, {
      in8: (p) => this.read(p - base),
      out8: (p, v) => this.write(p - base, v),
      in16: (p) => (p === base ? this.readData() : this.read(p - base)),
      out16: (p, v) => (p === base ? this.writeData(v) : this.write(p - base, v & 0xff)),
      in32: (p) => (p === base ? (this.readData() | (this.readData() << 16)) >>> 0 : this.read(p - base)),
      out32: (p, v) => {
        if (p !== base) return this.write(p - base, v & 0xff);
        this.writeData(v & 0xffff);
        this.writeData(v >>> 16);
      },
    });
    io.register(this.ports.control, 1, {
      in8: () => (this.drive() ? this.status : 0),
      out8: (_p, v) => this.writeControl(v),
    });
  }

  private drive(): IdeDrive | null {
    return this.drives[this.slot()] ?? null;
  }

  private slot(): number {
    return this.device & DEV_SLAVE ? 1 : 0;
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

  /** Software reset: the master selected, showing its signature. */
  private reset(): void {
    this.device = 0;
    this.signature();
    this.status = ST_DRDY | ST_DSC;
    this.endTransfer();
    this.setIrq(false);
  }

  /**
   * The selected drive's signature (§9.12): count and LBA low 01h, LBA mid/high 0000h for an ATA
   * device, EB14h for a PACKET device; error 01h (diagnostics passed).
   */
  private signature(): void {
    const atapi = this.drive() instanceof CdImage;
    this.count = 1; this.lbaLow = 1; this.lbaMid = atapi ? 0x14 : 0; this.lbaHigh = atapi ? 0xeb : 0;
    this.error = 1;
  }

  private command(cmd: number): void {
    const drive = this.drive();
    if (!drive) return;
    this.error = 0;
    if (drive instanceof CdImage) return this.packetDeviceCommand(cmd);
    const disk = drive;
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

  /**
   * The ATA commands a PACKET device takes (§6.3.4): IDENTIFY PACKET DEVICE, PACKET, DEVICE RESET
   * and EXECUTE DEVICE DIAGNOSTIC (the signature again), the no-data SET FEATURES, idle and
   * standby, CHECK POWER MODE; IDENTIFY DEVICE aborts leaving the signature, as a host probing for
   * an ATA disk expects, and so does everything else.
   */
  private packetDeviceCommand(cmd: number): void {
    switch (cmd) {
      case 0xa1: this.identifyPacket(); return;
      case 0xa0: this.packet(); return;
      case 0x08: case 0x90:
        this.signature();
        this.status = ST_DRDY | ST_DSC;
        this.endTransfer();
        if (cmd === 0x90) this.setIrq(true);
        return;
      case 0xef: case 0xe0: case 0xe1: case 0xe3: case 0xe7: case 0xe5:
        if (cmd === 0xe5) this.count = 0xff;
        this.done();
        return;
      case 0xec: this.signature(); this.abort(); return;
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
    this.lba = lba; this.remaining = count;
    if (writing) {
      this.buffer = new Uint8Array(SECTOR_SIZE);
      this.pos = 0;
      this.phase = 'ata-out';
      this.status = ST_DRDY | ST_DSC | ST_DRQ; // the first sector's DRQ comes without an interrupt
    } else this.nextRead(disk);
  }

  private nextRead(disk: DiskImage): void {
    this.buffer = new Uint8Array(SECTOR_SIZE);
    disk.read(this.lba, 1, this.buffer);
    this.lba++; this.remaining--; this.pos = 0;
    this.phase = 'ata-in';
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.setIrq(true);
  }

  private readData(): number {
    if (this.pos >= this.buffer.length || (this.phase !== 'ata-in' && this.phase !== 'atapi-in')) return 0xffff;
    const v = this.buffer[this.pos] | ((this.buffer[this.pos + 1] ?? 0) << 8);
    this.pos += 2;
    if (this.pos < this.buffer.length) return v;
    const drive = this.drive();
    if (this.phase === 'atapi-in' && drive instanceof CdImage) this.nextPacketData(drive);
    else if (this.phase === 'ata-in' && this.remaining > 0 && drive && !(drive instanceof CdImage)) this.nextRead(drive);
    else {
      this.phase = 'idle';
      this.status = ST_DRDY | ST_DSC;
    }
    return v;
  }

  private writeData(v: number): void {
    if (this.pos >= this.buffer.length || (this.phase !== 'ata-out' && this.phase !== 'packet')) return;
    this.buffer[this.pos] = v & 0xff;
    this.buffer[this.pos + 1] = (v >>> 8) & 0xff;
    this.pos += 2;
    if (this.pos < this.buffer.length) return;
    const drive = this.drive();
    if (this.phase === 'packet') {
      if (drive instanceof CdImage) this.runPacket(drive, this.buffer);
      return;
    }
    if (!drive || drive instanceof CdImage || drive.write(this.lba, 1, this.buffer).status !== 0) return this.abort();
    this.lba++; this.remaining--;
    if (this.remaining > 0) {
      this.pos = 0;
      this.status = ST_DRDY | ST_DSC | ST_DRQ;
      this.setIrq(true);
    } else {
      this.phase = 'idle';
      this.done();
    }
  }

  /** IDENTIFY DEVICE of an ATA hard disk (§8.15). */
  private identify(disk: DiskImage): void {
    const w = new Uint16Array(256);
    const g = disk.physicalGeometry;
    const total = disk.sectorCount;
    w[0] = 0x0040; // fixed device
    w[1] = Math.min(g.cylinders, 16383); w[3] = g.heads; w[6] = g.sectors;
    identifyText(w, 10, 10, 'BS0001'); identifyText(w, 23, 4, '1.0'); identifyText(w, 27, 20, 'BOOTSCOPE HARDDISK');
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
    // Hardware reset result (§8.15.52): word valid, CBLID- high (an 80-conductor cable), bit 0 set,
    // as QEMU 7.2 reports for every drive (SeaBIOS reads it to decide whether to probe the slave).
    w[93] = 0x6001;
    for (let i = 0; i < 4; i++) w[100 + i] = Math.floor(total / 2 ** (16 * i)) & 0xffff;
    this.sendIdentify(w);
  }

  /**
   * IDENTIFY PACKET DEVICE (§8.16): a removable CD-ROM (word 0: ATAPI, device type 05h, DRQ within
   * 50 µs of PACKET, 12-byte packets), ATAPI-4 as QEMU's drive reports, PIO only.
   */
  private identifyPacket(): void {
    const w = new Uint16Array(256);
    w[0] = 0x85c0;
    identifyText(w, 10, 10, 'BS0002'); identifyText(w, 23, 4, '1.0'); identifyText(w, 27, 20, 'BOOTSCOPE DVD-ROM');
    w[49] = 0x0200; // LBA supported (IORDY not reported)
    w[53] = 0x0002; // words 64–70 valid
    w[64] = 0x0003; // PIO modes 3 and 4
    w[80] = 0x001e; // ATA/ATAPI-1 to -4
    this.sendIdentify(w);
  }

  private sendIdentify(w: Uint16Array): void {
    this.buffer = new Uint8Array(w.buffer);
    this.pos = 0; this.remaining = 0; this.phase = 'ata-in';
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.setIrq(true);
  }

  /**
   * PACKET (§8.21, protocol §9.10): with the byte count limit from LBA mid/high, the device asks for
   * the 12-byte command (interrupt reason C/D=1, I/O=0, DRQ) without an interrupt. PIO only: a
   * host asking for DMA (features bit 0) is aborted.
   */
  private packet(): void {
    if (this.features & 0x01) return this.abort();
    const limit = (this.lbaHigh << 8) | this.lbaMid;
    this.byteLimit = limit === 0 || limit === 0xffff ? 0xfffe : limit & ~1;
    this.buffer = new Uint8Array(PACKET_BYTES);
    this.pos = 0;
    this.phase = 'packet';
    this.count = (this.count & ~0x07) | IR_COD;
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
  }

  private runPacket(cd: CdImage, cdb: Uint8Array): void {
    const slot = this.slot();
    const reply = atapiCommand(cd, cdb, this.sense[slot]);
    if (reply.kind === 'check') {
      this.sense[slot] = reply.sense;
      this.error = reply.sense[0] << 4;
      this.status = ST_DRDY | ST_ERR;
      return this.packetStatus();
    }
    // REQUEST SENSE reports the sense once; any other command that succeeds leaves none.
    this.sense[slot] = [...NO_SENSE];
    if (reply.kind === 'done') return this.packetDone();
    this.xferDone = 0;
    if (reply.kind === 'data') {
      this.xferLba = -1; this.reply = reply.data; this.xferTotal = reply.data.length;
    } else {
      this.xferLba = reply.lba; this.reply = new Uint8Array(0); this.xferTotal = reply.sectors * CD_SECTOR_SIZE;
    }
    this.nextPacketData(cd);
  }

  /**
   * The next DRQ data phase of a packet command: at most the byte count limit, and for medium reads
   * at most the rest of one 2048-byte sector, as QEMU's drive sends them; its size in LBA mid/high,
   * interrupt reason I/O=1 C/D=0, an interrupt. After the last one, the status phase.
   */
  private nextPacketData(cd: CdImage): void {
    const left = this.xferTotal - this.xferDone;
    if (left <= 0) return this.packetDone();
    let size = Math.min(left, this.byteLimit);
    if (this.xferLba >= 0) {
      const inSector = this.xferDone % CD_SECTOR_SIZE;
      size = Math.min(size, CD_SECTOR_SIZE - inSector);
      const sector = cd.sector(this.xferLba + Math.floor(this.xferDone / CD_SECTOR_SIZE));
      this.buffer = sector.slice(inSector, inSector + size);
    } else {
      this.buffer = this.reply.slice(this.xferDone, this.xferDone + size);
    }
    this.xferDone += size;
    this.pos = 0;
    this.phase = 'atapi-in';
    this.lbaMid = size & 0xff; this.lbaHigh = size >>> 8;
    this.count = (this.count & ~0x07) | IR_IO;
    this.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.setIrq(true);
  }

  private packetDone(): void {
    this.error = 0;
    this.status = ST_DRDY | ST_DSC;
    this.packetStatus();
  }

  /** The status phase: interrupt reason I/O=1 C/D=1, no DRQ, an interrupt. */
  private packetStatus(): void {
    this.count = (this.count & ~0x07) | IR_IO | IR_COD;
    this.endTransfer();
    this.setIrq(true);
  }

  private endTransfer(): void {
    this.phase = 'idle';
    this.pos = this.buffer.length; this.remaining = 0;
    this.xferLba = -1; this.xferDone = 0; this.xferTotal = 0; this.reply = new Uint8Array(0);
  }

  private done(): void {
    this.status = ST_DRDY | ST_DSC;
    this.setIrq(true);
  }

  /** Ends a command in error: DRDY and ERR, seek complete not reported (QEMU 7.2's aborted command: 41h). */
  private abort(error = ER_ABRT): void {
    this.error = error;
    this.status = ST_DRDY | ST_ERR;
    this.endTransfer();
    this.setIrq(true);
  }

  private setIrq(level: boolean): void {
    if (level && this.control & DC_NIEN) return;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raiseIrq(this.ports.irq);
    else this.irq.lowerIrq(this.ports.irq);
  }
}

/** An IDENTIFY string: two characters a word, the first in the high byte, padded with spaces. */
function identifyText(w: Uint16Array, at: number, words: number, s: string): void {
  const t = s.padEnd(words * 2, ' ');
  for (let i = 0; i < words; i++) w[at + i] = (t.charCodeAt(2 * i) << 8) | t.charCodeAt(2 * i + 1);
}
