// Program symbols: names of linear addresses, from NASM listing labels and from symbol files — GNU ld
// `-Map` files, `nm` output / System.map (`address type name`) and Bochs `ldsym` files (`address name`),
// the format told from the content (ELF executables: elf.ts). Addresses are linear (CS.base + offset),
// as every breakpoint address the debugger takes. Pure TypeScript: the host reads the files, this
// parses their text.

import type { Token } from '../disasm/tokens';

export interface SymbolDef {
  readonly name: string;
  /** Linear address. */
  readonly address: number;
}

/** 'elf': an ELF32 executable's symbol table (emulator/debug/elf.ts), with its DWARF beside. */
export type SymbolFormat = 'ld map' | 'nm' | 'ldsym' | 'elf';

/** An unparsable symbol file: the message names the file and the line. */
export class SymbolFileError extends Error {}

/** How far below an address the nearest symbol may be to name it (`name+0x…`). */
const NEAR_RANGE = 0x10000;

const isLocal = (name: string): boolean => name.startsWith('.');

/** Names ↔ linear addresses; the first definition of a name wins. */
export class SymbolTable {
  private readonly byName = new Map<string, number>();
  /** By address; at one address a global label before a local one (`.loop` reads better with its parent). */
  private readonly sorted: SymbolDef[] = [];

  constructor(defs: Iterable<SymbolDef>) {
    for (const d of defs) {
      if (this.byName.has(d.name)) continue;
      this.byName.set(d.name, d.address >>> 0);
      this.sorted.push({ name: d.name, address: d.address >>> 0 });
    }
    this.sorted.sort((a, b) => a.address - b.address || Number(isLocal(a.name)) - Number(isLocal(b.name)));
  }

  get size(): number {
    return this.sorted.length;
  }

  /** The linear address of a name (case-sensitive), as expressions look names up. */
  readonly lookup = (name: string): number | undefined => this.byName.get(name);

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Index of the first symbol above `linear`. */
  private upper(linear: number): number {
    let lo = 0, hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].address <= linear) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The symbol nearest at or below `linear` (within 64 KiB). */
  private below(linear: number): SymbolDef | undefined {
    const i = this.upper(linear >>> 0);
    if (i === 0) return undefined;
    let j = i - 1;
    const address = this.sorted[j].address;
    while (j > 0 && this.sorted[j - 1].address === address) j--;
    return (linear >>> 0) - address < NEAR_RANGE ? this.sorted[j] : undefined;
  }

  /** The name of a symbol at exactly this address. */
  at(linear: number): string | undefined {
    const s = this.below(linear);
    return s && s.address === linear >>> 0 ? s.name : undefined;
  }

  /** `name` or `name+0x12` for the nearest symbol at or below a linear address (within 64 KiB). */
  nearest(linear: number): string | undefined {
    const s = this.below(linear);
    if (!s) return undefined;
    const off = (linear >>> 0) - s.address;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  }
}

/**
 * The target of a relative branch in a disassembled instruction (its `address` token outside brackets
 * and not the offset of a far pointer), as a linear address when the listing's addresses are linear.
 */
export function branchTarget(tokens: readonly Token[]): number | undefined {
  let depth = 0;
  let prev: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '[') depth++;
    else if (t.kind === 'punct' && t.text === ']') depth--;
    else if (t.kind === 'address' && depth === 0 && !(prev?.kind === 'punct' && prev.text === ':')) return parseInt(t.text, 16);
    if (t.kind !== 'space') prev = t;
  }
  return undefined;
}

/** ` ; name+0x12` after an instruction that branches near a symbol, else ''. */
export function branchComment(tokens: readonly Token[], symbols: SymbolTable): string {
  const target = branchTarget(tokens);
  const name = target === undefined ? undefined : symbols.nearest(target);
  return name ? ` ; ${name}` : '';
}

