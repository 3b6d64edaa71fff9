// The ROM font (emulator/bios/romFont.ts, Terminus Font): INT 10h AX=1130h hands out ES:BP, CX and
// DL for every BH the IBM/SeaVGABIOS interface defines, the glyph bytes a boot sector reads there
// are the font's, and INT 1Fh/43h point into the same tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './harness';
import * as L from '../../emulator/bios/layout';
import { FONT_8X8, FONT_8X14, FONT_8X16 } from '../../emulator/bios/romFont';

test('AX=1130h: ES:BP for BH=00h–07h, CX = 16-line cell, DL = last row; the bytes there are the glyphs', () => {
  const r = runProgram(`
  xor bx, bx
.next:
  push bx
  mov ax, 0x1130
  mov cx, 0xdead
  mov dl, 0xee
  mov bp, 0x1234
  int 0x10
  mov ax, es
  call puthex16
  PUTC ':'
  mov ax, bp
  call puthex16
  PUTC ' '
  mov ax, cx
  call puthex16
  PUTC ' '
  mov al, dl
  call puthex8
  PUTC ' '
  mov al, [es:bp + 'A' * 16 + 5]
  call puthex8
  PUTC 10
  pop bx
  inc bh
  cmp bh, 8
  jb .next
  cli
  hlt
`);
  assert.equal(r.stop.reason, 'halt');
  const rows = r.out.trim().split('\n').map((l) => l.split(' '));
  const hex = (v: number, n: number) => v.toString(16).toUpperCase().padStart(n, '0');
  const ptr = (off: number) => `F000:${hex(off, 4)}`;
  assert.deepEqual(rows.map((x) => x[0]), [
    ptr(L.FONT_8X8 + 0x400), ptr(L.FONT_8X16), ptr(L.FONT_8X14), ptr(L.FONT_8X8),
    ptr(L.FONT_8X8 + 0x400), ptr(L.FONT_ALT), ptr(L.FONT_8X16), ptr(L.FONT_ALT),
  ]);
  for (const x of rows) assert.deepEqual(x.slice(1, 3), ['0010', '18']);
  // BH=06h: row 5 of 'A' in the 8x16 table, read by the guest through ES:BP.
  assert.equal(rows[6][3], hex(FONT_8X16[0x41 * 16 + 5], 2));
  assert.notEqual(FONT_8X16[0x41 * 16 + 5], 0);
});

test('the ROM holds the 8x16, 8x14 and 8x8 tables, the IBM 8x8 half at F000:FA6E, and printable ASCII has ink', () => {
  const r = runProgram('  cli\n  hlt\n');
  const rom = (off: number, n: number) => [...Array(n)].map((_, i) => r.m.mem.read8(L.ROM_BASE + off + i));
  assert.deepEqual(rom(L.FONT_8X16, 4096), [...FONT_8X16]);
  assert.deepEqual(rom(L.FONT_8X14, 3584), [...FONT_8X14]);
  assert.deepEqual(rom(L.FONT_8X8, 2048), [...FONT_8X8]);
  assert.deepEqual(rom(L.FONT_8X8_LOW, 1024), [...FONT_8X8.subarray(0, 1024)]);
  assert.deepEqual(rom(L.FONT_ALT, 1), [0]);
  const vec = (n: number) => [r.m.mem.read16(n * 4 + 2), r.m.mem.read16(n * 4)];
  assert.deepEqual(vec(0x1f), [0xf000, L.FONT_8X8 + 0x400]);
  assert.deepEqual(vec(0x43), [0xf000, L.FONT_8X16]);
  for (const [font, h] of [[FONT_8X16, 16], [FONT_8X14, 14], [FONT_8X8, 8]] as const) {
    const ink = (ch: number) => font.subarray(ch * h, (ch + 1) * h).some((v) => v !== 0);
    for (let ch = 0x21; ch <= 0x7e; ch++) assert.ok(ink(ch), `${h}-line glyph ${ch.toString(16)}h is blank`);
    assert.ok(!ink(0x20), 'space is blank');
    // Box drawing: the horizontal line (C4h) crosses the cell.
    assert.ok(font.subarray(0xc4 * h, 0xc5 * h).includes(0xff), `${h}-line C4h`);
  }
  // The shades keep their dither in every size: neighbouring rows differ.
  for (const [font, h] of [[FONT_8X16, 16], [FONT_8X14, 14], [FONT_8X8, 8]] as const) {
    for (const ch of [0xb0, 0xb1, 0xb2]) assert.notEqual(font[ch * h], font[ch * h + 1], `${h}-line ${ch.toString(16)}h`);
  }
  // Distinct glyphs: no two printable ASCII characters share a bitmap.
  const seen = new Set<string>();
  for (let ch = 0x21; ch <= 0x7e; ch++) seen.add(FONT_8X16.subarray(ch * 16, ch * 16 + 16).join(','));
  assert.equal(seen.size, 0x7e - 0x20);
});

