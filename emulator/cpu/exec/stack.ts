// Stack instructions: PUSH/POP of registers, segment registers, immediates and Ev; PUSHA/POPA;
// PUSHF/POPF (with the mode and privilege rules for the system flags); ENTER/LEAVE.
// SDM Vol. 2 "PUSH", "POP", "PUSHA", "POPF", "ENTER", "LEAVE"; Vol. 3 §20.2.7 (vm86 IOPL rules).
// Pure TypeScript: no Node or VS Code imports.

import { type Cpu, type Handler, SEG_W } from '../cpu';
import { IOPL_VM86, UD_OPCODE } from '../faultRules';
import { decodeEa } from '../modrm';
import {
  CR0_PE, CS, DS, EBP, EFLAGS_IF, EFLAGS_IOPL, EFLAGS_NT, EFLAGS_RF, EFLAGS_VM, ES, ESP, FS, GS, SS,
} from '../regs';
import { loadSeg } from '../segmentation';
import { byRegister, type Handlers, type Patch, type SizedHandler } from './table';

/**
 * Writes FLAGS/EFLAGS from POPF or a same-mode IRET: real mode takes the model's writable mask;
 * protected mode changes IOPL only at CPL 0 and IF only at CPL <= IOPL; VM and RF never change here.
 */
export function writeFlagsPopf(cpu: Cpu, v: number, size32: boolean): void {
  const old = cpu.getFlags();
  let mask = cpu.traits.flagsWritable;
  if (cpu.cr0 & CR0_PE) {
    const iopl = (old & EFLAGS_IOPL) >>> 12;
    mask |= EFLAGS_IOPL | EFLAGS_NT;
    if (cpu.cpl > 0) mask &= ~EFLAGS_IOPL;
    if (cpu.cpl > iopl) mask &= ~EFLAGS_IF;
  }
  if (!size32) mask &= 0xffff;
  mask &= ~(EFLAGS_VM | EFLAGS_RF);
  cpu.setFlags((old & ~mask) | (v & mask));
}

const pushf_16: Handler = (cpu) => {
  if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
  cpu.push16(cpu.getFlags() & 0xffff);
};
const pushf_32: Handler = (cpu) => {
  if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
  // VM and RF are pushed as 0 (SDM "PUSHF").
  cpu.push32(cpu.getFlags() & 0x00fcffff);
};
const popf_16: Handler = (cpu) => {
  if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
  writeFlagsPopf(cpu, cpu.pop16(), false);
};
const popf_32: Handler = (cpu) => {
  if (cpu.flags & EFLAGS_VM && (cpu.flags & EFLAGS_IOPL) !== EFLAGS_IOPL) cpu.faultRule(IOPL_VM86, 0, -1, 0, cpu.flags);
  writeFlagsPopf(cpu, cpu.pop32(), true);
};

function pushSeg(seg: number): SizedHandler {
  return [
    (cpu) => cpu.push16(cpu.sel[seg]),
    // A 32-bit push of a segment register writes only the low word on the 80386 and later.
    (cpu) => {
      const sp = ((cpu.r32[ESP] - 4) & cpu.stackMask) >>> 0;
      cpu.wr16(SS, sp, cpu.sel[seg]);
      cpu.setSp(sp);
    },
  ];
}

/**
 * POP Sreg increments the stack pointer by the size of the stack it popped from: POP SS into a
 * descriptor of the other size still wraps SP (or not) as the old SS did, and leaves the upper
 * half of ESP alone when the old stack was 16-bit (Intel 386 PRM, POP: SP vs. ESP by the old SS.B).
 */
function popSeg(seg: number): SizedHandler {
  const pop = (cpu: Cpu, size: 2 | 4) => {
    const mask = cpu.stackMask;
    const sp = (cpu.r32[ESP] & mask) >>> 0;
    const v = size === 2 ? cpu.rd16(SS, sp) : cpu.rd32(SS, sp) & 0xffff;
    loadSeg(cpu, seg, v);
    if (mask === 0xffff) cpu.r16[ESP * 2] = sp + size;
    else cpu.r32[ESP] = sp + size;
    if (seg === SS) cpu.inhibitInterrupts(true);
  };
  return [(cpu) => pop(cpu, 2), (cpu) => pop(cpu, 4)];
}

