// Source-level debugging information of an ELF file's DWARF: the line table (address ↔ file:line),
// functions with their address ranges, locals and global variables, and the call frame information,
// all as linear addresses (the link address plus a load offset). The adapter maps source breakpoints,
// stack frames, line steps and C variables through it.
// Pure TypeScript: no Node or VS Code imports. DWARF 5 §6.2 (line tables), §3.3 (subprograms).

import type { ElfFile } from './elf';
import { DwarfError } from './dwarfCursor';
import { CallFrameTable, readDebugFrame } from './dwarfFrame';
import { type Die, At, Tag, type Unit, highPcIsOffset, readUnits } from './dwarfInfo';
import { type LineRow, readLineProgram } from './dwarfLines';
import { type DwarfType, type DwarfVariable, readType, variableOf } from './dwarfTypes';

/** A run of addresses [start, end) that belongs to one source line. */
export interface LineRange {
  start: number;
  end: number;
  file: string;
  line: number;
  isStmt: boolean;
}

export interface DwarfFunction {
  name: string;
  low: number;
  /** First address after the function. */
  high: number;
  /** DW_AT_frame_base expression (DW_OP_fbreg locals are relative to it). */
  frameBase?: Uint8Array;
  /** Parameters and locals (lexical blocks flattened), in declaration order. */
  locals: DwarfVariable[];
}

export class DebugInfo {
  /** Non-empty line ranges sorted by start address. */
  private readonly ranges: LineRange[];
  private readonly byFile = new Map<string, LineRange[]>();

  constructor(
    rows: readonly LineRow[],
    readonly functions: readonly DwarfFunction[],
    readonly globals: readonly DwarfVariable[],
    /** DWARF versions of the units (for the debug console's note). */
    readonly versions: readonly number[],
    /** Call frame information: frame bases and callers' registers for locals. */
    readonly frames: CallFrameTable = new CallFrameTable([]),
  ) {
    const ranges: LineRange[] = [];
    for (let i = 0; i + 1 < rows.length; i++) {
      const r = rows[i], next = rows[i + 1];
      if (r.end || next.address <= r.address) continue;
      ranges.push({ start: r.address, end: next.address, file: r.file, line: r.line, isStmt: r.isStmt });
    }
    ranges.sort((a, b) => a.start - b.start);
    this.ranges = ranges;
    for (const r of ranges) {
      let list = this.byFile.get(r.file);
      if (!list) this.byFile.set(r.file, (list = []));
      list.push(r);
    }
  }

  /** Source files with code, as the line table names them. */
  files(): string[] {
    return [...this.byFile.keys()];
  }

  get rangeCount(): number {
    return this.ranges.length;
  }

  /** Index of the line range that holds a linear address, or -1. */
  private indexAt(linear: number): number {
    const a = linear >>> 0;
    let lo = 0, hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid].start <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && a < this.ranges[lo - 1].end ? lo - 1 : -1;
  }

  /** The line range that holds a linear address, or undefined. */
  locate(linear: number): LineRange | undefined {
    const i = this.indexAt(linear);
    return i < 0 ? undefined : this.ranges[i];
  }

  /**
   * The addresses around `linear` that belong to the same file and line, adjacent ranges merged: what
   * one source-line step stays in.
   */
  lineSpan(linear: number): { start: number; end: number } | undefined {
    let i = this.indexAt(linear);
    if (i < 0) return undefined;
    const r = this.ranges[i];
    let start = r.start, end = r.end;
    for (let j = i - 1; j >= 0 && this.ranges[j].end === start && same(this.ranges[j], r); j--) start = this.ranges[j].start;
    for (i = i + 1; i < this.ranges.length && this.ranges[i].start === end && same(this.ranges[i], r); i++) end = this.ranges[i].end;
    return { start, end };
  }

  /** Every line range that begins a statement (is_stmt), in address order. */
  statements(): LineRange[] {
    return this.ranges.filter((r) => r.isStmt);
  }

  /** Whether a line-table row (a statement) begins exactly at this address. */
  isStatementStart(linear: number): boolean {
    const r = this.locate(linear);
    return r !== undefined && r.start === linear >>> 0 && r.isStmt;
  }

  /**
   * Where a breakpoint on `line` of `file` goes: the lowest statement address of that line, else of the
   * first line after it that has code (as gdb moves a breakpoint off a comment or blank line).
   */
  breakpointAt(file: string, line: number): { address: number; line: number } | undefined {
    let best: { address: number; line: number } | undefined;
    for (const r of this.byFile.get(file) ?? []) {
      if (!r.isStmt || r.line < line) continue;
      if (!best || r.line < best.line || (r.line === best.line && r.start < best.address)) best = { address: r.start, line: r.line };
    }
    return best;
  }

  /** The function whose range holds a linear address. */
  functionAt(linear: number): DwarfFunction | undefined {
    const a = linear >>> 0;
    let found: DwarfFunction | undefined;
    // The innermost (smallest) range wins, for nested or overlapping descriptions.
    for (const f of this.functions) if (a >= f.low && a < f.high && (!found || f.high - f.low < found.high - found.low)) found = f;
    return found;
  }

  global(name: string): DwarfVariable | undefined {
    return this.globals.find((g) => g.name === name);
  }
}

