// A CPU set up in protected mode by hand, for unit tests of protected-mode and 80386 semantics
// (protected.test.ts, test/cpu/i386.test.ts): GDT at 0x1000, IDT at 0x2000, code at 0x10000.
import { Cpu, type CpuModel } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { FAULT } from '../../emulator/cpu/faults';
import { CR0_PG, CS, DS, ES, ESP, SS } from '../../emulator/cpu/regs';
import { Memory } from '../../emulator/memory/bus';
import { IoBus } from '../../emulator/devices/ioBus';

export const GDT = 0x1000, IDT = 0x2000, CODE = 0x10000;

/** Writes a GDT descriptor (access byte, flags = G D/B 0 AVL nibble). */
export function desc(mem: Memory, sel: number, base: number, limit: number, access: number, flags: number): void {
  const b = new Uint8Array([
    limit & 0xff, (limit >>> 8) & 0xff, base & 0xff, (base >>> 8) & 0xff, (base >>> 16) & 0xff, access,
    ((limit >>> 16) & 0x0f) | (flags << 4), (base >>> 24) & 0xff,
  ]);
  mem.poke(GDT + (sel & ~7), b);
}

export function gate(mem: Memory, addr: number, off: number, sel: number, access: number, params = 0): void {
  mem.poke(addr, new Uint8Array([off & 0xff, (off >>> 8) & 0xff, sel & 0xff, sel >>> 8, params, access, (off >>> 16) & 0xff, (off >>> 24) & 0xff]));
}

/** A CPU in 32-bit (or, for the 80286, 16-bit) protected mode at CPL 0 with flat segments 08/10. */
export function pmCpu(model: CpuModel = '80386'): Cpu {
  const mem = new Memory({ ramSize: 4 << 20 });
  const cpu = new Cpu(model, MODEL_TRAITS[model], mem, new IoBus());
  installModel(cpu);
  const big = model !== '80286';
  desc(mem, 0x08, 0, big ? 0xfffff : 0xffff, 0x9a, big ? 0xc : 0);
  desc(mem, 0x10, 0, big ? 0xfffff : 0xffff, 0x92, big ? 0xc : 0);
  cpu.gdtrBase = GDT;
  cpu.gdtrLimit = 0xff;
  cpu.idtrBase = IDT;
  cpu.idtrLimit = 0x7ff;
  cpu.cr0 |= 1;
  cpu.setCache(CS, 0x08, 0, big ? 0xffffffff : 0xffff, big ? 0xc09b : 0x9b);
  for (const s of [SS, DS, ES]) cpu.setCache(s, 0x10, 0, big ? 0xffffffff : 0xffff, big ? 0xc093 : 0x93);
  cpu.updateMode();
  cpu.eip = CODE;
  cpu.r32[ESP] = 0x8000;
  return cpu;
}

/** Places code at CODE, where pmCpu starts. */
export function code(cpu: Cpu, bytes: number[]): void {
  cpu.mem.poke(CODE, new Uint8Array(bytes));
}

/** The [vector, error code] of the fault `fn` raises, [-1, -1] when none. */
export function faultOf(fn: () => void): [number, number] {
  try {
    fn();
  } catch (e) {
    if (e !== FAULT) throw e;
    return [FAULT.vector, FAULT.errorCode];
  }
  return [-1, -1];
}

/**
 * pmCpu with paging: identity-mapped user RW pages below 80000h except 50000h (supervisor RW),
 * 51000h (user read-only) and 52000h (not present); a 4 MiB page at 400000h maps to 0.
 */
export function pagingCpu(model: CpuModel = '80386'): Cpu {
  const cpu = pmCpu(model);
  const m = cpu.mem;
  const PD = 0x30000, PT = 0x31000;
  m.write32(PD, PT | 7);
  for (let i = 0; i < 0x80; i++) m.write32(PT + i * 4, (i << 12) | 7);
  m.write32(PT + 0x50 * 4, 0x50000 | 3); // supervisor RW
  m.write32(PT + 0x51 * 4, 0x51000 | 5); // user read-only
  m.write32(PT + 0x52 * 4, 0x52000 | 6); // not present
  m.write32(PD + 4, 0x00000087); // 4 MiB page at 0x400000 → 0 (needs CR4.PSE)
  cpu.cr3 = PD;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
  return cpu;
}
