// The block compiler: turns the hot path from one entry point into one JavaScript function that V8
// compiles to machine code, so the hot loop dispatches once per block instead of once per
// instruction. A block follows execution inside one linear page: through direct JMP and CALL, back
// from a RET to its CALL, into a far JMP's target in the same code segment (both checked at run
// time), over forward Jcc (an if, or a side exit), and around branches back into itself (loops
// inside the function).
// Semantics stay in one place: generated code calls the helpers the interpreter's handlers use
// (alu, nearJump, condition, loadSeg, jmpFar, the CPU's segment-checked accessors), with operands
// decoded once by the shared decoder; what it writes out inline (the accessors' fast paths, the
// lazy-flag arithmetic of ADD/SUB/logic/INC/DEC, their Jcc tests) is checked against the
// interpreter by test/cpu/jit.test.ts. An instruction with no native form calls its dispatch entry
// (operand bytes fetched as usual), or runs through stepOne when prefixed, so model patches and
// debugger wrappers (call stack, event stops) keep working.
// Each instruction leaves the state the interpreter would wherever it can be seen: the count,
// prevEip, EIP and flags are settled before a dispatch entry, a helper that can fault, a slow memory
// access and every exit; after anything that can raise an attention bit (a watchpoint hit, a store
// into compiled code, an interrupt window) the block returns, so stops, traps and
// self-modifying-code effects land on the interpreter's instruction boundaries.
// Pure TypeScript: no Node or VS Code imports.

import { decode, type Instruction } from '../../decode/decoder';
import { flowOf } from '../../decode/flow';
import { decoderModelFor } from '../../decode/table';
import { type Cpu, type Handler, isFormWatcher, R8 } from '../cpu';
import { stepOne } from '../execute';
import { condition } from '../exec/conditions';
import { alu, ALU_ADD, ALU_AND, ALU_CMP, ALU_OR, ALU_SUB, ALU_XOR } from '../exec/alu';
import { getCF, LZ_ADD, LZ_DEC, LZ_INC, LZ_LOGIC, LZ_SUB } from '../flags';
import { jmpFar, loopTaken, nearJump } from '../exec/control';
import { GP } from '../faults';
import { MAP0F, OP32 } from '../exec/table';
import { repMovsStosRam } from '../exec/stringRam';
import { EA16_BASE, EA16_INDEX, EA16_SEG, NO_REG } from '../modrm';
import { CS, DS, EBP, EFLAGS_CF, EFLAGS_DF, EFLAGS_STATUS, ES, ESP, GS, SS } from '../regs';
import { loadSeg, reloadUnchanged } from '../segmentation';
import { PF_CODE, PF_READ_SLOW, PF_WRITE_SLOW } from '../../memory/pageFlags';
import { hex } from '../../../protocol/format';

/** Most instructions in one block: long enough to amortise dispatch, short enough to compile fast. */
const MAX_INSNS = 64;

/** The helpers generated code may call, by name. */
const HELPERS = { alu, condition, getCF, nearJump, jmpFar, loadSeg, reloadUnchanged, loopTaken, repMovsStosRam, stepOne };

/**
 * One-byte opcodes whose handler touches neither memory nor EIP, cannot fault and cannot raise an
 * attention bit: called directly with no bookkeeping around them but the flags (NOP/XCHG, CBW/CWD,
 * SAHF/LAHF, CMC/CLC/STC/CLD/STD).
 */
const PURE_ONE_BYTE = new Set([...Array.from({ length: 8 }, (_, i) => 0x90 + i), 0x98, 0x99, 0x9e, 0x9f, 0xf5, 0xf8, 0xf9, 0xfc, 0xfd]);

/** Opcodes that change CS, EIP or the halt state in ways the decoder's flow does not classify. */
function endsBlock(cpu: Cpu, insn: Instruction, eip: number): boolean {
  const op = insn.opcode;
  const kind = flowOf(insn, eip).kind;
  if (kind !== 'none' && kind !== 'rep') return true;
  if (op === 0xf4 || op === 0xcf || op === 0xca || op === 0xcb || op === 0xea || op === 0x9a) return true;
  if (op === 0xff && insn.modrm && insn.modrm.reg >= 2 && insn.modrm.reg <= 5) return true;
  // 8086: POP CS and MOV CS,Ew load CS without a transfer.
  if (cpu.model === '8086' && (op === 0x0f || op === 0x8e)) return true;
  return false;
}

/** What the code of one instruction needs around it. */
const enum Kind {
  /** Registers and flags only: no fault, no memory, no EIP; only the instruction count is deferred. */
  Pure,
  /** Touches memory: its slow accesses settle count, prevEip and EIP; return if an attention bit came up. */
  Effect,
  /** Transfers control (or may): sets EIP itself, the block ends. */
  End,
}

/**
 * How an instruction's code touches the arithmetic flags: not at all, through the block's flag
 * locals (the lazy-flag inputs of ADD/OR/AND/SUB/XOR/CMP/TEST of `size` bits), or through the CPU's
 * own flag state (helpers, dispatch entries), which must then be current.
 */
type FlagUse = 'none' | 'cpu' | { lz: number; size: number };

interface Emitted {
  kind: Kind;
  code: string;
  flags: FlagUse;
  /** A direct near branch (End): taken when `test` holds (always when null), to `target`. */
  branch?: { test: string | null; target: number };
}

/** A direct near branch to `target`, taken when `test` holds (always when null). */
function branch(test: string | null, target: number): Emitted {
  const jump = `nearJump(cpu, ${hex(target)});`;
  return { kind: Kind.End, code: test ? `if (${test}) ${jump}` : jump, branch: { test, target }, flags: test ? 'cpu' : 'none' };
}

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

const reg8 = (r: number) => `r8[${R8[r]}]`;
const reg16 = (r: number) => `r16[${r << 1}]`;
const reg32 = (r: number) => `r32[${r}]`;
const regOf = (size: number, r: number) => (size === 8 ? reg8(r) : size === 16 ? reg16(r) : reg32(r));
const maskOf = (size: number) => (size === 8 ? '0xff' : size === 16 ? '0xffff' : '0xffffffff');

