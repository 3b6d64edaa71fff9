// Differential fuzzing against Bochs: seeded random protected-mode cases (descriptors with random
// types, DPLs, limits, granularity and presence; segment loads with random selectors and offsets
// near the limits; LAR/LSL/VERR/VERW; far JMP/CALL direct and through call gates; INT through a
// random IDT gate; IRET/RETF to ring 3 and back through INT; vm86 entry by IRET with a sensitive
// instruction and exit by INT or #GP; JMP/CALL/INT task switches to a TSS with random busy bit,
// limit and segments; paging with random PDE/PTE bits, CR0.WP and ring 3 accesses), many per boot
// image, interpreted by fixtures/bochsfuzz.inc, which prints each
// case's results (and any fault's vector and error code) to port 0xE9; programs run in batches of
// up to 30 per Bochs launch (fuzzBatch, fixtures/fuzzbatch.inc). Used by bochsFuzz.test.ts
// and scripts/bochsFuzz.mjs. Node-only test code.
import { assembleSource, runBochs, runBochsAsync, runBootscope } from './harness';
import { rng } from './fuzzSetup';

/** Cases per boot image: the program must fit the 16 sectors lib.inc loads. */
export const CASES_PER_PROGRAM = 80;

export const OP = {
  ds: 0, esWrite: 1, ssPush: 2, lar: 3, lsl: 4, verr: 5, verw: 6, jmp: 7, call: 8, int: 9,
  ring3: 10, vm86: 11, paging: 12, task: 13,
} as const;
const OP_NAME = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));
const SEL_A = 0x50, SEL_B = 0x58, GDT_LIMIT = 0x5f;
const SCRATCH = 0x100000, SCRATCH_END = 0x130000, TSS_C = 0x2200, LIN_PAGED = 0x400000;
// System types a transfer may reach directly: no TSS (a task switch into a random TSS) and no call
// or task gate (their random contents would send the run into random code).
const SAFE_SYSTEM = [0, 2, 3, 6, 7, 8, 0xa, 0xb, 0xd, 0xe, 0xf];

export interface FuzzCase {
  /** NASM lines of the 48-byte record. */
  lines: string[];
  /** One-line summary for reports. */
  what: string;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function desc(base: number, limit: number | string, access: number, flags: number): string {
  return `DESC ${hex(base)}, ${typeof limit === 'number' ? hex(limit) : limit}, ${hex(access)}, ${hex(flags)}`;
}

/** Generates `count` cases from `seed` (the same seed always gives the same cases). */
export function generateCases(seed: number, count: number): FuzzCase[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length];
  const chance = (pct: number): boolean => r() % 100 < pct;
  const present = (): number => (chance(92) ? 0x80 : 0);
  const dpl = (): number => (r() & 3) << 5;
  const rpl = (): number => r() & 3;
  // Half the time privilege 0, so that more loads at CPL 0 (SS above all) get through.
  const dpl0 = (): number => (chance(50) ? 0 : dpl());
  const rpl0 = (): number => (chance(50) ? 0 : rpl());
  const beyond = (): number => (GDT_LIMIT + 1 + (r() % 0x400)) & ~3 | rpl();
  const randomDesc = (): string => `dd ${hex(r())}, ${hex(r())}`;
  const systemDesc = (types: readonly number[]): string =>
    desc(r() & 0xfffff0, r() & 0xfffff, present() | dpl() | pick(types), r() & 0xd);

