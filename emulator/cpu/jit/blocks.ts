// The cache of compiled blocks (compile.ts), keyed by linear address as the architecture doc asks:
// a direct-mapped table checked with a few compares per block, a hotness count so cold code (most
// of a boot) is only interpreted, and invalidation at instruction granularity: the memory bus marks
// the exact bytes blocks were made from (PF_CODE), and a store into one of them drops the blocks
// made from it and raises ATTN_CODE so a running block returns after the storing instruction.
// Stores next to code (a boot sector's variables and stack share its page) cost one byte test.
// A block's key is its entry (linear address, EIP), the mode it assumes (blockMode) and the
// physical page it was made from (codePage, the one translation). Under paging a block runs only
// where the interpreter would fetch its entry from that physical address now: the code window
// (cpu.ts) holds it, or the TLB does and the window is opened there as a fetch would open it. That
// check is the whole paging context: the TLB is what the interpreter translates with, so CR3, CR4
// and CR0 writes and INVLPG (which flush it, drop the window and make a running block return)
// reach blocks as they reach the interpreter, and a page-table write changes nothing until one of
// them, on hardware as here; CPL, the one input of an access's permission besides the TLB entry, is
// part of the mode. The table holds one block per linear entry; a block for the same entry in
// another address space (another CR3, the page remapped) stays on its physical page's list and
// comes back into the table when the entry is fetched from that page again, so a loader and its
// kernel, or two processes, at the same linear address do not recompile at each switch. Remaps
// (A20, ROM/MMIO maps) and patched dispatch entries drop them all; a block made for another
// breakpoint set runs on a page without breakpoints (a block stays inside one page), or once its
// instructions are checked against the set.
// Pure TypeScript: no Node or VS Code imports.

import { ATTN_CODE, type Cpu } from '../cpu';
import { type BreakpointSet, stepOne } from '../execute';
import { type Tlb, tlbOf, tlbPhysical } from '../protected/paging';
import { PAGE_SHIFT, PAGE_SIZE, PF_MMIO, PF_ROM, PF_WATCH_R } from '../../memory/pageFlags';
import { CS } from '../regs';
import { type CompiledBlock, compileBlock } from './compile';

const TABLE_BITS = 16;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
/**
 * Executions of an entry point before it is compiled (by default). A new block runs in V8's own
 * interpreter until V8 finds it hot, slower than this project's (optimized) interpreter, and costs
 * about half a millisecond to make: it pays off only for code that keeps running. Measured on the
 * syslinux boot (10M instructions): 24 → 35 % slower than interpreting everything; 8,000 → on par or faster.
 */
const HOT = 8000;

/** blockMode's bit for a block made under paging: its accesses go through the TLB. */
const MODE_PAGED = 2;
/** blockMode's bit for a block made under paging at CPL 3: its accesses need the TLB's user bits. */
const MODE_USER = 4;
/** blockMode's bit for a block made for a 32-bit stack (SS.B): its pushes and pops use ESP. */
const MODE_STACK32 = 8;

/**
 * What a block assumes beyond its bytes and entry: the code segment's default size, the stack
 * size, paging and, under paging, whether accesses are user accesses. The segment's base and
 * limit, and under paging the translation of its page (BlockCache.mapped), are checked per entry.
 */
function blockMode(cpu: Cpu): number {
  return cpu.code32 | (cpu.stackMask === 0xffff ? 0 : MODE_STACK32) | (cpu.paging ? (cpu.cpl === 3 ? MODE_PAGED | MODE_USER : MODE_PAGED) : 0);
}

