// @tier full
// Lock-step with QEMU (qemuTrace.ts): QEMU 7.2 + SeaBIOS run the syslinux and GRUB
// images (qemuTrace.ts) and every guest instruction from 0000:7C00 on must agree with Bootscope's
// trace — CS:EIP and the registers, REP iterations one by one (compare.ts).
//
// What is covered: the first RECORDS guest instructions of each image, which take both through
// their first protected-mode entry and well beyond:
// - syslinux: MBR → VBR → ldlinux.sys, its first protected-mode entry at ≈75.9 k, then ≈74 k more
//   of ldlinux switching between 32-bit protected mode, 16-bit protected mode and real mode to call
//   the BIOS. From its STI ≈17 instructions after the entry on, QEMU's timer interrupts enter
//   ldlinux's own handler (≈1 per 2,000 instructions under QEMU's logging; ours, whose clock
//   follows the instruction count, first does after ≈16 M); those handler runs are skipped (compare.ts).
// - GRUB: boot.img → diskboot.img → core.img → the 32-bit kernel (first protected-mode entry at
//   ≈77.2 k) and its decompressor, with interrupts off in protected mode.
// A divergence fails with the instruction index, CS:EIP on both sides, the differing registers and
// the full state of both.
//
// On by default; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips it. A missing QEMU fails the test rather than
// skipping it: it is the reference, and .ci/run installs it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseOurTrace } from '../../emulator/record/traceDiff';
import { type Allowance, guestOnly, lockstep } from './compare';
import { grubImage, missingTools, syslinuxImage } from './images';
import { qemuMissing, qemuTrace } from './qemuTrace';

/** QEMU guest records that must agree; QEMU runs a little longer so that a handler run across the end is still skipped whole. */
const RECORDS = 150_000;
const MARGIN = 5_000;
let dir = '';

const skipped = process.env.BOOTSCOPE_SKIP_QEMU_LOCKSTEP === '1' ? 'BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1' : null;

/** Differences that come from the BIOS's data, not from executing the guest. */
const ALLOWANCES: Allowance[] = [{
  lin: 0x7c76, regs: ['esi'],
  why: "syslinux's VBR `lfs si,[0x78]` loads the INT 1Eh vector (diskette parameter table): F000:EFC7 as in IBM's BIOS here, F000:601C in SeaBIOS",
}];

/** Our trace of `image`, long enough to cover QEMU's guest instructions (our count includes the BIOS's). */
async function bootscopeTrace(image: string): Promise<string> {
  const t = join(dir, `${image.split('/').pop()}.jsonl`);
  await promisify(execFile)(process.execPath, ['dist/cli.js', 'run', image, '--max', String(RECORDS * 2), '--trace', t]);
  return t;
}

before(() => {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  dir = mkdtempSync(join(tmpdir(), 'bootscope-lockstep-'));
});

// Our two traces are ~55 MB each.
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, build, tools] of [['syslinux', syslinuxImage, 'syslinux'], ['GRUB', grubImage, 'grub']] as const) {
  test(`${name}: the first ${RECORDS} guest instructions from 0000:7C00, through the first protected-mode entry, agree with QEMU's (CS:EIP and registers)`,
    { skip: skipped ?? missingTools(tools) ?? false, timeout: 120_000 }, async (t) => {
      const missing = qemuMissing();
      assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips this test`);
      const image = build();
      const [q, oursFile] = await Promise.all([qemuTrace(image, (rs) => rs.length >= RECORDS + MARGIN, 90_000), bootscopeTrace(image)]);
      const qemu = guestOnly(q.records);
      const ours = guestOnly(parseOurTrace(readFileSync(oursFile, 'utf8')));
      const firstPm = qemu.findIndex((r) => (r.regs.cr0 & 1) !== 0);
      const c = lockstep(ours, qemu, ALLOWANCES);
      t.diagnostic(`${name}: QEMU ${q.seconds.toFixed(1)} s for ${qemu.length} guest instructions (the first in protected mode: record ${firstPm}); ` +
        `${c.matched} agree, ${c.repeats} repeated QEMU records dropped, interrupt handler runs skipped: QEMU ${c.interrupts.qemu}, ours ${c.interrupts.bootscope}; ${c.end.split('\n')[0]}`);
      for (const a of c.allowed) t.diagnostic(`allowed: ${a}`);
      assert.ok(firstPm > 0 && firstPm < RECORDS, `QEMU's first protected-mode instruction is not among its first ${RECORDS}`);
      assert.ok(!c.diverged && c.qemuCovered >= RECORDS, c.end);
    });
}
