// Lock-step with QEMU (../shared/boot/QEMU-TRACE.md): QEMU 7.2 + SeaBIOS run the same images under
// ../shared/tools/qemu_trace.py, and the sequence of CS:EIP of guest code (BIOS ranges excluded on
// both sides, consecutive duplicates collapsed) must be identical to Bootscope's trace from 0000:7C00
// through the first protected-mode entry, and beyond as far as timer-independent code goes (the
// diagnostics report how far, and how far with timer-interrupt excursions skipped).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareTraces, compareWithResync, readBootscopeTrace, readQemuTrace } from './compare';
import { CACHE, grubImage, missingTools, syslinuxImage } from './images';
import { protectedModeMissing } from './pmProbe';

const QEMU_TRACE = resolve('../shared/tools/qemu_trace.py');
const RECORDS = 150000;
let dir = '';

/**
 * Tracing QEMU under -singlestep through SeaBIOS took from a minute to over five minutes on the
 * shared 2-vCPU machine, so the lock-step runs only when asked for (BOOTSCOPE_QEMU_LOCKSTEP=1).
 */
function lockstepOff(): string | null {
  return process.env.BOOTSCOPE_QEMU_LOCKSTEP === '1' ? null : 'QEMU lock-step is opt-in: set BOOTSCOPE_QEMU_LOCKSTEP=1 (several minutes per image)';
}

function qemuMissing(): string | null {
  if (!existsSync(QEMU_TRACE)) return `${QEMU_TRACE} is not there`;
  const q = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
  if (q.status !== 0) return 'qemu-system-i386 is not installed (Debian: qemu-system-x86)';
  return null;
}

/** QEMU's condensed trace of `image`, cached beside the image. */
function qemuTrace(image: string): string {
  const out = join(CACHE, `${image.split('/').pop()}.qemu-${RECORDS}.txt`);
  if (existsSync(out)) return out;
  const tmp = `${out}.part`;
  const r = spawnSync('python3', [QEMU_TRACE, image, tmp, String(RECORDS)], { encoding: 'utf8', timeout: 800_000 });
  assert.equal(r.status, 0, r.stderr);
  spawnSync('mv', [tmp, out]);
  return out;
}

function bootscopeTrace(image: string): string {
  const t = join(dir, `${image.split('/').pop()}.jsonl`);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', image, '--max', String(RECORDS * 2), '--trace', t], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return t;
}

before(() => {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
});

for (const [name, build, tools] of [['syslinux', syslinuxImage, 'syslinux'], ['GRUB', grubImage, 'grub']] as const) {
  test(`${name}: CS:EIP sequence identical to QEMU's from 0000:7C00 through the first protected-mode entry`,
    { skip: lockstepOff() ?? missingTools(tools) ?? qemuMissing() ?? false, timeout: 900_000 }, (t) => {
      const image = build();
      const qemu = readQemuTrace(qemuTrace(image));
      const ours = readBootscopeTrace(bootscopeTrace(image));
      const c = compareTraces(ours, qemu);
      const r = compareWithResync(ours, qemu, 20000);
      t.diagnostic(`${name}: ${c.matched} of QEMU's ${qemu.length} collapsed steps identical (its first protected-mode step is ${c.firstPm}); ` +
        `${r.aligned} aligned with ${r.excursions} interrupt excursions skipped`);
      if (c.divergence) t.diagnostic(c.divergence);
      assert.ok(c.firstPm > 0, 'QEMU never entered protected mode in its trace');
      // The instruction that sets CR0.PE is QEMU's first PM record; everything up to it must agree.
      assert.ok(c.matched > c.firstPm, c.divergence ?? 'our trace ended early');
      if (!protectedModeMissing() && name === 'GRUB') {
        // GRUB's decompressor runs with interrupts off: timer-independent far past the switch.
        assert.ok(c.matched > c.firstPm + 50000, c.divergence ?? 'our trace ended early');
      }
    });
}
