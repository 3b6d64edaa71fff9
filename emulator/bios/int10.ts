// INT 10h video services for VGA text mode 3 (80x25, 16 colours, 8 pages of 4 KiB at B8000h):
// set/get mode (00h/0Fh), cursor shape and position (01h/02h/03h), active page (05h), scroll
// (06h/07h), read/write character and attribute (08h/09h/0Ah), teletype (0Eh), write string (13h),
// display combination (1Ah), EGA information (12h BL=10h), font information (1130h: the ROM font,
// romFont.ts) and VBE (4Fxxh, vbe.ts). Text goes to video memory and the cursor to the CRTC, as a VGA
// BIOS does, so guests that bypass INT 10h see the same state. In a VBE mode teletype draws into the
// framebuffer instead, on the mode's 8x16 character grid.
// Pure TypeScript: no Node or VS Code imports. IBM VGA Technical Reference; Ralf Brown's list INT 10h.

import { ES } from '../cpu/regs';
import { type Bios, DONE } from './bios';
import * as L from './layout';
import { hexDigits } from '../../protocol/format';
import { DISPI_ENABLE } from '../devices/bochsVbe';
import { defaultPalette, vbe } from './vbe';
import { FONT_8X16 } from './romFont';

const TEXT = 0xb8000;
const COLS = 80, ROWS = 25, PAGE_BYTES = 0x1000;

function cellAddr(page: number, row: number, col: number): number {
  return TEXT + (page & 7) * PAGE_BYTES + (row * COLS + col) * 2;
}

function cursorOf(b: Bios, page: number): [number, number] {
  const a = L.BDA_CURSOR_POS + (page & 7) * 2;
  return [b.rd8(a + 1), b.rd8(a)];
}

function setCursor(b: Bios, page: number, row: number, col: number): void {
  const a = L.BDA_CURSOR_POS + (page & 7) * 2;
  b.wr8(a, col);
  b.wr8(a + 1, row);
  if ((page & 7) === b.rd8(L.BDA_VIDEO_PAGE)) {
    const vga = b.m.devices.vga;
    vga.cursorOffset = (page & 7) * (PAGE_BYTES / 2) + row * COLS + col;
  }
}

/** Scrolls the window (top,left)-(bottom,right) of `page` up (or down) by `lines`; 0 clears it. */
function scroll(b: Bios, page: number, lines: number, attr: number, top: number, left: number, bottom: number, right: number, up: boolean): void {
  bottom = Math.min(bottom, ROWS - 1);
  right = Math.min(right, COLS - 1);
  if (top > bottom || left > right) return;
  const height = bottom - top + 1;
  if (lines === 0 || lines > height) lines = height;
  const mem = b.m.mem;
  const copyRow = (from: number, to: number) => {
    for (let c = left; c <= right; c++) mem.write16(cellAddr(page, to, c), mem.read16(cellAddr(page, from, c)));
  };
  const blankRow = (r: number) => {
    for (let c = left; c <= right; c++) mem.write16(cellAddr(page, r, c), 0x20 | (attr << 8));
  };
  if (up) {
    for (let r = top; r <= bottom - lines; r++) copyRow(r + lines, r);
    for (let r = bottom - lines + 1; r <= bottom; r++) blankRow(r);
  } else {
    for (let r = bottom; r >= top + lines; r--) copyRow(r - lines, r);
    for (let r = top; r < top + lines; r++) blankRow(r);
  }
}

/** The VBE mode shown while the BDA says mode FFh (vbe.ts 4F02h), or null in text mode. */
function vbeMode(b: Bios): { width: number; height: number; bpp: number } | null {
  return b.rd8(L.BDA_VIDEO_MODE) === 0xff ? b.m.devices.vbe.mode() : null;
}

/**
 * The pixel bytes of colour `attr` in a VBE mode: the palette index itself at 8 bits a pixel, else the
 * default palette's colour (6-bit channels widened by repeating their top bits), as QEMU + SeaVGABIOS
 * draw it (measured at 24 bits: 01h 0000AAh, 04h AA0000h, 07h AAAAAAh, 0Ch FF5555h).
 */