  // A code descriptor whose base and limit place `fuzz_t32` / `fuzz_t16` (chosen by its D bit) in
  // reach, or just out of reach; now and then a data or system descriptor instead. No limit ends
  // inside the target code: Bochs 2.7 runs code it has run before past the CS limit (README.md), so
  // a random limit that would is assembled as FFFFFh instead (a NASM expression: the random stream
  // stays as it was).
  const codeDesc = (): { line: string; target: string } => {
    const base = chance(50) ? 0 : (r() & 0x3ff) * 16;
    const d = chance(50);
    const g = chance(20);
    const target = `(ABS(${d ? 'fuzz_t32' : 'fuzz_t16'}) - ${hex(base)})`;
    const len = d ? '(fuzz_t16 - fuzz_t32)' : '(xfer_back - fuzz_t16)';
    const outside = (v: number): string => {
      const end = g ? `(${hex(v)} * 0x1000 + 0xfff)` : hex(v);
      return `(${end} >= ${target} && ${end} < ${target} + ${len} - 1 ? 0xfffff : ${hex(v)})`;
    };
    const limit = g ? pick([0, outside(r() & 0xf), 0xfffff]) : pick([`${target} + ${pick([-1, 0x20, 0x40])}`, 0xfffff, outside(r() & 0xffff)]);
    const type = chance(80) ? 0x18 | (r() & 7) : chance(50) ? 0x10 | (r() & 7) : pick(SAFE_SYSTEM);
    return { line: desc(base, limit, present() | dpl() | type, (g ? 8 : 0) | (d ? 4 : 0) | (r() & 1)), target };
  };

