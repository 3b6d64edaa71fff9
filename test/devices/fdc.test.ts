// The floppy controller (fdc.ts) and the 8237 DMA pair (dma8237.ts) at the register level, as
// SeaBIOS's floppy.c and dma.c drive them: reset and its four ready-change statuses, RECALIBRATE,
// SEEK and SENSE INTERRUPT STATUS, READ ID across data rates, READ/WRITE DATA through DMA channel 2
// (the result's C/H/R after terminal count, multi-track, end of cylinder), write protection, and the
// 8237's flip-flop, terminal count, masking, auto-initialize and page registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { DmaController } from '../../emulator/devices/dma8237';
import { FloppyController } from '../../emulator/devices/fdc';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Memory } from '../../emulator/memory/bus';

function machine(opts: { readOnly?: boolean } = {}) {
  const data = new Uint8Array(1474560);
  for (let s = 0; s < data.length / 512; s++) {
    data[s * 512] = s & 0xff; data[s * 512 + 1] = s >> 8; // each sector starts with its LBA
  }
  const disk = new DiskImage(data, { kind: 'floppy', readOnly: opts.readOnly });
  const memory = new Memory({ ramSize: 1 << 20 });
  const io = new IoBus();
  const irqs: string[] = [];
  const dma = new DmaController(memory);
  dma.attach(io);
  new FloppyController([disk, null], { raiseIrq: (n) => irqs.push(`+${n}`), lowerIrq: (n) => irqs.push(`-${n}`) }, dma).attach(io);
  /** Sends a command and its parameters, then reads the result bytes the status register offers. */
  const cmd = (...bytes: number[]) => {
    for (const b of bytes) {
      assert.equal(io.in8(0x3f4) & 0xc0, 0x80, 'RQM, host to controller');
      io.out8(0x3f5, b);
    }
    const result: number[] = [];
    while ((io.in8(0x3f4) & 0xc0) === 0xc0) result.push(io.in8(0x3f5));
    return result;
  };
  /** dma_floppy as SeaBIOS programs channel 2: single mode, write (to memory) or read, then unmask. */
  const program = (addr: number, bytes: number, toMemory = true) => {
    io.out8(0x0a, 0x06); io.out8(0x0c, 0);
    io.out8(0x04, addr & 0xff); io.out8(0x04, (addr >> 8) & 0xff);
    io.out8(0x0c, 0);
    io.out8(0x05, (bytes - 1) & 0xff); io.out8(0x05, (bytes - 1) >> 8);
    io.out8(0x0b, toMemory ? 0x46 : 0x4a);
    io.out8(0x81, addr >> 16);
    io.out8(0x0a, 0x02);
  };
  const enable = () => {
    io.out8(0x3f2, 0x00); io.out8(0x3f2, 0x0c);
    cmd(0x08);
    io.out8(0x3f2, 0x1c);
    io.out8(0x3f7, 0x00); // 500 kbit/s: a 1.44M medium
  };
  return { io, memory, irqs, disk, cmd, program, enable };
}

test('reset: IRQ 6, four ready-change statuses, then SENSE INTERRUPT STATUS is invalid', () => {
  const { io, irqs, cmd } = machine();
  io.out8(0x3f2, 0x00);
  assert.deepEqual(irqs, [], 'held in reset');
  io.out8(0x3f2, 0x0c);
  assert.deepEqual(irqs, ['+6']);
  assert.equal(io.in8(0x3f4), 0x80);
  assert.deepEqual([cmd(0x08), cmd(0x08), cmd(0x08), cmd(0x08)], [[0xc0, 0], [0xc1, 0], [0xc2, 0], [0xc3, 0]]);
  assert.deepEqual(irqs, ['+6', '-6']);
  assert.deepEqual(cmd(0x08), [0x80]);
  assert.deepEqual(cmd(0x10), [0x90], 'VERSION: an 82077AA');
});