/** The memory operand of a ModRM form as a segment number and an offset expression (SDM Vol. 2 Tables 2-1/2-2). */
function effectiveAddress(insn: Instruction): { seg: number; off: string } {
  const m = insn.modrm!;
  const ovr = insn.prefixes.seg;
  if (insn.addrSize === 16) {
    if (m.mod === 0 && m.rm === 6) return { seg: ovr >= 0 ? ovr : DS, off: hex(insn.disp & 0xffff) };
    const terms = [reg16(EA16_BASE[m.rm])];
    if (EA16_INDEX[m.rm] !== NO_REG) terms.push(reg16(EA16_INDEX[m.rm]));
    if (insn.dispSize > 0) terms.push(String(insn.disp));
    return { seg: ovr >= 0 ? ovr : EA16_SEG[m.rm], off: `((${terms.join(' + ')}) & 0xffff)` };
  }
  let seg = DS;
  const terms: string[] = [];
  if (m.rm === 4) {
    const sib = insn.sib!;
    if (sib.index !== 4) terms.push(`(${reg32(sib.index)} << ${sib.scale})`);
    if (!(sib.base === 5 && m.mod === 0)) {
      // No index with a scale scales the base on the 80386 (modrm.ts).
      terms.push(sib.index === 4 && sib.scale !== 0 ? `(${reg32(sib.base)} << ${sib.scale})` : reg32(sib.base));
      if (sib.base === ESP || sib.base === EBP) seg = SS;
    }
  } else if (!(m.rm === 5 && m.mod === 0)) {
    terms.push(reg32(m.rm));
    if (m.rm === EBP) seg = SS;
  }
  if (insn.dispSize > 0) terms.push(String(insn.disp));
  if (terms.length === 0) terms.push('0');
  return { seg: ovr >= 0 ? ovr : seg, off: `((${terms.join(' + ')}) >>> 0)` };
}

// Memory access in generated code: the accessor's checks inline, for an offset held in a constant.
// The fast path is a segment check, the A20 mask and one page-flag test in front of the RAM array; a
// store next to compiled code (same page) also tests that page's code bytes. Everything else (a
// fault, a watched or ROM/MMIO page, a page or segment edge, a store into code) takes the CPU's own
// accessor, so there is one definition of what an access does. Paging is off inside blocks.

/**
 * Marks a call to the CPU's own accessor (or anything else that may fault, read the instruction
 * count or raise an attention bit): compileBlock settles the count, prevEip and EIP around it, so
 * the inline fast paths need none of that bookkeeping.
 */
const slow = (call: string) => `/*S*/${call}/*E*/`;
const SLOW_CALL = /\/\*S\*\/(.*?)\/\*E\*\//g;

/**
 * Resolves the slow-call marks of `code`: with `sync`, a slow call first settles the instruction
 * count (count), prevEip (start) and EIP (next) as the interpreter has them during the instruction,
 * notes in $s that an attention check is due, and takes the count back afterwards (the block goes
 * on counting lazily); without, the caller has settled them already.
 */
function resolveSlow(code: string, sync: { count: number; start: number; next: number } | null): string {
  if (!sync) return code.replace(SLOW_CALL, '($1)');
  const { count, start, next } = sync;
  return code.replace(SLOW_CALL, `($s = 1, ${SETTLE_FLAGS_EXPR}, cpu.icount += ${count}, cpu.prevEip = ${hex(start)}, cpu.eip = ${hex(next)}, $v = $1, cpu.icount -= ${count}, $v)`);
}

const linear = (seg: number, o: string) => `($a = ((sb[${seg}] + ${o}) & a20) >>> 0)`;

/** The value of the `size`-bit read at seg:o, as an expression (o must be a plain name). */
function rd(size: number, seg: number, o: string): string {
  if (size === 8) {
    return `(${o} < lo[${seg}] || ${o} > hi[${seg}] || (sok[${seg}] & 1) === 0 || (pf[${linear(seg, o)} >>> 12] & ${PF_READ_SLOW}) !== 0 || $a >= rs ? ${slow(`cpu.rd8(${seg}, ${o})`)} : ram[$a])`;
  }
  if (size === 16) {
    return `(${o} < lo[${seg}] || ${o} >= hi[${seg}] || (sok[${seg}] & 1) === 0 || (${linear(seg, o)} & 0xfff) === 0xfff || (pf[$a >>> 12] & ${PF_READ_SLOW}) !== 0 || $a + 1 >= rs ? ${slow(`cpu.rd16(${seg}, ${o})`)} : ram[$a] | (ram[$a + 1] << 8))`;
  }
  return `(${o} < lo[${seg}] || ${o} + 3 > hi[${seg}] || (sok[${seg}] & 1) === 0 || (${linear(seg, o)} & 0xfff) > 0xffc || (pf[$a >>> 12] & ${PF_READ_SLOW}) !== 0 || $a + 3 >= rs ? ${slow(`cpu.rd32(${seg}, ${o})`)} : (ram[$a] | (ram[$a + 1] << 8) | (ram[$a + 2] << 16) | (ram[$a + 3] << 24)) >>> 0)`;
}

/** The `size`-bit store of `value` at seg:o, as a statement (o must be a plain name). */
function wr(size: number, seg: number, o: string, value: string): string {
  const n = size >> 3;
  const codeBytes = Array.from({ length: n }, (_, i) => `$c[($a & 0xfff) + ${i}]`).join(' | ');
  const inSeg = size === 8 ? `${o} > hi[${seg}]` : size === 16 ? `${o} >= hi[${seg}]` : `${o} + 3 > hi[${seg}]`;
  const inPage = size === 8 ? 'false' : `($a & 0xfff) > ${0x1000 - n}`;
  const stores = Array.from({ length: n }, (_, i) => `ram[$a${i ? ` + ${i}` : ''}] = w${i ? ` >>> ${8 * i}` : ''};`).join(' ');
  return `{ const w = ${value}; if (${o} < lo[${seg}] || ${inSeg} || (sok[${seg}] & 2) === 0 || (${linear(seg, o)}, ${inPage}) || $a + ${n - 1} >= rs || ` +
    `((($f = pf[$a >>> 12]) & ${PF_WRITE_SLOW}) !== 0 && ($f !== ${PF_CODE} || (($c = cb[$a >>> 12]), ${codeBytes}) !== 0))) ${slow(`cpu.wr${size}(${seg}, ${o}, w)`)}; else { ${stores} } }`;
}

/** PUSH of a 16- or 32-bit value, as cpu.push16/push32 do it (the stack size is SS.B's, read at run time). */
function push(size: number, value: string): string {
  return `{ const v = ${value}; const m = cpu.stackMask; const s = ((r32[${ESP}] - ${size >> 3}) & m) >>> 0; ${wr(size, SS, 's', 'v')} if (m === 0xffff) r16[${ESP << 1}] = s; else r32[${ESP}] = s; }`;
}

/** POP into `target` (an assignment target, or null to leave the value in `v`), as cpu.pop16/pop32 do it. */
function pop(size: number, target: string | null): string {
  return `const m = cpu.stackMask; const s = (r32[${ESP}] & m) >>> 0; const v = ${rd(size, SS, 's')}; if (m === 0xffff) r16[${ESP << 1}] = s + ${size >> 3}; else r32[${ESP}] = s + ${size >> 3};${target ? ` ${target} = v;` : ''}`;
}

