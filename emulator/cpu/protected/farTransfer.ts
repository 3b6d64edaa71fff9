// Protected-mode far JMP/CALL/RETF/IRET (cpu.farPm): direct transfers to code segments, call
// gates with the inner-level stack switch and parameter copy, task gates and TSS targets (task
// switch), returns to the same or an outer level, IRET to vm86 and IRET with NT (task return).
// Slow path: may allocate. No Node or VS Code imports.
// SDM Vol. 3 §5.8 (privilege checks on control transfer), §7.3 (task switching), §20.2.5 (IRET to vm86);
// Vol. 2 "JMP", "CALL", "RET", "IRET".

import type { Cpu } from '../cpu';
import type { FarTransfers } from '../exec/control';
import {
  FAR_CS_NOT_CODE, FAR_CS_NOT_PRESENT, FAR_CS_PRIVILEGE, FAR_EIP_LIMIT, FAR_GATE_CS_DPL, FAR_GATE_CS_INDEX, FAR_GATE_CS_NOT_CODE,
  FAR_GATE_CS_NOT_PRESENT, FAR_GATE_CS_NULL, FAR_GATE_DPL, FAR_GATE_NOT_PRESENT, FAR_INDEX, FAR_NULL, FAR_TYPE, type FaultRule,
  IRET_LINK_INDEX, IRET_LINK_NOT_PRESENT, IRET_LINK_TI, IRET_LINK_TYPE, TASK_TSS_INDEX, TASK_TSS_LDT, TASK_TSS_NOT_PRESENT, TASK_TSS_TYPE,
  RET_CS_DPL, RET_CS_INDEX, RET_CS_NOT_CODE, RET_CS_NOT_PRESENT, RET_CS_NULL, RET_CS_RPL, RET_SS_INDEX, RET_SS_NOT_PRESENT,
  RET_SS_NULL, RET_SS_PRIVILEGE, RET_SS_TYPE,
} from '../faultRules';
import {
  AR_DB, CS, DS, EFLAGS_IOPL, EFLAGS_NT, EFLAGS_RF, EFLAGS_VM, ES, ESP, FS, GS, SS, TR,
} from '../regs';
import { descAr, descBase, descLimit, invalidateForOuterLevel, setAccessed, type Descriptor } from '../segmentation';
import {
  SavedState, T_CALLGATE16, T_CALLGATE32, T_TASKGATE, T_TSS16_AVAIL, T_TSS16_BUSY, T_TSS32_AVAIL, T_TSS32_BUSY,
  dplOf, fetchDescriptor, isCode, isConforming, isWritableData, loadCs, pmModel, present, restoreState, saveState, setCpl, typeS,
} from './common';
import { checkStackRoom, loadInnerStack, pushW, readInnerStack } from './stackSwitch';
import { SWITCH_CALL, SWITCH_IRET, SWITCH_JMP, taskSwitch } from './taskSwitch';

const saved = new SavedState();

/** Loads CS from a checked code descriptor at `cpl` and jumps to `off` (#GP(0) beyond the limit). */
function enterCode(cpu: Cpu, sel: number, d: Descriptor, cpl: number, off: number): void {
  const limit = descLimit(d);
  // SDM Vol. 2 "JMP"/"CALL": IF instruction pointer not within code segment limit THEN #GP(0).
  if (off > limit) eipBeyond(cpu, sel, limit, off);
  setAccessed(cpu, d);
  loadCs(cpu, sel, cpl, descBase(d), limit, descAr(d));
  cpu.eip = off;
}

/** SDM Vol. 2 "JMP"/"CALL"/"RET"/"IRET": the new EIP beyond the code segment limit → #GP(0); compiled blocks raise it too. */
export function eipBeyond(cpu: Cpu, sel: number, limit: number, off: number): never {
  return cpu.faultRule(FAR_EIP_LIMIT, 0, -1, sel, 0, 0, limit, off >>> 0);
}

/** Raises `rule` for selector `sel` with descriptor `d` (its vector, error code selector | 0). */
function broken(cpu: Cpu, rule: FaultRule, sel: number, d: Descriptor, level = 0): never {
  return cpu.faultRule(rule, sel & 0xfffc, -1, sel, d.lo, d.hi, 0, 0, level);
}

