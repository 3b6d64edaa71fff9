// MC146818-compatible RTC and CMOS RAM at 0x70 (index, write-only, bit 7 masks NMI) and 0x71 (data). The clock
// starts at a fixed, configurable date and time and advances with the instruction count, so runs are
// reproducible; the configuration bytes (memory sizes, floppy types, checksum) are those a PC/AT BIOS
// keeps. Pure TypeScript: no Node or VS Code imports. Motorola MC146818A datasheet; IBM PC/AT
// Technical Reference (CMOS map).

import type { BootDeviceName } from '../../protocol/bootOrder';
import type { IoBus } from './ioBus';
import type { Clock, IrqSink, TimedDevice } from './clock';

export const REG_SECONDS = 0x00, REG_SECONDS_ALARM = 0x01, REG_MINUTES = 0x02, REG_MINUTES_ALARM = 0x03;
export const REG_HOURS = 0x04, REG_HOURS_ALARM = 0x05, REG_WEEKDAY = 0x06, REG_DAY = 0x07, REG_MONTH = 0x08, REG_YEAR = 0x09;
export const REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d;
export const CMOS_SHUTDOWN_STATUS = 0x0f, CMOS_FLOPPY_TYPES = 0x10, CMOS_HD_TYPES = 0x12, CMOS_EQUIPMENT = 0x14;
export const CMOS_BASE_MEM_LO = 0x15, CMOS_EXT_MEM_LO = 0x17, CMOS_CHECKSUM_HI = 0x2e, CMOS_EXT_MEM2_LO = 0x30;
export const CMOS_CENTURY = 0x32, CMOS_MEM_ABOVE_16M_LO = 0x34;

const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_DM_BINARY = 0x04, B_24H = 0x02;
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
/** Register A bit 7: an update cycle is in progress (or about to begin: the last 244 µs of a second). */
const A_UIP = 0x80;

/** CMOS floppy drive type codes (register 0x10 nibbles). */
export const FLOPPY_NONE = 0, FLOPPY_360K = 1, FLOPPY_1_2M = 2, FLOPPY_720K = 3, FLOPPY_1_44M = 4, FLOPPY_2_88M = 5;

export interface DateTime {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
}

export interface CmosOptions {
  clock: Clock;
  irq: IrqSink;
  /** Guest RAM in bytes, for the base/extended memory bytes. */
  memoryBytes: number;
  /** Date and time at instruction 0 (UTC, 24-hour); default 2024-01-01 00:00:00. */
  start?: DateTime;
  /** Floppy drive types A and B (FLOPPY_* codes); default none. */
  floppyTypes?: [number, number];
  /** Number of hard disks (0–2), for the legacy type byte 0x12; default 1. */
  hardDisks?: number;
  /**
   * Boot order for a firmware that reads it from CMOS (SeaBIOS in --bios mode): bytes 0x3D and 0x38
   * as QEMU writes them. Default hard disk, floppy, CD-ROM (3Dh = 12h, 38h = 30h).
   */
  bootOrder?: BootDeviceName[];
  /** INT 13h translation of the first two hard disks for byte 0x39 (0 none, 1 LBA, 2 large), as QEMU writes it. */
  diskTranslations?: number[];
}

const BOOT_CODE: Readonly<Record<BootDeviceName, number>> = { fd: 1, hd: 2, cdrom: 3 };

function toBcd(v: number): number {
  return ((Math.floor(v / 10) % 10) << 4) | (v % 10);
}
function fromBcd(v: number): number {
  return (v >>> 4) * 10 + (v & 0xf);
}

export class Cmos implements TimedDevice {
  /** 128 bytes: 0x00–0x0D are the RTC (time registers are computed on read), the rest NVRAM. */
  readonly ram = new Uint8Array(128);
  index = 0;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiMasked = false;
  private readonly clock: Clock;
  private readonly irq: IrqSink;
  /** Seconds since 1970-01-01 UTC at instruction 0 (moved when the guest sets the time). */
  private baseSeconds: number;
  /** Next periodic / update-ended interrupt, as an instruction count (Infinity if not enabled). */
  private nextPeriodic = Infinity;
  private nextUpdate = Infinity;
  private irqLevel = false;
  /** While register B's SET bit is on: the time as written so far, applied when SET goes off. */
  private staged: (DateTime & { weekday: number }) | null = null;

