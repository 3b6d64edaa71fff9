// @tier full
// The clock probe (fixtures/clockProbe.asm) under QEMU 7.2 with a virtual clock (`-icount
// shift=8,sleep=off -rtc clock=vm`: its TSC, PIT, RTC and PM timer follow the instruction count, as
// Bootscope's do), and under Bootscope: in both the TSC rate measured against the PIT, the RTC and
// the PM timer agree, which is what software calibrating one clock against another relies on (the
// rates themselves differ: QEMU's TSC counts virtual nanoseconds, 1 GHz; Bootscope's instructions,
// unless its clock follows QEMU's -icount rule, when they are QEMU's).
// Then memtest86+ v6, which calibrates its CLK from the TSC against PIT channel 2, shows each
// machine's measured rate in MHz, and with the 80387 its elapsed time follows the instruction count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootImage } from '../bios/harness';
import { clockProbeImage, frequencies } from './clockProbe';
import { MEMTEST, memtestImage, missingTools } from '../boot/images';
import { qemuAvailable } from './portScript';
import { QEMU } from '../../host/qemu';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-clocks-'));
const ICOUNT = ['-icount', 'shift=8,sleep=off', '-rtc', 'clock=vm'];

function agree(f: number[], tolerance: number): void {
  for (const x of f) assert.ok(Math.abs(x - f[0]) / f[0] < tolerance, `rates ${f.join(', ')} Hz disagree`);
}

test('TSC against PIT, RTC and PM timer: consistent under QEMU with a virtual clock and under Bootscope', { skip: !qemuAvailable() && 'qemu-system-i386 or nasm not installed' }, () => {
  const img = join(dir, 'probe.img');
  writeFileSync(img, clockProbeImage());
  const log = join(dir, 'probe.serial');
  spawnSync(QEMU, ['-nodefaults', '-display', 'none', '-m', '64', ...ICOUNT, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${img},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`], { timeout: 60_000 });
  const qemu = frequencies(existsSync(log) ? readFileSync(log, 'latin1') : '');
  assert.equal(qemu.length, 3);
  agree(qemu, 1e-3);
  const ours = bootImage(clockProbeImage(), { max: 50_000_000 });
  agree(frequencies(ours.m.devices.com1.output), 1e-4);
  // Bootscope under QEMU's -icount rule (the lock-step's clock) measures QEMU's rates: 1 GHz every way.
  const icount = bootImage(clockProbeImage(), { max: 200_000_000, icountShift: 8 });
  agree([...qemu, ...frequencies(icount.m.devices.com1.output)], 1e-3);
});

/** Runs QEMU until its serial log matches `until` (or 120 s); returns the log. */
async function qemuUntil(args: string[], log: string, until: RegExp): Promise<string> {
  const q = spawn(QEMU, [...args, '-serial', `file:${log}`], { stdio: 'ignore' });
  const text = () => (existsSync(log) ? readFileSync(log, 'latin1') : '');
  try {
    for (const end = Date.now() + 120_000; Date.now() < end && q.exitCode === null && !until.test(text());) await new Promise((r) => setTimeout(r, 200));
  } finally {
    q.kill('SIGKILL');
  }
  return text();
}

const CLK = /CLK\/Temp:\s+(\d+)MHz/;

test("memtest86+'s CLK is the TSC rate each machine's clocks give", {
  skip: !qemuAvailable() ? 'qemu-system-i386 or nasm not installed' : !existsSync(MEMTEST) ? `${MEMTEST} is missing (Debian: memtest86+)` : missingTools('syslinux') ?? false,
}, async () => {
  const img = memtestImage();
  const serial = await qemuUntil(['-nodefaults', '-display', 'none', '-m', '64', ...ICOUNT, '-drive', `file=${img},format=raw,snapshot=on`],
    join(dir, 'memtest.serial'), CLK);
  const qemuClk = CLK.exec(serial);
  assert.ok(qemuClk, `QEMU: no CLK line on serial: ${serial}`);
  assert.equal(Number(qemuClk[1]), 1000, 'QEMU -icount: its TSC counts virtual nanoseconds');
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', img, '--max', '25000000', '--screen', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const clk = CLK.exec(JSON.parse(r.stdout).screen.join('\n'));
  assert.ok(clk, r.stdout);
  assert.equal(Number(clk[1]), Math.floor(4 * 1_193_182 / 1e6), 'memtest truncates 4.772727 MHz to 4');
});

test("memtest86+'s elapsed time with the 80387 follows the instruction count", { skip: !existsSync(MEMTEST) ? `${MEMTEST} is missing (Debian: memtest86+)` : missingTools('syslinux') ?? false }, () => {
  // memtest86+ divides 64-bit TSC differences with the x87 (without one its clock reads 1325:33:20).
  const n = 400_000_000;
  const r = spawnSync(process.execPath, ['dist/cli.js', 'run', memtestImage(), '--fpu', '387', '--max', String(n), '--screen', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const time = /Time:\s+(\d+):(\d\d):(\d\d)/.exec(JSON.parse(r.stdout).screen.join('\n'));
  assert.ok(time, r.stdout);
  const secs = Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]);
  // Its run starts after the boot and its own set-up, so the elapsed time is below the whole run's.
  const whole = n / (4 * 1_193_182);
  assert.ok(secs > whole / 2 && secs <= whole, `memtest says ${secs} s after ${n} instructions (${whole.toFixed(1)} s)`);
});
