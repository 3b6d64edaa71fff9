// VBE (INT 10h AX=4Fxxh) over the Bochs VBE device: the probe (test/devices/fixtures/vbeProbe.asm)
// lists the modes, sets one with a linear framebuffer and draws a pattern in 32-bit protected mode;
// the device's frame shows it in 32, 16 and 8 bits a pixel (8: through the palette the probe loads
// into the DAC).
// Modes without bit 14, unknown modes and a return to text mode; video memory in snapshots.
// test/devices/qemuVbe.test.ts compares the same frames with QEMU's screendump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootImage, runProgram } from './harness';
import { patternRgb, vbeProbeImage } from '../devices/vbeProbe';
import { defaultPalette, VBE_MODES } from '../../emulator/bios/vbe';

function drawn(mode: number) {
  const r = bootImage(vbeProbeImage(mode), { max: 30_000_000 });
  assert.equal(r.stop.reason, 'halt');
  const serial = r.m.devices.com1.output;
  assert.match(serial, new RegExp(`SET 004F ${(mode | 0x4000).toString(16).toUpperCase()} \\nDONE`));
  return { r, serial, frame: r.m.devices.vbe.frame(r.m.devices.vga.dac)! };
}

test('4F00h/4F01h: VBE 3.0, 16 MiB, every mode with its geometry, masks and the framebuffer at FD000000h', () => {
  const { serial } = drawn(0x142);
  assert.match(serial, /^INFO 004F 4153 4556 0300 0100 $/m);
  const modes = [...serial.matchAll(/^MODE (\w{4}) 00FB (\w{4}) (\w{4}) (\w\w) \w\w (\w{4}) .* FD00 0000 $/gm)];
  assert.deepEqual(modes.map((m) => [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), parseInt(m[4], 16)]),
    VBE_MODES.map((m) => [m.mode, m.width, m.height, m.bpp]));
});

test('640x480x32: every pixel as drawn', () => {
  const { frame } = drawn(0x142);
  assert.deepEqual([frame.width, frame.height], [640, 480]);
  for (const [x, y] of [[0, 0], [1, 0], [0, 1], [639, 479], [300, 200], [255, 256]]) {
    const i = (y * 640 + x) * 4;
    assert.deepEqual([...frame.rgba.subarray(i, i + 4)], [...patternRgb(x, y), 255], `(${x}, ${y})`);
  }
});

test('640x480x16 (5:6:5, widened as QEMU does) and 640x480x8 through the palette', () => {
  const f16 = drawn(0x111).frame;
  const [r, g, b] = patternRgb(200, 100);
  const i = (100 * 640 + 200) * 4;
  const w5 = (c: number) => ((c >> 3) << 3) | ((c >> 3) >> 2);
  assert.deepEqual([...f16.rgba.subarray(i, i + 3)], [w5(r), (((g >> 2) << 2) | ((g >> 2) >> 4)), w5(b)]);
  const f8 = drawn(0x101).frame;
  // The probe's palette: index i = x xor y → red i/4, green (255 - i)/4, blue i mod 64, six bits each.
  const six = (c: number) => (c << 2) | ((c & 1) * 3);
  const idx = (200 ^ 100) & 0xff;
  assert.deepEqual([...f8.rgba.subarray(i, i + 3)], [six(idx >> 2), six((255 - idx) >> 2), six(idx & 0x3f)]);
});

test('4F02h refuses a mode without the linear framebuffer and unknown modes; a VGA mode turns VBE off', () => {
  const r = runProgram(`
  mov ax, 0x4f02
  mov bx, 0x0142
  int 0x10
  call puthex16
  PUTC ' '
  mov ax, 0x4f02
  mov bx, 0x4199
  int 0x10
  call puthex16
  PUTC ' '
  mov ax, 0x4f02
  mov bx, 0x4111
  int 0x10
  mov ax, 0x4f03
  int 0x10
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, 0x4f02
  mov bx, 0x0003
  int 0x10
  mov ax, 0x4f03
  int 0x10
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, 0x4f05
  int 0x10
  call puthex16
  cli
  hlt`);
  assert.equal(r.out, '014F 014F 4111 0003 4F05');
  assert.equal(r.m.devices.vbe.enabled, false);
  assert.deepEqual(r.bios.log.map((e) => e.message), [
    'INT 10h AX=4F02h BX=0142h: only linear-framebuffer modes (BX bit 14)',
    'INT 10h AX=4F02h BX=4199h: no such VBE mode',
    'INT 10h AX=4F05h: VBE function not supported',
  ]);
});

test('video memory is part of a device snapshot, its pages shared until written', () => {
  const { r } = drawn(0x142);
  const dev = r.m.devices;
  const snap = dev.saveState();
  const before = dev.vbe.read8(0x1234);
  dev.vbe.write8(0x1234, before ^ 0xff);
  dev.vbe.write8(0x800000, 0x5a);
  assert.equal(dev.vbe.read8(0x1234), before ^ 0xff);
  dev.loadState(snap);
  assert.equal(dev.vbe.read8(0x1234), before);
  assert.equal(dev.vbe.read8(0x800000), 0);
  // The next snapshot costs only the page written since (the restore shares every page again).
  dev.vbe.write8(0x10, 1);
  const bytes = (dev.saveState().devices.vbe as { vram: { roughBytes(): number } }).vram.roughBytes();
  assert.equal(bytes, 64 + 4096 + 16);
});

test('an 8-bit mode set loads the VGA default palette into the DAC', () => {
  const r = runProgram(`
  mov ax, 0x4f02
  mov bx, 0x4101
  int 0x10
  cli
  hlt`);
  const dac = [...r.m.devices.vga.dac];
  assert.deepEqual(dac, [...defaultPalette()]);
  const at = (i: number) => dac.slice(i * 3, i * 3 + 3);
  // EGA blue, a grey, the first hue ring's blue and red, the dark ring's cyan, the black tail.
  assert.deepEqual([at(1), at(20), at(32), at(40), at(196), at(250)], [[0, 0, 42], [14, 14, 14], [0, 0, 63], [63, 0, 0], [0, 16, 16], [0, 0, 0]]);
});
