// The last protected-mode load of each segment register from a descriptor, so that loading the same
// selector again (a far jump that reloads CS, `pop es` of the value ES already holds, as loops of boot
// code do) can skip the checks and the cache write when nothing they depend on changed: the same
// selector, the same CPL, the same descriptor bytes, and a register still holding exactly what that
// load put there. Then the full load would raise nothing, write no accessed bit (it is set in those
// bytes) and store the values the register has, so skipping it is exact.
// "The same descriptor bytes" is known without reading them when the descriptor lies in plain RAM:
// its bytes are marked on the bus (as compiled code is), and a store into them drops the mark; under
// paging the TLB must also still map its linear page to the same frame (then the load's read would
// hit that entry: no walk, no fault). Otherwise they are read again and compared, with the load's
// own faults.
// Once a load or a repeat has found that, `reloadable` keeps the answer for the register until
// something those checks read may have changed, so a repeat costs one compare (compiled blocks test
// it inline): the register's cache (Cpu.setCache), CPL (setCpl), the GDT (LGDT, a debugger's write),
// PE, PG or VM (Cpu.updateMode), the TLB (a flush, INVLPG, a walk that replaces an entry's frame:
// Cpu.translationsDropped and paging.ts), a store into the marked bytes or a remap (unmark), a
// snapshot restore (record/cpuState.ts). Each calls dropReloads or unmarks; a repeat records it anew.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §3.4.3, §5.5.