test('after a VBE mode set, AX=1130h and AH=0Fh describe its 8x16 grid as QEMU 7.2 + SeaVGABIOS do', () => {
  const probe = (mode: number) => `
  mov ax, 0x4f02
  mov bx, ${mode}
  int 0x10
  mov ax, 0x1130
  mov bh, 6
  int 0x10
  mov ax, cx
  call puthex16
  mov al, dl
  call puthex8
  mov ah, 0x0f
  int 0x10
  call puthex16
  PUTC 10
`;
  const r = runProgram(`${probe(0x4112)}${probe(0x4115)}${probe(0x4118)}${probe(0x0003)}  cli\n  hlt\n`);
  assert.equal(r.stop.reason, 'halt');
  // Measured under QEMU 7.2 (-vga std) with the same calls: CX, DL, then AH:AL of AH=0Fh.
  assert.deepEqual(r.out.trim().split('\n'), ['00101D50FF', '00102464FF', '00102F80FF', '0010185003']);
});

for (const mode of [0x4112, 0x4101]) {
  test(`teletype in VBE mode ${mode.toString(16)}h draws the 8x16 glyphs at the grid's cursor, white for BL=0Fh`, () => {
    const r = runProgram(`
  mov ax, 0x0e58
  int 0x10
  mov al, 10
  int 0x10
  mov ax, 0x4f02
  mov bx, ${mode}
  int 0x10
  mov si, msg
.l:
  lodsb
  test al, al
  jz .d
  mov ah, 0x0e
  mov bx, 0x000f
  int 0x10
  jmp .l
.d:
  cli
  hlt
msg: db 'Hello', 13, 10, 'World', 0
`);
    assert.equal(r.stop.reason, 'halt');
    const f = r.m.devices.vbe.frame(r.m.devices.vga.dac)!;
    const white = (x: number, y: number) => f.rgba.subarray((y * 640 + x) * 4, (y * 640 + x) * 4 + 3).every((c) => c === 255);
    const box = [640, 0, 480, 0];
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 640; x++) {
        const i = (y * 640 + x) * 4;
        const lit = f.rgba[i] | f.rgba[i + 1] | f.rgba[i + 2];
        if (!lit) continue;
        assert.ok(white(x, y), `(${x}, ${y}) neither black nor white`);
        box[0] = Math.min(box[0], x); box[1] = Math.max(box[1], x); box[2] = Math.min(box[2], y); box[3] = Math.max(box[3], y);
      }
    }
    // Every pixel of "Hello" / "World" is its glyph's: the mode set put the cursor back at the top left.
    [...'Hello'].forEach((c, col) => {
      for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) {
        assert.equal(white(col * 8 + x, y), (FONT_8X16[c.charCodeAt(0) * 16 + y] & (0x80 >> x)) !== 0, `${c} (${x}, ${y})`);
      }
    });
    // QEMU 7.2 + SeaVGABIOS, the same program: white ink in x 0–38, y 2–27 (its own font's glyphs).
    assert.ok(Math.abs(box[0] - 0) <= 2 && Math.abs(box[1] - 38) <= 2 && Math.abs(box[2] - 2) <= 2 && Math.abs(box[3] - 27) <= 2, JSON.stringify(box));
  });
}

test('teletype colours in a direct-colour mode are the default palette\'s, as QEMU draws them (0Ch: FF5555h)', () => {
  const r = runProgram(`
  mov ax, 0x4f02
  mov bx, 0x4112
  int 0x10
  mov ax, 0x0e58
  mov bx, 0x000c
  int 0x10
  cli
  hlt
`);
  const f = r.m.devices.vbe.frame(r.m.devices.vga.dac)!;
  const colours = new Set<string>();
  for (let i = 0; i < 8 * 16; i++) {
    const p = ((i >> 3) * 640 + (i & 7)) * 4;
    colours.add([...f.rgba.subarray(p, p + 3)].map((c) => c.toString(16).padStart(2, '0')).join(''));
  }
  assert.deepEqual([...colours].sort(), ['000000', 'ff5555']);
});
