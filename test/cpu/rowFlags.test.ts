// The opcode table's flags columns against the interpreter, on seeded random instructions in real mode:
// an instruction changes no flag outside its row's flagsWritten, and flipping flags outside its
// flagsRead changes nothing it computes (registers, segments, EIP, memory, the flags it writes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu, CPU_MODELS } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { stepSlow } from '../../emulator/cpu/execute';
import { CS, DS, ES, SS } from '../../emulator/cpu/regs';
import { decode } from '../../emulator/decode/decoder';
import { decodeTier, T_X87 } from '../../emulator/decode/table';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const SEG = 0x20000; // CS = DS = ES = SS = 0x2000, code at IP 0x0100
/** The flags randomised: the status flags, IF and DF (TF would trap). */
const RANDOM_FLAGS = 0x0ed5;
const ARCH_FLAGS = 0x3f7fd5;

interface Outcome {
  flags: number;
  regs: number[];
  mem: Uint8Array;
  faulted: boolean;
}

for (const model of CPU_MODELS) {
  test(`${model}: rows' flagsRead and flagsWritten hold on random instructions`, () => {
    const mem = new Memory({ ramSize: 0x200000 });
    const cpu = new Cpu(model, MODEL_TRAITS[model], mem, new IoBus());
    const next = rng(0xf1a9 + model.length);
    const data = Uint8Array.from({ length: 0x10000 }, () => next() & 0xff);
    /** Runs `bytes` from the state `seed` describes, with EFLAGS `flags`. */
    const run = (bytes: number[], seed: number, flags: number): Outcome => {
      const r = rng(seed);
      cpu.reset();
      installModel(cpu);
      for (const s of [CS, DS, ES, SS]) cpu.setCache(s, 0x2000, SEG, 0xffff, s === CS ? 0x9b : 0x93);
      cpu.eip = 0x100;
      for (let i = 0; i < 8; i++) cpu.r32[i] = i === 4 ? 0x8000 : r() & 0x7fff;
      // FS and GS keep base 0: their accesses land below SEG, which each run starts from zeros too.
      mem.ram.fill(0, 0, SEG);
      mem.ram.set(data, SEG);
      mem.ram.set(bytes, SEG + 0x100);
      for (let v = 0; v < 32; v++) mem.ram.set([0, 0x10, 0, 0], v * 4);
      mem.ram[0x1000] = 0xf4;
      cpu.setFlags(flags);
      const before = cpu.getFlags();
      cpu.repEnd = cpu.icount + 1;
      stepSlow(cpu);
      const regs = [...cpu.r32, ...[CS, DS, ES, SS].map((s) => cpu.sel[s]), cpu.eip];
      return { flags: before ^ cpu.getFlags(), regs, mem: mem.ram.slice(SEG, SEG + 0x10000), faulted: cpu.lastException >= 0 };
    };
    const problems = new Set<string>();
    const rows = new Set<string>();
    for (let t = 0; t < 4000 && problems.size < 20; t++) {
      const bytes = Array.from({ length: 16 }, () => next() & 0xff);
      const insn = decode((i) => bytes[i], 16, decodeTier(model));
      const row = insn.row;
      if (!insn.valid || !row || row.tags & T_X87) continue;
      const seed = next(), flags1 = next() & RANDOM_FLAGS;
      const a = run(bytes, seed, flags1);
      if (a.faulted) continue;
      const name = `${insn.mnemonic} ${row.operands} (${bytes.slice(0, insn.length).map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
      const outside = a.flags & ARCH_FLAGS & ~row.flagsWritten;
      if (outside) problems.add(`${name}: changed flags ${outside.toString(16)} outside flagsWritten`);
      const flip = next() & RANDOM_FLAGS & ~row.flagsRead;
      const b = run(bytes, seed, flags1 ^ flip);
      if (b.faulted) continue;
      // A written flag that neither run changed kept its (flipped) value: not part of the outcome.
      const w = row.flagsWritten & ~(flip & ~a.flags & ~b.flags);
      const same = a.regs.every((v, i) => v === b.regs[i]) && Buffer.compare(a.mem, b.mem) === 0 &&
        (((flags1 ^ a.flags) ^ (flags1 ^ flip ^ b.flags)) & w & ARCH_FLAGS) === 0;
      if (!same) problems.add(`${name}: outcome depends on flags ${flip.toString(16)} outside flagsRead`);
      rows.add(row.handler);
    }
    assert.deepEqual([...problems], []);
    assert.ok(rows.size > (model === '8086' ? 120 : 150), `only ${rows.size} forms checked`);
  });
}
