// Lock-step with QEMU (../shared/boot/QEMU-TRACE.md): QEMU 7.2 + SeaBIOS run the syslinux and GRUB
// images (qemuTrace.ts) and every guest instruction from 0000:7C00 on must agree with Bootscope's
// trace — CS:EIP and the registers, REP iterations one by one (compare.ts).
//
// What is covered: everything up to the point where the two runs may legitimately part, which is
// the first hardware interrupt into the guest's own handler (QEMU's IRQ timing follows the host
// clock, ours the instruction count). In real mode the IVT's timer vector is the BIOS's, whose code
// is not compared, so that point comes only once the guest runs in protected mode with IF set:
// - syslinux: MBR → VBR → ldlinux.sys through its first protected-mode entry (≈75.9 k instructions)
//   and the ~17 protected-mode instructions before its STI must agree; on from there as long as no
//   interrupt arrives (typically a few hundred to a few thousand more, with real-mode BIOS calls
//   from protected mode); the first divergence must be an interrupt entry.
// - GRUB: boot.img → diskboot.img → core.img → the 32-bit kernel and its decompressor run with
//   interrupts off in protected mode, so all of the first RECORDS instructions must agree (its first
//   protected-mode entry is at ≈77.2 k).
// A divergence fails with the instruction index, CS:EIP on both sides, the differing registers and
// the full state of both.
//
// On by default; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips it. A missing QEMU fails the test rather than
// skipping it: it is the reference, and .ci/run installs it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseOurTrace } from '../../emulator/record/traceDiff';
import { type Allowance, guestOnly, lockstep } from './compare';
import { grubImage, missingTools, syslinuxImage } from './images';
import { qemuMissing, qemuTrace } from './qemuTrace';

/** QEMU records compared at most: GRUB's first protected-mode entry is at ≈77.2 k; this takes ≈4 s of QEMU. */
const RECORDS = 150_000;
const IF = 0x200;
let dir = '';

const skipped = process.env.BOOTSCOPE_SKIP_QEMU_LOCKSTEP === '1' ? 'BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1' : null;

/** Differences that come from the BIOS's data, not from executing the guest. */
const ALLOWANCES: Allowance[] = [{
  lin: 0x7c76, regs: ['esi'],
  why: "syslinux's VBR `lfs si,[0x78]` loads the INT 1Eh vector (diskette parameter table): F000:EFC7 as in IBM's BIOS here, F000:601C in SeaBIOS",
}];

/** Our trace of `image`, long enough to cover RECORDS guest instructions (BIOS code and REP iterations count too). */
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

for (const [name, build, tools] of [['syslinux', syslinuxImage, 'syslinux'], ['GRUB', grubImage, 'grub']] as const) {
  test(`${name}: every instruction from 0000:7C00 through the first protected-mode entry agrees with QEMU (CS:EIP and registers)`,
    { skip: skipped ?? missingTools(tools) ?? false, timeout: 120_000 }, async (t) => {
      const missing = qemuMissing();
      assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips this test`);
      const image = build();
      const [q, oursFile] = await Promise.all([qemuTrace(image, (rs) => rs.length >= RECORDS, 90_000), bootscopeTrace(image)]);
      const qemu = guestOnly(q.records).slice(0, RECORDS);
      const ours = guestOnly(parseOurTrace(readFileSync(oursFile, 'utf8')));
      const firstPm = qemu.findIndex((r) => (r.regs.cr0 & 1) !== 0);
      assert.ok(firstPm > 0, `QEMU never entered protected mode in its first ${qemu.length} guest instructions`);
      // From here on an interrupt may enter the guest's own handler at a host-clock-dependent point.
      const pmIf = qemu.findIndex((r) => (r.regs.cr0 & 1) !== 0 && (r.regs.eflags & IF) !== 0);
      const mustMatch = pmIf < 0 ? qemu.length : pmIf;
      const c = lockstep(ours, qemu, ALLOWANCES);
      t.diagnostic(`${name}: QEMU ${q.seconds.toFixed(1)} s for ${qemu.length} guest instructions (the first in protected mode: record ${firstPm}; ` +
        `${c.repeats} repeated records dropped); ${c.matched} agree${c.interrupt ? `, then ${c.interrupt === 'qemu' ? 'QEMU' : 'Bootscope'} took an interrupt` : ''}`);
      for (const a of c.allowed) t.diagnostic(`allowed: ${a}`);
      assert.ok(c.qemuCovered >= mustMatch,
        c.divergence ?? `our trace ended after ${ours.length} guest instructions, before QEMU's ${mustMatch}`);
      assert.ok(c.divergence === null || c.interrupt !== null, c.divergence ?? '');
    });
}