/** Checks for JMP/CALL directly to a code segment (SDM Vol. 3 §5.8.1, §5.8.2). */
function checkDirectCode(cpu: Cpu, sel: number, d: Descriptor): void {
  // SDM §5.8.2: conforming: DPL <= CPL; non-conforming: RPL <= CPL and DPL = CPL; else #GP(selector).
  if (!isCode(d)) broken(cpu, FAR_CS_NOT_CODE, sel, d);
  if (isConforming(d)) {
    if (dplOf(d) > cpu.cpl) broken(cpu, FAR_CS_PRIVILEGE, sel, d);
  } else if ((sel & 3) > cpu.cpl || dplOf(d) !== cpu.cpl) broken(cpu, FAR_CS_PRIVILEGE, sel, d);
  // SDM Vol. 2 "JMP": segment not present → #NP(selector).
  if (!present(d)) broken(cpu, FAR_CS_NOT_PRESENT, sel, d);
}

/** Checks a gate's or TSS descriptor's DPL against CPL and RPL and its P bit (SDM §5.8.4, §7.3). */
function checkGateAccess(cpu: Cpu, sel: number, d: Descriptor): void {
  // SDM §5.8.4: gate DPL < CPL or < RPL → #GP(gate selector); not present → #NP(gate selector).
  if (dplOf(d) < cpu.cpl || dplOf(d) < (sel & 3)) broken(cpu, FAR_GATE_DPL, sel, d);
  if (!present(d)) broken(cpu, FAR_GATE_NOT_PRESENT, sel, d);
}

/** The TSS named by a task gate: GDT only, an available TSS, present (SDM Vol. 2 "JMP" task-gate branch). */
function tssFromTaskGate(cpu: Cpu, gate: Descriptor, ext: number): [number, Descriptor] {
  const tssSel = gate.lo >>> 16;
  // SDM: TSS selector with TI = 1 → #GP(TSS selector); index outside the GDT → #GP(TSS selector).
  // The delivery path's TASK.TSS.* rules, outside delivery (event -1).
  if (tssSel & 4) cpu.faultRule(TASK_TSS_LDT, (tssSel & 0xfffc) | ext, -1, tssSel);
  const td = fetchDescriptor(cpu, tssSel, ext, TASK_TSS_INDEX);
  const t = typeS(td);
  if (t !== T_TSS16_AVAIL && !(t === T_TSS32_AVAIL && validType(cpu, t))) cpu.faultRule(TASK_TSS_TYPE, (tssSel & 0xfffc) | ext, -1, tssSel, td.lo, td.hi);
  if (!present(td)) cpu.faultRule(TASK_TSS_NOT_PRESENT, (tssSel & 0xfffc) | ext, -1, tssSel, td.lo, td.hi);
  return [tssSel, td];
}

function validType(cpu: Cpu, t: number): boolean {
  return (pmModel(cpu).validSystemTypes & (1 << t)) !== 0;
}

/** Target code segment of a call gate: non-null, code, present (SDM Vol. 2 "CALL" call-gate branch). */
function gateTarget(cpu: Cpu, gate: Descriptor): [number, Descriptor, number] {
  const csel = gate.lo >>> 16;
  const is32 = typeS(gate) === T_CALLGATE32;
  const off = is32 ? ((gate.lo & 0xffff) | (gate.hi & 0xffff0000)) >>> 0 : gate.lo & 0xffff;
  // SDM "CALL": code segment selector in gate is NULL → #GP(0); outside table → #GP(selector).
  if ((csel & 0xfffc) === 0) cpu.faultRule(FAR_GATE_CS_NULL, 0, -1, csel);
  const cd = fetchDescriptor(cpu, csel, 0, FAR_GATE_CS_INDEX);
  if (!isCode(cd)) broken(cpu, FAR_GATE_CS_NOT_CODE, csel, cd);
  return [csel, cd, off];
}

