// The block compiler's second step: the body of a block's function from its trace. Each
// instruction leaves the state the interpreter would wherever it can be seen: the count, prevEip,
// EIP and flags are settled before a dispatch entry, a helper that can fault, a slow memory access
// and every exit; after anything that can raise an attention bit (a watchpoint hit, a store into
// compiled code, an interrupt window) the block returns, so stops, traps and self-modifying-code
// effects land on the interpreter's instruction boundaries. Instructions without a native form
// call their dispatch entry (operand bytes fetched as usual), or run through stepOne when prefixed,
// so model patches and debugger wrappers (call stack, event stops) keep working.
// Pure TypeScript: no Node or VS Code imports.

import type { Instruction } from '../../decode/decoder';
import { type Cpu, type Handler } from '../cpu';
import { stepOne } from '../execute';
import { nearJump } from '../exec/control';
import { LITTLE_ENDIAN } from '../exec/stringRam';
import { tlbNeed } from '../protected/paging';
import { CS, DS, ECX, EFLAGS_DF, EFLAGS_ZF, ES } from '../regs';
import { PF_READ_SLOW, PF_WRITE_SLOW } from '../../memory/pageFlags';
import { hex } from '../../../protocol/format';
import { pop, push, reg16, reg32, regOf } from './access';
import { type Callee, type Code, type Fill, render, type SegFieldName } from './code';
import { conditionCode, EAGER, flagValue, type Producer, SETTLE_FLAGS, SETTLE_FLAGS_EXPR } from './flagCode';
import { Kind, type Native, type Test } from './native';
import { Flow, type Item, opsIndex, type Trace } from './trace';

/**
 * One-byte opcodes whose handler touches neither memory nor EIP, cannot fault and cannot raise an
 * attention bit: called directly with no bookkeeping around them but the flags (NOP/XCHG, CBW/CWD,
 * SAHF/LAHF, CMC/CLC/STC/CLD/STD).
 */
const PURE_ONE_BYTE = new Set([...Array.from({ length: 8 }, (_, i) => 0x90 + i), 0x98, 0x99, 0x9e, 0x9f, 0xf5, 0xf8, 0xf9, 0xfc, 0xfd]);

/** MOVS CMPS STOS LODS SCAS INS OUTS. */
function isStringOp(op: number): boolean {
  return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f);
}

/**
 * The slow path of an inline REP MOVS/STOS (Emitter.repInline), one call: the count, prevEip and
 * EIP as the interpreter has them during the instruction, the dispatch entry `h` with the decode
 * state of its prefixes (its own RAM path first, or its element loop), then whether the block goes
 * on (nothing needs attention, it ran to the end, the rest of the block fits the budget), the count
 * taken back to the block's lazy one if so.
 */
function repStringEntry(cpu: Cpu, count: number, start: number, next: number, rest: number, h: Handler, prefixes: number, rep: number, o32: number, a32: number): boolean {
  cpu.icount += count;
  cpu.prevEip = start;
  cpu.eip = next;
  cpu.prefixes = prefixes;
  cpu.rep = rep;
  cpu.segOvr = -1;
  cpu.o32 = o32;
  cpu.a32 = a32;
  try {
    h(cpu);
  } finally {
    cpu.resetDecodeState();
  }
  if (cpu.attn !== 0 || cpu.eip !== next || cpu.icount + rest > cpu.repEnd) return false;
  cpu.icount -= count;
  return true;
}

/** Where a slow hole lands: the count, prevEip and EIP the interpreter has during that instruction. */
interface Sync {
  count: number;
  start: number;
  next: number;
}

/** The function body of one block, and the functions it calls (the block's constants K[i], named k<i>). */
export interface Body {
  text: string;
  consts: Callee[];
  /** Whether it was made under paging (then its accesses go through the TLB). */
  paged: boolean;
}

/** Where the block reads segment caches into its locals again: the registers an instruction loaded (null: all). */
interface Refresh {
  refresh: number[] | null;
}

/** The local that holds a field of a segment's cache (code.ts SegField). */
const SEG_LOCAL: Record<SegFieldName, string> = { base: '$sb', read: '$rd', write: '$wr' };

