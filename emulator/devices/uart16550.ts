// National Semiconductor 16550A UART, COM1 at 0x3F8 with IRQ4 by default. Transmission is instant:
// every byte written to THR is appended to `output` and the transmitter is always empty (LSR THRE
// and TEMT set). Received bytes come from an optional input queue. Interrupts reach the PIC only
// through MCR OUT2, as on a PC. Pure TypeScript: no Node or VS Code imports. Follows the NS16550A
// datasheet (register map, IIR priorities, DLAB).

import type { IoBus } from './ioBus';
import type { IrqSink } from './clock';

const IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
const LCR_DLAB = 0x80;
/** Receive FIFO depth. */
const FIFO_SIZE = 16;

export interface UartOptions {
  irq: IrqSink;
  base?: number;
  irqLine?: number;
}

export class Uart16550 {
  readonly base: number;
  readonly irqLine: number;
  /** Everything the guest transmitted, one char per byte (Latin-1). */
  output = '';
  /** Called for each transmitted byte (live serial console). */
  onTransmit: ((byte: number) => void) | null = null;
  ier = 0;
  lcr = 0x00;
  mcr = 0;
  scr = 0;
  divisor = 12; // 9600 baud
  fifoEnabled = false;
  private lsrErrors = 0;
  private msrDelta = 0;
  /** Bytes waiting in the receive FIFO (or the single RBR when FIFOs are off). */
  private rx: number[] = [];
  /** Bytes still to arrive from the input queue once there is room. */
  private input: number[] = [];
  /** THRE interrupt pending: set when THR becomes empty, cleared by reading IIR or writing THR. */
  private threPending = false;
  private irqLevel = false;

  constructor(private readonly opts: UartOptions) {
    this.base = opts.base ?? 0x3f8;
    this.irqLine = opts.irqLine ?? 4;
  }

  attach(io: IoBus): void {
    io.register(this.base, 8, { in8: (p) => this.in8(p - this.base), out8: (p, v) => this.out8(p - this.base, v) });
  }

  /** Queues bytes (or a Latin-1 string) to be received by the guest. */
  queueInput(data: string | ArrayLike<number>): void {
    const bytes = typeof data === 'string' ? Array.from(data, (c) => c.charCodeAt(0) & 0xff) : Array.from(data);
    this.input.push(...bytes);
    this.fillRx();
    this.updateIrq();
  }

  in8(reg: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case 0:
        if (dlab) return this.divisor & 0xff;
        return this.readRbr();
      case 1:
        return dlab ? this.divisor >>> 8 : this.ier;
      case 2: {
        const iir = this.iir();
        if ((iir & 0x0f) === 0x02) this.threPending = false; // reading IIR clears a THRE interrupt
        this.updateIrq();
        return iir | (this.fifoEnabled ? 0xc0 : 0);
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr();
        this.lsrErrors = 0;
        this.updateIrq();
        return v;
      }
      case 6: {
        const v = this.msr();
        this.msrDelta = 0;
        this.updateIrq();
        return v;
      }
      default: return this.scr;
    }
  }

  out8(reg: number, v: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case 0:
        if (dlab) this.divisor = (this.divisor & 0xff00) | v;
        else this.transmit(v);
        break;
      case 1:
        if (dlab) {
          this.divisor = (this.divisor & 0xff) | (v << 8);
        } else {
          // Enabling the THRE interrupt while THR is empty raises it at once (16550A behaviour).
          if (v & IER_THRE && !(this.ier & IER_THRE)) this.threPending = true;
          this.ier = v & 0x0f;
        }
        break;
      case 2: // FCR
        this.fifoEnabled = (v & 0x01) !== 0;
        if (v & 0x02) {
          this.rx = [];
          this.fillRx();
        }
        break;
      case 3: this.lcr = v; break;
      case 4: {
        const before = this.msr();
        this.mcr = v & 0x1f;
        this.msrDelta |= this.deltas(before, this.msr());
        break;
      }
      case 5: break; // LSR is read-only (factory test)
      case 6: break;
      default: this.scr = v;
    }
    this.updateIrq();
  }

  private transmit(v: number): void {
    if (this.mcr & MCR_LOOP) {
      // Loopback: the transmitter feeds the receiver and nothing leaves the chip.
      this.receive(v);
    } else {
      this.output += String.fromCharCode(v);
      this.onTransmit?.(v);
    }
    // Transmission takes no time here, so THR is empty again at once.
    this.threPending = true;
  }

  private receive(v: number): void {
    const cap = this.fifoEnabled ? FIFO_SIZE : 1;
    if (this.rx.length >= cap) {
      this.lsrErrors |= LSR_OE;
      if (this.fifoEnabled) return;
      this.rx[0] = v; // a 16450 overwrites RBR
      return;
    }
    this.rx.push(v);
  }

  private fillRx(): void {
    const cap = this.fifoEnabled ? FIFO_SIZE : 1;
    while (this.input.length && this.rx.length < cap) this.rx.push(this.input.shift()!);
  }

  private readRbr(): number {
    const v = this.rx.length ? this.rx.shift()! : 0;
    this.fillRx();
    this.updateIrq();
    return v;
  }

  lsr(): number {
    return (this.rx.length ? LSR_DR : 0) | this.lsrErrors | LSR_THRE | LSR_TEMT;
  }

  msr(): number {
    let lines: number;
    if (this.mcr & MCR_LOOP) {
      // Loopback wires DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD.
      lines = ((this.mcr & MCR_RTS) ? 0x10 : 0) | ((this.mcr & MCR_DTR) ? 0x20 : 0) |
        ((this.mcr & MCR_OUT1) ? 0x40 : 0) | ((this.mcr & MCR_OUT2) ? 0x80 : 0);
    } else {
      lines = 0xb0; // a terminal is attached: CTS, DSR and DCD asserted
    }
    return lines | this.msrDelta;
  }

  private deltas(before: number, after: number): number {
    let d = 0;
    if ((before ^ after) & 0x10) d |= 0x01;
    if ((before ^ after) & 0x20) d |= 0x02;
    if (before & 0x40 && !(after & 0x40)) d |= 0x04; // trailing edge of RI
    if ((before ^ after) & 0x80) d |= 0x08;
    return d;
  }

  /** Interrupt identification: the highest-priority pending source, or 0x01 for none. */
  iir(): number {
    if (this.ier & IER_RLS && this.lsrErrors) return 0x06;
    if (this.ier & IER_RDA && this.rx.length) return 0x04;
    if (this.ier & IER_THRE && this.threPending) return 0x02;
    if (this.ier & IER_MS && this.msrDelta) return 0x00;
    return 0x01;
  }

  private updateIrq(): void {
    // On a PC the UART's INTRPT pin reaches the PIC through a buffer enabled by OUT2.
    const level = (this.iir() & 1) === 0 && (this.mcr & MCR_OUT2) !== 0 && (this.mcr & MCR_LOOP) === 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.opts.irq.raiseIrq(this.irqLine);
    else this.opts.irq.lowerIrq(this.irqLine);
  }
}
