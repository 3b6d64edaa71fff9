// Hardware task switching: JMP/CALL to a TSS or task gate, INT/exception through a task gate,
// and IRET with NT=1. Saves the current state into the current TSS, updates the busy bits, the
// NT flag and the back link, loads TR, CR3, LDTR and the new register state (16-bit 80286 TSS or
// 32-bit TSS, vm86 tasks included). Slow path; may allocate. No Node or VS Code imports.
// SDM Vol. 3 §7.2 (TSS layout), §7.3 (task switching, Table 7-1 checks), §7.4 (nesting).

import type { Cpu } from '../cpu';
import {
  TASK_CS_DPL, TASK_CS_INDEX, TASK_CS_NOT_CODE, TASK_CS_NOT_PRESENT, TASK_CS_NULL, TASK_DATA_INDEX, TASK_DATA_NOT_PRESENT,
  TASK_DATA_TYPE, TASK_EIP_LIMIT, TASK_LDT_INDEX, TASK_LDT_NOT_PRESENT, TASK_LDT_TYPE, TASK_SS_INDEX, TASK_SS_NOT_PRESENT,
  TASK_SS_NULL, TASK_SS_PRIVILEGE, TASK_SS_TYPE, TASK_TSS_CURRENT_INDEX, TASK_TSS_CURRENT_LIMIT, TASK_TSS_LIMIT, TASK_TSS_NOT_PRESENT,
} from '../faultRules';
import {
  AR_UNUSABLE, CR0_TS, CS, DS, EFLAGS_NT, EFLAGS_VM, ES, FS, GS, LDTR, SS, TR,
} from '../regs';
import { descAr, descBase, descLimit, setAccessed, type Descriptor } from '../segmentation';
import {
  T_LDT, dplOf, fetchDescriptor, isCode, isConforming, isWritableData, pmModel, present, setCpl, typeS, writeAccessByte,
} from './common';
import { checkStackRoom, pushW } from './stackSwitch';

export const SWITCH_JMP = 0, SWITCH_CALL = 1, SWITCH_IRET = 2, SWITCH_INT = 3;

/** Segment registers in TSS order (ES CS SS DS FS GS). */
const TSS_SEGS = [ES, CS, SS, DS, FS, GS];

/**
 * Switches to the task whose TSS descriptor `d` (selector `sel`) the caller has checked for type,
 * DPL and presence. `ext` is the EXT bit for error codes; `errorCode` ≥ 0 is pushed on the new stack;
 * `event` is the vector delivered through a task gate (-1 for JMP, CALL, IRET), for the fault rules.
 */
