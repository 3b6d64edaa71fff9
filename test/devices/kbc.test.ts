// 8042 keyboard controller and port 0x92 driven through their ports: A20, reset, self-test, keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { PicPair } from '../../emulator/devices/pic';
import { Clock } from '../../emulator/devices/clock';
import { Kbc } from '../../emulator/devices/kbc';
import { Port92 } from '../../emulator/devices/port92';
import { Memory } from '../../emulator/memory/bus';
import { textToKeystrokes, textToScancodes, namedKey } from '../../emulator/devices/keyboard';

function setup(keyByteInterval = 100) {
  const io = new IoBus();
  const clock = new Clock();
  const pic = new PicPair();
  pic.attach(io);
  io.out8(0x20, 0x11); io.out8(0x21, 0x08); io.out8(0x21, 0x04); io.out8(0x21, 0x01); io.out8(0x21, 0x00);
  const memory = new Memory({ ramSize: 2 << 20 });
  memory.setA20(false);
  const kbc = new Kbc({ clock, irq: pic, memory, keyByteInterval });
  kbc.attach(io);
  const port92 = new Port92(memory);
  port92.attach(io);
  const resets: string[] = [];
  kbc.onReset = () => resets.push('kbc');
  port92.onReset = () => resets.push('port92');
  /** Waits for the input buffer to be empty, as guests do before each write. */
  const wait = () => assert.equal(io.in8(0x64) & 0x02, 0);
  return { io, clock, pic, memory, kbc, resets, wait };
}

test('A20 through the output port (D1 DF / D1 DD) and address wrap at 1 MiB', () => {
  const { io, memory, wait } = setup();
  memory.write8(0x000000, 0x11);
  assert.equal(memory.read8(0x100000), 0x11, 'A20 off: 0x100000 wraps to 0');
  wait(); io.out8(0x64, 0xd1);
  wait(); io.out8(0x60, 0xdf);
  assert.equal(memory.a20Enabled, true);
  memory.write8(0x100000, 0x22);
  assert.equal(memory.read8(0x000000), 0x11, 'A20 on: distinct bytes');
  assert.equal(memory.read8(0x100000), 0x22);
  io.out8(0x64, 0xd0); // read output port
  assert.equal(io.in8(0x64) & 0x01, 1);
  assert.equal(io.in8(0x60) & 0x03, 0x03, 'A20 and not-reset bits');
  io.out8(0x64, 0xd1);
  io.out8(0x60, 0xdd);
  assert.equal(memory.a20Enabled, false);
  assert.equal(memory.read8(0x100000), 0x11);
});

test('0xFE pulses the reset line; so does clearing output port bit 0', () => {
  const { io, resets } = setup();
  io.out8(0x64, 0xfe);
  assert.deepEqual(resets, ['kbc']);
  io.out8(0x64, 0xff); // pulse nothing
  assert.deepEqual(resets, ['kbc']);
  io.out8(0x64, 0xd1);
  io.out8(0x60, 0xde);
  assert.deepEqual(resets, ['kbc', 'kbc']);
});

test('self-test 0xAA answers 0x55; interface test 0xAB answers 0; command byte read/write', () => {
  const { io, kbc } = setup();
  io.out8(0x64, 0xaa);
  assert.equal(io.in8(0x64) & 0x05, 0x05, 'OBF and system flag');
  assert.equal(io.in8(0x60), 0x55);
  assert.equal(io.in8(0x64) & 0x01, 0);
  io.out8(0x64, 0xab);
  assert.equal(io.in8(0x60), 0x00);
  io.out8(0x64, 0x20);
  assert.equal(io.in8(0x60), 0x61, 'what SeaBIOS leaves');
  io.out8(0x64, 0x60);
  io.out8(0x60, 0x45);
  assert.equal(kbc.commandByte, 0x45);
  io.out8(0x64, 0x20);
  assert.equal(io.in8(0x60), 0x45);
});