  // Arithmetic flags, TF (rarely), IF, IOPL and (rarely) NT, as an IRET or a TSS loads them.
  const eflags = (): number => (r() & 0x8d5) | (chance(8) ? 0x100 : 0) | (r() & 0x3200) | (chance(5) ? 0x4000 : 0);
  // The gate of INT 30h through which ring 3 and vm86 code comes back: mostly a valid DPL 3 gate.
  const backGate = (): string => {
    const type = chance(85) ? pick([0xe, 0xf]) : chance(70) ? pick([6, 7]) : pick(SAFE_SYSTEM);
    const sel = pick([0x08, 0x08, 0x08, 0x08 | rpl(), 0x18 | rpl()]);
    const d = chance(85) ? 0x60 : dpl();
    return `GATE ABS(fuzz_back), ${hex(sel)}, ${hex(present() | d | type)}, 0`;
  };
  // A data descriptor in the scratch area with a stack pointer near its limit, whose pushes stay
  // in the scratch area; `d` is its DPL, `line(p)` the descriptor with present bit `p`; `quarter` is
  // true for a quarter of them (two bits of the base: no draw, the random stream stays as it was).
  const scratchStack = (d: number): { line: (p: number) => string; esp: number; quarter: boolean } => {
    const base = SCRATCH + 0x10000 + (r() & 0x7ff) * 16;
    const type = chance(85) ? pick([0x12, 0x13, 0x16, 0x17]) : 0x10 | (r() & 15);
    const g = chance(20), big = chance(70);
    const limit = g ? r() & 0xf : pick([r() & 0xfff, r() & 0xffff, 0xfffff]);
    const eff = g ? limit * 4096 + 0xfff : limit;
    let esp = (pick([eff + 1, eff - (r() & 0xf), r() & 0xfffc, 0]) & (big ? 0xffffffff : 0xffff)) >>> 0;
    const low = (base + ((esp - 8) & (big ? 0xffffffff : 0xffff))) >>> 0;
    if (low < SCRATCH || low + 16 > SCRATCH_END || esp < 8) esp = 0x100 + (r() & 0x3fc);
    return { line: (p) => desc(base, limit, p | d | type, (g ? 8 : 0) | (big ? 4 : 0)), esp, quarter: ((base >> 4) & 3) === 0 };
  };
  const none = ['dd 0, 0, 0, 0'];

  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const op = pick([OP.ds, OP.ds, OP.esWrite, OP.ssPush, OP.lar, OP.lsl, OP.verr, OP.verw, OP.jmp, OP.jmp, OP.call, OP.call,
      OP.int, OP.int, OP.ring3, OP.ring3, OP.ring3, OP.vm86, OP.vm86, OP.vm86, OP.paging, OP.paging, OP.paging, OP.paging,
      OP.task, OP.task, OP.task]);
    if (op >= OP.ring3) {
      cases.push(extendedCase(op));
      continue;
    }
    let a = 'dq 0', b = 'dq 0', gate = 'dq 0', off: string | number = 0, sel = 0, what = OP_NAME[op];
    if (op <= OP.ssPush) {
      // Data segment in the scratch area; offsets around the limit (both ends if expand-down).
      const base = SCRATCH + 0x10000 + (r() & 0x7ff) * 16;
      const type = chance(75) ? 0x10 | (r() & 7) : 0x10 | (r() & 15);
      const g = chance(30), big = chance(50);
      const limit = g ? pick([r() & 0xf, r() & 0x1f, 0xfffff]) : pick([r() & 0xff, r() & 0xfff, r() & 0xffff, 0xfffff, r() & 0xfffff]);
      const eff = g ? limit * 4096 + 0xfff : limit;
      const down = (type & 0x1c) === 0x14;
      const top = big ? 0xffffffff : 0xffff;
      let o = down ? pick([eff + 1 + (r() & 3), top - (r() & 7), r() & 0xffff, 0])
        : pick([eff - (r() & 7), eff + 1 - (r() & 3), r() & 0xffff, 0]);
      o >>>= 0;
      // Keep every byte the op may touch inside the scratch area (a push writes 4 below ESP).
      const touched = op === OP.ssPush ? (big ? (o - 4) >>> 0 : (o - 4) & 0xffff) : o;
      const lin = (base + touched) >>> 0;
      if (lin < SCRATCH || lin + 8 > SCRATCH_END) o = (r() & 0xfffc) + 4;
      off = o;
      a = desc(base, limit, present() | dpl0() | type, (g ? 8 : 0) | (big ? 4 : 0) | (r() & 1));
      b = systemDesc([...Array(16).keys()]);
      sel = pick([SEL_A | rpl0(), SEL_A | rpl0(), SEL_A | rpl0(), SEL_A | rpl0(), SEL_A, rpl(), SEL_B | rpl(), 0x54 | rpl(), beyond(), 0x38]);
    } else if (op <= OP.verw) {
      a = chance(50) ? randomDesc() : desc(r() & 0xfffff0, r() & 0xfffff, present() | dpl0() | (r() & 0x1f), r() & 0xd);
      b = chance(50) ? randomDesc() : systemDesc([...Array(16).keys()]);
      sel = pick([SEL_A | rpl(), SEL_A | rpl(), SEL_B | rpl(), rpl(), 0x54 | rpl(), beyond(), (r() % 10) * 8 | rpl()]);
    } else {
      const code = codeDesc();
      b = code.line;
      // Where a gate points: mostly at B, sometimes at fixed or invalid selectors.
      const gateSel = pick([SEL_B | rpl(), SEL_B | rpl(), SEL_B | rpl(), SEL_B, 0x08, 0x28, rpl(), SEL_A, beyond()]);
      const gateOff = gateSel >> 3 === SEL_B >> 3 ? code.target : gateSel === 0x28 ? 'ABS(fuzz_t16)' : 'ABS(fuzz_t32)';
      const gateLine = (types: readonly number[], params: number): string =>
        `GATE ${gateOff}, ${hex(gateSel)}, ${hex(present() | dpl() | pick(types))}, ${params}`;
      if (op === OP.int) {
        gate = gateLine(chance(85) ? [6, 7, 0xe, 0xf] : [...SAFE_SYSTEM, 4, 0xc], 0);
        what += ` ${gate}`;
      } else if (chance(50)) {
        a = gateLine(chance(85) ? [4, 0xc] : SAFE_SYSTEM, r() & 0x1f);
        sel = pick([SEL_A | rpl(), SEL_A]);
        what += ` via ${a}`;
      } else {
        a = systemDesc(SAFE_SYSTEM);
        off = code.target;
        sel = pick([SEL_B | rpl(), SEL_B, SEL_B, rpl(), SEL_A | rpl(), beyond()]);
      }
    }
    if (op !== OP.int) what += ` sel=${hex(sel)} off=${typeof off === 'number' ? hex(off) : off}`;
    cases.push({
      lines: [a, b, `dd ${typeof off === 'number' ? hex(off) : off}`, `dw ${hex(sel)}, ${op}`, gate, ...none],
      what: `${what}; A: ${a}; B: ${b}`,
    });
  }
  return cases;

  /** A ring 3, vm86, paging or task-switch case (bochsfuzz.inc documents the record). */
  function extendedCase(op: number): FuzzCase {
    let a = 'dq 0', b = 'dq 0', off = 0, sel = 0, what = OP_NAME[op];
    const gate = backGate();
    let extra: string[];
    if (op === OP.ring3) {
      // CS: the flat ring 3 code, B (random DPL and code type) or ring 0 code with a random RPL.
      b = desc(0, 0xfffff, present() | (chance(60) ? 0x60 : dpl()) | 0x18 | (r() & 7), 0xc);
      sel = pick([0x1b, 0x1b, 0x1b, SEL_B | 3, SEL_B | 3, SEL_B | rpl(), 0x08 | rpl(), 0x18 | rpl()]);
      const stack = scratchStack(pick([0x60, 0x60, dpl()]));
      const flat = chance(50);
      off = flat ? 0x5f00 + (r() & 0xfc) : stack.esp;
      const ss = flat ? pick([0x23, 0x23, 0x20 | rpl(), 0x10 | rpl()]) : pick([SEL_A | 3, SEL_A | 3, SEL_A | rpl()]);
      const ds = pick([0x10, 0x10, 0x23, 0x23, 0x30, 0, 0x10 | rpl(), SEL_A | rpl()]);
      const retf = chance(30) ? 1 : 0;
      // A quarter of RETF's stacks are not present (#SS); never IRETD's: Bochs 2.7's IRET raises #NP
      // for them (README.md).
      if (!flat) a = stack.line(retf && stack.quarter ? 0 : 0x80);
      extra = [`dd ${hex(eflags())}`, `dw ${hex(ss)}, ${hex(ds)}`, `dd ${retf}, 0`];
      what += ` ${retf ? 'retf' : 'iretd'} cs=${hex(sel)} ss=${hex(ss)}:${hex(off)} ds=${hex(ds)}`;
    } else if (op === OP.vm86) {
      // CS:IP reaches fuzz_v86; SS:SP points into 5000h-5FFFh; the other segments are random.
      const cs = r() & 0x3ff;
      const ss = r() & 0x3ff;
      sel = cs;
      off = (0x5000 + (r() & 0xfe0) - ss * 16 + 0x10000) & 0xffff;
      if (ss * 16 + off < 0x5000 || ss * 16 + off > 0x5ff0) off = 0x5800 - ss * 16;
      const action = r() % 8;
      extra = [`dd ${hex((eflags() & ~0x4000) | (chance(50) ? 0x3000 : 0))}`, `dw ${hex(ss)}, ${hex(r() & 0xffff)}, ${hex(r() & 0xffff)}`,
        `dw ${hex(r() & 0xffff)}, ${hex(r() & 0xffff)}, ${action}`];
      what += ` cs=${hex(cs)} ss=${hex(ss)}:${hex(off)} action ${action}`;
    } else if (op === OP.paging) {
      // P, R/W, U/S, PWT, PCD, A, D, bit 7 and the available bits, all random; P mostly set.
      const bits = (): number => (chance(85) ? 1 : 0) | (r() & 0xffe);
      off = LIN_PAGED + (r() & 0x1f) * 0x1000 + (r() & 0xffc);
      const mode = r() & 7;
      sel = 0;
      const pde = bits(), pte = bits();
      extra = [`dd ${hex(pde)}, ${hex(pte)}, ${mode}, 0`];
      what += ` lin=${hex(off)} pde=${hex(pde)} pte=${hex(pte)} ${mode & 1 ? 'write' : 'read'}` +
        `${mode & 2 ? ' cpl3' : ''}${mode & 4 ? ' wp' : ''}`;
    } else {
      // A 32-bit TSS descriptor for TSS C (random busy bit, limit, DPL, presence), a task gate to it.
      const limit = pick([0x67, 0x67, 0x67, 0xfff, 0x66, 0x2b, r() & 0x7f]);
      a = desc(TSS_C, limit, present() | dpl() | (chance(75) ? 9 : 0xb), 0);
      const gateSel = pick([SEL_A | rpl(), SEL_A, SEL_A, 0x38, 0x08, rpl()]);
      b = `GATE 0, ${hex(gateSel)}, ${hex(present() | dpl() | 5)}, 0`;
      sel = pick([SEL_A | rpl(), SEL_A, SEL_B | rpl(), SEL_B]);
      const how = r() % 3;
      const seg = (): number => pick([0x10, 0x10, 0x10, 0x23, 0x30, 0, 0x08, SEL_A, beyond()]);
      // One random data segment: the order in which several bad ones are checked is model specific.
      extra = [`dd ${how}`, `dw ${hex(seg())}, ${hex(pick([0x10, 0x23]))}`, `dd ${hex(eflags() & ~0x100)}, 0`];
      what += ` ${['jmp', 'call', 'int'][how]} sel=${hex(sel)}`;
      return {
        lines: [a, b, `dd ${hex(off)}`, `dw ${hex(sel)}, ${op}`,
          `GATE 0, ${hex(gateSel)}, ${hex(present() | dpl() | 5)}, 0`, ...extra],
        what: `${what}; A: ${a}; B: ${b}`,
      };
    }
    return { lines: [a, b, `dd ${hex(off)}`, `dw ${hex(sel)}, ${op}`, gate, ...extra], what: `${what}; A: ${a}; B: ${b}` };
  }
}

