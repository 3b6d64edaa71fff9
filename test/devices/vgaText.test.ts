// VGA text mode: CRTC cursor through 0x3D4/0x3D5, 0x3DA retrace toggling, screen rendering from B8000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { VgaText } from '../../emulator/devices/vgaText';
import { Memory } from '../../emulator/memory/bus';
import { cp437ToString } from '../../emulator/devices/cp437';

function setup() {
  const io = new IoBus();
  const vga = new VgaText();
  vga.attach(io);
  const memory = new Memory({ ramSize: 1 << 20 });
  return { io, vga, memory };
}

function putText(memory: Memory, row: number, col: number, text: number[] | string, attr = 0x07): void {
  const bytes = typeof text === 'string' ? Array.from(text, (c) => c.charCodeAt(0)) : text;
  bytes.forEach((b, i) => {
    memory.write8(0xb8000 + (row * 80 + col + i) * 2, b);
    memory.write8(0xb8000 + (row * 80 + col + i) * 2 + 1, attr);
  });
}

test('cursor location set through CRTC 0Eh/0Fh as a BIOS does', () => {
  const { io, vga } = setup();
  const pos = 3 * 80 + 10;
  io.out8(0x3d4, 0x0e); io.out8(0x3d5, pos >> 8);
  io.out8(0x3d4, 0x0f); io.out8(0x3d5, pos & 0xff);
  assert.deepEqual({ row: vga.cursor().row, col: vga.cursor().col, visible: vga.cursor().visible }, { row: 3, col: 10, visible: true });
  io.out8(0x3d4, 0x0e);
  assert.equal(io.in8(0x3d5), pos >> 8);
  io.out8(0x3d4, 0x0a); io.out8(0x3d5, 0x20); // cursor disable
  assert.equal(vga.cursor().visible, false);
  io.out8(0x3d4, 0x0a); io.out8(0x3d5, 0x0d);
  assert.deepEqual([vga.cursor().start, vga.cursor().end], [0x0d, 0x0e]);
});

test('0x3DA toggles the retrace bits on every read and resets the attribute flip-flop', () => {
  const { io, vga } = setup();
  const a = io.in8(0x3da), b = io.in8(0x3da), c = io.in8(0x3da);
  assert.equal(a & 0x08, 0x08);
  assert.equal(b & 0x08, 0);
  assert.equal(c & 0x08, 0x08);
  io.out8(0x3c0, 0x10); // index
  io.out8(0x3c0, 0x0c); // data: attribute mode control
  io.out8(0x3c0, 0x11); // index again
  io.in8(0x3da); // reset flip-flop: next write is an index
  io.out8(0x3c0, 0x12);
  io.out8(0x3c0, 0x0f);
  assert.equal(vga.attribute[0x10], 0x0c);
  assert.equal(vga.attribute[0x12], 0x0f);
});

test('screenLines renders 80x25 text with CP437 and follows the start address', () => {
  const { io, vga, memory } = setup();
  putText(memory, 0, 0, 'SYSLINUX 6.04');
  putText(memory, 1, 0, [0xc9, 0xcd, 0xbb, 0x01, 0x00, 0x41]);
  const lines = vga.screenLines(memory);
  assert.equal(lines.length, 25);
  assert.ok(lines.every((l) => l.length === 80));
  assert.equal(lines[0].trimEnd(), 'SYSLINUX 6.04');
  assert.equal(lines[1].slice(0, 6), '╔═╗☺ A');
  assert.equal(vga.screenLines(memory, { trimEnd: true })[2], '');
  io.out8(0x3d4, 0x0c); io.out8(0x3d5, 0);
  io.out8(0x3d4, 0x0d); io.out8(0x3d5, 80); // start one row down
  assert.equal(vga.screenLines(memory, { trimEnd: true })[0], '╔═╗☺ A');
  vga.setCursor(0, 5);
  assert.equal(vga.cursorOffset, 85);
  assert.deepEqual([vga.cursor().row, vga.cursor().col], [0, 5]);
});

test('CP437 high half and graphics characters', () => {
  assert.equal(cp437ToString([0x82, 0xe1, 0xdb, 0xb0, 0x7f, 0x10]), 'éß█░⌂►');
});

test('DAC write and read back through 0x3C8/0x3C9 and 0x3C7', () => {
  const { io } = setup();
  io.out8(0x3c8, 5);
  io.out8(0x3c9, 0x3f); io.out8(0x3c9, 0x20); io.out8(0x3c9, 0x01);
  io.out8(0x3c7, 5);
  assert.deepEqual([io.in8(0x3c9), io.in8(0x3c9), io.in8(0x3c9)], [0x3f, 0x20, 0x01]);
});

test('resetMode3 clears the screen to spaces and homes the cursor and start address', () => {
  const { vga, memory } = setup();
  putText(memory, 5, 5, 'junk');
  vga.startAddress = 160;
  vga.setCursor(3, 3);
  vga.resetMode3(memory);
  assert.ok(vga.screenLines(memory).every((l) => l === ' '.repeat(80)));
  assert.equal(memory.read8(0xb8001), 0x07);
  assert.equal(vga.startAddress, 0);
  assert.deepEqual([vga.cursor().row, vga.cursor().col, vga.cursor().visible], [0, 0, true]);
});