test('queued keys arrive as set 1 scancodes on port 0x60 with IRQ1, at the typing interval', () => {
  const { io, clock, pic, kbc } = setup(100);
  kbc.type('a\n');
  assert.equal(clock.nextEventAt(), 100);
  clock.advance(99);
  assert.equal(io.in8(0x64) & 1, 0);
  clock.advance(1);
  assert.equal(io.in8(0x64) & 1, 1);
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(pic.acknowledge(), 0x09);
  assert.equal(io.in8(0x60), 0x1e, 'make a');
  assert.equal(kbc.lastKeystroke?.ascii, 0x61);
  io.out8(0x20, 0x20);
  const got = [0x1e];
  while (got.length < 4) {
    clock.advance(Math.max(1, clock.nextEventIn()));
    if (io.in8(0x64) & 1) got.push(io.in8(0x60));
  }
  assert.deepEqual(got, [0x1e, 0x9e, 0x1c, 0x9c]);
  assert.equal(kbc.lastKeystroke?.ascii, 0x0d);
  assert.equal(clock.nextEventAt(), Infinity);
});

test('a key byte read late, when the next is due: IRQ1 drops and rises again for the next (an edge for the PIC)', () => {
  const { io, clock, pic, kbc } = setup(100);
  kbc.type('a');
  clock.advance(100);
  assert.equal(pic.acknowledge(), 0x09);
  clock.advance(500); // the handler reads port 60h long after the break code became due
  assert.equal(io.in8(0x60), 0x1e);
  assert.equal(io.in8(0x64) & 1, 0, 'the buffer is empty for an instant');
  io.out8(0x20, 0x20);
  assert.equal(pic.hasInterrupt(), false);
  clock.advance(Math.max(1, clock.nextEventIn()));
  assert.equal(pic.hasInterrupt(), true, 'a new edge on IRQ1');
  assert.equal(pic.acknowledge(), 0x09);
  assert.equal(io.in8(0x60), 0x9e);
});

test('power-on (a firmware\'s start, QEMU\'s reset): status 18h, command byte 03h, the system flag set by the self-test', () => {
  const { io, kbc } = setup();
  kbc.powerOn();
  assert.equal(io.in8(0x64), 0x18, 'unlocked, last write a command; no system flag');
  io.out8(0x64, 0x20);
  assert.equal(io.in8(0x60), 0x03);
  io.out8(0x64, 0xaa);
  assert.equal(io.in8(0x60), 0x55);
  assert.equal(io.in8(0x64) & 0x04, 0x04, 'the self-test set the system flag');
});

test('no IRQ1 while the command byte disables the keyboard (as QEMU\'s 8042): a self-test\'s reply with the keyboard off raises none', () => {
  const { io, pic } = setup();
  io.out8(0x64, 0x60); io.out8(0x60, 0x11); // keyboard interrupt on, keyboard disabled
  io.out8(0x64, 0xaa);
  assert.equal(io.in8(0x64) & 1, 1, 'the reply is in the output buffer');
  assert.equal(pic.hasInterrupt(), false);
  io.out8(0x64, 0xae);
  assert.equal(pic.hasInterrupt(), true, 'enabling the keyboard lets the waiting byte interrupt');
  assert.equal(io.in8(0x60), 0x55);
});

test('0xAD holds keys back, 0xAE releases them', () => {
  const { io, clock, kbc } = setup(10);
  io.out8(0x64, 0xad);
  kbc.type('x');
  clock.advance(1000);
  assert.equal(io.in8(0x64) & 1, 0);
  io.out8(0x64, 0xae);
  assert.equal(io.in8(0x64) & 1, 1);
  assert.equal(io.in8(0x60), 0x2d);
});

test('from power-on under a firmware, typed keys wait for the keyboard enable (F4h): a POST flush, reset or F5 does not lose them', () => {
  const { io, clock, kbc } = setup(10);
  kbc.holdKeysUntilEnabled();
  kbc.type('xy');
  clock.advance(1000);
  assert.equal(io.in8(0x64) & 1, 0, 'nothing sent before the firmware set the keyboard up');
  // What SeaBIOS's keyboard set-up does: reset (FA AA), disable (F5: FA), then enable (F4: FA).
  for (const [cmd, replies] of [[0xff, [0xfa, 0xaa]], [0xf5, [0xfa]], [0xf4, [0xfa]]] as const) {
    io.out8(0x60, cmd);
    for (const r of replies) assert.equal(io.in8(0x60), r);
  }
  clock.advance(1000);
  assert.equal(io.in8(0x60), 0x2d, 'x after the enable');
  clock.advance(1000);
  assert.equal(io.in8(0x60), 0xad, 'then its break code');
});