/** Reads the E operand (and, for memory, keeps the offset in `o` for a write back). */
function readE(insn: Instruction, size: number): { pre: string; value: string; write: (v: string) => string; mem: boolean } {
  const m = insn.modrm!;
  if (m.mod === 3) return { pre: '', value: regOf(size, m.rm), write: (v) => `${regOf(size, m.rm)} = ${v};`, mem: false };
  const { seg, off } = effectiveAddress(insn);
  return { pre: `const o = ${off};`, value: rd(size, seg, 'o'), write: (v) => wr(size, seg, 'o', v), mem: true };
}

// Flags in generated code: a lazy-flag producer (ADD/OR/AND/SUB/XOR/CMP/TEST) leaves alu()'s and
// setLazy()'s inputs in locals ($fo op, $fd dst, $fs src, $fr result, $fm mask) and sets $fl; they
// reach the CPU's fields (SETTLE_FLAGS) only where something can look: a slow memory access (a fault
// or a stop shows EFLAGS), a helper or dispatch entry, a block exit. A Jcc right after its producer
// tests the locals directly. ADC and SBB, which read CF, call alu(). The JIT tests compare every
// flag with the interpreter's.

/** Copies the flag locals to the CPU (as setLazy does) if they are newer: an expression. */
const SETTLE_FLAGS_EXPR = '($fl !== 0 && (cpu.lzOp = $fo, cpu.lzDst = $fd, cpu.lzSrc = $fs, cpu.lzRes = $fr, cpu.lzMask = $fm, cpu.lazy = $fz, $fl = 0))';
const SETTLE_FLAGS = `${SETTLE_FLAGS_EXPR};`;

/** `x op y` masked to `size` bits with its lazy flags in the locals: an expression valued the result. */
function lazyResult(lz: number, x: string, y: string, operator: string, size: number): string {
  const mask = maskOf(size);
  return `(($fd = ${x}), ($fs = ${y}), ($fr = ((($fd ${operator} $fs) & ${mask}) >>> 0)), ($fo = ${lz}), ($fm = ${mask}), ($fz = ${EFLAGS_STATUS}), ($fl = 1), $fr)`;
}

/** Where INC/DEC code needs the incoming CF: compileBlock puts in cfNow(), which knows the producer. */
const INCOMING_CF = '/*CF*/';

/**
 * INC/DEC of `x` (`size` bits) as an expression valued the result, as inc16()/setLazyIncDec() do
 * it: CF keeps its value, now stored eagerly; the other five flags are lazy in the locals.
 */
function incDec(dec: boolean, x: string, size: number): string {
  const mask = maskOf(size);
  return `((cpu.flags = ${INCOMING_CF} ? cpu.flags | ${EFLAGS_CF} : cpu.flags & ~${EFLAGS_CF}), ($fd = ${x}), ($fs = 1), ` +
    `($fr = (($fd ${dec ? '-' : '+'} 1) & ${mask}) >>> 0), ($fo = ${dec ? LZ_DEC : LZ_INC}), ($fm = ${mask}), ($fz = ${EFLAGS_STATUS & ~EFLAGS_CF}), ($fl = 1), $fr)`;
}

/** CF as the flags stand, from the locals when their producer is known, else from the CPU. */
function cfNow(f: { lz: number; size: number } | null): string {
  if (!f) return `(${SETTLE_FLAGS_EXPR}, getCF(cpu))`;
  if (f.lz === LZ_ADD) return '($fr < $fd)';
  if (f.lz === LZ_SUB) return '($fd < $fs)';
  if (f.lz === LZ_LOGIC) return 'false';
  return `((cpu.flags & ${EFLAGS_CF}) !== 0)`;
}

const ALU_LAZY: Record<number, [lz: number, operator: string]> = {
  [ALU_ADD]: [LZ_ADD, '+'], [ALU_OR]: [LZ_LOGIC, '|'], [ALU_AND]: [LZ_LOGIC, '&'], [ALU_SUB]: [LZ_SUB, '-'],
  [ALU_XOR]: [LZ_LOGIC, '^'], [ALU_CMP]: [LZ_SUB, '-'],
};

/** `a op b` for ALU operation `aop` (ModRM.reg order) as an expression that sets the flags. */
function aluExpr(aop: number, a: string, b: string, size: number): string {
  const lazy = ALU_LAZY[aop];
  return lazy ? lazyResult(lazy[0], a, b, lazy[1], size) : `alu(cpu, ${aop}, ${a}, ${b}, ${maskOf(size)})`;
}

function aluFlags(aop: number, size: number): FlagUse {
  const lazy = ALU_LAZY[aop];
  return lazy ? { lz: lazy[0], size } : 'cpu';
}

/**
 * Condition `cc` of a Jcc from the flag locals of a producer known at compile time (flags.ts's
 * getters on the same inputs), or null for PF, which the CPU's getter computes.
 */
function inlineCondition(cc: number, f: { lz: number; size: number }): string | null {
  const sign = hex(f.size === 8 ? 0x80 : f.size === 16 ? 0x8000 : 0x80000000);
  const zf = '$fr === 0', sf = `($fr & ${sign}) !== 0`;
  const cf = cfNow(f);
  const of = f.lz === LZ_ADD ? `(($fd ^ $fr) & ($fs ^ $fr) & ${sign}) !== 0` : f.lz === LZ_SUB ? `(($fd ^ $fs) & ($fd ^ $fr) & ${sign}) !== 0` :
    f.lz === LZ_INC ? `$fr === ${sign}` : f.lz === LZ_DEC ? `$fr === ${hex((f.size === 8 ? 0x80 : f.size === 16 ? 0x8000 : 0x80000000) - 1)}` : 'false';
  const r = [of, cf, zf, `(${cf} || ${zf})`, sf, null, `(${sf}) !== (${of})`, `(${zf} || (${sf}) !== (${of}))`][cc >> 1];
  if (r === null) return null;
  return cc & 1 ? `!(${r})` : `(${r})`;
}

function emitted(mem: boolean, code: string, flags: FlagUse = 'none'): Emitted {
  return { kind: mem ? Kind.Effect : Kind.Pure, code: `{ ${code} }`, flags };
}

/** Loads segment register `seg` with `v` (a name), skipping a protected-mode reload that changes nothing. */
function segLoad(seg: number, v: string): string {
  return `if (!reloadUnchanged(cpu, ${seg}, ${v})) ${slow(`loadSeg(cpu, ${seg}, ${v})`)};`;
}