const pusha_16: Handler = (cpu) => {
  const sp = cpu.r16[ESP * 2];
  for (let r = 0; r < 8; r++) cpu.push16(r === ESP ? sp : cpu.r16[r << 1]);
};
const pusha_32: Handler = (cpu) => {
  const sp = cpu.r32[ESP];
  for (let r = 0; r < 8; r++) cpu.push32(r === ESP ? sp : cpu.r32[r]);
};
const popa_16: Handler = (cpu) => {
  for (let r = 7; r >= 0; r--) {
    const v = cpu.pop16();
    if (r !== ESP) cpu.r16[r << 1] = v;
  }
};
/** POPAD discards the ESP image (SDM "POPA/POPAD"): on a 16-bit stack ESP[31:16] stays. */
const popa_32: Handler = (cpu) => {
  for (let r = 7; r >= 0; r--) {
    const v = cpu.pop32();
    if (r !== ESP) cpu.r32[r] = v;
  }
};
/**
 * The 80386's POPAD on a 16-bit stack loads the image into ESP and then writes SP, so ESP[31:16]
 * comes from the image (undefined in the manuals; test386.asm's TEST_UNDEF documents it for the 386;
 * QEMU -cpu 486/pentium and Bochs model=pentium keep ESP[31:16], as popa_32 does).
 */
const popa_32_80386: Handler = (cpu) => {
  let image = 0;
  for (let r = 7; r >= 0; r--) {
    const v = cpu.pop32();
    if (r !== ESP) cpu.r32[r] = v;
    else image = v;
  }
  if (cpu.stackMask === 0xffff) cpu.r32[ESP] = ((image & 0xffff0000) | cpu.r16[ESP * 2]) >>> 0;
};
const popa: SizedHandler = [popa_16, popa_32];

/**
 * POP Ev: the destination address is computed after ESP is incremented (SDM "POP"). A fault on the
 * store leaves ESP incremented: the 80286 vectors show the exception frame pushed from the new SP.
 */
const pop_Ev_16: Handler = (cpu) => {
  const m = cpu.fetch8();
  if ((m & 0x38) !== 0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  const v = cpu.pop16();
  if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = v; return; }
  decodeEa(cpu, m);
  cpu.wr16(cpu.eaSeg, cpu.eaOff, v);
};
const pop_Ev_32: Handler = (cpu) => {
  const m = cpu.fetch8();
  if ((m & 0x38) !== 0) cpu.faultRule(UD_OPCODE, -1, -1, 0);
  const v = cpu.pop32();
  if (m >= 0xc0) { cpu.r32[m & 7] = v; return; }
  decodeEa(cpu, m);
  cpu.wr32(cpu.eaSeg, cpu.eaOff, v);
};

/** The checks of a stack write of `size` bytes at SS:sp (limit, then pages), without the write. */
function probeStackWrite(cpu: Cpu, sp: number, size: number): void {
  if (sp < cpu.lo[SS] || sp + size - 1 > cpu.hi[SS] || (cpu.segAccess[SS] & SEG_W) === 0) cpu.segFault(SS);
  if (!cpu.paging) return;
  const lin = (cpu.base[SS] + sp) >>> 0;
  cpu.translate(cpu, lin, true);
  if ((lin & 0xfff) > 0x1000 - size) cpu.translate(cpu, ((lin + size - 1) & ~0xfff) >>> 0, true);
}

/**
 * ENTER faults as a whole: a fault while pushing, or on the write check at the final stack pointer
 * (SDM "ENTER": #SS/#PF when a write at the final eSP would fault), leaves ESP and EBP as they were.
 */
