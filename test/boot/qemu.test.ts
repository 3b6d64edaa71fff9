// @tier full
// Lock-step with QEMU through `bootscope compare` (cli/commands/compare.ts): QEMU 7.2 (TCG) +
// SeaBIOS and Bootscope boot the syslinux and GRUB images and every guest instruction from
// 0000:7C00 on must agree — CS:EIP, the registers, EFLAGS, the selectors, CR0; REP iterations one
// by one (emulator/record/lockstep.ts).
//
// What is covered: the first RECORDS guest instructions of each image, which take both through
// their first protected-mode entry and well beyond:
// - syslinux: MBR → VBR → ldlinux.sys, its first protected-mode entry at ≈75.9 k, then ≈74 k more
//   of ldlinux switching between 32-bit protected mode, 16-bit protected mode and real mode to call
//   the BIOS, with interrupts on: a timer interrupt QEMU takes into ldlinux's own handler and we do
//   not (or the other way) is skipped by rule and counted as a resync.
// - GRUB: boot.img → diskboot.img → core.img → the 32-bit kernel (first protected-mode entry at
//   ≈77.2 k) and its decompressor, with interrupts off in protected mode.
// The same syslinux run with Bootscope's devices on QEMU's -icount clock, and with SeaBIOS on both
// machines (--bios). Then a run broken on purpose through the command's test hook, whose first divergence must be
// found at the very instruction, and a missing QEMU.
//
// On by default; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips it. A missing QEMU fails the test rather than
// skipping it: it is the reference, and .ci/run installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isGuest } from '../../emulator/record/lockstep';
import { parseOurTrace } from '../../emulator/record/traceDiff';
import { IDLE_SECONDS, qemuMissing } from '../../host/qemu';
import { grubImage, missingTools, syslinuxImage } from './images';

const RECORDS = 150_000;
const SEABIOS = '/usr/share/seabios/bios.bin', SEAVGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';
const skipped = process.env.BOOTSCOPE_SKIP_QEMU_LOCKSTEP === '1' ? 'BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1' : null;

interface Result { code: number; stdout: string; stderr: string }

