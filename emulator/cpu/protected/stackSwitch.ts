// The inner-level stack switch shared by call gates and interrupt/trap gates: the ring-n SS:ESP
// comes from the current TSS (16- or 32-bit layout) and the new SS must pass the stack checks.
// Also a room check that raises #SS with the selector error code before anything is pushed.
// Slow path; no Node or VS Code imports. SDM Vol. 3 §5.8.5 (stack switching), §7.2.1 (TSS), §6.12.1.
import type { Cpu } from '../cpu';
import {
  STACK_ROOM, STACK_TSS_LIMIT, STACK_TSS_SS_DPL, STACK_TSS_SS_INDEX, STACK_TSS_SS_NOT_PRESENT, STACK_TSS_SS_NULL,
  STACK_TSS_SS_RPL, STACK_TSS_SS_TYPE,
} from '../faultRules';
import { AR_DB, ESP, SS, TR } from '../regs';
import { descAr, descBase, descLimit, type Descriptor } from '../segmentation';
import { dplOf, fetchDescriptor, isWritableData, present } from './common';

export interface InnerStack {
  ss: number;
  esp: number;
  d: Descriptor;
}

/** True when TR holds a 32-bit TSS (type 9 or 11). */
export function tss32(cpu: Cpu): boolean {
  return (cpu.ar[TR] & 8) !== 0;
}

/**
 * Reads SS:ESP for privilege level `dpl` from the TSS and checks the new stack segment
 * (SDM Vol. 3 §5.8.5 and the CALL / INT n pseudo-code): TSS too short → #TS(TR);
 * null SS → #TS(EXT); bad index, RPL or DPL ≠ dpl, not writable data → #TS(SS); not present → #SS(SS).
 */
export function readInnerStack(cpu: Cpu, dpl: number, ext: number, event = -1): InnerStack {
  let ss: number, esp: number;
  const base = cpu.base[TR];
  const trCode = (cpu.sel[TR] & 0xfffc) | ext;
  if (tss32(cpu)) {
    const off = 4 + dpl * 8;
    if (off + 5 > cpu.limit[TR]) cpu.faultRule(STACK_TSS_LIMIT, trCode, event, cpu.sel[TR], 0, 0, cpu.limit[TR], off + 5, dpl);
    esp = cpu.readLin32Sys((base + off) >>> 0);
    ss = cpu.readLin16Sys((base + off + 4) >>> 0);
  } else {
    const off = 2 + dpl * 4;
    if (off + 3 > cpu.limit[TR]) cpu.faultRule(STACK_TSS_LIMIT, trCode, event, cpu.sel[TR], 0, 0, cpu.limit[TR], off + 3, dpl);
    esp = cpu.readLin16Sys((base + off) >>> 0);
    ss = cpu.readLin16Sys((base + off + 2) >>> 0);
  }
  const code = (ss & 0xfffc) | ext;
  if ((ss & 0xfffc) === 0) cpu.faultRule(STACK_TSS_SS_NULL, ext, event, ss, 0, 0, 0, 0, dpl);
  const d = fetchDescriptor(cpu, ss, ext, STACK_TSS_SS_INDEX, event);
  if ((ss & 3) !== dpl) cpu.faultRule(STACK_TSS_SS_RPL, code, event, ss, d.lo, d.hi, 0, 0, dpl);
  if (dplOf(d) !== dpl) cpu.faultRule(STACK_TSS_SS_DPL, code, event, ss, d.lo, d.hi, 0, 0, dpl);
  if (!isWritableData(d)) cpu.faultRule(STACK_TSS_SS_TYPE, code, event, ss, d.lo, d.hi, 0, 0, dpl);
  if (!present(d)) cpu.faultRule(STACK_TSS_SS_NOT_PRESENT, code, event, ss, d.lo, d.hi, 0, 0, dpl);
  return { ss, esp, d };
}

/** Loads SS:ESP from a checked inner stack (ESP or SP by the new SS.B). */
export function loadInnerStack(cpu: Cpu, st: InnerStack): void {
  const ar = descAr(st.d);
  cpu.setCache(SS, st.ss, descBase(st.d), descLimit(st.d), ar);
  if (ar & AR_DB) cpu.r32[ESP] = st.esp;
  else cpu.r16[ESP * 2] = st.esp;
}

/**
 * #SS(errorCode) unless `bytes` can be pushed below the current SS:ESP (SDM §6.12.1 "stack limit");
 * `event` is the vector being delivered, -1 for a call gate.
 */
export function checkStackRoom(cpu: Cpu, bytes: number, errorCode: number, event = -1): void {
  const mask = cpu.stackMask;
  const esp = cpu.r32[ESP] & mask;
  const low = ((esp - bytes) & mask) >>> 0;
  const top = (low + bytes - 1) >>> 0;
  // SDM Vol. 3 §6.12.1 / Vol. 2 "CALL": the pushes would exceed the stack segment's limits → #SS.
  if (low < cpu.lo[SS] || top > cpu.hi[SS] || top < low) {
    cpu.faultRule(STACK_ROOM, errorCode, event, cpu.sel[SS], esp, 0, cpu.limit[SS], bytes);
  }
}

/** Pushes a value of the gate's width. */
export function pushW(cpu: Cpu, v: number, size32: boolean): void {
  if (size32) cpu.push32(v >>> 0);
  else cpu.push16(v & 0xffff);
}
