// QEMU's fw_cfg (fwCfg.ts) through its ports as SeaBIOS's paravirt.c reads it: selector 510h, data
// 511h byte by byte, the signature and ID, the RAM size, the file directory (big-endian) with the
// files QEMU 7.2's pc machine lists (its kvmvapic ROM aside), the SMBIOS files, and zeros past an
// item's end or for an unknown selector; the DMA interface as qemu_cfg_dma_transfer drives it
// (select and read, skip, a refused write).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { FwCfg } from '../../emulator/devices/fwCfg';
import { Memory } from '../../emulator/memory/bus';

function device(bootorder: string[] = [], acpi = true) {
  const io = new IoBus();
  const memory = new Memory({ ramSize: 1 << 20 });
  new FwCfg({ ramBytes: 64 << 20, cpu: '80386', cpuHz: 4_772_728 }, memory, bootorder, acpi).attach(io);
  const read = (selector: number, n: number) => {
    io.out16(0x510, selector);
    return Uint8Array.from({ length: n }, () => io.in8(0x511));
  };
  return { io, read, memory };
}

test('signature QEMU, ID 3 (traditional and DMA), RAM size, one CPU; zeros past the end and for no item', () => {
  const { read } = device();
  assert.equal(new TextDecoder().decode(read(0x00, 4)), 'QEMU');
  assert.deepEqual([...read(0x01, 4)], [3, 0, 0, 0]);
  assert.equal(new DataView(read(0x03, 8).buffer).getBigUint64(0, true), 64n << 20n);
  assert.deepEqual([...read(0x05, 2)], [1, 0]);
  assert.deepEqual([...read(0x00, 6)], [0x51, 0x45, 0x4d, 0x55, 0, 0]);
  assert.deepEqual([...read(0x1234, 2)], [0, 0]);
});

/**
 * The files of QEMU 7.2 `-machine pc -global apic-common.vapic=off`, in its directory's order (read
 * from its fw_cfg by a boot sector: test/boot/seabiosReset.test.ts's configuration).
 */
const QEMU_FILES = ['bios-geometry', 'bootorder', 'etc/acpi/rsdp', 'etc/acpi/tables', 'etc/boot-fail-wait', 'etc/e820',
  'etc/smbios/smbios-anchor', 'etc/smbios/smbios-tables', 'etc/system-states', 'etc/table-loader', 'etc/tpm/log'];

/** The file directory: name → size and selector. */
function directory(read: (selector: number, n: number) => Uint8Array): Map<string, { size: number; select: number }> {
  const count = new DataView(read(0x19, 4).buffer).getUint32(0);
  const dir = read(0x19, 4 + count * 64);
  const files = new Map<string, { size: number; select: number }>();
  for (let i = 0; i < count; i++) {
    const v = new DataView(dir.buffer, 4 + i * 64, 64);
    const name = new TextDecoder().decode(dir.subarray(4 + i * 64 + 8, 4 + i * 64 + 64)).replace(/\0+$/, '');
    files.set(name, { size: v.getUint32(0), select: v.getUint16(4) });
  }
  return files;
}

test("without ACPI (QEMU's -machine acpi=off) neither the ACPI tables, their loader and TPM log nor the PM function's system states are offered", () => {
  const files = directory(device([], false).read);
  assert.deepEqual([...files.keys()], QEMU_FILES.filter((f) => !/^etc\/(acpi|system-states|table-loader|tpm)/.test(f)));
  assert.deepEqual([...files.values()].map((f) => f.select), [...files.keys()].map((_, i) => 0x20 + i));
});

test("the file directory lists QEMU's files in name order; e820 is the RAM; SMBIOS without the firmware's own type 0", () => {
  const { read } = device();
  const files = directory(read);
  assert.deepEqual([...files.keys()], QEMU_FILES);
  assert.deepEqual([...files.values()].map((f) => f.select), QEMU_FILES.map((_, i) => 0x20 + i));
  assert.deepEqual(['bios-geometry', 'bootorder', 'etc/tpm/log'].map((n) => files.get(n)!.size), [0, 0, 0]);
  assert.equal(files.get('etc/acpi/tables')!.size, 0x20000, "QEMU's size");
  const anchor = read(files.get('etc/smbios/smbios-anchor')!.select, 31);
  const tables = files.get('etc/smbios/smbios-tables')!;
  assert.equal(new TextDecoder().decode(anchor.subarray(0, 4)), '_SM_');
  assert.equal(anchor[0x16] | (anchor[0x17] << 8), tables.size, 'the anchor gives the tables\' length');
  assert.equal(read(tables.select, 1)[0], 1, 'the first structure is type 1');
  const e820 = files.get('etc/e820')!;
  assert.equal(e820.size, 20);
  const v = new DataView(read(e820.select, 20).buffer);
  assert.deepEqual([v.getBigUint64(0, true), v.getBigUint64(8, true), v.getUint32(16, true)], [0n, 64n << 20n, 1]);
  const wait = files.get('etc/boot-fail-wait')!;
  assert.equal(new DataView(read(wait.select, 4).buffer).getUint32(0, true), 0xffffffff);
});

test('bootorder: the device paths separated by newlines, the last ended by NUL, as QEMU writes those given a bootindex', () => {
  const { read } = device(['/pci@i0cf8/ide@1,1/drive@0/disk@1', '/pci@i0cf8/ide@1,1/drive@1/disk@0']);
  const dir = read(0x19, 4 + QEMU_FILES.length * 64);
  const at = 4 + QEMU_FILES.indexOf('bootorder') * 64;
  const v = new DataView(dir.buffer, at, 8);
  assert.equal(new TextDecoder().decode(read(v.getUint16(4), v.getUint32(0))), '/pci@i0cf8/ide@1,1/drive@0/disk@1\n/pci@i0cf8/ide@1,1/drive@1/disk@0\0');
});

test('DMA: an FWCfgDmaAccess selects and reads (zeros past the end), skips, refuses writes; control cleared', () => {
  const { io, memory, read } = device();
  assert.equal(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => io.in8(0x514 + i))), 'QEMU CFG');
  const bswap = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
  const access = (control: number, length: number, address: number) => {
    const at = 0x1000;
    const v = new DataView(new ArrayBuffer(16));
    v.setUint32(0, control); v.setUint32(4, length); v.setUint32(12, address);
    for (let i = 0; i < 16; i++) memory.write8(at + i, v.getUint8(i));
    io.out32(0x514, bswap(0)); io.out32(0x518, bswap(at)); // outl(cpu_to_be32(...)) as SeaBIOS writes
    return ((memory.read8(at) << 24) | (memory.read8(at + 1) << 16) | (memory.read8(at + 2) << 8) | memory.read8(at + 3)) >>> 0;
  };
  assert.equal(access((0x00 << 16) | 0x08 | 0x02, 6, 0x2000), 0, 'select the signature and read 6 bytes');
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => memory.read8(0x2000 + i)), [0x51, 0x45, 0x4d, 0x55, 0, 0]);
  assert.equal(access((0x03 << 16) | 0x08 | 0x04, 2, 0), 0, 'select the RAM size and skip 2 bytes');
  assert.equal(access(0x02, 2, 0x3000), 0, 'read on from there');
  assert.deepEqual([memory.read8(0x3000), memory.read8(0x3001)], [0x00, 0x04], 'bytes 2 and 3 of 64 MiB');
  assert.equal(access((0x03 << 16) | 0x08 | 0x10, 1, 0x3000), 0x01, 'a write sets the error bit');
  assert.deepEqual([...read(0x01, 1)], [3], 'the traditional interface still answers');
});
