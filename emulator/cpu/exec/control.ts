// Control transfer: Jcc, JMP, CALL, RET, LOOP/JCXZ, INT n/INT3/INTO/IRET, BOUND, HLT, and the
// group 4/5 forms (FE/FF). Far transfers in protected mode (gates, privilege changes, task
// switches) are delegated to cpu.farPm, installed by protected/farTransfer.ts.
// SDM Vol. 2 "Jcc", "JMP", "CALL", "RET", "IRET", "INT n"; Vol. 3 §20.1 (real mode).
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler } from '../cpu';
import { BP as BP_VEC, OF as OF_VEC } from '../faults';
import { BOUND_RANGE, FAR_EIP_LIMIT, IOPL_VM86, NEAR_EIP_LIMIT, PRIV_CPL, UD_OPCODE } from '../faultRules';
import { getOF } from '../flags';
import { INT_EXC, INT_SOFT, interrupt } from '../interrupts';
import { decodeEa, eaOffPlus, readE16, readRmw16, readRmw32, readRmw8, writeBack16, writeBack32, writeBack8 } from '../modrm';
import { CR0_PE, CS, ECX, EFLAGS_IOPL, EFLAGS_VM, ESP } from '../regs';
import { dec16, dec32, dec8, inc16, inc32, inc8 } from './arith';
import { CC_NAMES, condition } from './conditions';
import { spAfterPush8086, writeFlagsPopf } from './stack';
import { forms, type Handlers, type SizedHandler } from './table';

/** Protected-mode far transfers; `size32` is the operand size. */
export interface FarTransfers {
  jmpFar(cpu: Cpu, sel: number, off: number, size32: boolean): void;
  callFar(cpu: Cpu, sel: number, off: number, size32: boolean): void;
  retFar(cpu: Cpu, imm: number, size32: boolean): void;
  iret(cpu: Cpu, size32: boolean): void;
}

function inProtectedMode(cpu: Cpu): boolean {
  return (cpu.cr0 & CR0_PE) !== 0 && (cpu.flags & EFLAGS_VM) === 0;
}

/** SDM Vol. 2 "JMP"/"CALL"/"RET": a near target beyond the CS limit → #GP(0); compiled blocks raise it too. */
export function nearEipBeyond(cpu: Cpu, target: number): never {
  return cpu.faultRule(NEAR_EIP_LIMIT, 0, -1, cpu.sel[CS], 0, 0, cpu.limit[CS], target);
}

/** Sets EIP for a near transfer, checking the CS limit (SDM: #GP(0) if the target is outside CS). */
export function nearJump(cpu: Cpu, target: number): void {
  if (target > cpu.limit[CS] && !cpu.traits.wrapSegments) nearEipBeyond(cpu, target);
  cpu.eip = target;
}

/** Real-mode and vm86 far transfer: CS gets the selector and base = selector << 4. */
function loadCsReal(cpu: Cpu, sel: number, off: number): void {
  if (cpu.flags & EFLAGS_VM) cpu.setCache(CS, sel, sel << 4, 0xffff, 0xf3);
  else {
    cpu.sel[CS] = sel;
    if (cpu.base[CS] !== sel << 4) cpu.flushFetch();
    cpu.base[CS] = sel << 4;
    cpu.csLoaded();
  }
  if (off > cpu.limit[CS] && !cpu.traits.wrapSegments) cpu.faultRule(FAR_EIP_LIMIT, 0, -1, sel, 0, 0, cpu.limit[CS], off);
  cpu.eip = off;
}

export function jmpFar(cpu: Cpu, sel: number, off: number, size32: boolean): void {
  if (inProtectedMode(cpu)) cpu.farPm.jmpFar(cpu, sel, off, size32);
  else loadCsReal(cpu, sel, off);
}

export function callFar(cpu: Cpu, sel: number, off: number, size32: boolean): void {
  if (inProtectedMode(cpu)) {
    cpu.farPm.callFar(cpu, sel, off, size32);
    return;
  }
  const sp = cpu.r32[ESP];
  try {
    if (size32) {
      cpu.push32(cpu.sel[CS]);
      cpu.push32(cpu.eip);
    } else {
      cpu.push16(cpu.sel[CS]);
      cpu.push16(cpu.eip);
    }
    loadCsReal(cpu, sel, off);
  } catch (e) {
    cpu.r32[ESP] = sp;
    throw e;
  }
}

