// The PCI bus on its own (configuration mechanism #1, write masks, BAR sizing, snapshots) and the
// PCI BIOS and SMBIOS tables of the built-in BIOS; test/devices/qemuPci.test.ts compares the
// whole of it with QEMU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { DEVFN_ACPI, DEVFN_IDE, DEVFN_VGA, VGA_LFB } from '../../emulator/devices/i440fx';
import { smbiosStructures } from '../../emulator/bios/smbios';
import { cpuidLeaf1 } from '../../emulator/cpu/exec/system';
import { runProgram } from '../bios/harness';

function devices(asBios = true) {
  const io = new IoBus();
  const mem = new Memory({ ramSize: 64 << 20 });
  const dev = new PcDevices({ memory: mem, io });
  if (asBios) dev.programAsBios(io);
  const cfg = (devfn: number, off: number) => { io.out32(0xcf8, 0x80000000 | (devfn << 8) | off); return io.in32(0xcfc); };
  return { io, dev, cfg, mem };
}

test('mechanism #1: CF8h holds the address (dword only), CFCh–CFFh the bytes of the addressed dword', () => {
  const { io, cfg } = devices();
  io.out32(0xcf8, 0xffffffff);
  assert.equal(io.in32(0xcf8), 0x80fffffc);
  io.out8(0xcf8, 0); // a byte write is not an address write
  assert.equal(io.in32(0xcf8), 0x80fffffc);
  assert.equal(cfg(0x00, 0), 0x12378086);
  assert.equal(io.in16(0xcfe), 0x1237);
  assert.equal(io.in8(0xcfd), 0x80);
  assert.equal(cfg(0x18, 0), 0xffffffff, 'no function at 00:03.0: master abort');
  io.out32(0xcf8, 0x00000000);
  assert.equal(io.in32(0xcfc), 0xffffffff, 'enable bit clear: no configuration cycle');
  io.out32(0xcf8, 0x80010000);
  assert.equal(io.in32(0xcfc), 0xffffffff, 'bus 1 does not exist');
});

test('read-only fields keep their value; BARs report their size; the BIOS places them where SeaBIOS does', () => {
  const { io, cfg } = devices();
  io.out32(0xcf8, 0x80000000 | (DEVFN_VGA << 8));
  io.out32(0xcfc, 0);
  assert.equal(cfg(DEVFN_VGA, 0), 0x11111234);
  assert.equal(cfg(DEVFN_VGA, 0x10), (VGA_LFB | 8) >>> 0);
  io.out32(0xcfc, 0xffffffff);
  assert.equal(cfg(DEVFN_VGA, 0x10), 0xff000008, '16 MiB prefetchable');
  assert.equal(cfg(DEVFN_IDE, 0x20), 0xc001);
  io.out32(0xcf8, 0x80000000 | (DEVFN_IDE << 8) | 0x20);
  io.out16(0xcfc, 0xffff);
  assert.equal(cfg(DEVFN_IDE, 0x20), 0xfff1, '16 bytes of I/O (a word write to the low half)');
  assert.equal(devices(false).cfg(DEVFN_VGA, 0x10), 0x00000008, 'at power-on the BARs are unassigned');
});

test('the PCI bus is part of a device snapshot', () => {
  const { io, dev, cfg } = devices();
  const snap = dev.saveState();
  io.out32(0xcf8, 0x80000000 | (DEVFN_VGA << 8) | 0x3c);
  io.out8(0xcfc, 0x0b);
  assert.equal(cfg(DEVFN_VGA, 0x3c) & 0xff, 0x0b);
  dev.loadState(snap);
  assert.equal(cfg(DEVFN_VGA, 0x3c) & 0xff, 0x00);
});

test('PCI BIOS: installation check, find device and class, config read/write; B10Eh is unsupported and logged', () => {
  const r = runProgram(`
  mov ax, 0xb101
  int 0x1a
  jc .bad
  call puthex16
  mov eax, edx
  call puthex32
  PUTC ' '
  mov ax, 0xb102
  mov dx, 0x8086
  mov cx, 0x7010
  xor si, si
  int 0x1a
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, 0xb103
  mov ecx, 0x030000
  int 0x1a
  mov ax, bx
  call puthex16
  PUTC ' '
  mov ax, 0xb102
  mov dx, 0x1234
  mov cx, 0x1111
  mov si, 1
  int 0x1a
  jnc .bad
  mov al, ah
  call puthex8
  PUTC ' '
  mov bx, 0x0010
  mov di, 0x3c
  mov cl, 0x0b
  mov ax, 0xb10b
  int 0x1a
  mov di, 0x3c
  mov ax, 0xb10a
  int 0x1a
  mov eax, ecx
  call puthex32
  PUTC ' '
  mov ax, 0xb10e
  int 0x1a
  jnc .bad
  mov al, ah
  call puthex8
  cli
  hlt
.bad:
  PUTC '!'
  cli
  hlt`);
  assert.equal(r.out, '000120494350 0009 0010 86 0000000B 81');
  assert.equal(r.bios.log.length, 1);
  assert.match(r.bios.log[0].message, /INT 1Ah AX=B10Eh: PCI BIOS function not supported/);
});