export function taskSwitch(cpu: Cpu, sel: number, d: Descriptor, source: number, ext: number, errorCode: number, event = -1): void {
  const new32 = (typeS(d) & 8) !== 0;
  const nb = descBase(d);
  const nl = descLimit(d);
  const code = (sel & 0xfffc) | ext;
  // SDM §7.3 step 4 / Table 7-1: new TSS limit < 67H (32-bit) or 2BH (16-bit) → #TS(new TSS selector).
  const min = new32 ? 0x67 : 0x2b;
  if (nl < min) cpu.faultRule(TASK_TSS_LIMIT, code, event, sel, d.lo, d.hi, nl, min);
  if (!present(d)) cpu.faultRule(TASK_TSS_NOT_PRESENT, code, event, sel, d.lo, d.hi);
  const old32 = (cpu.ar[TR] & 8) !== 0;
  const ob = cpu.base[TR];
  // The current TSS must hold the saved state (SDM Table 7-1: #TS(current TSS selector)).
  const oldMin = old32 ? 0x5f : 0x29;
  if (cpu.limit[TR] < oldMin) {
    cpu.faultRule(TASK_TSS_CURRENT_LIMIT, (cpu.sel[TR] & 0xfffc) | ext, event, cpu.sel[TR], 0, 0, cpu.limit[TR], oldMin);
  }

  // Read the new task's state first (with the old CR3), so a fault here changes nothing.
  const r32 = (o: number) => cpu.readLin32Sys((nb + o) >>> 0);
  const r16 = (o: number) => cpu.readLin16Sys((nb + o) >>> 0);
  const regs = new Array<number>(8);
  const segs = new Array<number>(6);
  let eip: number, eflags: number, ldt: number, cr3 = 0;
  if (new32) {
    cr3 = r32(0x1c);
    eip = r32(0x20);
    eflags = r32(0x24);
    for (let i = 0; i < 8; i++) regs[i] = r32(0x28 + i * 4);
    for (let i = 0; i < 6; i++) segs[i] = r16(0x48 + i * 4);
    ldt = r16(0x60);
  } else {
    eip = r16(0x0e);
    eflags = r16(0x10);
    for (let i = 0; i < 8; i++) regs[i] = r16(0x12 + i * 2);
    for (let i = 0; i < 4; i++) segs[i] = r16(0x22 + i * 2);
    segs[4] = segs[5] = 0;
    ldt = r16(0x2a);
  }

  // SDM §7.3 step 7: JMP and IRET clear the busy bit of the old task's descriptor.
  if (source === SWITCH_JMP || source === SWITCH_IRET) {
    const od = fetchDescriptor(cpu, cpu.sel[TR], ext, TASK_TSS_CURRENT_INDEX, event);
    od.hi &= ~0x200;
    writeAccessByte(cpu, od);
  }
  // Step 8-9: save the current state; IRET saves EFLAGS with NT cleared.
  let oldFlags = cpu.getFlags();
  if (source === SWITCH_IRET) oldFlags &= ~EFLAGS_NT;
  if (old32) {
    const w32 = (o: number, v: number) => cpu.writeLin32Sys((ob + o) >>> 0, v);
    w32(0x20, cpu.eip);
    w32(0x24, oldFlags);
    for (let i = 0; i < 8; i++) w32(0x28 + i * 4, cpu.r32[i]);
    for (let i = 0; i < 6; i++) cpu.writeLin16Sys((ob + 0x48 + i * 4) >>> 0, cpu.sel[TSS_SEGS[i]]);
  } else {
    const w16 = (o: number, v: number) => cpu.writeLin16Sys((ob + o) >>> 0, v & 0xffff);
    w16(0x0e, cpu.eip);
    w16(0x10, oldFlags);
    for (let i = 0; i < 8; i++) w16(0x12 + i * 2, cpu.r16[i * 2]);
    for (let i = 0; i < 4; i++) w16(0x22 + i * 2, cpu.sel[TSS_SEGS[i]]);
  }
  // Step 10: CALL and INT link back to the old task and set NT in the new one (SDM §7.4).
  if (source === SWITCH_CALL || source === SWITCH_INT) {
    cpu.writeLin16Sys(nb, cpu.sel[TR]);
    eflags |= EFLAGS_NT;
  }
  // Step 11: the new task's descriptor becomes busy (IRET returns to a task that already is).
  if (source !== SWITCH_IRET) {
    d.hi |= 0x200;
    writeAccessByte(cpu, d);
  }
  // Step 12: load TR; CR0.TS is set on every task switch.
  cpu.setCache(TR, sel, nb, nl, descAr(d) | 0x2);
  cpu.cr0 |= CR0_TS;
  // A 32-bit TSS supplies CR3 when paging is on (SDM §7.2.1: "CR3 control register field").
  if (new32 && pmModel(cpu).hasPaging && cpu.paging) {
    cpu.cr3 = cr3 & 0xfffff018;
    cpu.tlbFlush(cpu);
  }

  // From here on the switch has happened: faults are reported in the new task's context.
  for (let i = 0; i < 8; i++) {
    if (new32) cpu.r32[i] = regs[i];
    else cpu.r16[i * 2] = regs[i];
  }
  cpu.eip = eip;
  cpu.prevEip = eip;
  const writable = cpu.traits.flagsWritable | 0x7000 | (new32 ? 0x30000 : 0);
  cpu.setFlags(eflags & writable);
  for (let i = 0; i < 6; i++) cpu.sel[TSS_SEGS[i]] = segs[i];
  const vm = (cpu.flags & EFLAGS_VM) !== 0;
  if (vm) {
    for (let i = 0; i < 6; i++) cpu.setCache(TSS_SEGS[i], segs[i], segs[i] << 4, 0xffff, 0xf3);
    setCpl(cpu, 3);
  } else {
    setCpl(cpu, segs[1] & 3);
  }
  loadTaskLdt(cpu, ldt, ext, event);
  if (!vm) loadTaskSegments(cpu, segs, ext, event);
  cpu.updateMode();
  // SDM §7.3 step 14 / Table 7-1: EIP outside the new CS limit → #GP(0) in the new task.
  if (eip > cpu.limit[CS]) cpu.faultRule(TASK_EIP_LIMIT, 0, event, cpu.sel[CS], 0, 0, cpu.limit[CS], eip);
  // An exception's error code goes on the new task's stack (SDM §6.12.2); no room → #SS(0) there.
  if (errorCode >= 0) {
    checkStackRoom(cpu, new32 ? 4 : 2, 0, event);
    pushW(cpu, errorCode, new32);
  }
}