function pixelBytes(bpp: number, attr: number): number[] {
  if (bpp === 8) return [attr];
  const pal = defaultPalette();
  const [r, g, bl] = [0, 1, 2].map((c) => (pal[attr * 3 + c] << 2) | (pal[attr * 3 + c] >> 4));
  if (bpp === 16) { const w = ((r >> 3) << 11) | ((g >> 2) << 5) | (bl >> 3); return [w & 0xff, w >> 8]; }
  if (bpp === 15) { const w = ((r >> 3) << 10) | ((g >> 3) << 5) | (bl >> 3); return [w & 0xff, w >> 8]; }
  return bpp === 24 ? [bl, g, r] : [bl, g, r, 0];
}

/** Draws `ch` from the 8x16 ROM font into the 8x16 cell (row, col) of a VBE mode: colour `attr` on black. */
function drawGlyph(b: Bios, bpp: number, row: number, col: number, ch: number, attr: number): void {
  const v = b.m.devices.vbe, fg = pixelBytes(bpp, attr), n = fg.length;
  for (let y = 0; y < 16; y++) {
    const bits = FONT_8X16[ch * 16 + y];
    const at = (row * 16 + y) * v.pitch + col * 8 * n;
    for (let x = 0; x < 8; x++) for (let i = 0; i < n; i++) v.write8(at + x * n + i, bits & (0x80 >> x) ? fg[i] : 0);
  }
}

/** Moves a VBE mode's picture up one 16-line text row and clears the last one. */
function scrollPixels(b: Bios, height: number): void {
  const v = b.m.devices.vbe, row = v.pitch * 16, end = v.pitch * (height - height % 16);
  for (let a = 0; a < end - row; a++) v.write8(a, v.read8(a + row));
  for (let a = end - row; a < end; a++) v.write8(a, 0);
}

/**
 * Teletype in a VBE mode, as SeaVGABIOS does: the glyph drawn in colour `attr` at the cursor of the
 * BDA's character grid, the picture scrolled at the bottom.
 */
function teletypePixels(b: Bios, page: number, ch: number, attr: number, mode: { height: number; bpp: number }): void {
  let [row, col] = cursorOf(b, page);
  const cols = b.rd16(L.BDA_VIDEO_COLS), rows = b.rd8(L.BDA_VIDEO_ROWS) + 1;
  switch (ch) {
    case 0x07: return;
    case 0x08: if (col > 0) col--; break;
    case 0x0a: row++; break;
    case 0x0d: col = 0; break;
    default:
      drawGlyph(b, mode.bpp, row, col, ch, attr);
      if (++col >= cols) { col = 0; row++; }
  }
  if (row >= rows) {
    scrollPixels(b, mode.height);
    row = rows - 1;
  }
  setCursor(b, page, row, col);
}

/**
 * Teletype output of one character on `page` (BEL, BS, LF, CR interpreted; scrolls at the bottom). In
 * a VBE mode the character is drawn, in colour `attr` (BL for AH=0Eh).
 */
export function teletype(b: Bios, page: number, ch: number, attr: number | null): void {
  const mode = vbeMode(b);
  if (mode) return teletypePixels(b, page, ch, attr ?? b.bl, mode);
  let [row, col] = cursorOf(b, page);
  const mem = b.m.mem;
  switch (ch) {
    case 0x07: return;
    case 0x08: if (col > 0) col--; break;
    case 0x0a: row++; break;
    case 0x0d: col = 0; break;
    default: {
      const a = cellAddr(page, row, col);
      mem.write8(a, ch);
      if (attr !== null) mem.write8(a + 1, attr);
      col++;
      if (col >= COLS) { col = 0; row++; }
    }
  }
  if (row >= ROWS) {
    // The new line takes the attribute of the character at the cursor, as the IBM BIOS does.
    const fill = mem.read8(cellAddr(page, ROWS - 1, 0) + 1);
    scroll(b, page, 1, fill, 0, 0, ROWS - 1, COLS - 1, true);
    row = ROWS - 1;
  }
  setCursor(b, page, row, col);
}

/**
 * CGA-style cursor shapes (scan lines 0–7) are scaled to the 16-line VGA cell, as VGA BIOSes do
 * with cursor emulation on, so the common 0607h gives the usual underline.
 */
