// @tier full
// syslinux's vesamenu.c32 (Debian's syslinux-common, images.ts) on the built-in BIOS with an x87
// (vesamenu checks for an FPU before it uses VBE): the 80386 with an 80387 (`--fpu 387`) against QEMU
// 7.2's default CPU, and the Pentium model with its own FPU (`--cpu pentium`) against QEMU's
// `-cpu pentium`, each under SeaVGABIOS (`-vga std`): both draw the menu in the same VBE mode, and QEMU's screendump and Bootscope's
// `--screenshot` agree but for the glyphs: vesamenu draws its text and box lines with the font
// INT 10h AX=1130h hands out, SeaVGABIOS's there and the built-in BIOS's (Terminus Font) here. The
// text is checked without OCR: in each text line of QEMU's picture, the words (runs of ink columns
// between spaces) stand where QEMU's do, to a few pixels. Without the FPU vesamenu shows its text menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTools, vesamenuImage } from './images';
import { run, vesamenuAsQemu } from './corpusChecks';

test('without an FPU (the default 80386) vesamenu stays in text mode', { skip: missingTools('com32') ?? false }, () => {
  const text = JSON.parse(run(vesamenuImage(), '--max', '60000000', '--json').stdout);
  assert.equal(text.graphics, undefined);
});

/** Our CPU options and QEMU's for each row: the 80386 with an 80387, and the Pentium model. */
const ROWS: [string[], string[]][] = [[['--fpu', '387'], []], [['--cpu', 'pentium'], ['-cpu', 'pentium']]];

for (const [ourCpu, qemuCpu] of ROWS) {
  test(`vesamenu (${ourCpu.join(' ')}) draws its menu in the VBE mode QEMU${qemuCpu.length ? ` ${qemuCpu.join(' ')}` : ''} shows, the same picture but for the glyphs`,
    { skip: missingTools('com32') ?? false }, () => vesamenuAsQemu(vesamenuImage(), ourCpu, qemuCpu));
}
