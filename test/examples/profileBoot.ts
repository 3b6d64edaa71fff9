// Boots an example on the live emulator with a hypervisor profile armed (what `run --profile` wires), for
// the example tests that look inside the machine; apart from helpers.ts, so the tests that only run the
// CLI do not load the emulator.
import { readFileSync } from 'node:fs';
import { Bios } from '../../emulator/bios/bios';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine } from '../../emulator/machine';
import { VmentryMonitor } from '../../emulator/vmx/monitor';
import { image } from './helpers';

export function bootWithProfile(name: string, opts: { profile: 'raw' | 'unrestricted' | 'xen-vm86' | 'kvm-rmode'; breakOnEmulation?: boolean; breakOnFailure?: boolean }) {
  const file = image(name);
  const m = new Machine({ hardDisks: [new DiskImage(new Uint8Array(readFileSync(file)), { kind: 'hard', name: file })] });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  const mon = new VmentryMonitor(opts);
  const run = (until: number[] = [], max = 5_000_000) =>
    m.run({ maxInstructions: max, beforeInstruction: mon.beforeInstruction, until: until.map((address) => ({ kind: 'linear' as const, address })) });
  return { m, mon, run };
}
