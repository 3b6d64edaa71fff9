// The Bochs/QEMU VBE "dispi" interface of the standard VGA (PCI 1234:1111): an index port at 1CEh
// and a data port at 1CFh select and set the resolution, depth, virtual width and display start,
// and 16 MiB of video memory appear as a linear framebuffer at the VGA's BAR0 (i440fx.ts VGA_LFB).
// The built-in BIOS's VBE services (bios/vbe.ts) program it as SeaVGABIOS does; a guest may program
// it directly. Video memory is kept in 4 KiB pages shared with recorder snapshots and copied on the
// first write after one, so a snapshot costs a page table, not 16 MiB. No banked window at A0000h.
// Pure TypeScript: no Node or VS Code imports. Bochs vbe.h / QEMU hw/display/vga.c (dispi registers).

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';
import { VGA_LFB, VGA_LFB_SIZE, VGA_MMIO, VGA_MMIO_SIZE } from './i440fx';

/** Dispi register indices. */
export const DISPI_ID = 0, DISPI_XRES = 1, DISPI_YRES = 2, DISPI_BPP = 3, DISPI_ENABLE = 4, DISPI_BANK = 5;
export const DISPI_VIRT_WIDTH = 6, DISPI_VIRT_HEIGHT = 7, DISPI_X_OFFSET = 8, DISPI_Y_OFFSET = 9, DISPI_VIDEO_MEMORY_64K = 10;
/** ENABLE bits: enabled, report capabilities (maximum XRES/YRES/BPP), linear framebuffer, keep memory. */
export const DISPI_ENABLED = 0x01, DISPI_GETCAPS = 0x02, DISPI_LFB_ENABLED = 0x40, DISPI_NOCLEARMEM = 0x80;
/** The newest interface version (QEMU 7.2's). */
const DISPI_ID5 = 0xb0c5;
/** GETCAPS: QEMU 7.2's limits (include/hw/display/bochs-vbe.h), not Bochs's 2560x1600. */
export const DISPI_MAX_XRES = 16000, DISPI_MAX_YRES = 12000, DISPI_MAX_BPP = 32;
const DEPTHS = [4, 8, 15, 16, 24, 32];
const PAGE = 4096;
const PAGES = VGA_LFB_SIZE / PAGE;

/** Video memory pages as a snapshot holds them: shared until the device writes one again. */
export class VramPages {
  constructor(readonly pages: readonly (Uint8Array | null)[], private readonly copied: number) {}
  /** What this snapshot adds to a recording: the pages copied since the previous one (recorder roughBytes). */
  roughBytes(): number {
    return 64 + this.copied * (PAGE + 16);
  }
}

/** One frame of the framebuffer as 8-bit RGBA, row-major. */
export interface Frame {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export class BochsVbe {
  index = 0;
  readonly regs = new Uint16Array(16);
  /** Video memory: null pages read as zeros. */
  private pages: (Uint8Array | null)[] = new Array(PAGES).fill(null);
  /** Pages a snapshot shares (copied before the next write). */
  private shared = new Uint8Array(PAGES);
  /** Pages copied since the last snapshot (for its cost). */
  private copied = 0;

  constructor() {
    this.regs[DISPI_ID] = DISPI_ID5;
    this.regs[DISPI_BPP] = 8;
    this.regs[DISPI_XRES] = 640;
    this.regs[DISPI_YRES] = 480;
  }

  attach(io: IoBus, memory: Memory): void {
    io.register(0x1ce, 2, {
      in8: (p) => (p === 0x1ce ? this.index : this.read()) & 0xff,
      out8: (p, v) => { if (p === 0x1ce) this.index = v; else this.write(v); },
      in16: (p) => (p === 0x1ce ? this.index : this.read()),
      out16: (p, v) => { if (p === 0x1ce) this.index = v; else this.write(v); },
    });
    memory.mapMmio(VGA_LFB, VGA_LFB_SIZE, { read8: (a) => this.read8(a - VGA_LFB), write8: (a, v) => this.write8(a - VGA_LFB, v) });
    // BAR2 decodes nothing here (no EDID blob at its start, no register mirrors): it reads all ones, as
    // the unassigned parts of QEMU's VGA MMIO region do. SeaVGABIOS copies its first 256 bytes as EDID.
    memory.mapMmio(VGA_MMIO, VGA_MMIO_SIZE, { read8: () => 0xff, write8: () => {} });
  }

  get enabled(): boolean {
    return (this.regs[DISPI_ENABLE] & DISPI_ENABLED) !== 0;
  }

  /** The graphics mode shown, or null while the VGA shows text. */
  mode(): { width: number; height: number; bpp: number } | null {
    return this.enabled ? { width: this.regs[DISPI_XRES], height: this.regs[DISPI_YRES], bpp: this.regs[DISPI_BPP] } : null;
  }

  /** Bytes per scan line of the virtual screen. */
  get pitch(): number {
    return this.regs[DISPI_VIRT_WIDTH] * Math.ceil(this.regs[DISPI_BPP] / 8);
  }

  read(): number {
    const caps = (this.regs[DISPI_ENABLE] & DISPI_GETCAPS) !== 0;
    switch (this.index) {
      case DISPI_XRES: return caps ? DISPI_MAX_XRES : this.regs[DISPI_XRES];
      case DISPI_YRES: return caps ? DISPI_MAX_YRES : this.regs[DISPI_YRES];
      case DISPI_BPP: return caps ? DISPI_MAX_BPP : this.regs[DISPI_BPP];
      case DISPI_VIDEO_MEMORY_64K: return VGA_LFB_SIZE >> 16;
      default: return this.index < DISPI_VIDEO_MEMORY_64K ? this.regs[this.index] : 0;
    }
  }

