// The boot lines of `npm run bench`: wall time to boot the syslinux image (test/boot/images.ts,
// built by test/boot/images.ts) from power-on to ldlinux.sys's first protected-mode instruction,
// and instructions per second over its first 10 M instructions (a run that stops early, e.g. for
// want of protected mode, reports what it ran); and the syslinux image that loads memtest86+ v6
// from power-on to memtest's first test (issue 22's boot goal: no slower than before its work).
import { existsSync, readFileSync } from 'node:fs';
import { Bios } from '../../emulator/bios/bios';
import { CR0_PE } from '../../emulator/cpu/regs';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine, type StopInfo } from '../../emulator/machine';
import { MEMTEST, memtestImage, missingTools, syslinuxImage } from '../boot/images';

function boot(image: Uint8Array, name = 'syslinux'): Machine {
  const m = new Machine({ hardDisks: [new DiskImage(image, { name })] });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  return m;
}

export function benchBoot(): string {
  const missing = missingTools('syslinux');
  if (missing) return `boot: skipped (${missing})`;
  const image = new Uint8Array(readFileSync(syslinuxImage()));
  // To the first protected-mode instruction: run in slices and stop once CR0.PE is set.
  let t0 = process.hrtime.bigint();
  let m = boot(image);
  let stop = m.run({ maxInstructions: 70_000 });
  while (!(m.cpu.cr0 & CR0_PE) && m.cpu.icount < 1_000_000 && stop.reason === 'max') stop = m.run({ maxInstructions: 100 });
  const toPe = Number(process.hrtime.bigint() - t0) / 1e9;
  const peAt = m.cpu.icount;
  t0 = process.hrtime.bigint();
  m = boot(image);
  stop = m.run({ maxInstructions: 10_000_000 }) as StopInfo;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const ips = m.cpu.icount / s;
  return `boot: syslinux image to CR0.PE=1 (instruction ${peAt.toLocaleString('en')}) in ${(toPe * 1000).toFixed(0)} ms; ` +
    `${m.cpu.icount.toLocaleString('en')} instructions (stop: ${stop.reason}) in ${s.toFixed(2)} s = ${(ips / 1e6).toFixed(1)} M instructions/s`;
}

/** memtest86+ prints its test number and name ("#0  [Address test, ...") on serial as a test starts. */
const FIRST_TEST = /#0 +\[/;
/** memtest86+ v6 reaches its first test after about 22 M instructions on the 80386 model. */
const MEMTEST_BUDGET = 100_000_000;

export function benchMemtest(): string {
  const missing = missingTools('syslinux') ?? (existsSync(MEMTEST) ? null : `${MEMTEST} is missing (Debian's memtest86+)`);
  if (missing) return `memtest86+: skipped (${missing})`;
  const image = new Uint8Array(readFileSync(memtestImage()));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const m = boot(image, 'memtest');
  // Slices of 250,000 instructions: the serial text is looked at between them.
  let stop: StopInfo | null = null;
  while (m.cpu.icount < MEMTEST_BUDGET && !FIRST_TEST.test(m.devices.output().serialText)) {
    stop = m.run({ maxInstructions: 250_000 });
    if (stop.reason !== 'max') break;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  if (!FIRST_TEST.test(m.devices.output().serialText)) {
    return `memtest86+: its first test not reached in ${m.cpu.icount.toLocaleString('en')} instructions (stop: ${stop?.reason ?? 'none'}), ${wall.toFixed(2)} s`;
  }
  return `memtest86+: the syslinux image from power-on to memtest86+'s first test (instruction ${m.cpu.icount.toLocaleString('en')}, ` +
    `looked at every 250,000) in ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU = ${(m.cpu.icount / cpu / 1e6).toFixed(1)} M instructions per CPU second`;
}
