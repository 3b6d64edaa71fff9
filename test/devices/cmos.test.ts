// CMOS/RTC read through ports 0x70/0x71 as a BIOS or loader does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { PicPair } from '../../emulator/devices/pic';
import { Clock } from '../../emulator/devices/clock';
import { Cmos, FLOPPY_1_44M } from '../../emulator/devices/cmos';

function setup(opts: Partial<ConstructorParameters<typeof Cmos>[0]> = {}) {
  const io = new IoBus();
  const clock = new Clock({ instructionsPerPitTick: 1 });
  const pic = new PicPair();
  pic.attach(io);
  io.out8(0xa0, 0x11); io.out8(0xa1, 0x70); io.out8(0xa1, 0x02); io.out8(0xa1, 0x01); io.out8(0xa1, 0x00);
  io.out8(0x20, 0x11); io.out8(0x21, 0x08); io.out8(0x21, 0x04); io.out8(0x21, 0x01); io.out8(0x21, 0x00);
  const cmos = new Cmos({ clock, irq: pic, memoryBytes: 64 << 20, start: { year: 2025, month: 3, day: 9, hour: 23, minute: 59, second: 58 }, ...opts });
  cmos.attach(io);
  const rd = (i: number) => { io.out8(0x70, i); return io.in8(0x71); };
  return { io, clock, pic, cmos, rd };
}

test('time and date read as BCD from the configured start', () => {
  const { rd } = setup();
  assert.equal(rd(0x00), 0x58);
  assert.equal(rd(0x02), 0x59);
  assert.equal(rd(0x04), 0x23);
  assert.equal(rd(0x07), 0x09);
  assert.equal(rd(0x08), 0x03);
  assert.equal(rd(0x09), 0x25);
  assert.equal(rd(0x32), 0x20, 'century');
  assert.equal(rd(0x06), 0x01, '2025-03-09 is a Sunday (weekday 1)');
});

test('time advances with the instruction count and rolls over the date', () => {
  const { rd, clock } = setup();
  clock.advance(clock.instructionsPerSecond * 3); // 23:59:58 + 3 s
  assert.equal(rd(0x00), 0x01);
  assert.equal(rd(0x02), 0x00);
  assert.equal(rd(0x04), 0x00);
  assert.equal(rd(0x07), 0x10);
});

test('binary mode and 12-hour mode per register B', () => {
  const { io, rd } = setup();
  io.out8(0x70, 0x0b);
  io.out8(0x71, 0x04); // binary, 12-hour
  assert.equal(rd(0x00), 58);
  assert.equal(rd(0x04), 0x80 | 11, '23h is 11 PM');
  io.out8(0x70, 0x0b);
  io.out8(0x71, 0x06);
  assert.equal(rd(0x04), 23);
});

test('status registers: A default 26h, D valid, UIP only in the last 244 µs of a second', () => {
  const { rd, clock } = setup();
  assert.equal(rd(0x0a), 0x26);
  assert.equal(rd(0x0d), 0x80);
  assert.equal(rd(0x0b), 0x02);
  clock.advance(clock.instructionsPerSecond - 100);
  assert.equal(rd(0x0a), 0xa6);
  clock.advance(200);
  assert.equal(rd(0x0a), 0x26);
});

test('register C: update-ended flag set each second, cleared on read', () => {
  const { rd, clock } = setup();
  assert.equal(rd(0x0c), 0);
  clock.advance(clock.instructionsPerSecond);
  // UF set; PF too (the periodic flag runs whatever PIE says); no IRQF with interrupts disabled.
  assert.equal(rd(0x0c), 0x50);
  assert.equal(rd(0x0c), 0);
});

test('periodic interrupt on IRQ8 when PIE is set', () => {
  const { io, rd, clock, pic } = setup();
  io.out8(0x70, 0x0b);
  io.out8(0x71, 0x42); // PIE, 24h
  const at = clock.nextEventAt();
  assert.equal(at, Math.round(clock.instructionsPerSecond / 1024));
  clock.advance(at);
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(pic.acknowledge(), 0x70);
  assert.equal(rd(0x0c) & 0xc0, 0xc0);
});

test('memory size bytes for 64 MiB, floppy type and checksum', () => {
  const { rd, cmos } = setup({ floppyTypes: [FLOPPY_1_44M, 0] });
  assert.equal(rd(0x15) | (rd(0x16) << 8), 640);
  assert.equal(rd(0x17) | (rd(0x18) << 8), 63 * 1024);
  assert.equal(rd(0x30) | (rd(0x31) << 8), 63 * 1024);
  assert.equal(rd(0x34) | (rd(0x35) << 8), (48 << 20) >> 16);
  assert.equal(rd(0x10), 0x40);
  assert.equal(rd(0x14) & 0xc1, 0x01, 'one floppy drive');
  let sum = 0;
  for (let i = 0x10; i <= 0x2d; i++) sum += cmos.ram[i];
  assert.equal((rd(0x2e) << 8) | rd(0x2f), sum);
});

test('NMI mask bit and NVRAM writes', () => {
  const { io, cmos, rd } = setup();
  io.out8(0x70, 0x8f);
  assert.equal(cmos.nmiMasked, true);
  io.out8(0x71, 0x0a); // shutdown status byte
  assert.equal(rd(0x0f), 0x0a);
  assert.equal(cmos.nmiMasked, false);
});

test('the guest sets the time; it keeps running from there', () => {
  const { io, rd, clock } = setup();
  io.out8(0x70, 0x04);
  io.out8(0x71, 0x08);
  assert.equal(rd(0x04), 0x08);
  clock.advance(clock.instructionsPerSecond);
  assert.equal(rd(0x00), 0x59);
  assert.equal(rd(0x07), 0x09);
});

test('SET bit: fields written one by one take effect together when SET is cleared', () => {
  const { io, rd, clock } = setup({ start: { year: 2025, month: 1, day: 31, hour: 12, minute: 0, second: 0 } });
  const wr = (i: number, v: number) => { io.out8(0x70, i); io.out8(0x71, v); };
  wr(0x0b, 0x82); // SET, 24h, BCD
  wr(0x08, 0x02); // February (Feb 31 would be normalised to March if applied alone)
  wr(0x07, 0x15);
  wr(0x04, 0x09);
  assert.equal(rd(0x0a) & 0x80, 0, 'no update in progress while SET');
  wr(0x0b, 0x02);
  assert.deepEqual([rd(0x08), rd(0x07), rd(0x04), rd(0x00)], [0x02, 0x15, 0x09, 0x00]);
  assert.equal(rd(0x06), 0x07, '2025-02-15 is a Saturday');
  clock.advance(clock.instructionsPerSecond * 61);
  assert.deepEqual([rd(0x02), rd(0x00)], [0x01, 0x01]);
});

test('boot order and translation bytes as QEMU writes them for SeaBIOS', () => {
  const { rd } = setup({ diskTranslations: [2] });
  assert.deepEqual([rd(0x3d), rd(0x38), rd(0x39)], [0x12, 0x30, 0x02], 'measured in QEMU for the 32M syslinux image');
  const fl = setup({ bootOrder: ['fd', 'hd'] });
  assert.deepEqual([fl.rd(0x3d), fl.rd(0x38)], [0x21, 0x00]);
});
