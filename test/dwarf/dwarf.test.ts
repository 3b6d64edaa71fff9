// The ELF/DWARF reader (emulator/debug/elf.ts, dwarf*.ts, debugInfo.ts) against binutils: programs
// built at test time with Debian gcc (-m16 and -m32, DWARF 2, 3, 4 and 5, a header in another
// directory) and nasm -F dwarf must give the rows `objdump --dwarf=decodedline` prints, the functions
// and globals `nm` lists, the frame rules `readelf --debug-dump=frames` prints, and malformed files a
// SymbolFileError, never another exception.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseElf } from '../../emulator/debug/elf';
import { readDebugInfo } from '../../emulator/debug/debugInfo';
import { readLineProgram, type LineRow } from '../../emulator/debug/dwarfLines';
import { readUnits, At } from '../../emulator/debug/dwarfInfo';
import { SymbolFileError } from '../../emulator/debug/symbols';
import { loadSymbolFile } from '../../host/symbolFiles';

const HEADER = `static inline int twice(int v) {
  return v + v;
}
`;
const C_SOURCE = `#include "util.h"
struct point { short x, y; };
volatile unsigned short counter;
struct point origin = { 3, 4 };
char banner[6] = "hello";
static void out(char c) { __asm__ volatile("outb %0, $0xe9" :: "a"(c)); }
int add(int a, int b) {
  int s = a + b;
  return twice(s);
}
void cmain(void) {
  int total = 0;
  for (int i = 0; i < 3; i++) {
    total = add(total, i);
    counter++;
  }
  origin.x = total;
  out('!');
}
`;
const ASM_SOURCE = `bits 16
section .text
global _start
extern cmain
_start:
  xor ax, ax
  mov ds, ax
  call dword cmain
  hlt
`;

let dir = '';
const elfs = new Map<string, string>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootscope-dwarf-'));
  mkdirSync(join(dir, 'inc'));
  writeFileSync(join(dir, 'inc', 'util.h'), HEADER);
  writeFileSync(join(dir, 'main.c'), C_SOURCE);
  writeFileSync(join(dir, 'start.asm'), ASM_SOURCE);
  execFileSync('nasm', ['-f', 'elf32', '-F', 'dwarf', '-g', 'start.asm', '-o', 'start.o'], { cwd: dir });
  for (const bits of ['16', '32']) {
    for (const v of ['2', '3', '4', '5']) {
      const name = `m${bits}-v${v}`;
      execFileSync('gcc', [`-m${bits}`, `-gdwarf-${v}`, '-O0', '-ffreestanding', '-fno-pic', '-fno-asynchronous-unwind-tables',
        '-Iinc', '-c', 'main.c', '-o', `${name}.o`], { cwd: dir });
      execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '-e', '_start', '-o', `${name}.elf`, 'start.o', `${name}.o`], { cwd: dir });
      elfs.set(name, join(dir, `${name}.elf`));
    }
  }
  // gcc's default unwind tables: .eh_frame instead of .debug_frame.
  execFileSync('gcc', ['-m32', '-gdwarf-5', '-O0', '-ffreestanding', '-fno-pic', '-Iinc', '-c', 'main.c', '-o', 'm32-eh.o'], { cwd: dir });
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '-e', '_start', '-o', 'm32-eh.elf', 'start.o', 'm32-eh.o'], { cwd: dir });
  elfs.set('m32-eh', join(dir, 'm32-eh.elf'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** objdump's decoded rows: `file line address [view] [x]`, `-` for a sequence's end. */
function objdumpRows(elf: string): string[] {
  const out = execFileSync('objdump', ['--dwarf=decodedline', elf], { encoding: 'utf8' });
  const rows: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+\d+)?(\s+x)?\s*$/.exec(line);
    if (m) rows.push(`${basename(m[1])} ${m[2]} ${m[3]}${m[4] ? ' x' : ''}`);
  }
  return rows;
}

