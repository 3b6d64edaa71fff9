// The boot line of `npm run bench`: wall time to boot the syslinux image (test/boot/images.ts,
// built by test/boot/images.ts) from power-on to ldlinux.sys's first protected-mode instruction,
// and instructions per second over its first 10 M instructions (a run that stops early, e.g. for
// want of protected mode, reports what it ran).
import { readFileSync } from 'node:fs';
import { Bios } from '../../emulator/bios/bios';
import { CR0_PE } from '../../emulator/cpu/regs';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine, type StopInfo } from '../../emulator/machine';
import { missingTools, syslinuxImage } from '../boot/images';

function boot(image: Uint8Array): Machine {
  const m = new Machine({ hardDisks: [new DiskImage(image, { name: 'syslinux' })] });
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
