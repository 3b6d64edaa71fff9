// The floppy disk controller of the PC/AT, an 82077AA in AT mode (8272A/765 command set): digital
// output register 3F2h, main status / data rate select 3F4h, data FIFO 3F5h, digital input /
// configuration control 3F7h (3F6h is the IDE channel's), IRQ 6 and DMA channel 2 (dma8237.ts),
// with drives 0 and 1 over floppy DiskImages. Commands run to completion when their last parameter
// arrives (seeks take no time, data moves through DMA at once), then the result phase or the
// interrupt follows, as QEMU's isa-fdc behaves for a guest that polls the status register or waits
// for IRQ 6: what SeaBIOS's floppy.c sends (reset, SENSE INTERRUPT STATUS, RECALIBRATE, SEEK, READ
// ID across data rates, READ/WRITE DATA, FORMAT TRACK) and SPECIFY, SENSE DRIVE STATUS, VERSION,
// CONFIGURE, LOCK and PERPENDICULAR MODE. No non-DMA mode, no status registers A/B (PS/2 mode).
// Pure TypeScript: no Node or VS Code imports. Intel 82077AA datasheet §2 (registers), §5
// (command set, status registers ST0–ST3, result C/H/R/N after a transfer), §5.2.7 (polling after reset).

import type { IrqSink } from './clock';
import type { IoBus } from './ioBus';
import type { DmaController } from './dma8237';
import { SECTOR_SIZE } from '../disk/mbr';
import type { DiskImage } from '../disk/diskImage';

export const FDC_BASE = 0x3f0, FDC_IRQ = 6, FDC_DMA = 2;
const DOR_RESET = 0x04, DOR_DMA_IRQ = 0x08;
const MSR_RQM = 0x80, MSR_DIO = 0x40, MSR_CB = 0x10;
const DSR_RESET = 0x80;
/** ST0: interrupt code (bits 7–6), seek end, equipment check; ST1/ST2/ST3 bits used here. */
const ST0_ABNORMAL = 0x40, ST0_INVALID = 0x80, ST0_READY_CHANGE = 0xc0, ST0_SEEK_END = 0x20;
const ST1_END_OF_CYLINDER = 0x80, ST1_NOT_WRITABLE = 0x02, ST1_NO_DATA = 0x04, ST1_MISSING_AM = 0x01;
const ST2_WRONG_CYLINDER = 0x10;
const ST3_WRITE_PROTECT = 0x40, ST3_READY = 0x20, ST3_TRACK0 = 0x10, ST3_TWO_SIDE = 0x08;
/** CCR/DSR data rate codes: 500, 300, 250 kbit/s and 1 Mbit/s. */
const RATE_500K = 0, RATE_300K = 1, RATE_250K = 2, RATE_1M = 3;
/** After a reset, one ready-change status per drive waits for SENSE INTERRUPT STATUS (polling mode). */
const RESET_SENSES = 4;
/** Parameter bytes after each command byte (low five bits), and result bytes. */
const COMMANDS: Record<number, { params: number }> = {
  0x03: { params: 2 }, // SPECIFY
  0x04: { params: 1 }, // SENSE DRIVE STATUS
  0x05: { params: 8 }, // WRITE DATA
  0x06: { params: 8 }, // READ DATA
  0x07: { params: 1 }, // RECALIBRATE
  0x08: { params: 0 }, // SENSE INTERRUPT STATUS
  0x0a: { params: 1 }, // READ ID
  0x0d: { params: 5 }, // FORMAT TRACK
  0x0f: { params: 2 }, // SEEK
  0x10: { params: 0 }, // VERSION
  0x12: { params: 1 }, // PERPENDICULAR MODE
  0x13: { params: 3 }, // CONFIGURE
  0x14: { params: 0 }, // LOCK / UNLOCK (bit 7)
};

