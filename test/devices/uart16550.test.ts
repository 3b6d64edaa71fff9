// 16550A UART on COM1 programmed as a loader's serial console does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { PicPair } from '../../emulator/devices/pic';
import { Uart16550 } from '../../emulator/devices/uart16550';
import { DebugPorts } from '../../emulator/devices/debugPorts';

function setup() {
  const io = new IoBus();
  const pic = new PicPair();
  pic.attach(io);
  io.out8(0x20, 0x11); io.out8(0x21, 0x08); io.out8(0x21, 0x04); io.out8(0x21, 0x01); io.out8(0x21, 0x00);
  const uart = new Uart16550({ irq: pic });
  uart.attach(io);
  return { io, pic, uart };
}

test('115200 8N1 set-up through DLAB, then text transmitted with THRE polling', () => {
  const { io, uart } = setup();
  io.out8(0x3f9, 0x00); // IER off
  io.out8(0x3fb, 0x80); // DLAB
  io.out8(0x3f8, 0x01); io.out8(0x3f9, 0x00); // divisor 1
  io.out8(0x3fb, 0x03); // 8N1
  io.out8(0x3fa, 0xc7); // FIFO on, clear
  io.out8(0x3fc, 0x0b); // DTR RTS OUT2
  assert.equal(uart.divisor, 1);
  io.out8(0x3fb, 0x83);
  assert.equal(io.in8(0x3f8), 0x01, 'divisor latch low readable with DLAB');
  io.out8(0x3fb, 0x03);
  for (const ch of 'boot: ok\r\n') {
    assert.equal(io.in8(0x3fd) & 0x60, 0x60, 'THRE and TEMT');
    io.out8(0x3f8, ch.charCodeAt(0));
  }
  assert.equal(uart.output, 'boot: ok\r\n');
  assert.equal(io.in8(0x3fa) & 0xc0, 0xc0, 'FIFOs enabled in IIR');
  io.out8(0x3ff, 0x5a);
  assert.equal(io.in8(0x3ff), 0x5a, 'scratch register');
});

test('received bytes: LSR.DR, RBR, and IRQ4 when enabled with OUT2', () => {
  const { io, pic, uart } = setup();
  io.out8(0x3fa, 0x01);
  io.out8(0x3fc, 0x08); // OUT2
  io.out8(0x3f9, 0x01); // receive interrupt
  assert.equal(pic.hasInterrupt(), false);
  uart.queueInput('hi');
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(io.in8(0x3fa) & 0x0f, 0x04);
  assert.equal(pic.acknowledge(), 0x0c);
  assert.equal(io.in8(0x3fd) & 1, 1);
  assert.equal(io.in8(0x3f8), 0x68);
  assert.equal(io.in8(0x3f8), 0x69);
  assert.equal(io.in8(0x3fd) & 1, 0);
  assert.equal(io.in8(0x3fa) & 0x0f, 0x01, 'no interrupt pending');
});

test('THRE interrupt: raised when enabled, cleared by reading IIR, re-raised after a write', () => {
  const { io, uart } = setup();
  io.out8(0x3fc, 0x08);
  io.out8(0x3f9, 0x02);
  assert.equal(io.in8(0x3fa) & 0x0f, 0x02);
  assert.equal(io.in8(0x3fa) & 0x0f, 0x01);
  io.out8(0x3f8, 0x41);
  assert.equal(io.in8(0x3fa) & 0x0f, 0x02);
  assert.equal(uart.output, 'A');
});

test('loopback mode sends transmitted bytes to the receiver, not the output', () => {
  const { io, uart } = setup();
  io.out8(0x3fc, 0x1f);
  io.out8(0x3f8, 0xae);
  assert.equal(uart.output, '');
  assert.equal(io.in8(0x3f8), 0xae);
  assert.equal(io.in8(0x3fe) & 0xf0, 0xf0, 'MSR mirrors MCR in loopback');
});

test('POST port 0x80 keeps every code in order; 0xE9 collects text and reads back 0xE9', () => {
  const io = new IoBus();
  const dbg = new DebugPorts();
  dbg.attach(io);
  for (const c of [0x01, 0x02, 0x02, 0xff]) io.out8(0x80, c);
  assert.deepEqual(dbg.postCodes, [0x01, 0x02, 0x02, 0xff]);
  assert.equal(io.in8(0x80), 0xff);
  for (const ch of 'PASS\n') io.out8(0xe9, ch.charCodeAt(0));
  assert.equal(dbg.debugText, 'PASS\n');
  assert.equal(io.in8(0xe9), 0xe9);
});