test('RECALIBRATE and SEEK interrupt; SENSE INTERRUPT STATUS gives seek end and the cylinder; the disk-change line clears', () => {
  const { io, irqs, cmd, enable } = machine();
  enable();
  cmd(0x08); cmd(0x08); cmd(0x08);
  assert.equal(io.in8(0x3f7) & 0x80, 0x80, 'disk changed since power-on');
  irqs.length = 0;
  assert.deepEqual(cmd(0x07, 0x00), []);
  assert.deepEqual(irqs, ['+6']);
  assert.deepEqual(cmd(0x08), [0x20, 0]);
  assert.equal(io.in8(0x3f7) & 0x80, 0, 'a step cleared it');
  assert.deepEqual(cmd(0x0f, 0x04, 33), []);
  assert.deepEqual(cmd(0x08), [0x20, 33], 'cylinder 33; no head bit in ST0, as QEMU answers');
  assert.deepEqual(cmd(0x04, 0x00), [0x28], 'SENSE DRIVE STATUS: ready, two-sided, not on track 0');
});

test('READ ID finds the medium only at its data rate', () => {
  const { io, cmd, enable } = machine();
  enable();
  io.out8(0x3f7, 0x02);
  assert.deepEqual(cmd(0x4a, 0x00), [0x40, 0x01, 0, 0, 0, 1, 2], '250 kbit/s: missing address mark');
  io.out8(0x3f7, 0x00);
  assert.deepEqual(cmd(0x4a, 0x04), [0x04, 0, 0, 0, 1, 1, 2]);
});

test('READ DATA as SeaBIOS sends it: sectors to memory through channel 2, terminal count, the next sector in the result', () => {
  const { io, memory, cmd, program, enable, irqs } = machine();
  enable();
  cmd(0x0f, 0x00, 2); cmd(0x08);
  program(0x12340, 3 * 512);
  irqs.length = 0;
  // Cylinder 2, head 0, sectors 4–6: LBA 2*36 + 3 = 75.
  // Terminal count with sector EOT on head 0 of a multi-track read: the next sector is head 1's first.
  assert.deepEqual(cmd(0xe6, 0x00, 2, 0, 4, 2, 6, 0x1b, 0xff), [0x04, 0, 0, 2, 1, 1, 2]);
  assert.deepEqual(irqs, ['+6', '-6'], 'an interrupt when the result is ready, cleared by reading it');
  assert.deepEqual([0, 512, 1024].map((o) => memory.read8(0x12340 + o)), [75, 76, 77]);
  assert.equal(io.in8(0x08) & 0x04, 0x04, 'channel 2 reached terminal count');
  assert.equal(io.in8(0x08) & 0x04, 0, 'cleared by reading the status');
  assert.equal(io.in8(0x0f) & 0x04, 0x04, 'and masked itself');
  // Terminal count before EOT: the next sector on the same track.
  program(0x12340, 512);
  assert.deepEqual(cmd(0xe6, 0x00, 2, 0, 4, 2, 18, 0x1b, 0xff), [0x00, 0, 0, 2, 0, 5, 2]);
  // Multi-track from head 0's last sector onto head 1, ending at terminal count.
  program(0x20000, 2 * 512);
  assert.deepEqual(cmd(0xe6, 0x00, 2, 0, 18, 2, 18, 0x1b, 0xff), [0x04, 0, 0, 2, 1, 2, 2]);
  assert.deepEqual([memory.read8(0x20000), memory.read8(0x20200)], [89, 90]);
  // Without multi-track, EOT before terminal count ends with end of cylinder.
  program(0x30000, 4 * 512);
  assert.deepEqual(cmd(0x46, 0x00, 2, 0, 17, 2, 18, 0x1b, 0xff), [0x40, 0x80, 0, 3, 0, 1, 2]);
  // A cylinder other than the head's, and a sector past the track.
  assert.deepEqual(cmd(0xe6, 0x00, 5, 0, 1, 2, 1, 0x1b, 0xff), [0x40, 0x04, 0x10, 5, 0, 1, 2]);
  program(0x30000, 512);
  assert.deepEqual(cmd(0xe6, 0x00, 2, 0, 19, 2, 19, 0x1b, 0xff), [0x40, 0x04, 0, 2, 0, 19, 2]);
});

