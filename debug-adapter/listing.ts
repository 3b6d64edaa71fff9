// NASM listing files (`nasm -l`) as the source map: each source line that emits bytes gets a linear
// address (org/vstart + offset), labels become symbols. Source breakpoints, stack-frame locations,
// disassembly symbols and function breakpoints by name use it. A listing `boot.lst` belongs to the
// source with the same stem (`boot.asm`, `boot.nasm`, `boot.s`) in the same directory or a sibling one.
// Node only; must not import vscode. NASM manual §2.1.3 (-l), §8.1.1 (ORG), §8.1.3 (VSTART).

import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readInputFile } from '../host/files';
import { type SymbolDef, SymbolTable } from '../emulator/debug/symbols';
import { DwarfSources } from './dwarfSources';

export interface ListingLine {
  line: number;
  address: number;
  length: number;
}

export interface SourceMap {
  listing: string;
  /** The source file this listing was made from (best guess by stem), absolute. */
  source: string;
  lines: ListingLine[];
  symbols: Map<string, number>;
}

const ENTRY = /^\s*(\d+)\s+([0-9A-F]{8})\s+([0-9A-F()[\]<>a-z-]+)/;
const PLAIN = /^\s*(\d+)\s{2,}/;
const INCLUDED = /^\s*\d+\s+(?:[0-9A-F]{8}\s+\S+\s+)?<\d+>/;
const SOURCE_COLUMN = 40;

function num(text: string): number | null {
  const t = text.trim().toLowerCase();
  let v: number;
  if (/^0x[0-9a-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9][0-9a-f]*h$/.test(t)) v = parseInt(t.slice(0, -1), 16);
  else if (/^\$[0-9a-f]+$/.test(t)) v = parseInt(t.slice(1), 16);
  else if (/^\d+$/.test(t)) v = parseInt(t, 10);
  else return null;
  return v;
}