test('SMBIOS: the entry point in F000 with valid checksums and the structure table it points at', () => {
  const r = runProgram('cli\nhlt', { memoryMB: 32 });
  const mem = r.m.mem;
  let entry = -1;
  for (let a = 0xf0000; a < 0x100000; a += 16) if (mem.read32(a) === 0x5f4d535f) { entry = a; break; } // _SM_
  assert.ok(entry > 0);
  const sum = (from: number, n: number) => { let s = 0; for (let i = 0; i < n; i++) s += mem.read8(from + i); return s & 0xff; };
  assert.equal(sum(entry, mem.read8(entry + 5)), 0);
  assert.equal(sum(entry + 0x10, 0x0f), 0);
  const table = smbiosStructures({ ramBytes: 32 << 20, cpu: '80386', cpuHz: r.m.devices.clock.instructionsPerSecond, processorId: cpuidLeaf1(r.m.cpu) });
  assert.ok(mem.read32(entry + 0x18) >= 0xf0000 && mem.read32(entry + 0x18) < 0x100000, 'the table is in the F segment');
  assert.deepEqual([...mem.peek(mem.read32(entry + 0x18), table.bytes.length)], [...table.bytes]);
  assert.equal(mem.read16(entry + 0x1c), 9);
  // Type 19 ends at the top of the 32 MiB of RAM (in KiB).
  const t = table.bytes;
  let at = 0;
  while (t[at] !== 19) { at += t[at + 1]; while (t[at] || t[at + 1]) at++; at += 2; }
  assert.equal(t[at + 8] | (t[at + 9] << 8) | (t[at + 10] << 16), 32 * 1024 - 1);
});

/** Where the first structure of `type` starts in a structure table. */
function structureAt(t: Uint8Array, type: number): number {
  let at = 0;
  while (t[at] !== type) { at += t[at + 1]; while (t[at] || t[at + 1]) at++; at += 2; }
  return at;
}

/** Its formatted area. */
function structureOf(t: Uint8Array, type: number): Uint8Array {
  const at = structureAt(t, type);
  return t.subarray(at, at + t[at + 1]);
}

test('SMBIOS type 4: the processor ID is CPUID leaf 1 (signature, features), zeros for a CPU without CPUID; QEMU\'s quirks for a lock-step', () => {
  const r = runProgram('cli\nhlt', { cpu: 'pentium' });
  const id = cpuidLeaf1(r.m.cpu)!;
  const machine = { ramBytes: 64 << 20, cpu: 'pentium' as const, cpuHz: 4_000_000, processorId: id };
  const t4 = structureOf(smbiosStructures(machine).bytes, 4);
  const dv = new DataView(t4.buffer, t4.byteOffset);
  assert.deepEqual([dv.getUint32(8, true), dv.getUint32(12, true)], [0x52c, id.edx]);
  assert.equal(t4[6], 0x0b, 'family: Pentium');
  let rom = -1;
  for (let a = 0xf0000; a < 0x100000; a += 16) if (r.m.mem.read32(a) === 0x5f4d535f) { rom = r.m.mem.read32(a + 0x18); break; }
  assert.equal(r.m.mem.read32(rom + structureAt(smbiosStructures({ ...machine, cpuHz: r.m.devices.clock.instructionsPerSecond }).bytes, 4) + 8), 0x52c, 'the built-in BIOS\'s table has it');
  assert.deepEqual([...structureOf(smbiosStructures({ ...machine, cpu: '80386', processorId: null }).bytes, 4).subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0, 0]);
  const quirky = smbiosStructures({ ...machine, quirks: { processorFamily: 0x01, memoryArrayLocation: 0x01, memoryErrorCorrection: 0x06 } }).bytes;
  assert.deepEqual([structureOf(quirky, 4)[6], structureOf(quirky, 4)[0x28]], [0x01, 0x01]);
  assert.deepEqual([structureOf(quirky, 16)[4], structureOf(quirky, 16)[6]], [0x01, 0x06]);
});

test('a machine without ACPI (QEMU -machine acpi=off): no function 00:01.3 on the bus, no PM registers', () => {
  const io = new IoBus();
  const dev = new PcDevices({ memory: new Memory({ ramSize: 64 << 20 }), io, acpi: false });
  io.out32(0xcf8, 0x80000000 | (DEVFN_ACPI << 8));
  assert.equal(io.in32(0xcfc), 0xffffffff);
  assert.equal(dev.pm, null);
  io.out32(0xcf8, 0x80000000 | (DEVFN_IDE << 8));
  assert.equal(io.in32(0xcfc), 0x70108086, 'the IDE function stays');
});

test('an expansion ROM: the BAR sizes it, and it is read where the BAR points while enabled with memory decoding', () => {
  const { io, dev, cfg, mem } = devices(false);
  const image = new Uint8Array(0x9c00).fill(0x5a);
  image.set([0x55, 0xaa]);
  dev.attachVgaRom(image);
  const w32 = (off: number, v: number) => { io.out32(0xcf8, 0x80000000 | (DEVFN_VGA << 8) | off); io.out32(0xcfc, v); };
  w32(0x30, 0xfffffffe);
  assert.equal(cfg(DEVFN_VGA, 0x30), 0xffff0000, '64 KiB, enable bit clear');
  w32(0x30, 0xfebe0001);
  // Nothing decodes there: it reads as 0, as QEMU's unassigned memory.
  assert.equal(mem.read8(0xfebe0000), 0, 'memory decoding off');
  w32(0x04, 0x2);
  assert.deepEqual([mem.read8(0xfebe0000), mem.read8(0xfebe0001), mem.read8(0xfebe9bff), mem.read8(0xfebe9c00)], [0x55, 0xaa, 0x5a, 0xff]);
  mem.write8(0xfebe0002, 0);
  assert.equal(mem.read8(0xfebe0002), 0x5a, 'read-only');
  w32(0x30, 0xfebe0000);
  assert.equal(mem.read8(0xfebe0000), 0, 'disabled again');
});
