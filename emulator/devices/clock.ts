// Device time: every device measures time in executed instructions, never the wall clock, so two
// runs of the same image are identical. One instruction stands for a fixed slice of the PIT's
// 1.193182 MHz input clock (default 4 instructions per PIT tick, i.e. a 4.77 MHz "one instruction
// per CPU clock" PC), or for 2^shift ns as under QEMU's -icount (the lock-step with QEMU). Pure TypeScript: no Node or VS Code imports. Intel 8254 datasheet (clock input).

/** The 8254 input clock of every PC: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;
const NS = 1_000_000_000n;

/** A device with timed events (PIT outputs, RTC interrupts, keyboard bytes arriving). */
export interface TimedDevice {
  /** Brings the device up to `now` (an instruction count), raising the IRQs of events at or before it. */
  update(now: number): void;
  /** The instruction count of the device's next event, or Infinity when nothing is scheduled. */
  nextEventAt(): number;
}

/** The interrupt lines a device drives; implemented by the 8259 pair. */
export interface IrqSink {
  raiseIrq(irq: number): void;
  lowerIrq(irq: number): void;
}

/** The largest -icount shift whose second is a whole number of instructions (10^9 / 2^9). */
export const MAX_ICOUNT_SHIFT = 9;

export interface ClockOptions {
  /** Instructions per PIT input tick (a positive integer); default 4. */
  instructionsPerPitTick?: number;
  /**
   * QEMU's -icount rule instead (0 to MAX_ICOUNT_SHIFT): instruction n is at 2^shift × n virtual
   * nanoseconds and the PIT has counted ⌊ns × 1193182 / 10^9⌋ ticks, as QEMU's PIT computes its
   * count from its virtual clock.
   */
  icountShift?: number;
}

/**
 * The machine owns one Clock. Devices read `now` whenever a port is accessed (a PIT count, the RTC
 * seconds, port 0x61's refresh bit), so it must be current mid-burst: either point `counter` at the
 * CPU's instruction counter (recommended; `now` then always reads it), or set `now` before each
 * IN/OUT. After each burst call `advance(n)` (or `update()`) to deliver due events. Bursts run at
 * most `nextEventIn()` instructions so device events are never late.
 */
export class Clock {
  /** When set, `now` reads this (the CPU's instruction count) and `advance` does not add to it. */
  counter: (() => number) | null = null;
  private ownNow = 0;
  /** Instructions executed since power-on. */
  get now(): number {
    return this.counter ? this.counter() : this.ownNow;
  }
  set now(v: number) {
    this.ownNow = v;
  }
  /** Instructions per PIT tick: a whole number, or a fraction under the -icount rule. */
  readonly instructionsPerPitTick: number;
  /** Instructions per emulated second (instructionsPerPitTick × PIT_HZ), a whole number. */
  readonly instructionsPerSecond: number;
  /** The -icount shift when the clock follows QEMU's rule, else null. */
  readonly icountShift: number | null;
  /** Under the -icount rule: PIT ticks per instruction as a fraction (2^shift × PIT_HZ / 10^9). */
  private readonly tickNum: bigint = 0n;
  /**
   * Called when a device was reprogrammed and its next event may be earlier than the machine
   * thought: the machine should end the current burst (e.g. set an attention bit) and ask again.
   */
  onReschedule: (() => void) | null = null;
  private readonly devices: TimedDevice[] = [];

  constructor(opts: ClockOptions = {}) {
    const shift = opts.icountShift;
    if (shift !== undefined) {
      if (!Number.isInteger(shift) || shift < 0 || shift > MAX_ICOUNT_SHIFT) throw new Error(`icountShift must be an integer from 0 to ${MAX_ICOUNT_SHIFT}, not ${shift}`);
      this.icountShift = shift;
      this.tickNum = BigInt(2 ** shift * PIT_HZ);
      this.instructionsPerSecond = 1e9 / 2 ** shift;
      this.instructionsPerPitTick = this.instructionsPerSecond / PIT_HZ;
      return;
    }
    const ipt = opts.instructionsPerPitTick ?? 4;
    if (!Number.isInteger(ipt) || ipt < 1) throw new Error(`instructionsPerPitTick must be a positive integer, not ${ipt}`);
    this.icountShift = null;
    this.instructionsPerPitTick = ipt;
    this.instructionsPerSecond = ipt * PIT_HZ;
  }

  /** The PIT input tick that instruction count `now` falls in. */
  pitTicks(now = this.now): number {
    // Exact in BigInt: now × 2^shift × PIT_HZ passes 2^53 within the first 15 million instructions.
    if (this.icountShift !== null) return Number((BigInt(now) * this.tickNum) / NS);
    return Math.floor(now / this.instructionsPerPitTick);
  }

  /** The first instruction count that lies in PIT tick `tick`. */
  instructionOfPitTick(tick: number): number {
    if (this.icountShift !== null) return Number((BigInt(tick) * NS + this.tickNum - 1n) / this.tickNum);
    return tick * this.instructionsPerPitTick;
  }

  add(device: TimedDevice): void {
    this.devices.push(device);
  }

  /** Instruction count of the earliest pending device event (Infinity if none). */
  nextEventAt(): number {
    let t = Infinity;
    for (const d of this.devices) {
      const e = d.nextEventAt();
      if (e < t) t = e;
    }
    return t;
  }

  /** How many instructions the CPU may run before the next device event is due (0 = due now). */
  nextEventIn(): number {
    return Math.max(0, this.nextEventAt() - this.now);
  }

  /** Moves time forward by n instructions (unless `counter` already did) and lets every device catch up. */
  advance(n: number): void {
    if (!this.counter) this.ownNow += n;
    this.update();
  }

  /** Lets every device catch up with `now` (call after setting `now` directly). */
  update(): void {
    const now = this.now;
    for (const d of this.devices) if (d.nextEventAt() <= now) d.update(now);
  }

  /** Devices call this when reprogrammed; forwards to the machine. */
  reschedule(): void {
    this.onReschedule?.();
  }
}
