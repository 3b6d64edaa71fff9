// Differential fuzzing against Bochs: seeded random protected-mode cases (descriptors with random
// types, DPLs, limits, granularity and presence; segment loads with random selectors and offsets
// near the limits; LAR/LSL/VERR/VERW; far JMP/CALL direct and through call gates; INT through a
// random IDT gate), many per boot image, interpreted by fixtures/bochsfuzz.inc, which prints each
// case's results (and any fault's vector and error code) to port 0xE9. Used by bochsFuzz.test.ts
// and scripts/bochsFuzz.mjs. Node-only test code.
import { assembleSource, runBochs, runBootscope } from './harness';
import { rng } from './fuzzSetup';

/** Cases per boot image: the program must fit the 16 sectors lib.inc loads. */
export const CASES_PER_PROGRAM = 150;

const OP = { ds: 0, esWrite: 1, ssPush: 2, lar: 3, lsl: 4, verr: 5, verw: 6, jmp: 7, call: 8, int: 9 } as const;
const OP_NAME = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));
const SEL_A = 0x50, SEL_B = 0x58, GDT_LIMIT = 0x5f;
const SCRATCH = 0x100000, SCRATCH_END = 0x130000;
// System types a transfer may reach directly: no TSS (a task switch into a random TSS) and no call
// or task gate (their random contents would send the run into random code).
const SAFE_SYSTEM = [0, 2, 3, 6, 7, 8, 0xa, 0xb, 0xd, 0xe, 0xf];

export interface FuzzCase {
  /** NASM lines of the 32-byte record. */
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
  // inside the target code: Bochs 2.7 runs code it has run before past the CS limit (README.md).
  const codeDesc = (): { line: string; target: string } => {
    const base = chance(50) ? 0 : (r() & 0x3ff) * 16;
    const d = chance(50);
    const g = chance(20);
    const target = `(ABS(${d ? 'fuzz_t32' : 'fuzz_t16'}) - ${hex(base)})`;
    const limit = g ? pick([0, r() & 0xf, 0xfffff]) : pick([`${target} + ${pick([-1, 0x20, 0x40])}`, 0xfffff, r() & 0xffff]);
    const type = chance(80) ? 0x18 | (r() & 7) : chance(50) ? 0x10 | (r() & 7) : pick(SAFE_SYSTEM);
    return { line: desc(base, limit, present() | dpl() | type, (g ? 8 : 0) | (d ? 4 : 0) | (r() & 1)), target };
  };

  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const op = pick([OP.ds, OP.ds, OP.esWrite, OP.ssPush, OP.lar, OP.lsl, OP.verr, OP.verw, OP.jmp, OP.jmp, OP.call, OP.call, OP.int, OP.int]);
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
      lines: [a, b, `dd ${typeof off === 'number' ? hex(off) : off}`, `dw ${hex(sel)}, ${op}`, gate],
      what: `${what}; A: ${a}; B: ${b}`,
    });
  }
  return cases;
}

/** The NASM source of a program running `cases`. */
export function programSource(cases: FuzzCase[], header: string[] = []): string {
  return [
    ...header.map((l) => `; ${l}`),
    '%include "lib.inc"',
    '%include "bochsfuzz.inc"',
    'fuzz_cases:',
    ...cases.flatMap((c, i) => [`  ; case ${i}: ${c.what.split(';')[0]}`, ...c.lines.map((l) => `  ${l}`)]),
    '  dd -1',
    '%if $ - $$ > 0x2200',
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

/**
 * Runs the program of `seed` under Bochs and Bootscope; null when the port 0xE9 texts agree,
 * else the first diverging case with its reproduction.
 */
export function fuzzProgram(seed: number, count = CASES_PER_PROGRAM): Divergence | null {
  const cases = generateCases(seed, count);
  const bin = assembleSource(programSource(cases), `bochsfuzz-${seed}`);
  const bochs = runBochs(bin);
  const emu = runBootscope(bin).text;
  if (emu === bochs) {
    if (!bochs.endsWith('END\n')) throw new Error(`seed ${seed}: neither Bochs nor Bootscope finished:\n${bochs.slice(-400)}`);
    return null;
  }
  const b = bochs.split('\n'), e = emu.split('\n');
  let line = 0;
  while (b[line] === e[line]) line++;
  // Reports start with '#'; the case in progress at the first differing line is the culprit.
  const index = b.slice(0, line).filter((l) => l.startsWith('#')).length;
  const one = [cases[index]];
  const oneBochs = caseLines(bochs, index), oneEmu = caseLines(emu, index);
  const repro = programSource(one, [
    `Bochs differential fuzzer: seed ${seed}, case ${index} of ${count} (scripts/bochsFuzz.mjs).`,
    `Assemble with nasm -f bin -I test/pm/fixtures/. Port 0xE9 output of the case:`,
    'Bochs:', ...oneBochs.split('\n').map((l) => `  ${l}`),
    'Bootscope:', ...oneEmu.split('\n').map((l) => `  ${l}`),
  ]);
  return { seed, index, bochs: oneBochs, bootscope: oneEmu, repro };
}