function same(a: LineRange, b: LineRange): boolean {
  return a.file === b.file && a.line === b.line;
}

/** .debug_frame, else the .eh_frame gcc emits unless told -fno-asynchronous-unwind-tables. */
function frameTable(elf: ElfFile, offset: number): CallFrameTable {
  const debug = elf.sections.get('.debug_frame');
  if (debug) return readDebugFrame(debug, offset);
  const eh = elf.sections.get('.eh_frame');
  return readDebugFrame(eh, offset, eh ? { address: elf.addresses.get('.eh_frame') ?? 0 } : null);
}

/** The name of a subprogram, through DW_AT_specification / DW_AT_abstract_origin when it has none itself. */
function nameOf(u: Unit, d: Die): string | undefined {
  for (let cur: Die | undefined = d, hops = 0; cur && hops < 8; hops++) {
    const n = u.str(cur, At.name) ?? u.str(cur, At.linkageName);
    if (n) return n;
    const ref: number | undefined = u.num(cur, At.specification) ?? u.num(cur, At.abstractOrigin);
    cur = ref === undefined ? undefined : u.dies.get(ref);
  }
  return undefined;
}

function collectLocals(u: Unit, d: Die, offset: number, out: DwarfVariable[], types: Map<number, DwarfType>): void {
  for (const ch of d.children) {
    if (ch.tag === Tag.formalParameter || ch.tag === Tag.variable) {
      const v = variableOf(u, ch, offset, types);
      if (v) out.push(v);
    } else if (ch.tag === Tag.lexicalBlock) collectLocals(u, ch, offset, out, types);
  }
}

/**
 * Reads the DWARF of an ELF file. `offset` is added to every address (code linked at one address and
 * loaded at another). Throws DwarfError (a SymbolFileError) naming `file` for malformed data; a file
 * without .debug_line / .debug_info gives an empty table.
 */
export function readDebugInfo(elf: ElfFile, file: string, offset = 0): DebugInfo {
  const sec = (n: string) => elf.sections.get(n);
  try {
    const debugInfo = sec('.debug_info'), debugAbbrev = sec('.debug_abbrev'), debugLine = sec('.debug_line');
    const units = debugInfo && debugAbbrev ? readUnits({
      debugInfo, debugAbbrev, debugStr: sec('.debug_str'), debugLineStr: sec('.debug_line_str'),
      debugStrOffsets: sec('.debug_str_offsets'), debugAddr: sec('.debug_addr'),
    }) : [];
    const rows: LineRow[] = [];
    const functions: DwarfFunction[] = [];
    const globals: DwarfVariable[] = [];
    const types = new Map<number, DwarfType>();
    const seenPrograms = new Set<number>();
    for (const u of units) {
      const cu = u.root;
      const stmt = u.num(cu, At.stmtList);
      if (debugLine && stmt !== undefined && !seenPrograms.has(stmt)) {
        seenPrograms.add(stmt);
        for (const r of readLineProgram({ debugLine, debugStr: sec('.debug_str'), debugLineStr: sec('.debug_line_str') }, stmt, u.str(cu, At.compDir) ?? '')) {
          rows.push({ ...r, address: (r.address + offset) >>> 0 });
        }
      }
      const walk = (d: Die) => {
        for (const ch of d.children) {
          if (ch.tag === Tag.subprogram) {
            const low = u.num(ch, At.lowPc), high = u.num(ch, At.highPc);
            const name = nameOf(u, ch);
            if (low !== undefined && high !== undefined && name) {
              const end = highPcIsOffset(ch) ? low + high : high;
              const locals: DwarfVariable[] = [];
              collectLocals(u, ch, offset, locals, types);
              functions.push({ name, low: (low + offset) >>> 0, high: (end + offset) >>> 0, frameBase: u.block(ch, At.frameBase), locals });
            }
          } else if (ch.tag === Tag.variable) {
            const v = variableOf(u, ch, offset, types);
            if (v && v.address !== undefined) globals.push(v);
          } else if (ch.tag === Tag.lexicalBlock) walk(ch);
        }
      };
      walk(cu);
    }
    return new DebugInfo(rows, functions, globals, [...new Set(units.map((u) => u.version))], frameTable(elf, offset));
  } catch (e) {
    if (e instanceof DwarfError) throw new DwarfError(`${file}: ${e.message}`);
    throw e;
  }
}

export type { DwarfType, DwarfVariable };
export { readType };
