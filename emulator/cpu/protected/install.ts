// Installs protected mode, vm86, task switching and paging on a CPU: the hooks of cpu.ts
// (farPm, pmInterrupt, loadLdtr, loadTr, ioBitmapCheck, translate, tlbFlush, tlbInvalidate).
// The 8086 gets none of them (it has no protected mode); the 80286 gets the 16-bit system types
// only and no paging. No Node or VS Code imports. SDM Vol. 3 chapters 3-7 and 20.

import type { Cpu } from '../cpu';
import { protectedFarTransfers } from './farTransfer';
import { pmInterrupt } from './interrupts';
import { ioBitmapCheck } from './ioBitmap';
import { tlbFlush, tlbInvalidate, tlbOf, translateWith } from './paging';
import { loadLdtr, loadTr } from './tables';

export function installProtectedMode(cpu: Cpu): void {
  if (!cpu.traits.pm) return;
  cpu.farPm = protectedFarTransfers;
  cpu.pmInterrupt = pmInterrupt;
  cpu.loadLdtr = loadLdtr;
  cpu.loadTr = loadTr;
  cpu.ioBitmapCheck = ioBitmapCheck;
  if (cpu.traits.paging) {
    const tlb = tlbOf(cpu);
    cpu.translate = (c, lin, write) => translateWith(tlb, c, lin, write);
    cpu.tlbFlush = tlbFlush;
    cpu.tlbInvalidate = tlbInvalidate;
  }
}
