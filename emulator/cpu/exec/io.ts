// Port I/O: IN/OUT with immediate and DX ports, and the I/O permission check (CPL <= IOPL, else
// the TSS I/O bitmap; vm86 always consults the bitmap). SDM Vol. 1 §19.5, Vol. 3 §20.2.8.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from '../cpu';
import { CR0_PE, EAX, EDX, EFLAGS_IOPL, EFLAGS_VM } from '../regs';
import type { Handlers } from './table';

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

export const IO: Handlers = {
  in_AL_Ib: (cpu) => inPort(cpu, cpu.fetch8(), 1),
  in_eAX_Ib: [(cpu) => inPort(cpu, cpu.fetch8(), 2), (cpu) => inPort(cpu, cpu.fetch8(), 4)],
  out_Ib_AL: (cpu) => outPort(cpu, cpu.fetch8(), 1),
  out_Ib_eAX: [(cpu) => outPort(cpu, cpu.fetch8(), 2), (cpu) => outPort(cpu, cpu.fetch8(), 4)],
  in_AL_DX: (cpu) => inPort(cpu, cpu.r16[EDX * 2], 1),
  in_eAX_DX: [(cpu) => inPort(cpu, cpu.r16[EDX * 2], 2), (cpu) => inPort(cpu, cpu.r16[EDX * 2], 4)],
  out_DX_AL: (cpu) => outPort(cpu, cpu.r16[EDX * 2], 1),
  out_DX_eAX: [(cpu) => outPort(cpu, cpu.r16[EDX * 2], 2), (cpu) => outPort(cpu, cpu.r16[EDX * 2], 4)],
};
