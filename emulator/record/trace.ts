// Per-instruction trace records in the JSON Lines format of CLI.md `--trace` (state before the
// instruction: n, cs, eip, the general registers, eflags, data segment selectors, cr0), so the
// `run --trace` writer, the trace diff and the tests build the same objects from a Machine.

import type { Cpu } from '../cpu/cpu';
import { CS, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GS, SS } from '../cpu/regs';

export interface TraceLine {
  n: number;
  cs: number;
  eip: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
  esp: number;
  eflags: number;
  ds: number;
  es: number;
  ss: number;
  fs: number;
  gs: number;
  cr0: number;
  /** Linear address of CS:EIP: an extension of the CLI.md format that trace-diff uses when present. */
  lin?: number;
}

/** The trace object for the state before the next instruction; `n` counts from the first traced one. */
export function traceLine(cpu: Cpu, n: number, withLinear = false): TraceLine {
  const r = cpu.r32;
  const t: TraceLine = {
    n, cs: cpu.sel[CS], eip: cpu.eip,
    eax: r[EAX], ebx: r[EBX], ecx: r[ECX], edx: r[EDX], esi: r[ESI], edi: r[EDI], ebp: r[EBP], esp: r[ESP],
    eflags: cpu.getFlags(), ds: cpu.sel[DS], es: cpu.sel[ES], ss: cpu.sel[SS], fs: cpu.sel[FS], gs: cpu.sel[GS], cr0: cpu.cr0 >>> 0,
  };
  if (withLinear) t.lin = (cpu.base[CS] + cpu.eip) >>> 0;
  return t;
}
