// The VBE probe (fixtures/vbeProbe.asm) for test/bios/vbe.test.ts and test/devices/qemuVbe.test.ts:
// assembled with the mode to draw in, and the colour its pattern gives each pixel.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleProbe } from './portScript';

/** The probe as a boot disk that draws in VBE `mode` (bit 14, linear framebuffer, is added). */
export function vbeProbeImage(mode: number): Uint8Array {
  const bin = join(mkdtempSync(join(tmpdir(), 'bootscope-vbe-')), 'probe.bin');
  assembleProbe('test/devices/fixtures/vbeProbe.asm', bin);
  const img = new Uint8Array(1 << 20);
  img.set(readFileSync(bin));
  img[3] = mode & 0xff;
  img[4] = (mode >> 8) | 0x40;
  return img;
}

/** The pattern's colour at (x, y) before the mode's depth reduces it: red x, green y, blue x xor y. */
export function patternRgb(x: number, y: number): [number, number, number] {
  return [x & 0xff, y & 0xff, (x ^ y) & 0xff];
}