/** The data rate a medium is recorded at: 1.44M and 1.2M at 500k, 2.88M at 1M, 720K at 250k, 40-track disks at 300k. */
export function mediaRate(disk: DiskImage): number {
  const g = disk.geometry;
  if (g.sectors >= 36) return RATE_1M;
  if (g.sectors >= 15) return RATE_500K;
  return g.cylinders >= 80 ? RATE_250K : RATE_300K;
}

export class FloppyController {
  dor = 0;
  /** Data rate from CCR or DSR. */
  rate = RATE_250K;
  msr = MSR_RQM;
  /** The command being received (its bytes so far) and the result bytes still to read. */
  command: number[] = [];
  result: number[] = [];
  /** The head position of each drive, and whether its disk-change line is still set. */
  track = [0, 0];
  diskChanged = [true, true];
  /** Ready-change statuses left from the last reset, then the seek-end status of the last seek. */
  resetSenses = 0;
  seekStatus: [st0: number, pcn: number] | null = null;
  impliedSeek = false;
  locked = false;
  irqLevel = false;

  constructor(private readonly drives: (DiskImage | null)[], private readonly irq: IrqSink, private readonly dma: DmaController) {}

  attach(io: IoBus): void {
    const handler = { in8: (p: number) => this.read(p - FDC_BASE), out8: (p: number, v: number) => this.write(p - FDC_BASE, v) };
    io.register(FDC_BASE, 6, handler);
    io.register(FDC_BASE + 7, 1, handler);
  }

  private read(reg: number): number {
    switch (reg) {
      case 2: return this.dor;
      case 4: return this.msr;
      case 5: return this.readFifo();
      case 7: return this.diskChanged[this.dor & 1] && this.drives[this.dor & 1] ? 0x80 : 0x00;
      default: return 0xff;
    }
  }

  private write(reg: number, v: number): void {
    switch (reg) {
      case 2: {
        const leavingReset = !(this.dor & DOR_RESET) && (v & DOR_RESET) !== 0;
        this.dor = v;
        if (!(v & DOR_RESET)) this.enterReset();
        else if (leavingReset) this.completeReset();
        return;
      }
      case 4:
        this.rate = v & 3;
        if (v & DSR_RESET) {
          this.enterReset();
          this.completeReset();
        }
        return;
      case 5: this.writeFifo(v); return;
      case 7: this.rate = v & 3; return;
    }
  }

  /** While DOR's reset bit is low (or for the DSR's self-clearing reset): idle, no interrupt. */
  private enterReset(): void {
    this.command = []; this.result = [];
    this.msr = MSR_RQM;
    this.seekStatus = null;
    this.setIrq(false);
  }

  /** Leaving reset: one ready-change status per drive and an interrupt (§5.2.7). */
  private completeReset(): void {
    this.resetSenses = RESET_SENSES;
    this.raise();
  }

  private readFifo(): number {
    if (!(this.msr & MSR_DIO) || this.result.length === 0) return 0;
    this.setIrq(false); // reading the result phase clears the interrupt
    const v = this.result.shift()!;
    if (this.result.length === 0) this.msr = MSR_RQM;
    return v;
  }

  private writeFifo(v: number): void {
    if (this.msr & MSR_DIO || !(this.dor & DOR_RESET)) return;
    if (this.command.length === 0) this.setIrq(false);
    this.command.push(v);
    const spec = COMMANDS[this.command[0] & 0x1f];
    if (spec && this.command.length <= spec.params) {
      this.msr = MSR_RQM | MSR_CB;
      return;
    }
    const bytes = this.command;
    this.command = [];
    this.execute(bytes);
  }

  private drive(sel: number): DiskImage | null {
    return this.drives[sel & 1] ?? null;
  }

