// 80386 paging (cpu.translate, cpu.tlbFlush, cpu.tlbInvalidate): two-level tables with 4 KiB
// pages and, with CR4.PSE, 4 MiB pages; U/S and R/W checks (CR0.WP for supervisor writes),
// accessed and dirty bits, #PF with CR2 and the error code. A TLB keyed by linear page holds the
// physical frame and permission bits; an entry grants writes only once the dirty bit is set, so the
// first write walks the tables again. No Node or VS Code imports. SDM Vol. 3 §4.3 (32-bit paging), §4.7 (#PF), §4.10 (TLBs).

import type { Cpu } from '../cpu';
import { DELIVERY_PAGE_FAULT, type FaultRule, PAGE_NOT_PRESENT, PAGE_USER, PAGE_WRITE } from '../faultRules';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PSE } from '../regs';

/** TLB entry bits below the 4 KiB frame address. */
const TLB_VALID = 1, TLB_USER_R = 2, TLB_SUP_W = 4, TLB_USER_W = 8;

/** The TLB entry bit that lets an access through without a walk (compiled blocks test it inline). */
export function tlbNeed(write: boolean, user: boolean): number {
  return write ? (user ? TLB_USER_W : TLB_SUP_W) : user ? TLB_USER_R : TLB_VALID;
}

/** Most pages a TLB remembers before a full clear (keeps a flush proportional to what was filled). */
const TLB_CAPACITY = 4096;

export class Tlb {
  /** Indexed by linear page: frame | TLB_* bits, 0 when empty. */
  readonly entries = new Int32Array(1 << 20);
  readonly filled = new Int32Array(TLB_CAPACITY);
  count = 0;

  flush(): void {
    if (this.count >= TLB_CAPACITY) this.entries.fill(0);
    else for (let i = 0; i < this.count; i++) this.entries[this.filled[i]] = 0;
    this.count = 0;
  }

  insert(page: number, entry: number): void {
    if (this.entries[page] === 0) {
      if (this.count < TLB_CAPACITY) this.filled[this.count] = page;
      this.count++;
    }
    this.entries[page] = entry;
  }
}

export function tlbOf(cpu: Cpu): Tlb {
  return (cpu.tlb ??= new Tlb());
}

/** Linear → physical for the current access; a miss or a missing permission walks the tables. */
export function translate(cpu: Cpu, lin: number, write: boolean): number {
  return translateWith(tlbOf(cpu), cpu, lin, write);
}

/** The hot path: install.ts binds it to the CPU's TLB once, so no lookup happens per access. */
export function translateWith(tlb: Tlb, cpu: Cpu, lin: number, write: boolean): number {
  const page = lin >>> 12;
  const e = tlb.entries[page];
  const user = cpu.cpl === 3 && !cpu.sysAccess;
  const need = tlbNeed(write, user);
  if ((e & need) !== 0) return ((e & ~0xfff) | (lin & 0xfff)) >>> 0;
  return walk(cpu, tlb, lin, write, user);
}

/**
 * SDM §4.7: error code bit 0 P (protection violation), bit 1 W/R, bit 2 U/S; CR2 = the linear address. `rule` with
 * the entries read (`pte` 0 when the PDE decided) and the level that decided; a delivery's page fault raises
 * DELIVERY.PAGE_FAULT instead, with the vector being delivered.
 */
function pageFault(cpu: Cpu, lin: number, present: boolean, write: boolean, user: boolean, rule: FaultRule, pde: number, pte: number, level: number): never {
  cpu.cr2 = lin >>> 0;
  const code = (present ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0);
  if (cpu.delivering >= 0) return cpu.faultRule(DELIVERY_PAGE_FAULT, code, cpu.delivering & 0xff, 0, 0, 0, 0, lin >>> 0, cpu.cpl);
  return cpu.faultRule(rule, code, -1, code, pde, pte, 0, lin >>> 0, level);
}

