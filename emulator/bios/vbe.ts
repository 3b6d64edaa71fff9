// INT 10h AH=4Fh, VESA BIOS Extensions 3.0 over the Bochs VBE device (devices/bochsVbe.ts):
// controller information (4F00h), mode information (4F01h), set and get mode (4F02h/4F03h), scan
// line length (4F06h), display start (4F07h) and DAC format (4F08h, 6 bits). Modes are
// linear-framebuffer only, with SeaVGABIOS's numbers for QEMU's standard VGA; the current mode is
// read back from the device's registers, so a guest that programs the device directly is seen too.
// As under QEMU, there is no palette function (4F09h): guests load the DAC through its ports; an
// 8-bit mode starts with the VGA's default 256 colours, as SeaVGABIOS loads them.
// Pure TypeScript: no Node or VS Code imports. VESA BIOS Extension (VBE) Core Functions Standard 3.0
// §4.3–§4.12 (VbeInfoBlock, ModeInfoBlock, return status).

import { ES } from '../cpu/regs';
import {
  DISPI_BPP, DISPI_ENABLE, DISPI_ENABLED, DISPI_LFB_ENABLED, DISPI_NOCLEARMEM, DISPI_VIRT_HEIGHT, DISPI_VIRT_WIDTH,
  DISPI_XRES, DISPI_X_OFFSET, DISPI_YRES, DISPI_Y_OFFSET,
} from '../devices/bochsVbe';
import { VGA_LFB, VGA_LFB_SIZE } from '../devices/i440fx';
import { type Bios, DONE } from './bios';
import * as L from './layout';
import { hexDigits } from '../../protocol/format';
import { setMode } from './int10';

export interface VbeMode {
  mode: number;
  width: number;
  height: number;
  bpp: number;
}

/** The modes offered (VBE numbers 1xxh as SeaVGABIOS gives them for the Bochs VBE device). */
export const VBE_MODES: readonly VbeMode[] = [
  { mode: 0x101, width: 640, height: 480, bpp: 8 },
  { mode: 0x103, width: 800, height: 600, bpp: 8 },
  { mode: 0x105, width: 1024, height: 768, bpp: 8 },
  { mode: 0x110, width: 640, height: 480, bpp: 15 },
  { mode: 0x111, width: 640, height: 480, bpp: 16 },
  { mode: 0x112, width: 640, height: 480, bpp: 24 },
  { mode: 0x113, width: 800, height: 600, bpp: 15 },
  { mode: 0x114, width: 800, height: 600, bpp: 16 },
  { mode: 0x115, width: 800, height: 600, bpp: 24 },
  { mode: 0x116, width: 1024, height: 768, bpp: 15 },
  { mode: 0x117, width: 1024, height: 768, bpp: 16 },
  { mode: 0x118, width: 1024, height: 768, bpp: 24 },
  { mode: 0x142, width: 640, height: 480, bpp: 32 },
  { mode: 0x143, width: 800, height: 600, bpp: 32 },
  { mode: 0x144, width: 1024, height: 768, bpp: 32 },
];

/** Set-mode flags (BX bit 14, 15) and the mode number mask. */
const LFB = 0x4000, NO_CLEAR = 0x8000, MODE_MASK = 0x1ff;
/** Status in AX: 004Fh success, 014Fh failed. */
const OK = 0x004f, FAILED = 0x014f;

/** ROM data the controller information points at (F000:VBE_DATA): the mode list, then the strings. */
export const VBE_OEM = 'Bootscope VBE', VBE_VENDOR = 'Bootscope', VBE_PRODUCT = 'Bochs VBE (standard VGA)', VBE_REVISION = '1';

/** The ROM bytes at L.VBE_DATA and the offsets of what they hold. */
export function vbeRomData(): { bytes: number[]; modes: number; oem: number; vendor: number; product: number; revision: number } {
  const bytes: number[] = [];
  const modes = L.VBE_DATA;
  for (const m of VBE_MODES) bytes.push(m.mode & 0xff, m.mode >> 8);
  bytes.push(0xff, 0xff);
  const str = (s: string) => { const at = L.VBE_DATA + bytes.length; bytes.push(...[...s].map((c) => c.charCodeAt(0)), 0); return at; };
  const oem = str(VBE_OEM), vendor = str(VBE_VENDOR), product = str(VBE_PRODUCT), revision = str(VBE_REVISION);
  return { bytes, modes, oem, vendor, product, revision };
}

/**
 * The VGA's default 256-colour palette (6-bit DAC values), which an 8-bit mode set loads as
 * SeaVGABIOS does: the 16 EGA colours, 16 greys, then 9 rings of 24 hues (three intensities, three
 * saturations each: the five component levels of a ring below), then 8 black entries.
 */
