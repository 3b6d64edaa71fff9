// The i440FX's PAM registers (pam.ts) over a ROM at F0000h and the C0000h–EFFFFh halves: reads from
// ROM or shadow RAM, writes to RAM or nowhere, as the 82441FX datasheet's RE/WE bits say; only in
// firmware mode (enable), so the built-in BIOS's map is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { DEVFN_HOST } from '../../emulator/devices/i440fx';

function machine() {
  const io = new IoBus();
  const mem = new Memory({ ramSize: 16 << 20 });
  const dev = new PcDevices({ memory: mem, io });
  mem.mapRom(0xf0000, new Uint8Array(0x10000).fill(0xaa));
  mem.mapRom(0xc4000, new Uint8Array(0x4000).fill(0xbb));
  const pam = (reg: number, v: number) => { io.out32(0xcf8, 0x80000000 | (DEVFN_HOST << 8) | (reg & 0xfc)); io.out8(0xcfc + (reg & 3), v); };
  return { mem, dev, pam };
}

test('PAM0: ROM, then read/write shadow RAM, then write-protected RAM, then ROM again', () => {
  const { mem, dev, pam } = machine();
  dev.shadow.enable();
  mem.write8(0xf1234, 0x11);
  assert.equal(mem.read8(0xf1234), 0xaa, 'at reset reads and writes go to the ROM');
  pam(0x59, 0x30);
  mem.write8(0xf1234, 0x22);
  assert.equal(mem.read8(0xf1234), 0x22, 'RE+WE: RAM');
  assert.equal(mem.peek(0xf1234, 1)[0], 0x22, 'the debugger sees the shadow RAM');
  pam(0x59, 0x10);
  mem.write8(0xf1234, 0x33);
  assert.equal(mem.read8(0xf1234), 0x22, 'RE only: the write is dropped, RAM is read');
  pam(0x59, 0x00);
  assert.equal(mem.read8(0xf1234), 0xaa, 'back to the ROM');
});

test('PAM1: each nibble is a 16 KiB half of C0000h–C7FFFh; an area with no ROM stays RAM', () => {
  const { mem, dev, pam } = machine();
  dev.shadow.enable();
  pam(0x5a, 0x30); // C4000–C7FFF RE+WE, C0000–C3FFF off
  mem.write8(0xc4000, 0x44);
  mem.write8(0xc0000, 0x55);
  assert.equal(mem.read8(0xc4000), 0x44);
  assert.equal(mem.read8(0xc0000), 0x55, 'no ROM behind C0000h: RAM');
  pam(0x5a, 0x11);
  mem.write8(0xc4000, 0x66);
  mem.write8(0xc0000, 0x77);
  assert.deepEqual([mem.read8(0xc4000), mem.read8(0xc0000)], [0x44, 0x55], 'both halves write-protected');
});

test('without enable (the built-in BIOS) PAM writes leave the memory map alone', () => {
  const { mem, pam } = machine();
  pam(0x59, 0x30);
  mem.write8(0xf0000, 0x12);
  assert.equal(mem.read8(0xf0000), 0xaa);
});

test('a PAM change hands each page to the first-write hook before it changes (the recorder copies it)', () => {
  const { mem, dev, pam } = machine();
  dev.shadow.enable();
  const pages: number[] = [];
  mem.onFirstDirty = (p) => pages.push(p);
  pam(0x59, 0x30);
  assert.deepEqual([...new Set(pages)].filter((p) => p >= 0xf0).sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => 0xf0 + i));
});
