// VGA in 80x25 colour text mode: the CRTC (0x3D4/0x3D5: cursor shape and location, start address),
// input status 1 (0x3DA, retrace bits that toggle on every read so wait-for-retrace loops end
// deterministically), register files for the sequencer, graphics and attribute controllers, the DAC
// and misc output (stored, so guests read back what they wrote), and the rendering of the text
// buffer at physical 0xB8000 (plain RAM). Pure TypeScript: no Node or VS Code imports. IBM VGA
// Technical Reference (CRT controller registers 0Ah–0Fh, input status register 1).

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';
import { CP437 } from './cp437';

export const TEXT_BASE = 0xb8000;
export const CRTC_CURSOR_START = 0x0a, CRTC_CURSOR_END = 0x0b, CRTC_START_HI = 0x0c, CRTC_START_LO = 0x0d;
export const CRTC_CURSOR_HI = 0x0e, CRTC_CURSOR_LO = 0x0f;

/** CRTC registers 00h–18h as the BIOS programs them for mode 3 (720x400, 9x16 font). */
const MODE3_CRTC = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
  0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];

export interface CursorState {
  row: number;
  col: number;
  visible: boolean;
  /** Scan lines of the cursor shape (CRTC 0Ah/0Bh bits 4–0). */
  start: number;
  end: number;
}

export class VgaText {
  readonly cols = 80;
  readonly rows = 25;
  readonly crtc = new Uint8Array(0x19);
  crtcIndex = 0;
  readonly sequencer = new Uint8Array(5);
  sequencerIndex = 0;
  readonly graphics = new Uint8Array(9);
  graphicsIndex = 0;
  readonly attribute = new Uint8Array(0x15);
  attributeIndex = 0;
  /** 0x3C0 flip-flop: false = next write is an index, true = data. Reset by reading 0x3DA. */
  private attributeData = false;
  miscOutput = 0x67;
  readonly dac = new Uint8Array(256 * 3);
  private dacWrite = 0;
  private dacRead = 0;
  private dacMask = 0xff;
  private dacReading = false;
  private retrace = false;

  constructor() {
    this.crtc.set(MODE3_CRTC);
    this.sequencer.set([0x03, 0x00, 0x03, 0x00, 0x02]);
    this.graphics.set([0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff]);
    this.attribute.set([0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00]);
  }

  attach(io: IoBus): void {
    const h = { in8: (p: number) => this.in8(p), out8: (p: number, v: number) => this.out8(p, v) };
    io.register(0x3c0, 16, h);
    io.register(0x3d4, 2, h);
    io.register(0x3da, 1, h);
  }

