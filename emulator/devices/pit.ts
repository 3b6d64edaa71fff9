// Intel 8253/8254 programmable interval timer at 0x40–0x43: channel 0 drives IRQ0, channel 2 the
// speaker (gate and output via port 0x61). Counters are evaluated lazily from the instruction count
// (see clock.ts), so reading a counter or waiting for IRQ0 costs nothing per instruction.
// Pure TypeScript: no Node or VS Code imports. Follows the Intel 8254 datasheet (modes 0–5, counter
// latch, read-back command, status byte).

import type { IoBus } from './ioBus';
import type { Clock, IrqSink, TimedDevice } from './clock';

const MODE_NAMES = ['interrupt on terminal count', 'one-shot', 'rate generator', 'square wave', 'software strobe', 'hardware strobe'];

/**
 * One counter of the 8254. Times are in PIT input ticks. The power-on state (undefined on the chip)
 * is QEMU's: mode 3 with count 0 (65536), counting from tick 0.
 */
export class PitChannel {
  /** Counting mode 0–5 (modes 6/7 alias 2/3). */
  mode = 3;
  /** Access: 1 = low byte, 2 = high byte, 3 = low then high. */
  access = 3;
  bcd = false;
  /** The programmed count in clock periods (a written 0 means 65536, or 10000 in BCD). */
  reload = 0x10000;
  /** Tick at which the counter was loaded with `reload` and began counting (Infinity: not started). */
  startTick = 0;
  /** Gate input (channels 0 and 1 are tied high on a PC; channel 2 follows port 0x61 bit 0). */
  gate = true;
  /** Elapsed ticks frozen while the gate is low in modes 0, 2, 3 and 4 (null: counting). */
  private frozen: number | null = null;
  /** A count was written but is not loaded yet (status bit 6). */
  nullCount = false;
  private writeLow: number | null = null;
  private readHigh = false;
  private latched: number | null = null;
  private latchHigh = false;
  private status: number | null = null;

  /** Ticks since the counter was loaded, or -1 before that. */
  elapsed(tick: number): number {
    if (this.frozen !== null) return this.frozen;
    return tick >= this.startTick ? tick - this.startTick : -1;
  }

  /** The counting element as a number of clock periods (before BCD encoding). */
  count(tick: number): number {
    const e = this.elapsed(tick);
    const r = this.reload;
    const modulus = this.bcd ? 10000 : 0x10000;
    if (e < 0) return r % modulus;
    switch (this.mode) {
      case 2:
        return (r - (e % r)) % modulus;
      case 3: {
        const high = (r + 1) >>> 1;
        const phase = e % r;
        const v = (r & ~1) - 2 * (phase < high ? phase : phase - high);
        return Math.max(v, 2) % modulus;
      }
      default: // 0, 1, 4, 5: count down and wrap
        return (((r - e) % modulus) + modulus) % modulus;
    }
  }

  /** The OUT pin. */
  out(tick: number): boolean {
    const e = this.elapsed(tick);
    const r = this.reload;
    switch (this.mode) {
      case 0:
        return e >= r;
      case 1:
        return e < 0 || e >= r;
      case 2:
        return e < 0 || !this.gate || e % r !== r - 1;
      case 3:
        return e < 0 || !this.gate || e % r < (r + 1) >>> 1;
      default: // 4, 5: one clock low at terminal count
        return e !== r;
    }
  }

  /** The first rising edge of OUT strictly after `tick`, or Infinity. */
  nextRisingEdge(tick: number): number {
    if (this.frozen !== null || this.startTick === Infinity || !this.gate) return Infinity;
    const e = tick - this.startTick;
    const r = this.reload;
    switch (this.mode) {
      case 0:
      case 1:
        return e < r ? this.startTick + r : Infinity;
      case 2:
      case 3: {
        const k = e < 0 ? 1 : Math.floor(e / r) + 1;
        return this.startTick + k * r;
      }
      default:
        return e < r + 1 ? this.startTick + r + 1 : Infinity;
    }
  }

  private encode(v: number): number {
    if (!this.bcd) return v & 0xffff;
    return (v % 10) | (Math.floor(v / 10) % 10 << 4) | (Math.floor(v / 100) % 10 << 8) | (Math.floor(v / 1000) % 10 << 12);
  }

  private decode(v: number): number {
    if (!this.bcd) return v === 0 ? 0x10000 : v;
    const d = (v & 0xf) + ((v >>> 4) & 0xf) * 10 + ((v >>> 8) & 0xf) * 100 + ((v >>> 12) & 0xf) * 1000;
    return d === 0 ? 10000 : d;
  }

  /** Control word with RW ≠ 0: sets mode and access, OUT goes to its initial level, counting stops. */
  setMode(mode: number, access: number, bcd: boolean): void {
    this.mode = mode > 5 ? mode & 3 : mode;
    this.access = access;
    this.bcd = bcd;
    this.startTick = Infinity;
    this.frozen = null;
    this.writeLow = null;
    this.readHigh = false;
    this.latched = null;
    this.status = null;
    this.nullCount = true;
  }

  latchCount(tick: number): void {
    if (this.latched !== null) return; // a second latch before the read is ignored
    this.latched = this.encode(this.count(tick));
    this.latchHigh = false;
  }

  latchStatus(tick: number): void {
    if (this.status !== null) return;
    const out = this.out(tick) ? 0x80 : 0;
    this.status = out | (this.nullCount ? 0x40 : 0) | (this.access << 4) | (this.mode << 1) | (this.bcd ? 1 : 0);
  }

