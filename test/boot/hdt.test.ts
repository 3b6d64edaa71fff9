// @tier full
// syslinux's Hardware Detection Tool (hdt.c32 from Debian's syslinux-common, images.ts) on the
// built-in BIOS and under QEMU 7.2 + SeaBIOS (`-vga std`): it reaches its `hdt>` prompt, lists the
// same PCI devices (found through the PCI BIOS and configuration mechanism #1: IDs and subsystem
// IDs) and finds an SMBIOS table with the same DMI modules. Commands are typed once the prompt is
// there (QEMU: over its serial console; Bootscope: queued keys the BIOS hands out when asked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdtImage, missingTools } from './images';
import { hdtAnswer as answer, hdtBootscope, hdtQemu as qemu } from './corpusChecks';

const bootscope = (img: string, keys: string) => hdtBootscope(img, '--keys', keys);

test('hdt.c32 reaches its prompt and lists the PCI devices and DMI modules QEMU shows', { skip: missingTools('com32') ?? false }, async () => {
  const img = hdtImage();
  const pci = bootscope(img, 'pci\\nshow\\n');
  assert.match(pci, /Hardware Detection Tool .*\nEntering CLI mode\nhdt> /);
  assert.doesNotMatch(pci, /DMI: ERROR/);
  const dmi = bootscope(img, 'show dmi\\n');
  const q = await qemu(img, ['pci', 'show', 'exit', 'show dmi']);
  const devices = answer(pci, 'show');
  assert.equal(devices[0], '5 PCI devices detected', pci);
  assert.deepEqual(devices, answer(q, 'show'));
  const modules = answer(dmi, 'show dmi');
  assert.match(modules[0], /^DMI Table version 2\.8 found$/);
  assert.deepEqual(modules, answer(q, 'show dmi'), 'SMBIOS 2.8 as QEMU 7.2 + SeaBIOS, the same modules');
});
