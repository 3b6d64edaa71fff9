// ModRM/SIB effective-address calculation for 16- and 32-bit addressing, and the register/memory
// operand accessors built on it. SDM Vol. 2 §2.1.5, Tables 2-1 (16-bit) and 2-2/2-3 (32-bit, SIB).
// Pure TypeScript: no Node or VS Code imports.

import { type Cpu, R8 } from './cpu';
import { DS, EBP, EBX, EDI, ESI, ESP, SS } from './regs';

// 16-bit forms by ModRM.rm (SDM Vol. 2 Table 2-1): base register, index register (NO_REG when
// none) and default segment. rm = 6 with mod = 0 is disp16 alone, handled apart.
export const NO_REG = -1;
export const EA16_BASE = [EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX];
export const EA16_INDEX = [ESI, EDI, ESI, EDI, NO_REG, NO_REG, NO_REG, NO_REG];
export const EA16_SEG = [DS, DS, SS, SS, DS, DS, SS, DS];

/**
 * Decodes the memory operand of `modrm` (mod != 3), fetching SIB and displacement, and sets
 * cpu.eaSeg/eaOff. The default segment is SS for BP/EBP/ESP-based forms, DS otherwise (SDM Vol. 1 §3.7.4).
 */
export function decodeEa(cpu: Cpu, modrm: number): void {
  if (cpu.a32 === 0) decodeEa16(cpu, modrm);
  else decodeEa32(cpu, modrm);
}

/** 16-bit addressing: table lookups instead of a switch, so the common forms stay short. */
function decodeEa16(cpu: Cpu, modrm: number): void {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let off: number, seg: number;
  if (mod === 0 && rm === 6) {
    off = cpu.fetch16();
    seg = DS;
  } else {
    const r = cpu.r16;
    const index = EA16_INDEX[rm];
    off = r[EA16_BASE[rm] << 1] + (index !== NO_REG ? r[index << 1] : 0);
    if (mod === 1) off += cpu.fetchS8();
    else if (mod === 2) off += cpu.fetch16();
    seg = EA16_SEG[rm];
  }
  cpu.eaSeg = cpu.segOvr >= 0 ? cpu.segOvr : seg;
  cpu.eaOff = off & 0xffff;
}

function decodeEa32(cpu: Cpu, modrm: number): void {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let seg = DS;
  let off: number;
  const r = cpu.r32;
  if (rm === 4) {
    const sib = cpu.fetch8();
    const base = sib & 7;
    const index = (sib >> 3) & 7;
    const ss = sib >> 6;
    if (base === 5 && mod === 0) {
      off = (index === 4 ? 0 : r[index] << ss) + cpu.fetch32();
    } else {
      // No index (4) with a scale: the 80386 scales the base (undefined in the manuals; test386.asm
      // documents it for the 386, Bochs 2.7 and QEMU ignore the scale).
      off = index === 4 ? r[base] << ss : (r[index] << ss) + r[base];
      if (base === ESP || base === EBP) seg = SS;
    }
  } else if (rm === 5 && mod === 0) {
    off = cpu.fetch32();
  } else {
    off = r[rm];
    if (rm === EBP) seg = SS;
  }
  if (mod === 1) off += cpu.fetchS8();
  else if (mod === 2) off += cpu.fetch32();
  cpu.eaSeg = cpu.segOvr >= 0 ? cpu.segOvr : seg;
  cpu.eaOff = off >>> 0;
}

/** The decoded offset plus `delta`, wrapped to the address size: the later parts of a far pointer or table operand. */
export function eaOffPlus(cpu: Cpu, delta: number): number {
  return cpu.a32 ? (cpu.eaOff + delta) >>> 0 : (cpu.eaOff + delta) & 0xffff;
}

// Operand accessors: `modrm` selects a register when mod = 3, else memory at the decoded EA.
// Read-modify-write instructions call decode once, then use the *At forms.

export function readE8(cpu: Cpu, modrm: number): number {
  if (modrm >= 0xc0) return cpu.r8[R8[modrm & 7]];
  decodeEa(cpu, modrm);
  return cpu.rd8(cpu.eaSeg, cpu.eaOff);
}

export function readE16(cpu: Cpu, modrm: number): number {
  if (modrm >= 0xc0) return cpu.r16[(modrm & 7) << 1];
  decodeEa(cpu, modrm);
  return cpu.rd16(cpu.eaSeg, cpu.eaOff);
}

export function readE32(cpu: Cpu, modrm: number): number {
  if (modrm >= 0xc0) return cpu.r32[modrm & 7];
  decodeEa(cpu, modrm);
  return cpu.rd32(cpu.eaSeg, cpu.eaOff);
}

/** Reads the E operand for a read-modify-write; the following writeBack*() writes the same place. */
export const readRmw8 = readE8;
export const readRmw16 = readE16;
export const readRmw32 = readE32;

export function writeBack8(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) cpu.r8[R8[modrm & 7]] = v;
  else cpu.wr8(cpu.eaSeg, cpu.eaOff, v);
}

export function writeBack16(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) cpu.r16[(modrm & 7) << 1] = v;
  else cpu.wr16(cpu.eaSeg, cpu.eaOff, v);
}

export function writeBack32(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) cpu.r32[modrm & 7] = v;
  else cpu.wr32(cpu.eaSeg, cpu.eaOff, v);
}

/** Writes the E operand without reading it first (MOV, SETcc, POP Ev). */
export function writeE8(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) { cpu.r8[R8[modrm & 7]] = v; return; }
  decodeEa(cpu, modrm);
  cpu.wr8(cpu.eaSeg, cpu.eaOff, v);
}

export function writeE16(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) { cpu.r16[(modrm & 7) << 1] = v; return; }
  decodeEa(cpu, modrm);
  cpu.wr16(cpu.eaSeg, cpu.eaOff, v);
}

export function writeE32(cpu: Cpu, modrm: number, v: number): void {
  if (modrm >= 0xc0) { cpu.r32[modrm & 7] = v; return; }
  decodeEa(cpu, modrm);
  cpu.wr32(cpu.eaSeg, cpu.eaOff, v);
}

export function getG8(cpu: Cpu, modrm: number): number {
  return cpu.r8[R8[(modrm >> 3) & 7]];
}
export function setG8(cpu: Cpu, modrm: number, v: number): void {
  cpu.r8[R8[(modrm >> 3) & 7]] = v;
}
export function getG16(cpu: Cpu, modrm: number): number {
  return cpu.r16[((modrm >> 3) & 7) << 1];
}
export function setG16(cpu: Cpu, modrm: number, v: number): void {
  cpu.r16[((modrm >> 3) & 7) << 1] = v;
}
export function getG32(cpu: Cpu, modrm: number): number {
  return cpu.r32[(modrm >> 3) & 7];
}
export function setG32(cpu: Cpu, modrm: number, v: number): void {
  cpu.r32[(modrm >> 3) & 7] = v;
}