  private execute(b: number[]): void {
    const sel = (b[1] ?? 0) & 3;
    switch (b[0] & 0x1f) {
      case 0x03: return this.idle();
      case 0x04: {
        const disk = this.drive(sel), head = (b[1] >> 2) & 1;
        let st3 = sel | (head << 2) | ST3_TWO_SIDE | ST3_READY;
        if (this.track[sel & 1] === 0) st3 |= ST3_TRACK0;
        if (disk?.readOnly) st3 |= ST3_WRITE_PROTECT;
        return this.results([st3]);
      }
      case 0x07: return this.seek(sel, 0);
      case 0x0f: return this.seek(sel, b[2]);
      case 0x08: return this.senseInterrupt();
      case 0x0a: return this.readId(b);
      case 0x06: return this.transfer(b, false);
      case 0x05: return this.transfer(b, true);
      case 0x0d: return this.format(b);
      case 0x10: return this.results([0x90]); // an enhanced controller (82077AA)
      case 0x12: return this.idle();
      case 0x13: this.impliedSeek = (b[2] & 0x40) !== 0; return this.idle();
      case 0x14:
        this.locked = (b[0] & 0x80) !== 0;
        return this.results([this.locked ? 0x10 : 0x00]);
      default: return this.results([ST0_INVALID]);
    }
  }

  private idle(): void {
    this.msr = MSR_RQM;
  }

  private results(bytes: number[]): void {
    this.result = bytes;
    this.msr = MSR_RQM | MSR_DIO | MSR_CB;
  }

  private raise(): void {
    this.setIrq(false);
    if (this.dor & DOR_DMA_IRQ) this.setIrq(true);
  }

  /** SEEK and RECALIBRATE: the head moves at once; a step clears the disk-change line; IRQ 6. */
  private seek(sel: number, cylinder: number): void {
    const d = sel & 1;
    if (this.drives[d]) this.diskChanged[d] = false;
    this.track[d] = cylinder;
    this.seekStatus = this.drives[d] ? [ST0_SEEK_END | sel, cylinder] : [ST0_ABNORMAL | ST0_SEEK_END | 0x10 | sel, cylinder];
    this.idle();
    this.raise();
  }

  /**
   * Ready-change statuses left by a reset first, then a seek's end (drive and seek end in ST0, no
   * head bit, as QEMU answers); with nothing pending, invalid.
   */
  private senseInterrupt(): void {
    this.setIrq(false);
    if (this.resetSenses > 0) {
      const drive = RESET_SENSES - this.resetSenses--;
      return this.results([ST0_READY_CHANGE | drive, this.track[this.dor & 1]]);
    }
    if (this.seekStatus) {
      const s = this.seekStatus;
      this.seekStatus = null;
      return this.results(s);
    }
    this.results([ST0_INVALID]);
  }

  /** The result of a command that reached the medium (or did not): ST0–ST2 and C, H, R, N; IRQ 6. */
  private finish(st0: number, st1: number, st2: number, chrn: number[]): void {
    this.results([st0, st1, st2, ...chrn]);
    this.raise();
  }

  /** READ ID: the next sector ID under the head at the current track, if the data rate matches. */
  private readId(b: number[]): void {
    const sel = b[1] & 3, head = (b[1] >> 2) & 1, disk = this.drive(sel);
    const st0 = (head << 2) | sel, c = this.track[sel & 1];
    if (!disk || this.rate !== mediaRate(disk)) return this.finish(st0 | ST0_ABNORMAL, ST1_MISSING_AM, 0, [c, head, 1, 2]);
    this.finish(st0, 0, 0, [c, head, 1, 2]);
  }