/** The largest program: the boot sector and the 16 sectors lib.inc loads. */
const PROGRAM_MAX = 0x2200;
/** Bytes of a case record (bochsfuzz.inc's REC_SIZE) and of the `dd -1` that ends a table. */
const RECORD = 48, TABLE_END = 4;

/** The NASM lines of a case table: its records and the end mark. */
function caseTable(cases: FuzzCase[]): string[] {
  return [...cases.flatMap((c, i) => [`  ; case ${i}: ${c.what.split(';')[0]}`, ...c.lines.map((l) => `  ${l}`)]), '  dd -1'];
}

/** The NASM source of a program running `cases`. */
export function programSource(cases: FuzzCase[], header: string[] = []): string {
  return [
    ...header.map((l) => `; ${l}`),
    '%include "lib.inc"',
    '%include "bochsfuzz.inc"',
    'fuzz_cases:',
    ...caseTable(cases),
    `%if $ - $$ > ${PROGRAM_MAX}`,
    '  %error "program too large for the 16 sectors lib.inc loads"',
    '%endif',
    '',
  ].join('\n');
}

export interface Divergence {
  seed: number;
  /** Index of the first diverging case in its program. */
  index: number;
  bochs: string;
  bootscope: string;
  /** A NASM program running that case alone, with both outputs in its header. */
  repro: string;
}