  constructor(opts: CmosOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    const s = opts.start ?? { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    this.baseSeconds = Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second) / 1000;
    if (!Number.isFinite(this.baseSeconds)) throw new Error('invalid RTC start date');
    this.ram[REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.ram[REG_B] = B_24H; // BCD, 24-hour, no interrupts
    this.ram[REG_D] = 0x80; // valid RAM and time
    this.ram[CMOS_CENTURY] = toBcd(Math.floor(s.year / 100));
    this.setMemory(opts.memoryBytes);
    const [a, b] = opts.floppyTypes ?? [FLOPPY_NONE, FLOPPY_NONE];
    this.setFloppyTypes(a, b);
    const hd = opts.hardDisks ?? 1;
    // Type 0x0F = "see extended type byte" (0x19/0x1A), 47 = user-defined, as AT BIOSes report.
    this.ram[CMOS_HD_TYPES] = (hd >= 1 ? 0xf0 : 0) | (hd >= 2 ? 0x0f : 0);
    this.ram[0x19] = hd >= 1 ? 47 : 0;
    this.ram[0x1a] = hd >= 2 ? 47 : 0;
    const order = (opts.bootOrder ?? ['hd', 'fd', 'cdrom']).map((d) => BOOT_CODE[d]);
    this.ram[0x3d] = (order[0] ?? 0) | ((order[1] ?? 0) << 4);
    this.ram[0x38] = (order[2] ?? 0) << 4;
    const tr = opts.diskTranslations ?? [];
    this.ram[0x39] = (tr[0] ?? 0) & 3 | (((tr[1] ?? 0) & 3) << 2);
    opts.clock.add(this);
    this.updateChecksum();
    this.schedule();
  }

  attach(io: IoBus): void {
    io.register(0x70, 2, { in8: (p) => this.in8(p), out8: (p, v) => this.out8(p, v) });
  }

  /** Sets the base (0x15/0x16), extended (0x17/0x18, 0x30/0x31) and above-16 MiB (0x34/0x35) bytes. */
  setMemory(bytes: number): void {
    const base = 640;
    const extKiB = Math.min(0xffff, Math.max(0, Math.floor((Math.min(bytes, 0x4000_0000) - 0x100000) / 1024)));
    const above16 = Math.min(0xffff, Math.max(0, Math.floor((Math.min(bytes, 0xffff_ffff) - 0x1000000) / 65536)));
    this.ram[CMOS_BASE_MEM_LO] = base & 0xff;
    this.ram[CMOS_BASE_MEM_LO + 1] = base >>> 8;
    this.ram[CMOS_EXT_MEM_LO] = this.ram[CMOS_EXT_MEM2_LO] = extKiB & 0xff;
    this.ram[CMOS_EXT_MEM_LO + 1] = this.ram[CMOS_EXT_MEM2_LO + 1] = extKiB >>> 8;
    this.ram[CMOS_MEM_ABOVE_16M_LO] = above16 & 0xff;
    this.ram[CMOS_MEM_ABOVE_16M_LO + 1] = above16 >>> 8;
    this.updateChecksum();
  }

  /** Floppy types (byte 0x10: A in the high nibble) and the equipment byte's floppy bits (0x14). */
  setFloppyTypes(a: number, b: number): void {
    this.ram[CMOS_FLOPPY_TYPES] = ((a & 0xf) << 4) | (b & 0xf);
    const count = (a ? 1 : 0) + (b ? 1 : 0);
    // Equipment byte: bit 0 floppy present, bit 1 coprocessor, bit 2 PS/2 mouse, bits 5–4 display
    // (00 = EGA/VGA), bits 7–6 number of floppies minus one. QEMU reports 06h without floppies.
    this.ram[CMOS_EQUIPMENT] = (count ? 1 | ((count - 1) << 6) : 0) | 0x06;
    this.updateChecksum();
  }

  /** The AT checksum: the 16-bit sum of bytes 0x10–0x2D, big-endian at 0x2E/0x2F. */
  updateChecksum(): void {
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += this.ram[i];
    this.ram[CMOS_CHECKSUM_HI] = (sum >>> 8) & 0xff;
    this.ram[CMOS_CHECKSUM_HI + 1] = sum & 0xff;
  }

  in8(port: number): number {
    // The index register is write-only on the AT (IBM PC/AT Technical Reference: port 70h is an
    // output); QEMU's RTC answers a read with FFh, which SeaBIOS reads when it saves the NMI mask.
    if ((port & 1) === 0) return 0xff;
    return this.read(this.index);
  }

  out8(port: number, value: number): void {
    if ((port & 1) === 0) {
      this.index = value & 0x7f;
      this.nmiMasked = (value & 0x80) !== 0;
    } else {
      this.write(this.index, value);
    }
  }

  /** Current time as seconds since 1970 (fractions dropped). */
  seconds(now = this.clock.now): number {
    return this.baseSeconds + Math.floor(now / this.clock.instructionsPerSecond);
  }

  /** Current date and time. */
  dateTime(now = this.clock.now): DateTime & { weekday: number } {
    const d = new Date(this.seconds(now) * 1000);
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() + 1,
    };
  }

