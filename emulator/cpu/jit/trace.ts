// The block compiler's first step: which instructions a block holds and how execution flows
// between them. A block follows execution inside one linear page: through direct JMP and CALL, back
// from a RET to its CALL, into a far JMP's target in the same code segment (both checked at run
// time), over forward Jcc (an if, or a side exit), and around branches back into itself (loops).
// Pure TypeScript: no Node or VS Code imports.

import { decode, type Instruction } from '../../decode/decoder';
import { flowOf } from '../../decode/flow';
import { decodeTier } from '../../decode/table';
import { type Cpu, type Handler, isAfterWatcher, isFormWatcher } from '../cpu';
import { MAP0F, OP32 } from '../exec/table';
import { tlbOf, tlbPhysical } from '../protected/paging';
import { CS, DS } from '../regs';
import { emitNative, Kind, type Native } from './native';

/** Most instructions in one block: long enough to amortise dispatch, short enough to compile fast. */
const MAX_INSNS = 64;
/** Most instructions a forward Jcc may jump over and still stay in the block (Flow.Skip). */
const MAX_SKIPPED = 8;

/** How execution goes on after an instruction of a block. */
export const enum Flow {
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
  /**
   * Forward Jcc whose fall-through is a JMP out of the block (`je ok / jmp elsewhere`, the way
   * 16-bit code branches beyond a Jcc's reach): taken goes on at the target, not taken leaves the
   * block at the JMP.
   */
  Taken,
}

export interface Item {
  insn: Instruction;
  eip: number;
  /** EIP execution continues at inside the block (the target for Jump/Call, the return address for Return). */
  next: number;
  /** Native code, or null: the block calls the instruction's dispatch entry (or stepOne). */
  native: Native | null;
  /** What a debugger's after-watchers call once the native code ran (only on transfers, which settle the state first). */
  after: Handler[];
  flow: Flow;
  /** Loop: the index of the item the branch goes back to. */
  head?: number;
  /** Skip: the index of the last item it jumps over. */
  regionEnd?: number;
}

/** A block's instructions in the order the function runs them, and its loops as [head, back edge] item ranges. */
export interface Trace {
  items: Item[];
  loops: [number, number][];
}

/** Index of the instruction's entry in cpu.ops (one-byte map, 0F map, | OP32 for 32-bit operands). */
export function opsIndex(insn: Instruction): number {
  const op = insn.opcode;
  return (op >= 0x0f00 ? MAP0F | (op & 0xff) : op) | (insn.opSize === 32 ? OP32 : 0);
}

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

/**
 * The dispatch entry that runs `insn` past debugger wrappers a block can do without: those that do
 * not watch its ModRM form, and after-watchers, whose `after` functions it returns in the order
 * they run.
 */
function entryFor(cpu: Cpu, idx: number, insn: Instruction): { entry: Handler; after: Handler[] } {
  let h = cpu.ops[idx];
  const after: Handler[] = [];
  for (;;) {
    if (insn.modrm && isFormWatcher(h) && !h.watches(insn.modrm.byte)) h = h.inner;
    else if (isAfterWatcher(h)) {
      after.unshift(h.after);
      h = h.inner;
    } else return { entry: h, after };
  }
}

/**
 * Where a far JMP will probably land, as an offset (the block checks at run time that it did and
 * that CS is unchanged): EA's immediate, or the offset stored now at a constant FF /5 operand
 * (under paging read where the TLB maps it, without a walk). -1 for other instructions or when the
 * pointer cannot be read (not in the TLB, across a page, outside RAM).
 */
