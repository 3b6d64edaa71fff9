// The ATAPI CD-ROM on the secondary IDE channel (ide.ts carrying atapi.ts's commands) at the
// register level, as SeaBIOS's ata.c and QEMU's ide-cd behave: the PACKET signature, IDENTIFY
// PACKET DEVICE, the PACKET protocol's interrupt reasons and DRQ phases under the byte count limit,
// the commands' data and the sense of the ones that fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { IDE_SECONDARY, IdeChannel } from '../../emulator/devices/ide';
import { CdImage } from '../../emulator/disk/cdrom';
import { loadState, saveState } from '../../emulator/devices/state';

const BASE = 0x170, CONTROL = 0x376, SECTORS = 40;

function drive() {
  const data = new Uint8Array(SECTORS * 2048);
  for (let s = 0; s < SECTORS; s++) {
    data.fill(s, s * 2048, s * 2048 + 2048);
    data[s * 2048 + 2047] = 0xee; // the last byte of each sector marks its end
  }
  const irqs: string[] = [];
  const io = new IoBus();
  const channel = new IdeChannel([new CdImage(data), null], { raiseIrq: (n) => irqs.push(`+${n}`), lowerIrq: (n) => irqs.push(`-${n}`) }, IDE_SECONDARY);
  channel.attach(io);
  const reg = (r: number) => io.in8(BASE + r);
  const bytes = (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i += 2) {
      const w = io.in16(BASE);
      out.push(w & 0xff, w >> 8);
    }
    return out.slice(0, n);
  };
  /** Sends a PACKET command with `cdb` and the byte count limit; returns the status after the packet. */
  const packet = (cdb: number[], limit = 0xfffe) => {
    io.out8(BASE + 6, 0xa0); io.out8(BASE + 1, 0);
    io.out8(BASE + 4, limit & 0xff); io.out8(BASE + 5, limit >> 8);
    io.out8(BASE + 7, 0xa0);
    const asking = [io.in8(CONTROL), reg(2) & 3];
    const padded = [...cdb, ...new Array(12 - cdb.length).fill(0)];
    for (let i = 0; i < 12; i += 2) io.out16(BASE, padded[i] | (padded[i + 1] << 8));
    return asking;
  };
  /** The byte count of the DRQ phase now offered (LBA mid/high). */
  const phaseBytes = () => reg(4) | (reg(5) << 8);
  const sense = () => {
    packet([0x03, 0, 0, 0, 18]);
    const b = bytes(18);
    return [b[2], b[12], b[13]];
  };
  return { io, irqs, reg, bytes, packet, phaseBytes, sense, channel };
}

test('the PACKET signature after reset and on IDENTIFY DEVICE, which aborts; IDENTIFY PACKET DEVICE', () => {
  const { io, reg, bytes, irqs } = drive();
  assert.deepEqual([2, 3, 4, 5].map(reg), [1, 1, 0x14, 0xeb], 'at power-on');
  io.out8(CONTROL, 0x04); io.out8(CONTROL, 0x00);
  assert.deepEqual([2, 3, 4, 5].map(reg), [1, 1, 0x14, 0xeb], 'after soft reset');
  io.out8(BASE + 4, 0); io.out8(BASE + 5, 0);
  io.out8(BASE + 6, 0xa0); io.out8(BASE + 7, 0xec);
  assert.deepEqual([reg(7), reg(1), reg(4), reg(5)], [0x41, 0x04, 0x14, 0xeb], 'IDENTIFY DEVICE: ABRT, the signature back');
  assert.deepEqual(irqs, ['+15', '-15'], 'IRQ 15, cleared by the status read');
  io.out8(BASE + 7, 0xa1);
  assert.equal(reg(7), 0x58);
  const b = bytes(512);
  const w = (i: number) => b[2 * i] | (b[2 * i + 1] << 8);
  assert.equal(w(0), 0x85c0, 'ATAPI, CD-ROM, removable, 12-byte packets');
  const model = Array.from({ length: 20 }, (_, i) => String.fromCharCode(b[54 + 2 * i + 1], b[54 + 2 * i])).join('').trim();
  assert.equal(model, 'BOOTSCOPE DVD-ROM');
  assert.equal(w(80), 0x1e, 'ATAPI-4, as SeaBIOS prints it');
  assert.equal(reg(7), 0x50);
});

test('PACKET: the device asks for the command without an interrupt; TEST UNIT READY ends in the status phase', () => {
  const { packet, reg, irqs } = drive();
  assert.deepEqual(packet([0x00]), [0x58, 0x01], 'DRQ with C/D=1 I/O=0 before the packet');
  assert.deepEqual(irqs, ['+15'], 'one interrupt: the status phase');
  assert.deepEqual([reg(7), reg(2) & 3, reg(1)], [0x50, 0x03, 0]);
});

test('READ(10) of 2 sectors with a 2048-byte limit: one DRQ phase per sector, an interrupt each, then status', () => {
  const { packet, reg, bytes, irqs, phaseBytes } = drive();
  packet([0x28, 0, 0, 0, 0, 5, 0, 0, 2], 2048);
  for (const s of [5, 6]) {
    assert.deepEqual([reg(7), reg(2) & 3, phaseBytes()], [0x58, 0x02, 2048], `sector ${s}: data in, I/O=1 C/D=0`);
    const b = bytes(2048);
    assert.deepEqual([b[0], b[2046], b[2047]], [s, s, 0xee]);
  }
  assert.deepEqual([reg(7), reg(2) & 3], [0x50, 0x03]);
  assert.deepEqual(irqs, ['+15', '-15', '+15', '-15', '+15', '-15']);
});