  /**
   * READ DATA / WRITE DATA: sectors R, R+1, … of cylinder C (the head's track; with implied seek off
   * a different C is a wrong cylinder) through DMA channel 2 until terminal count. At EOT or the
   * track's last sector a multi-track command goes on with head 1; past that the command ends with
   * end of cylinder unless terminal count came with the last sector. The result names the sector
   * after the last one moved, as §5's table has it.
   */
  private transfer(b: number[], writing: boolean): void {
    const multiTrack = (b[0] & 0x80) !== 0;
    const sel = b[1] & 3, disk = this.drive(sel);
    let [c, h, r] = [b[2], b[3], b[4]];
    const n = b[5], eot = b[6];
    const st0 = () => (h << 2) | sel;
    if (!disk || this.rate !== mediaRate(disk)) return this.finish(st0() | ST0_ABNORMAL, ST1_MISSING_AM, 0, [c, h, r, n]);
    if (writing && disk.readOnly) return this.finish(st0() | ST0_ABNORMAL, ST1_NOT_WRITABLE, 0, [c, h, r, n]);
    const d = sel & 1;
    if (this.impliedSeek) this.track[d] = c;
    const g = disk.geometry;
    if (c !== this.track[d]) return this.finish(st0() | ST0_ABNORMAL, ST1_NO_DATA, ST2_WRONG_CYLINDER, [c, h, r, n]);
    const sector = new Uint8Array(SECTOR_SIZE);
    for (;;) {
      if (n !== 2 || h >= g.heads || r < 1 || r > g.sectors || c >= g.cylinders) {
        return this.finish(st0() | ST0_ABNORMAL, ST1_NO_DATA, 0, [c, h, r, n]);
      }
      const lba = (c * g.heads + h) * g.sectors + r - 1;
      let tc: boolean;
      if (writing) {
        const got = this.dma.fromMemory(FDC_DMA, SECTOR_SIZE);
        sector.fill(0).set(got.data);
        if (disk.write(lba, 1, sector).status !== 0) return this.finish(st0() | ST0_ABNORMAL, ST1_NOT_WRITABLE, 0, [c, h, r, n]);
        tc = got.terminalCount;
      } else {
        disk.read(lba, 1, sector);
        tc = this.dma.toMemory(FDC_DMA, sector).terminalCount;
      }
      const lastOnTrack = r === eot || r === g.sectors;
      if (!lastOnTrack) {
        r++;
        if (tc) return this.finish(st0(), 0, 0, [c, h, r, n]);
        continue;
      }
      r = 1;
      if (multiTrack && h === 0 && g.heads > 1) {
        h = 1;
        if (tc) return this.finish(st0(), 0, 0, [c, h, r, n]);
        continue;
      }
      const endHead = h;
      if (multiTrack) h = 0;
      c++;
      if (tc) return this.finish((endHead << 2) | sel, 0, 0, [c, h, r, n]);
      return this.finish((endHead << 2) | sel | ST0_ABNORMAL, ST1_END_OF_CYLINDER, 0, [c, h, r, n]);
    }
  }

  /**
   * FORMAT TRACK on the head's cylinder: a C, H, R, N ID per sector through DMA channel 2, each
   * sector filled with byte D. The image keeps the medium's own layout, so an ID off it (another
   * cylinder or size, a sector beyond the track) ends the command with no data.
   */
  private format(b: number[]): void {
    const sel = b[1] & 3, head = (b[1] >> 2) & 1, disk = this.drive(sel);
    const [n, sectors, fill] = [b[2], b[3], b[5]];
    const st0 = (head << 2) | sel, c = this.track[sel & 1];
    if (!disk || this.rate !== mediaRate(disk)) return this.finish(st0 | ST0_ABNORMAL, ST1_MISSING_AM, 0, [c, head, 1, n]);
    if (disk.readOnly) return this.finish(st0 | ST0_ABNORMAL, ST1_NOT_WRITABLE, 0, [c, head, 1, n]);
    const g = disk.geometry;
    const ids = this.dma.fromMemory(FDC_DMA, 4 * sectors).data;
    const data = new Uint8Array(SECTOR_SIZE).fill(fill);
    for (let i = 0; i + 4 <= ids.length; i += 4) {
      const [ic, ih, ir, iN] = ids.subarray(i, i + 4);
      if (ic !== c || ih !== head || iN !== 2 || ir < 1 || ir > g.sectors || head >= g.heads) {
        return this.finish(st0 | ST0_ABNORMAL, ST1_NO_DATA, 0, [ic, ih, ir, iN]);
      }
      disk.write((c * g.heads + head) * g.sectors + ir - 1, 1, data);
    }
    this.finish(st0, 0, 0, [c, head, 1, n]);
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raiseIrq(FDC_IRQ);
    else this.irq.lowerIrq(FDC_IRQ);
  }
}