function jmpFar(cpu: Cpu, sel: number, off: number, _size32: boolean): void {
  // SDM Vol. 2 "JMP": segment selector in target operand NULL → #GP(0).
  if ((sel & 0xfffc) === 0) cpu.faultRule(FAR_NULL, 0, -1, sel);
  if (cpu.loadMemo.repeats(cpu, CS, sel, FAR_INDEX)) {
    // CS already holds this segment (a loop's far jump): only the new EIP is checked.
    if (off > cpu.limit[CS]) eipBeyond(cpu, sel, cpu.limit[CS], off);
    cpu.eip = off;
    return;
  }
  const d = fetchDescriptor(cpu, sel, 0, FAR_INDEX);
  const t = typeS(d);
  if (t & 0x10) {
    checkDirectCode(cpu, sel, d);
    enterCode(cpu, sel, d, cpu.cpl, off);
    cpu.loadMemo.record(cpu, CS, sel, d);
    return;
  }
  // SDM Vol. 3 Table 3-2: a reserved system type (or a 386 type on the 80286) → #GP(selector).
  if (!validType(cpu, t)) broken(cpu, FAR_TYPE, sel, d);
  switch (t) {
    case T_CALLGATE16: case T_CALLGATE32: {
      checkGateAccess(cpu, sel, d);
      const [csel, cd, target] = gateTarget(cpu, d);
      // SDM "JMP" through a call gate: conforming DPL > CPL, or non-conforming DPL ≠ CPL → #GP(code selector).
      if (isConforming(cd) ? dplOf(cd) > cpu.cpl : dplOf(cd) !== cpu.cpl) broken(cpu, FAR_GATE_CS_DPL, csel, cd);
      if (!present(cd)) broken(cpu, FAR_GATE_CS_NOT_PRESENT, csel, cd);
      enterCode(cpu, csel, cd, cpu.cpl, target);
      return;
    }
    default:
      farToTask(cpu, sel, d, t, SWITCH_JMP);
  }
}

/**
 * JMP or CALL to a task gate or an available TSS: a task switch (SDM Vol. 3 §7.3); any other system type (busy TSS,
 * LDT, interrupt and trap gates) → #GP(selector), as SDM Vol. 2 "JMP" and "CALL" say.
 */
function farToTask(cpu: Cpu, sel: number, d: Descriptor, t: number, kind: typeof SWITCH_JMP | typeof SWITCH_CALL): void {
  if (t === T_TASKGATE) {
    checkGateAccess(cpu, sel, d);
    const [tssSel, td] = tssFromTaskGate(cpu, d, 0);
    taskSwitch(cpu, tssSel, td, kind, 0, -1);
  } else if (t === T_TSS16_AVAIL || t === T_TSS32_AVAIL) {
    checkGateAccess(cpu, sel, d);
    taskSwitch(cpu, sel, d, kind, 0, -1);
  } else {
    broken(cpu, FAR_TYPE, sel, d);
  }
}

function callFar(cpu: Cpu, sel: number, off: number, size32: boolean): void {
  // SDM Vol. 2 "CALL": segment selector in target operand NULL → #GP(0).
  if ((sel & 0xfffc) === 0) cpu.faultRule(FAR_NULL, 0, -1, sel);
  const d = fetchDescriptor(cpu, sel, 0, FAR_INDEX);
  const t = typeS(d);
  if (t & 0x10) {
    checkDirectCode(cpu, sel, d);
    // SDM Vol. 2 "CALL": instruction pointer not within code segment limit → #GP(0).
    if (off > descLimit(d)) eipBeyond(cpu, sel, descLimit(d), off);
    // SDM "CALL": stack has no room for the return address → #SS(0).
    checkStackRoom(cpu, size32 ? 8 : 4, 0);
    pushW(cpu, cpu.sel[CS], size32);
    pushW(cpu, cpu.eip, size32);
    enterCode(cpu, sel, d, cpu.cpl, off);
    return;
  }
  // SDM Vol. 3 Table 3-2: a reserved system type (or a 386 type on the 80286) → #GP(selector).
  if (!validType(cpu, t)) broken(cpu, FAR_TYPE, sel, d);
  switch (t) {
    case T_CALLGATE16: case T_CALLGATE32:
      callGate(cpu, sel, d);
      return;
    default:
      farToTask(cpu, sel, d, t, SWITCH_CALL);
  }
}

