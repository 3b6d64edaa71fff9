// Reads the symbol files of `--symbols` / launch `symbols` (emulator/debug/symbols.ts parses them).
// `FILE@OFFSET` adds OFFSET to every address of FILE: symbols of a program linked at 0 and loaded
// elsewhere. Node only.

import { existsSync } from 'node:fs';
import { type SymbolDef, SymbolFileError, type SymbolFormat, SymbolTable, parseSymbolFile } from '../emulator/debug/symbols';
import { FileError, readInputFile } from './files';

export interface SymbolFile {
  path: string;
  format: SymbolFormat;
  symbols: SymbolDef[];
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
  const text = readInputFile(full, 'symbol file').toString('utf8');
  try {
    const { format, symbols } = parseSymbolFile(text, path, offset);
    return { path: full, format, symbols };
  } catch (e) {
    throw e instanceof SymbolFileError ? new FileError(e.message) : e;
  }
}

/** The symbols of several files (`--symbols`, repeatable), in one table. */
export function loadSymbolTable(specs: readonly string[]): SymbolTable {
  return new SymbolTable(specs.flatMap((s) => loadSymbolFile(s).symbols));
}
