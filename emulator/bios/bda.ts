// Fills the BIOS data area (0040:0000) and the extended BIOS data area as a PC BIOS leaves them after
// POST: COM1, equipment word, memory size, keyboard buffer, disk counts, tick count (0, counted by
// INT 08h from then on). Video fields are set by int10.ts initVideo. Pure TypeScript: no Node or VS
// Code imports. IBM PC/AT Technical Reference (BIOS data area); Ralf Brown's list, MEMORY.LST.

import type { Bios } from './bios';
import * as L from './layout';

/**
 * Equipment word (INT 11h): bit 0 diskette present, bit 1 math coprocessor, bits 5–4 = 10b 80x25
 * colour, bits 7–6 drives − 1, bits 11–9 serial ports.
 */
export function equipmentWord(floppies: number, serialPorts: number, fpu: boolean): number {
  let w = fpu ? 0x0022 : 0x0020;
  if (floppies > 0) w |= 0x0001 | ((floppies - 1) << 6);
  return w | ((serialPorts & 7) << 9);
}

export function initBda(b: Bios): void {
  const m = b.m;
  for (let a = L.BDA; a < L.BDA + 0x100; a++) b.wr8(a, 0);
  b.wr16(L.BDA_COM1, 0x3f8);
  b.wr16(L.BDA_EBDA_SEG, L.EBDA_SEGMENT);
  b.wr16(L.BDA_EQUIPMENT, equipmentWord(m.floppies.length, 1, m.cpu.fpu !== null));
  b.wr16(L.BDA_MEMORY_KIB, L.BASE_MEMORY_KIB);
  b.wr16(L.BDA_KB_HEAD, L.KB_BUF_FIRST);
  b.wr16(L.BDA_KB_TAIL, L.KB_BUF_FIRST);
  b.wr16(L.BDA_KB_BUF_START, L.KB_BUF_FIRST);
  b.wr16(L.BDA_KB_BUF_END, L.KB_BUF_LAST);
  b.wr8(L.BDA_KB_MODE, 0x10); // a 101/102-key keyboard is installed
  b.wr8(L.BDA_HD_COUNT, m.hardDisks.length);
  // EBDA: its first byte is its size in KiB; the rest is ours to use and stays zero.
  const ebda = L.EBDA_SEGMENT << 4;
  for (let a = ebda; a < ebda + L.EBDA_KIB * 1024; a++) b.wr8(a, 0);
  b.wr8(ebda, L.EBDA_KIB);
}
