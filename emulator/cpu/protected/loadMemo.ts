// The last protected-mode load of each segment register from a descriptor, so that loading the same
// selector again (a far jump that reloads CS, `pop es` of the value ES already holds, as loops of boot
// code do) can skip the checks and the cache write when nothing they depend on changed: the same
// selector, the same CPL, the same descriptor bytes just read from the table, and a register still
// holding exactly what that load put there. Then the full load would raise nothing, write no accessed
// bit (it is set in those bytes) and store the values the register has, so skipping it is exact.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §3.4.3, §5.5.

import type { Cpu } from '../cpu';
import { GP } from '../faults';
import type { Descriptor } from '../segmentation';
import { descriptorAddress, descriptorHigh } from './common';

export class SegmentLoadMemo {
  /** CPL of the recorded load, -1 when there is none. */
  private readonly cpl = new Int8Array(8).fill(-1);
  private readonly selector = new Uint16Array(8);
  private readonly lo = new Uint32Array(8);
  private readonly hi = new Uint32Array(8);
  // What the load left in the register's cache.
  private readonly cacheSel = new Uint16Array(8);
  private readonly base = new Uint32Array(8);
  private readonly limit = new Uint32Array(8);
  private readonly ar = new Uint32Array(8);

  /** Records a completed load of `seg` through `sel` from descriptor `d` (accessed bit set by the load). */
  record(cpu: Cpu, seg: number, sel: number, d: Descriptor): void {
    this.cpl[seg] = d.hi & 0x100 ? cpu.cpl : -1;
    this.selector[seg] = sel;
    this.lo[seg] = d.lo;
    this.hi[seg] = d.hi;
    this.cacheSel[seg] = cpu.sel[seg];
    this.base[seg] = cpu.base[seg];
    this.limit[seg] = cpu.limit[seg];
    this.ar[seg] = cpu.ar[seg];
  }

  /**
   * True when loading `seg` through `sel` would redo the recorded load. The register and CPL are
   * compared first; then the descriptor is read as the load reads it (same order, same faults).
   */
  repeats(cpu: Cpu, seg: number, sel: number): boolean {
    if (this.cpl[seg] !== cpu.cpl || this.selector[seg] !== sel || cpu.sel[seg] !== this.cacheSel[seg] || cpu.base[seg] !== this.base[seg] ||
      cpu.limit[seg] !== this.limit[seg] || cpu.ar[seg] !== this.ar[seg]) return false;
    const addr = descriptorAddress(cpu, sel, GP, 0);
    return descriptorHigh(cpu, addr) === this.hi[seg] && cpu.readLin32Sys(addr) === this.lo[seg];
  }
}