export class Block {
  dead = false;
  constructor(
    readonly lin: number,
    readonly eip: number,
    /** blockMode() when it was made. */
    readonly mode: number,
    /** The physical page it was made from. */
    readonly page: number,
    /** Physical address of the entry minus its EIP (cpu.winDelta of a code window on that page). */
    readonly delta: number,
    /** The guest bytes it was made from: [physical address, length] pairs (compile.ts), in `page`. */
    readonly ranges: number[],
    readonly lastEip: number,
    readonly count: number,
    readonly run: (cpu: Cpu) => void,
    /** Linear addresses it would run past without a breakpoint check (compile.ts CompiledBlock.inner). */
    readonly inner: number[],
    /** The breakpoint set it is known to hold none of (BlockCache.stamp). */
    public stamp: number,
  ) {}

  /** Whether it runs past no breakpoint of `bps`. */
  clearOf(bps: BreakpointSet): boolean {
    for (const a of this.inner) if (bps.has(a)) return false;
    return true;
  }
}

function overlaps(b: Block, addr: number, length: number): boolean {
  for (let i = 0; i < b.ranges.length; i += 2) if (addr < b.ranges[i] + b.ranges[i + 1] && addr + length > b.ranges[i]) return true;
  return false;
}

export class BlockCache {
  // Allocated on first use: a CPU made for one conformance vector never needs them.
  private table: (Block | null)[] = [];
  private heat = new Uint16Array(0);
  /** Live blocks by physical page, for invalidation. */
  private readonly byPage = new Map<number, Block[]>();
  private bps: BreakpointSet | null = null;
  private bpVersion = -1;
  /** Changes with the breakpoint set: a block made under another stamp may hold a breakpoint of this one. */
  private stamp = 0;
  /** Blocks compiled so far (a statistic for tests and benchmarks). */
  compiled = 0;
  /** Executions of an entry point before it is compiled (1..65535; tests use 1 to compile everything; Infinity: never). */
  hot = HOT;

  /** The CPU's TLB (protected/paging.ts), looked up on first use under paging. */
  private tlbCache: Tlb | null = null;

  constructor(private readonly cpu: Cpu) {}

  private get tlb(): Tlb {
    return (this.tlbCache ??= tlbOf(this.cpu));
  }

  /** Called by runCpu with the run's breakpoints: a block never runs across one. */
  useBreakpoints(bps: BreakpointSet | null): void {
    const version = bps ? bps.version : -1;
    if (bps === this.bps && version === this.bpVersion) return;
    // Blocks made for another set stay: runBurst uses one where this set has no breakpoint in its
    // page, or after checking its instructions against the set.
    this.stamp++;
    this.bps = bps;
    this.bpVersion = version;
  }

  /**
   * runCpu's burst loop with blocks: runs compiled blocks (one instruction at a time
   * where there is none, counting the address's heat) until an attention bit, HLT, the budget `end`,
   * or a breakpoint in `bps` at the next EIP. Faults propagate to runCpu, which delivers them.
   */
  runBurst(cpu: Cpu, end: number, bps: BreakpointSet | null): void {
    if (this.table.length === 0) this.allocate();
    const base = cpu.base, table = this.table, heat = this.heat;
    for (;;) {
      const eip = cpu.eip;
      const lin = (base[CS] + eip) | 0;
      const i = lin & TABLE_MASK;
      let b = table[i];
      if (b !== null && b.lin === lin && b.eip === eip && b.mode === blockMode(cpu) && b.lastEip <= cpu.hi[CS] &&
        ((b.mode & MODE_PAGED) === 0 || this.mapped(b, eip, lin) || (b = this.otherSpace(b, eip, lin, i)) !== null) &&
        (b.stamp === this.stamp || bps === null || bps.pages[lin >>> 12] === 0 || this.recheck(b, bps))) {
        if (cpu.icount + b.count <= end) b.run(cpu);
        else stepOne(cpu);
      } else if (++heat[i] >= this.hot) {
        heat[i] = 0;
        const c = this.compile(lin, i);
        if (c !== null && cpu.icount + c.count <= end) c.run(cpu);
        else stepOne(cpu);
      } else {
        stepOne(cpu);
      }
      if (cpu.attn !== 0 || cpu.icount >= end || cpu.halted) return;
      if (bps !== null) {
        const l = (base[CS] + cpu.eip) >>> 0;
        if (bps.pages[l >>> 12] !== 0 && bps.has(l)) return;
      }
    }
  }