/**
 * JMP FAR sel:off (names or constants); a protected-mode jump into the CS it is already in only
 * checks the new EIP, as farTransfer.ts's jmpFar does after the same memo test.
 */
function farJump(sel: string, off: string, osize: number): string {
  return `if (reloadUnchanged(cpu, ${CS}, ${sel})) { if (${off} > cpu.limit[${CS}]) cpu.fault(${GP}, 0); cpu.eip = ${off}; } else jmpFar(cpu, ${sel}, ${off}, ${osize === 32});`;
}

/** Native code for the instructions boot loops are made of, or null (the caller falls back). */
function emitNative(cpu: Cpu, insn: Instruction, eip: number): Emitted | null {
  const op = insn.opcode;
  const osize = insn.opSize;
  const m = insn.modrm;
  // Relative branch targets wrap at the operand size (the decoder's flow computes them so).
  const to = () => flowOf(insn, eip).target!;
  const target = () => hex(to());
  // ALU forms 00-3D: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz.
  if (op < 0x40 && (op & 7) < 6) {
    const aop = op >> 3, form = op & 7;
    const size = form === 0 || form === 2 || form === 4 ? 8 : osize;
    const store = aop !== ALU_CMP;
    if (form >= 4) {
      const acc = regOf(size, 0);
      const call = aluExpr(aop, acc, hex(insn.imm[0]), size);
      return emitted(false, store ? `${acc} = ${call};` : `${call};`, aluFlags(aop, size));
    }
    const e = readE(insn, size);
    const g = regOf(size, m!.reg);
    if (form < 2) {
      const call = aluExpr(aop, e.mem ? 'v' : e.value, g, size);
      return emitted(e.mem, `${e.pre} ${e.mem ? `const v = ${e.value};` : ''} ${store ? e.write(call) : `${call};`}`, aluFlags(aop, size));
    }
    const call = aluExpr(aop, g, e.mem ? 'v' : e.value, size);
    return emitted(e.mem, `${e.pre} ${e.mem ? `const v = ${e.value};` : ''} ${store ? `${g} = ${call};` : `${call};`}`, aluFlags(aop, size));
  }
  switch (op) {
    case 0x80: case 0x81: case 0x83: {
      const size = op === 0x80 ? 8 : osize;
      const aop = m!.reg;
      const imm = op === 0x83 ? (osize === 16 ? ((insn.imm[0] << 24) >> 24) & 0xffff : ((insn.imm[0] << 24) >> 24) >>> 0) : insn.imm[0];
      const e = readE(insn, size);
      const call = aluExpr(aop, 'v', hex(imm), size);
      return emitted(e.mem, `${e.pre} const v = ${e.value}; ${aop !== ALU_CMP ? e.write(call) : `${call};`}`, aluFlags(aop, size));
    }
    case 0x84: case 0x85: {
      const size = op === 0x84 ? 8 : osize;
      const e = readE(insn, size);
      return emitted(e.mem, `${e.pre} ${lazyResult(LZ_LOGIC, e.value, regOf(size, m!.reg), '&', size)};`, { lz: LZ_LOGIC, size });
    }
    case 0x88: case 0x89: {
      const size = op === 0x88 ? 8 : osize;
      const e = readE(insn, size);
      return emitted(e.mem, `${e.pre} ${e.write(regOf(size, m!.reg))}`);
    }
    case 0x8a: case 0x8b: {
      const size = op === 0x8a ? 8 : osize;
      const e = readE(insn, size);
      return emitted(e.mem, `${e.pre} ${regOf(size, m!.reg)} = ${e.value};`);
    }
    case 0x8d: {
      if (m!.mod === 3) return null;
      const { off } = effectiveAddress(insn);
      return emitted(false, osize === 16 ? `${reg16(m!.reg)} = ${off} & 0xffff;` : `${reg32(m!.reg)} = ${off};`);
    }
    case 0xc6: case 0xc7: {
      if (m!.reg !== 0) return null;
      const size = op === 0xc6 ? 8 : osize;
      const e = readE(insn, size);
      return emitted(e.mem, `${e.pre} ${e.write(hex(insn.imm[0]))}`);
    }
    case 0xfe: case 0xff: {
      if (m!.reg > 1) break;
      const size = op === 0xfe ? 8 : osize;
      const e = readE(insn, size);
      return emitted(e.mem, `${e.pre} const v = ${e.value}; ${e.write(incDec(m!.reg === 1, 'v', size))}`, { lz: m!.reg === 1 ? LZ_DEC : LZ_INC, size });
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const size = (op & 1) === 0 ? 8 : osize;
      const count = op <= 0xc1 ? hex(insn.imm[0]) : op <= 0xd1 ? '1' : reg8(1);
      const e = readE(insn, size);
      const cmask = size === 32 ? '0x1f' : 'cpu.shiftMask';
      return emitted(e.mem, `${e.pre} const v = ${e.value}; const c = ${count} & ${cmask}; ${e.write(`cpu.shiftOp(cpu, ${m!.reg}, v, c, ${maskOf(size)})`)}`, 'cpu');
    }
    case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf: {
      const from = op === 0x0fb6 || op === 0x0fbe ? 8 : 16;
      const e = readE(insn, from);
      let v = e.value;
      if (op === 0x0fbe) v = osize === 16 ? `((${v} << 24) >> 24) & 0xffff` : `(${v} << 24) >> 24`;
      if (op === 0x0fbf && osize === 32) v = `(${v} << 16) >> 16`;
      return emitted(e.mem, `${e.pre} ${regOf(osize, m!.reg)} = ${v};`);
    }
  }
  if (op >= 0x40 && op <= 0x4f) return emitted(false, `${regOf(osize, op & 7)} = ${incDec(op >= 0x48, regOf(osize, op & 7), osize)};`, { lz: op >= 0x48 ? LZ_DEC : LZ_INC, size: osize });
  if (op >= 0x50 && op <= 0x57) return emitted(true, push(osize, regOf(osize, op & 7)));
  if (op >= 0x58 && op <= 0x5f) return emitted(true, pop(osize, regOf(osize, op & 7)));
  if (op === 0x68 || op === 0x6a) {
    const imm = op === 0x6a ? (insn.imm[0] << 24) >> 24 : insn.imm[0];
    return emitted(true, push(osize, hex(osize === 16 ? imm & 0xffff : imm >>> 0)));
  }
  // LODS/STOS/MOVS without REP (a segment override applies to the source), on CPUs without the 80286's fault-time register stepping.
  if ((op === 0xac || op === 0xad || op === 0xaa || op === 0xab || op === 0xa4 || op === 0xa5) && !cpu.traits.stringFaultAdvances) {
    const size = (op & 1) === 0 ? 8 : osize;
    const amask = insn.addrSize === 16 ? '0xffff' : '0xffffffff';
    const step = (r: number) => (insn.addrSize === 16 ? `r16[${r << 1}] = (r32[${r}] + d) & 0xffff;` : `r32[${r}] = (r32[${r}] + d) >>> 0;`);
    const d = `const d = cpu.flags & ${EFLAGS_DF} ? ${-(size >> 3)} : ${size >> 3};`;
    const si = `const o = (r32[6] & ${amask}) >>> 0;`, di = `const o = (r32[7] & ${amask}) >>> 0;`;
    const src = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
    if (op === 0xac || op === 0xad) return emitted(true, `${d} ${si} ${regOf(size, 0)} = ${rd(size, src, 'o')}; ${step(6)}`);
    if (op === 0xaa || op === 0xab) return emitted(true, `${d} ${di} ${wr(size, ES, 'o', regOf(size, 0))} ${step(7)}`);
    return emitted(true, `${d} let v; { ${si} v = ${rd(size, src, 'o')}; } { ${di} ${wr(size, ES, 'o', 'v')} } ${step(6)} ${step(7)}`);
  }
  // PUSH/POP of ES, CS, SS, DS and MOV Sw,Ew with a 16-bit operand (SS loads open an interrupt
  // shadow: their dispatch entries do that).
  if ((op === 0x06 || op === 0x0e || op === 0x16 || op === 0x1e) && osize === 16) return emitted(true, push(16, `cpu.sel[${op >> 3}]`));
  if ((op === 0x07 || op === 0x1f) && osize === 16) {
    return emitted(true, `const m = cpu.stackMask; const s = (r32[${ESP}] & m) >>> 0; const v = ${rd(16, SS, 's')}; ${segLoad(op >> 3, 'v')} if (m === 0xffff) r16[${ESP << 1}] = s + 2; else r32[${ESP}] = s + 2;`);
  }
  if (op === 0x8e && m!.reg !== CS && m!.reg !== SS && m!.reg <= GS) {
    const e = readE(insn, 16);
    return emitted(true, `${e.pre} const v = ${e.value}; ${segLoad(m!.reg, 'v')}`);
  }
  if (op >= 0xa0 && op <= 0xa3) {
    // MOV AL/eAX with a direct offset (moffs, in the immediate field; address-size wide).
    const size = (op & 1) === 0 ? 8 : osize;
    const seg = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
    const o = `const o = ${hex(insn.imm[0])};`;
    return emitted(true, op <= 0xa1 ? `${o} ${regOf(size, 0)} = ${rd(size, seg, 'o')};` : `${o} ${wr(size, seg, 'o', regOf(size, 0))}`);
  }
  if (op >= 0xb0 && op <= 0xb7) return emitted(false, `${reg8(op & 7)} = ${hex(insn.imm[0])};`);
  if (op >= 0xb8 && op <= 0xbf) return emitted(false, `${regOf(osize, op & 7)} = ${hex(insn.imm[0])};`);
  // Transfers: EIP already holds the next instruction's offset (the return address) when these run.
  if ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f)) {
    return branch(`condition(cpu, ${op & 0xf})`, to());
  }
  switch (op) {
    case 0xeb: case 0xe9:
      return branch(null, to());
    case 0xe8: {
      // callNear's steps: the CS limit check before the push, then the push of the return address.
      const check = cpu.traits.wrapSegments ? '' : `if (${target()} > cpu.limit[${CS}]) cpu.fault(${GP}, 0); `;
      return { kind: Kind.End, code: `${check}${push(osize, 'cpu.eip')} cpu.eip = ${target()};`, flags: 'none' };
    }
    case 0xc3:
      return { kind: Kind.End, code: `{ ${pop(osize, null)} nearJump(cpu, v); }`, flags: 'none' };
    case 0xea:
      return { kind: Kind.End, code: farJump(hex(insn.imm[1]), hex(insn.imm[0]), osize), flags: 'cpu' };
    case 0xff: {
      // JMP FAR m16:16/m16:32 (FF /5): offset, then selector, as grp5 reads them.
      if (m!.reg !== 5 || m!.mod === 3) return null;
      const { seg, off } = effectiveAddress(insn);
      const sel = `const p = (o + ${osize >> 3}) & ${insn.addrSize === 32 ? '0xffffffff' : '0xffff'};`;
      return { kind: Kind.End, code: `{ const o = ${off}; const t = ${rd(osize, seg, 'o')}; ${sel} const q = ${rd(16, seg, 'p')}; ${farJump('q', 't', osize)} }`, flags: 'cpu' };
    }
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
      return branch(`loopTaken(cpu, ${op & 3}, ${insn.addrSize === 32 ? 1 : 0})`, to());
  }
  return null;
}

