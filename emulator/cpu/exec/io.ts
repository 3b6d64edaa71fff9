// Port I/O: IN/OUT with immediate and DX ports, and the I/O permission check (CPL <= IOPL, else
// the TSS I/O bitmap; vm86 always consults the bitmap). SDM Vol. 1 §19.5, Vol. 3 §20.2.8.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler } from '../cpu';
import { CR0_PE, EAX, EDX, EFLAGS_IOPL, EFLAGS_VM } from '../regs';
import { def } from './table';

export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  if (!(cpu.cr0 & CR0_PE)) return;
  if (!(cpu.flags & EFLAGS_VM) && cpu.cpl <= (cpu.flags & EFLAGS_IOPL) >>> 12) return;
  cpu.ioBitmapCheck(cpu, port, size);
}

function inPort(cpu: Cpu, port: number, size: number): void {
  checkIoPermission(cpu, port, size);
  if (size === 1) cpu.r8[0] = cpu.io.in8(port);
  else if (size === 2) cpu.r16[0] = cpu.io.in16(port);
  else cpu.r32[EAX] = cpu.io.in32(port);
}

function outPort(cpu: Cpu, port: number, size: number): void {
  checkIoPermission(cpu, port, size);
  if (size === 1) cpu.io.out8(port, cpu.r8[0]);
  else if (size === 2) cpu.io.out16(port, cpu.r16[0]);
  else cpu.io.out32(port, cpu.r32[EAX]);
}

export function registerIo(ops: Handler[]): void {
  def(ops, 0xe4, (cpu) => inPort(cpu, cpu.fetch8(), 1));
  def(ops, 0xe5, (cpu) => inPort(cpu, cpu.fetch8(), 2), (cpu) => inPort(cpu, cpu.fetch8(), 4));
  def(ops, 0xe6, (cpu) => outPort(cpu, cpu.fetch8(), 1));
  def(ops, 0xe7, (cpu) => outPort(cpu, cpu.fetch8(), 2), (cpu) => outPort(cpu, cpu.fetch8(), 4));
  def(ops, 0xec, (cpu) => inPort(cpu, cpu.r16[EDX * 2], 1));
  def(ops, 0xed, (cpu) => inPort(cpu, cpu.r16[EDX * 2], 2), (cpu) => inPort(cpu, cpu.r16[EDX * 2], 4));
  def(ops, 0xee, (cpu) => outPort(cpu, cpu.r16[EDX * 2], 1));
  def(ops, 0xef, (cpu) => outPort(cpu, cpu.r16[EDX * 2], 2), (cpu) => outPort(cpu, cpu.r16[EDX * 2], 4));
}