function farTarget(cpu: Cpu, insn: Instruction): number {
  if (insn.opcode === 0xea) return insn.imm[0];
  const m = insn.modrm;
  if (insn.opcode !== 0xff || !m || m.reg !== 5) return -1;
  const direct = insn.addrSize === 16 ? m.mod === 0 && m.rm === 6 : m.mod === 0 && m.rm === 5;
  if (!direct) return -1;
  const seg = insn.prefixes.seg >= 0 ? insn.prefixes.seg : DS;
  const off = insn.addrSize === 16 ? insn.disp & 0xffff : insn.disp >>> 0;
  let phys = (cpu.base[seg] + off) >>> 0;
  if (cpu.paging && ((phys & 0xfff) > 0xffc || (phys = tlbPhysical(tlbOf(cpu), phys, false, cpu.cpl === 3)) < 0)) return -1;
  phys = (phys & cpu.mem.a20Mask) >>> 0;
  if (phys + 4 > cpu.mem.ramSize) return -1;
  const b = cpu.mem.peek(phys, 4);
  return insn.opSize === 16 ? b[0] | (b[1] << 8) : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

const isJcc = (op: number) => (op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f);

/** Follows execution from CS:EIP (physical `phys`), deciding each instruction's flow. */
class Tracer {
  readonly items: Item[] = [];
  /** Loops made so far as [head, back-edge] item ranges: a new one must nest with them. */
  readonly loops: [number, number][] = [];
  /** Item index of each EIP taken so far. */
  private readonly seen = new Map<number, number>();
  private readonly returns: number[] = [];
  /** Items jumped over by a Skip, as [first, last] index ranges: no loop may start inside one. */
  private readonly regions: [number, number][] = [];
  private readonly firstAllowed: number;
  private readonly lastAllowed: number;
  private readonly model: ReturnType<typeof decodeTier>;

  constructor(private readonly cpu: Cpu, private readonly eip: number, private readonly phys: number,
    private readonly hasBreakpoint: (lin: number) => boolean) {
    const lin = (cpu.base[CS] + eip) >>> 0;
    // The block stays inside its linear page, the CS limit, and on the 8086 before IP wraps.
    this.firstAllowed = Math.max(0, eip - (lin & 0xfff));
    let last = Math.min(cpu.hi[CS], eip + (0xfff - (lin & 0xfff)));
    if (cpu.ipWrapAt >= 0) last = Math.min(last, cpu.ipWrapAt - 2);
    this.lastAllowed = last;
    this.model = decodeTier(cpu.model);
  }

  private inPage(x: number): boolean {
    return x >= this.firstAllowed && x <= this.lastAllowed;
  }

  /** The instruction at `at`, or null where the block cannot go on (invalid, limit, breakpoint, length). */
  private prepare(at: number): Item | null {
    const cpu = this.cpu, ram = cpu.ram;
    const base = this.phys + (at - this.eip);
    const insn = decode((i) => ram[base + i] ?? 0, cpu.code32 ? 32 : 16, this.model);
    if (!insn.valid || insn.opcode < 0 || at + insn.length - 1 > this.lastAllowed) return null;
    if (this.items.length > 0 && this.hasBreakpoint((cpu.base[CS] + at) >>> 0)) return null;
    // A prefixed instruction longer than the model allows is #GP(0): the interpreter raises it.
    if (insn.prefixes.bytes.length > 0 && cpu.traits.maxInsnLength > 0 && insn.length > cpu.traits.maxInsnLength) return null;
    const idx = opsIndex(insn);
    const { entry, after } = entryFor(cpu, idx, insn);
    const nativeOk = !insn.prefixes.lock && insn.prefixes.rep === 0 && entry === cpu.baseOps[idx] &&
      insn.prefixes.bytes.every((b) => cpu.ops[b] === cpu.baseOps[b]);
    let native = nativeOk ? emitNative(cpu, insn, at) : null;
    if (native && after.length > 0 && native.kind !== Kind.End) native = null;
    return { insn, eip: at, next: at + insn.length, native, after: native ? after : [], flow: endsBlock(cpu, insn, at) ? Flow.End : Flow.Next };
  }

  /** The straight-line instructions from `from` exactly up to `to`, or null. */
  private straight(from: number, to: number): Item[] | null {
    const run: Item[] = [];
    for (let x = from; x < to; x = run[run.length - 1].next) {
      const it = run.length < MAX_SKIPPED && !this.seen.has(x) ? this.prepare(x) : null;
      if (!it || it.flow !== Flow.Next || it.native?.branch || it.insn.opcode === 0xe8 || it.insn.opcode === 0xc3) return null;
      run.push(it);
    }
    return run.length > 0 && run[run.length - 1].next === to ? run : null;
  }

  /** Follows execution until the block must end. */
  run(): Trace {
    let at = this.eip;
    while (this.items.length < MAX_INSNS && !this.seen.has(at)) {
      const item = this.prepare(at);
      if (!item) break;
      this.seen.set(at, this.items.length);
      const next = this.loop(item) ?? this.skip(item) ?? this.place(item);
      if (next < 0) break;
      at = next;
    }
    return { items: this.items, loops: this.loops };
  }

  /**
   * A branch back into the block nests a loop when it contains or avoids every loop made so far
   * and starts outside any skipped stretch; a loop to the entry needs the entry free of
   * breakpoints. Returns where the block goes on (-1: it ends), or null when this is no loop.
   */
  private loop(item: Item): number | null {
    const b = item.native?.branch;
    const head = b ? this.seen.get(b.target) : undefined;
    if (head === undefined || !this.loops.every(([a, z]) => head <= a || head > z) || !this.regions.every(([a, z]) => head < a || head > z)) return null;
    if (head === 0 && this.hasBreakpoint((this.cpu.base[CS] + this.eip) >>> 0)) return null;
    // A loop back to the entry around another loop stays a branch out: V8 compiles a function with
    // nested loops several times slower (on-stack replacement too), and runs it no faster than a
    // dispatch per round (bench.asm's loop: 58 host instructions per guest instruction against 61).
    if (head === 0 && this.loops.length > 0) return null;
    this.loops.push([head, this.items.length]);
    this.items.push({ ...item, flow: Flow.Loop, head });
    return b!.test === null ? -1 : item.next;
  }

  /** A forward Jcc over a few straight-line instructions becomes an if: where the block goes on, or null. */
  private skip(item: Item): number | null {
    const b = item.native?.branch;
    if (!b || b.test === null || !isJcc(item.insn.opcode) || b.target <= item.eip + item.insn.length || !this.inPage(b.target) ||
      this.items.length + 1 + MAX_SKIPPED > MAX_INSNS) return null;
    const run = this.straight(item.next, b.target);
    if (!run) return null;
    const items = this.items;
    items.push({ ...item, flow: Flow.Skip, next: b.target, regionEnd: items.length + run.length });
    this.regions.push([items.length, items.length + run.length - 1]);
    for (const r of run) {
      this.seen.set(r.eip, items.length);
      items.push(r);
    }
    return b.target;
  }

  /** Whether the instruction at `at` is a direct JMP to where the block has not been (not a loop's back edge). */
  private jumpsAway(at: number): boolean {
    const it = this.seen.has(at) ? null : this.prepare(at);
    const op = it?.insn.opcode;
    return it !== null && it.native !== null && (op === 0xeb || op === 0xe9) && !this.seen.has(it.native.branch!.target);
  }

  /** Every other flow (see Flow): places the item and returns where the block goes on (-1: it ends). */
  private place(item: Item): number {
    const { insn, native } = item;
    const op = insn.opcode, at = item.eip, n = item.next;
    const target = native?.branch?.target ?? -1;
    const followable = native !== null || insn.prefixes.bytes.length === 0;
    const far = followable ? farTarget(this.cpu, insn) : -1;
    if (native && (op === 0xeb || op === 0xe9) && target !== this.eip && this.inPage(target)) {
      item.flow = Flow.Jump;
      item.next = target;
    } else if (followable && op === 0xe8 && this.inPage(flowOf(insn, at).target!)) {
      // Also a CALL whose dispatch entry a debugger wrapped to look before it runs: the block calls
      // the entry and goes on in the callee if the call landed there.
      item.flow = Flow.Call;
      item.next = flowOf(insn, at).target!;
      this.returns.push(n);
    } else if (followable && op === 0xc3 && this.returns.length > 0) {
      item.flow = Flow.Return;
      item.next = this.returns.pop()!;
    } else if (far >= 0 && this.inPage(far) && !this.seen.has(far)) {
      item.flow = Flow.FarJump;
      item.next = far;
    } else if (native?.branch?.test && isJcc(op) && target === n) {
      // Jcc to the next instruction: both ways lead there (reading flags changes nothing).
      item.flow = Flow.Jump;
    } else if (native?.branch?.test && isJcc(op) && target > at && !this.seen.has(target) && this.inPage(target) && this.jumpsAway(n)) {
      item.flow = Flow.Taken;
      item.next = target;
    } else if (native?.branch?.test && isJcc(op) && target > at) {
      item.flow = Flow.Side;
    }
    this.items.push(item);
    return item.flow === Flow.End ? -1 : item.next;
  }
}

/**
 * The instructions of the block at CS:EIP whose first byte is at physical `phys`, or null when not
 * even its first one can be compiled. `hasBreakpoint` says which linear addresses a block must stop
 * in front of: a block starts at a breakpoint, never runs across one.
 */
export function trace(cpu: Cpu, eip: number, phys: number, hasBreakpoint: (lin: number) => boolean): Trace | null {
  const t = new Tracer(cpu, eip, phys, hasBreakpoint).run();
  return t.items.length > 0 ? t : null;
}
