// The two cascaded Intel 8259A programmable interrupt controllers of a PC/AT: master at 0x20/0x21
// (IRQ0–7), slave at 0xA0/0xA1 (IRQ8–15) wired to the master's IR2. Edge-triggered as on the ISA bus.
// Pure TypeScript: no Node or VS Code imports. Follows the Intel 8259A datasheet (ICW1–4, OCW1–3,
// priority resolution, INTA sequence, spurious IR7).

import type { IoBus } from './ioBus';
import type { IrqSink } from './clock';

/** One 8259A. The pair below does the cascading; this class knows nothing about its partner. */
export class Pic8259 {
  /** Interrupt request register: edges seen and not yet acknowledged. */
  irr = 0;
  /** In-service register. */
  isr = 0;
  /** Interrupt mask register (OCW1). */
  imr = 0;
  /** ICW2: vector of IR0 (low three bits are always zero). */
  vectorBase = 0;
  /** ICW3: on the master the IRs with a slave attached, on a slave its cascade id. */
  icw3 = 0;
  /** ICW4 bits: automatic EOI, special fully nested mode, 8086 mode. */
  autoEoi = false;
  specialFullyNested = false;
  /** ICW1.LTIM: level-triggered (IRR follows the input level). */
  levelTriggered = false;
  /** Per-IR level-trigger bits from the chipset's ELCR (PIIX ports 0x4D0/0x4D1); 0 on ISA. */
  elcr = 0;
  /** OCW2 "rotate in automatic EOI mode". */
  rotateOnAutoEoi = false;
  /** The IR with the lowest priority (7 after initialisation; changed by rotation). */
  lowestPriority = 7;
  /** OCW3 special mask mode: in-service levels do not block lower ones that are unmasked. */
  specialMask = false;
  /** OCW3 RR/RIS: reading the even port returns the ISR instead of the IRR. */
  readIsr = false;
  /** OCW3 poll command armed: the next read of the even port is a poll. */
  private poll = false;
  /** Input levels, for edge detection. */
  private lines = 0;
  /** Which initialisation word comes next on the odd port: 0 = none (OCW1), 2, 3 or 4. */
  private initStep = 0;
  private needIcw4 = false;
  /** ICW1.SNGL: no cascade (IR2 of a single master is an ordinary input). */
  single = false;

  constructor(readonly isMaster: boolean) {
    // Before a BIOS programs it the chip state is undefined; start with everything masked so nothing
    // fires until the guest or BIOS initialises it, and the PC/AT vector bases.
    this.vectorBase = isMaster ? 0x08 : 0x70;
    this.icw3 = isMaster ? 0x04 : 0x02;
    this.imr = 0xff;
  }

  /** Sets the input level of IR n (0–7). A low-to-high transition latches a request. */
  setLine(n: number, high: boolean): void {
    const bit = 1 << n;
    const level = this.levelTriggered || (this.elcr & bit) !== 0;
    if (high) {
      if (level || (this.lines & bit) === 0) this.irr |= bit;
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
      if (level) this.irr &= ~bit;
    }
  }

  /** Priority rank of IR n: 0 is the highest. */
  private rank(n: number): number {
    return (n - this.lowestPriority - 1) & 7;
  }

  /** The highest-priority IR in `bits`, or -1. */
  private highest(bits: number): number {
    if (bits === 0) return -1;
    for (let i = 0; i < 8; i++) {
      const n = (this.lowestPriority + 1 + i) & 7;
      if (bits & (1 << n)) return n;
    }
    return -1;
  }

  /** The IR that would be delivered now, or -1 (the INT output is high iff this is ≥ 0). */
  pending(): number {
    const req = this.irr & ~this.imr;
    const n = this.highest(req);
    if (n < 0) return -1;
    // In special mask mode, masked in-service levels do not inhibit anything; otherwise any
    // in-service level of equal or higher priority blocks the request (fully nested mode). In special
    // fully nested mode the master lets a cascaded IR that is in service request again (a
    // higher-priority request inside the same slave).
    const inService = this.specialMask ? this.isr & ~this.imr : this.isr;
    const s = this.highest(inService);
    if (s >= 0) {
      if (this.rank(s) < this.rank(n)) return -1;
      if (s === n && !(this.specialFullyNested && this.isMaster && this.icw3 & (1 << n))) return -1;
    }
    return n;
  }