  /** A register as the guest sees it. */
  read(index: number): number {
    index &= 0x7f;
    if (index <= REG_YEAR && index !== REG_SECONDS_ALARM && index !== REG_MINUTES_ALARM && index !== REG_HOURS_ALARM) {
      return this.timeRegister(index);
    }
    switch (index) {
      case REG_A: {
        // UIP is set during the last 244 µs of every second (the update starts 244 µs later).
        const ips = this.clock.instructionsPerSecond;
        const intoSecond = this.clock.now % ips;
        const uip = (this.ram[REG_B] & B_SET) === 0 && intoSecond >= ips - Math.ceil((ips * 244) / 1e6);
        return (this.ram[REG_A] & 0x7f) | (uip ? A_UIP : 0);
      }
      case REG_C: {
        this.update(this.clock.now);
        const v = this.ram[REG_C];
        this.ram[REG_C] = 0; // reading C clears the flags and the interrupt
        this.setIrq(false);
        return v;
      }
      default:
        return this.ram[index];
    }
  }

  write(index: number, value: number): void {
    index &= 0x7f;
    switch (index) {
      case REG_SECONDS: case REG_MINUTES: case REG_HOURS: case REG_WEEKDAY: case REG_DAY: case REG_MONTH: case REG_YEAR:
        this.setTimeRegister(index, value);
        return;
      case REG_A:
        this.ram[REG_A] = value & 0x7f;
        this.schedule();
        return;
      case REG_B: {
        const wasSet = (this.ram[REG_B] & B_SET) !== 0;
        const set = (value & B_SET) !== 0;
        // MC146818: SET stops the update cycle so software can write all time fields; the clock
        // runs on from the new time when SET is cleared.
        if (set && !wasSet) this.staged = this.dateTime();
        this.ram[REG_B] = value & 0xff;
        if (!set && wasSet && this.staged) {
          const t = this.staged;
          this.staged = null;
          const secs = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000;
          if (Number.isFinite(secs)) this.baseSeconds = secs - Math.floor(this.clock.now / this.clock.instructionsPerSecond);
        }
        this.schedule();
        return;
      }
      case REG_C: case REG_D:
        return; // read-only
      default:
        this.ram[index] = value;
    }
  }

  private encode(v: number): number {
    return this.ram[REG_B] & B_DM_BINARY ? v : toBcd(v);
  }
  private decode(v: number): number {
    return this.ram[REG_B] & B_DM_BINARY ? v : fromBcd(v);
  }

  private timeRegister(index: number): number {
    const t = this.staged ?? this.dateTime();
    switch (index) {
      case REG_SECONDS: return this.encode(t.second);
      case REG_MINUTES: return this.encode(t.minute);
      case REG_HOURS: {
        if (this.ram[REG_B] & B_24H) return this.encode(t.hour);
        const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
        return this.encode(h12) | (t.hour >= 12 ? 0x80 : 0);
      }
      case REG_WEEKDAY: return this.encode(t.weekday);
      case REG_DAY: return this.encode(t.day);
      case REG_MONTH: return this.encode(t.month);
      default: return this.encode(t.year % 100);
    }
  }

