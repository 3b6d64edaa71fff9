// QEMU's fw_cfg (fwCfg.ts) through its ports as SeaBIOS's paravirt.c reads it: selector 510h, data
// 511h byte by byte, the signature and ID, the RAM size, the file directory (big-endian) with
// etc/e820 and etc/boot-fail-wait, and zeros past an item's end or for an unknown selector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { FwCfg } from '../../emulator/devices/fwCfg';

function device() {
  const io = new IoBus();
  new FwCfg(64 << 20).attach(io);
  const read = (selector: number, n: number) => {
    io.out16(0x510, selector);
    return Uint8Array.from({ length: n }, () => io.in8(0x511));
  };
  return { io, read };
}

test('signature QEMU, ID 1 (no DMA), RAM size, one CPU; zeros past the end and for no item', () => {
  const { read } = device();
  assert.equal(new TextDecoder().decode(read(0x00, 4)), 'QEMU');
  assert.deepEqual([...read(0x01, 4)], [1, 0, 0, 0]);
  assert.equal(new DataView(read(0x03, 8).buffer).getBigUint64(0, true), 64n << 20n);
  assert.deepEqual([...read(0x05, 2)], [1, 0]);
  assert.deepEqual([...read(0x00, 6)], [0x51, 0x45, 0x4d, 0x55, 0, 0]);
  assert.deepEqual([...read(0x1234, 2)], [0, 0]);
});

test('the file directory lists etc/boot-fail-wait and etc/e820 in name order; e820 is the RAM', () => {
  const { read } = device();
  const count = new DataView(read(0x19, 4).buffer).getUint32(0);
  const dir = read(0x19, 4 + count * 64);
  const files = new Map<string, { size: number; select: number }>();
  for (let i = 0; i < count; i++) {
    const v = new DataView(dir.buffer, 4 + i * 64, 64);
    const name = new TextDecoder().decode(dir.subarray(4 + i * 64 + 8, 4 + i * 64 + 64)).replace(/\0+$/, '');
    files.set(name, { size: v.getUint32(0), select: v.getUint16(4) });
  }
  assert.deepEqual([...files.keys()], ['etc/boot-fail-wait', 'etc/e820']);
  const e820 = files.get('etc/e820')!;
  assert.equal(e820.size, 20);
  const v = new DataView(read(e820.select, 20).buffer);
  assert.deepEqual([v.getBigUint64(0, true), v.getBigUint64(8, true), v.getUint32(16, true)], [0n, 64n << 20n, 1]);
  const wait = files.get('etc/boot-fail-wait')!;
  assert.equal(new DataView(read(wait.select, 4).buffer).getUint32(0, true), 0xffffffff);
});
