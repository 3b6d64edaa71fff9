// Protected-mode and vm86 interrupt/exception delivery through the IDT (cpu.pmInterrupt):
// interrupt, trap and task gates (16- and 32-bit), the gate DPL check for software INT n, the
// inner-level stack switch from the TSS, the vm86 exit frame (GS FS DS ES SS ESP EFLAGS CS EIP),
// error codes and the EXT bit. Slow path; may allocate. No Node or VS Code imports.
// SDM Vol. 3 §6.10-6.14 (IDT, gates, procedures, error codes), §20.3.1.1 (interrupts from vm86).

import type { Cpu } from '../cpu';
import {
  GATE_CS_DPL, GATE_CS_INDEX, GATE_CS_LIMIT, GATE_CS_NOT_CODE, GATE_CS_NOT_PRESENT, GATE_CS_NULL, GATE_VM86_CS,
  IDT_ENTRY_LIMIT, IDT_GATE_DPL, IDT_GATE_NOT_PRESENT, IDT_GATE_TYPE, TASK_TSS_INDEX, TASK_TSS_LDT, TASK_TSS_NOT_PRESENT,
  TASK_TSS_TYPE,
} from '../faultRules';
import { INT_SOFT } from '../interrupts';
import {
  CS, DS, EFLAGS_IF, EFLAGS_NT, EFLAGS_RF, EFLAGS_TF, EFLAGS_VM, ES, ESP, FS, GS, SS, AR_UNUSABLE,
} from '../regs';
import { descAr, descBase, descLimit, setAccessed, type Descriptor } from '../segmentation';
import {
  SavedState, T_INTGATE16, T_INTGATE32, T_TASKGATE, T_TRAPGATE16, T_TRAPGATE32, T_TSS16_AVAIL, T_TSS32_AVAIL,
  dplOf, fetchDescriptor, isCode, isConforming, loadCs, pmModel, present, restoreState, saveState, setCpl, typeS,
} from './common';
import { checkStackRoom, loadInnerStack, pushW, readInnerStack } from './stackSwitch';
import { SWITCH_INT, taskSwitch } from './taskSwitch';

const saved = new SavedState();

