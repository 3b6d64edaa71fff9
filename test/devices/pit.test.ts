// 8254 PIT programmed through ports 0x40–0x43 and 0x61, timed by the instruction clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { PicPair } from '../../emulator/devices/pic';
import { Pit } from '../../emulator/devices/pit';
import { SystemControlPortB } from '../../emulator/devices/port61';
import { Clock } from '../../emulator/devices/clock';

function setup(instructionsPerPitTick = 4) {
  const io = new IoBus();
  const clock = new Clock({ instructionsPerPitTick });
  const pic = new PicPair();
  pic.attach(io);
  io.out8(0x20, 0x11); io.out8(0x21, 0x08); io.out8(0x21, 0x04); io.out8(0x21, 0x01); io.out8(0x21, 0x00);
  const pit = new Pit({ clock, irq: pic });
  pit.attach(io);
  const portB = new SystemControlPortB(pit);
  portB.attach(io);
  let reschedules = 0;
  clock.onReschedule = () => reschedules++;
  return { io, clock, pic, pit, reschedules: () => reschedules };
}

/** Runs the CPU the way the machine does: bursts up to the next device event. */
function runUntilIrq(clock: Clock, pic: PicPair, limit: number): number {
  while (clock.now < limit) {
    const n = Math.min(clock.nextEventIn(), limit - clock.now);
    clock.advance(Math.max(n, 1));
    if (pic.hasInterrupt()) return clock.now;
  }
  return -1;
}