function ourRows(elf: string): string[] {
  const e = parseElf(readFileSync(elf), elf);
  const rows: LineRow[] = [];
  for (const u of readUnits({ debugInfo: e.sections.get('.debug_info')!, debugAbbrev: e.sections.get('.debug_abbrev')!, debugStr: e.sections.get('.debug_str'), debugLineStr: e.sections.get('.debug_line_str') })) {
    rows.push(...readLineProgram({ debugLine: e.sections.get('.debug_line')!, debugStr: e.sections.get('.debug_str'), debugLineStr: e.sections.get('.debug_line_str') },
      u.num(u.root, At.stmtList)!, u.str(u.root, At.compDir)));
  }
  return rows.map((r) => `${basename(r.file)} ${r.end ? '-' : r.line} 0x${r.address.toString(16)}${!r.end && r.isStmt ? ' x' : ''}`);
}

function nmSymbols(elf: string): Map<string, { address: number; type: string }> {
  const m = new Map<string, { address: number; type: string }>();
  for (const line of execFileSync('nm', [elf], { encoding: 'utf8' }).trim().split('\n')) {
    const [a, type, name] = line.trim().split(/\s+/);
    m.set(name, { address: parseInt(a, 16), type });
  }
  return m;
}

describe('DWARF line tables agree with objdump --dwarf=decodedline', () => {
  for (const bits of ['16', '32']) {
    for (const v of ['2', '3', '4', '5']) {
      test(`gcc -m${bits} -gdwarf-${v} + nasm -F dwarf`, () => {
        const elf = elfs.get(`m${bits}-v${v}`)!;
        const theirs = objdumpRows(elf);
        assert.ok(theirs.length > 20, `objdump printed ${theirs.length} rows`);
        assert.deepEqual(ourRows(elf), theirs);
      });
    }
  }
});

describe('functions, globals and paths', () => {
  test('every function and global nm lists, at its address; source paths exist', () => {
    for (const [name, elf] of elfs) {
      const info = readDebugInfo(parseElf(readFileSync(elf), elf), elf);
      const nm = nmSymbols(elf);
      for (const f of ['add', 'cmain', 'out']) {
        const fn = info.functions.find((x) => x.name === f);
        assert.ok(fn, `${name}: function ${f}`);
        assert.equal(fn.low, nm.get(f)!.address, `${name}: ${f} low_pc`);
        assert.ok(fn.high > fn.low);
        assert.equal(info.functionAt(fn.high - 1)?.name, f);
      }
      for (const g of ['counter', 'origin', 'banner']) assert.equal(info.global(g)?.address, nm.get(g)!.address, `${name}: global ${g}`);
      assert.equal(info.global('origin')?.type?.kind, 'struct');
      assert.equal(info.global('banner')?.type?.name, 'char[6]');
      const files = info.files().sort();
      assert.deepEqual(files, [join(dir, 'inc', 'util.h'), join(dir, 'main.c'), join(dir, 'start.asm')].sort(), name);
      for (const f of files) assert.ok(existsSync(f), f);
      const add = info.functions.find((x) => x.name === 'add')!;
      assert.deepEqual(add.locals.map((l) => l.name), ['a', 'b', 's'], `${name}: add's parameters and local`);
    }
  });

  test('frame rules agree with readelf --debug-dump=frames-interp: CFA register and offset, the saved EBP (.debug_frame and .eh_frame)', () => {
    assert.ok(parseElf(readFileSync(elfs.get('m32-eh')!), 'eh').sections.has('.eh_frame'));
    assert.ok(!parseElf(readFileSync(elfs.get('m32-eh')!), 'eh').sections.has('.debug_frame'));
    for (const name of ['m16-v4', 'm32-v5', 'm32-eh']) {
      const elf = elfs.get(name)!;
      const info = readDebugInfo(parseElf(readFileSync(elf), elf), elf);
      const text = execFileSync('readelf', ['--debug-dump=frames-interp', elf], { encoding: 'utf8' });
      // Rows: `LOC CFA ebp ra` — e.g. `00007c1e esp+4    u     c-4` / `00007c21 ebp+8    c-8   c-4`.
      let rows = 0;
      for (const m of text.matchAll(/^([0-9a-f]{8}) (e[sb]p)\+(\d+)\s+(u|c-8)\s+c-4\s*$/gm)) {
        const rule = info.frames.ruleAt(parseInt(m[1], 16))!;
        assert.equal(rule.cfaRegister, m[2] === 'esp' ? 4 : 5, `${name} ${m[0]}`);
        assert.equal(rule.cfaOffset, +m[3], `${name} ${m[0]}`);
        assert.equal(rule.saved.get(5), m[4] === 'u' ? undefined : -8, `${name} ${m[0]}`);
        rows++;
      }
      assert.ok(rows >= 9, `${name}: ${rows} rows compared`);
    }
  });

  test('address ↔ line: breakpoints move to the next line with code; a load offset moves every address', () => {
    const elf = elfs.get('m16-v5')!;
    const parsed = parseElf(readFileSync(elf), elf);
    const info = readDebugInfo(parsed, elf);
    const main = join(dir, 'main.c');
    const rows = objdumpRows(elf).filter((r) => r.startsWith('main.c ') && r.endsWith(' x'));
    const line14 = rows.find((r) => r.split(' ')[1] === '14')!;
    const at = info.breakpointAt(main, 14)!;
    assert.equal(at.address, parseInt(line14.split(' ')[2], 16));
    assert.equal(info.locate(at.address)?.line, 14);
    // Line 2 (a struct declaration) has no code: the first line after it that has code is out's.
    assert.equal(info.breakpointAt(main, 2)?.line, 6);
    assert.equal(info.breakpointAt(main, 400), undefined);
    const span = info.lineSpan(at.address)!;
    assert.ok(span.start <= at.address && span.end > at.address);
    const moved = readDebugInfo(parsed, elf, 0x10000);
    assert.equal(moved.breakpointAt(main, 14)?.address, at.address + 0x10000);
    assert.equal(moved.functions.find((f) => f.name === 'cmain')?.low, info.functions.find((f) => f.name === 'cmain')!.low + 0x10000);
    assert.equal(moved.global('counter')?.address, info.global('counter')!.address! + 0x10000);
  });

  test('loadSymbolFile reads an ELF: its symbols and its DWARF, FILE@OFFSET relocating both', () => {
    const elf = elfs.get('m32-v4')!;
    const f = loadSymbolFile(elf);
    assert.equal(f.format, 'elf');
    assert.equal(f.symbols.find((s) => s.name === 'cmain')?.address, nmSymbols(elf).get('cmain')!.address);
    const g = loadSymbolFile(`${elf}@0x100`);
    assert.equal(g.symbols.find((s) => s.name === 'cmain')?.address, nmSymbols(elf).get('cmain')!.address + 0x100);
    assert.equal(g.debug?.functions.find((x) => x.name === 'cmain')?.low, nmSymbols(elf).get('cmain')!.address + 0x100);
  });
});