  /**
   * Under paging: whether the interpreter would fetch the entry of `b` from the address `b` was made
   * from. The code window decides when it holds EIP; else a TLB entry that grants the fetch opens the
   * window there, as the fetch would (a miss is left to the interpreter, whose fetch walks the tables
   * and may fault).
   */
  private mapped(b: Block, eip: number, lin: number): boolean {
    const cpu = this.cpu;
    if (((eip - cpu.winLo) >>> 0) < cpu.winLen) return cpu.winDelta === b.delta;
    const phys = this.fetchPhysical(lin);
    if (phys !== eip + b.delta || (cpu.mem.pageFlags[b.page] & (PF_MMIO | PF_WATCH_R)) !== 0) return false;
    cpu.openWindow(eip, lin, phys);
    return true;
  }

  /**
   * Under paging, a block for the entry of `b` made in another address space (another CR3, or the
   * page remapped since): one made from the page the entry is fetched from now, put back into the
   * table at `slot`; null when there is none (or the TLB does not hold the page yet).
   */
  private otherSpace(b: Block, eip: number, lin: number, slot: number): Block | null {
    const cpu = this.cpu;
    const inWindow = ((eip - cpu.winLo) >>> 0) < cpu.winLen;
    const phys = inWindow ? eip + cpu.winDelta : this.fetchPhysical(lin);
    if (phys < 0) return null;
    const c = this.made(lin, eip, b.mode, phys);
    if (c === null || c.lastEip > cpu.hi[CS] || (!inWindow && (cpu.mem.pageFlags[c.page] & (PF_MMIO | PF_WATCH_R)) !== 0)) return null;
    if (!inWindow) cpu.openWindow(eip, lin, phys);
    this.table[slot] = c;
    return c;
  }

  /** A live block for the entry CS:EIP at linear `lin`, in mode `mode`, made from physical `phys`; or null. */
  private made(lin: number, eip: number, mode: number, phys: number): Block | null {
    const list = this.byPage.get(phys >>> PAGE_SHIFT);
    if (list) for (const c of list) if (!c.dead && c.lin === lin && c.eip === eip && c.mode === mode && c.delta === phys - eip) return c;
    return null;
  }

  /** The physical address a fetch at `lin` gets from the TLB alone (as fetch8Slow masks it), or -1. */
  private fetchPhysical(lin: number): number {
    const p = tlbPhysical(this.tlb, lin, false, this.cpu.cpl === 3);
    return p < 0 ? p : (p & this.cpu.mem.a20Mask) >>> 0;
  }

  /** A block made under another breakpoint set, on a page with breakpoints: usable if it holds none. */
  private recheck(b: Block, bps: BreakpointSet): boolean {
    if (!b.clearOf(bps)) return false;
    b.stamp = this.stamp;
    return true;
  }

  private allocate(): void {
    this.table = new Array<Block | null>(1 << TABLE_BITS).fill(null);
    this.heat = new Uint16Array(1 << TABLE_BITS);
  }

  /**
   * The physical address of the code at CS:EIP (linear `lin`), or -1 where blocks are not made:
   * under paging where neither the code window nor the TLB holds it (the interpreter translates it
   * first), and outside plain RAM pages (ROM, MMIO and read-watched code is interpreted).
   */
  private codePage(lin: number): number {
    const cpu = this.cpu, mem = cpu.mem;
    let phys = (lin & mem.a20Mask) >>> 0;
    if (cpu.paging) {
      const eip = cpu.eip;
      phys = ((eip - cpu.winLo) >>> 0) < cpu.winLen ? eip + cpu.winDelta : this.fetchPhysical(lin);
      if (phys < 0) return -1;
    }
    const page = phys >>> PAGE_SHIFT;
    if ((mem.pageFlags[page] & (PF_MMIO | PF_ROM | PF_WATCH_R)) !== 0 || (page + 1) * PAGE_SIZE > mem.ramSize) return -1;
    return phys;
  }

