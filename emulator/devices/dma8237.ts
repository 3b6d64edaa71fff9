// The PC/AT's two 8237A DMA controllers: DMA1 (channels 0–3, byte transfers, ports 00h–0Fh) and
// DMA2 (channels 4–7, ports C0h–DEh at even addresses, channel 4 the cascade), with the page
// registers at 81h–8Fh (80h stays the POST port). Each channel has its base and current address
// and count (through the byte pointer flip-flop), a mode (transfer type, auto-initialize, address
// decrement) and a mask bit; the status register latches terminal counts. A device moves data on
// its channel with toMemory/fromMemory in single mode as far as the count goes, through Memory's
// write8/read8 so watchpoints and dirty tracking see it. Only DMA1's channels transfer (the floppy
// uses channel 2); DMA2's registers read back what was written. Pure TypeScript: no Node or VS
// Code imports. Intel 8237A datasheet (register map Table 2, mode register, TC and auto-initialize);
// IBM PC/AT Technical Reference (page register ports, DMA2's word-spaced ports).

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';

/** Page register port of each channel (IBM PC/AT). */
const PAGE_PORTS = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a];
const MODE_TYPE = 0x0c, MODE_WRITE = 0x04, MODE_READ = 0x08, MODE_AUTOINIT = 0x10, MODE_DECREMENT = 0x20;

/** One channel's registers. */
export class DmaChannel {
  baseAddress = 0; baseCount = 0; address = 0; count = 0;
  mode = 0;
}

/** One 8237A with its four channels. */
export class Dma8237 {
  readonly channels = [new DmaChannel(), new DmaChannel(), new DmaChannel(), new DmaChannel()];
  /** Byte pointer flip-flop: the next address/count access is the high byte. */
  flipFlop = false;
  /** Status: bits 0–3 terminal count reached (cleared by reading), bits 4–7 requests. */
  status = 0;
  command = 0;
  /** Mask bits (1 = masked); all set after reset. */
  mask = 0x0f;
  request = 0;

  /** Register `reg` (0–15) read, as the datasheet's read map has it. */
  read(reg: number): number {
    if (reg < 8) {
      const c = this.channels[reg >> 1];
      const v = reg & 1 ? c.count : c.address;
      const byte = this.flipFlop ? v >> 8 : v & 0xff;
      this.flipFlop = !this.flipFlop;
      return byte & 0xff;
    }
    switch (reg) {
      case 0x8: {
        const v = this.status | (this.request << 4);
        this.status = 0;
        return v;
      }
      case 0xf: return this.mask | 0xf0;
      default: return 0; // the temporary register (memory-to-memory transfers are not modelled)
    }
  }

  write(reg: number, v: number): void {
    if (reg < 8) {
      const c = this.channels[reg >> 1];
      const set = (old: number) => (this.flipFlop ? (old & 0xff) | (v << 8) : (old & 0xff00) | v);
      if (reg & 1) c.baseCount = c.count = set(c.baseCount);
      else c.baseAddress = c.address = set(c.baseAddress);
      this.flipFlop = !this.flipFlop;
      return;
    }
    switch (reg) {
      case 0x8: this.command = v; return;
      case 0x9: this.request = v & 4 ? this.request | (1 << (v & 3)) : this.request & ~(1 << (v & 3)); return;
      case 0xa: this.mask = v & 4 ? this.mask | (1 << (v & 3)) : this.mask & ~(1 << (v & 3)); return;
      case 0xb: this.channels[v & 3].mode = v & 0xfc; return;
      case 0xc: this.flipFlop = false; return;
      case 0xd: this.masterClear(); return;
      case 0xe: this.mask = 0; return;
      case 0xf: this.mask = v & 0x0f; return;
    }
  }

  /** Master clear (and hardware reset): command, status, request and flip-flop cleared, all masked. */
  masterClear(): void {
    this.command = 0; this.status = 0; this.request = 0; this.flipFlop = false; this.mask = 0x0f;
  }
}

export class DmaController {
  readonly dma1 = new Dma8237();
  readonly dma2 = new Dma8237();
  /** Page registers 80h–8Fh by port (80h's byte is never written here: that port is the POST code's). */
  pages = new Uint8Array(16);

  constructor(private readonly memory: Memory) {}

  attach(io: IoBus): void {
    io.register(0x00, 16, { in8: (p) => this.dma1.read(p), out8: (p, v) => this.dma1.write(p, v) });
    for (let reg = 0; reg < 16; reg++) {
      io.register(0xc0 + 2 * reg, 1, { in8: () => this.dma2.read(reg), out8: (_p, v) => this.dma2.write(reg, v) });
    }
    io.register(0x81, 15, {
      in8: (p) => this.pages[p - 0x80],
      out8: (p, v) => { this.pages[p - 0x80] = v; },
    });
  }

  private channel(ch: number): { dma: Dma8237; c: DmaChannel; bit: number } {
    const dma = ch < 4 ? this.dma1 : this.dma2;
    return { dma, c: dma.channels[ch & 3], bit: 1 << (ch & 3) };
  }

  /** The channel is unmasked (a device's DREQ would be served). */
  ready(ch: number): boolean {
    const { dma, bit } = this.channel(ch);
    return (dma.mask & bit) === 0;
  }

  /**
   * A device's bytes to memory on channel `ch` (0–3): as many as the count allows, each written
   * when the mode says write (a verify transfer only counts). Returns the bytes taken and whether
   * terminal count was reached.
   */
  toMemory(ch: number, data: Uint8Array): { bytes: number; terminalCount: boolean } {
    return this.run(ch, data.length, (addr, i) => {
      if ((this.channel(ch).c.mode & MODE_TYPE) === MODE_WRITE) this.memory.write8(addr, data[i]);
    });
  }

  /** Bytes from memory for a device on channel `ch` (0–3): up to `length`, fewer at terminal count. */
  fromMemory(ch: number, length: number): { data: Uint8Array; terminalCount: boolean } {
    const out = new Uint8Array(length);
    const r = this.run(ch, length, (addr, i) => {
      if ((this.channel(ch).c.mode & MODE_TYPE) === MODE_READ) out[i] = this.memory.read8(addr);
    });
    return { data: out.subarray(0, r.bytes), terminalCount: r.terminalCount };
  }

  /**
   * Single-mode cycles on a DMA1 channel: the address steps within its 64 KiB page (the page
   * register does not carry), the count down to FFFFh, which is terminal count: the status bit is
   * set and the channel reloads its base registers (auto-initialize) or masks itself.
   */
  private run(ch: number, length: number, cycle: (addr: number, i: number) => void): { bytes: number; terminalCount: boolean } {
    const { dma, c, bit } = this.channel(ch);
    if (ch >= 4 || dma.mask & bit || dma.command & 0x04) return { bytes: 0, terminalCount: false };
    const page = this.pages[PAGE_PORTS[ch] - 0x80];
    for (let i = 0; i < length; i++) {
      cycle(((page << 16) | c.address) >>> 0, i);
      c.address = (c.address + (c.mode & MODE_DECREMENT ? -1 : 1)) & 0xffff;
      c.count = (c.count - 1) & 0xffff;
      if (c.count !== 0xffff) continue;
      dma.status |= bit;
      if (c.mode & MODE_AUTOINIT) {
        c.address = c.baseAddress; c.count = c.baseCount;
      } else dma.mask |= bit;
      return { bytes: i + 1, terminalCount: true };
    }
    return { bytes: length, terminalCount: false };
  }
}