class Emitter {
  private readonly lines: (string | Refresh)[] = [];
  /** Segment registers whose cache the block reads (it holds them in locals: SEG_LOCAL). */
  private readonly segs = new Set<number>();
  private readonly consts: Callee[] = [];
  private readonly constIndex = new Map<Callee, number>();
  /** Instructions run since the count was last settled. */
  private pending = 0;
  /** The producer whose inputs the flag locals hold, when known here (for inline flag reads). */
  private known: Producer | null = null;
  /** Item indexes that close an open Skip's if. */
  private readonly regionEnds: number[] = [];
  /** `known` where the open Skip branched: its target is reached from there as well as through the stretch. */
  private regionKnown: Producer | null = null;
  private readonly baseCs: number;
  /** The test that the code segment is still the one the block was made for (base, limit, default size). */
  private readonly sameCs: string;
  /** The stack size the block was made for (its stack accesses assume it): SS.B. */
  private readonly stack32: boolean;
  /** The test that an instruction the block calls changed the stack size: it leaves then. */
  private readonly otherStack: string;

  /** The TLB entry bits a read and a write need (tlbNeed at the CPL it was made for), under paging. */
  private readonly needRead: number;
  private readonly needWrite: number;

  constructor(private readonly cpu: Cpu, private readonly trace: Trace) {
    const user = cpu.cpl === 3;
    this.needRead = tlbNeed(false, user);
    this.needWrite = tlbNeed(true, user);
    this.baseCs = cpu.base[CS];
    this.sameCs = `cpu.base[${CS}] !== ${hex(this.baseCs)} || cpu.hi[${CS}] !== ${hex(cpu.hi[CS])} || cpu.code32 !== ${cpu.code32}`;
    this.stack32 = cpu.stackMask !== 0xffff;
    this.otherStack = `cpu.stackMask !== ${hex(cpu.stackMask)}`;
  }