  write(v: number): void {
    const r = this.regs;
    switch (this.index) {
      case DISPI_ID:
        if (v >= 0xb0c0 && v <= DISPI_ID5) r[DISPI_ID] = v;
        return;
      case DISPI_XRES: case DISPI_YRES: case DISPI_BPP:
        // Ignored while enabled, as QEMU does (a mode is changed by disabling first).
        if (this.enabled) return;
        if (this.index === DISPI_BPP && !DEPTHS.includes(v === 0 ? 8 : v)) return;
        r[this.index] = this.index === DISPI_BPP && v === 0 ? 8 : v;
        return;
      case DISPI_ENABLE: {
        const was = this.enabled;
        r[DISPI_ENABLE] = v & (DISPI_ENABLED | DISPI_GETCAPS | DISPI_LFB_ENABLED | DISPI_NOCLEARMEM);
        if (v & DISPI_ENABLED && !was) {
          // Enabling validates the mode and starts with the whole memory as the virtual screen.
          if (r[DISPI_XRES] === 0 || r[DISPI_XRES] > DISPI_MAX_XRES || r[DISPI_YRES] === 0 || r[DISPI_YRES] > DISPI_MAX_YRES
            || (r[DISPI_XRES] * Math.ceil(r[DISPI_BPP] / 8) * r[DISPI_YRES]) > VGA_LFB_SIZE) {
            r[DISPI_ENABLE] &= ~DISPI_ENABLED;
            return;
          }
          r[DISPI_VIRT_WIDTH] = r[DISPI_XRES];
          r[DISPI_VIRT_HEIGHT] = Math.floor(VGA_LFB_SIZE / this.pitch);
          r[DISPI_X_OFFSET] = r[DISPI_Y_OFFSET] = 0;
          r[DISPI_BANK] = 0;
          if (!(v & DISPI_NOCLEARMEM)) this.clear();
        }
        return;
      }
      case DISPI_BANK:
        r[DISPI_BANK] = v & 0xff;
        return;
      case DISPI_VIRT_WIDTH:
        if (v >= r[DISPI_XRES] && v * Math.ceil(r[DISPI_BPP] / 8) <= VGA_LFB_SIZE) {
          r[DISPI_VIRT_WIDTH] = v;
          r[DISPI_VIRT_HEIGHT] = Math.floor(VGA_LFB_SIZE / this.pitch);
        }
        return;
      case DISPI_X_OFFSET: case DISPI_Y_OFFSET:
        r[this.index] = v;
        return;
    }
  }

  private clear(): void {
    this.pages.fill(null);
    this.shared.fill(0);
  }

  read8(off: number): number {
    const p = this.pages[off >>> 12];
    return p ? p[off & 0xfff] : 0;
  }

  write8(off: number, v: number): void {
    const n = off >>> 12;
    let p = this.pages[n];
    if (!p || this.shared[n]) {
      p = p ? p.slice() : new Uint8Array(PAGE);
      this.pages[n] = p;
      this.shared[n] = 0;
      this.copied++;
    }
    p[off & 0xfff] = v;
  }

  /** The visible screen in RGBA (8 bpp through the VGA DAC's 6-bit palette), or null when VBE is off. */
  frame(dac: Uint8Array): Frame | null {
    if (!this.enabled) return null;
    const r = this.regs;
    const width = r[DISPI_XRES], height = r[DISPI_YRES], bpp = r[DISPI_BPP];
    const bytes = Math.ceil(bpp / 8);
    const rgba = new Uint8Array(width * height * 4);
    const start = r[DISPI_Y_OFFSET] * this.pitch + r[DISPI_X_OFFSET] * bytes;
    // 6-bit DAC values and 5/6-bit channels widened to 8 bits as QEMU's display does (its screendump).
    const six = (c: number) => ((c & 0x3f) << 2) | ((c & 1) * 3);
    const five = (c: number) => (c << 3) | (c >> 2);
    for (let y = 0; y < height; y++) {
      let src = start + y * this.pitch;
      let dst = y * width * 4;
      for (let x = 0; x < width; x++, src += bytes, dst += 4) {
        let red: number, green: number, blue: number;
        if (bpp === 8 || bpp === 4) {
          const i = this.read8(src) * 3;
          red = six(dac[i]); green = six(dac[i + 1]); blue = six(dac[i + 2]);
        } else if (bpp === 15 || bpp === 16) {
          const w = this.read8(src) | (this.read8(src + 1) << 8);
          if (bpp === 16) {
            red = five((w >> 11) & 0x1f); green = (((w >> 5) & 0x3f) << 2) | (((w >> 5) & 0x3f) >> 4);
          } else {
            red = five((w >> 10) & 0x1f); green = five((w >> 5) & 0x1f);
          }
          blue = five(w & 0x1f);
        } else {
          blue = this.read8(src); green = this.read8(src + 1); red = this.read8(src + 2);
        }
        rgba[dst] = red; rgba[dst + 1] = green; rgba[dst + 2] = blue; rgba[dst + 3] = 255;
      }
    }
    return { width, height, rgba };
  }

  /** Device state for a snapshot: the registers and the video memory's pages, shared from now on. */
  saveState(): { index: number; regs: Uint16Array; vram: VramPages } {
    this.shared.fill(1);
    const vram = new VramPages(this.pages.slice(), this.copied);
    this.copied = 0;
    return { index: this.index, regs: this.regs.slice(), vram };
  }

  loadState(s: { index: number; regs: Uint16Array; vram: VramPages }): void {
    this.index = s.index;
    this.regs.set(s.regs);
    this.pages = s.vram.pages.slice();
    this.shared.fill(1);
    this.copied = 0;
  }
}