/** The lines of `text` that belong to case `index` (its EXC lines and its report). */
function caseLines(text: string, index: number): string {
  const out: string[] = [];
  let n = 0;
  for (const line of text.split('\n')) {
    if (n === index && line !== '') out.push(line);
    if (line.startsWith('#')) n++;
  }
  return out.join('\n');
}

/** The first case whose lines differ in the two texts, as a Divergence with its one-case reproduction. */
function divergence(seed: number, cases: FuzzCase[], bochs: string, emu: string, note: string[] = []): Divergence {
  const b = bochs.split('\n'), e = emu.split('\n');
  let line = 0;
  while (b[line] === e[line]) line++;
  // Reports start with '#'; the case in progress at the first differing line is the culprit.
  const index = b.slice(0, line).filter((l) => l.startsWith('#')).length;
  const oneBochs = caseLines(bochs, index), oneEmu = caseLines(emu, index);
  const repro = programSource([cases[index]], [
    `Bochs differential fuzzer: seed ${seed}, case ${index} of ${cases.length} (scripts/bochsFuzz.mjs).`, ...note,
    `Assemble with nasm -f bin -I test/pm/fixtures/. Port 0xE9 output of the case:`,
    'Bochs:', ...oneBochs.split('\n').map((l) => `  ${l}`),
    'Bootscope:', ...oneEmu.split('\n').map((l) => `  ${l}`),
  ]);
  return { seed, index, bochs: oneBochs, bootscope: oneEmu, repro };
}

