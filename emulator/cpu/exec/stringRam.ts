// REP MOVS / REP STOS straight on RAM when nothing can intervene: every element inside the segment
// limits without offset wrap, each operand inside one linear page that, under paging, the TLB
// already maps with the access's permission (so no walk, no accessed or dirty bit to set, no #PF)
// onto one plain RAM page (no ROM, MMIO, watch or dirty-tracking bit), and the whole count inside
// the slice's budget. Then no fault, no
// watchpoint and no yield can happen mid-string, so the per-element accessor checks are dead
// weight. Elements still move one at a time in string order, so overlapping copies behave as on
// hardware. SDM Vol. 2 "MOVS", "STOS", "REP".
// Pure TypeScript: no Node or VS Code imports.

import { type Cpu, SEG_R, SEG_W } from '../cpu';
import { PAGE_SIZE, PF_READ_SLOW, PF_WRITE_SLOW } from '../../memory/pageFlags';
import { tlbOf, tlbPhysical } from '../protected/paging';
import { DS, ECX, EDI, ES, ESI } from '../regs';

/** Guest memory is little-endian; a 32-bit view of RAM reads it so only on a little-endian host. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Physical address of offset `first` in `seg` when the `size`-byte elements from `first` on, `count`
 * of them `delta` apart, all pass the segment checks and sit in one RAM page whose flags have none
 * of `slowBits`; -1 otherwise.
 */
function ramRun(cpu: Cpu, seg: number, first: number, size: number, count: number, delta: number, amask: number, ok: number, slowBits: number): number {
  const span = size * (count - 1);
  const low = delta > 0 ? first : first - span;
  const high = (delta > 0 ? first + span : first) + size - 1;
  if (low < 0 || high > amask || low < cpu.lo[seg] || high > cpu.hi[seg] || (cpu.segOk[seg] & ok) === 0) return -1;
  const linLow = cpu.base[seg] + low;
  const linHigh = cpu.base[seg] + high;
  if (linHigh > 0xffffffff || linLow >>> 12 !== linHigh >>> 12) return -1;
  let phys = (cpu.base[seg] + first) >>> 0;
  if (cpu.paging && (phys = tlbPhysical(tlbOf(cpu), phys, ok === SEG_W, cpu.cpl === 3)) < 0) return -1;
  phys = (phys & cpu.mem.a20Mask) >>> 0;
  const page = phys >>> 12;
  if ((cpu.mem.pageFlags[page] & slowBits) !== 0 || (page + 1) * PAGE_SIZE > cpu.mem.ramSize) return -1;
  return phys;
}

/**
 * Runs all `count` iterations of REP MOVS (movs) or REP STOS on RAM and returns true, or returns
 * false having done nothing, for repMovsStos's general loop to take over.
 */
export function repMovsStosRam(cpu: Cpu, movs: boolean, size: number, amask: number, delta: number, count: number): boolean {
  if (cpu.icount + count - 1 > cpu.repEnd) return false;
  const r = cpu.r32;
  // At the width they are written at (a wider load after a narrower store stalls the host CPU).
  const di = amask === 0xffff ? cpu.r16[EDI * 2] : r[EDI];
  let d = ramRun(cpu, ES, di, size, count, delta, amask, SEG_W, PF_WRITE_SLOW);
  if (d < 0) return false;
  const ram = cpu.ram;
  const bytes = size * count;
  // One loop per element size (elements move one at a time, in string order), or four bytes at a
  // time where that cannot differ: upward, 4-aligned, and for MOVS without overlap.
  const words = LITTLE_ENDIAN && delta > 0 && ((d | bytes) & 3) === 0;
  if (movs) {
    const si = amask === 0xffff ? cpu.r16[ESI * 2] : r[ESI];
    let s = ramRun(cpu, cpu.segOvr >= 0 ? cpu.segOvr : DS, si, size, count, delta, amask, SEG_R, PF_READ_SLOW);
    if (s < 0) return false;
    if (words && (s & 3) === 0 && (d + bytes <= s || s + bytes <= d)) {
      const ram32 = cpu.mem.ram32;
      for (let i = s >>> 2, j = d >>> 2, end = (s + bytes) >>> 2; i < end; i++, j++) ram32[j] = ram32[i];
    } else if (size === 1) {
      for (let i = 0; i < count; i++, s += delta, d += delta) ram[d] = ram[s];
    } else if (size === 2) {
      for (let i = 0; i < count; i++, s += delta, d += delta) { const v = ram[s] | (ram[s + 1] << 8); ram[d] = v; ram[d + 1] = v >>> 8; }
    } else {
      for (let i = 0; i < count; i++, s += delta, d += delta) {
        const v = ram[s] | (ram[s + 1] << 8) | (ram[s + 2] << 16) | (ram[s + 3] << 24);
        ram[d] = v; ram[d + 1] = v >>> 8; ram[d + 2] = v >>> 16; ram[d + 3] = v >>> 24;
      }
    }
    if (amask === 0xffff) cpu.r16[ESI * 2] = si + delta * count;
    else r[ESI] = si + delta * count;
  } else if (words) {
    const v = size === 1 ? cpu.r8[0] * 0x01010101 : size === 2 ? cpu.r16[0] * 0x10001 : r[0];
    const ram32 = cpu.mem.ram32;
    for (let j = d >>> 2, end = (d + bytes) >>> 2; j < end; j++) ram32[j] = v;
  } else if (size === 1) {
    const v = cpu.r8[0];
    for (let i = 0; i < count; i++, d += delta) ram[d] = v;
  } else if (size === 2) {
    const v = cpu.r16[0];
    for (let i = 0; i < count; i++, d += delta) { ram[d] = v; ram[d + 1] = v >>> 8; }
  } else {
    const v = r[0];
    for (let i = 0; i < count; i++, d += delta) { ram[d] = v; ram[d + 1] = v >>> 8; ram[d + 2] = v >>> 16; ram[d + 3] = v >>> 24; }
  }
  if (amask === 0xffff) {
    cpu.r16[EDI * 2] = di + delta * count;
    cpu.r16[ECX * 2] = 0;
  } else {
    r[EDI] = di + delta * count;
    r[ECX] = 0;
  }
  return true;
}
