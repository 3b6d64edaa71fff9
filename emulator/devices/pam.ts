// The i440FX's Programmable Attribute Map: shadow RAM over the BIOS and expansion areas. PAM0 (59h,
// bits 7–4) controls F0000–FFFFF; PAM1–PAM6 (5Ah–5Fh) control C0000–EFFFF in 16 KiB halves, low
// nibble first. In each nibble bit 0 (RE) sends reads to DRAM and bit 1 (WE) writes; otherwise they
// go to the ROM. SeaBIOS turns everything to DRAM, copies itself from the 4 GiB alias, then
// write-protects what it keeps. Only firmware mode (--bios) decodes it: the built-in BIOS's ROM
// stays mapped as it is. Pure TypeScript: no Node or VS Code imports.
// Intel 82441FX PMC datasheet §3.2.18 (PAM registers).

import type { Memory } from '../memory/bus';
import type { PciFunction } from './pci';

export const PAM0 = 0x59;
const SEGMENT_F = 0xf0000, EXPANSION = 0xc0000, HALF = 0x4000;

export class ShadowRam {
  /** Set by enable(): the PAM registers decide where 0xC0000–0xFFFFF reads and writes go. */
  private enabled = false;

  constructor(private readonly host: PciFunction, private readonly mem: Memory) {}

  /** Decodes the PAM registers from now on (firmware mode); reapplied after every PAM write. */
  enable(): void {
    this.enabled = true;
    this.host.onConfigWrite = (off) => {
      if (off >= PAM0 && off <= PAM0 + 6) this.apply();
    };
    this.apply();
  }

  /** Maps memory as the registers say (after enable, a PAM write or a snapshot load). */
  apply(): void {
    if (!this.enabled) return;
    const set = (addr: number, size: number, nibble: number) => this.mem.setShadow(addr, size, (nibble & 1) !== 0, (nibble & 2) !== 0);
    set(SEGMENT_F, 0x10000, this.host.config[PAM0] >>> 4);
    for (let i = 0; i < 6; i++) {
      const v = this.host.config[PAM0 + 1 + i];
      set(EXPANSION + i * 2 * HALF, HALF, v & 0xf);
      set(EXPANSION + (i * 2 + 1) * HALF, HALF, v >>> 4);
    }
  }
}