  /**
   * The INTA sequence for this chip: returns the IR acknowledged, or -1 for a spurious interrupt
   * (the request went away; the chip then answers with IR7's vector and sets no ISR bit).
   */
  acknowledge(): number {
    const n = this.pending();
    if (n < 0) return -1;
    const bit = 1 << n;
    if (!this.levelTriggered && (this.elcr & bit) === 0) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.lowestPriority = n;
    } else {
      this.isr |= bit;
    }
    return n;
  }

  /** Vector for IR n of this chip. */
  vector(n: number): number {
    return (this.vectorBase + n) & 0xff;
  }

  read(odd: boolean): number {
    if (this.poll) {
      // Poll command (OCW3 P=1): the read acts as an INTA; bit 7 = interrupt pending, bits 2–0 = level.
      this.poll = false;
      const n = this.acknowledge();
      return n < 0 ? 0 : 0x80 | n;
    }
    if (odd) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  write(odd: boolean, value: number): void {
    if (!odd) {
      if (value & 0x10) this.icw1(value);
      else if (value & 0x08) this.ocw3(value);
      else this.ocw2(value);
      return;
    }
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.icw3 = value;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (value & 0x02) !== 0;
        this.specialFullyNested = (value & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value; // OCW1
    }
  }

  private icw1(value: number): void {
    // 8259A datasheet, "Initialization command words": the edge sense circuit is reset (a new
    // low-to-high transition is needed), IMR is cleared, IR7 gets the lowest priority, special mask
    // mode is cleared and status read is set to IRR; without IC4 all ICW4 functions are zero.
    this.levelTriggered = (value & 0x08) !== 0;
    this.single = (value & 0x02) !== 0;
    this.needIcw4 = (value & 0x01) !== 0;
    this.irr = 0;
    this.isr = 0;
    this.imr = 0;
    this.lines = 0;
    this.lowestPriority = 7;
    this.specialMask = false;
    this.readIsr = false;
    this.poll = false;
    this.rotateOnAutoEoi = false;
    this.autoEoi = false;
    this.specialFullyNested = false;
    this.initStep = 2;
  }

  private ocw2(value: number): void {
    const level = value & 7;
    switch (value >>> 5) {
      case 0b001: // non-specific EOI
      case 0b101: { // rotate on non-specific EOI
        const n = this.highest(this.isr);
        if (n < 0) return;
        this.isr &= ~(1 << n);
        if (value & 0x80) this.lowestPriority = n;
        return;
      }
      case 0b011: // specific EOI
        this.isr &= ~(1 << level);
        return;
      case 0b111: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowestPriority = level;
        return;
      case 0b100:
        this.rotateOnAutoEoi = true;
        return;
      case 0b000:
        this.rotateOnAutoEoi = false;
        return;
      case 0b110: // set priority
        this.lowestPriority = level;
        return;
      default: // 0b010: no operation
    }
  }

  private ocw3(value: number): void {
    if (value & 0x40) this.specialMask = (value & 0x20) !== 0; // ESMM, SMM
    if (value & 0x04) this.poll = true;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0; // RR, RIS
  }
}

/**
 * The PC/AT pair. Devices call raiseIrq/lowerIrq (0–15). The CPU asks hasInterrupt() when IF=1 and
 * then acknowledge() for the vector. `onChange(level)` reports every change of the master's INT
 * output so the CPU can mirror it in its interrupt-attention bit.
 */
export class PicPair implements IrqSink {
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  onChange: ((interrupt: boolean) => void) | null = null;
  private output = false;

  /** Registers 0x20/0x21, 0xA0/0xA1 and the edge/level control registers 0x4D0/0x4D1. */
  attach(io: IoBus): void {
    io.register(0x20, 2, { in8: (p) => this.read(this.master, p), out8: (p, v) => this.write(this.master, p, v) });
    io.register(0xa0, 2, { in8: (p) => this.read(this.slave, p), out8: (p, v) => this.write(this.slave, p, v) });
    io.register(0x4d0, 2, {
      in8: (p) => (p === 0x4d0 ? this.master.elcr : this.slave.elcr),
      out8: (p, v) => {
        // IRQ 0, 1, 2, 8 and 13 are always edge-triggered on the PIIX.
        if (p === 0x4d0) this.master.elcr = v & 0xf8;
        else this.slave.elcr = v & 0xde;
        this.changed();
      },
    });
  }

  raiseIrq(irq: number): void {
    if (irq < 8) this.master.setLine(irq, true);
    else this.slave.setLine(irq - 8, true);
    this.changed();
  }

  lowerIrq(irq: number): void {
    if (irq < 8) this.master.setLine(irq, false);
    else this.slave.setLine(irq - 8, false);
    this.changed();
  }

  /** The master's INT output: an unmasked request with priority above everything in service. */
  hasInterrupt(): boolean {
    return this.master.pending() >= 0;
  }

  /**
   * The two INTA cycles: returns the vector and updates IRR/ISR. A request that vanished yields the
   * spurious vector of IR7 (master) or IR15 (slave; the master's IR2 stays in service, as on hardware,
   * so the handler must still send the master an EOI).
   */
  acknowledge(): number {
    const n = this.master.acknowledge();
    let vector: number;
    if (n < 0) {
      vector = this.master.vector(7);
    } else if (n === 2 && this.cascaded()) {
      const s = this.slave.acknowledge();
      vector = s < 0 ? this.slave.vector(7) : this.slave.vector(s);
    } else {
      vector = this.master.vector(n);
    }
    this.changed();
    return vector;
  }

  /** IRR/ISR/IMR of both chips as 16-bit words (debugger view). */
  get irr(): number {
    return this.master.irr | (this.slave.irr << 8);
  }
  get isr(): number {
    return this.master.isr | (this.slave.isr << 8);
  }
  get imr(): number {
    return this.master.imr | (this.slave.imr << 8);
  }

  private read(chip: Pic8259, port: number): number {
    const v = chip.read((port & 1) === 1);
    this.changed(); // a poll acts as an acknowledge
    return v;
  }

  private write(chip: Pic8259, port: number, value: number): void {
    chip.write((port & 1) === 1, value);
    this.changed();
  }

  /** The slave hangs off master IR2 (cascade mode, ICW3 bit 2). */
  private cascaded(): boolean {
    return !this.master.single && (this.master.icw3 & 0x04) !== 0;
  }

  /** Re-evaluates the slave's INT output (wired to master IR2 as a level) and the master's output. */
  private changed(): void {
    if (this.cascaded()) this.master.setLine(2, this.slave.pending() >= 0);
    const out = this.master.pending() >= 0;
    if (out !== this.output) {
      this.output = out;
      this.onChange?.(out);
    }
  }
}