export function defaultPalette(): Uint8Array {
  const ega = [[0, 0, 0], [0, 0, 42], [0, 42, 0], [0, 42, 42], [42, 0, 0], [42, 0, 42], [42, 21, 0], [42, 42, 42],
    [21, 21, 21], [21, 21, 63], [21, 63, 21], [21, 63, 63], [63, 21, 21], [63, 21, 63], [63, 63, 21], [63, 63, 63]];
  const greys = [0, 5, 8, 11, 14, 17, 20, 24, 28, 32, 36, 40, 45, 50, 56, 63];
  const rings = [[0, 16, 31, 47, 63], [31, 39, 47, 55, 63], [45, 49, 54, 58, 63], [0, 7, 14, 21, 28], [14, 17, 21, 24, 28],
    [20, 22, 24, 26, 28], [0, 4, 8, 12, 16], [8, 10, 12, 14, 16], [11, 12, 13, 15, 16]];
  const out: number[] = [...ega.flat(), ...greys.flatMap((g) => [g, g, g])];
  for (const l of rings) {
    // Around the colour wheel: blue → magenta → red → yellow → green → cyan, four steps each.
    for (let h = 0; h < 24; h++) {
      const seg = h >> 2, k = h & 3;
      const up = l[k], down = l[4 - k], top = l[4], low = l[0];
      const rgb = [[up, low, top], [top, low, down], [top, up, low], [down, top, low], [low, top, up], [low, down, top]][seg];
      out.push(...rgb);
    }
  }
  return Uint8Array.from([...out, ...new Array(24).fill(0)]);
}

/** Bytes per pixel of a depth (15 bits take two). */
const bytesPer = (bpp: number) => Math.ceil(bpp / 8);