test('WRITE DATA from memory into the overlay; a read-only disk answers not writable', () => {
  const { memory, cmd, program, enable, disk } = machine();
  enable();
  cmd(0x07, 0x00); cmd(0x08);
  for (let i = 0; i < 512; i++) memory.write8(0x5000 + i, 0xa5);
  program(0x5000, 512, false);
  assert.deepEqual(cmd(0xc5, 0x00, 0, 0, 2, 2, 2, 0x1b, 0xff), [0x04, 0, 0, 0, 1, 1, 2]);
  assert.deepEqual([...disk.sector(1).subarray(0, 2)], [0xa5, 0xa5]);
  const ro = machine({ readOnly: true });
  ro.enable();
  ro.program(0x5000, 512, false);
  assert.deepEqual(ro.cmd(0xc5, 0x00, 0, 0, 2, 2, 2, 0x1b, 0xff), [0x40, 0x02, 0, 0, 0, 2, 2]);
  assert.equal(ro.cmd(0x04, 0x00)[0] & 0x40, 0x40, 'ST3: write protected');
});

test('FORMAT TRACK: IDs through channel 2, each sector filled; an ID off the medium ends with no data', () => {
  const { memory, cmd, program, enable, disk } = machine();
  enable();
  cmd(0x0f, 0x04, 1); cmd(0x08);
  for (let r = 1; r <= 18; r++) [1, 1, r, 2].forEach((v, i) => memory.write8(0x6000 + 4 * (r - 1) + i, v));
  program(0x6000, 18 * 4, false);
  assert.deepEqual(cmd(0x4d, 0x04, 2, 18, 0x6c, 0xf6), [0x04, 0, 0, 1, 1, 1, 2]);
  // Cylinder 1, head 1: LBAs 54–71.
  assert.deepEqual([disk.sector(53)[0], disk.sector(54)[0], disk.sector(71)[511], disk.sector(72)[0]], [53, 0xf6, 0xf6, 72]);
  memory.write8(0x6002, 19);
  program(0x6000, 4, false);
  assert.deepEqual(cmd(0x4d, 0x04, 2, 1, 0x6c, 0xf6), [0x44, 0x04, 0, 1, 1, 19, 2]);
});

test('8237: address and count through the flip-flop, auto-initialize, decrement, page registers, DMA2 read back', () => {
  const { io, memory } = machine();
  const dma = new DmaController(memory);
  const local = new IoBus();
  dma.attach(local);
  local.out8(0x0c, 0);
  local.out8(0x04, 0x34); local.out8(0x04, 0x12);
  local.out8(0x05, 0x01); local.out8(0x05, 0x00);
  assert.deepEqual([local.in8(0x04), local.in8(0x04), local.in8(0x05), local.in8(0x05)], [0x34, 0x12, 0x01, 0x00]);
  local.out8(0x81, 0x07);
  local.out8(0x0b, 0x56); // single, auto-initialize, write, channel 2
  local.out8(0x0a, 0x02);
  assert.deepEqual(dma.toMemory(2, new Uint8Array([1, 2, 3])), { bytes: 2, terminalCount: true });
  assert.deepEqual([memory.read8(0x71234), memory.read8(0x71235)], [1, 2]);
  assert.ok(dma.ready(2), 'auto-initialize keeps the channel unmasked');
  assert.deepEqual([local.in8(0x04), local.in8(0x04)], [0x34, 0x12], 'base address reloaded');
  local.out8(0x0b, 0x66); // decrement
  dma.toMemory(2, new Uint8Array([9, 8]));
  assert.deepEqual([memory.read8(0x71234), memory.read8(0x71233)], [9, 8]);
  local.out8(0x0d, 0);
  assert.equal(local.in8(0x0f) & 0x0f, 0x0f, 'master clear masks every channel');
  assert.deepEqual(dma.toMemory(2, new Uint8Array([1])), { bytes: 0, terminalCount: false });
  local.out8(0xd6, 0xc0); local.out8(0xd4, 0x00);
  assert.equal(local.in8(0xde) & 0x0f, 0x0e, "SeaBIOS's DMA2 setup unmasked the cascade channel");
  assert.equal(io.in8(0x80), 0xff, 'port 80h is not a page register');
});