/**
 * Where a far JMP will probably land, as an offset (the block checks at run time that it did and
 * that CS is unchanged): EA's immediate, or the offset stored now at a constant FF /5 operand.
 * -1 for other instructions or when the pointer cannot be read (paging, outside RAM).
 */
function farTarget(cpu: Cpu, insn: Instruction): number {
  if (insn.opcode === 0xea) return insn.imm[0];
  const m = insn.modrm;
  if (insn.opcode !== 0xff || !m || m.reg !== 5 || cpu.paging) return -1;
  const direct = insn.addrSize === 16 ? m.mod === 0 && m.rm === 6 : m.mod === 0 && m.rm === 5;
  if (!direct) return -1;
  const seg = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
  const off = insn.addrSize === 16 ? insn.disp & 0xffff : insn.disp >>> 0;
  const phys = ((cpu.base[seg] + off) & cpu.mem.a20Mask) >>> 0;
  if (phys + 4 > cpu.mem.ramSize) return -1;
  const b = cpu.mem.peek(phys, 4);
  return insn.opSize === 16 ? b[0] | (b[1] << 8) : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** The dispatch entry that runs `insn`: past wrappers that do not watch its ModRM form. */
function entryFor(cpu: Cpu, idx: number, insn: Instruction): Handler {
  let h = cpu.ops[idx];
  while (insn.modrm && isFormWatcher(h) && !h.watches(insn.modrm.byte)) h = h.inner;
  return h;
}

/** MOVS CMPS STOS LODS SCAS INS OUTS. */
function isStringOp(op: number): boolean {
  return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f);
}

/** Index of the instruction's entry in cpu.ops (one-byte map, 0F map, | OP32 for 32-bit operands). */
function opsIndex(insn: Instruction): number {
  const op = insn.opcode;
  return (op >= 0x0f00 ? MAP0F | (op & 0xff) : op) | (insn.opSize === 32 ? OP32 : 0);
}