async function compare(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  try {
    const r = await promisify(execFile)(process.execPath, ['dist/cli.js', 'compare', ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const assertQemu = () => {
  const missing = qemuMissing();
  assert.equal(missing, null, `${missing}; BOOTSCOPE_SKIP_QEMU_LOCKSTEP=1 skips this test`);
};

for (const [name, build, tools] of [['syslinux', syslinuxImage, 'syslinux'], ['GRUB', grubImage, 'grub']] as const) {
  test(`${name}: the first ${RECORDS} guest instructions from 0000:7C00, through the first protected-mode entry, agree with QEMU's`,
    { skip: skipped ?? missingTools(tools) ?? false, timeout: 180_000 }, async (t) => {
      assertQemu();
      const r = await compare([build(), '--max', String(RECORDS)]);
      t.diagnostic(`${name}:\n${r.stdout}`);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^no divergence: ${RECORDS} instructions from 0000:7C00 agree \\(the budget\\)$`, 'm'));
      const pm = Number(/^first protected-mode instruction: (\d+)$/m.exec(r.stdout)?.[1] ?? -1);
      assert.ok(pm > 0 && pm < RECORDS, `the first protected-mode instruction is not among the first ${RECORDS}`);
      assert.match(r.stdout, /^resyncs: \d+ interrupt handler runs/m);
    });
}

test('syslinux with --clock icount (Bootscope\'s devices on QEMU\'s -icount rule): the same agreement, the interrupt rule still on',
  { skip: skipped ?? missingTools('syslinux') ?? false, timeout: 180_000 }, async (t) => {
    assertQemu();
    const r = await compare([syslinuxImage(), '--max', String(RECORDS), '--clock', 'icount']);
    t.diagnostic(r.stdout);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^no divergence: ${RECORDS} instructions from 0000:7C00 agree \\(the budget\\)$`, 'm'));
    assert.match(r.stdout, /Bootscope on the same -icount clock\)$/m);
    // Both clocks run at one rate now, but QEMU's also counts SeaBIOS's instructions, which Bootscope's
    // BIOS does not execute, and where its interrupts land varies from run to run (README "Compare
    // with QEMU"): the interrupt rule still applies, however many runs it skips.
    assert.match(r.stdout, /^resyncs: \d+ interrupt handler runs on one side only skipped/m);
  });

test('syslinux with --bios: SeaBIOS and SeaVGABIOS on both machines, the same agreement without the BIOS-data excuse',
  { skip: skipped ?? missingTools('syslinux') ?? (existsSync(SEABIOS) ? false : `${SEABIOS} is missing (Debian package seabios)`), timeout: 180_000 }, async (t) => {
    assertQemu();
    const r = await compare([syslinuxImage(), '--max', String(RECORDS), '--bios', SEABIOS, '--vga-rom', SEAVGABIOS]);
    t.diagnostic(r.stdout);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^no divergence: ${RECORDS} instructions from 0000:7C00 agree \\(the budget\\)$`, 'm'));
    // The INT 1Eh vector the VBR loads is SeaBIOS's on both sides now: nothing to excuse.
    assert.doesNotMatch(r.stdout, /^excused: esi/m);
    assert.match(r.stdout, /^resyncs: \d+ interrupt handler runs/m);
  });

test('a run broken on purpose (BOOTSCOPE_TEST_COMPARE_FLIP) diverges at exactly that instruction, and says where',
  { skip: skipped ?? missingTools('syslinux') ?? false, timeout: 180_000 }, async () => {
    assertQemu();
    const image = syslinuxImage();
    // Where guest instruction N is, from an independent source: `bootscope run --trace`, guest records only.
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-'));
    try {
      const traceFile = join(dir, 't.jsonl');
      await promisify(execFile)(process.execPath, ['dist/cli.js', 'run', image, '--max', '200000', '--trace', traceFile]);
      const guest = parseOurTrace(readFileSync(traceFile, 'utf8')).filter((x) => isGuest(x.lin));
      // In the VBR (real mode) and in ldlinux after its first protected-mode entry.
      for (const n of [1000, 90_000]) {
        const at = guest[n];
        const where = `${at.cs.toString(16).padStart(4, '0')}:${at.eip.toString(16).padStart(8, '0')}`;
        const r = await compare([image, '--max', '100000'], { BOOTSCOPE_TEST_COMPARE_FLIP: String(n) });
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`^divergence at instruction ${n} from 0000:7C00, at ${where} lin=[0-9a-f]{8}: eax differs$`, 'm'));
        // The side-by-side state marks EAX, bit 0 flipped on our side, and nothing else.
        const eax = /\* eax +([0-9a-f]{8}) +([0-9a-f]{8})/.exec(r.stdout);
        assert.ok(eax, r.stdout);
        assert.equal(parseInt(eax[1], 16) ^ parseInt(eax[2], 16), 1);
        assert.equal(r.stdout.match(/\* (cs:eip|eax|ebx|ecx|edx|esi|edi|ebp|esp|eflags|ds|es|ss|fs|gs|cr0) /g)?.length, 1, r.stdout);
        assert.ok(r.stdout.split('\n').length <= 30, `more than a screen:\n${r.stdout}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('a guest that leaves the compared range ends the comparison after a quiet spell, short of the budget, and says why',
  { skip: skipped ?? false, timeout: 120_000 }, async () => {
    assertQemu();
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-'));
    try {
      // Four instructions, then `jmp $` at 0000:04F0, below the guest range neither side logs.
      writeFileSync(join(dir, 'away.asm'), [
        'org 0x7c00', 'xor ax, ax', 'mov ds, ax', 'mov word [0x4f0], 0xfeeb', 'jmp 0:0x4f0',
        'times 510-($-$$) db 0', 'dw 0xaa55', ''].join('\n'));
      const nasm = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'away.img'), join(dir, 'away.asm')], { encoding: 'utf8' });
      assert.equal(nasm.status, 0, nasm.stderr);
      const r = await compare([join(dir, 'away.img'), '--max', '1000']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // QEMU's log is buffered: its last records may never be written, as it writes nothing after them.
      const m = new RegExp(`^no divergence in (\\d) instructions from 0000:7C00, short of the budget: QEMU logged no guest instruction ` +
        `\\(linear 0x500..0x9FFFF\\) for ${IDLE_SECONDS} s after its record (\\d)`, 'm').exec(r.stdout);
      assert.ok(m && Number(m[1]) === Number(m[2]) + 1 && Number(m[1]) <= 4, r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('a QEMU that cannot be run: exit 1 and one line saying so', { skip: skipped ?? false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-compare-'));
  const sector = new Uint8Array(512);
  sector.set([0xeb, 0xfe]);
  sector.set([0x55, 0xaa], 510);
  const image = join(dir, 'boot.img');
  writeFileSync(image, sector);
  const r = await compare([image, '--qemu', '/nonexistent/qemu-system-i386']);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'bootscope compare: /nonexistent/qemu-system-i386 is not installed or does not run (Debian: apt-get install qemu-system-x86)\n');
});