const MAP_MARKERS = /^(Memory Configuration|Linker script and memory map|Archive member included|Discarded input sections|Allocating common symbols)\b/m;
const HEX = '(?:0x)?([0-9A-Fa-f]+)';
const NAME = '([^\\s=()]+)';
const NM_LINE = new RegExp(`^${HEX}\\s+(?:[0-9A-Fa-f]+\\s+)?([A-Za-z?-])\\s+${NAME}$`);
const NM_UNDEFINED = /^\s+[UwvV]\s+\S+$/;
const LDSYM_LINE = new RegExp(`^${HEX}\\s+${NAME}$`);
/** In a map file, a symbol is a line of just an address and a name (assignments carry `=`). */
const MAP_SYMBOL = /^\s+0x([0-9A-Fa-f]+)\s+([A-Za-z_.$][^\s=()]*)\s*$/;
/** nm types that name no code or data address: absolute values (equ constants), debug symbols. */
const NOT_AN_ADDRESS = new Set(['a', 'A', 'N', 'n', '-', '?', 'U', 'u']);

/** The format of a symbol file's text, or null when it is none of them. */
export function detectSymbolFormat(text: string): SymbolFormat | null {
  if (MAP_MARKERS.test(text)) return 'ld map';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (NM_LINE.test(line.trim()) || NM_UNDEFINED.test(line)) return 'nm';
    if (LDSYM_LINE.test(line.trim())) return 'ldsym';
    return null;
  }
  return null;
}

function address(hex: string, file: string, lineNo: number, offset: number): number {
  const v = parseInt(hex, 16) + offset;
  if (hex.replace(/^0+/, '').length > 8 || v > 0xffffffff) throw new SymbolFileError(`${file}:${lineNo}: address 0x${hex} is beyond 4 GiB`);
  return v >>> 0;
}

/**
 * Parses a symbol file. `offset` is added to every address (a file linked at 0 and loaded elsewhere).
 * Throws SymbolFileError naming `file` and the line for anything it cannot read.
 */
export function parseSymbolFile(text: string, file: string, offset = 0): { format: SymbolFormat; symbols: SymbolDef[] } {
  const format = detectSymbolFormat(text);
  if (!format) {
    const first = text.split(/\r?\n/).findIndex((l) => l.trim() !== '');
    if (first < 0) throw new SymbolFileError(`${file}: empty: a symbol file is an ld -Map file, nm output or a Bochs ldsym file`);
    throw new SymbolFileError(`${file}:${first + 1}: not a symbol file: expected an ld -Map file, nm output ('address type name') or a Bochs ldsym file ('address name')`);
  }
  const symbols: SymbolDef[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\s+$/, '');
    const lineNo = i + 1;
    if (format === 'ld map') {
      const m = MAP_SYMBOL.exec(raw);
      if (m) symbols.push({ name: m[2], address: address(m[1], file, lineNo, offset) });
      continue;
    }
    const line = raw.trim();
    // Blank lines, comments and the `file.o:` headers nm prints for several inputs.
    if (line === '' || line.startsWith('#') || line.startsWith(';') || (format === 'nm' && /^\S+:$/.test(line))) continue;
    if (format === 'nm') {
      if (NM_UNDEFINED.test(raw)) continue;
      const m = NM_LINE.exec(line);
      if (!m) throw new SymbolFileError(`${file}:${lineNo}: not an nm line ('address type name'): ${line.slice(0, 80)}`);
      if (!NOT_AN_ADDRESS.has(m[2])) symbols.push({ name: m[3], address: address(m[1], file, lineNo, offset) });
    } else {
      const m = LDSYM_LINE.exec(line);
      if (!m) throw new SymbolFileError(`${file}:${lineNo}: not an ldsym line ('address name'): ${line.slice(0, 80)}`);
      symbols.push({ name: m[2], address: address(m[1], file, lineNo, offset) });
    }
  }
  if (symbols.length === 0) throw new SymbolFileError(`${file}: no symbols in this ${format} file`);
  return { format, symbols };
}