function walk(cpu: Cpu, tlb: Tlb, lin: number, write: boolean, user: boolean): number {
  const mem = cpu.mem;
  const pdeAddr = ((cpu.cr3 & 0xfffff000) + ((lin >>> 22) << 2)) >>> 0;
  const pde = mem.read32(pdeAddr);
  // SDM §4.3: PDE.P = 0 → #PF (not present).
  if (!(pde & 1)) pageFault(cpu, lin, false, write, user, PAGE_NOT_PRESENT, pde, 0, 1);
  let frame: number, us: boolean, rw: boolean, dirty: boolean;
  if (pde & 0x80 && cpu.cr4 & CR4_PSE) {
    // 4 MiB page (SDM §4.3 Table 4-4): the PDE maps it directly.
    us = (pde & 4) !== 0;
    rw = (pde & 2) !== 0;
    checkAccess(cpu, lin, write, user, us, rw, pde, 0);
    let v = pde | 0x20;
    if (write) v |= 0x40;
    if (v !== pde) mem.write32(pdeAddr, v >>> 0);
    dirty = (v & 0x40) !== 0;
    frame = ((pde & 0xffc00000) | (lin & 0x3ff000)) >>> 0;
  } else {
    const pteAddr = ((pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
    const pte = mem.read32(pteAddr);
    if (!(pte & 1)) pageFault(cpu, lin, false, write, user, PAGE_NOT_PRESENT, pde, pte, 2);
    // SDM §4.6: the effective U/S and R/W are the AND of both levels.
    us = (pde & pte & 4) !== 0;
    rw = (pde & pte & 2) !== 0;
    checkAccess(cpu, lin, write, user, us, rw, pde, pte);
    if (!(pde & 0x20)) mem.write32(pdeAddr, (pde | 0x20) >>> 0);
    let v = pte | 0x20;
    if (write) v |= 0x40;
    if (v !== pte) mem.write32(pteAddr, v >>> 0);
    dirty = (v & 0x40) !== 0;
    frame = (pte & 0xfffff000) >>> 0;
  }
  const wp = (cpu.cr0 & CR0_WP) !== 0;
  let bits = TLB_VALID;
  if (us) bits |= TLB_USER_R;
  if (dirty) {
    if (rw || !wp) bits |= TLB_SUP_W;
    if (rw && us) bits |= TLB_USER_W;
  }
  const old = tlb.entries[lin >>> 12];
  tlb.insert(lin >>> 12, (frame | bits) | 0);
  // A page-table write without INVLPG, seen by a walk for a permission the entry lacked: a
  // descriptor known to repeat may now be read elsewhere (protected/loadMemo.ts).
  if (old !== 0 && ((old ^ frame) & ~0xfff) !== 0) cpu.loadMemo.dropReloads();
  return (frame | (lin & 0xfff)) >>> 0;
}

/** SDM §4.6: user access to a supervisor page, user write to a read-only page, supervisor write with CR0.WP → #PF. */
function checkAccess(cpu: Cpu, lin: number, write: boolean, user: boolean, us: boolean, rw: boolean, pde: number, pte: number): void {
  // The level that decided: the PDE when it alone lacks the bit (or maps a 4 MiB page), else the PTE.
  const level = (bit: number) => (pte === 0 || !(pde & bit) ? 1 : 2);
  if (user && !us) pageFault(cpu, lin, true, write, user, PAGE_USER, pde, pte, level(4));
  if (write && !rw && (user || cpu.cr0 & CR0_WP)) pageFault(cpu, lin, true, write, user, PAGE_WRITE, pde, pte, level(2));
}

export function tlbFlush(cpu: Cpu): void {
  tlbOf(cpu).flush();
  cpu.translationsDropped();
}

export function tlbInvalidate(cpu: Cpu, lin: number): void {
  const t = tlbOf(cpu);
  t.entries[lin >>> 12] = 0;
  cpu.translationsDropped();
}

/**
 * The physical address (before the A20 mask) an access at `lin` gets from the TLB alone, or -1
 * where it would walk the tables: no side effect, no fault (the block cache's check before running
 * a block, the RAM path of REP MOVS/STOS).
 */
export function tlbPhysical(tlb: Tlb, lin: number, write: boolean, user: boolean): number {
  const e = tlb.entries[lin >>> 12];
  if ((e & tlbNeed(write, user)) === 0) return -1;
  return ((e & ~0xfff) | (lin & 0xfff)) >>> 0;
}

/**
 * The physical address an access at `lin` reads now (an instruction fetch, the stack a CALL just
 * wrote), without side effects: the TLB's frame when it holds the page (as the access would use it),
 * else the tables' (peekTranslate); -1 when not present.
 */
export function peekPhysical(cpu: Cpu, lin: number): number {
  if (!cpu.paging) return (lin & cpu.mem.a20Mask) >>> 0;
  const e = tlbOf(cpu).entries[lin >>> 12];
  return e & TLB_VALID ? (((e & ~0xfff) | (lin & 0xfff)) & cpu.mem.a20Mask) >>> 0 : peekTranslate(cpu, lin);
}

/** What a side-effect-free translation needs of a CPU: the live Cpu, or a copy of another machine's state (attach). */
export type LinearView = Pick<Cpu, 'cr0' | 'cr3' | 'cr4' | 'mem'>;

/**
 * Side-effect-free translation for the debugger (memory views, disassembly, expressions, watchpoints,
 * the call stack): walks the tables as CR0/CR3/CR4 say, ignores the TLB and permissions, reads them
 * with Memory.peek32 (no accessed/dirty bit, no device or watchpoint sees the read) and raises
 * nothing. A20 masks the table reads and the result as it masks every physical access. Returns the
 * physical address, or -1 when the page is not present.
 */
export function peekTranslate(view: LinearView, lin: number): number {
  const mem = view.mem, a20 = mem.a20Mask;
  lin >>>= 0;
  if (!(view.cr0 & CR0_PG) || !(view.cr0 & CR0_PE)) return (lin & a20) >>> 0;
  const pde = mem.peek32(((view.cr3 & 0xfffff000) + ((lin >>> 22) << 2)) & a20);
  if (!(pde & 1)) return -1;
  if (pde & 0x80 && view.cr4 & CR4_PSE) return (((pde & 0xffc00000) | (lin & 0x3fffff)) & a20) >>> 0;
  const pte = mem.peek32(((pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2)) & a20);
  if (!(pte & 1)) return -1;
  return (((pte & 0xfffff000) | (lin & 0xfff)) & a20) >>> 0;
}
