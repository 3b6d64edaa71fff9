// What the compiled-block tests compare between a run with blocks and one without.
import type { Cpu } from '../../emulator/cpu/cpu';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { toHex } from '../../emulator/cpu/fpu/float80';

export function blocks(cpu: Cpu): BlockCache {
  return cpu.jit as BlockCache;
}

/** Everything an instruction may change that a debugger shows (prevEip is bookkeeping for faults). */
export function state(cpu: Cpu): string {
  return JSON.stringify({
    eip: cpu.eip, r: Array.from(cpu.r32), flags: cpu.getFlags(), sel: Array.from(cpu.sel), base: Array.from(cpu.base),
    limit: Array.from(cpu.limit), ar: Array.from(cpu.ar), cr: [cpu.cr0, cpu.cr2, cpu.cr3, cpu.cr4], cpl: cpu.cpl,
    icount: cpu.icount, halted: cpu.halted, shutdown: cpu.shutdown, exc: cpu.lastException, dr6: cpu.dr[6],
    x87: cpu.fpu && [cpu.fpu.cw, cpu.fpu.status(), cpu.fpu.empty, cpu.fpu.fop, cpu.fpu.fip, cpu.fpu.fcs, cpu.fpu.fdp, cpu.fpu.fds, ...cpu.fpu.regs.map(toHex)],
  });
}