/** LDTR from the new TSS (SDM Table 7-1: invalid or not-present LDT → #TS(LDT selector)). */
function loadTaskLdt(cpu: Cpu, ldt: number, ext: number, event: number): void {
  if ((ldt & 0xfffc) === 0) {
    cpu.setCache(LDTR, ldt, 0, 0, AR_UNUSABLE);
    return;
  }
  cpu.setCache(LDTR, 0, 0, 0, AR_UNUSABLE);
  const code = (ldt & 0xfffc) | ext;
  if (ldt & 4) cpu.faultRule(TASK_LDT_TYPE, code, event, ldt);
  const d = fetchDescriptor(cpu, ldt, ext, TASK_LDT_INDEX, event);
  if (typeS(d) !== T_LDT) cpu.faultRule(TASK_LDT_TYPE, code, event, ldt, d.lo, d.hi);
  if (!present(d)) cpu.faultRule(TASK_LDT_NOT_PRESENT, code, event, ldt, d.lo, d.hi);
  cpu.setCache(LDTR, ldt, descBase(d), descLimit(d), descAr(d));
}

/** CS, SS, DS, ES, FS, GS of a protected-mode task, with the checks of SDM Table 7-1. */
function loadTaskSegments(cpu: Cpu, segs: number[], ext: number, event: number): void {
  const cpl = cpu.cpl;
  // Start with SS and the data registers unusable so that a fault leaves no stale cache of the old
  // task: a #TS for the new SS cannot then be delivered on that stack (Bochs agrees; use a task gate).
  for (const s of [SS, ES, DS, FS, GS]) cpu.setCache(s, cpu.sel[s], 0, 0, AR_UNUSABLE);
  // CS: code segment; non-conforming DPL = RPL, conforming DPL <= RPL → else #TS(CS); not present → #NP(CS).
  const cs = segs[1];
  const csCode = (cs & 0xfffc) | ext;
  if ((cs & 0xfffc) === 0) cpu.faultRule(TASK_CS_NULL, ext, event, cs);
  const cd = fetchDescriptor(cpu, cs, ext, TASK_CS_INDEX, event);
  if (!isCode(cd)) cpu.faultRule(TASK_CS_NOT_CODE, csCode, event, cs, cd.lo, cd.hi);
  if (isConforming(cd) ? dplOf(cd) > (cs & 3) : dplOf(cd) !== (cs & 3)) cpu.faultRule(TASK_CS_DPL, csCode, event, cs, cd.lo, cd.hi);
  if (!present(cd)) cpu.faultRule(TASK_CS_NOT_PRESENT, csCode, event, cs, cd.lo, cd.hi);
  setAccessed(cpu, cd);
  cpu.setCache(CS, cs, descBase(cd), descLimit(cd), descAr(cd));
  // SS: writable data with RPL = DPL = CPL → else #TS(SS); not present → #SS(SS).
  const ss = segs[2];
  const ssCode = (ss & 0xfffc) | ext;
  if ((ss & 0xfffc) === 0) cpu.faultRule(TASK_SS_NULL, ext, event, ss);
  const sd = fetchDescriptor(cpu, ss, ext, TASK_SS_INDEX, event);
  if (!isWritableData(sd)) cpu.faultRule(TASK_SS_TYPE, ssCode, event, ss, sd.lo, sd.hi);
  if ((ss & 3) !== cpl || dplOf(sd) !== cpl) cpu.faultRule(TASK_SS_PRIVILEGE, ssCode, event, ss, sd.lo, sd.hi);
  if (!present(sd)) cpu.faultRule(TASK_SS_NOT_PRESENT, ssCode, event, ss, sd.lo, sd.hi);
  setAccessed(cpu, sd);
  cpu.setCache(SS, ss, descBase(sd), descLimit(sd), descAr(sd));
  // Data registers: null allowed; data or readable code with DPL >= max(CPL, RPL) unless conforming → else #TS; not present → #NP.
  // In the order DS, ES, FS, GS, each in full, as Table 7-1 lists them (the 80386 manual's too) and
  // Bochs checks them: with DS bad, ES is neither checked nor marked accessed (test/pm/README.md).
  for (const i of [3, 0, 4, 5]) {
    const seg = TSS_SEGS[i];
    const s = segs[i];
    if ((s & 0xfffc) === 0) {
      cpu.setCache(seg, s, 0, 0, AR_UNUSABLE);
      continue;
    }
    const dd = fetchDescriptor(cpu, s, ext, TASK_DATA_INDEX, event);
    const ar = descAr(dd);
    const bad = !(ar & 0x10) || (ar & 0xa) === 8 || (!isConforming(dd) && dplOf(dd) < Math.max(cpl, s & 3));
    if (bad) cpu.faultRule(TASK_DATA_TYPE, (s & 0xfffc) | ext, event, s, dd.lo, dd.hi);
    if (!present(dd)) cpu.faultRule(TASK_DATA_NOT_PRESENT, (s & 0xfffc) | ext, event, s, dd.lo, dd.hi);
    setAccessed(cpu, dd);
    cpu.setCache(seg, s, descBase(dd), descLimit(dd), ar);
  }
}
