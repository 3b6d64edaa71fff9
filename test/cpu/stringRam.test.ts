// @tier full
// REP MOVS/STOS has a direct-RAM path (emulator/cpu/exec/stringRam.ts) beside the per-element
// accessor loop, and compiled blocks have their own inline copy of it (jit/emit.ts repInline).
// Seeded random strings (sizes, directions, overlaps, alignment, page and segment edges, 16- and
// 32-bit addressing, budgets ending inside) run three times — once as they come, once with a
// write-watch bit on every page so that only the accessor loop can run, once compiled on first
// sight — and must leave identical memory and registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { runCpu } from '../../emulator/cpu/execute';
import { CS, DS, ECX, EDI, EFLAGS_DF, ES, ESI, SS } from '../../emulator/cpu/regs';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PF_WATCH_W } from '../../emulator/memory/pageFlags';

const RAM = 0x40000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

interface Case { code: number[]; df: boolean; si: number; di: number; cx: number; eax: number; dsBase: number; esBase: number; limit: number; budget: number }

function run(c: Case, forceSlow: boolean, fill: Uint8Array, compiled = false): { ram: Uint8Array; regs: number[]; icount: number } {
  const mem = new Memory({ ramSize: RAM });
  mem.ram.set(fill);
  const cpu = new Cpu('80386', MODEL_TRAITS['80386'], mem, new IoBus());
  installModel(cpu);
  if (compiled) (cpu.jit as BlockCache).hot = 1;
  if (forceSlow) {
    mem.pageFlags.fill(PF_WATCH_W, 0, RAM >>> 12);
    mem.observer = { onRead: () => {}, onWrite: () => {} };
  }
  cpu.setCache(CS, 0x3000, 0x30000, 0xffff, 0x9b);
  cpu.setCache(SS, 0x3000, 0x30000, 0xffff, 0x93);
  cpu.setCache(DS, c.dsBase >>> 4, c.dsBase, c.limit, 0x93);
  cpu.setCache(ES, c.esBase >>> 4, c.esBase, c.limit, 0x93);
  mem.poke(0x30000, new Uint8Array([...c.code, 0xf4]));
  cpu.eip = 0;
  cpu.r32[ESI] = c.si;
  cpu.r32[EDI] = c.di;
  cpu.r32[ECX] = c.cx;
  cpu.r32[0] = c.eax;
  if (c.df) cpu.flags |= EFLAGS_DF;
  runCpu(cpu, c.budget);
  return { ram: mem.ram.slice(), regs: [cpu.eip, cpu.r32[ESI], cpu.r32[EDI], cpu.r32[ECX], cpu.lastException], icount: cpu.icount };
}

const FORMS = [
  [0xf3, 0xa4], [0xf3, 0xa5], [0x66, 0xf3, 0xa5], [0xf3, 0xaa], [0xf3, 0xab], [0x66, 0xf3, 0xab],
  [0x67, 0xf3, 0xa4], [0x67, 0x66, 0xf3, 0xab], [0x26, 0xf3, 0xa4],
];

test('REP MOVS/STOS: the direct-RAM path (byte and word loops), the accessor loop and compiled blocks agree (2,000 seeded cases)', () => {
  const next = rng(0x5eed);
  const fill = new Uint8Array(RAM);
  for (let i = 0; i < RAM; i++) fill[i] = next() & 0xff;
  for (let t = 0; t < 2000; t++) {
    const near = (x: number) => (x + (next() % 64) - 32) & 0xffff;
    const si = next() % 4 === 0 ? near(0xfff0) : next() & 0xffff;
    const c: Case = {
      code: FORMS[next() % FORMS.length],
      df: next() % 3 === 0,
      si,
      // Often overlapping the source, often close to a page or segment edge.
      di: next() % 2 === 0 ? near(si) : next() % 3 === 0 ? near(0x1000) : next() & 0xffff,
      cx: next() % 8 === 0 ? 0x10000 + (next() % 40) : next() % 40,
      eax: next(),
      dsBase: (next() % 0x20) << 12 | (next() % 2 === 0 ? 0 : (next() & 0xff) << 4),
      esBase: (next() % 0x20) << 12,
      limit: next() % 4 === 0 ? 0x1000 + (next() & 0xfff) : 0xffff,
      budget: next() % 4 === 0 ? 1 + (next() % 30) : 1000,
    };
    // A quarter with both operands in one segment, so that their bytes overlap where SI and DI are near.
    if (next() % 4 === 0) c.esBase = c.dsBase;
    // A third of the cases 4-aligned with whole words, so the word-at-a-time path runs too.
    if (next() % 3 === 0) {
      c.si &= ~3;
      c.di &= ~3;
      c.cx &= ~3;
      c.dsBase &= ~3;
    }
    const fast = run(c, false, fill);
    const slow = run(c, true, fill);
    const compiled = run(c, false, fill, true);
    const where = JSON.stringify(c);
    for (const [other, name] of [[slow, 'accessor loop'], [compiled, 'compiled']] as const) {
      assert.deepEqual(other.regs, fast.regs, `${name}: ${where}`);
      assert.equal(other.icount, fast.icount, `${name}: ${where}`);
      assert.ok(Buffer.compare(other.ram, fast.ram) === 0, `${name}: memory differs: ${where}`);
    }
  }
});