function setCursorShape(b: Bios, start: number, end: number): void {
  b.wr16(L.BDA_CURSOR_SHAPE, ((start & 0xff) << 8) | (end & 0xff));
  let s = start & 0x1f, e = end & 0x1f;
  if (s < 8 && e < 8 && !(start & 0x20)) {
    s = s * 2;
    e = e * 2 + 1;
  }
  b.m.devices.vga.setCursorShape((start & 0x20) | s, e);
}

/** AH=00h (and VBE 4F02h with a VGA mode): text mode 3, switching the VBE interface off. */
export function setMode(b: Bios, mode: number): void {
  const clear = (mode & 0x80) === 0;
  mode &= 0x7f;
  if (mode !== 3 && mode !== 2) b.logEntry(0x10, `INT 10h AH=00h: video mode ${hexDigits(mode, 2)}h is not supported; mode 03h (80x25 text) set instead`);
  b.wr8(L.BDA_VIDEO_MODE, 3);
  b.wr16(L.BDA_VIDEO_COLS, COLS);
  b.wr16(L.BDA_VIDEO_PAGE_SIZE, PAGE_BYTES);
  b.wr16(L.BDA_VIDEO_PAGE_START, 0);
  for (let p = 0; p < 8; p++) b.wr16(L.BDA_CURSOR_POS + p * 2, 0);
  b.wr8(L.BDA_VIDEO_PAGE, 0);
  b.wr16(L.BDA_CRTC_PORT, 0x3d4);
  b.wr8(L.BDA_VIDEO_MODE_CTL, 0x29);
  b.wr8(L.BDA_VIDEO_PALETTE, 0x30);
  b.wr8(L.BDA_VIDEO_ROWS, ROWS - 1);
  b.wr16(L.BDA_CHAR_HEIGHT, 16);
  b.wr8(L.BDA_VIDEO_CTL, 0x60);
  b.wr8(L.BDA_VIDEO_SWITCHES, 0xf9);
  b.wr8(L.BDA_VGA_FLAGS, 0x51);
  b.wr8(L.BDA_VGA_DCC, 0x0b);
  // Back to VGA: the VBE interface goes off, as SeaVGABIOS's mode set does.
  b.m.io.out16(0x1ce, DISPI_ENABLE);
  b.m.io.out16(0x1cf, 0);
  const vga = b.m.devices.vga;
  vga.startAddress = 0;
  if (clear) for (let a = TEXT; a < TEXT + 8 * PAGE_BYTES; a += 2) b.wr16(a, 0x0720);
  setCursorShape(b, 0x06, 0x07);
  setCursor(b, 0, 0, 0);
}

/** The video state after POST: mode 3, clear screen, cursor at the top left. */
export function initVideo(b: Bios): void {
  setMode(b, 3);
}

