// The BIOS's memory layout after install: IVT vectors into F000, the BDA and EBDA fields loaders
// read, the ROM's fixed tables, and the INT 08h handler running as CPU instructions (traced) that
// count ticks at 0040:006C. The ROM's INT 08h bytes are checked against NASM's assembly of the
// source quoted in rom.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bios } from '../../emulator/bios/bios';
import * as L from '../../emulator/bios/layout';
import { APM32_CODE, INT08_CODE, INT09_CODE } from '../../emulator/bios/rom';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine } from '../../emulator/machine';
import { assemble } from './harness';

function installed(opts: { floppy?: boolean } = {}): { m: Machine; bios: Bios } {
  const sector = assemble('  sti\n.l:\n  hlt\n  jmp .l\n');
  const disk = new DiskImage(opts.floppy ? (() => { const f = new Uint8Array(1474560); f.set(sector); return f; })() : sector, { kind: opts.floppy ? 'floppy' : 'hard' });
  const m = new Machine({ floppy: opts.floppy ? disk : null, hardDisks: opts.floppy ? [] : [disk] });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  return { m, bios };
}

test('IVT: BIOS services, timer, keyboard and default handlers point into F000; tables at their AT addresses', () => {
  const { m } = installed();
  const vec = (n: number) => [m.mem.read16(n * 4 + 2), m.mem.read16(n * 4)];
  assert.deepEqual(vec(0x08), [0xf000, L.ENTRY_INT08]);
  assert.deepEqual(vec(0x09), [0xf000, L.ENTRY_INT09]);
  assert.deepEqual(vec(0x10), [0xf000, L.ENTRY_INT10]);
  assert.deepEqual(vec(0x13), [0xf000, L.ENTRY_INT13]);
  assert.deepEqual(vec(0x15), [0xf000, L.ENTRY_INT15]);
  assert.deepEqual(vec(0x16), [0xf000, L.ENTRY_INT16]);
  assert.deepEqual(vec(0x19), [0xf000, L.ENTRY_INT19]);
  assert.deepEqual(vec(0x1a), [0xf000, L.ENTRY_INT1A]);
  assert.deepEqual(vec(0x1c), [0xf000, L.ENTRY_IRET]);
  assert.deepEqual(vec(0x1e), [0xf000, L.DISKETTE_PARAMS]);
  assert.deepEqual(vec(0x41), [0xf000, L.ENTRY_HD_PARAMS]);
  assert.deepEqual(vec(0x0b), [0xf000, L.ENTRY_IRQ_MASTER]);
  assert.deepEqual(vec(0x75), [0xf000, L.ENTRY_IRQ_SLAVE]);
  assert.deepEqual(vec(0x60), [0, 0]);
  // Reset vector, date and model byte.
  assert.deepEqual([...m.mem.peek(0xffff0, 5)], [0xea, 0x5b, 0xe0, 0x00, 0xf0]);
  assert.equal(String.fromCharCode(...m.mem.peek(0xffff5, 8)), '01/01/24');
  assert.equal(m.mem.read8(0xffffe), 0xfc);
  // The ROM cannot be written by the guest.
  m.mem.write8(0xfe6e, 0x90);
  m.mem.write8(0xffe6e, 0x90);
  assert.equal(m.mem.read8(0xffe6e), 0x0f);
});

test('BDA and EBDA as a PC BIOS leaves them', () => {
  const { m } = installed();
  const r16 = (a: number) => m.mem.read16(a);
  assert.equal(r16(L.BDA_COM1), 0x3f8);
  assert.equal(r16(L.BDA_EBDA_SEG), 0x9fc0);
  assert.equal(r16(L.BDA_EQUIPMENT), 0x0220);
  assert.equal(r16(L.BDA_MEMORY_KIB), 639);
  assert.equal(r16(L.BDA_KB_HEAD), 0x1e);
  assert.equal(r16(L.BDA_KB_TAIL), 0x1e);
  assert.equal(r16(L.BDA_KB_BUF_START), 0x1e);
  assert.equal(r16(L.BDA_KB_BUF_END), 0x3e);
  assert.equal(m.mem.read8(L.BDA_VIDEO_MODE), 3);
  assert.equal(r16(L.BDA_VIDEO_COLS), 80);
  assert.equal(m.mem.read8(L.BDA_VIDEO_ROWS), 24);
  assert.equal(r16(L.BDA_CRTC_PORT), 0x3d4);
  assert.equal(m.mem.read8(L.BDA_HD_COUNT), 1);
  assert.equal(m.mem.read8(0x9fc00), 1);
  assert.equal(r16(0xb8000), 0x0720);
  // A floppy sets the equipment word's diskette bit and no hard disk is counted.
  const f = installed({ floppy: true }).m;
  assert.equal(f.mem.read16(L.BDA_EQUIPMENT), 0x0221);
  assert.equal(f.mem.read8(L.BDA_HD_COUNT), 0);
  assert.equal(f.cpu.r8[8], 0x00);
});

test('INT 08h runs as CPU instructions from the ROM and counts the BDA ticks at 18.2 Hz', () => {
  const { m } = installed();
  let inHandler = 0;
  // Five timer periods of 65536 PIT ticks (4 instructions each), with HLT idling in between.
  m.run({
    maxInstructions: 5 * 65536 * 4 + 1000,
    beforeInstruction: (mm) => {
      const lin = mm.pcLinear;
      if (lin >= 0xf0000 + L.ENTRY_INT08 && lin < 0xf0000 + L.ENTRY_INT08 + INT08_CODE.length) inHandler++;
      return null;
    },
  });
  assert.equal(m.mem.read32(L.BDA_TICKS), 5);
  // 14 instructions per tick: save, count, compare with the day length, INT 1Ch, EOI, restore, IRET.
  assert.equal(inHandler, 5 * 14);
});

for (const [name, bytes, bits] of [['INT 08h', INT08_CODE, 16], ['INT 09h', INT09_CODE, 16], ['APM 32-bit protected-mode entry', APM32_CODE, 32]] as const) {
  test(`the ROM ${name} bytes are NASM's assembly of the source quoted in rom.ts`, () => {
    const src = readFileSync('emulator/bios/rom.ts', 'utf8');
    const block = new RegExp(`\\* ${name}\\b[^\\n]*[\\s\\S]*?(?:from this source|From:)[^\\n]*\\n([\\s\\S]*?)\\*/`).exec(src);
    assert.ok(block, 'source comment not found');
    const asm = block[1].split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join(' / ').split(' / ')
      .map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('.') ? s.replace(/^(\.\d+):\s*/, '$1:\n  ') : s)).join('\n  ');
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-rom-'));
    writeFileSync(join(dir, 'code.asm'), `bits ${bits}\n  ${asm}\n`);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'code.bin'), join(dir, 'code.asm')]);
    assert.deepEqual([...readFileSync(join(dir, 'code.bin'))], [...bytes]);
  });
}