export function vbe(b: Bios): number {
  const io = b.m.io;
  const dispi = (index: number, value?: number): number => {
    io.out16(0x1ce, index);
    if (value !== undefined) io.out16(0x1cf, value);
    return io.in16(0x1cf);
  };
  const cpu = b.cpu;
  const at = b.lin(ES, b.di);
  const put = (off: number, bytes: number[]) => bytes.forEach((v, i) => cpu.writeLin8(at + off + i, v & 0xff));
  const w = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
  const d = (v: number) => [...w(v & 0xffff), ...w(v >>> 16)];
  switch (b.al) {
    case 0x00: {
      // VbeInfoBlock: 512 bytes for a caller that asked for VBE 2.0+ information ("VBE2"), else 256.
      const vbe2 = cpu.readLin32(at) === 0x32454256;
      for (let i = 0; i < (vbe2 ? 512 : 256); i++) cpu.writeLin8(at + i, 0);
      const rom = vbeRomData();
      const far = (off: number) => d((L.BIOS_SEGMENT << 16) | off);
      put(0, [...'VESA'].map((c) => c.charCodeAt(0)));
      put(4, w(0x0300));
      put(6, far(rom.oem));
      put(0x0a, d(0)); // capabilities: fixed 6-bit DAC, VGA compatible, normal RAMDAC
      put(0x0e, far(rom.modes));
      put(0x12, w(VGA_LFB_SIZE >> 16));
      put(0x14, w(0x0001));
      put(0x16, far(rom.vendor));
      put(0x1a, far(rom.product));
      put(0x1e, far(rom.revision));
      b.ax = OK;
      return DONE;
    }
    case 0x01: {
      const m = VBE_MODES.find((x) => x.mode === (b.cx & MODE_MASK));
      if (!m) { b.ax = FAILED; return DONE; }
      for (let i = 0; i < 256; i++) cpu.writeLin8(at + i, 0);
      const pitch = m.width * bytesPer(m.bpp);
      const pages = Math.min(255, Math.floor(VGA_LFB_SIZE / (pitch * m.height)) - 1);
      // Supported, optional information, colour, graphics, not VGA compatible, no windowed mode, LFB.
      put(0x00, w(0x00fb));
      put(0x10, w(pitch));
      put(0x12, [...w(m.width), ...w(m.height), 8, 16, 1, m.bpp, 1, m.bpp === 8 ? 4 : 6, 0, pages, 1]);
      const masks: Record<number, number[]> = { 8: [0, 0, 0, 0, 0, 0, 0, 0], 15: [5, 10, 5, 5, 5, 0, 1, 15], 16: [5, 11, 6, 5, 5, 0, 0, 0], 24: [8, 16, 8, 8, 8, 0, 0, 0], 32: [8, 16, 8, 8, 8, 0, 8, 24] };
      put(0x1f, [...masks[m.bpp], 0]);
      put(0x28, d(VGA_LFB));
      put(0x32, [...w(pitch), pages, pages, ...masks[m.bpp]]);
      b.ax = OK;
      return DONE;
    }
    case 0x02: {
      const mode = b.bx & MODE_MASK;
      if (mode < 0x100) {
        // A VGA mode through VBE: as INT 10h AH=00h (which switches the VBE interface off).
        setMode(b, mode | (b.bx & NO_CLEAR ? 0x80 : 0));
        b.ax = OK;
        return DONE;
      }
      const m = VBE_MODES.find((x) => x.mode === mode);
      if (!m || !(b.bx & LFB)) {
        b.logEntry(0x10, `INT 10h AX=4F02h BX=${hexDigits(b.bx, 4)}h: ${m ? 'only linear-framebuffer modes (BX bit 14)' : 'no such VBE mode'}`);
        b.ax = FAILED;
        return DONE;
      }
      dispi(DISPI_ENABLE, 0);
      dispi(DISPI_XRES, m.width);
      dispi(DISPI_YRES, m.height);
      dispi(DISPI_BPP, m.bpp);
      dispi(DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED | (b.bx & NO_CLEAR ? DISPI_NOCLEARMEM : 0));
      if (m.bpp === 8) {
        io.out8(0x3c8, 0);
        for (const c of defaultPalette()) io.out8(0x3c9, c);
      }
      // The BDA describes the mode's 8x16 character grid and mode FFh, cursors at the top left, as
      // under QEMU + SeaVGABIOS (AH=0Fh and AX=1130h report it there: 640x480 gives 80 columns, last
      // row 29; teletype starts at the top left).
      b.wr8(L.BDA_VIDEO_MODE, 0xff);
      b.wr16(L.BDA_VIDEO_COLS, m.width / 8);
      b.wr8(L.BDA_VIDEO_ROWS, Math.floor(m.height / 16) - 1);
      b.wr8(L.BDA_CHAR_HEIGHT, 16);
      for (let p = 0; p < 8; p++) b.wr16(L.BDA_CURSOR_POS + p * 2, 0);
      b.ax = OK;
      return DONE;
    }
    case 0x03: {
      const mode = currentVbeMode(b);
      b.bx = mode ?? b.rd8(L.BDA_VIDEO_MODE);
      b.ax = OK;
      return DONE;
    }
    case 0x06: {
      // Logical scan line: BL=00h set in pixels, 01h get, 02h set in bytes, 03h get the maximum.
      if (!(dispi(DISPI_ENABLE) & DISPI_ENABLED)) { b.ax = 0x034f; return DONE; }
      const bpp = bytesPer(dispi(DISPI_BPP));
      if (b.bl === 0x00) dispi(DISPI_VIRT_WIDTH, b.cx);
      else if (b.bl === 0x02) dispi(DISPI_VIRT_WIDTH, Math.floor(b.cx / bpp));
      else if (b.bl !== 0x01 && b.bl !== 0x03) { b.ax = FAILED; return DONE; }
      const pixels = b.bl === 0x03 ? Math.min(0xffff, Math.floor(VGA_LFB_SIZE / bpp / dispi(DISPI_YRES)) & ~7) : dispi(DISPI_VIRT_WIDTH);
      b.bx = Math.min(0xffff, pixels * bpp);
      b.cx = pixels;
      b.dx = b.bl === 0x03 ? dispi(DISPI_YRES) : dispi(DISPI_VIRT_HEIGHT);
      b.ax = OK;
      return DONE;
    }
    case 0x07:
      if (b.bl === 0x00 || b.bl === 0x80) {
        dispi(DISPI_X_OFFSET, b.cx);
        dispi(DISPI_Y_OFFSET, b.dx);
      } else if (b.bl === 0x01) {
        b.bh = 0;
        b.cx = dispi(DISPI_X_OFFSET);
        b.dx = dispi(DISPI_Y_OFFSET);
      } else { b.ax = FAILED; return DONE; }
      b.ax = OK;
      return DONE;
    case 0x08:
      // The DAC is 6 bits wide and stays so (capabilities bit 0 clear).
      if (b.bl > 1) { b.ax = FAILED; return DONE; }
      b.bh = 6;
      b.ax = OK;
      return DONE;
  }
  // Not offered (save/restore state, banked windows, palette, the protected-mode interface): AX
  // is left alone, so AL is not 4Fh, which is how VBE says "not supported".
  b.logEntry(0x10, `INT 10h AX=${hexDigits(b.ax, 4)}h: VBE function not supported`);
  return DONE;
}

/** The VBE mode the device is in (with bit 14 when the framebuffer is linear), or null when it is off. */
export function currentVbeMode(b: Bios): number | null {
  const io = b.m.io;
  const reg = (i: number) => { io.out16(0x1ce, i); return io.in16(0x1cf); };
  const enable = reg(DISPI_ENABLE);
  if (!(enable & DISPI_ENABLED)) return null;
  const m = VBE_MODES.find((x) => x.width === reg(DISPI_XRES) && x.height === reg(DISPI_YRES) && x.bpp === reg(DISPI_BPP));
  return (m?.mode ?? 0x1ff) | (enable & DISPI_LFB_ENABLED ? LFB : 0);
}