export function int10(b: Bios): number {
  const page = b.bh & 7;
  switch (b.ah) {
    case 0x00: setMode(b, b.al); b.al = 0x30; return DONE;
    case 0x01: setCursorShape(b, b.ch, b.cl); return DONE;
    case 0x02: setCursor(b, page, b.dh, b.dl); return DONE;
    case 0x03: {
      const [row, col] = cursorOf(b, page);
      b.dh = row; b.dl = col;
      b.cx = b.rd16(L.BDA_CURSOR_SHAPE);
      return DONE;
    }
    case 0x05: {
      const p = b.al & 7;
      b.wr8(L.BDA_VIDEO_PAGE, p);
      b.wr16(L.BDA_VIDEO_PAGE_START, p * PAGE_BYTES);
      b.m.devices.vga.startAddress = p * (PAGE_BYTES / 2);
      const [row, col] = cursorOf(b, p);
      setCursor(b, p, row, col);
      return DONE;
    }
    case 0x06:
    case 0x07:
      scroll(b, b.rd8(L.BDA_VIDEO_PAGE), b.al, b.bh, b.ch, b.cl, b.dh, b.dl, b.ah === 0x06);
      return DONE;
    case 0x08: {
      const [row, col] = cursorOf(b, page);
      b.ax = b.m.mem.read16(cellAddr(page, row, col));
      return DONE;
    }
    case 0x09:
    case 0x0a: {
      const [row, col] = cursorOf(b, page);
      // Characters go on from the cursor without moving it (and may run on past the row).
      for (let i = 0, n = Math.min(b.cx, COLS * ROWS - (row * COLS + col)); i < n; i++) {
        const a = cellAddr(page, row, col) + i * 2;
        b.wr8(a, b.al);
        if (b.ah === 0x09) b.wr8(a + 1, b.bl);
      }
      return DONE;
    }
    case 0x0b: return DONE; // CGA palette: meaningless in text mode
    case 0x0e: teletype(b, b.rd8(L.BDA_VIDEO_PAGE), b.al, null); return DONE;
    case 0x0f:
      b.al = b.rd8(L.BDA_VIDEO_MODE);
      b.ah = b.rd16(L.BDA_VIDEO_COLS);
      b.bh = b.rd8(L.BDA_VIDEO_PAGE);
      return DONE;
    case 0x10: return DONE; // palette registers: accepted, the text screen has no colours to change
    case 0x12:
      if (b.bl === 0x10) {
        b.bh = 0x00; // colour
        b.bl = 0x03; // 256 KiB
        b.cx = 0x0009; // feature bits 0, switch settings 9
        return DONE;
      }
      break;
    case 0x11:
      if (b.al === 0x30) return fontInfo(b);
      break;
    case 0x13: return writeString(b);
    case 0x4f: return vbe(b);
    case 0x1a:
      if (b.al === 0x00) {
        b.al = 0x1a;
        b.bx = 0x0008; // VGA with colour analog display, no secondary
        return DONE;
      }
      if (b.al === 0x01) { b.al = 0x1a; return DONE; }
      break;
  }
  // INT 10h has no error flag; an unknown function leaves the registers alone (VBE probes then
  // see AX != 004Fh: "not supported").
  b.logEntry(0x10, `INT 10h AX=${hexDigits(b.ax, 4)}h: function not supported`);
  return DONE;
}

/**
 * AX=1130h: ES:BP → the font BH names (00h: INT 1Fh's, 01h: INT 43h's, 02h: 8x14, 03h: 8x8, 04h: 8x8
 * glyphs 80h–FFh, 05h/07h: the 9x14/9x16 alternate glyphs (none: an empty list), 06h: 8x16); CX = the
 * character height and DL = the last row, from the BDA. Another BH leaves ES:BP alone.
 */
function fontInfo(b: Bios): number {
  const vector = (n: number): [number, number] => [b.rd16(n * 4 + 2), b.rd16(n * 4)];
  const rom = (off: number): [number, number] => [L.BIOS_SEGMENT, off];
  const at = [vector(0x1f), vector(0x43), rom(L.FONT_8X14), rom(L.FONT_8X8), rom(L.FONT_8X8 + 128 * 8),
    rom(L.FONT_ALT), rom(L.FONT_8X16), rom(L.FONT_ALT)][b.bh];
  if (at) {
    b.cpu.setCache(ES, at[0], at[0] << 4, b.cpu.limit[ES], b.cpu.ar[ES]);
    b.bp = at[1];
  }
  b.cx = b.rd8(L.BDA_CHAR_HEIGHT);
  b.dl = b.rd8(L.BDA_VIDEO_ROWS);
  return DONE;
}

/** AH=13h: write CX characters from ES:BP at (DH,DL); AL bit 0 moves the cursor, bit 1 = char/attr pairs. */
function writeString(b: Bios): number {
  const page = b.bh & 7;
  const mode = b.al;
  const [saveRow, saveCol] = cursorOf(b, page);
  setCursor(b, page, b.dh, b.dl);
  let p = b.bp;
  for (let i = 0; i < b.cx; i++) {
    const ch = b.cpu.readLin8(b.lin(ES, p++));
    let attr = b.bl;
    if (mode & 2) attr = b.cpu.readLin8(b.lin(ES, p++));
    teletype(b, page, ch, ch === 7 || ch === 8 || ch === 10 || ch === 13 ? null : attr);
  }
  if (!(mode & 1)) setCursor(b, page, saveRow, saveCol);
  return DONE;
}