/** How execution goes on after an instruction of a block. */
const enum Flow {
  /** To the next instruction in memory. */
  Next,
  /** The block ends here (a transfer, or an instruction that may change CS). */
  End,
  /** JMP inside the page: the block goes on at the target. */
  Jump,
  /** CALL inside the page: pushes, the block goes on in the callee. */
  Call,
  /** RET of a CALL made in this block: goes on after that CALL if the popped address is that one. */
  Return,
  /** Forward Jcc: taken leaves the block (a side exit), not taken goes on. */
  Side,
  /** A branch back to an earlier instruction of the block: a loop inside the function; not taken goes on. */
  Loop,
  /** Forward Jcc over a few straight-line instructions (the items up to `regionEnd`): an if without else. */
  Skip,
  /** A far JMP that lands in this page of the same code segment (checked at run time): the block goes on there. */
  FarJump,
}

interface Item {
  insn: Instruction;
  eip: number;
  /** EIP execution continues at inside the block (the target for Jump/Call, the return address for Return). */
  next: number;
  native: Emitted | null;
  flow: Flow;
  /** Loop: the index of the item the branch goes back to. */
  head?: number;
  /** Skip: the index of the last item it jumps over. */
  regionEnd?: number;
}

/** Most instructions a forward Jcc may jump over and still stay in the block (Flow.Skip). */
const MAX_SKIPPED = 8;

/**
 * Compiles the block at CS:EIP whose first byte is at physical `phys`; null when not even its first
 * instruction can be compiled (then the interpreter runs it). A block follows execution inside one
 * linear page: through direct JMPs and CALLs, back from a RET to its CALL (checked at run time),
 * past forward Jcc not taken. `hasBreakpoint` says which linear addresses a block must stop in front
 * of: a block starts at a breakpoint, never runs across one.
 */