function retFar(cpu: Cpu, imm: number, size32: boolean): void {
  if (inProtectedMode(cpu)) {
    cpu.farPm.retFar(cpu, imm, size32);
    return;
  }
  const sp = cpu.r32[ESP];
  const off = size32 ? cpu.pop32() : cpu.pop16();
  const sel = (size32 ? cpu.pop32() : cpu.pop16()) & 0xffff;
  try {
    loadCsReal(cpu, sel, off);
  } catch (e) {
    cpu.r32[ESP] = sp;
    throw e;
  }
  cpu.setSp(((cpu.r32[ESP] & cpu.stackMask) + imm) & cpu.stackMask);
}

function iret(cpu: Cpu, size32: boolean): void {
  if (cpu.cr0 & CR0_PE) {
    // vm86 with IOPL < 3 is #GP(0) to the monitor; protected-mode IRET may switch tasks or enter vm86.
    if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
    if (!(cpu.flags & EFLAGS_VM)) {
      cpu.farPm.iret(cpu, size32);
      return;
    }
  }
  const sp = cpu.r32[ESP];
  const off = size32 ? cpu.pop32() : cpu.pop16();
  const sel = (size32 ? cpu.pop32() : cpu.pop16()) & 0xffff;
  const flags = size32 ? cpu.pop32() : cpu.pop16();
  try {
    loadCsReal(cpu, sel, off);
  } catch (e) {
    cpu.r32[ESP] = sp;
    throw e;
  }
  writeFlagsPopf(cpu, flags, size32);
}

/** INT n, INT3, INTO: EIP already points after the instruction. In vm86 with IOPL < 3, INT n is #GP(0). */
export function softInt(cpu: Cpu, vector: number): void {
  if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
  interrupt(cpu, vector, INT_SOFT, -1);
}

function jcc8(cc: number): SizedHandler {
  return [
    (cpu) => {
      const rel = cpu.fetchS8();
      if (condition(cpu, cc)) nearJump(cpu, (cpu.eip + rel) & 0xffff);
    },
    (cpu) => {
      const rel = cpu.fetchS8();
      if (condition(cpu, cc)) nearJump(cpu, (cpu.eip + rel) >>> 0);
    },
  ];
}

function jcc16_32(cc: number): SizedHandler {
  return [
    (cpu) => {
      const rel = cpu.fetch16();
      if (condition(cpu, cc)) nearJump(cpu, (cpu.eip + rel) & 0xffff);
    },
    (cpu) => {
      const rel = cpu.fetch32();
      if (condition(cpu, cc)) nearJump(cpu, (cpu.eip + rel) >>> 0);
    },
  ];
}

/**
 * LOOP (kind 2), LOOPE (1), LOOPNE (0), JCXZ (3): updates CX or ECX (by the address size) and says
 * whether the branch is taken. Shared with the block compiler (cpu/jit).
 */
export function loopTaken(cpu: Cpu, kind: number, a32: number): boolean {
  let count: number;
  if (kind === 3) {
    count = a32 ? cpu.r32[ECX] : cpu.r16[ECX * 2];
    return count === 0;
  }
  if (a32) count = cpu.r32[ECX] = cpu.r32[ECX] - 1;
  else count = cpu.r16[ECX * 2] = cpu.r16[ECX * 2] - 1;
  if (count === 0) return false;
  if (kind === 1) return condition(cpu, 4); // LOOPE: ZF must be 1
  if (kind === 0) return !condition(cpu, 4); // LOOPNE: ZF must be 0
  return true;
}

function loopOp(kind: number): Handler {
  return (cpu) => {
    const rel = cpu.fetchS8();
    if (loopTaken(cpu, kind, cpu.a32)) nearJump(cpu, cpu.o32 ? (cpu.eip + rel) >>> 0 : (cpu.eip + rel) & 0xffff);
  };
}

