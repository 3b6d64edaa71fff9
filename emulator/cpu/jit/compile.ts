// The block compiler: turns the hot path from one entry point into one JavaScript function that V8
// compiles to machine code, so the hot loop dispatches once per block instead of once per
// instruction. Three steps, one module each: trace.ts follows execution and decides each
// instruction's flow, native.ts describes each instruction's native form as data (code with holes,
// its flags effect, its branch), emit.ts places them into a function body; this module makes the
// function and what the cache checks before running it.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu } from '../cpu';
import { tlbOf } from '../protected/paging';
import { CS } from '../regs';
import type { Callee } from './code';
import { emitBody } from './emit';
import { FLAG_LOCALS } from './flagCode';
import { Flow, type Item, trace } from './trace';

/** A compiled block: the function and what the cache checks before running it. */
export interface CompiledBlock {
  run: (cpu: Cpu) => void;
  /** Instructions (a REP string instruction counts once): the budget the block needs. */
  count: number;
  /** The guest bytes it was made from: [physical address, length] pairs, one page. */
  ranges: number[];
  /** Highest EIP of any of its bytes: the CS limit must reach it. */
  lastEip: number;
  /** Linear addresses where it would run past a breakpoint: its instructions after the entry, and
   * the entry too when it loops back to it. */
  inner: number[];
}

/** The guest bytes of `items` as [physical address, length] runs (the entry's bytes are at `phys`). */
function rangesOf(items: Item[], eip: number, phys: number): number[] {
  const spans = items.map((i) => [i.eip - eip, i.insn.length]).sort((x, y) => x[0] - y[0]);
  const ranges: number[] = [];
  for (const [o, len] of spans) {
    const k = ranges.length;
    if (k > 0 && ranges[k - 2] + ranges[k - 1] >= o) ranges[k - 1] = Math.max(ranges[k - 1], o + len - ranges[k - 2]);
    else ranges.push(o, len);
  }
  return ranges.map((v, i) => (i % 2 === 0 ? phys + v : v));
}

/** Transfers inside the block skip the CS limit check of their targets: the entry check covers them. */
function lastEipOf(items: Item[]): number {
  const inside = (i: Item) => i.flow === Flow.Jump || i.flow === Flow.Call || i.flow === Flow.Return || i.flow === Flow.Skip || i.flow === Flow.Taken;
  return Math.max(...items.map((i) => Math.max(i.eip + i.insn.length - 1, inside(i) ? i.next : 0)));
}

/**
 * Compiles the block at CS:EIP whose first byte is at physical `phys`; null when not even its first
 * instruction can be compiled (then the interpreter runs it). `hasBreakpoint` says which linear
 * addresses a block must stop in front of: a block starts at a breakpoint, never runs across one.
 */
export function compileBlock(cpu: Cpu, eip: number, phys: number, hasBreakpoint: (lin: number) => boolean): CompiledBlock | null {
  const t = trace(cpu, eip, phys, hasBreakpoint);
  if (!t) return null;
  const lin = (cpu.base[CS] + eip) >>> 0;
  const body = emitBody(cpu, t);
  // The functions it calls are constants of its closure: fixed call targets V8 can inline. Word
  // and dword RAM accesses go through a DataView (little-endian, one bounds check each).
  const source = `"use strict";
${body.consts.map((_, i) => `const k${i} = K[${i}];`).join('\n')}
const r8 = C.r8, r16 = C.r16, r32 = C.r32, ram = C.ram, mem = C.mem, ram32 = mem.ram32, dv = new DataView(ram.buffer), pf = mem.pageFlags, cb = mem.codeBytes;
const sb = C.base, rdh = C.fastReadHi, wrh = C.fastWriteHi;${body.paged ? ' const tlb = T, rs = mem.ramSize;' : ''}
return function block_${lin.toString(16)}(cpu) {
let $a = 0, $f = 0, $c = null, $s = 0, $v = 0, $r = 0, $l = 0, ${body.paged ? '$e = 0, ' : ''}${FLAG_LOCALS};
${body.text}
};`;
  const factory = new Function('K', 'C', 'T', source) as (k: Callee[], c: Cpu, tlb: Int32Array | null) => (cpu: Cpu) => void;
  const { items, loops } = t;
  return {
    run: factory(body.consts, cpu, body.paged ? tlbOf(cpu).entries : null), count: items.length, ranges: rangesOf(items, eip, phys), lastEip: lastEipOf(items),
    // A loop back to the entry passes it again inside the function: then the entry counts too.
    inner: (loops.some(([h]) => h === 0) ? items : items.slice(1)).map((i) => (cpu.base[CS] + i.eip) >>> 0),
  };
}
