// The I/O permission bitmap of a 32-bit TSS (cpu.ioBitmapCheck), consulted when CPL > IOPL in
// protected mode and always in vm86: every bit for the accessed ports must be clear.
// Slow path. No Node or VS Code imports. SDM Vol. 1 §19.5.2 (I/O permission bit map), Vol. 3 §20.2.8.

import type { Cpu } from '../cpu';
import { IO_BITMAP_DENIED, IO_BITMAP_LIMIT, IO_TSS } from '../faultRules';
import { TR } from '../regs';

export function ioBitmapCheck(cpu: Cpu, port: number, size: number): void {
  // SDM Vol. 1 §19.5.2: no 32-bit TSS (the 80286 TSS has no bitmap) or a TSS shorter than 68H → #GP(0).
  const type = cpu.ar[TR] & 0xf;
  if ((type !== 9 && type !== 11) || cpu.limit[TR] < 0x67) cpu.faultRule(IO_TSS, 0, -1, port, type, 0, cpu.limit[TR], size);
  const base = cpu.base[TR];
  const mapBase = cpu.readLin16Sys((base + 0x66) >>> 0);
  const byte = mapBase + (port >>> 3);
  // The two bytes holding the port's bits must lie inside the TSS limit, else #GP(0).
  // SDM Vol. 1 §19.5.2: the processor reads two bitmap bytes; both must lie within the TSS limit.
  if (byte + 1 > cpu.limit[TR]) cpu.faultRule(IO_BITMAP_LIMIT, 0, -1, port, byte, 0, cpu.limit[TR], size);
  const bits = cpu.readLin16Sys((base + byte) >>> 0);
  const mask = ((1 << size) - 1) << (port & 7);
  // SDM Vol. 1 §19.5.2: any set bit for the accessed ports → #GP(0).
  if (bits & mask) cpu.faultRule(IO_BITMAP_DENIED, 0, -1, port, byte, bits, cpu.limit[TR], size);
}