test('READ(12) under a 1000-byte limit: phases of 1000, 1000 and the 48 left of the sector, 32-bit reads', () => {
  const { io, packet, reg, phaseBytes } = drive();
  packet([0xa8, 0, 0, 0, 0, 39, 0, 0, 0, 1], 1001);
  const sizes: number[] = [];
  let last = 0;
  while (reg(7) & 0x08) {
    const n = phaseBytes();
    sizes.push(n);
    for (let i = 0; i < n; i += 4) last = io.in32(BASE);
  }
  assert.deepEqual(sizes, [1000, 1000, 48], 'the limit made even, no phase across the sector');
  assert.equal(last >>> 24, 0xee, "the sector's last byte");
});

test('INQUIRY, READ CAPACITY, READ TOC (LBA and MSF) and MODE SENSE page 2Ah', () => {
  const { packet, bytes, phaseBytes } = drive();
  packet([0x12, 0, 0, 0, 36]);
  assert.equal(phaseBytes(), 36);
  const inq = bytes(36);
  assert.deepEqual(inq.slice(0, 2), [0x05, 0x80], 'CD-ROM, removable');
  assert.equal(String.fromCharCode(...inq.slice(8, 36)), 'BOOTSCOPDVD-ROM         1.0 ', 'vendor, product, revision');
  packet([0x12, 0, 0, 0, 5]);
  assert.equal(phaseBytes(), 5, 'the allocation length cuts the reply');
  bytes(5);
  packet([0x25]);
  assert.deepEqual(bytes(8), [0, 0, 0, SECTORS - 1, 0, 0, 8, 0], 'last LBA, 2048-byte blocks');
  packet([0x43, 0, 0, 0, 0, 0, 0, 0, 20]);
  assert.deepEqual(bytes(20), [0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xaa, 0, 0, 0, 0, SECTORS]);
  packet([0x43, 0x02, 0, 0, 0, 0, 0xaa, 0, 12]);
  assert.deepEqual(bytes(12), [0, 10, 1, 1, 0, 0x14, 0xaa, 0, 0, 0, 2, 40], 'lead-out at 00:02:40 (150 + 40 frames)');
  packet([0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 28]);
  const mode = bytes(28);
  assert.deepEqual([mode[0], mode[1], mode[8], mode[9]], [0, 26, 0x2a, 18], 'header, then page 2Ah');
});

test('failures: CHECK with the sense key in the error register, the sense through REQUEST SENSE, cleared by a success', () => {
  const { packet, reg, sense } = drive();
  packet([0x28, 0, 0, 0, 0, SECTORS - 1, 0, 0, 2]);
  assert.deepEqual([reg(7), reg(1), reg(2) & 3], [0x41, 0x50, 0x03], 'ERR, ILLEGAL REQUEST, status phase');
  assert.deepEqual(sense(), [0x05, 0x21, 0], 'LOGICAL BLOCK ADDRESS OUT OF RANGE');
  assert.deepEqual(sense(), [0, 0, 0], 'REQUEST SENSE succeeded: no sense left');
  packet([0xff]);
  assert.deepEqual(sense(), [0x05, 0x20, 0], 'INVALID COMMAND OPERATION CODE');
  packet([0x5a, 0, 0xc0 | 0x2a, 0, 0, 0, 0, 0, 28]);
  assert.deepEqual(sense(), [0x05, 0x39, 0], 'saved values are not kept');
  packet([0x1b, 0, 0, 0, 0x02]);
  assert.deepEqual(sense(), [0x05, 0x24, 0], 'eject refused');
  packet([0x1b, 0, 0, 0, 0x01]);
  assert.deepEqual(sense(), [0, 0, 0], 'start unit');
});

test('a DMA packet aborts (PIO only); the absent slave reads 0', () => {
  const { io, reg } = drive();
  io.out8(BASE + 6, 0xa0); io.out8(BASE + 1, 0x01); io.out8(BASE + 7, 0xa0);
  assert.deepEqual([reg(7), reg(1)], [0x41, 0x04]);
  io.out8(BASE + 6, 0xb0);
  assert.deepEqual([reg(7), reg(1)], [0, 0]);
});

test('a snapshot mid-transfer (the reverse-execution path) restores the DRQ phase, its buffer and the sense', () => {
  const { channel, packet, bytes, reg, sense } = drive();
  packet([0xff]);
  packet([0x28, 0, 0, 0, 0, 7, 0, 0, 2], 2048);
  bytes(100);
  const snap = saveState(channel);
  const rest = bytes(2048 - 100 + 2048);
  assert.equal(reg(7), 0x50);
  packet([0x12, 0, 0, 0, 36]); // a 36-byte buffer in place of the sector's
  loadState(channel, snap);
  assert.deepEqual(bytes(2048 - 100 + 2048), rest, 'the same bytes again, across the sector boundary');
  assert.deepEqual(sense(), [0, 0, 0], 'the READ that succeeded cleared the sense');
});