  /** The guest sets one time field: the other fields keep running from the same instant. */
  private setTimeRegister(index: number, value: number): void {
    const t = this.staged ?? this.dateTime();
    if (index === REG_HOURS && (this.ram[REG_B] & B_24H) === 0) {
      const h = this.decode(value & 0x7f) % 12;
      t.hour = value & 0x80 ? h + 12 : h;
    } else {
      const v = this.decode(value);
      if (index === REG_SECONDS) t.second = v;
      else if (index === REG_MINUTES) t.minute = v;
      else if (index === REG_HOURS) t.hour = v;
      else if (index === REG_DAY) t.day = v;
      else if (index === REG_MONTH) t.month = v;
      else if (index === REG_YEAR) t.year = fromBcd(this.ram[CMOS_CENTURY]) * 100 + v;
      else return; // the weekday is derived from the date
    }
    if (this.staged) return; // applied when SET is cleared
    const s = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000;
    if (Number.isFinite(s)) this.baseSeconds = s - Math.floor(this.clock.now / this.clock.instructionsPerSecond);
  }

  /** Periodic interrupt period in instructions for the rate in register A (0 = off). */
  private periodicInterval(): number {
    const rate = this.ram[REG_A] & 0x0f;
    if (rate === 0) return 0;
    // MC146818: rates 1 and 2 give 256 and 128 Hz; 3–15 give 32768 >> (rate − 1) Hz.
    const hz = rate <= 2 ? 256 >> (rate - 1) : 32768 >> (rate - 1);
    return Math.max(1, Math.round(this.clock.instructionsPerSecond / hz));
  }

  private schedule(): void {
    const now = this.clock.now;
    const p = this.periodicInterval();
    this.nextPeriodic = p ? (Math.floor(now / p) + 1) * p : Infinity;
    const ips = this.clock.instructionsPerSecond;
    this.nextUpdate = (this.ram[REG_B] & B_SET) === 0 ? (Math.floor(now / ips) + 1) * ips : Infinity;
    this.clock.reschedule();
  }

  nextEventAt(): number {
    // Flags in register C are kept current even with interrupts off (guests poll them), but only
    // enabled interrupts need the machine to stop a burst for them.
    const b = this.ram[REG_B];
    let t = Infinity;
    if (b & B_PIE) t = Math.min(t, this.nextPeriodic);
    if (b & (B_UIE | B_AIE)) t = Math.min(t, this.nextUpdate);
    return t;
  }

  update(now: number): void {
    let flags = 0;
    if (now >= this.nextPeriodic) {
      flags |= C_PF;
      const p = this.periodicInterval();
      this.nextPeriodic = p ? (Math.floor(now / p) + 1) * p : Infinity;
    }
    if (now >= this.nextUpdate) {
      flags |= C_UF;
      const t = this.dateTime(now);
      if (this.alarmMatches(t)) flags |= C_AF;
      const ips = this.clock.instructionsPerSecond;
      this.nextUpdate = (Math.floor(now / ips) + 1) * ips;
    }
    if (flags === 0) return;
    this.ram[REG_C] |= flags;
    const enabled = this.ram[REG_B] & (B_PIE | B_AIE | B_UIE);
    // Register B's enable bits line up with register C's flag bits (PIE/PF, AIE/AF, UIE/UF).
    if (this.ram[REG_C] & enabled) {
      this.ram[REG_C] |= C_IRQF;
      this.setIrq(true);
    }
  }

  private alarmMatches(t: DateTime): boolean {
    // An alarm byte with its two high bits set is a "don't care" value.
    const m = (reg: number, v: number) => (this.ram[reg] & 0xc0) === 0xc0 || this.decode(this.ram[reg]) === v;
    return m(REG_SECONDS_ALARM, t.second) && m(REG_MINUTES_ALARM, t.minute) && m(REG_HOURS_ALARM, t.hour);
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raiseIrq(8);
    else this.irq.lowerIrq(8);
  }
}
