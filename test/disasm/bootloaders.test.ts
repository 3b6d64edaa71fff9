// The disassembler against ndisasm (Debian package nasm) over real boot loaders from Debian packages
// (syslinux-common, grub-pc-bin): instruction boundaries, mnemonics and the full operand text, line by
// line. Boot sectors mix code and data (BPB, messages, partition table); both tools walk the data as code
// from the same start, so they must also agree there. See ndisasm.ts for the accepted divergences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { compareWithNdisasm, haveNdisasm } from './ndisasm';

const SYSLINUX = '/usr/lib/syslinux/mbr';
const GRUB = '/usr/lib/grub/i386-pc';

/** [file, bits, required]: the required ones fail the test when absent (install syslinux-common, grub-pc-bin). */
const FILES: [string, 16 | 32, boolean][] = [
  [`${SYSLINUX}/mbr.bin`, 16, true],
  [`${SYSLINUX}/gptmbr.bin`, 16, false],
  [`${SYSLINUX}/altmbr.bin`, 16, false],
  [`${SYSLINUX}/extra/mbr_c.bin`, 16, false],
  [`${SYSLINUX}/extra/mbr_f.bin`, 16, false],
  [`${SYSLINUX}/extra/gptmbr_c.bin`, 16, false],
  [`${SYSLINUX}/extra/gptmbr_f.bin`, 16, false],
  [`${SYSLINUX}/extra/altmbr_c.bin`, 16, false],
  [`${SYSLINUX}/extra/altmbr_f.bin`, 16, false],
  [`${SYSLINUX}/diag/handoff/handoff.bin`, 16, false],
  [`${GRUB}/boot.img`, 16, true],
  [`${GRUB}/diskboot.img`, 16, true],
  [`${GRUB}/lnxboot.img`, 16, false],
  [`${GRUB}/boot_hybrid.img`, 16, false],
  [`${GRUB}/cdboot.img`, 16, false],
  [`${GRUB}/pxeboot.img`, 16, false],
  [`${GRUB}/g2hdr.img`, 16, false],
  [`${GRUB}/g2ldr.img`, 16, false],
  [`${GRUB}/lzma_decompress.img`, 16, false],
  [`${GRUB}/lzma_decompress.img`, 32, false],
  [`${GRUB}/kernel.img`, 32, false],
  // Firmware images (seabios, ipxe-qemu), walked whole in both sizes: code, data and tables.
  ['/usr/share/seabios/bios.bin', 16, false],
  ['/usr/share/seabios/bios.bin', 32, false],
  ['/usr/share/seabios/vgabios-bochs-display.bin', 16, false],
  ['/usr/lib/ipxe/virtio-net.rom', 16, false],
  ['/usr/lib/ipxe/virtio-net.rom', 32, false],
];

const skipAll = process.env.BOOTSCOPE_SKIP_NDISASM === '1';

test('ndisasm is installed (Debian package nasm)', { skip: skipAll }, () => {
  assert.ok(haveNdisasm(), 'ndisasm not found: apt-get install nasm (or set BOOTSCOPE_SKIP_NDISASM=1)');
});

const total = { lines: 0, exact: 0, accepted: 0 };
/** Boot loaders (not firmware) whose comparison ran to the end, for the summary. */
const compared = new Set<string>();
const firmware = (f: string) => f.startsWith('/usr/share/seabios') || f.startsWith('/usr/lib/ipxe');

for (const [file, bits, required] of FILES) {
  const present = existsSync(file);
  const skip = skipAll || !haveNdisasm() ? 'ndisasm unavailable' : !present && !required ? `${file} not installed` : false;
  test(`agrees with ndisasm on ${file} (${bits}-bit)`, { skip }, (t) => {
    assert.ok(present, `${file} missing: apt-get install syslinux-common grub-pc-bin`);
    const bytes = new Uint8Array(readFileSync(file));
    const org = bits === 16 ? 0x7c00 : 0;
    const c = compareWithNdisasm(bytes, bits, org);
    const accepted = Object.values(c.accepted).reduce((a, b) => a + b, 0);
    if (!firmware(file)) {
      total.lines += c.ndLines;
      total.exact += c.exact;
      total.accepted += accepted;
      compared.add(`${file} (${bits}-bit)`);
    }
    t.diagnostic(`${c.ndLines} ndisasm lines, ${c.aligned} aligned, ${c.sameMnemonic} same boundary+mnemonic, ` +
      `${c.exact} exact (${((100 * c.exact) / c.ndLines).toFixed(2)}%), accepted divergences ${JSON.stringify(c.accepted)}`);
    assert.deepEqual(c.failures, [], 'boundary/mnemonic disagreements without an accepted reason');
    assert.deepEqual(c.textDiffs, [], 'operand text differences');
    // Accepted divergences come from data walked as code: a few per cent at most.
    assert.ok(accepted <= c.ndLines * 0.02, `too many accepted divergences: ${accepted}`);
  });
}

// Over all boot loaders together: every installed one was compared, and at most 0.5 % of ndisasm's lines
// differ (each file may have up to 2 %, for data walked as code; together they must stay well under).
test('summary over the boot loaders (firmware images not counted)', { skip: skipAll || !haveNdisasm() ? 'ndisasm unavailable' : false }, (t) => {
  t.diagnostic(`exact text: ${total.exact}/${total.lines} ndisasm lines` +
    (total.lines ? ` (${((100 * total.exact) / total.lines).toFixed(2)}%)` : '') + `, accepted divergences: ${total.accepted}`);
  const expected = FILES.filter(([f]) => !firmware(f) && existsSync(f)).map(([f, bits]) => `${f} (${bits}-bit)`);
  assert.deepEqual(expected.filter((f) => !compared.has(f)), [], 'boot loaders whose comparison did not complete');
  assert.ok(total.lines > 0, 'no boot loader lines compared');
  assert.ok(total.exact >= total.lines * 0.995, `only ${total.exact} of ${total.lines} ndisasm lines are exact`);
});
