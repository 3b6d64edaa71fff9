// One virtual clock: the TSC (one tick per instruction), the PIT, the CMOS RTC and the ACPI PM
// timer all follow the instruction count, so the TSC rate fixtures/clockProbe.asm measures against
// each of them — per 50 ms of a PIT channel 2 one-shot, per RTC second, per 50 ms of the PM timer —
// is the documented 4.772727 MHz (Clock.instructionsPerSecond); under QEMU's -icount rule
// (icountShift) it is 1 GHz, the TSC counting virtual nanoseconds. test/devices/qemuClocks.test.ts
// runs the same probe under QEMU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootImage } from '../bios/harness';
import { Clock, PIT_HZ } from '../../emulator/devices/clock';
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

test('under the -icount rule (shift 8) the TSC counts 256 per instruction and measures 1 GHz against the PIT, the RTC and the PM timer', () => {
  const r = bootImage(clockProbeImage(), { max: 200_000_000, icountShift: 8 });
  assert.equal(r.stop.reason, 'halt');
  assert.equal(r.m.devices.clock.instructionsPerSecond, 3_906_250);
  const f = frequencies(r.m.devices.com1.output);
  assert.equal(f.length, 3);
  for (const x of f) assert.ok(Math.abs(x - 1e9) / 1e9 < 1e-4, `${f.join(', ')} Hz, not 1 GHz`);
});

test('the -icount clock: PIT ticks are QEMU\'s ⌊ns × 1193182 / 10^9⌋ of ns = instructions << shift, exactly, far past 2^53 / tick rate', () => {
  for (const shift of [0, 3, 8, 9]) {
    const c = new Clock({ icountShift: shift });
    for (const n of [0, 1, 3, 4, 1_000_000, 15_000_001, 123_456_789_012, 2 ** 40 + 7]) {
      const ticks = (BigInt(n) << BigInt(shift)) * BigInt(PIT_HZ) / 1_000_000_000n;
      assert.equal(c.pitTicks(n), Number(ticks), `shift ${shift}, instruction ${n}`);
      // The first instruction of a tick is in it, the one before it is not.
      const first = c.instructionOfPitTick(Number(ticks));
      assert.equal(c.pitTicks(first), Number(ticks));
      if (first > 0) assert.ok(c.pitTicks(first - 1) < Number(ticks));
    }
  }
  assert.throws(() => new Clock({ icountShift: 10 }), /icountShift must be an integer from 0 to 9, not 10/);
});
