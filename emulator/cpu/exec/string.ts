// String instructions MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE. Each iteration
// counts as one instruction (as the single-step trap sees it); a REP run yields after
// cpu.repEnd instructions by rewinding EIP to the prefix, so a fault, an interrupt, a breakpoint
// or a budget end in mid-string restarts it with ECX/ESI/EDI already advanced.
// SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ", "MOVS", "CMPS", "SCAS", "INS", "OUTS".
// Pure TypeScript: no Node or VS Code imports.

import { ATTN_STOP, type Cpu, type Handler } from '../cpu';
import { LZ_SUB, setLazy } from '../flags';
import { DS, ECX, EDI, EDX, EFLAGS_DF, ES, ESI } from '../regs';
import type { Handlers } from './table';
import { checkIoPermission } from './io';
import { repMovsStosRam } from './stringRam';

const enum Kind { Movs, Cmps, Stos, Lods, Scas, Ins, Outs }

function read(cpu: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? cpu.rd8(seg, off) : size === 2 ? cpu.rd16(seg, off) : cpu.rd32(seg, off);
}
function write(cpu: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) cpu.wr8(seg, off, v);
  else if (size === 2) cpu.wr16(seg, off, v);
  else cpu.wr32(seg, off, v);
}

/** Which index registers an iteration steps: bit 0 SI, bit 1 DI. */
const STEPS = [3, 3, 2, 1, 2, 2, 1];

/**
 * Index registers already stepped when an access faults, on the 80286 (measured in its vectors):
 * the register of the faulting access and those of the accesses before it. CMPS reads ES:DI first.
 */
let faultSteps = 0;
/**
 * How far the 80286 has counted CX down when an iteration of a REP string instruction faults: it
 * depends on the access that faulted (a read of MOVS 1, its write 2; the first read of CMPS 0, the second 1).
 */
let faultCx = 0;

/** One iteration; returns the ZF outcome for CMPS/SCAS (true = equal). */
function iterate(cpu: Cpu, kind: Kind, size: number, amask: number, delta: number): boolean {
  const r = cpu.r32;
  const si = r[ESI] & amask, di = r[EDI] & amask;
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  const src = cpu.segOvr >= 0 ? cpu.segOvr : DS;
  let eq = true;
  try {
    switch (kind) {
      case Kind.Movs: {
        faultSteps = 1; faultCx = 1;
        const v = read(cpu, src, si >>> 0, size);
        faultSteps = 3; faultCx = 2;
        write(cpu, ES, di >>> 0, size, v);
        break;
      }
      case Kind.Cmps: {
        faultSteps = 2; faultCx = 0;
        const b = read(cpu, ES, di >>> 0, size);
        faultSteps = 3; faultCx = 1;
        const a = read(cpu, src, si >>> 0, size);
        const res = ((a - b) & mask) >>> 0;
        setLazy(cpu, LZ_SUB, a, b, res, mask);
        eq = res === 0;
        break;
      }
      case Kind.Stos:
        faultSteps = 2; faultCx = 2;
        write(cpu, ES, di >>> 0, size, size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[0] : r[0]);
        break;
      case Kind.Lods: {
        faultSteps = 1; faultCx = 1;
        const v = read(cpu, src, si >>> 0, size);
        if (size === 1) cpu.r8[0] = v; else if (size === 2) cpu.r16[0] = v; else r[0] = v;
        break;
      }
      case Kind.Scas: {
        faultSteps = 2; faultCx = 1;
        const a = size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[0] : r[0];
        const b = read(cpu, ES, di >>> 0, size);
        const res = ((a - b) & mask) >>> 0;
        setLazy(cpu, LZ_SUB, a, b, res, mask);
        eq = res === 0;
        break;
      }
      case Kind.Ins: {
        const port = cpu.r16[EDX * 2];
        faultSteps = 0;
        checkIoPermission(cpu, port, size);
        faultSteps = 2; faultCx = 2;
        // The destination is probed before the port is read, so a fault does not lose device data.
        write(cpu, ES, di >>> 0, size, read(cpu, ES, di >>> 0, size));
        const v = size === 1 ? cpu.io.in8(port) : size === 2 ? cpu.io.in16(port) : cpu.io.in32(port);
        write(cpu, ES, di >>> 0, size, v);
        break;
      }
      default: {
        const port = cpu.r16[EDX * 2];
        faultSteps = 0;
        checkIoPermission(cpu, port, size);
        faultSteps = 1; faultCx = 1;
        const v = read(cpu, src, si >>> 0, size);
        if (size === 1) cpu.io.out8(port, v); else if (size === 2) cpu.io.out16(port, v); else cpu.io.out32(port, v);
      }
    }
  } catch (e) {
    if (cpu.traits.stringFaultAdvances && faultSteps !== 0) {
      advance(cpu, faultSteps, amask, delta);
      // A REP instruction has also counted down CX for the faulting iteration (by kind).
      if (cpu.rep !== 0) {
        const n = faultCx;
        if (amask === 0xffff) cpu.r16[ECX * 2] = (cpu.r16[ECX * 2] - n) & 0xffff;
        else cpu.r32[ECX] = (cpu.r32[ECX] - n) >>> 0;
      }
    }
    throw e;
  }
  advance(cpu, STEPS[kind], amask, delta);
  return eq;
}