  in8(port: number): number {
    switch (port) {
      case 0x3d4: return this.crtcIndex;
      case 0x3d5: return this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex] : 0xff;
      case 0x3da:
        // Bit 0: display disabled (retrace), bit 3: vertical retrace. Alternating on every read gives
        // both edges to loops that wait for retrace to start and then to end.
        this.attributeData = false;
        this.retrace = !this.retrace;
        return this.retrace ? 0x09 : 0x00;
      case 0x3c0: return this.attributeIndex;
      case 0x3c1: return this.attribute[this.attributeIndex & 0x1f] ?? 0;
      case 0x3c2: return 0x10; // input status 0: switch sense (colour display present)
      case 0x3c4: return this.sequencerIndex;
      case 0x3c5: return this.sequencer[this.sequencerIndex] ?? 0xff;
      case 0x3c6: return this.dacMask;
      case 0x3c7: return this.dacReading ? 0x03 : 0x00;
      case 0x3c8: return Math.floor(this.dacWrite / 3);
      case 0x3c9: {
        const v = this.dac[this.dacRead];
        this.dacRead = (this.dacRead + 1) % this.dac.length;
        return v;
      }
      case 0x3ca: return 0x00;
      case 0x3cc: return this.miscOutput;
      case 0x3ce: return this.graphicsIndex;
      case 0x3cf: return this.graphics[this.graphicsIndex] ?? 0xff;
      default: return 0xff;
    }
  }

  out8(port: number, v: number): void {
    switch (port) {
      case 0x3d4: this.crtcIndex = v & 0x1f; return;
      case 0x3d5:
        if (this.crtcIndex >= this.crtc.length) return;
        // CR11 bit 7 protects registers 00h–07h (except bit 4 of 07h); the cursor registers stay writable.
        if (this.crtcIndex <= 7 && this.crtc[0x11] & 0x80) return;
        this.crtc[this.crtcIndex] = v;
        return;
      case 0x3c0:
        if (!this.attributeData) this.attributeIndex = v & 0x3f;
        else if ((this.attributeIndex & 0x1f) < this.attribute.length) this.attribute[this.attributeIndex & 0x1f] = v;
        this.attributeData = !this.attributeData;
        return;
      case 0x3c2: this.miscOutput = v; return;
      case 0x3c4: this.sequencerIndex = v & 7; return;
      case 0x3c5: if (this.sequencerIndex < this.sequencer.length) this.sequencer[this.sequencerIndex] = v; return;
      case 0x3c6: this.dacMask = v; return;
      case 0x3c7: this.dacRead = v * 3; this.dacReading = true; return;
      case 0x3c8: this.dacWrite = v * 3; this.dacReading = false; return;
      case 0x3c9:
        this.dac[this.dacWrite] = v & 0x3f;
        this.dacWrite = (this.dacWrite + 1) % this.dac.length;
        return;
      case 0x3ce: this.graphicsIndex = v & 0x0f; return;
      case 0x3cf: if (this.graphicsIndex < this.graphics.length) this.graphics[this.graphicsIndex] = v; return;
      default: // 0x3DA writes (feature control) and the rest are ignored
    }
  }

  /** Display start address in character cells (CRTC 0Ch/0Dh). */
  get startAddress(): number {
    return (this.crtc[CRTC_START_HI] << 8) | this.crtc[CRTC_START_LO];
  }
  set startAddress(cells: number) {
    this.crtc[CRTC_START_HI] = (cells >>> 8) & 0xff;
    this.crtc[CRTC_START_LO] = cells & 0xff;
  }

  /** Cursor location in character cells from the start of video memory (CRTC 0Eh/0Fh). */
  get cursorOffset(): number {
    return (this.crtc[CRTC_CURSOR_HI] << 8) | this.crtc[CRTC_CURSOR_LO];
  }
  set cursorOffset(cells: number) {
    this.crtc[CRTC_CURSOR_HI] = (cells >>> 8) & 0xff;
    this.crtc[CRTC_CURSOR_LO] = cells & 0xff;
  }

  /** What INT 10h AH=02h does to the hardware: the cursor at (row, col) of the visible page. */
  setCursor(row: number, col: number): void {
    this.cursorOffset = this.startAddress + row * this.cols + col;
  }

  /** INT 10h AH=01h: cursor shape; bit 5 of `start` hides the cursor. */
  setCursorShape(start: number, end: number): void {
    this.crtc[CRTC_CURSOR_START] = start & 0x3f;
    this.crtc[CRTC_CURSOR_END] = end & 0x1f;
  }

  /** Cursor position relative to the displayed page (may lie off screen), visibility and shape. */
  cursor(): CursorState {
    const rel = this.cursorOffset - this.startAddress;
    const start = this.crtc[CRTC_CURSOR_START];
    const end = this.crtc[CRTC_CURSOR_END] & 0x1f;
    const onScreen = rel >= 0 && rel < this.cols * this.rows;
    return {
      row: Math.floor(rel / this.cols),
      col: ((rel % this.cols) + this.cols) % this.cols,
      visible: onScreen && (start & 0x20) === 0 && (start & 0x1f) <= end,
      start: start & 0x1f,
      end,
    };
  }

  /**
   * What setting mode 3 does to the screen (INT 10h AH=00h): the text buffer filled with spaces in
   * `attr`, start address and cursor at 0, the default cursor shape.
   */
  resetMode3(memory: Memory, attr = 0x07): void {
    for (let i = 0; i < 0x8000; i += 2) {
      memory.write8(TEXT_BASE + i, 0x20);
      memory.write8(TEXT_BASE + i + 1, attr);
    }
    this.crtc.set(MODE3_CRTC);
    this.startAddress = 0;
    this.cursorOffset = 0;
  }

  /** Characters and attributes of the displayed page: 2 bytes per cell, rows × cols cells. */
  cells(memory: Memory): Uint8Array {
    const out = new Uint8Array(this.rows * this.cols * 2);
    const start = (this.startAddress * 2) & 0x7fff;
    // The 32 KiB colour text window wraps around.
    const first = memory.peek(TEXT_BASE + start, Math.min(out.length, 0x8000 - start));
    out.set(first);
    if (first.length < out.length) out.set(memory.peek(TEXT_BASE, out.length - first.length), first.length);
    return out;
  }

  /**
   * The displayed text, one string of `cols` characters per row, CP437 decoded to Unicode (control
   * bytes appear as their VGA glyphs, 00h as a space). With `trimEnd`, trailing spaces are dropped.
   */
  screenLines(memory: Memory, opts: { trimEnd?: boolean } = {}): string[] {
    const cells = this.cells(memory);
    const lines: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let s = '';
      for (let c = 0; c < this.cols; c++) s += CP437[cells[(r * this.cols + c) * 2]];
      lines.push(opts.trimEnd ? s.trimEnd() : s);
    }
    return lines;
  }
}