/** Near CALL to `target` (EIP holds the return address): the CS limit is checked before the push. */
export function callNear(cpu: Cpu, target: number, size32: boolean): void {
  if (target > cpu.limit[CS] && !cpu.traits.wrapSegments) nearEipBeyond(cpu, target);
  if (size32) cpu.push32(cpu.eip);
  else cpu.push16(cpu.eip);
  cpu.eip = target;
}

const grp4_Eb: Handler = (cpu) => {
  const m = cpu.fetch8();
  const reg = (m >> 3) & 7;
  if (reg > 1) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  const v = readRmw8(cpu, m);
  writeBack8(cpu, m, reg === 0 ? inc8(cpu, v) : dec8(cpu, v));
};

function grp5(size32: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    const reg = (m >> 3) & 7;
    switch (reg) {
      case 0: case 1: {
        if (size32) { const v = readRmw32(cpu, m); writeBack32(cpu, m, reg === 0 ? inc32(cpu, v) : dec32(cpu, v)); }
        else { const v = readRmw16(cpu, m); writeBack16(cpu, m, reg === 0 ? inc16(cpu, v) : dec16(cpu, v)); }
        return;
      }
      case 2: case 4: {
        const target = size32 ? readRmw32(cpu, m) : readRmw16(cpu, m);
        if (reg === 2) {
          // Check the target before pushing so a #GP leaves the stack untouched.
          if (target > cpu.limit[CS] && !cpu.traits.wrapSegments) nearEipBeyond(cpu, target);
          if (size32) cpu.push32(cpu.eip); else cpu.push16(cpu.eip);
        }
        nearJump(cpu, target);
        return;
      }
      case 3: case 5: {
        if (m >= 0xc0) { cpu.farRegisterForm(cpu, m); return; }
        decodeEa(cpu, m);
        const off = size32 ? cpu.rd32(cpu.eaSeg, cpu.eaOff) : cpu.rd16(cpu.eaSeg, cpu.eaOff);
        const sel = cpu.rd16(cpu.eaSeg, eaOffPlus(cpu, size32 ? 4 : 2));
        if (reg === 3) callFar(cpu, sel, off, size32);
        else jmpFar(cpu, sel, off, size32);
        return;
      }
      case 6: {
        if (size32) cpu.push32(readRmw32(cpu, m));
        else {
          const v = m >= 0xc0 && (m & 7) === ESP ? cpu.pushSpValue(cpu) : readRmw16(cpu, m);
          cpu.push16(v);
        }
        return;
      }
      default:
        cpu.ffSlot7(cpu, m, size32);
    }
  };
}