test('the BIOS key queue: peek and take whole keystrokes', () => {
  const { kbc } = setup();
  kbc.type('Hi');
  assert.deepEqual(kbc.peekKeystroke(), { ascii: 0x48, scan: 0x23, bytes: [0x2a, 0x23, 0xa3, 0xaa] });
  assert.equal(kbc.takeKeystroke()?.ascii, 0x48);
  assert.equal(kbc.takeKeystroke()?.scan, 0x17);
  assert.equal(kbc.takeKeystroke(), undefined);
});

test('keyboard commands: reset answers FA AA, identify FA AB 41', () => {
  const { io } = setup();
  io.out8(0x60, 0xff);
  assert.equal(io.in8(0x60), 0xfa);
  assert.equal(io.in8(0x60), 0xaa);
  io.out8(0x60, 0xf2);
  assert.deepEqual([io.in8(0x60), io.in8(0x60), io.in8(0x60)], [0xfa, 0xab, 0x41]);
  io.out8(0x60, 0xed);
  assert.equal(io.in8(0x60), 0xfa);
  io.out8(0x60, 0x02);
  assert.equal(io.in8(0x60), 0xfa);
});

test('text to scancodes: Enter, shift, ctrl, escapes and named keys', () => {
  assert.deepEqual(textToScancodes('A'), [0x2a, 0x1e, 0x9e, 0xaa]);
  assert.deepEqual(textToScancodes('\n'), [0x1c, 0x9c]);
  assert.deepEqual(textToScancodes('1\\n'), [0x02, 0x82, 0x1c, 0x9c], 'a typed backslash-n is Enter too');
  assert.deepEqual(textToScancodes('\x03'), [0x1d, 0x2e, 0xae, 0x9d], 'Ctrl+C');
  assert.deepEqual(textToScancodes('\\{Down}'), [0xe0, 0x50, 0xe0, 0xd0]);
  assert.deepEqual(textToKeystrokes(' ')[0], { ascii: 0x20, scan: 0x39, bytes: [0x39, 0xb9] });
  assert.equal(namedKey('F1').scan, 0x3b);
  assert.equal(namedKey('F1').extended, undefined);
  assert.equal(namedKey('Up').extended, true);
  assert.throws(() => textToKeystrokes('é'), /no key on a US keyboard types 'é'/);
});

test('port 0x92: bit 1 gates A20, bit 0 resets, reads reflect A20', () => {
  const { io, memory, resets } = setup();
  io.out8(0x92, io.in8(0x92) | 0x02);
  assert.equal(memory.a20Enabled, true);
  assert.equal(io.in8(0x92) & 0x02, 0x02);
  io.out8(0x92, io.in8(0x92) & ~0x02);
  assert.equal(memory.a20Enabled, false);
  assert.deepEqual(resets, []);
  io.out8(0x92, 0x03);
  assert.deepEqual(resets, ['port92']);
  assert.equal(io.in8(0x92) & 0x01, 0);
});

test('reading a key byte asks the machine to reschedule so the next byte is not late', () => {
  const { io, clock, kbc } = setup(100);
  let asked = 0;
  clock.onReschedule = () => asked++;
  kbc.type('a');
  clock.advance(clock.nextEventIn());
  asked = 0;
  assert.equal(io.in8(0x60), 0x1e);
  assert.equal(asked, 1);
  assert.equal(clock.nextEventAt(), 200);
});

test('hardwareTyping false: keys wait for the BIOS queue and never reach port 0x60', () => {
  const { io, clock, kbc } = setup(10);
  kbc.hardwareTyping = false;
  kbc.type('q');
  clock.advance(1000);
  assert.equal(io.in8(0x64) & 1, 0);
  assert.equal(clock.nextEventAt(), Infinity);
  assert.equal(kbc.takeKeystroke()?.scan, 0x10);
});
