// The DWARF of the ELF files in launch `symbols` as a source map: each line-table file name mapped to a
// file on this machine (as the compiler recorded it, else beside the ELF file), source breakpoints
// resolved to addresses, addresses located to file:line, and the line spans line steps run in.
// Node only; must not import vscode. DWARF 5 §6.2.

import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DebugInfo, DwarfFunction } from '../emulator/debug/debugInfo';
import type { DwarfVariable } from '../emulator/debug/dwarfTypes';
import type { LineTable } from '../emulator/debug/lineStep';

export interface DwarfFile {
  /** The ELF file (absolute). */
  path: string;
  debug: DebugInfo;
}

export class DwarfSources implements LineTable {
  /** Line-table file name → local path, per ELF file. */
  private readonly local: Map<string, string>[];
  /** Local path → the ELF files' names for it. */
  private readonly byLocal = new Map<string, { info: DebugInfo; name: string; elf: string }[]>();

  constructor(private readonly files: readonly DwarfFile[]) {
    this.local = files.map((f) => {
      const m = new Map<string, string>();
      for (const name of f.debug.files()) {
        // A build elsewhere (another checkout, a container) recorded paths this machine lacks.
        const here = existsSync(name) ? resolve(name) : resolve(join(dirname(f.path), basename(name)));
        m.set(name, here);
        let list = this.byLocal.get(here);
        if (!list) this.byLocal.set(here, (list = []));
        list.push({ info: f.debug, name, elf: f.path });
      }
      return m;
    });
  }

  get empty(): boolean {
    return this.byLocal.size === 0;
  }

  /** The line-table entries for a source path: the same file, else the only file with that name. */
  private entries(path: string): { info: DebugInfo; name: string; elf: string }[] {
    const exact = this.byLocal.get(resolve(path));
    if (exact) return exact;
    const same = [...this.byLocal.keys()].filter((k) => basename(k) === basename(path));
    return same.length === 1 ? this.byLocal.get(same[0])! : [];
  }

  hasSource(path: string): boolean {
    return this.entries(path).length > 0;
  }

  /**
   * Where a breakpoint on `line` of `path` goes (the line's lowest statement address, else the next line
   * with code), with the local path of the source; or why there is none.
   */
  breakpointAt(path: string, line: number): { address: number; line: number; source: string } | { problem: string } {
    let best: { address: number; line: number; source: string } | undefined;
    const list = this.entries(path);
    for (const e of list) {
      const at = e.info.breakpointAt(e.name, line);
      if (at && (!best || at.line < best.line)) best = { ...at, source: this.localPath(e.info, e.name) };
    }
    if (best) return best;
    return { problem: `no code at or after line ${line} of ${basename(path)} in the DWARF line table of ${list.map((e) => basename(e.elf)).join(', ')}` };
  }

  private localPath(info: DebugInfo, name: string): string {
    return this.local[this.files.findIndex((f) => f.debug === info)].get(name) ?? name;
  }

  /** The source file and line of a linear address. */
  locate(linear: number): { source: string; line: number } | null {
    for (const f of this.files) {
      const r = f.debug.locate(linear);
      if (r) return { source: this.localPath(f.debug, r.file), line: r.line };
    }
    return null;
  }

  /** Where every statement of another line than `except` begins (a step back by line stops at the last one run). */
  statementStarts(except: { source: string; line: number }): number[] {
    const out = new Set<number>();
    for (const f of this.files) {
      for (const r of f.debug.statements()) if (r.line !== except.line || this.localPath(f.debug, r.file) !== except.source) out.add(r.start);
    }
    return [...out];
  }

  lineSpan(linear: number): { start: number; end: number } | undefined {
    for (const f of this.files) {
      const s = f.debug.lineSpan(linear);
      if (s) return s;
    }
    return undefined;
  }

  isStatementStart(linear: number): boolean {
    return this.files.some((f) => f.debug.isStatementStart(linear));
  }

  /** The DWARF of the ELF file that describes a linear address (a function or a line there). */
  infoAt(linear: number): DebugInfo | undefined {
    return this.files.find((f) => f.debug.functionAt(linear) || f.debug.locate(linear))?.debug;
  }

  isFunctionStart(linear: number): boolean {
    return this.functionAt(linear)?.low === linear >>> 0;
  }

  functionAt(linear: number): DwarfFunction | undefined {
    for (const f of this.files) {
      const fn = f.debug.functionAt(linear);
      if (fn) return fn;
    }
    return undefined;
  }

  global(name: string): DwarfVariable | undefined {
    for (const f of this.files) {
      const g = f.debug.global(name);
      if (g) return g;
    }
    return undefined;
  }

  globals(): DwarfVariable[] {
    return this.files.flatMap((f) => [...f.debug.globals]);
  }
}