/** CALL through a call gate, to the same or a more privileged level (SDM Vol. 3 §5.8.4, §5.8.5). */
function callGate(cpu: Cpu, sel: number, gate: Descriptor): void {
  checkGateAccess(cpu, sel, gate);
  const [csel, cd, target] = gateTarget(cpu, gate);
  const dpl = dplOf(cd);
  // SDM "CALL": code segment DPL > CPL → #GP(code selector); not present → #NP(code selector).
  if (dpl > cpu.cpl) broken(cpu, FAR_GATE_CS_DPL, csel, cd);
  if (!present(cd)) broken(cpu, FAR_GATE_CS_NOT_PRESENT, csel, cd);
  const g32 = typeS(gate) === T_CALLGATE32;
  const w = g32 ? 4 : 2;
  // SDM Vol. 2 "CALL": gate offset outside the target code segment → #GP(0).
  if (target > descLimit(cd)) eipBeyond(cpu, csel, descLimit(cd), target);
  const oldCs = cpu.sel[CS], oldEip = cpu.eip;
  if (isConforming(cd) || dpl === cpu.cpl) {
    checkStackRoom(cpu, 2 * w, 0);
    pushW(cpu, oldCs, g32);
    pushW(cpu, oldEip, g32);
    enterCode(cpu, csel, cd, cpu.cpl, target);
    return;
  }
  // More privileged: switch to the TSS stack of level `dpl`, copy the parameters (SDM §5.8.5, Figure 5-13).
  const st = readInnerStack(cpu, dpl, 0);
  const count = gate.hi & 0x1f;
  const oldSs = cpu.sel[SS];
  const oldEsp = cpu.r32[ESP];
  const mask = cpu.stackMask;
  const params: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = ((oldEsp & mask) + i * w) & mask;
    params.push(g32 ? cpu.rd32(SS, a >>> 0) : cpu.rd16(SS, a >>> 0));
  }
  saveState(cpu, saved);
  try {
    loadInnerStack(cpu, st);
    setCpl(cpu, dpl);
    // SDM "CALL": new stack cannot hold SS, ESP, the parameters and CS:EIP → #SS(new SS selector).
    checkStackRoom(cpu, (4 + count) * w, st.ss & 0xfffc);
    pushW(cpu, oldSs, g32);
    pushW(cpu, g32 ? oldEsp : oldEsp & 0xffff, g32);
    for (let i = count - 1; i >= 0; i--) pushW(cpu, params[i], g32);
    pushW(cpu, oldCs, g32);
    pushW(cpu, oldEip, g32);
    enterCode(cpu, csel, cd, dpl, target);
  } catch (e) {
    restoreState(cpu, saved);
    throw e;
  }
}

/** Reads the code descriptor of a return CS and checks it (SDM Vol. 2 "RET" / "IRET" protected-mode return). */
function checkReturnCs(cpu: Cpu, csSel: number): Descriptor {
  // SDM "RET": return code segment selector NULL → #GP(0); outside the table → #GP(selector).
  if ((csSel & 0xfffc) === 0) cpu.faultRule(RET_CS_NULL, 0, -1, csSel);
  const d = fetchDescriptor(cpu, csSel, 0, RET_CS_INDEX);
  const rpl = csSel & 3;
  // RPL < CPL, not a code segment, conforming with DPL > RPL, non-conforming with DPL ≠ RPL → #GP(selector).
  if (rpl < cpu.cpl) broken(cpu, RET_CS_RPL, csSel, d);
  if (!isCode(d)) broken(cpu, RET_CS_NOT_CODE, csSel, d);
  if (isConforming(d) ? dplOf(d) > rpl : dplOf(d) !== rpl) broken(cpu, RET_CS_DPL, csSel, d);
  if (!present(d)) broken(cpu, RET_CS_NOT_PRESENT, csSel, d);
  return d;
}

/**
 * The SS for a return to an outer level (SDM "RET": #GP(selector) on bad RPL/type/DPL; #SS(selector) not
 * present). IRET too: #SS as its pseudo-code, RET and Vol. 3 §6.15 say, not its exception list's #NP
 * (test/pm/README.md weighs the sources).
 */
