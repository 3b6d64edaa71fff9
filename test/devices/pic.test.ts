// 8259A pair programmed through its ports the way a PC BIOS does (ICW1–4, OCW1–3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { PicPair } from '../../emulator/devices/pic';

/** The PC/AT initialisation sequence: vectors 08h and 70h, slave on IR2, 8086 mode. */
function setup(masterBase = 0x08, slaveBase = 0x70): { io: IoBus; pic: PicPair; changes: boolean[] } {
  const io = new IoBus();
  const pic = new PicPair();
  const changes: boolean[] = [];
  pic.onChange = (v) => changes.push(v);
  pic.attach(io);
  io.out8(0x20, 0x11); io.out8(0xa0, 0x11); // ICW1: edge, cascade, ICW4 needed
  io.out8(0x21, masterBase); io.out8(0xa1, slaveBase); // ICW2
  io.out8(0x21, 0x04); io.out8(0xa1, 0x02); // ICW3
  io.out8(0x21, 0x01); io.out8(0xa1, 0x01); // ICW4: 8086 mode
  io.out8(0x21, 0x00); io.out8(0xa1, 0x00); // OCW1: unmask all
  return { io, pic, changes };
}

test('IRQ0 → vector 8, ISR set, non-specific EOI clears it', () => {
  const { io, pic, changes } = setup();
  assert.equal(pic.hasInterrupt(), false);
  pic.raiseIrq(0);
  assert.equal(pic.hasInterrupt(), true);
  assert.deepEqual(changes, [true]);
  io.out8(0x20, 0x0a); // OCW3: read IRR
  assert.equal(io.in8(0x20), 0x01);
  assert.equal(pic.acknowledge(), 0x08);
  assert.equal(pic.hasInterrupt(), false);
  io.out8(0x20, 0x0b); // OCW3: read ISR
  assert.equal(io.in8(0x20), 0x01);
  io.out8(0x20, 0x20); // EOI
  assert.equal(io.in8(0x20), 0x00);
  assert.deepEqual(changes, [true, false]);
});

test('edge triggered: a held line raises one request; a new edge is needed', () => {
  const { pic } = setup();
  pic.raiseIrq(1);
  assert.equal(pic.acknowledge(), 0x09);
  pic.master.write(false, 0x20);
  pic.raiseIrq(1); // still high: no new edge
  assert.equal(pic.hasInterrupt(), false);
  pic.lowerIrq(1);
  pic.raiseIrq(1);
  assert.equal(pic.hasInterrupt(), true);
});

test('priorities: IRQ0 before IRQ1; in-service IRQ0 blocks IRQ1 until EOI; IRQ1 in service lets IRQ0 nest', () => {
  const { io, pic } = setup();
  pic.raiseIrq(1);
  pic.raiseIrq(0);
  assert.equal(pic.acknowledge(), 0x08);
  assert.equal(pic.hasInterrupt(), false, 'IRQ1 is lower priority than IRQ0 in service');
  io.out8(0x20, 0x20);
  assert.equal(pic.acknowledge(), 0x09);
  pic.lowerIrq(0);
  pic.raiseIrq(0);
  assert.equal(pic.hasInterrupt(), true, 'IRQ0 nests over IRQ1');
  assert.equal(pic.acknowledge(), 0x08);
  io.out8(0x20, 0x20); // EOI goes to the highest in service: IRQ0
  assert.equal(pic.master.isr, 0x02);
  io.out8(0x20, 0x61); // specific EOI for IR1
  assert.equal(pic.master.isr, 0x00);
});

test('IMR masks a request; reading 0x21 returns the mask', () => {
  const { io, pic } = setup();
  io.out8(0x21, 0x01); // mask IRQ0 only
  assert.equal(io.in8(0x21), 0x01);
  pic.raiseIrq(0);
  assert.equal(pic.hasInterrupt(), false);
  io.out8(0x21, 0x00);
  assert.equal(pic.hasInterrupt(), true);
});