import type { Cpu } from '../cpu';
import type { FaultRule } from '../faultRules';
import type { Memory } from '../../memory/bus';
import { PAGE_SIZE, PF_MMIO, PF_ROM } from '../../memory/pageFlags';
import type { Descriptor } from '../segmentation';
import { descriptorAddress, descriptorHigh } from './common';
import { type Tlb, tlbOf, tlbPhysical } from './paging';

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
  /** Physical address of the marked descriptor bytes, -1 when they are not marked. */
  private readonly phys = new Float64Array(8).fill(-1);
  // The GDT and the A20 gate the marked address was found with.
  private readonly gdtBase = new Uint32Array(8);
  private readonly gdtLimit = new Uint32Array(8);
  private readonly a20 = new Int32Array(8);
  /** Under paging: the descriptor's linear address and its TLB translation (before A20); -1 when made without paging. */
  private readonly lin = new Uint32Array(8);
  private readonly tlbPhys = new Float64Array(8).fill(-1);
  /** The CPU's TLB, looked up on the first load under paging. */
  private tlb: Tlb | null = null;
  /**
   * Per register, the selector whose load would redo its recorded load, known to repeat since
   * nothing the check reads changed (see above); -1 when that must be checked again.
   */
  readonly reloadable = new Int32Array(8).fill(-1);

  constructor(private readonly mem: Memory) {}

  /** Records a completed load of `seg` through `sel` from descriptor `d` (accessed bit set by the load). */
  record(cpu: Cpu, seg: number, sel: number, d: Descriptor): void {
    this.unmark(seg);
    this.cpl[seg] = d.hi & 0x100 ? cpu.cpl : -1;
    this.selector[seg] = sel;
    this.lo[seg] = d.lo;
    this.hi[seg] = d.hi;
    this.cacheSel[seg] = cpu.sel[seg];
    this.base[seg] = cpu.base[seg];
    this.limit[seg] = cpu.limit[seg];
    this.ar[seg] = cpu.ar[seg];
    this.mark(cpu, seg, sel, d.addr);
    if (this.cpl[seg] >= 0 && this.phys[seg] >= 0) this.reloadable[seg] = sel;
  }

  /** Marks the descriptor's bytes at linear `addr` where they lie in plain RAM, found as the load found them. */
  private mark(cpu: Cpu, seg: number, sel: number, addr: number): void {
    const mem = this.mem;
    let at = addr;
    if (cpu.paging) {
      // The load just read the descriptor through the TLB (a supervisor read): one page, one entry.
      if ((at & 0xfff) > 0xff8) return;
      at = tlbPhysical((this.tlb ??= tlbOf(cpu)), at, false, false);
      if (at < 0) return;
    }
    const p = (at & mem.a20Mask) >>> 0;
    const plain = (a: number) => a + 1 <= mem.ramSize && (mem.pageFlags[a >>> 12] & (PF_ROM | PF_MMIO)) === 0;
    if (sel & 4 || ((at + 7) & mem.a20Mask) >>> 0 !== p + 7 || !plain(p) || !plain(p + 7)) return;
    this.phys[seg] = p;
    this.lin[seg] = addr;
    this.tlbPhys[seg] = cpu.paging ? at : -1;
    this.gdtBase[seg] = cpu.gdtrBase;
    this.gdtLimit[seg] = cpu.gdtrLimit;
    this.a20[seg] = mem.a20Mask;
    this.forEachPart(p, (a, n) => mem.markCode(a, n));
  }

  /**
   * True when loading `seg` through `sel` would redo the recorded load. Re-reading the entry faults
   * as the load would, through `rule` (its table index rule; `ruleSeg` the register it names).
   */
  repeats(cpu: Cpu, seg: number, sel: number, rule: FaultRule, ruleSeg = -1): boolean {
    if (this.reloadable[seg] === sel) return true;
    if (!this.sameRegister(cpu, seg, sel)) return false;
    if (!this.marked(cpu, seg)) {
      const addr = descriptorAddress(cpu, sel, 0, rule, -1, ruleSeg);
      if (descriptorHigh(cpu, addr) !== this.hi[seg] || cpu.readLin32Sys(addr) !== this.lo[seg]) return false;
      // The same bytes, found another way (paging switched on or off, another translation): marked anew.
      this.unmark(seg);
      this.mark(cpu, seg, sel, addr);
    }
    if (this.phys[seg] >= 0) this.reloadable[seg] = sel;
    return true;
  }

  /** Every register's repeat is checked again (something the check reads may have changed). */
  dropReloads(): void {
    this.reloadable.fill(-1);
  }

  private sameRegister(cpu: Cpu, seg: number, sel: number): boolean {
    return this.cpl[seg] === cpu.cpl && this.selector[seg] === sel && cpu.sel[seg] === this.cacheSel[seg] && cpu.base[seg] === this.base[seg] &&
      cpu.limit[seg] === this.limit[seg] && cpu.ar[seg] === this.ar[seg];
  }

  /** The descriptor's bytes are marked and still found where they were: unchanged since the load. */
  private marked(cpu: Cpu, seg: number): boolean {
    if (this.phys[seg] < 0 || cpu.gdtrBase !== this.gdtBase[seg] || cpu.gdtrLimit !== this.gdtLimit[seg] || this.mem.a20Mask !== this.a20[seg]) return false;
    const t = this.tlbPhys[seg];
    return t < 0 ? !cpu.paging : cpu.paging && tlbPhysical(this.tlb!, this.lin[seg], false, false) === t;
  }

  /** A store hit marked bytes (the bus's onCodeWrite): records made from them are read again next time. */
  written(addr: number, length: number): void {
    for (let seg = 0; seg < 8; seg++) {
      const p = this.phys[seg];
      if (p >= 0 && addr < p + 8 && addr + length > p) this.unmark(seg);
    }
  }

  /** The physical map changed (A20, ROM/MMIO): no mark stands for its bytes any more. */
  forget(): void {
    for (let seg = 0; seg < 8; seg++) this.unmark(seg);
  }

  private unmark(seg: number): void {
    this.reloadable[seg] = -1;
    const p = this.phys[seg];
    if (p < 0) return;
    this.phys[seg] = -1;
    this.forEachPart(p, (a, n) => this.mem.unmarkCode(a, n));
  }

  /** The 8 bytes at `p` split at a page boundary. */
  private forEachPart(p: number, f: (addr: number, length: number) => void): void {
    const first = Math.min(8, PAGE_SIZE - (p % PAGE_SIZE));
    f(p, first);
    if (first < 8) f(p + first, 8 - first);
  }
}