function checkReturnSs(cpu: Cpu, ssSel: number, rpl: number): Descriptor {
  if ((ssSel & 0xfffc) === 0) cpu.faultRule(RET_SS_NULL, 0, -1, ssSel, 0, 0, 0, 0, rpl);
  const d = fetchDescriptor(cpu, ssSel, 0, RET_SS_INDEX);
  if (!isWritableData(d)) broken(cpu, RET_SS_TYPE, ssSel, d, rpl);
  if ((ssSel & 3) !== rpl || dplOf(d) !== rpl) broken(cpu, RET_SS_PRIVILEGE, ssSel, d, rpl);
  if (!present(d)) broken(cpu, RET_SS_NOT_PRESENT, ssSel, d, rpl);
  return d;
}

/** Loads SS and ESP (or SP by the new SS.B) for a return to an outer level. */
function loadOuterStack(cpu: Cpu, ssSel: number, sd: Descriptor, esp: number): void {
  setAccessed(cpu, sd);
  const ar = descAr(sd);
  cpu.setCache(SS, ssSel, descBase(sd), descLimit(sd), ar);
  if (ar & AR_DB) cpu.r32[ESP] = esp;
  else cpu.r16[ESP * 2] = esp;
}

function nullOuterDataSegments(cpu: Cpu): void {
  // SDM §5.8.6 step 6: ES, DS, FS, GS whose DPL < new CPL (data or non-conforming code) become null.
  invalidateForOuterLevel(cpu, ES);
  invalidateForOuterLevel(cpu, DS);
  invalidateForOuterLevel(cpu, FS);
  invalidateForOuterLevel(cpu, GS);
}

function retFar(cpu: Cpu, imm: number, size32: boolean): void {
  const w = size32 ? 4 : 2;
  const mask = cpu.stackMask;
  const sp = cpu.r32[ESP] & mask;
  const rd = (k: number) => (size32 ? cpu.rd32(SS, ((sp + k) & mask) >>> 0) : cpu.rd16(SS, ((sp + k) & mask) >>> 0));
  const eip = rd(0);
  const csSel = rd(w) & 0xffff;
  const d = checkReturnCs(cpu, csSel);
  const rpl = csSel & 3;
  if (rpl === cpu.cpl) {
    enterCode(cpu, csSel, d, rpl, eip);
    cpu.setSp((sp + 2 * w + imm) & mask);
    return;
  }
  // Return to an outer level (SDM §5.8.6): pop the caller's SS:ESP after skipping the parameters.
  const newEsp = rd(2 * w + imm);
  const ssSel = rd(3 * w + imm) & 0xffff;
  const sd = checkReturnSs(cpu, ssSel, rpl);
  // SDM Vol. 2 "RET"/"IRET": return instruction pointer not within the code segment limit → #GP(0).
  if (eip > descLimit(d)) eipBeyond(cpu, csSel, descLimit(d), eip);
  saveState(cpu, saved);
  try {
    enterCode(cpu, csSel, d, rpl, eip);
    loadOuterStack(cpu, ssSel, sd, (newEsp + imm) >>> 0);
  } catch (e) {
    restoreState(cpu, saved);
    throw e;
  }
  nullOuterDataSegments(cpu);
}

/** EFLAGS bits IRET may load at the current CPL and IOPL (SDM Vol. 2 "IRET"). */
function iretFlagsMask(cpu: Cpu, size32: boolean): number {
  let mask = cpu.traits.flagsWritable | EFLAGS_IOPL | EFLAGS_NT | (pmModel(cpu).hasPaging ? EFLAGS_RF : 0);
  const iopl = (cpu.flags & EFLAGS_IOPL) >>> 12;
  if (cpu.cpl > 0) mask &= ~EFLAGS_IOPL;
  if (cpu.cpl > iopl) mask &= ~0x200;
  if (!size32) mask &= 0xffff;
  return mask & ~EFLAGS_VM;
}

