// One virtual clock: the TSC (one tick per instruction), the PIT, the CMOS RTC and the ACPI PM
// timer all follow the instruction count, so the TSC rate fixtures/clockProbe.asm measures against
// each of them — per 50 ms of a PIT channel 2 one-shot, per RTC second, per 50 ms of the PM timer —
// is the documented 4.772727 MHz (Clock.instructionsPerSecond). test/devices/qemuClocks.test.ts
// runs the same probe under QEMU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootImage } from '../bios/harness';
import { clockProbeImage, frequencies } from './clockProbe';

test('the TSC runs at the documented rate against the PIT, the RTC and the PM timer', () => {
  const r = bootImage(clockProbeImage(), { max: 50_000_000 });
  assert.equal(r.stop.reason, 'halt');
  const hz = r.m.devices.clock.instructionsPerSecond;
  assert.equal(hz, 4 * 1_193_182);
  for (const [name, f] of ['PIT', 'RTC', 'PM timer'].map((n, i) => [n, frequencies(r.m.devices.com1.output)[i]] as const)) {
    // The polling loops end a few instructions after the event: 0.01% is 24 instructions in 50 ms.
    assert.ok(Math.abs(f - hz) / hz < 1e-4, `${name}: ${f} Hz, not ${hz}`);
  }
});
