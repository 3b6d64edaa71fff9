// @tier full
// The corpus images (images.ts) under Debian's SeaBIOS with SeaVGABIOS (`run --bios --vga-rom`) to
// the milestone their built-in-BIOS tests check, with the same checks (corpusChecks.ts) and, where
// those compare with QEMU 7.2 (which runs the same SeaBIOS), the same QEMU reference: memtest86+
// running its first test, vesamenu's graphical menu on the Pentium model, poweroff.c32 powering off
// through SeaBIOS's APM (on its ACPI PM1a register). The boot loaders' own prompts and GRUB's halt
// under SeaBIOS are in seabios.test.ts. Skipped where the seabios package is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { MEMTEST, memtestImage, missingTools, poweroffImage, vesamenuImage } from './images';
import { assertMemtestTesting, assertPowersOffAsQemu, BIOS, SEABIOS, vesamenuAsQemu } from './corpusChecks';
import { qemuAvailable } from '../devices/portScript';

const skip = existsSync(BIOS) ? false : `${BIOS} is missing (Debian package seabios)`;
const qemu = !qemuAvailable() && 'qemu-system-i386 not installed';

test('memtest86+ v6 under SeaBIOS: syslinux boots it into its 32-bit test loop', { skip }, () => {
  assert.ok(existsSync(MEMTEST), `${MEMTEST} is missing: install Debian's memtest86+ (.ci/run does)`);
  // SeaBIOS's POST takes about 6 million instructions of the budget the built-in BIOS's test gives.
  assertMemtestTesting(memtestImage(), SEABIOS, 36_000_000);
});

test('vesamenu under SeaBIOS (--cpu pentium) draws its menu in the VBE mode QEMU -cpu pentium shows, the same picture',
  { skip: skip || (missingTools('com32') ?? false) || qemu }, () =>
    vesamenuAsQemu(vesamenuImage(), [...SEABIOS, '--cpu', 'pentium'], ['-cpu', 'pentium']));

test('syslinux poweroff.c32 under SeaBIOS powers off as under QEMU', { skip: skip || (missingTools('com32') ?? false) || qemu }, () =>
  assertPowersOffAsQemu(poweroffImage(), SEABIOS));