describe('malformed ELF and DWARF', () => {
  test('an object file, ELF64, a truncated header: one clear error each', () => {
    const o = readFileSync(join(dir, 'm32-v5.o'));
    assert.throws(() => parseElf(o, 'm.o'), (e: Error) => e instanceof SymbolFileError && /object file \(ET_REL\)/.test(e.message));
    const e64 = Buffer.from(readFileSync(elfs.get('m32-v5')!));
    e64[4] = 2;
    assert.throws(() => parseElf(e64, 'x.elf'), /ELF64 is not read/);
    assert.throws(() => parseElf(e64.subarray(0, 30), 'x.elf'), /truncated ELF header/);
  });

  test('corrupted debug sections give a SymbolFileError or a table, never another exception', () => {
    const cases = [['m16-v5', '.debug_info'], ['m16-v5', '.debug_line'], ['m16-v5', '.debug_abbrev'], ['m16-v5', '.debug_frame'], ['m32-eh', '.eh_frame']]
      .map(([elf, name]) => {
        const good = readFileSync(elfs.get(elf)!);
        const s = parseElf(good, 'good').sections.get(name)!;
        return { good, start: s.byteOffset - good.byteOffset, length: s.length };
      });
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let i = 0; i < 750; i++) {
      const sec = cases[i % cases.length];
      const b = Buffer.from(sec.good);
      for (let k = 0; k < 1 + rand(4); k++) b[sec.start + rand(sec.length)] = rand(256);
      try {
        const info = readDebugInfo(parseElf(b, 'bad.elf'), 'bad.elf');
        for (const f of info.functions) info.frames.ruleAt(f.low + 3);
      } catch (e) {
        assert.ok(e instanceof SymbolFileError, `case ${i}: ${(e as Error).stack}`);
        assert.match((e as Error).message, /^bad\.elf: /);
      }
    }
  });
});
