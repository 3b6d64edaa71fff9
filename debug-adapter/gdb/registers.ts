// The i386 register file as gdb sees it: the target description (qXfer:features:read target.xml) and
// the `g`/`p` layout. gdb accepts an i386 description only with its core feature whole: the eight
// general registers, eip, eflags, six segment selectors and the x87 registers. With an FPU (`fpu` 387 or integrated)
// they read the x87's state (st0-st7 in stack order, as FSAVE stores them); without one they read as
// after FNINIT. Writes to them are ignored. In real mode `eip` can be
// reported as the linear address CS.base + EIP (`monitor pc linear on`, the default; README "Use with gdb").
// Node only; no vscode. GDB manual "Target Descriptions", "i386 Features".

import type { Cpu } from '../../emulator/cpu/cpu';
import { CS, DS, ES, FS, GS, SS } from '../../emulator/cpu/regs';
import { EFLAGS_FIELDS, GPR32 } from '../../emulator/debug/registers';
import { toBytes } from '../../emulator/cpu/fpu/float80';
import { leHex, parseLeHex } from './packet';

export interface GdbRegister {
  name: string;
  bits: number;
  type: string;
  group?: string;
  /** Index into cpu.sel for segment selectors. */
  seg?: number;
}

const SEGMENTS: [string, number][] = [['cs', CS], ['ss', SS], ['ds', DS], ['es', ES], ['fs', FS], ['gs', GS]];
const X87_CONTROL = ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'];

/** gdb's i386 register numbers: 0-7 general, 8 eip, 9 eflags, 10-15 selectors, 16-23 st0-7, 24-31 x87 control. */
export const GDB_REGISTERS: readonly GdbRegister[] = [
  ...GPR32.map((name) => ({ name, bits: 32, type: name === 'esp' || name === 'ebp' ? 'data_ptr' : 'int32' })),
  { name: 'eip', bits: 32, type: 'code_ptr' },
  { name: 'eflags', bits: 32, type: 'i386_eflags' },
  ...SEGMENTS.map(([name, seg]) => ({ name, bits: 32, type: 'int32', seg })),
  ...Array.from({ length: 8 }, (_, i) => ({ name: `st${i}`, bits: 80, type: 'i387_ext' })),
  ...X87_CONTROL.map((name) => ({ name, bits: 32, type: 'int', group: 'float' })),
];

const EIP = 8, EFLAGS = 9;

/** An x87 control register: the FPU's, or as after FNINIT (037Fh, every tag empty) without one. */
function x87Control(cpu: Cpu, name: string): number {
  const f = cpu.fpu;
  if (!f) return name === 'fctrl' ? 0x037f : name === 'ftag' ? 0xffff : 0;
  const v: Record<string, number> = {
    fctrl: f.cw, fstat: f.status(), ftag: f.tagWord(), fiseg: f.fcs, fioff: f.fip, foseg: f.fds, fooff: f.fdp, fop: f.fop,
  };
  return v[name] >>> 0;
}

const ST0 = 16;

/**
 * The target description. `architecture` is `i8086` when the CPU runs 16-bit code at connect time, so
 * gdb disassembles the boot sector as it executes; `set architecture i386` switches after the change to 32-bit code.
 */
export function targetXml(architecture: 'i8086' | 'i386'): string {
  const flags = EFLAGS_FIELDS.map(([name, pos, width]) => `      <field name="${name.toUpperCase()}" start="${pos}" end="${pos + width - 1}"/>`);
  const regs = GDB_REGISTERS.map((r, i) =>
    `    <reg name="${r.name}" bitsize="${r.bits}" type="${r.type}" regnum="${i}"${r.group ? ` group="${r.group}"` : ''}/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    `  <architecture>${architecture}</architecture>`,
    '  <osabi>none</osabi>',
    '  <feature name="org.gnu.gdb.i386.core">',
    '    <flags id="i386_eflags" size="4">',
    ...flags,
    '    </flags>',
    ...regs,
    '  </feature>',
    '</target>',
    '',
  ].join('\n');
}

/** How `eip` is reported: the offset in CS, or the linear address CS.base + EIP. */
export interface PcView {
  linear: boolean;
}

function value(cpu: Cpu, n: number, view: PcView): number {
  const r = GDB_REGISTERS[n];
  if (n < 8) return cpu.r32[n] >>> 0;
  if (n === EIP) return view.linear ? (cpu.base[CS] + cpu.eip) >>> 0 : cpu.eip >>> 0;
  if (n === EFLAGS) return cpu.getFlags() >>> 0;
  if (r.seg !== undefined) return cpu.sel[r.seg];
  return x87Control(cpu, r.name);
}

/** One register's bytes as hex (`p`), or null for a number gdb's description does not have. */
export function readGdbRegister(cpu: Cpu, n: number, view: PcView): string | null {
  const r = GDB_REGISTERS[n];
  if (!r) return null;
  if (n >= ST0 && n < ST0 + 8) {
    const b = new Uint8Array(10);
    if (cpu.fpu) toBytes(cpu.fpu.st(n - ST0), b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }
  return leHex(value(cpu, n, view), r.bits / 8);
}

/** All registers in order (`g`). */
export function readGdbRegisters(cpu: Cpu, view: PcView): string {
  return GDB_REGISTERS.map((_, n) => readGdbRegister(cpu, n, view)).join('');
}

/**
 * A write the CPU should see: register `n` from its hex bytes. Returns the writeRegister call to make
 * (null when nothing changes: an unchanged value, or an x87 register) so the caller can record it as an
 * input; throws with a sentence for a bad register number or value.
 */
export function gdbRegisterWrite(cpu: Cpu, n: number, hex: string, view: PcView): { name: string; value: number } | null {
  const r = GDB_REGISTERS[n];
  if (!r) throw new Error(`no register ${n}`);
  if (hex.length !== r.bits / 4) throw new Error(`register ${r.name} takes ${r.bits / 8} bytes`);
  const v = parseLeHex(hex);
  if (v === null) throw new Error(`register ${r.name}: '${hex}' is not hex`);
  if (n >= 16 || v === value(cpu, n, view)) return null;
  if (n === EIP) return { name: 'eip', value: view.linear ? (v - cpu.base[CS]) >>> 0 : v };
  return { name: r.name, value: r.seg !== undefined ? v & 0xffff : v };
}

/** Total size of the `g` reply in hex digits. */
export const G_HEX_LENGTH = GDB_REGISTERS.reduce((s, r) => s + r.bits / 4, 0);

/** Splits a `G` payload into each register's hex; null when the length is not the description's. */
export function splitRegisters(hex: string): string[] | null {
  if (hex.length !== G_HEX_LENGTH) return null;
  const out: string[] = [];
  let at = 0;
  for (const r of GDB_REGISTERS) {
    out.push(hex.slice(at, at + r.bits / 4));
    at += r.bits / 4;
  }
  return out;
}