test('mode 2 with divisor 1000 raises IRQ0 every 1000 PIT ticks (4000 instructions)', () => {
  const { io, clock, pic, reschedules } = setup();
  io.out8(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2, binary
  io.out8(0x40, 1000 & 0xff);
  io.out8(0x40, 1000 >> 8);
  assert.ok(reschedules() >= 1);
  // Loaded on the next PIT clock (tick 1), rising edge when the count reaches 0 → tick 1001.
  assert.equal(clock.nextEventAt(), 1001 * 4);
  assert.equal(runUntilIrq(clock, pic, 100000), 4004);
  assert.equal(pic.acknowledge(), 0x08);
  io.out8(0x20, 0x20);
  assert.equal(runUntilIrq(clock, pic, 100000), 8004);
});

test('IRQ0 does not fire one instruction early', () => {
  const { io, clock, pic } = setup();
  io.out8(0x43, 0x34);
  io.out8(0x40, 100);
  io.out8(0x40, 0);
  clock.advance(101 * 4 - 1);
  assert.equal(pic.hasInterrupt(), false);
  clock.advance(1);
  assert.equal(pic.hasInterrupt(), true);
});

test('mode 3 count 0 is the BIOS 18.2 Hz tick: 65536 PIT ticks per IRQ0', () => {
  const { io, clock, pic } = setup(1);
  io.out8(0x43, 0x36);
  io.out8(0x40, 0);
  io.out8(0x40, 0);
  assert.equal(runUntilIrq(clock, pic, 1e6), 65537);
  pic.acknowledge();
  io.out8(0x20, 0x20);
  assert.equal(runUntilIrq(clock, pic, 1e6), 65537 + 65536);
});

test('counter latch and lobyte/hibyte reads count down with the instruction clock', () => {
  const { io, clock } = setup(1);
  io.out8(0x43, 0x34);
  io.out8(0x40, 0x00);
  io.out8(0x40, 0x10); // 0x1000
  clock.advance(1 + 0x100); // loaded at tick 1, then 0x100 ticks
  io.out8(0x43, 0x00); // latch channel 0
  clock.advance(50); // the latched value does not move
  assert.equal(io.in8(0x40), 0x00);
  assert.equal(io.in8(0x40), 0x0f);
  // Live read without a latch.
  const lo = io.in8(0x40);
  const hi = io.in8(0x40);
  assert.equal((hi << 8) | lo, 0x1000 - 0x100 - 50);
});

test('mode 0 one-shot: OUT low until terminal count, then high; read-back status shows it', () => {
  const { io, clock, pic } = setup(1);
  io.out8(0x43, 0x30); // channel 0, lo/hi, mode 0
  io.out8(0x40, 10);
  io.out8(0x40, 0);
  io.out8(0x43, 0xe2); // read-back: status only, channel 0
  assert.equal(io.in8(0x40), 0x30, 'OUT low, count loaded, access 3, mode 0');
  assert.equal(runUntilIrq(clock, pic, 1000), 11);
  io.out8(0x43, 0xe2);
  assert.equal(io.in8(0x40) & 0x80, 0x80, 'OUT high after terminal count');
  assert.equal(clock.nextEventAt(), Infinity, 'mode 0 fires once');
});

test('lobyte-only access mode and BCD counting', () => {
  const { io, clock } = setup(1);
  io.out8(0x43, 0x15); // channel 0, lobyte only, mode 2, BCD
  io.out8(0x40, 0x99);
  clock.advance(1 + 10);
  assert.equal(io.in8(0x40), 0x89);
  assert.equal(io.in8(0x40), 0x89, 'lobyte access: every read is the low byte');
});

test('channel 2 via port 0x61: gate starts a mode 0 count, OUT2 appears in bit 5', () => {
  const { io, clock } = setup(1);
  io.out8(0x61, 0x00);
  io.out8(0x43, 0xb0); // channel 2, lo/hi, mode 0
  io.out8(0x42, 100);
  io.out8(0x42, 0);
  clock.advance(500);
  assert.equal(io.in8(0x61) & 0x20, 0, 'gate low: the count is held');
  io.out8(0x61, 0x01);
  clock.advance(100);
  assert.equal(io.in8(0x61) & 0x20, 0);
  clock.advance(1);
  assert.equal(io.in8(0x61) & 0x21, 0x21);
});

test('port 0x61 refresh bit flips on every read, as QEMU does', () => {
  const { io } = setup(1);
  const reads = [io.in8(0x61), io.in8(0x61), io.in8(0x61)].map((v) => v & 0x10);
  assert.deepEqual(reads, [0x10, 0x00, 0x10]);
});

test('mode 3 counts down by two, twice per period; OUT is high for the first half', () => {
  const { io, clock, pit } = setup(1);
  io.out8(0x43, 0x36);
  io.out8(0x40, 10);
  io.out8(0x40, 0);
  const read = () => { io.out8(0x43, 0x00); return io.in8(0x40) | (io.in8(0x40) << 8); };
  clock.advance(1); // loaded
  assert.equal(read(), 10);
  clock.advance(1);
  assert.equal(read(), 8);
  clock.advance(4);
  assert.equal(read(), 10, 'second half of the period starts again from the reload value');
  assert.equal(pit.channels[0].out(clock.pitTicks()), false);
  clock.advance(5);
  assert.equal(pit.channels[0].out(clock.pitTicks()), true);
});

test('read-back latches the count of several channels at once', () => {
  const { io, clock } = setup(1);
  io.out8(0x43, 0x34); io.out8(0x40, 0x00); io.out8(0x40, 0x01); // ch0 256
  io.out8(0x43, 0xb4); io.out8(0x42, 0x00); io.out8(0x42, 0x02); // ch2 512 (gate low: held)
  clock.advance(11);
  io.out8(0x43, 0xda); // read-back: count only, channels 0 and 2
  clock.advance(100);
  assert.equal(io.in8(0x40) | (io.in8(0x40) << 8), 256 - 10);
  assert.equal(io.in8(0x42) | (io.in8(0x42) << 8), 512, 'a low gate holds channel 2 at its reload value');
  io.out8(0x61, 0x01); // gate up: counting starts on the next clock
  clock.advance(1 + 20);
  io.out8(0x43, 0x80);
  assert.equal(io.in8(0x42) | (io.in8(0x42) << 8), 512 - 20);
});

test('mode 4 software strobe: one IRQ0 after the count, OUT low for one tick', () => {
  const { io, clock, pic } = setup(1);
  io.out8(0x43, 0x38); // ch0 lo/hi mode 4
  io.out8(0x40, 50);
  io.out8(0x40, 0);
  assert.equal(clock.nextEventAt(), 1 + 50 + 1);
  clock.advance(52);
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(clock.nextEventAt(), Infinity);
});

test('with clock.counter the PIT count moves mid-burst, as a polling delay loop needs', () => {
  const { io, clock } = setup(1);
  let icount = 0;
  clock.counter = () => icount;
  io.out8(0x43, 0x34); io.out8(0x40, 0x00); io.out8(0x40, 0x10);
  const read = () => { io.out8(0x43, 0x00); return io.in8(0x40) | (io.in8(0x40) << 8); };
  icount = 1 + 0x100; // the CPU ran; no advance() yet
  assert.equal(read(), 0x1000 - 0x100);
  icount += 0x10;
  assert.equal(read(), 0x1000 - 0x110);
  clock.advance(0x110); // the burst ends: the counter already holds the time
  assert.equal(clock.now, 0x111);
});