function enter(size32: boolean): Handler {
  return (cpu) => {
    const alloc = cpu.fetch16();
    const level = cpu.fetch8() & 0x1f;
    const push = size32 ? (v: number) => cpu.push32(v) : (v: number) => cpu.push16(v);
    const bpMask = cpu.stackMask;
    const esp = cpu.r32[ESP];
    try {
      push(size32 ? cpu.r32[EBP] : cpu.r16[EBP * 2]);
      // The frame pointer is all of ESP even on a 16-bit stack, whose push kept ESP[31:16], as in
      // Bochs 2.7 and test386.asm (QEMU and the SDM's pseudo-code take SP: test/pm/README.md).
      const frame = cpu.r32[ESP];
      let bp = cpu.r32[EBP] & bpMask;
      for (let i = 1; i < level; i++) {
        bp = (bp - (size32 ? 4 : 2)) & bpMask;
        push(size32 ? cpu.rd32(SS, bp >>> 0) : cpu.rd16(SS, bp >>> 0));
      }
      if (level > 0) push(frame);
      const sp = ((cpu.r32[ESP] & cpu.stackMask) - alloc) & cpu.stackMask;
      if (alloc !== 0) probeStackWrite(cpu, sp >>> 0, size32 ? 4 : 2);
      if (size32) cpu.r32[EBP] = frame;
      else cpu.r16[EBP * 2] = frame;
      cpu.setSp(sp);
    } catch (e) {
      cpu.r32[ESP] = esp;
      throw e;
    }
  };
}

// LEAVE reads the saved frame pointer before changing SP, so a fault leaves SP as it was.
const leave_16: Handler = (cpu) => {
  const bp = cpu.r32[EBP] & cpu.stackMask;
  const v = cpu.rd16(SS, bp >>> 0);
  cpu.setSp(bp + 2);
  cpu.r16[EBP * 2] = v;
};
const leave_32: Handler = (cpu) => {
  const bp = cpu.r32[EBP] & cpu.stackMask;
  const v = cpu.rd32(SS, bp >>> 0);
  cpu.setSp(bp + 4);
  cpu.r32[EBP] = v;
};

const push_Zv = byRegister((r) => [(cpu) => cpu.push16(cpu.r16[r << 1]), (cpu) => cpu.push32(cpu.r32[r])]);
const pop_Ev: SizedHandler = [pop_Ev_16, pop_Ev_32];

export const STACK: Handlers = {
  push_Zv,
  pop_Zv: byRegister((r) => [(cpu) => { const v = cpu.pop16(); cpu.r16[r << 1] = v; }, (cpu) => { const v = cpu.pop32(); cpu.r32[r] = v; }]),
  push_ES: pushSeg(ES),
  push_CS: pushSeg(CS),
  push_SS: pushSeg(SS),
  push_DS: pushSeg(DS),
  push_FS: pushSeg(FS),
  push_GS: pushSeg(GS),
  pop_ES: popSeg(ES),
  pop_SS: popSeg(SS),
  pop_DS: popSeg(DS),
  pop_FS: popSeg(FS),
  pop_GS: popSeg(GS),
  pop_CS: (cpu) => { cpu.sel[CS] = cpu.pop16(); cpu.base[CS] = cpu.sel[CS] << 4; cpu.flushFetch(); cpu.csLoaded(); },
  push_Iz: [(cpu) => cpu.push16(cpu.fetch16()), (cpu) => cpu.push32(cpu.fetch32())],
  push_Ib: [(cpu) => cpu.push16(cpu.fetchS8() & 0xffff), (cpu) => cpu.push32(cpu.fetchS8() >>> 0)],
  pusha: [pusha_16, pusha_32],
  popa,
  pushf: [pushf_16, pushf_32],
  popf: [popf_16, popf_32],
  pop_Ev,
  enter_Iw_Ib: [enter(false), enter(true)],
  leave: [leave_16, leave_32],
};

/** The 8086 value of SP for PUSH SP and PUSH Ev of SP: the decremented one (SDM "PUSH", 8086 note). */
export const spAfterPush8086 = (cpu: Cpu): number => (cpu.r16[ESP * 2] - 2) & 0xffff;

export const STACK_80386: Patch = [[popa, [popa_16, popa_32_80386]]];

export const STACK_8086: Patch = [
  [push_Zv, { byReg: push_Zv.byReg.map((h, r) => r !== ESP ? h : (cpu) => {
    const sp = spAfterPush8086(cpu);
    cpu.wr16(SS, sp, sp);
    cpu.r16[ESP * 2] = sp;
  }) }],
  // POP Ev ignores ModRM.reg on the 8086.
  [pop_Ev, (cpu) => {
    const m = cpu.fetch8();
    const v = cpu.pop16();
    if (m >= 0xc0) { cpu.r16[(m & 7) << 1] = v; return; }
    decodeEa(cpu, m);
    cpu.wr16(cpu.eaSeg, cpu.eaOff, v);
  }],
];