function advance(cpu: Cpu, steps: number, amask: number, delta: number): void {
  const r = cpu.r32;
  if (steps & 1) {
    if (amask === 0xffff) cpu.r16[ESI * 2] = (r[ESI] + delta) & 0xffff;
    else r[ESI] = (r[ESI] + delta) >>> 0;
  }
  if (steps & 2) {
    if (amask === 0xffff) cpu.r16[EDI * 2] = (r[EDI] + delta) & 0xffff;
    else r[EDI] = (r[EDI] + delta) >>> 0;
  }
}

/**
 * REP MOVS / REP STOS without the per-iteration generality (boot code copies and clears with them):
 * same accessors, same per-iteration register updates, so faults and budgets behave identically.
 * Returns the iterations done. Not used on the 80286, whose faulting iterations need the quirk path.
 */
function repMovsStos(cpu: Cpu, movs: boolean, size: number, amask: number, delta: number): number {
  const start = cpu.icount;
  const r = cpu.r32;
  const src = cpu.segOvr >= 0 ? cpu.segOvr : DS;
  const v = size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[0] : r[0];
  let done = 0;
  let count = r[ECX] & amask;
  while (count !== 0 && (done === 0 || start + done <= cpu.repEnd)) {
    const di = (r[EDI] & amask) >>> 0;
    if (movs) {
      const si = (r[ESI] & amask) >>> 0;
      if (size === 1) cpu.wr8(ES, di, cpu.rd8(src, si));
      else if (size === 2) cpu.wr16(ES, di, cpu.rd16(src, si));
      else cpu.wr32(ES, di, cpu.rd32(src, si));
      if (amask === 0xffff) cpu.r16[ESI * 2] = si + delta;
      else r[ESI] = si + delta;
    } else if (size === 1) cpu.wr8(ES, di, v);
    else if (size === 2) cpu.wr16(ES, di, v);
    else cpu.wr32(ES, di, v);
    if (amask === 0xffff) cpu.r16[EDI * 2] = di + delta;
    else r[EDI] = di + delta;
    count = (count - 1) >>> 0;
    if (amask === 0xffff) cpu.r16[ECX * 2] = count;
    else r[ECX] = count;
    done++;
  }
  return done;
}

/**
 * A REP's count ran out: under QEMU's -icount rule (Cpu.repEndPass) the pass that leaves it is an
 * instruction of time; the run stops after this one so the machine's next burst sees the later time.
 */
export function repRanOut(cpu: Cpu): void {
  if (!cpu.repEndPass) return;
  cpu.extraTime++;
  cpu.attn |= ATTN_STOP;
}

function stringOp(kind: Kind, size: number): Handler {
  const compares = kind === Kind.Cmps || kind === Kind.Scas;
  return (cpu) => {
    const amask = cpu.a32 ? 0xffffffff : 0xffff;
    const delta = cpu.flags & EFLAGS_DF ? -size : size;
    if (cpu.rep === 0) {
      iterate(cpu, kind, size, amask, delta);
      return;
    }
    let count = cpu.r32[ECX] & amask;
    if (count === 0) return;
    if ((kind === Kind.Movs || kind === Kind.Stos) && !cpu.traits.stringFaultAdvances) {
      if (repMovsStosRam(cpu, kind === Kind.Movs, size, amask, delta, count)) {
        cpu.icount += count - 1;
        repRanOut(cpu);
        return;
      }
      const done = repMovsStos(cpu, kind === Kind.Movs, size, amask, delta);
      if ((cpu.r32[ECX] & amask) !== 0) cpu.eip = cpu.prevEip;
      else repRanOut(cpu);
      cpu.icount += done - 1;
      return;
    }
    let done = 0;
    for (;;) {
      const eq = iterate(cpu, kind, size, amask, delta);
      count = (count - 1) >>> 0;
      if (amask === 0xffff) cpu.r16[ECX * 2] = count; else cpu.r32[ECX] = count;
      done++;
      // REPE (F3) stops on "not equal", REPNE (F2) on "equal"; other string ops ignore ZF.
      if (compares && (cpu.rep === 2 ? !eq : eq)) break;
      if (count === 0) {
        repRanOut(cpu);
        break;
      }
      if (cpu.icount + done > cpu.repEnd) {
        cpu.eip = cpu.prevEip;
        break;
      }
    }
    cpu.icount += done - 1;
  };
}

export const STRING: Handlers = {
  movsb_Yb_Xb: stringOp(Kind.Movs, 1),
  movsw_Yv_Xv: [stringOp(Kind.Movs, 2), stringOp(Kind.Movs, 4)],
  cmpsb_Xb_Yb: stringOp(Kind.Cmps, 1),
  cmpsw_Xv_Yv: [stringOp(Kind.Cmps, 2), stringOp(Kind.Cmps, 4)],
  stosb_Yb_AL: stringOp(Kind.Stos, 1),
  stosw_Yv_eAX: [stringOp(Kind.Stos, 2), stringOp(Kind.Stos, 4)],
  lodsb_AL_Xb: stringOp(Kind.Lods, 1),
  lodsw_eAX_Xv: [stringOp(Kind.Lods, 2), stringOp(Kind.Lods, 4)],
  scasb_AL_Yb: stringOp(Kind.Scas, 1),
  scasw_eAX_Yv: [stringOp(Kind.Scas, 2), stringOp(Kind.Scas, 4)],
  insb_Yb_DX: stringOp(Kind.Ins, 1),
  insw_Yv_DX: [stringOp(Kind.Ins, 2), stringOp(Kind.Ins, 4)],
  outsb_DX_Xb: stringOp(Kind.Outs, 1),
  outsw_DX_Xv: [stringOp(Kind.Outs, 2), stringOp(Kind.Outs, 4)],
};