export function pmInterrupt(cpu: Cpu, vector: number, kind: number, errorCode: number): void {
  // SDM §6.13: EXT = 1 unless the event is a software INT n / INT3 / INTO.
  const ext = kind === INT_SOFT ? 0 : 1;
  const idtCode = vector * 8 + 2 + ext;
  // SDM §6.10: a vector beyond the IDT limit → #GP(vector*8 + 2 + EXT).
  if (vector * 8 + 7 > cpu.idtrLimit) cpu.faultRule(IDT_ENTRY_LIMIT, idtCode, vector, vector, 0, 0, cpu.idtrLimit, vector * 8);
  const addr = (cpu.idtrBase + vector * 8) >>> 0;
  const gate: Descriptor = { lo: cpu.readLin32Sys(addr), hi: cpu.readLin32Sys((addr + 4) >>> 0), addr };
  const t = typeS(gate);
  const valid = t === T_TASKGATE || t === T_INTGATE16 || t === T_TRAPGATE16 || t === T_INTGATE32 || t === T_TRAPGATE32;
  // SDM §6.11: anything but a task, interrupt or trap gate (286: 16-bit gates only) → #GP(vector*8+2+EXT).
  if (!valid || !(pmModel(cpu).validSystemTypes & (1 << t))) cpu.faultRule(IDT_GATE_TYPE, idtCode, vector, vector, gate.lo, gate.hi);
  // SDM §6.12.1.1: INT n / INT3 / INTO with gate DPL < CPL → #GP(vector*8+2); hardware events skip the check.
  if (kind === INT_SOFT && dplOf(gate) < cpu.cpl) cpu.faultRule(IDT_GATE_DPL, vector * 8 + 2, vector, vector, gate.lo, gate.hi);
  // SDM §6.11: gate not present → #NP(vector*8+2+EXT).
  if (!present(gate)) cpu.faultRule(IDT_GATE_NOT_PRESENT, idtCode, vector, vector, gate.lo, gate.hi);
  if (t === T_TASKGATE) {
    taskGate(cpu, vector, gate, ext, errorCode);
    return;
  }
  const g32 = t === T_INTGATE32 || t === T_TRAPGATE32;
  const offset = g32 ? ((gate.lo & 0xffff) | (gate.hi & 0xffff0000)) >>> 0 : gate.lo & 0xffff;
  const csel = gate.lo >>> 16;
  // SDM §6.12.1: null code selector → #GP(EXT); outside the table → #GP(selector + EXT).
  if ((csel & 0xfffc) === 0) cpu.faultRule(GATE_CS_NULL, ext, vector, csel);
  const cd = fetchDescriptor(cpu, csel, ext, GATE_CS_INDEX, vector);
  // Not a code segment, or DPL > CPL → #GP(selector + EXT); not present → #NP(selector + EXT).
  if (!isCode(cd)) cpu.faultRule(GATE_CS_NOT_CODE, (csel & 0xfffc) | ext, vector, csel, cd.lo, cd.hi);
  if (dplOf(cd) > cpu.cpl) cpu.faultRule(GATE_CS_DPL, (csel & 0xfffc) | ext, vector, csel, cd.lo, cd.hi);
  if (!present(cd)) cpu.faultRule(GATE_CS_NOT_PRESENT, (csel & 0xfffc) | ext, vector, csel, cd.lo, cd.hi);
  // SDM Vol. 2 "INT n": instruction pointer outside the handler's code segment → #GP(EXT).
  if (offset > descLimit(cd)) cpu.faultRule(GATE_CS_LIMIT, ext, vector, csel, cd.lo, cd.hi, descLimit(cd), offset);
  const vm = (cpu.flags & EFLAGS_VM) !== 0;
  const flags = cpu.getFlags();
  const oldCs = cpu.sel[CS], oldEip = cpu.eip;
  const w = g32 ? 4 : 2;
  const withCode = errorCode >= 0 ? 1 : 0;
  const dpl = dplOf(cd);
  saveState(cpu, saved);
  try {
    if (!isConforming(cd) && dpl < cpu.cpl) {
      // SDM §20.3.1.1: from vm86 the handler must be a non-conforming DPL 0 segment, else #GP(selector + EXT).
      if (vm && dpl !== 0) cpu.faultRule(GATE_VM86_CS, (csel & 0xfffc) | ext, vector, csel, cd.lo, cd.hi);
      const st = readInnerStack(cpu, dpl, ext, vector);
      const oldSs = cpu.sel[SS], oldEsp = cpu.r32[ESP];
      loadInnerStack(cpu, st);
      setCpl(cpu, dpl);
      // SDM §6.12.1: no room on the new stack → #SS(new SS selector + EXT).
      checkStackRoom(cpu, ((vm ? 9 : 5) + withCode) * w, (st.ss & 0xfffc) | ext, vector);
      if (vm) {
        pushW(cpu, cpu.sel[GS], g32);
        pushW(cpu, cpu.sel[FS], g32);
        pushW(cpu, cpu.sel[DS], g32);
        pushW(cpu, cpu.sel[ES], g32);
      }
      pushW(cpu, oldSs, g32);
      pushW(cpu, oldEsp, g32);
    } else {
      // SDM §20.3.1.1: a conforming or DPL-3 handler cannot be entered from vm86 → #GP(selector + EXT).
      if (vm) cpu.faultRule(GATE_VM86_CS, (csel & 0xfffc) | ext, vector, csel, cd.lo, cd.hi);
      // SDM §6.12.1: same-level stack overflow → #SS(EXT).
      checkStackRoom(cpu, (3 + withCode) * w, ext, vector);
    }
    pushW(cpu, flags, g32);
    pushW(cpu, oldCs, g32);
    pushW(cpu, oldEip, g32);
    if (withCode) pushW(cpu, errorCode, g32);
    // SDM §6.12.1.2: TF, NT, RF and VM are cleared; an interrupt gate also clears IF.
    let nf = flags & ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    if (!(t & 1)) nf &= ~EFLAGS_IF;
    cpu.setFlags(nf);
    if (vm) for (const s of [ES, DS, FS, GS]) cpu.setCache(s, 0, 0, 0, AR_UNUSABLE);
    setAccessed(cpu, cd);
    loadCs(cpu, csel, cpu.cpl, descBase(cd), descLimit(cd), descAr(cd));
    cpu.eip = offset;
  } catch (e) {
    restoreState(cpu, saved);
    throw e;
  }
}

/** INT/exception through a task gate: the TSS must be an available TSS in the GDT (SDM Vol. 2 "INT n" TASK-GATE). */
function taskGate(cpu: Cpu, vector: number, gate: Descriptor, ext: number, errorCode: number): void {
  const tssSel = gate.lo >>> 16;
  const code = (tssSel & 0xfffc) | ext;
  // TI = 1 or outside the GDT → #GP(TSS selector + EXT); busy or not a TSS → #GP(TSS selector + EXT).
  if (tssSel & 4) cpu.faultRule(TASK_TSS_LDT, code, vector, tssSel);
  const td = fetchDescriptor(cpu, tssSel, ext, TASK_TSS_INDEX, vector);
  const tt = typeS(td);
  if ((tt !== T_TSS16_AVAIL && tt !== T_TSS32_AVAIL) || !(pmModel(cpu).validSystemTypes & (1 << tt))) {
    cpu.faultRule(TASK_TSS_TYPE, code, vector, tssSel, td.lo, td.hi);
  }
  if (!present(td)) cpu.faultRule(TASK_TSS_NOT_PRESENT, code, vector, tssSel, td.lo, td.hi);
  taskSwitch(cpu, tssSel, td, SWITCH_INT, ext, errorCode, vector);
}