  private compile(lin: number, slot: number): Block | null {
    const cpu = this.cpu;
    const phys = this.codePage(lin);
    if (phys < 0) return null;
    const old = this.table[slot];
    // Made in this address space before, and moved out of the table by another one's block.
    const found = cpu.paging ? this.made(lin, cpu.eip, blockMode(cpu), phys) : null;
    if (found !== null && found.lastEip <= cpu.hi[CS] && (found.stamp === this.stamp || this.bps === null || this.recheck(found, this.bps))) {
      return (this.table[slot] = found);
    }
    const bps = this.bps;
    let c: CompiledBlock | null;
    try {
      c = compileBlock(cpu, cpu.eip, phys, bps ? (l) => bps.pages[l >>> 12] !== 0 && bps.has(l) : () => false);
    } catch (e) {
      // A host that forbids generating code from strings (--disallow-code-generation-from-strings):
      // everything stays interpreted.
      if (!(e instanceof EvalError)) throw e;
      this.hot = Infinity;
      return null;
    }
    if (c === null) return null;
    // A block for the same entry in another address space stays (on its page's list) for when that
    // space comes back: a loader and its kernel, or two processes, at the same linear address.
    if (found !== null) this.remove(found);
    if (old !== null && old !== found && !(old.lin === lin && (old.mode & MODE_PAGED) !== 0 && old.delta !== phys - cpu.eip)) this.remove(old);
    const b = new Block(lin, cpu.eip, blockMode(cpu), phys >>> PAGE_SHIFT, phys - cpu.eip, c.ranges, c.lastEip, c.count, c.run, c.inner, this.stamp);
    this.table[slot] = b;
    let list = this.byPage.get(b.page);
    if (!list) this.byPage.set(b.page, (list = []));
    list.push(b);
    for (let i = 0; i < b.ranges.length; i += 2) cpu.mem.markCode(b.ranges[i], b.ranges[i + 1]);
    this.compiled++;
    return b;
  }

  /** Drops a block and takes it off its page's list. */
  private remove(b: Block): void {
    this.drop(b);
    const list = this.byPage.get(b.page);
    const i = list ? list.indexOf(b) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /** A store hit marked bytes (Cpu routes the bus's onCodeWrite here): drop every block overlapping them. */
  codeWritten(addr: number, length: number): void {
    const page = addr >>> PAGE_SHIFT;
    const list = this.byPage.get(page);
    if (!list) return;
    const live: Block[] = [];
    for (const b of list) {
      if (b.dead) continue;
      if (overlaps(b, addr, length)) this.drop(b);
      else live.push(b);
    }
    if (live.length > 0) this.byPage.set(page, live);
    else this.byPage.delete(page);
    this.cpu.attn |= ATTN_CODE;
  }

  /** Forgets a block and its marks (the caller keeps byPage up to date: remove()). */
  private drop(b: Block): void {
    if (b.dead) return;
    b.dead = true;
    const i = b.lin & TABLE_MASK;
    if (this.table[i] === b) this.table[i] = null;
    for (let k = 0; k < b.ranges.length; k += 2) this.cpu.mem.unmarkCode(b.ranges[k], b.ranges[k + 1]);
  }

  /** Drops every block (remaps, patched dispatch entries). */
  flush(): void {
    for (const list of this.byPage.values()) for (const b of list) this.drop(b);
    this.byPage.clear();
    if (this.table.length > 0) this.table.fill(null);
    // A block that made this happen (an OUT to the A20 gate) returns after that instruction.
    this.cpu.attn |= ATTN_CODE;
  }
}