/** Parses listing text; `origin` applies when the source has no ORG (default 0x7C00, a boot sector). */
export function parseListing(text: string, listingPath: string, origin = 0x7c00): SourceMap {
  let base = origin;
  const lines: ListingLine[] = [];
  const symbols = new Map<string, number>();
  const pendingLabels: string[] = [];
  let lastLine = -1;
  for (const raw of text.split(/\r?\n/)) {
    if (INCLUDED.test(raw)) continue;
    const e = ENTRY.exec(raw);
    const p = e ? null : PLAIN.exec(raw);
    if (!e && !p) continue;
    const lineNo = +(e ? e[1] : p![1]);
    const src = raw.length > SOURCE_COLUMN ? raw.slice(SOURCE_COLUMN).replace(/;.*$/, '') : '';
    const org = /^\s*\[?\s*org\s+([^\]\s]+)/i.exec(src);
    if (org && num(org[1]) !== null) base = num(org[1])!;
    const vstart = /^\s*\[?\s*section\s+\S+.*\bvstart=(\S+)/i.exec(src);
    if (vstart && num(vstart[1]) !== null) base = num(vstart[1])!;
    const label = /^\s*([A-Za-z_.?@$][\w.?@$#~]*):/.exec(src);
    if (label) pendingLabels.push(label[1]);
    if (!e) continue;
    const address = (base + parseInt(e[2], 16)) >>> 0;
    for (const l of pendingLabels) symbols.set(l, address);
    pendingLabels.length = 0;
    // A long instruction continues on the next listing line with the same number: keep the first.
    if (lineNo === lastLine) continue;
    lastLine = lineNo;
    const bytes = e[3].replace(/-$/, '');
    const rep = /<rep\s+([0-9A-F]+)h>/i.exec(raw);
    const length = rep ? parseInt(rep[1], 16) * (bytes.replace(/<.*$/, '').length / 2) : bytes.replace(/[^0-9A-F]/g, '').length / 2;
    lines.push({ line: lineNo, address, length });
  }
  return { listing: listingPath, source: guessSource(listingPath), lines, symbols };
}

const SOURCE_EXTS = ['.asm', '.nasm', '.s', '.S', '.inc'];

/**
 * A listing does not name its source: the file with the same stem beside it, else in a sibling folder (a `build/`
 * output next to the source folders, as examples/ is laid out), else the guess beside it.
 */
function guessSource(listingPath: string): string {
  const name = basename(listingPath, extname(listingPath));
  const dir = dirname(listingPath);
  const parent = dirname(dir);
  let siblings: string[] = [];
  try {
    siblings = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(parent, d.name)).filter((d) => d !== dir);
  } catch { /* no parent listing: only beside the listing */ }
  for (const d of [dir, ...siblings]) {
    for (const ext of SOURCE_EXTS) if (existsSync(join(d, name + ext))) return resolve(join(d, name + ext));
  }
  return resolve(join(dir, name + '.asm'));
}

export function loadListing(path: string): SourceMap {
  return parseListing(readInputFile(path, 'listing').toString('utf8'), resolve(path));
}

function stem(p: string): string {
  return basename(p, extname(p)).toLowerCase();
}

export class SourceMaps {
  /** Listing labels first, then the symbol files' names (launch `symbols`); the first definition of a name wins. */
  readonly symbols: SymbolTable;

  constructor(readonly maps: SourceMap[], fileSymbols: readonly SymbolDef[] = [], readonly dwarf = new DwarfSources([])) {
    this.symbols = new SymbolTable([
      ...maps.flatMap((m) => [...m.symbols].map(([name, address]) => ({ name, address }))),
      ...fileSymbols,
    ]);
  }

  /** The listing for a source path: exact source match, else the same stem, else the only listing. */
  forSource(path: string): SourceMap | null {
    const abs = resolve(path);
    return this.maps.find((m) => m.source === abs)
      ?? this.maps.find((m) => stem(m.source) === stem(path))
      ?? (this.maps.length === 1 ? this.maps[0] : null);
  }

  /** The first line at or after `line` that emits bytes, with its address. */
  resolveLine(map: SourceMap, line: number): ListingLine | null {
    let best: ListingLine | null = null;
    for (const l of map.lines) {
      if (l.line >= line && l.length > 0 && (!best || l.line < best.line)) best = l;
    }
    return best;
  }

  /** Source location of a linear address: the listing line whose bytes contain it, else the DWARF line. */
  locate(linear: number): { source: string; line: number } | null {
    for (const m of this.maps) {
      for (const l of m.lines) if (linear >= l.address && linear < l.address + Math.max(1, l.length)) return { source: m.source, line: l.line };
    }
    return this.dwarf.locate(linear);
  }

  /**
   * The address of a source line (a breakpoint, a goto target): through the DWARF line table of a
   * source it has, else the listing; the line moves to the next one with code. Or why there is none.
   */
  resolveSourceLine(path: string, line: number): { address: number; line: number; source: string } | { problem: string } {
    if (this.dwarf.hasSource(path)) return this.dwarf.breakpointAt(path, line);
    const map = this.forSource(path);
    if (!map) {
      return { problem: `no NASM listing or DWARF line table for ${path}: add "listing": "<file>.lst" (nasm -l), or an ELF file built with -g (gcc) or -F dwarf (nasm) to "symbols", or set an address breakpoint (SSSS:OOOO)` };
    }
    const at = this.resolveLine(map, line);
    return at ? { address: at.address, line: at.line, source: map.source } : { problem: `no code at or after line ${line} in ${map.listing}` };
  }

  /** The lookup expressions use: names of listing labels and symbol files. */
  readonly lookup = (name: string): number | undefined => this.symbols.lookup(name);

  /** Every symbol name, for completions. */
  symbolNames(): string[] {
    return this.symbols.names();
  }

  symbol(name: string): number | undefined {
    return this.symbols.lookup(name);
  }

  /** `name` or `name+0x12` for the nearest symbol at or below a linear address (within 64 KiB), if any. */
  nearestSymbol(linear: number): string | undefined {
    return this.symbols.nearest(linear);
  }

  /** Name of a symbol at exactly this address. */
  symbolAt(linear: number): string | undefined {
    return this.symbols.at(linear);
  }
}