/** A seed's program: the cases generateCases gives for it (or a test's own). */
export interface SeededProgram {
  seed: number;
  cases: FuzzCase[];
}

/**
 * Runs one program under Bochs and Bootscope (their default CPUs, or with `pentium` Bochs's
 * `model=pentium` and the Pentium model), each started bare at 0000:7C00; null when the port 0xE9
 * texts agree, else the first diverging case with its reproduction.
 */
export function runProgram({ seed, cases }: SeededProgram, pentium = false): Divergence | null {
  const bin = assembleSource(programSource(cases), `bochsfuzz-${seed}`);
  const bochs = runBochs(bin, { cpuModel: pentium ? 'pentium' : undefined, bare: [] });
  const emu = runBootscope(bin, pentium ? 'pentium' : '80386').text;
  if (emu === bochs) {
    if (!bochs.endsWith('END\n')) throw new Error(`seed ${seed}: neither Bochs nor Bootscope finished:\n${bochs.slice(-400)}`);
    return null;
  }
  return divergence(seed, cases, bochs, emu);
}

/** A program that could not be compared (Bochs did not start, neither finished): a divergence of no case. */
export function unfinished(seed: number, why: string): Divergence {
  return { seed, index: -1, bochs: why, bootscope: '', repro: `; seed ${seed}: ${why}\n` };
}

/** runProgram, with an error as `unfinished`. */
function runAlone(program: SeededProgram, pentium: boolean): Divergence | null {
  try {
    return runProgram(program, pentium);
  } catch (e) {
    return unfinished(program.seed, e instanceof Error ? e.message : String(e));
  }
}

/**
 * The boot images of the programs from one nasm run (a run per program was a sixth of a program's
 * time): the interpreter once, then every case table. A table names only the interpreter's labels,
 * so the interpreter followed by a program's own table is what programSource assembles alone.
 */
export function assemblePrograms(programs: SeededProgram[]): Uint8Array[] {
  const bin = assembleSource(['%include "lib.inc"', '%include "bochsfuzz.inc"', 'fuzz_cases:',
    ...programs.flatMap((p) => caseTable(p.cases)), ''].join('\n'), `bochsfuzz-${programs[0].seed}-batch`);
  const sizes = programs.map((p) => p.cases.length * RECORD + TABLE_END);
  const interpreter = bin.length - sizes.reduce((a, b) => a + b, 0);
  let at = interpreter;
  return programs.map((p, i) => {
    const table = bin.subarray(at, at += sizes[i]);
    if (new DataView(table.buffer, table.byteOffset + table.length - TABLE_END).getInt32(0, true) !== -1) {
      throw new Error(`seed ${p.seed}: its case table is not ${sizes[i]} bytes long`);
    }
    if (interpreter + table.length > PROGRAM_MAX) throw new Error(`seed ${p.seed}: program too large for the 16 sectors lib.inc loads`);
    const image = new Uint8Array(interpreter + table.length);
    image.set(bin.subarray(0, interpreter));
    image.set(table, interpreter);
    return image;
  });
}

