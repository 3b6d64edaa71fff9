// Debugger-side views of machine state: the CPU mode, SSSS:OOOO formatting, and side-effect-free
// reads and writes of linear memory (through paging.ts's peekTranslate) for the memory inspector and
// expressions.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §4.3 (32-bit paging), §20.1 (real mode).

import type { Cpu } from '../cpu/cpu';
import { AR_DB, CR0_PE, CS, DS, EFLAGS_VM, ES, FS, GS, SS } from '../cpu/regs';
import { type LinearView, peekTranslate } from '../cpu/protected/paging';
import { hexDigits } from '../../protocol/format';

export type CpuMode = 'real' | 'pm16' | 'pm32' | 'vm86';


/** The modes by cpuModeIndex. */
export const CPU_MODES: readonly CpuMode[] = ['real', 'pm16', 'pm32', 'vm86'];

/** The execution mode's index in CPU_MODES (CS.D decides pm16/pm32): a number where a hook records it per call. */
export function cpuModeIndex(cpu: Cpu): number {
  if (!(cpu.cr0 & CR0_PE)) return 0;
  if (cpu.flags & EFLAGS_VM) return 3;
  return cpu.ar[CS] & AR_DB ? 2 : 1;
}

/** The execution mode as a debugger names it. */
export function cpuMode(cpu: Cpu): CpuMode {
  return CPU_MODES[cpuModeIndex(cpu)];
}

export type DisplayMode = CpuMode | 'unreal';

/** cpuMode, with real mode whose data or stack segment cache reaches past 64 KiB named 'unreal' (SDM §20.1.1). */
export function displayMode(cpu: Cpu): DisplayMode {
  const m = cpuMode(cpu);
  if (m === 'real' && [DS, ES, FS, GS, SS].some((s) => cpu.limit[s] > 0xffff)) return 'unreal';
  return m;
}

/** `SSSS:OOOO` (8 offset digits when the offset does not fit in 16 bits). */
export function segOff(sel: number, off: number): string {
  return `${hexDigits(sel, 4)}:${hexDigits(off, off > 0xffff ? 8 : 4)}`;
}

export interface LinearRead {
  bytes: Uint8Array;
  /** Bytes that could be read before the first unmapped page (the rest are zero). */
  readable: number;
}

/** Reads linear memory without side effects; stops at the first not-present page. */
export function readLinear(cpu: LinearView, lin: number, length: number): LinearRead {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const a = (lin + done) >>> 0;
    const phys = peekTranslate(cpu, a);
    if (phys < 0) break;
    const n = Math.min(length - done, 0x1000 - (a & 0xfff));
    out.set(cpu.mem.peek(phys, n), done);
    done += n;
  }
  return { bytes: out, readable: done };
}

/**
 * Writes linear memory as the debugger (ROM and watchpoints bypassed); returns bytes written. `poke`
 * stores each physical piece (a recording front end passes Recorder.poke, so replays repeat it).
 */
export function writeLinear(cpu: Cpu, lin: number, data: Uint8Array, poke = (phys: number, bytes: Uint8Array) => cpu.mem.poke(phys, bytes)): number {
  let done = 0;
  while (done < data.length) {
    const a = (lin + done) >>> 0;
    const phys = peekTranslate(cpu, a);
    if (phys < 0) break;
    const n = Math.min(data.length - done, 0x1000 - (a & 0xfff));
    poke(phys, data.subarray(done, done + n));
    done += n;
  }
  cpu.flushFetch();
  return done;
}

/** Little-endian value of `size` bytes at a linear address, or null when unmapped. */
export function readLinearValue(cpu: LinearView, lin: number, size: number): number | null {
  const r = readLinear(cpu, lin, size);
  if (r.readable < size) return null;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + r.bytes[i];
  return v;
}
