// The machine state of the protected-mode fuzz tests: random bytes as code, GDT, IDT, TSS and page
// tables below 1 MiB, with a few valid descriptors so runs get somewhere. Shared by fuzz.test.ts
// (run() never throws) and test/cpu/jit.test.ts (compiled blocks agree with the interpreter).
import { Cpu, type CpuModel } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { CR0_AM, CR0_PG, CS, DS, ES, ESP, EFLAGS_AC, EFLAGS_VM, FS, GS, SS, TR } from '../../emulator/cpu/regs';
import { Memory } from '../../emulator/memory/bus';
import { IoBus } from '../../emulator/devices/ioBus';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

export const SEEDS = 30;

/** 'real' keeps CR0.PE clear (the tables are still there, for code that switches modes). */
export type Mode = 'pm32' | 'pm16' | 'ring3' | 'vm86' | 'paging' | 'real';

export function setup(mode: Mode, seed: number, model: CpuModel): Cpu {
  const r = rng(seed);
  const mem = new Memory({ ramSize: 2 << 20 });
  const cpu = new Cpu(model, MODEL_TRAITS[model], mem, new IoBus());
  installModel(cpu);
  // Random bytes everywhere below 1 MiB: code, GDT, IDT, TSS and page tables are all garbage-ish,
  // except a few valid descriptors so that the run gets somewhere.
  const junk = new Uint8Array(0x50000);
  for (let i = 0; i < junk.length; i += 4) {
    const v = r();
    junk[i] = v; junk[i + 1] = v >>> 8; junk[i + 2] = v >>> 16; junk[i + 3] = v >>> 24;
  }
  mem.poke(0, junk);
  const big = model !== '80286';
  const put = (sel: number, lo: number, hi: number) => { mem.write32(0x1000 + sel, lo); mem.write32(0x1004 + sel, hi); };
  put(0x08, 0x0000ffff, big ? 0x00cf9a00 : 0x9a00);
  put(0x10, 0x0000ffff, big ? 0x00cf9200 : 0x9200);
  put(0x18, 0x0000ffff, big ? 0x00cffa00 : 0xfa00);
  put(0x20, 0x0000ffff, big ? 0x00cff200 : 0xf200);
  put(0x28, 0x30000067, big ? 0x00008b00 : 0x8300);
  // Most vectors get a valid interrupt or trap gate into random code, so runs go on after faults.
  for (let v = 0; v < 256; v++) {
    if (r() % 4 === 0) continue;
    const off = 0x8000 + (r() & 0x7fff);
    mem.write32(0x2000 + v * 8, (0x08 << 16) | off);
    mem.write32(0x2004 + v * 8, (big ? 0x8e00 : 0x8600) | (r() & 0x6100));
  }
  if (big) {
    mem.write32(0x3004, 0x6000);
    mem.write32(0x3008, 0x10);
  } else {
    mem.write16(0x3002, 0x6000);
    mem.write16(0x3004, 0x10);
  }
  cpu.gdtrBase = 0x1000;
  cpu.gdtrLimit = 0x3ff;
  cpu.idtrBase = 0x2000;
  cpu.idtrLimit = 0x7ff;
  cpu.cr0 |= 1;
  cpu.setCache(TR, 0x28, 0x3000, 0x67, big ? 0x8b : 0x83);
  const code32 = mode !== 'pm16' && big;
  cpu.setCache(CS, 0x08, 0, big ? 0xffffffff : 0xffff, code32 ? 0xc09b : 0x9b);
  for (const s of [SS, DS, ES, FS, GS]) cpu.setCache(s, 0x10, 0, big ? 0xffffffff : 0xffff, big ? 0xc093 : 0x93);
  if (mode === 'ring3') {
    cpu.setCache(CS, 0x1b, 0, 0xffffffff, 0xc0fb);
    for (const s of [SS, DS, ES, FS, GS]) cpu.setCache(s, 0x23, 0, 0xffffffff, 0xc0f3);
    cpu.cpl = 3;
    // Where the model checks alignment, ring 3 runs with it on (updateMode below applies it).
    if (cpu.traits.alignmentCheck) {
      cpu.cr0 |= CR0_AM;
      cpu.setFlags(cpu.flags | EFLAGS_AC);
    }
  }
  if (mode === 'vm86') {
    cpu.setFlags(cpu.flags | EFLAGS_VM);
    for (const s of [CS, SS, DS, ES, FS, GS]) cpu.setCache(s, 0x1000, 0x10000, 0xffff, 0xf3);
    cpu.cpl = 3;
  }
  if (mode === 'paging') {
    cpu.cr3 = 0x40000;
    mem.write32(0x40000, 0x41007);
    for (let i = 0; i < 256; i++) if (r() & 7) mem.write32(0x41000 + i * 4, (i << 12) | (r() & 0x67) | 1);
    cpu.cr0 |= CR0_PG;
  }
  if (mode === 'real') {
    cpu.cr0 &= ~1;
    cpu.setCache(CS, 0, 0, 0xffff, 0x9b);
    for (const s of [SS, DS, ES, FS, GS]) cpu.setCache(s, 0, 0, 0xffff, 0x93);
  }
  cpu.updateMode();
  cpu.eip = 0x8000;
  cpu.r32[ESP] = 0x7000;
  return cpu;
}