  /** The name of `fn` among the block's constants. */
  private constant(fn: Callee): string {
    let i = this.constIndex.get(fn);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(fn);
      this.constIndex.set(fn, i);
    }
    return `k${i}`;
  }

  /**
   * `code` as text here: with `sync`, a slow hole first settles the flags, the instruction count,
   * prevEip and EIP as the interpreter has them during the instruction, notes in $s that an
   * attention check is due, and takes the count back afterwards (the block goes on counting
   * lazily); without, the caller has settled them already.
   */
  private text(code: Code, sync: Sync | null = null): string {
    const fill: Fill = {
      ref: (fn) => this.constant(fn),
      flag: (bit) => flagValue(bit, this.known),
      phys: (seg, off, write) => this.phys(seg, off, write),
      segField: (seg, field) => this.segLocal(seg, field),
      slow: (call) => {
        if (!sync) return [`(${call})`];
        const { count, start, next } = sync;
        return [`($s = 1, ${SETTLE_FLAGS_EXPR}, cpu.icount += ${count}, cpu.prevEip = ${hex(start)}, cpu.eip = ${hex(next)}, $v = ${call}, cpu.icount -= ${count}, $v)`];
      },
    };
    return render(code, fill);
  }

  /**
   * The Phys hole (code.ts): linear = physical, or under paging the TLB's frame where it grants the
   * access; then the A20 gate, whose mask is a constant of the block: every change of it
   * (Memory.setA20) drops all blocks.
   */
  private phys(seg: number, off: string, write: boolean): string {
    const base = this.segLocal(seg, 'base');
    const a20 = this.cpu.mem.a20Mask === (0xffffffff | 0) ? '' : ` & ${hex(this.cpu.mem.a20Mask >>> 0)}`;
    if (!this.cpu.paging) return `($a = ((${base} + ${off})${a20}) >>> 0)`;
    const need = write ? this.needWrite : this.needRead;
    return `((($e = tlb[($a = (${base} + ${off}) >>> 0) >>> 12]) & ${need}) === 0 ? ($a = rs) : ($a = ((($e & ~0xfff) | ($a & 0xfff))${a20}) >>> 0))`;
  }

  /** The SegField hole (code.ts): the local holding it. */
  private segLocal(seg: number, field: SegFieldName): string {
    this.segs.add(seg);
    return `${SEG_LOCAL[field]}${seg}`;
  }

  /**
   * Reads the caches of `segs` (all when null) into their locals: base and the CPU's fastReadHi/fastWriteHi
   * (limits and the kinds of access segOk allows, int32); accesses beyond them take the slow hole.
   */
  private refreshText(segs: number[] | null): string {
    return [...this.segs].filter((s) => segs === null || segs.includes(s)).map((s) =>
      `$sb${s} = sb[${s}] | 0; $rd${s} = rdh[${s}]; $wr${s} = wrh[${s}];`).join(' ');
  }

  /** A branch's test as an expression; LOOPcc and JCXZ as control.ts's loopTaken decides them. */
  private testText(test: Test): string {
    if ('cc' in test) return this.text(conditionCode(test.cc, this.known));
    const c = test.a32 ? reg32(ECX) : reg16(ECX);
    if (test.loop === 3) return `(${c} === 0)`;
    const zf = test.loop === 2 ? '' : ` && ${test.loop === 1 ? '' : '!'}${this.text(flagValue(EFLAGS_ZF, this.known))}`;
    return `((${c} = ${c} - 1), ${c} !== 0${zf})`;
  }

  private jump(target: number): string {
    return `${this.constant(nearJump)}(cpu, ${hex(target)});`;
  }

  /** Counts the instructions run since the last settling, as the statement `cpu.icount += n;`. */
  private settleCount(extra = 0): string {
    const s = `cpu.icount += ${this.pending + extra};`;
    this.pending = 0;
    return s;
  }

  /** The state at the start of the instruction at `s`, EIP past it at `n`: count, prevEip, EIP. */
  private prologue(s: number, n: number): string {
    return `${this.settleCount(1)} cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(n)};`;
  }

  body(): Body {
    const { items } = this.trace;
    for (let k = 0; k < items.length; k++) {
      this.closeRegion(k);
      this.openLoops(k);
      if (!this.item(k)) break;
    }
    if (this.regionEnds.length > 0) {
      // The block stopped right after a skipped stretch: close its if.
      this.lines.push(`${this.settleCount()} }`);
    }
    const last = items[items.length - 1];
    if (last.flow !== Flow.End && !(last.flow === Flow.Loop && last.native!.branch!.test === null)) {
      this.lines.push(`${SETTLE_FLAGS} ${this.settleCount()} cpu.eip = ${hex(last.next)};`);
    }
    // The segment locals: declared and read on entry, read again after each load (Refresh).
    const segs = [...this.segs].map((s) => `$sb${s} = 0, $rd${s} = 0, $wr${s} = 0`);
    const head = segs.length > 0 ? [`let ${segs.join(', ')}; ${this.refreshText(null)}`] : [];
    const text = [...head, ...this.lines.map((l) => (typeof l === 'string' ? l : this.refreshText(l.refresh)))].join('\n');
    return { text, consts: this.consts, paged: this.cpu.paging };
  }

  private closeRegion(k: number): void {
    if (k > 0 && this.regionEnds[this.regionEnds.length - 1] === k - 1) {
      this.regionEnds.pop();
      // Two ways meet here: a producer the stretch ran is known only if the branch had it too.
      if (this.known !== this.regionKnown) this.known = null;
      this.lines.push(`${this.settleCount()} }`);
    }
  }

  /** Loops starting at item `k`, outermost (latest back edge) first; the count is settled at their head. */
  private openLoops(k: number): void {
    const heads = this.trace.loops.filter(([h]) => h === k).sort((x, y) => y[1] - x[1]);
    if (heads.length === 0) return;
    if (this.pending > 0) this.lines.push(this.settleCount());
    for (const [, back] of heads) this.lines.push(`L${back}: for (;;) {`);
    // Another way in (the back edge) may bring another producer: the locals are only valid at run time.
    this.known = null;
  }

  /** Emits item `k`; false when the block ends with it. */
  private item(k: number): boolean {
    const it = this.trace.items[k];
    switch (it.flow) {
      case Flow.Loop: this.loop(k, it); return true;
      case Flow.Jump: this.pending++; return true;
      case Flow.Call: case Flow.Return: case Flow.FarJump:
        if (it.native) this.followNative(it);
        else this.followEntry(it);
        return true;
      case Flow.Skip: case Flow.Side: case Flow.Taken: this.forward(it); return true;
      default:
        if (it.native && it.flow === Flow.Next) { this.step(it, it.native); return true; }
        if (it.native) { this.end(it, it.native); return false; }
        return this.entry(k, it);
    }
  }

  /**
   * A branch back to a loop head: another round while the budget allows it (all of the block from
   * the head on) and nothing needs attention; else leave at the head with the state the
   * interpreter would have there. The head is in the block, so inside the CS limit its entry checks.
   */
  private loop(k: number, it: Item): void {
    const { test, target } = it.native!.branch!;
    const s = it.eip, n = s + it.insn.length;
    // Where the block goes on, flags and EIP stay where they are; they are settled where it leaves.
    // The last instruction settles them before its test: code past a loop that only runs when the
    // loop ends is code V8 first meets without type feedback, a deoptimization each time.
    const early = k === this.trace.items.length - 1 || this.flagsBefore(test);
    if (early) this.lines.push(SETTLE_FLAGS, this.prologue(s, n));
    else this.lines.push(this.settleCount(1));
    const t = test ? this.testText(test) : null;
    const leave = early ? `cpu.eip = ${hex(target)};` : `${SETTLE_FLAGS} cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(target)};`;
    const again = `if (cpu.attn !== 0 || cpu.icount + ${this.trace.items.length - it.head!} > cpu.repEnd) { ${leave} return; } continue L${k};`;
    this.lines.push(t ? `if (${t}) { ${again} } break; }` : `${again} }`);
  }

  /** Whether a branch's test reads the CPU's flags (the producer is unknown here): they must be settled first. */
  private flagsBefore(test: Test | null): boolean {
    return test !== null && 'cc' in test && this.known === null;
  }

  /**
   * A forward Jcc: an if around the skipped stretch (Skip), a side exit when taken (Side) or when
   * not taken (Taken), settling flags and EIP only where it leaves.
   */
  private forward(it: Item): void {
    const { test, target } = it.native!.branch!;
    if (this.flagsBefore(test)) this.lines.push(SETTLE_FLAGS);
    const t = this.testText(test!);
    if (it.flow === Flow.Skip) {
      // Taken: on at the target (in range, so no limit check). Not taken: the stretch, then the target.
      this.lines.push(`${this.settleCount(1)} if (!(${t})) {`);
      this.regionEnds.push(it.regionEnd!);
      this.regionKnown = this.known;
    } else if (it.flow === Flow.Taken) {
      // Not taken: on at the next instruction, which the interpreter fetches (and limit-checks) itself.
      this.lines.push(`if (!(${t})) { ${SETTLE_FLAGS} cpu.icount += ${this.pending + 1}; cpu.prevEip = ${hex(it.eip)}; cpu.eip = ${hex(it.eip + it.insn.length)}; return; }`);
      this.pending++;
    } else {
      this.lines.push(`if (${t}) { ${SETTLE_FLAGS} cpu.icount += ${this.pending + 1}; cpu.prevEip = ${hex(it.eip)}; cpu.eip = ${hex(it.eip + it.insn.length)}; ${this.jump(target)} return; }`);
      this.pending++;
    }
  }

  /** CALL, RET or far JMP in native code that the block follows to `it.next`. */
  private followNative(it: Item): void {
    if (it.after.length === 0) {
      if (it.flow === Flow.FarJump) this.farInBlock(it);
      else this.nearInBlock(it);
      return;
    }
    const { insn, eip: s, next } = it;
    const n = s + insn.length;
    this.lines.push(SETTLE_FLAGS, this.prologue(s, n));
    // The callee and the return address are in the block: inside the CS limit its entry checks.
    const after = this.afterText(it);
    if (it.flow === Flow.Call) {
      this.lines.push(this.text(push(insn.opSize, hex(n), this.stack32)), `cpu.eip = ${hex(next)}; ${after} if (cpu.attn !== 0) return;`);
    } else if (it.flow === Flow.Return) {
      this.lines.push(`{ ${this.text(pop(insn.opSize, null, this.stack32))} if (v !== ${hex(next)}) { ${this.constant(nearJump)}(cpu, v); ${after} return; } cpu.eip = v; ${after} if (cpu.attn !== 0) return; }`);
    } else {
      // The far JMP itself, then on here only if it landed where the block goes on, in the same code
      // segment, and not through jmpFar ($r), which may have switched tasks (loading every segment
      // register and the flags): then the segment locals and the flag locals hold as they were.
      this.lines.push(this.text(it.native!.code), after, `if ($r !== 0 || cpu.attn !== 0 || cpu.eip !== ${hex(next)} || ${this.sameCs}) return;`);
    }
  }

  /**
   * A far JMP into the block's own code segment that no debugger watches after it runs: flags, count, prevEip and
   * EIP are settled on its slow paths (a read, eipBeyond, jmpFar), and where it did not land as planned (another
   * target or CS, jmpFar, an attention bit), where the block leaves.
   */
  private farInBlock(it: Item): void {
    const { insn, eip: s, next } = it;
    const count = this.pending + 1;
    this.lines.push(this.text(it.native!.code, { count, start: s, next: s + insn.length }),
      `if ($r !== 0 || cpu.attn !== 0 || cpu.eip !== ${hex(next)} || ${this.sameCs}) { ${SETTLE_FLAGS} cpu.icount += ${count}; cpu.prevEip = ${hex(s)}; return; }`);
    this.pending++;
  }

  /**
   * A near CALL or RET that stays in the block and that no debugger watches after it runs: a PUSH or POP
   * like any other (flags, count and EIP settled only on its slow path or where it leaves); a RET to an
   * address other than the CALL's leaves through nearJump, settled first (it checks the CS limit).
   */
  private nearInBlock(it: Item): void {
    const { insn, eip: s, next } = it;
    const n = s + insn.length;
    const count = this.pending + 1;
    const sync = { count, start: s, next: n };
    const attn = this.afterSlow(count, next);
    if (it.flow === Flow.Call) {
      this.lines.push(this.text(push(insn.opSize, hex(n), this.stack32), sync), attn);
    } else {
      const leave = `${SETTLE_FLAGS} cpu.icount += ${count}; cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(n)}; ${this.constant(nearJump)}(cpu, v); return;`;
      this.lines.push(`{ ${this.text(pop(insn.opSize, null, this.stack32), sync)} if (v !== ${hex(next)}) { ${leave} } }`, attn);
    }
    this.pending++;
  }

  /**
   * After code with slow holes: if one ran ($s), an attention bit may have come up; then the block leaves
   * with the instruction done (`count` instructions since the last settling, EIP `next`).
   */
  private afterSlow(count: number, next: number): string {
    return `if ($s !== 0) { $s = 0; if (cpu.attn !== 0) { cpu.icount += ${count}; cpu.eip = ${hex(next)}; return; } }`;
  }

  /** Calls to a debugger's after-watchers of the item (trace.ts entryFor), once its native code has run. */
  private afterText(it: Item): string {
    return it.after.map((fn) => `${this.constant(fn)}(cpu);`).join(' ');
  }

  /** CALL, RET or far JMP through the dispatch entry (a debugger's wrapper), then on only where it went as planned. */
  private followEntry(it: Item): void {
    const h = this.constant(this.cpu.ops[opsIndex(it.insn)]);
    this.lines.push(SETTLE_FLAGS, `${this.settleCount(1)} cpu.prevEip = ${hex(it.eip)}; cpu.eip = ${hex(it.eip + 1)}; ${h}(cpu);`,
      `if (cpu.attn !== 0 || cpu.eip !== ${hex(it.next)} || ${this.sameCs} || ${this.otherStack}) return;`, { refresh: null });
    this.known = null;
  }

  /** An instruction in native code that goes on to the next one. */
  private step(it: Item, native: Native): void {
    // A helper works on the CPU's flags: they must be current before it and are the truth after.
    if (native.flags === 'cpu') this.lines.push(SETTLE_FLAGS);
    const n = it.eip + it.insn.length;
    if (native.kind === Kind.Pure) {
      this.lines.push(this.text(native.code));
    } else {
      // Memory accesses on their fast path need no bookkeeping; a slow one settles it, and only
      // then can an attention bit have come up.
      const count = this.pending + 1;
      this.lines.push(this.text(native.code, { count, start: it.eip, next: n }),
        this.afterSlow(count, n));
      // Only a load that was not skipped as changing nothing ($l, access.ts segLoad) changed the cache.
      if (native.loadsSeg !== undefined) this.lines.push('if ($l !== 0) { $l = 0;', { refresh: [native.loadsSeg] }, '}');
    }
    if (native.flags === 'cpu') this.known = null;
    else if (native.flags === 'set') this.known = EAGER;
    else if (native.flags !== 'none') this.known = native.flags;
    this.pending++;
  }

  /** The last instruction, in native code: it sets EIP itself. */
  private end(it: Item, native: Native): void {
    const b = native.branch;
    const code = !b ? this.text(native.code) : b.test ? `if (${this.testText(b.test)}) ${this.jump(b.target)}` : this.jump(b.target);
    this.lines.push(SETTLE_FLAGS, this.prologue(it.eip, it.eip + it.insn.length), code, this.afterText(it), 'return;');
  }

  /** An instruction without native code: its dispatch entry, or stepOne. False when the block ends with it. */
  private entry(k: number, it: Item): boolean {
    const { insn, eip: s } = it;
    const n = s + insn.length;
    const cpu = this.cpu;
    const prefixed = insn.prefixes.bytes.length > 0;
    const idx = opsIndex(insn);
    const stringOk = prefixed && isStringOp(insn.opcode) && !insn.prefixes.lock && insn.prefixes.bytes.every((b) => cpu.ops[b] === cpu.baseOps[b]);
    if (stringOk && this.ramString(insn, idx)) {
      this.repInline(k, it);
      return true;
    }
    // Dispatch entries work on the CPU's flags.
    this.lines.push(SETTLE_FLAGS);
    this.known = null;
    if (!prefixed && PURE_ONE_BYTE.has(insn.opcode) && cpu.ops[idx] === cpu.baseOps[idx]) {
      this.lines.push(`${this.constant(cpu.ops[idx])}(cpu);`);
      this.pending++;
      return true;
    }
    if (stringOk) {
      this.lines.push(this.prologue(s, n), this.stringEntry(insn, idx));
    } else if (!prefixed) {
      const opcodeBytes = insn.opcode >= 0x0f00 ? 2 : 1;
      this.lines.push(`${this.settleCount(1)} cpu.prevEip = ${hex(s)}; cpu.eip = ${hex(s + opcodeBytes)}; ${this.constant(cpu.ops[idx])}(cpu);`);
    } else {
      this.lines.push(`${this.settleCount()} cpu.eip = ${hex(s)}; ${this.constant(stepOne)}(cpu);`);
    }
    if (it.flow === Flow.End) {
      this.lines.push('return;');
      return false;
    }
    // A REP string instruction may have yielded to the budget; the rest of the block must fit too.
    const budget = insn.prefixes.rep !== 0 ? ` || cpu.icount + ${this.trace.items.length - k - 1} > cpu.repEnd` : '';
    // String instructions load no segment register; anything else may (MOV CR0 changes what they allow), SS's size too.
    const loads = !isStringOp(insn.opcode);
    this.lines.push(`if (cpu.attn !== 0 || cpu.eip !== ${hex(n)} || cpu.base[${CS}] !== ${hex(this.baseCs)}${budget}${loads ? ` || ${this.otherStack}` : ''}) return;`);
    if (loads) this.lines.push({ refresh: null });
    return true;
  }

  /** Whether a prefixed string instruction is REP MOVS/STOS with the handler's RAM path (stringRam.ts) before its loop. */
  private ramString(insn: Instruction, idx: number): boolean {
    const cpu = this.cpu, p = insn.prefixes;
    return p.rep !== 0 && p.seg < 0 && [0xa4, 0xa5, 0xaa, 0xab].includes(insn.opcode) && cpu.ops[idx] === cpu.baseOps[idx] && !cpu.traits.stringFaultAdvances;
  }

  /**
   * REP MOVS/STOS upward on RAM inline, where stringRam.ts's RAM path would run and the rest of
   * the block fits the budget too: each operand's whole run inside its segment's limits, the
   * address size and one page of plain RAM (under paging one the TLB grants). Bytes move in string
   * order (or aligned words where that cannot differ), elements too where a MOVS destination starts
   * less than one element above its source (byte order would differ there), so this is the RAM
   * path's result; anything else calls
   * repStringEntry, which settles the state as a dispatch entry's caller does.
   */
  private repInline(k: number, it: Item): void {
    const { insn, eip: s } = it;
    const n = s + insn.length, op = insn.opcode, movs = op <= 0xa5;
    const size = (op & 1) === 0 ? 1 : insn.opSize >> 3;
    const index = (r: number) => (insn.addrSize === 16 ? reg16(r) : reg32(r));
    const amask = insn.addrSize === 32 ? '0xffffffff' : '0xffff';
    const rest = this.trace.items.length - k - 1;
    this.pending++;
    const count = this.pending;
    // One operand's run [o, o + b) at seg: inside the segment, the address size and one linear page; then its RAM page.
    const run = (seg: number, o: string, write: boolean, at: string) =>
      `${o} + b - 1 <= ${this.segLocal(seg, write ? 'write' : 'read')} && ${o} + b - 1 <= ${amask} && ` +
      `((${this.segLocal(seg, 'base')} + ${o}) >>> 12) === ((${this.segLocal(seg, 'base')} + ${o} + b - 1) >>> 12) && ` +
      `((${at} = ${this.phys(seg, o, write)}), (pf[${at} >>> 12] & ${write ? PF_WRITE_SLOW : PF_READ_SLOW}) === 0)`;
    // The count is settled up to this instruction minus `count` (emitter's pending): the REP's
    // c - 1 further instructions and the rest of the block must fit the budget.
    // Under QEMU's -icount rule the REP's end is an instruction of time that ends the burst: the handler's way (string.ts repRanOut).
    const fits = `(cpu.flags & ${EFLAGS_DF}) === 0 && !cpu.repEndPass && cpu.icount + c + ${count - 1 + rest} <= cpu.repEnd && ${run(ES, 'di', true, 'd')}`;
    const reg = regOf(size * 8, 0);
    let copy: string, cond: string;
    // Four bytes at a time where that cannot differ (as the RAM path): 4-aligned, and for MOVS without overlap.
    const words = (aligned: string, loop: string, other: string) => (LITTLE_ENDIAN ? `if (${aligned}) ${loop} else ${other}` : other);
    if (movs) {
      cond = `${fits} && ${run(DS, 'si', false, 'r')} && (d <= r || d - r >= ${size})`;
      copy = words('((d | r | b) & 3) === 0 && (d + b <= r || r + b <= d)', 'for (let i = d >>> 2, j = r >>> 2, z = (d + b) >>> 2; i < z; i++, j++) ram32[i] = ram32[j];',
        'for (let i = 0; i < b; i++) ram[d + i] = ram[r + i];') + ` ${index(6)} = si + b;`;
    } else {
      cond = fits;
      const stores = Array.from({ length: size }, (_, i) => `ram[i${i ? ` + ${i}` : ''}] = v${i ? ` >>> ${8 * i}` : ''};`).join(' ');
      const pattern = size === 1 ? 'v * 0x01010101' : size === 2 ? 'v * 0x10001' : 'v';
      copy = `const v = ${reg}; ` + words('((d | b) & 3) === 0', `{ const w = ${pattern}; for (let i = d >>> 2, z = (d + b) >>> 2; i < z; i++) ram32[i] = w; }`,
        `for (let i = d, z = d + b; i < z; i += ${size}) { ${stores} }`);
    }
    const slowArgs = `${this.constant(this.cpu.ops[opsIndex(insn)])}, ${insn.prefixes.bytes.length}, ${insn.prefixes.rep === 0xf3 ? 2 : 1}, ${insn.opSize === 32 ? 1 : 0}, ${insn.addrSize === 32 ? 1 : 0}`;
    this.lines.push(`{ const c = ${index(ECX)}; if (c !== 0) { ${movs ? `const si = ${index(6)}; ` : ''}const di = ${index(7)}, b = c * ${size}; let d = 0, r = 0; ` +
      `if (${cond}) { ${copy} ${index(7)} = di + b; ${index(ECX)} = 0; cpu.icount += c - 1; } ` +
      `else { ${SETTLE_FLAGS} if (!${this.constant(repStringEntry)}(cpu, ${count}, ${hex(s)}, ${hex(n)}, ${rest}, ${slowArgs})) return; } } }`);
  }

  /** A prefixed string instruction's dispatch entry, called with the decode state its prefixes set (it has no operand bytes). */
  private stringEntry(insn: Instruction, idx: number): string {
    const p = insn.prefixes;
    return `cpu.prefixes = ${p.bytes.length}; ` +
      `cpu.rep = ${p.rep === 0xf3 ? 2 : p.rep === 0xf2 ? 1 : 0}; cpu.segOvr = ${p.seg}; cpu.o32 = ${insn.opSize === 32 ? 1 : 0}; cpu.a32 = ${insn.addrSize === 32 ? 1 : 0}; ` +
      `try { ${this.constant(this.cpu.ops[idx])}(cpu); } finally { cpu.resetDecodeState(); }`;
  }
}

/** The body of the function that runs `trace`. */
export function emitBody(cpu: Cpu, trace: Trace): Body {
  return new Emitter(cpu, trace).body();
}
