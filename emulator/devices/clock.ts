// Device time: every device measures time in executed instructions, never the wall clock, so two
// runs of the same image are identical. One instruction stands for a fixed slice of the PIT's
// 1.193182 MHz input clock (default 4 instructions per PIT tick, i.e. a 4.77 MHz "one instruction
// per CPU clock" PC). Pure TypeScript: no Node or VS Code imports. Intel 8254 datasheet (clock input).

/** The 8254 input clock of every PC: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;

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

export interface ClockOptions {
  /** Instructions per PIT input tick (a positive integer); default 4. */
  instructionsPerPitTick?: number;
}

/**
 * The machine owns one Clock. It must keep `now` current whenever a device port is accessed (set it
 * before IN/OUT, or advance it per instruction), and after each burst call `advance`/`update`.
 * Bursts run at most `nextEventIn()` instructions so device events are never late.
 */
export class Clock {
  /** Instructions executed since power-on. */
  now = 0;
  readonly instructionsPerPitTick: number;
  /** Instructions per emulated second (instructionsPerPitTick × PIT_HZ). */
  readonly instructionsPerSecond: number;
  /**
   * Called when a device was reprogrammed and its next event may be earlier than the machine
   * thought: the machine should end the current burst (e.g. set an attention bit) and ask again.
   */
  onReschedule: (() => void) | null = null;
  private readonly devices: TimedDevice[] = [];

  constructor(opts: ClockOptions = {}) {
    const ipt = opts.instructionsPerPitTick ?? 4;
    if (!Number.isInteger(ipt) || ipt < 1) throw new Error(`instructionsPerPitTick must be a positive integer, not ${ipt}`);
    this.instructionsPerPitTick = ipt;
    this.instructionsPerSecond = ipt * PIT_HZ;
  }

  /** The PIT input tick that instruction count `now` falls in. */
  pitTicks(now = this.now): number {
    return Math.floor(now / this.instructionsPerPitTick);
  }

  /** The first instruction count that lies in PIT tick `tick`. */
  instructionOfPitTick(tick: number): number {
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

  /** Moves time forward by n instructions and lets every device catch up. */
  advance(n: number): void {
    this.now += n;
    this.update();
  }

  /** Lets every device catch up with `now` (call after setting `now` directly). */
  update(): void {
    for (const d of this.devices) if (d.nextEventAt() <= this.now) d.update(this.now);
  }

  /** Devices call this when reprogrammed; forwards to the machine. */
  reschedule(): void {
    this.onReschedule?.();
  }
}
