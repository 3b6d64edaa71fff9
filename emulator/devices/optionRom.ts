// A PCI function's expansion ROM (PCI 2.1 §6.3.1.2): the image is decoded, read-only, where the ROM
// BAR (30h) points while its enable bit and the command register's memory-space bit are both set.
// Firmware sizes the BAR, places it, enables it and copies the image below 1 MiB, as SeaBIOS does
// with the standard VGA's ROM (SeaVGABIOS). Pure TypeScript: no Node or VS Code imports.

import type { Memory } from '../memory/bus';
import { CMD_MEMORY, PCI_COMMAND, PCI_ROM_BAR, type PciFunction } from './pci';

export class PciOptionRom {
  /** Where the ROM is decoded now (-1: nowhere). */
  base = -1;
  private readonly size: number;

  constructor(private readonly fn: PciFunction, private readonly memory: Memory, private readonly image: Uint8Array) {
    this.size = Math.max(0x800, 2 ** Math.ceil(Math.log2(image.length)));
    fn.romBar(this.size);
    const chained = fn.onConfigWrite;
    fn.onConfigWrite = (off) => {
      chained?.(off);
      if ((off >= PCI_ROM_BAR && off < PCI_ROM_BAR + 4) || off === PCI_COMMAND) this.remap();
    };
  }

  /** Maps the image where the BAR says (after a config write or a snapshot load). */
  remap(): void {
    const bar = this.fn.get32(PCI_ROM_BAR);
    const base = bar & 1 && this.fn.config[PCI_COMMAND] & CMD_MEMORY ? (bar & ~(this.size - 1)) >>> 0 : -1;
    if (base === this.base) return;
    if (this.base >= 0) this.memory.unmapMmio(this.base, this.size);
    this.base = base;
    if (base < 0) return;
    this.memory.mapMmio(base, this.size, {
      read8: (a) => this.image[a - base] ?? 0xff,
      write8: () => {},
    });
  }
}
