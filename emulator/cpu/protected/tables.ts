// LLDT and LTR (cpu.loadLdtr / cpu.loadTr): the LDT and TSS descriptors must come from the GDT,
// have the right system type and be present; LTR marks the TSS busy. The CPL 0 check is done by
// the instruction (exec/system.ts). Slow path. No Node or VS Code imports.
// SDM Vol. 2 "LLDT", "LTR"; Vol. 3 §7.2.4 (task register), §3.5.1 (LDT).

import type { Cpu } from '../cpu';
import {
  type FaultRule, LLDT_INDEX, LLDT_NOT_PRESENT, LLDT_TI, LLDT_TYPE, LTR_INDEX, LTR_NOT_PRESENT, LTR_NULL, LTR_TI, LTR_TYPE,
} from '../faultRules';
import { AR_UNUSABLE, LDTR, TR } from '../regs';
import { descAr, descBase, descLimit } from '../segmentation';
import { T_LDT, T_TSS16_AVAIL, T_TSS32_AVAIL, fetchDescriptor, pmModel, present, typeS, writeAccessByte } from './common';

export function loadLdtr(cpu: Cpu, sel: number): void {
  // SDM "LLDT": a null selector marks LDTR invalid; later LDT references fault.
  if ((sel & 0xfffc) === 0) {
    cpu.setCache(LDTR, sel, 0, 0, AR_UNUSABLE);
    return;
  }
  // SDM "LLDT": TI = 1 → #GP(selector); not an LDT descriptor → #GP(selector); not present → #NP(selector).
  if (sel & 4) cpu.faultRule(LLDT_TI, sel & 0xfffc, -1, sel);
  const d = fetchDescriptor(cpu, sel, 0, LLDT_INDEX);
  const broken = (rule: FaultRule) => cpu.faultRule(rule, sel & 0xfffc, -1, sel, d.lo, d.hi);
  if (typeS(d) !== T_LDT) broken(LLDT_TYPE);
  if (!present(d)) broken(LLDT_NOT_PRESENT);
  cpu.setCache(LDTR, sel, descBase(d), descLimit(d), descAr(d));
}

export function loadTr(cpu: Cpu, sel: number): void {
  // SDM "LTR": null selector → #GP(0); TI = 1 or not an available TSS → #GP(selector); not present → #NP(selector).
  if ((sel & 0xfffc) === 0) cpu.faultRule(LTR_NULL, 0, -1, sel);
  if (sel & 4) cpu.faultRule(LTR_TI, sel & 0xfffc, -1, sel);
  const d = fetchDescriptor(cpu, sel, 0, LTR_INDEX);
  const broken = (rule: FaultRule) => cpu.faultRule(rule, sel & 0xfffc, -1, sel, d.lo, d.hi);
  const t = typeS(d);
  if ((t !== T_TSS16_AVAIL && t !== T_TSS32_AVAIL) || !(pmModel(cpu).validSystemTypes & (1 << t))) broken(LTR_TYPE);
  if (!present(d)) broken(LTR_NOT_PRESENT);
  d.hi |= 0x200;
  writeAccessByte(cpu, d);
  cpu.setCache(TR, sel, descBase(d), descLimit(d), descAr(d));
}
