// The wired device set: BIOS-like initial programming, the machine's burst loop, reset sources,
// and snapshots that replay identically (reverse execution depends on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices, type ResetSource } from '../../emulator/devices/pcDevices';

function setup(keys?: string) {
  const io = new IoBus();
  const memory = new Memory({ ramSize: 64 << 20 });
  const dev = new PcDevices({ memory, io, keys, keyByteInterval: 1000 });
  const irqLevels: boolean[] = [];
  dev.pic.onChange = (v) => irqLevels.push(v);
  const resets: ResetSource[] = [];
  dev.onReset = (s) => resets.push(s);
  return { io, memory, dev, irqLevels, resets };
}

/** The machine's loop without a CPU: bursts up to the next event; every interrupt is acknowledged and EOI'd. */
function run(dev: PcDevices, io: IoBus, until: number, log: string[]): void {
  while (dev.clock.now < until) {
    dev.advance(Math.max(1, Math.min(dev.nextEventIn(), until - dev.clock.now)));
    while (dev.pic.hasInterrupt()) {
      const v = dev.pic.acknowledge();
      let extra = '';
      if (v === 0x09) extra = ` key ${io.in8(0x60).toString(16)}`;
      if (v === 0x70) { io.out8(0x70, 0x0c); extra = ` rtc ${io.in8(0x71).toString(16)}`; } // the handler reads register C
      log.push(`${dev.clock.now}: int ${v.toString(16)}${extra}`);
      if (v >= 0x70) io.out8(0xa0, 0x20);
      io.out8(0x20, 0x20);
    }
  }
}

test('programAsBios: IRQ0 at 18.2 Hz (65536 PIT ticks × 4 instructions) and vectors 08h/70h', () => {
  const { io, dev, irqLevels } = setup();
  dev.programAsBios(io);
  assert.equal(io.in8(0x21), 0xb8);
  assert.equal(dev.nextEventIn(), 65537 * 4);
  const log: string[] = [];
  run(dev, io, 3 * 65536 * 4 + 10, log);
  assert.deepEqual(log, ['262148: int 8', '524292: int 8', '786436: int 8']);
  assert.deepEqual(irqLevels.slice(0, 2), [true, false]);
});

test('programAsBios leaves the ports as SeaBIOS 1.16 under QEMU 7.2 leaves them at 0000:7C00', () => {
  const { io, dev, memory } = setup();
  memory.setA20(false);
  dev.programAsBios(io);
  // Values read by a probe boot sector in QEMU (-m 64, one IDE disk, no floppy).
  const got = {
    imr: [io.in8(0x21), io.in8(0xa1)], port92: io.in8(0x92), port61: io.in8(0x61) & 0x0f,
    com1: [io.in8(0x3f9), io.in8(0x3fb), io.in8(0x3fc)], kbcStatus: io.in8(0x64),
  };
  assert.deepEqual(got, { imr: [0xb8, 0x8e], port92: 0x02, port61: 0x00, com1: [0x00, 0x00, 0x08], kbcStatus: 0x1c });
  assert.equal(memory.a20Enabled, true);
  io.out8(0x64, 0x20);
  assert.equal(io.in8(0x60), 0x61);
  io.out8(0x43, 0xe2);
  assert.equal(io.in8(0x40) & 0x3f, 0x34, 'channel 0: lobyte/hibyte, mode 2, binary');
  const cmos = (i: number) => { io.out8(0x70, i); return io.in8(0x71); };
  const measured: [number, number][] = [
    [0x0a, 0x26], [0x0b, 0x02], [0x0d, 0x80], [0x0f, 0x00], [0x10, 0x00], [0x12, 0xf0], [0x14, 0x06], [0x15, 0x80],
    [0x16, 0x02], [0x17, 0x00], [0x18, 0xfc], [0x19, 0x2f], [0x30, 0x00], [0x31, 0xfc], [0x32, 0x20], [0x34, 0x00], [0x35, 0x03],
  ];
  for (const [reg, v] of measured) assert.equal(cmos(reg), v, `CMOS ${reg.toString(16)}`);
});

test('keys queued at start arrive on IRQ1 between timer ticks', () => {
  const { io, dev } = setup('ok');
  dev.programAsBios(io);
  const log: string[] = [];
  run(dev, io, 5000, log);
  assert.deepEqual(log, ['1000: int 9 key 18', '2000: int 9 key 98', '3000: int 9 key 25', '4000: int 9 key a5']);
});

test('reset sources are told apart', () => {
  const { io, resets } = setup();
  io.out8(0x64, 0xfe);
  io.out8(0x64, 0xd1);
  io.out8(0x60, 0x00);
  io.out8(0x92, 0x01);
  assert.deepEqual(resets, ['kbc-pulse', 'kbc-output-port', 'port92']);
});

test('output() collects POST codes, 0xE9 text and COM1 text', () => {
  const { io, dev } = setup();
  io.out8(0x80, 0x12);
  io.out8(0xe9, 0x41);
  io.out8(0x3f8, 0x42);
  assert.deepEqual(dev.output(), { postCodes: [0x12], debugText: 'A', serialText: 'B' });
});

test('a snapshot restored mid-run replays the same device events', () => {
  const { io, dev } = setup('abc');
  dev.programAsBios(io);
  io.out8(0x43, 0x34); io.out8(0x40, 0x10); io.out8(0x40, 0x27); // 10000-tick rate generator
  const before: string[] = [];
  run(dev, io, 2500, before);
  const snap = dev.saveState();
  const first: string[] = [];
  run(dev, io, 200000, first);
  io.out8(0x43, 0x00);
  const count1 = io.in8(0x40) | (io.in8(0x40) << 8);
  dev.loadState(snap);
  const second: string[] = [];
  run(dev, io, 200000, second);
  io.out8(0x43, 0x00);
  const count2 = io.in8(0x40) | (io.in8(0x40) << 8);
  assert.ok(first.length >= 8, first.join('\n'));
  assert.deepEqual(second, first);
  assert.equal(count2, count1);
  assert.equal(dev.kbc.keys.length, 0);
});

test('two runs with the same inputs give identical device event logs', () => {
  const logs = [0, 1].map(() => {
    const { io, dev } = setup('run\n');
    dev.programAsBios(io);
    io.out8(0x70, 0x0b); io.out8(0x71, 0x42); // RTC periodic interrupt on
    const log: string[] = [];
    run(dev, io, 600000, log);
    io.out8(0x70, 0x00);
    log.push(`rtc seconds ${io.in8(0x71)}`);
    return log.join('\n');
  });
  assert.ok(logs[0].split('\n').length > 100);
  assert.equal(logs[1], logs[0]);
});