function bound(size32: boolean): Handler {
  return (cpu) => {
    const m = cpu.fetch8();
    if (m >= 0xc0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
    decodeEa(cpu, m);
    const reg = (m >> 3) & 7;
    if (size32) {
      const idx = cpu.r32[reg] | 0;
      const lo = cpu.rd32(cpu.eaSeg, cpu.eaOff) | 0;
      const hi = cpu.rd32(cpu.eaSeg, eaOffPlus(cpu, 4)) | 0;
      if (idx < lo || idx > hi) cpu.faultRule(BOUND_RANGE, -1, -1, 0, lo, hi, 0, idx);
    } else {
      const idx = (cpu.r16[reg << 1] << 16) >> 16;
      const lo = (cpu.rd16(cpu.eaSeg, cpu.eaOff) << 16) >> 16;
      const hi = (cpu.rd16(cpu.eaSeg, eaOffPlus(cpu, 2)) << 16) >> 16;
      if (idx < lo || idx > hi) cpu.faultRule(BOUND_RANGE, -1, -1, 0, lo, hi, 0, idx);
    }
  };
}

const grp5_Ev: SizedHandler = [grp5(false), grp5(true)];

export const CONTROL: Handlers = {
  ...Object.fromEntries(CC_NAMES.map((c, cc) => [`j${c}_Jb`, jcc8(cc)])),
  ...Object.fromEntries(CC_NAMES.map((c, cc) => [`j${c}_Jz`, jcc16_32(cc)])),
  jmp_Jb: [(cpu) => { const r = cpu.fetchS8(); nearJump(cpu, (cpu.eip + r) & 0xffff); },
    (cpu) => { const r = cpu.fetchS8(); nearJump(cpu, (cpu.eip + r) >>> 0); }],
  jmp_Jz: [(cpu) => { const r = cpu.fetch16(); nearJump(cpu, (cpu.eip + r) & 0xffff); },
    (cpu) => { const r = cpu.fetch32(); nearJump(cpu, (cpu.eip + r) >>> 0); }],
  call_Jz: [(cpu) => { const r = cpu.fetch16(); callNear(cpu, (cpu.eip + r) & 0xffff, false); },
    (cpu) => { const r = cpu.fetch32(); callNear(cpu, (cpu.eip + r) >>> 0, true); }],
  ret: [(cpu) => nearJump(cpu, cpu.pop16()), (cpu) => nearJump(cpu, cpu.pop32())],
  ret_Iw: [(cpu) => {
    const imm = cpu.fetch16();
    const sp = cpu.r32[ESP];
    const ip = cpu.pop16();
    try { nearJump(cpu, ip); } catch (e) { cpu.r32[ESP] = sp; throw e; }
    cpu.setSp(((cpu.r32[ESP] & cpu.stackMask) + imm) & cpu.stackMask);
  }, (cpu) => {
    const imm = cpu.fetch16();
    const sp = cpu.r32[ESP];
    const ip = cpu.pop32();
    try { nearJump(cpu, ip); } catch (e) { cpu.r32[ESP] = sp; throw e; }
    cpu.setSp(((cpu.r32[ESP] & cpu.stackMask) + imm) & cpu.stackMask);
  }],
  jmp_Ap: [(cpu) => { const off = cpu.fetch16(); jmpFar(cpu, cpu.fetch16(), off, false); },
    (cpu) => { const off = cpu.fetch32(); jmpFar(cpu, cpu.fetch16(), off, true); }],
  call_Ap: [(cpu) => { const off = cpu.fetch16(); callFar(cpu, cpu.fetch16(), off, false); },
    (cpu) => { const off = cpu.fetch32(); callFar(cpu, cpu.fetch16(), off, true); }],
  retf: [(cpu) => retFar(cpu, 0, false), (cpu) => retFar(cpu, 0, true)],
  retf_Iw: [(cpu) => retFar(cpu, cpu.fetch16(), false), (cpu) => retFar(cpu, cpu.fetch16(), true)],
  iret: [(cpu) => iret(cpu, false), (cpu) => iret(cpu, true)],
  int_Ib: (cpu) => softInt(cpu, cpu.fetch8()),
  // INT3 and INTO are not IOPL-sensitive in vm86 (SDM §20.2.7 note on INT3/INTO).
  int3: (cpu) => interrupt(cpu, BP_VEC, INT_SOFT, -1),
  // INT1/ICEBP (undocumented, 80386+): #DB delivered as a trap, with no IOPL or gate-DPL check.
  int1: (cpu) => interrupt(cpu, 1, INT_EXC, -1),
  into: (cpu) => { if (getOF(cpu)) interrupt(cpu, OF_VEC, INT_SOFT, -1); },
  loopne_Jb: loopOp(0),
  loope_Jb: loopOp(1),
  loop_Jb: loopOp(2),
  jcxz_Jb: loopOp(3),
  ...forms(['inc_Eb', 'dec_Eb'], grp4_Eb),
  ...forms(['inc_Ev', 'dec_Ev', 'call_Ev', 'call_Mp', 'jmp_Ev', 'jmp_Mp', 'push_Ev'], grp5_Ev),
  bound_Gv_Ma: [bound(false), bound(true)],
  hlt: (cpu) => {
    // HLT is privileged in protected mode and vm86 (CPL must be 0).
    if (cpu.cr0 & CR0_PE && cpu.cpl !== 0) cpu.faultRule(PRIV_CPL, 0, -1, 0, cpu.flags);
    cpu.halted = true;
  },
};

/** FF /7 is an alias of PUSH Ev on the 8086 (cpu.ffSlot7; #UD from the 80286). */
export const ffSlot7_8086 = (cpu: Cpu, m: number): void =>
  cpu.push16(m >= 0xc0 && (m & 7) === ESP ? spAfterPush8086(cpu) : readE16(cpu, m));
