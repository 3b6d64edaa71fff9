// @tier full
// The PCI bus, the PCI BIOS and the SMBIOS entry point against QEMU 7.2 + SeaBIOS (`-vga std`;
// skipped without qemu-system-i386 and nasm): fixtures/pciProbe.asm dumps every bus-0 function's
// configuration space, the size each BAR reports, the INT 1Ah B1xxh answers and the SMBIOS
// structure types and the find calls' status codes; Bootscope's built-in BIOS must print the same,
// except the VGA's expansion ROM BAR (QEMU maps its VGA BIOS there; Bootscope's video services are
// built in, so it has none) and the status for vendor FFFFh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootImage } from '../bios/harness';
import { assembleProbe, qemuAvailable } from './portScript';

const DIR = join('test', '.out', 'probe');

function probeImage(): string {
  mkdirSync(DIR, { recursive: true });
  const bin = join(DIR, 'pciProbe.bin');
  assembleProbe('test/devices/fixtures/pciProbe.asm', bin);
  const img = new Uint8Array(1 << 20);
  img.set(readFileSync(bin));
  const path = join(DIR, 'pciProbe.img');
  writeFileSync(path, img);
  return path;
}

test('PCI configuration space, BAR sizes, PCI BIOS and SMBIOS as under QEMU', { skip: !qemuAvailable() && 'qemu-system-i386 or nasm not installed' }, () => {
  const path = probeImage();
  const log = `${path}.serial`;
  rmSync(log, { force: true });
  spawnSync('qemu-system-i386', [
    '-nodefaults', '-display', 'none', '-m', '64', '-vga', 'std', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${path},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`,
  ], { timeout: 20000 });
  const qemu = existsSync(log) ? readFileSync(log, 'latin1').split('\n') : [];
  const r = bootImage(new Uint8Array(readFileSync(path)));
  assert.equal(r.stop.reason, 'halt');
  const ours = r.m.devices.com1.output.split('\n');
  assert.ok(qemu.some((l) => l.startsWith('SMBIOS')), `QEMU's probe output: ${qemu.join('\n')}`);
  assert.equal(ours.length, qemu.length, ours.join('\n'));
  // Line 4 of the VGA's dump (00:02.0, offsets 20h–3Fh) holds the ROM BAR at 30h–33h.
  const vga = qemu.indexOf('CFG 10') + 2;
  // Find device with vendor FFFFh: the PCI BIOS specification (2.1, §3.3 and Find PCI Device) answers
  // BAD_VENDOR_ID (83h), as the built-in BIOS does; SeaBIOS searches for it and answers 86h.
  const badVendor = qemu.indexOf('B102 FFFF:1237 00 86 0010 c');
  assert.equal(ours[badVendor], 'B102 FFFF:1237 00 83 0010 c');
  const diff = ours.flatMap((l, i) => (l === qemu[i] || i === badVendor ? [] : [`line ${i}: QEMU '${qemu[i]}', ours '${l}'`]));
  assert.equal(diff.length, 1, diff.join('\n'));
  const bytes = (l: string) => l.trim().split(' ');
  const [q, o] = [bytes(qemu[vga]), bytes(ours[vga])];
  assert.deepEqual(o.filter((_, i) => i < 16 || i >= 20), q.filter((_, i) => i < 16 || i >= 20));
  assert.deepEqual(o.slice(16, 20), ['00', '00', '00', '00']);
  // Both entry points' checksums are right; the types are DSP0134's 0, 1, 3, 4, 16, 17, 19, 32, 127.
  assert.equal(ours.find((l) => l.startsWith('SMBIOS')), 'SMBIOS 00 00 00 01 03 04 10 11 13 20 7F');
});
