// The PCI bus: configuration mechanism #1 (address at CF8h, data at CFCh–CFFh) over bus 0, and the
// configuration space of a function as 256 bytes with a mask of the bits software may write, so
// BAR sizing (write all ones, read back the size) falls out of the mask as on hardware. The devices
// themselves are in i440fx.ts. Pure TypeScript: no Node or VS Code imports.
// PCI Local Bus Specification 2.1 §3.2.2.3.2 (mechanism #1), §6.1 (header), §6.2.5 (BARs).

import type { IoBus } from './ioBus';

/** Config header offsets (PCI 2.1 §6.1). */
export const PCI_VENDOR = 0x00, PCI_DEVICE = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06, PCI_REVISION = 0x08;
export const PCI_PROG_IF = 0x09, PCI_CLASS = 0x0a, PCI_HEADER_TYPE = 0x0e, PCI_BAR0 = 0x10, PCI_ROM_BAR = 0x30;
export const PCI_SUBSYSTEM_VENDOR = 0x2c, PCI_SUBSYSTEM = 0x2e, PCI_INTERRUPT_LINE = 0x3c, PCI_INTERRUPT_PIN = 0x3d;
/** Command bits: I/O space, memory space, SERR# enable. */
export const CMD_IO = 0x0001, CMD_MEMORY = 0x0002, CMD_SERR = 0x0100;
/** CF8h bit 31: the next CFCh access is a configuration cycle. */
const CONFIG_ENABLE = 0x80000000;

export interface PciIds {
  vendor: number;
  device: number;
  revision: number;
  /** Base class, subclass and programming interface, as 0xBBSSPP. */
  classCode: number;
  subsystemVendor: number;
  subsystem: number;
  /** Bit 7 set on function 0 of a multi-function device. */
  headerType?: number;
  /** INTA#–INTD# as 1–4; 0 none. */
  interruptPin?: number;
}

/** One function's configuration space. */
export class PciFunction {
  readonly config = new Uint8Array(256);
  /** Bits software may change, byte by byte (everything else reads as the device fixed it). */
  readonly writable = new Uint8Array(256);
  /** Called after software wrote a byte of the configuration space (a function that decodes what its registers say). */
  onConfigWrite: ((offset: number) => void) | null = null;

  constructor(readonly name: string, readonly devfn: number, ids: PciIds) {
    const c = this.config;
    this.set16(PCI_VENDOR, ids.vendor);
    this.set16(PCI_DEVICE, ids.device);
    c[PCI_REVISION] = ids.revision;
    c[PCI_PROG_IF] = ids.classCode & 0xff;
    this.set16(PCI_CLASS, ids.classCode >>> 8);
    c[PCI_HEADER_TYPE] = ids.headerType ?? 0;
    this.set16(PCI_SUBSYSTEM_VENDOR, ids.subsystemVendor);
    this.set16(PCI_SUBSYSTEM, ids.subsystem);
    c[PCI_INTERRUPT_PIN] = ids.interruptPin ?? 0;
    // Command (I/O, memory, master, parity, SERR#, fast back-to-back), cache line size, latency
    // timer and interrupt line are writable on every function here.
    this.allow(PCI_COMMAND, 0x0347, 2);
    this.allow(0x0c, 0xff, 1);
    this.allow(0x0d, 0xff, 1);
    this.allow(PCI_INTERRUPT_LINE, 0xff, 1);
  }

  /** Makes `size` bytes at `offset` writable through `mask` (little-endian). */
  allow(offset: number, mask: number, size: number): void {
    for (let i = 0; i < size; i++) this.writable[offset + i] = (mask >>> (8 * i)) & 0xff;
  }

  /** A base address register (PCI 2.1 §6.2.5.1): `size` a power of two, I/O or (prefetchable) memory. */
  bar(index: number, kind: 'io' | 'memory' | 'prefetchable', size: number): void {
    const off = PCI_BAR0 + index * 4;
    this.set32(off, kind === 'io' ? 0x1 : kind === 'prefetchable' ? 0x8 : 0x0);
    this.allow(off, ~(size - 1) & ~(kind === 'io' ? 0x3 : 0xf), 4);
  }

