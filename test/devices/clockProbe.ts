// The clock probe (fixtures/clockProbe.asm) for test/devices/clocks.test.ts and qemuClocks.test.ts:
// assembled into a boot disk, and its output read as TSC frequencies.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleProbe } from './portScript';

/** Assembles the probe; returns the boot disk image. */
export function clockProbeImage(): Uint8Array {
  const bin = join(mkdtempSync(join(tmpdir(), 'bootscope-clock-')), 'probe.bin');
  assembleProbe('test/devices/fixtures/clockProbe.asm', bin);
  const img = new Uint8Array(1 << 20);
  img.set(readFileSync(bin));
  return img;
}

/** The probe's three measurements as TSC frequencies in Hz: [PIT, RTC, PM timer]. */
export function frequencies(serial: string): number[] {
  const [pit, rtc, pm] = serial.trim().split(/\s+/).map((w) => parseInt(w, 16));
  return [pit * 20, rtc, pm * 20];
}