test('slave IRQ 14 → vector 0x76 through the cascade; both chips need an EOI', () => {
  const { io, pic } = setup();
  pic.raiseIrq(14);
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(pic.acknowledge(), 0x76);
  assert.equal(pic.master.isr, 0x04);
  assert.equal(pic.slave.isr, 0x40);
  io.out8(0xa0, 0x20);
  io.out8(0x20, 0x20);
  assert.equal(pic.isr, 0);
});

test('spurious interrupts: a vanished master request gives IRQ7, a vanished slave request IRQ15', () => {
  const { io, pic } = setup();
  assert.equal(pic.acknowledge(), 0x0f);
  assert.equal(pic.master.isr, 0, 'no ISR bit for a spurious IRQ7');
  pic.raiseIrq(9);
  io.out8(0xa1, 0x02); // the request is masked at the slave after the master latched IR2
  assert.equal(pic.acknowledge(), 0x77);
  assert.equal(pic.master.isr, 0x04, 'the master IR2 stays in service');
  assert.equal(pic.slave.isr, 0);
});

test('remapped vector bases (protected-mode loaders move the master to 0x20)', () => {
  const { pic } = setup(0x20, 0x28);
  pic.raiseIrq(3);
  assert.equal(pic.acknowledge(), 0x23);
  pic.raiseIrq(8);
  assert.equal(pic.acknowledge(), 0x28);
});

test('automatic EOI leaves nothing in service', () => {
  const io = new IoBus();
  const pic = new PicPair();
  pic.attach(io);
  io.out8(0x20, 0x13); // single, ICW4
  io.out8(0x21, 0x08);
  io.out8(0x21, 0x03); // AEOI, 8086
  io.out8(0x21, 0x00);
  pic.raiseIrq(5);
  assert.equal(pic.acknowledge(), 0x0d);
  assert.equal(pic.master.isr, 0);
});

test('poll command returns the level and acknowledges', () => {
  const { io, pic } = setup();
  pic.raiseIrq(4);
  io.out8(0x20, 0x0c); // OCW3 poll
  assert.equal(io.in8(0x20), 0x84);
  assert.equal(pic.master.isr, 0x10);
  io.out8(0x20, 0x0c);
  assert.equal(io.in8(0x20), 0x00, 'IRQ4 in service: nothing else pending');
});

test('specific rotation makes the next IR the highest priority', () => {
  const { io, pic } = setup();
  io.out8(0x20, 0xc4); // set priority: IR4 lowest → IR5 highest
  pic.raiseIrq(0);
  pic.raiseIrq(6);
  assert.equal(pic.acknowledge(), 0x0e);
});

test('special mask mode lets a lower level interrupt a masked in-service one', () => {
  const { io, pic } = setup();
  pic.raiseIrq(0);
  assert.equal(pic.acknowledge(), 0x08);
  io.out8(0x21, 0x01); // mask IR0 (in service)
  io.out8(0x20, 0x68); // OCW3: set special mask mode
  pic.raiseIrq(3);
  assert.equal(pic.hasInterrupt(), true);
  io.out8(0x20, 0x48); // clear special mask mode
  assert.equal(pic.hasInterrupt(), false);
});

test('ELCR 0x4D0/0x4D1 makes an IRQ level-triggered: IRR follows the line', () => {
  const { io, pic } = setup();
  io.out8(0x4d1, 0x08); // IRQ11 level
  assert.equal(io.in8(0x4d1), 0x08);
  io.out8(0x4d0, 0xff);
  assert.equal(io.in8(0x4d0), 0xf8, 'IRQ0–2 stay edge-triggered');
  pic.raiseIrq(11);
  assert.equal(pic.acknowledge(), 0x73);
  io.out8(0xa0, 0x20); io.out8(0x20, 0x20);
  assert.equal(pic.hasInterrupt(), true, 'still high: requests again without a new edge');
  pic.lowerIrq(11);
  assert.equal(pic.slave.irr & 0x08, 0, 'the level went away: so did the request');
});
