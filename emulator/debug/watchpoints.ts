// Data breakpoints (watchpoints) on linear ranges: the physical pages they cover get PF_WATCH_R/W
// so only accesses to those pages leave the fast path; Memory's observer then checks the exact
// range and asks the machine to stop after the accessing instruction, as an x86 data breakpoint
// traps. Pushes, string instructions and descriptor/IDT loads use the same accessors, so they hit too.
// The physical ranges follow the linear ones: every TLB flush or INVLPG (CR0.PG/CR3/CR4 writes, task
// switches, restored snapshots) and every A20 gate change translates them again, as a debug register
// compares linear addresses.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §18.2.4 (data breakpoints are traps).

import type { Cpu } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { AccessObserver, Memory } from '../memory/bus';
import { PAGE_SHIFT, PF_WATCH_R, PF_WATCH_W } from '../memory/pageFlags';
import { peekTranslate } from '../cpu/protected/paging';

export type WatchAccess = 'read' | 'write' | 'readWrite';

export interface Watchpoint {
  id: number;
  /** Linear start and length as the user gave them. */
  linear: number;
  length: number;
  access: WatchAccess;
  /** Physical byte ranges [start, end) the linear range maps to now, each with its linear start. */
  phys: [number, number, number][];
}

export interface WatchHit {
  watch: Watchpoint;
  /** Physical address of the access and its size (bytes observed one at a time). */
  address: number;
  /** The watched linear address it maps to (the first byte of the access inside the watch). */
  linear: number;
  kind: 'read' | 'write';
  value: number;
}

export class Watchpoints implements AccessObserver {
  private list: Watchpoint[] = [];
  private readonly owners = new Map<string, Watchpoint[]>();

  /** The armed watchpoints (reverse-continue looks for their earlier hits). */
  get items(): readonly Watchpoint[] {
    return this.list;
  }
  private armedPages: number[] = [];
  /** The first hit since the last `takeHit()`. */
  private hit: WatchHit | null = null;
  /** Called on the first hit of an instruction: the machine should stop after it. */
  onHit: (() => void) | null = null;
  /** Puts back the CPU's TLB flush and INVLPG while they are wrapped (some watchpoint is armed). */
  private unhookTlb: (() => void) | null = null;

  constructor(private readonly cpu: Cpu, private readonly mem: Memory) {}

  get size(): number {
    return this.list.length;
  }

  /**
   * Replaces the watchpoints of one front end (DAP setDataBreakpoints semantics); those of the others
   * (a gdb connection to the same session) stay armed. Returns the owner's watchpoints.
   */
  set(items: { id: number; linear: number; length: number; access: WatchAccess }[], owner = 'dap'): Watchpoint[] {
    const mine = items.map((w) => ({ ...w, phys: this.physRanges(w.linear, w.length) }));
    this.owners.set(owner, mine);
    this.list = [...this.owners.values()].flat();
    this.rearm();
    return mine;
  }

  /** Removes every watchpoint of every owner. */
  clear(): void {
    this.owners.clear();
    this.list = [];
    this.rearm();
  }

  /** Re-translates the linear ranges (after paging or A20 changes) and refreshes the page flags. */
  rearm(): void {
    const pf = this.mem.pageFlags;
    for (const p of this.armedPages) pf[p] &= ~(PF_WATCH_R | PF_WATCH_W);
    this.armedPages = [];
    for (const w of this.list) {
      w.phys = this.physRanges(w.linear, w.length);
      const bits = (w.access !== 'write' ? PF_WATCH_R : 0) | (w.access !== 'read' ? PF_WATCH_W : 0);
      for (const [s, e] of w.phys) {
        for (let p = s >>> PAGE_SHIFT; p <= (e - 1) >>> PAGE_SHIFT; p++) {
          pf[p] |= bits;
          this.armedPages.push(p);
        }
      }
    }
    // The fetch cache holds a page only while it has no watch bits; drop it so new bits apply.
    this.cpu.flushFetch();
    this.mem.observer = this.list.length > 0 ? this : null;
    this.hookTlb(this.list.length > 0);
  }

  /**
   * The linear → physical mapping changes only where the CPU flushes or invalidates its TLB or the
   * A20 gate moves, so the watched ranges are translated again there. Hooked only while watchpoints
   * are armed: a session without them keeps the plain functions.
   */
  private hookTlb(on: boolean): void {
    if (on === (this.unhookTlb !== null)) return;
    const cpu = this.cpu;
    if (!on) {
      this.unhookTlb!();
      this.unhookTlb = null;
      return;
    }
    this.mem.onA20Change = () => this.rearm();
    const flush = cpu.tlbFlush, invalidate = cpu.tlbInvalidate;
    cpu.tlbFlush = (c) => {
      flush(c);
      this.rearm();
    };
    cpu.tlbInvalidate = (c, lin) => {
      invalidate(c, lin);
      this.rearm();
    };
    this.unhookTlb = () => {
      cpu.tlbFlush = flush;
      cpu.tlbInvalidate = invalidate;
      this.mem.onA20Change = null;
    };
  }

  private physRanges(linear: number, length: number): [number, number, number][] {
    const out: [number, number, number][] = [];
    let done = 0;
    while (done < length) {
      const lin = (linear + done) >>> 0;
      const n = Math.min(length - done, 0x1000 - (lin & 0xfff));
      const phys = peekTranslate(this.cpu, lin);
      if (phys >= 0) {
        const last = out[out.length - 1];
        if (last && last[1] === phys && last[2] + (last[1] - last[0]) === lin) last[1] += n;
        else out.push([phys, phys + n, lin]);
      }
      done += n;
    }
    return out;
  }

  takeHit(): WatchHit | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  onRead(addr: number, size: number): void {
    // Instruction fetches from a watched page come through here too; x86 data breakpoints ignore them.
    const fetchLin = (this.cpu.base[CS] + this.cpu.eip - 1) >>> 0;
    if ((fetchLin & 0xfff) === (addr & 0xfff) && peekTranslate(this.cpu, fetchLin) === addr) return;
    this.check(addr, size, 'read', 0);
  }

  onWrite(addr: number, size: number, value: number): void {
    this.check(addr, size, 'write', value);
  }

  private check(addr: number, size: number, kind: 'read' | 'write', value: number): void {
    if (this.hit) return;
    for (const w of this.list) {
      if (kind === 'read' ? w.access === 'write' : w.access === 'read') continue;
      for (const [s, e, lin] of w.phys) {
        if (addr + size > s && addr < e) {
          this.hit = { watch: w, address: addr, linear: (lin + Math.max(0, addr - s)) >>> 0, kind, value };
          // A REP string instruction ends its run after this iteration (EIP rewinds to it), so the
          // stop comes after the accessing iteration, as the hardware trap does.
          this.cpu.repEnd = -1;
          this.onHit?.();
          return;
        }
      }
    }
  }
}