  read(tick: number): number {
    if (this.status !== null) {
      const s = this.status;
      this.status = null;
      return s;
    }
    let v: number;
    let high: boolean;
    if (this.latched !== null) {
      v = this.latched;
      high = this.access === 2 || (this.access === 3 && this.latchHigh);
      if (this.access === 3 && !this.latchHigh) this.latchHigh = true;
      else this.latched = null;
    } else {
      v = this.encode(this.count(tick));
      high = this.access === 2 || (this.access === 3 && this.readHigh);
      if (this.access === 3) this.readHigh = !this.readHigh;
    }
    return high ? (v >>> 8) & 0xff : v & 0xff;
  }

  /** Writes one byte of the count; returns true when a complete count was loaded. */
  write(tick: number, value: number): boolean {
    let full: number;
    if (this.access === 1) full = value;
    else if (this.access === 2) full = value << 8;
    else if (this.writeLow === null) {
      this.writeLow = value;
      // 8254: in mode 0 writing the first byte stops the count (OUT stays low).
      if (this.mode === 0) {
        this.startTick = Infinity;
        this.frozen = null;
      }
      return false;
    } else {
      full = this.writeLow | (value << 8);
      this.writeLow = null;
    }
    this.reload = this.decode(full);
    this.nullCount = false;
    this.frozen = null;
    // The count is transferred to the counting element on the next clock; in modes 1 and 5
    // counting waits for a gate trigger.
    this.startTick = this.mode === 1 || this.mode === 5 ? Infinity : tick + 1;
    if (!this.gate && this.startTick !== Infinity) this.frozen = 0; // held at the reload value until the gate rises
    return true;
  }

  setGate(tick: number, high: boolean): void {
    if (high === this.gate) return;
    this.gate = high;
    const m = this.mode;
    if (!high) {
      // Modes 0, 2, 3, 4: a low gate suspends counting. Modes 1 and 5 ignore the level.
      if (m !== 1 && m !== 5 && this.startTick !== Infinity) this.frozen = Math.max(0, this.elapsed(tick));
      return;
    }
    if (m === 0 || m === 4) {
      // Counting resumes where it stopped.
      if (this.frozen !== null && this.startTick !== Infinity) this.startTick = tick + 1 - this.frozen;
      this.frozen = null;
    } else if (!this.nullCount) {
      // Modes 1, 2, 3, 5: a rising gate (re)starts the count from the reload value on the next clock.
      this.startTick = tick + 1;
      this.frozen = null;
    }
  }

  describe(): string {
    return `mode ${this.mode} (${MODE_NAMES[this.mode]}), count ${this.reload}${this.bcd ? ' BCD' : ''}`;
  }
}

export interface PitOptions {
  clock: Clock;
  irq: IrqSink;
}

/** The three counters. Channel 0's OUT rising edges raise IRQ0. */
export class Pit implements TimedDevice {
  readonly channels = [new PitChannel(), new PitChannel(), new PitChannel()];
  private readonly clock: Clock;
  private readonly irq: IrqSink;
  /** The last tick at which channel 0's edges were delivered. */
  private delivered = -1;
  /**
   * Channel 0's OUT as last driven onto IRQ0. It starts high (never driven), so that the BIOS's
   * first mode 2/3 control word is not a rising edge; mode 0 drives it low.
   */
  private irqLevel = true;

  constructor(opts: PitOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    opts.clock.add(this);
  }

  attach(io: IoBus): void {
    io.register(0x40, 4, { in8: (p) => this.in8(p), out8: (p, v) => this.out8(p, v) });
  }

  private tick(): number {
    return this.clock.pitTicks();
  }

  in8(port: number): number {
    if ((port & 3) === 3) return 0x00; // the control register cannot be read; QEMU returns 0
    return this.channels[port & 3].read(this.tick());
  }

  out8(port: number, value: number): void {
    const t = this.tick();
    const ch = port & 3;
    if (ch !== 3) {
      if (this.channels[ch].write(t, value) && ch === 0) this.programmed(t);
      return;
    }
    const sc = value >>> 6;
    if (sc === 3) {
      // Read-back command: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 3–1 select counters.
      for (let i = 0; i < 3; i++) {
        if ((value & (2 << i)) === 0) continue;
        if ((value & 0x20) === 0) this.channels[i].latchCount(t);
        if ((value & 0x10) === 0) this.channels[i].latchStatus(t);
      }
      return;
    }
    const c = this.channels[sc];
    const access = (value >>> 4) & 3;
    if (access === 0) {
      c.latchCount(t); // counter latch command
      return;
    }
    c.setMode((value >>> 1) & 7, access, (value & 1) !== 0);
    if (sc === 0) {
      // OUT goes low in mode 0 and high in the other modes as soon as the control word is written.
      this.setIrq0(c.mode !== 0);
      this.programmed(t);
    }
  }

  /** Channel 2's gate (port 0x61 bit 0). */
  setGate2(high: boolean): void {
    this.channels[2].setGate(this.tick(), high);
  }

  /** Channel 2's OUT (port 0x61 bit 5). */
  out2(): boolean {
    return this.channels[2].out(this.tick());
  }

  nextEventAt(): number {
    const edge = this.channels[0].nextRisingEdge(this.delivered);
    return edge === Infinity ? Infinity : this.clock.instructionOfPitTick(edge);
  }

  update(now: number): void {
    const t = this.clock.pitTicks(now);
    const edge = this.channels[0].nextRisingEdge(this.delivered);
    if (edge <= t) {
      // Several periods may have passed (a long burst or a skipped HLT); the PIC latches one edge.
      if (this.irqLevel) this.irq.lowerIrq(0);
      this.irq.raiseIrq(0);
      this.irqLevel = true;
    }
    this.delivered = Math.max(this.delivered, t);
  }

  private programmed(t: number): void {
    this.delivered = t;
    this.clock.reschedule();
  }

  private setIrq0(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raiseIrq(0);
    else this.irq.lowerIrq(0);
  }
}
