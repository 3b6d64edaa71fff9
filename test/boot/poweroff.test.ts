// @tier full
// GRUB's `halt` (the GRUB image of images.ts, whose grub.cfg echoes and halts) and syslinux's
// poweroff.c32 power the machine off under QEMU 7.2 + SeaBIOS — QEMU exits by itself — and under
// Bootscope's built-in BIOS, where they connect to the APM BIOS (GRUB through its 32-bit interface's
// information, poweroff.c32 in real mode) and set the power state to off: the run ends with
// `poweroff` after the same serial text.
import { test } from 'node:test';
import { GRUB_ECHO, grubImage, missingTools, poweroffImage } from './images';
import { assertPowersOffAsQemu } from './corpusChecks';

for (const [name, build, tools] of [["GRUB's halt", grubImage, 'grub'], ['syslinux poweroff.c32', poweroffImage, 'com32']] as const) {
  test(`${name} powers off as under QEMU`, { skip: missingTools(tools) ?? false }, () =>
    // GRUB's kernel decompressed, read grub.cfg from FAT through the BIOS and echoed from both configs.
    assertPowersOffAsQemu(build(), [], build === grubImage ? [GRUB_ECHO, 'grub.cfg: normal mode reached'] : []));
}