  /** An expansion ROM BAR (30h) for a ROM of `size` bytes, a power of two: bit 0 enables decoding. */
  romBar(size: number): void {
    this.allow(PCI_ROM_BAR, (~(size - 1) | 1) >>> 0, 4);
  }

  /** The address a BAR decodes (type bits cleared). */
  barAddress(index: number): number {
    const v = this.get32(PCI_BAR0 + index * 4);
    return (v & 1 ? v & ~0x3 : v & ~0xf) >>> 0;
  }

  get16(off: number): number {
    return this.config[off] | (this.config[off + 1] << 8);
  }

  get32(off: number): number {
    return (this.get16(off) | (this.get16(off + 2) << 16)) >>> 0;
  }

  /** Device-side stores (reset values): not masked. */
  set16(off: number, v: number): void {
    this.config[off] = v & 0xff;
    this.config[off + 1] = (v >>> 8) & 0xff;
  }

  set32(off: number, v: number): void {
    this.set16(off, v & 0xffff);
    this.set16(off + 2, v >>> 16);
  }

  /** A configuration write from software: only the writable bits change. */
  write8(off: number, v: number): void {
    const m = this.writable[off];
    this.config[off] = (this.config[off] & ~m) | (v & m);
    this.onConfigWrite?.(off);
  }
}

/**
 * Bus 0 with configuration mechanism #1. CF8h holds the address (enable bit 31, bus 16–23, device
 * 11–15, function 8–10, register 2–7); CFCh–CFFh reach the addressed dword's bytes. Reads of a
 * function that is not there give all ones (a master abort), as do reads with the enable bit clear.
 */
export class PciBus {
  /** CONFIG_ADDRESS; only a dword write to CF8h changes it (byte writes go to other registers). */
  address = 0;
  private readonly functions: PciFunction[] = [];

  add(fn: PciFunction): void {
    this.functions.push(fn);
  }

  /** The function at bus 0, devfn, or undefined. */
  find(devfn: number): PciFunction | undefined {
    return this.functions.find((f) => f.devfn === devfn);
  }

  /** Every function, in devfn order (the order a bus scan finds them). */
  all(): readonly PciFunction[] {
    return [...this.functions].sort((a, b) => a.devfn - b.devfn);
  }

  attach(io: IoBus): void {
    io.register(0xcf8, 4, {
      in8: () => 0xff,
      out8: () => {},
      in32: () => this.address,
      out32: (_p, v) => { this.address = v & 0x80fffffc; },
    });
    io.register(0xcfc, 4, {
      in8: (p) => this.readData(p - 0xcfc, 1),
      out8: (p, v) => this.writeData(p - 0xcfc, v, 1),
      in16: (p) => this.readData(p - 0xcfc, 2),
      out16: (p, v) => this.writeData(p - 0xcfc, v, 2),
      in32: () => this.readData(0, 4),
      out32: (_p, v) => this.writeData(0, v, 4),
    });
  }

  private target(): PciFunction | undefined {
    const a = this.address;
    if ((a & CONFIG_ENABLE) === 0 || ((a >>> 16) & 0xff) !== 0) return undefined;
    return this.find((a >>> 8) & 0xff);
  }

  private readData(byte: number, size: number): number {
    const fn = this.target();
    const off = (this.address & 0xfc) + byte;
    if (!fn) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | fn.config[(off + i) & 0xff];
    return v >>> 0;
  }

  private writeData(byte: number, v: number, size: number): void {
    const fn = this.target();
    if (!fn) return;
    const off = (this.address & 0xfc) + byte;
    for (let i = 0; i < size; i++) fn.write8((off + i) & 0xff, (v >>> (8 * i)) & 0xff);
  }
}
