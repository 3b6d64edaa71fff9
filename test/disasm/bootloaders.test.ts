// The disassembler against ndisasm (Debian package nasm) over real boot loaders from Debian packages
// (syslinux-common, grub-pc-bin): instruction boundaries, mnemonics and the full operand text, line by
// line. Boot sectors mix code and data (BPB, messages, partition table); both tools walk the data as code
// from the same start, so they must also agree there. See ndisasm.ts for the accepted divergences.
// Firmware images, 180,000 lines more of the same comparison, are firmware.test.ts's (full tier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { haveNdisasm, type InstalledFile, ndisasmFileTests, SKIP_NDISASM } from './ndisasm';

const SYSLINUX = '/usr/lib/syslinux/mbr';
const GRUB = '/usr/lib/grub/i386-pc';

const FILES: InstalledFile[] = [
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
];

test('ndisasm is installed (Debian package nasm)', { skip: SKIP_NDISASM }, () => {
  assert.ok(haveNdisasm(), 'ndisasm not found: apt-get install nasm (or set BOOTSCOPE_SKIP_NDISASM=1)');
});

const total = { lines: 0, exact: 0, accepted: 0 };
/** Boot loaders whose comparison ran to the end, for the summary. */
const compared = new Set<string>();

ndisasmFileTests(FILES, 'syslinux-common grub-pc-bin', (name, c, accepted) => {
  total.lines += c.ndLines;
  total.exact += c.exact;
  total.accepted += accepted;
  compared.add(name);
});

// Over all boot loaders together: every installed one was compared, and at most 0.5 % of ndisasm's lines
// differ (each file may have up to 2 %, for data walked as code; together they must stay well under).
test('summary over the boot loaders', { skip: SKIP_NDISASM || !haveNdisasm() ? 'ndisasm unavailable' : false }, (t) => {
  t.diagnostic(`exact text: ${total.exact}/${total.lines} ndisasm lines` +
    (total.lines ? ` (${((100 * total.exact) / total.lines).toFixed(2)}%)` : '') + `, accepted divergences: ${total.accepted}`);
  const expected = FILES.filter(([f]) => existsSync(f)).map(([f, bits]) => `${f} (${bits}-bit)`);
  assert.deepEqual(expected.filter((f) => !compared.has(f)), [], 'boot loaders whose comparison did not complete');
  assert.ok(total.lines > 0, 'no boot loader lines compared');
  assert.ok(total.exact >= total.lines * 0.995, `only ${total.exact} of ${total.lines} ndisasm lines are exact`);
});
