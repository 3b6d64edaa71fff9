// Reads the symbol files of `--symbols` / launch `symbols` (emulator/debug/symbols.ts parses text
// formats, elf.ts and debugInfo.ts ELF executables and their DWARF). `FILE@OFFSET` adds OFFSET to every
// address of FILE: symbols of a program linked at 0 and loaded elsewhere. Node only.

import { existsSync } from 'node:fs';
import { type SymbolDef, SymbolFileError, type SymbolFormat, SymbolTable, parseSymbolFile } from '../emulator/debug/symbols';
import { isElf, parseElf } from '../emulator/debug/elf';
import { type DebugInfo, readDebugInfo } from '../emulator/debug/debugInfo';
import { FileError, readInputFile } from './files';

export interface SymbolFile {
  path: string;
  format: SymbolFormat;
  symbols: SymbolDef[];
  /** An ELF file's DWARF (line table, functions, variables); absent for the text formats. */
  debug?: DebugInfo;
}

/** `FILE` or `FILE@OFFSET` (decimal or 0x hex); a file whose name holds the `@` is taken whole. */
function splitSpec(spec: string, resolvePath: (p: string) => string): { path: string; offset: number } {
  const m = /^(.+)@(0x[0-9a-f]+|\d+)$/i.exec(spec);
  if (!m || existsSync(resolvePath(spec))) return { path: spec, offset: 0 };
  const offset = Number(m[2]);
  if (offset > 0xffffffff) throw new FileError(`symbols '${spec}': load offset ${m[2]} is beyond 4 GiB`);
  return { path: m[1], offset };
}

/** Reads and parses one symbol file; a FileError says why it cannot be used (naming the line if unparsable). */
export function loadSymbolFile(spec: string, resolvePath: (p: string) => string = (p) => p): SymbolFile {
  const { path, offset } = splitSpec(spec, resolvePath);
  const full = resolvePath(path);
  const bytes = readInputFile(full, 'symbol file');
  try {
    if (isElf(bytes)) {
      const elf = parseElf(bytes, path);
      const debug = readDebugInfo(elf, path, offset);
      const symbols = elf.symbols.map((s) => ({ name: s.name, address: (s.address + offset) >>> 0 }));
      if (symbols.length === 0 && debug.rangeCount === 0) throw new SymbolFileError(`${path}: no symbols and no DWARF line table in this ELF file (stripped? build with -g and without -s)`);
      return { path: full, format: 'elf', symbols, debug };
    }
    const { format, symbols } = parseSymbolFile(bytes.toString('utf8'), path, offset);
    return { path: full, format, symbols };
  } catch (e) {
    throw e instanceof SymbolFileError ? new FileError(e.message) : e;
  }
}

/** What a loaded symbol file holds, for the debug console: `12 symbols (elf; DWARF 5: 2 files, 40 lines, 3 functions)`. */
export function describeSymbolFile(f: SymbolFile): string {
  const d = f.debug;
  const dwarf = d && d.rangeCount > 0
    ? `; DWARF ${d.versions.join('/')}: ${d.files().length} source files, ${d.rangeCount} line ranges, ${d.functions.length} functions, ${d.globals.length} globals`
    : d ? '; no DWARF line table (build with -g / nasm -F dwarf)' : '';
  return `${f.symbols.length} symbols (${f.format}${dwarf})`;
}

/** The symbols of several files (`--symbols`, repeatable), in one table. */
export function loadSymbolTable(specs: readonly string[]): SymbolTable {
  return new SymbolTable(specs.flatMap((s) => loadSymbolFile(s).symbols));
}