function iret(cpu: Cpu, size32: boolean): void {
  if (cpu.flags & EFLAGS_NT) {
    taskReturn(cpu);
    return;
  }
  const w = size32 ? 4 : 2;
  const mask = cpu.stackMask;
  const sp = cpu.r32[ESP] & mask;
  const rd = (k: number) => (size32 ? cpu.rd32(SS, ((sp + k) & mask) >>> 0) : cpu.rd16(SS, ((sp + k) & mask) >>> 0));
  const eip = rd(0);
  const csSel = rd(w) & 0xffff;
  const fl = rd(2 * w);
  if (size32 && fl & EFLAGS_VM && cpu.cpl === 0) {
    iretToVm86(cpu, sp, mask, eip, csSel, fl);
    return;
  }
  const d = checkReturnCs(cpu, csSel);
  const rpl = csSel & 3;
  const old = cpu.getFlags();
  const fmask = iretFlagsMask(cpu, size32);
  if (rpl === cpu.cpl) {
    enterCode(cpu, csSel, d, rpl, eip);
    cpu.setSp((sp + 3 * w) & mask);
    cpu.setFlags((old & ~fmask) | (fl & fmask));
    return;
  }
  const newEsp = rd(3 * w);
  const ssSel = rd(4 * w) & 0xffff;
  const sd = checkReturnSs(cpu, ssSel, rpl);
  // SDM Vol. 2 "RET"/"IRET": return instruction pointer not within the code segment limit → #GP(0).
  if (eip > descLimit(d)) eipBeyond(cpu, csSel, descLimit(d), eip);
  saveState(cpu, saved);
  try {
    enterCode(cpu, csSel, d, rpl, eip);
    loadOuterStack(cpu, ssSel, sd, newEsp);
  } catch (e) {
    restoreState(cpu, saved);
    throw e;
  }
  cpu.setFlags((old & ~fmask) | (fl & fmask));
  nullOuterDataSegments(cpu);
}

/** IRET at CPL 0 with VM=1 in the popped EFLAGS image (SDM Vol. 2 "IRET" RETURN-TO-VIRTUAL-8086-MODE). */
function iretToVm86(cpu: Cpu, sp: number, mask: number, eip: number, csSel: number, fl: number): void {
  const rd = (k: number) => cpu.rd32(SS, ((sp + k) & mask) >>> 0);
  const newEsp = rd(12);
  const ss = rd(16) & 0xffff, es = rd(20) & 0xffff, ds = rd(24) & 0xffff, fs = rd(28) & 0xffff, gs = rd(32) & 0xffff;
  const writable = cpu.traits.flagsWritable | EFLAGS_IOPL | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM;
  cpu.setFlags(fl & writable);
  const segs = [ES, CS, SS, DS, FS, GS];
  const sels = [es, csSel, ss, ds, fs, gs];
  for (let i = 0; i < 6; i++) cpu.setCache(segs[i], sels[i], sels[i] << 4, 0xffff, 0xf3);
  cpu.r32[ESP] = newEsp;
  cpu.eip = eip & 0xffff;
  setCpl(cpu, 3);
  cpu.updateMode();
}

/** IRET with NT = 1: return to the task in the current TSS's back link (SDM Vol. 3 §7.3, §7.4). */
function taskReturn(cpu: Cpu): void {
  const link = cpu.readLin16Sys(cpu.base[TR]);
  // SDM "IRET": back-link selector with TI = 1 → #TS(selector); not a busy TSS → #TS(selector); not present → #NP.
  if (link & 4) cpu.faultRule(IRET_LINK_TI, link & 0xfffc, -1, link);
  const d = fetchDescriptor(cpu, link, 0, IRET_LINK_INDEX);
  const t = typeS(d);
  if (t !== T_TSS16_BUSY && !(t === T_TSS32_BUSY && validType(cpu, t))) broken(cpu, IRET_LINK_TYPE, link, d);
  if (!present(d)) broken(cpu, IRET_LINK_NOT_PRESENT, link, d);
  taskSwitch(cpu, link, d, SWITCH_IRET, 0, -1);
}

export const protectedFarTransfers: FarTransfers = { jmpFar, callFar, retFar, iret };