/** The driver that runs a batch's programs one after another (fixtures/fuzzbatch.inc), assembled once. */
let batchDriver: Uint8Array | undefined;
/** Where fuzzbatch.inc finds the programs: their count, then 128 KiB blocks of BATCH_PER_BLOCK images each. */
const BATCH_STORE = 0x200000, BATCH_BLOCK = 0x20000, BATCH_FIRST = 0xc00, BATCH_STRIDE = 0x3000, BATCH_PER_BLOCK = 10;
/** Programs in one batch: one RAM image per block, three besides the driver (runBochs). */
export const BATCH_MAX = 3 * BATCH_PER_BLOCK;

/** `text` cut after each "END" line: one piece per program of a batch (the last may be unfinished). */
function perProgram(text: string): string[] {
  const pieces = text.split(/(?<=^END\n)/m);
  return pieces[pieces.length - 1] === '' ? pieces.slice(0, -1) : pieces;
}

/**
 * Runs the programs in one Bochs launch and one Bootscope run (fixtures/fuzzbatch.inc: each from the
 * state of a bare start, with its own GDT, IDT, TSSs and paging) and returns each program's port
 * 0xE9 text under each (shorter where a run stopped early; Bochs's empty where it did not start).
 */
export async function batchTexts(programs: SeededProgram[], pentium = false): Promise<{ bochs: string[]; bootscope: string[] }> {
  if (programs.length > BATCH_MAX) throw new Error(`a batch holds at most ${BATCH_MAX} programs`);
  batchDriver ??= assembleSource('%include "fuzzbatch.inc"\n', 'fuzzbatch');
  const images = Array.from({ length: Math.ceil(programs.length / BATCH_PER_BLOCK) }, (_, b) =>
    ({ address: BATCH_STORE + b * BATCH_BLOCK, bytes: new Uint8Array(BATCH_BLOCK) }));
  new DataView(images[0].bytes.buffer).setUint32(0, programs.length, true);
  assemblePrograms(programs).forEach((image, i) => images[Math.floor(i / BATCH_PER_BLOCK)].bytes
    .set(image, BATCH_FIRST + (i % BATCH_PER_BLOCK) * BATCH_STRIDE));
  // Bochs runs in its own process while Bootscope runs here. One that did not start gives no
  // texts: each program alone then says why, or runs.
  const bochs = runBochsAsync(batchDriver, {
    cpuModel: pentium ? 'pentium' : undefined, bare: images, ends: programs.length, timeoutMs: 30000 + 3000 * programs.length,
  }).then(perProgram, (): string[] => []);
  const bootscope = perProgram(runBootscope(batchDriver, pentium ? 'pentium' : '80386', 20_000_000 * programs.length, undefined, images).text);
  return { bochs: await bochs, bootscope };
}

/**
 * Runs the programs as a batch (batchTexts) and compares each program's text on its own. A program
 * whose texts differ, or that did not finish, runs again alone: its divergence (or error) is
 * reported as fuzzProgram reports it, or, where it agrees alone, as the batch printed it. The
 * programs after it run as a new batch. One result per program, in order.
 */
export async function fuzzBatch(programs: SeededProgram[], pentium = false): Promise<(Divergence | null)[]> {
  if (programs.length === 0) return [];
  const { bochs, bootscope: emu } = await batchTexts(programs, pentium);
  const results: (Divergence | null)[] = [];
  for (const [i, program] of programs.entries()) {
    if (bochs[i] !== undefined && bochs[i] === emu[i] && bochs[i].endsWith('END\n')) {
      results.push(null);
      continue;
    }
    let d = runAlone(program, pentium);
    const batch = `a batch of seeds ${programs[0].seed}-${programs[programs.length - 1].seed} (program ${i})`;
    if (d === null && bochs[i] === emu[i] && bochs[i] !== undefined) {
      d = unfinished(program.seed, `neither Bochs nor Bootscope finished it in ${batch}; it finishes alone`);
    } else if (d === null && bochs[i] !== undefined && emu[i] !== undefined) {
      d = divergence(program.seed, program.cases, bochs[i], emu[i], [`It diverged in ${batch} and agrees when run alone.`]);
    }
    return [...results, d, ...await fuzzBatch(programs.slice(i + 1), pentium)];
  }
  return results;
}