export function compileBlock(cpu: Cpu, eip: number, phys: number, hasBreakpoint: (lin: number) => boolean): CompiledBlock | null {
  const lin = (cpu.base[CS] + eip) >>> 0;
  // The block stays inside its linear page, the CS limit, and on the 8086 before IP wraps.
  const firstAllowed = Math.max(0, eip - (lin & 0xfff));
  let lastAllowed = Math.min(cpu.hi[CS], eip + (0xfff - (lin & 0xfff)));
  if (cpu.ipWrapAt >= 0) lastAllowed = Math.min(lastAllowed, cpu.ipWrapAt - 2);
  const inPage = (x: number) => x >= firstAllowed && x <= lastAllowed;
  const ram = cpu.ram;
  const model = decoderModelFor(cpu.model);
  const bits = cpu.code32 ? 32 : 16;
  const items: Item[] = [];
  /** Item index of each EIP compiled so far. */
  const seen = new Map<number, number>();
  const returns: number[] = [];
  /** Loops made so far as [head, back-edge] item ranges: a new one must nest with them. */
  const loops: [number, number][] = [];
  /** Items jumped over by a Skip, as [first, last] index ranges: no loop may start inside one. */
  const regions: [number, number][] = [];
  /** The instruction at `at`, or null where the block cannot go on (invalid, limit, breakpoint, length). */
  const prepare = (at: number): Item | null => {
    const base = phys + (at - eip);
    const insn = decode((i) => ram[base + i] ?? 0, bits, model);
    if (!insn.valid || insn.opcode < 0 || at + insn.length - 1 > lastAllowed) return null;
    if (items.length > 0 && hasBreakpoint((cpu.base[CS] + at) >>> 0)) return null;
    // A prefixed instruction longer than the model allows is #GP(0): the interpreter raises it.
    if (insn.prefixes.bytes.length > 0 && cpu.traits.maxInsnLength > 0 && insn.length > cpu.traits.maxInsnLength) return null;
    const idx = opsIndex(insn);
    const nativeOk = !insn.prefixes.lock && insn.prefixes.rep === 0 && entryFor(cpu, idx, insn) === cpu.baseOps[idx] &&
      insn.prefixes.bytes.every((b) => cpu.ops[b] === cpu.baseOps[b]);
    const native = nativeOk ? emitNative(cpu, insn, at) : null;
    return { insn, eip: at, next: at + insn.length, native, flow: endsBlock(cpu, insn, at) ? Flow.End : Flow.Next };
  };
  /** The straight-line instructions from `from` exactly up to `to`, or null. */
  const straight = (from: number, to: number): Item[] | null => {
    const run: Item[] = [];
    for (let x = from; x < to; x = run[run.length - 1].next) {
      const it = run.length < MAX_SKIPPED && !seen.has(x) ? prepare(x) : null;
      if (!it || it.flow !== Flow.Next || it.native?.branch || it.insn.opcode === 0xe8 || it.insn.opcode === 0xc3) return null;
      run.push(it);
    }
    return run.length > 0 && run[run.length - 1].next === to ? run : null;
  };
  let at = eip;
  while (items.length < MAX_INSNS && !seen.has(at)) {
    const item = prepare(at);
    if (!item) break;
    seen.set(at, items.length);
    const { insn, native } = item;
    const n = item.next;
    const op = insn.opcode;
    const target = native?.branch?.target ?? -1;
    const jcc = native !== null && native.branch !== undefined && native.branch.test !== null && ((op >= 0x70 && op <= 0x7f) || op >= 0x0f80);
    const head = native?.branch ? seen.get(target) : undefined;
    // A branch back into the block nests a loop when it contains or avoids every loop made so far
    // and starts outside any skipped stretch; a loop to the entry needs the entry free of breakpoints.
    if (head !== undefined && loops.every(([a, b]) => head <= a || head > b) && regions.every(([a, b]) => head < a || head > b) &&
      (head > 0 || !hasBreakpoint(lin))) {
      loops.push([head, items.length]);
      items.push({ ...item, flow: Flow.Loop, head });
      if (native!.branch!.test === null) break;
      at = n;
      continue;
    }
    const unprefixed = insn.prefixes.bytes.length === 0;
    const far = native || unprefixed ? farTarget(cpu, insn) : -1;
    if (native && (op === 0xeb || op === 0xe9) && target !== eip && inPage(target)) {
      item.flow = Flow.Jump;
      item.next = target;
    } else if ((native || unprefixed) && op === 0xe8 && inPage(flowOf(insn, at).target!)) {
      // Also a CALL whose dispatch entry a debugger wrapped (the shadow call stack): the block calls
      // the entry and goes on in the callee if the call landed there.
      item.flow = Flow.Call;
      item.next = flowOf(insn, at).target!;
      returns.push(n);
    } else if ((native || unprefixed) && op === 0xc3 && returns.length > 0) {
      item.flow = Flow.Return;
      item.next = returns.pop()!;
    } else if (far >= 0 && inPage(far) && !seen.has(far)) {
      item.flow = Flow.FarJump;
      item.next = far;
    } else if (jcc && target === n) {
      // Jcc to the next instruction: both ways lead there (reading flags changes nothing).
      item.flow = Flow.Jump;
    } else if (jcc && target > at) {
      // A forward Jcc over a few straight-line instructions becomes an if; further, a side exit.
      const run = inPage(target) && items.length + 1 + MAX_SKIPPED <= MAX_INSNS ? straight(n, target) : null;
      if (run) {
        items.push({ ...item, flow: Flow.Skip, next: target, regionEnd: items.length + run.length });
        regions.push([items.length, items.length + run.length - 1]);
        for (const r of run) {
          seen.set(r.eip, items.length);
          items.push(r);
        }
        at = target;
        continue;
      }
      item.flow = Flow.Side;
    }
    items.push(item);
    if (item.flow === Flow.End) break;
    at = item.next;
  }
  if (items.length === 0) return null;

  const handlers: Handler[] = [];
  const lines: string[] = [];
  let pending = 0;
  /** The lazy-flag producer whose inputs the flag locals hold, when known here (for inline Jcc tests). */
  let known: { lz: number; size: number } | null = null;
  /** A Jcc's test from the flag locals when their producer is known, else the CPU's condition(). */
  const testOf = (e: Emitted) => {
    const b = e.branch!;
    const cc = e.flags === 'cpu' && known && /^condition\(cpu, (\d+)\)$/.exec(b.test ?? '');
    return (cc && inlineCondition(Number(cc[1]), known!)) || b.test;
  };
  const baseCs = cpu.base[CS];
  const last = items[items.length - 1];
  /** Item indexes that close an open Skip's if. */
  const regionEnds: number[] = [];
  for (let k = 0; k < items.length; k++) {
    if (k > 0 && regionEnds[regionEnds.length - 1] === k - 1) {
      regionEnds.pop();
      lines.push(`cpu.icount += ${pending}; }`);
      pending = 0;
    }
    const { insn, eip: s, native, flow, next } = items[k];
    const n = s + insn.length;
    const rest = items.length - k - 1;
    // Loops starting here, outermost (latest back edge) first; the count is settled at their head.
    const heads = loops.filter(([h]) => h === k).sort((x, y) => y[1] - x[1]);
    if (heads.length > 0 && pending > 0) {
      lines.push(`cpu.icount += ${pending};`);
      pending = 0;
    }
    for (const [, back] of heads) lines.push(`L${back}: for (;;) {`);
    // Another way in (the back edge) may bring another producer: the locals are only valid at run time.
    if (heads.length > 0) known = null;
    const prologue = `cpu.icount += ${pending + 1}; cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(n)};`;
    if (flow === Flow.Loop) {
      // Another round while the budget allows it (all of the block from the head on) and nothing
      // needs attention; else leave at the head with the state the interpreter would have there.
      const { target } = native!.branch!;
      const test = testOf(native!);
      const again = `nearJump(cpu, ${hex(target)}); if (cpu.attn !== 0 || cpu.icount + ${items.length - items[k].head!} > cpu.repEnd) return; continue L${k};`;
      lines.push(SETTLE_FLAGS, prologue, test ? `if (${test}) { ${again} } break; }` : `${again} }`);
      pending = 0;
      continue;
    }
    if (flow === Flow.Jump) {
      // In range: the target's bytes are part of the block, so the CS limit check at entry covers it.
      pending++;
      continue;
    }
    if ((flow === Flow.Call || flow === Flow.Return || flow === Flow.FarJump) && !native) {
      // The dispatch entry (a debugger's wrapper around CALL/RET/FF), then on only where it went as planned.
      handlers.push(cpu.ops[opsIndex(insn)]);
      lines.push(SETTLE_FLAGS, `cpu.icount += ${pending + 1}; cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(s + 1)}; h${handlers.length - 1}(cpu);`,
        `if (cpu.attn !== 0 || cpu.eip !== ${hex(next)} || cpu.base[${CS}] !== ${hex(baseCs)} || cpu.hi[${CS}] !== ${hex(cpu.hi[CS])} || cpu.code32 !== ${cpu.code32}) return;`);
      pending = 0;
      known = null;
      continue;
    }
    if (flow === Flow.Call) {
      lines.push(SETTLE_FLAGS, prologue, `if (${hex(next)} > cpu.limit[${CS}]) cpu.fault(${GP}, 0);`, resolveSlow(push(insn.opSize, hex(n)), null), `cpu.eip = ${hex(next)}; if (cpu.attn !== 0) return;`);
      pending = 0;
      continue;
    }
    if (flow === Flow.Return) {
      lines.push(SETTLE_FLAGS, prologue, `{ ${resolveSlow(pop(insn.opSize, null), null)} nearJump(cpu, v); if (v !== ${hex(next)} || cpu.attn !== 0) return; }`);
      pending = 0;
      continue;
    }
    if (flow === Flow.Skip) {
      // Taken: on at the target (in range, so no limit check). Not taken: the stretch, then the target.
      lines.push(SETTLE_FLAGS, prologue, `if (!(${testOf(native!)})) {`);
      pending = 0;
      regionEnds.push(items[k].regionEnd!);
      continue;
    }
    if (flow === Flow.FarJump) {
      // The far JMP itself, then on here only if it landed where the block goes on, in the same
      // code segment (base, limit, default size).
      lines.push(SETTLE_FLAGS, prologue, resolveSlow(native!.code, null),
        `if (cpu.attn !== 0 || cpu.eip !== ${hex(next)} || cpu.base[${CS}] !== ${hex(baseCs)} || cpu.hi[${CS}] !== ${hex(cpu.hi[CS])} || cpu.code32 !== ${cpu.code32}) return;`);
      pending = 0;
      known = null;
      continue;
    }
    if (flow === Flow.Side) {
      lines.push(SETTLE_FLAGS, prologue, `if (${testOf(native!)}) { nearJump(cpu, ${hex(native!.branch!.target)}); return; }`);
      pending = 0;
      continue;
    }
    if (native && flow !== Flow.End) {
      // A helper works on the CPU's flags: they must be current before it and are the truth after.
      if (native.flags === 'cpu') lines.push(SETTLE_FLAGS);
      const code = native.code.replace(INCOMING_CF, cfNow(known));
      if (native.kind === Kind.Pure) {
        lines.push(code);
      } else {
        // Memory accesses on their fast path need no bookkeeping; a slow one settles it (resolveSlow),
        // and only then can an attention bit have come up.
        lines.push(resolveSlow(code, { count: pending + 1, start: s, next: n }),
          `if ($s !== 0) { $s = 0; if (cpu.attn !== 0) { cpu.icount += ${pending + 1}; cpu.eip = ${hex(n)}; return; } }`);
      }
      if (native.flags === 'cpu') known = null;
      else if (native.flags !== 'none') known = native.flags;
      pending++;
      continue;
    }
    if (native) {
      const code = native.branch && native.branch.test ? native.code.replace(native.branch.test, testOf(native)!) : native.code;
      lines.push(SETTLE_FLAGS, prologue, resolveSlow(code, null), 'return;');
      break;
    }
    // Dispatch entries work on the CPU's flags.
    lines.push(SETTLE_FLAGS);
    known = null;
    const prefixed = insn.prefixes.bytes.length > 0;
    const idx = opsIndex(insn);
    if (!prefixed && PURE_ONE_BYTE.has(insn.opcode) && cpu.ops[idx] === cpu.baseOps[idx]) {
      handlers.push(cpu.ops[idx]);
      lines.push(`h${handlers.length - 1}(cpu);`);
      pending++;
      continue;
    }
    // The interpreter's entry for this opcode, called with the decode state it expects.
    if (prefixed && isStringOp(insn.opcode) && !insn.prefixes.lock && insn.prefixes.bytes.every((b) => cpu.ops[b] === cpu.baseOps[b])) {
      // A string instruction has no operand bytes: its prefixes only set decode state, as here.
      handlers.push(cpu.ops[idx]);
      const p = insn.prefixes;
      const general = `cpu.prefixes = ${p.bytes.length}; ` +
        `cpu.rep = ${p.rep === 0xf3 ? 2 : p.rep === 0xf2 ? 1 : 0}; cpu.segOvr = ${p.seg}; cpu.o32 = ${insn.opSize === 32 ? 1 : 0}; cpu.a32 = ${insn.addrSize === 32 ? 1 : 0}; ` +
        `try { h${handlers.length - 1}(cpu); } finally { cpu.resetDecodeState(); }`;
      const op = insn.opcode;
      if (p.rep !== 0 && p.seg < 0 && [0xa4, 0xa5, 0xaa, 0xab].includes(op) && cpu.ops[idx] === cpu.baseOps[idx] && !cpu.traits.stringFaultAdvances) {
        // REP MOVS/STOS: the string handler's RAM path first, as the handler itself would take it.
        const size = (op & 1) === 0 ? 1 : insn.opSize >> 3;
        const amask = insn.addrSize === 32 ? '0xffffffff' : '0xffff';
        lines.push(prologue, `{ const n = r32[1] & ${amask}; if (n !== 0) { if (repMovsStosRam(cpu, ${op <= 0xa5}, ${size}, ${amask}, cpu.flags & ${EFLAGS_DF} ? ${-size} : ${size}, n)) cpu.icount += n - 1; else { ${general} } } }`);
      } else {
        lines.push(prologue, general);
      }
    } else if (!prefixed) {
      handlers.push(cpu.ops[idx]);
      const opcodeBytes = insn.opcode >= 0x0f00 ? 2 : 1;
      lines.push(`cpu.icount += ${pending + 1}; cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(s + opcodeBytes)}; h${handlers.length - 1}(cpu);`);
    } else {
      lines.push(`cpu.icount += ${pending}; cpu.eip = ${hex(s)}; stepOne(cpu);`);
    }
    pending = 0;
    if (flow === Flow.End) { lines.push('return;'); break; }
    // A REP string instruction may have yielded to the budget; the rest of the block must fit too.
    const budget = insn.prefixes.rep !== 0 ? ` || cpu.icount + ${rest} > cpu.repEnd` : '';
    lines.push(`if (cpu.attn !== 0 || cpu.eip !== ${hex(n)} || cpu.base[${CS}] !== ${hex(baseCs)}${budget}) return;`);
  }
  if (regionEnds.length > 0) {
    // The block stopped right after a skipped stretch: close its if.
    lines.push(`cpu.icount += ${pending}; }`);
    pending = 0;
  }
  if (last.flow !== Flow.End && !(last.flow === Flow.Loop && last.native!.branch!.test === null)) lines.push(`${SETTLE_FLAGS} cpu.icount += ${pending}; cpu.eip = ${hex(last.next)};`);

  // The guest bytes the block was made from, as [offset from the entry's physical address, length] runs.
  const spans = items.map((i) => [i.eip - eip, i.insn.length]).sort((x, y) => x[0] - y[0]);
  const ranges: number[] = [];
  for (const [o, len] of spans) {
    const k = ranges.length;
    if (k > 0 && ranges[k - 2] + ranges[k - 1] >= o) ranges[k - 1] = Math.max(ranges[k - 1], o + len - ranges[k - 2]);
    else ranges.push(o, len);
  }
  // Transfers inside the block skip the CS limit check of their targets: the entry check covers them.
  const lastEip = Math.max(...items.map((i) => Math.max(i.eip + i.insn.length - 1, i.flow === Flow.Jump || i.flow === Flow.Call || i.flow === Flow.Return || i.flow === Flow.Skip ? i.next : 0)));

  const names = Object.keys(HELPERS);
  const body = lines.join('\n');
  const source = `"use strict";
const { ${names.join(', ')} } = K;
${handlers.map((_, i) => `const h${i} = H[${i}];`).join('\n')}
const r8 = C.r8, r16 = C.r16, r32 = C.r32, ram = C.ram, mem = C.mem, pf = mem.pageFlags, cb = mem.codeBytes;
const sb = C.base, lo = C.lo, hi = C.hi, sok = C.segOk, rs = mem.ramSize;
return function block_${lin.toString(16)}(cpu) {
let $a = 0, $f = 0, $c = null, $s = 0, $v = 0, $fl = 0, $fo = 0, $fd = 0, $fs = 0, $fr = 0, $fm = 0, $fz = 0;${body.includes('a20') ? ' const a20 = mem.a20Mask;' : ''}
${body}
};`;
  const factory = new Function('K', 'H', 'C', source) as (k: typeof HELPERS, h: Handler[], c: Cpu) => (cpu: Cpu) => void;
  return {
    run: factory(HELPERS, handlers, cpu), count: items.length, ranges: ranges.map((v, i) => (i % 2 === 0 ? phys + v : v)), lastEip,
    // A loop back to the entry passes it again inside the function: then the entry counts too.
    inner: (loops.some(([h]) => h === 0) ? items : items.slice(1)).map((i) => (baseCs + i.eip) >>> 0),
  };
}
