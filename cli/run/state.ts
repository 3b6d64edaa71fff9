// The machine state as the `bootscope run` contract (docs/CLI.md) spells it: the JSON stop
// summary (registers, segments with VMCS-layout access rights, tables, control registers, device
// output) and one JSON Lines trace record. Numbers are plain JSON numbers.

import type { X87 } from '../../emulator/cpu/fpu/x87';
import { toHex } from '../../emulator/cpu/fpu/float80';
import { CR0_PE, AR_DB, CS, EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, SEG_NAMES } from '../../emulator/cpu/regs';
import type { Cpu } from '../../emulator/cpu/cpu';
import type { Machine } from '../../emulator/machine';

export type CpuMode = 'real' | 'protected16' | 'protected32' | 'vm86';

export function cpuMode(cpu: Cpu): CpuMode {
  if (!(cpu.cr0 & CR0_PE)) return 'real';
  if (cpu.vm86) return 'vm86';
  return cpu.ar[CS] & AR_DB ? 'protected32' : 'protected16';
}

export function registers(cpu: Cpu): Record<string, number> {
  const r = cpu.r32;
  return {
    eax: r[EAX], ebx: r[EBX], ecx: r[ECX], edx: r[EDX], esi: r[ESI], edi: r[EDI], ebp: r[EBP], esp: r[ESP],
    eip: cpu.eip >>> 0, eflags: cpu.getFlags() >>> 0,
  };
}

export function segments(cpu: Cpu): Record<string, { selector: number; base: number; limit: number; access: number }> {
  const out: Record<string, { selector: number; base: number; limit: number; access: number }> = {};
  // CLI.md lists cs first; SEG_NAMES is in encoding order (es, cs, ss, ds, fs, gs, ldtr, tr).
  for (const name of ['cs', 'ds', 'es', 'ss', 'fs', 'gs', 'ldtr', 'tr'] as const) {
    const s = SEG_NAMES.indexOf(name);
    out[name] = { selector: cpu.sel[s], base: cpu.base[s] >>> 0, limit: cpu.limit[s] >>> 0, access: cpu.ar[s] >>> 0 };
  }
  return out;
}

export interface SummaryExtras {
  stopReason: string;
  detail?: string;
  screen?: boolean;
  biosLog?: unknown[];
  warnings?: string[];
}

/** The `--json` stop summary. */
export function summary(m: Machine, x: SummaryExtras): Record<string, unknown> {
  const cpu = m.cpu;
  const out = m.devices.output();
  const s: Record<string, unknown> = {
    stopReason: x.stopReason,
    instructions: cpu.icount,
    mode: cpuMode(cpu),
    registers: registers(cpu),
    segments: segments(cpu),
    tables: { gdtr: { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit }, idtr: { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit } },
    control: { cr0: cpu.cr0 >>> 0, cr2: cpu.cr2 >>> 0, cr3: cpu.cr3 >>> 0, cr4: cpu.cr4 >>> 0 },
    postCodes: out.postCodes,
    debugText: out.debugText,
    serialText: out.serialText,
  };
  if (cpu.fpu) s.fpu = fpuJson(cpu.fpu);
  const graphics = m.devices.vbe.mode();
  if (graphics) s.graphics = graphics;
  if (x.screen) s.screen = m.devices.screenLines();
  if (x.detail) s.detail = x.detail;
  if (x.biosLog) s.biosLog = x.biosLog;
  if (x.warnings && x.warnings.length) s.warnings = x.warnings;
  return s;
}

/** The x87 for `run --json`: words, TOP and ST0-ST7 (stack order) as 80-bit hex with their tags. */
function fpuJson(f: X87): Record<string, unknown> {
  return {
    cw: f.cw, sw: f.status(), tw: f.tagWord(), top: f.top,
    st: Array.from({ length: 8 }, (_, i) => ({ raw: toHex(f.st(i)), tag: ['valid', 'zero', 'special', 'empty'][f.tag(f.phys(i))] })),
  };
}

/**
 * One trace record: the state before the instruction about to execute (n = instructions executed so far);
 * `sym` names its address (`name+0x12`, from --symbols) when given.
 */
export function traceLine(cpu: Cpu, sym?: string): string {
  const r = cpu.r32;
  return `{"n":${cpu.icount},"cs":${cpu.sel[1]},"eip":${cpu.eip >>> 0},"lin":${(cpu.base[1] + cpu.eip) >>> 0},"eax":${r[0]},"ebx":${r[3]},"ecx":${r[1]},"edx":${r[2]},` +
    `"esi":${r[6]},"edi":${r[7]},"ebp":${r[5]},"esp":${r[4]},"eflags":${cpu.getFlags() >>> 0},"ds":${cpu.sel[3]},"es":${cpu.sel[0]},` +
    `"ss":${cpu.sel[2]},"fs":${cpu.sel[4]},"gs":${cpu.sel[5]},"cr0":${cpu.cr0 >>> 0}${sym ? `,"sym":${JSON.stringify(sym)}` : ''}}\n`;
}
