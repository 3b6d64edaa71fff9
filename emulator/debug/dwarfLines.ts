// .debug_line: the line-number programs of DWARF 2–5, run to the rows of their line tables
// (address, file, line, is_stmt, end_sequence). File names come out as paths joined with their
// include directory and the unit's compilation directory. Pure TypeScript: no Node or VS Code imports.
// DWARF 5 §6.2 (line number information); DWARF 2–4 §6.2 for the older header layouts.

import { Cursor, DwarfError, Form, readForm, stringAt, type UnitShape } from './dwarfCursor';

export interface LineRow {
  address: number;
  /** Path of the source file (absolute when the unit recorded a compilation directory). */
  file: string;
  line: number;
  isStmt: boolean;
  /** The first address after a sequence: no code of its own. */
  end: boolean;
}

export interface LineSections {
  debugLine: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_negate_stmt = 6;
const DW_LNS_const_add_pc = 8, DW_LNS_fixed_advance_pc = 9;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_define_file = 3;
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;

/** `dir/name`, unless name is absolute; `..` and `.` components kept as written (no host path rules here). */
export function joinPath(dir: string, name: string): string {
  if (!dir || name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return name;
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}

/** DWARF 5 directory/file entry formats: (content type, form) pairs, then the entries. */
function entries(c: Cursor, u: UnitShape, s: LineSections): { path: string; dir: number }[] {
  const formats: [number, number][] = [];
  for (let n = c.u8(); n > 0; n--) formats.push([c.uleb(), c.uleb()]);
  const out: { path: string; dir: number }[] = [];
  for (let n = c.uleb(); n > 0; n--) {
    let path = '', dir = 0;
    for (const [type, form] of formats) {
      const v = readForm(c, form, u);
      if (type === DW_LNCT_path) {
        path = typeof v === 'string' ? v
          : form === Form.lineStrp ? stringAt(s.debugLineStr, v as number, '.debug_line_str')
            : form === Form.strp ? stringAt(s.debugStr, v as number, '.debug_str')
              : '';
      } else if (type === DW_LNCT_directory_index && typeof v === 'number') dir = v;
    }
    out.push({ path, dir });
  }
  return out;
}

/**
 * Runs the line program at `offset` of .debug_line. `compDir` is the unit's DW_AT_comp_dir (directory
 * 0 before DWARF 5). Rows come in program order; each sequence ends with an `end` row.
 */
export function readLineProgram(s: LineSections, offset: number, compDir = ''): LineRow[] {
  const c = new Cursor(s.debugLine, offset, '.debug_line');
  const { length, offsetSize } = c.unitLength();
  const unitEnd = c.pos + length;
  if (unitEnd > s.debugLine.length) throw new DwarfError(`.debug_line: the unit at 0x${offset.toString(16)} runs past the section`);
  const version = c.u16();
  if (version < 2 || version > 5) throw new DwarfError(`.debug_line: version ${version} at 0x${offset.toString(16)} is not DWARF 2–5`);
  let addressSize = 4;
  if (version >= 5) {
    addressSize = c.u8();
    c.u8(); // segment selector size
  }
  const headerLength = c.uint(offsetSize);
  const programStart = c.pos + headerLength;
  const minInst = c.u8();
  if (version >= 4) c.u8(); // maximum_operations_per_instruction: 1 on x86 (no VLIW op_index)
  const defaultIsStmt = c.u8() !== 0;
  const lineBase = c.i8(), lineRange = c.u8(), opcodeBase = c.u8();
  if (lineRange === 0) throw new DwarfError(`.debug_line: line_range 0 at 0x${offset.toString(16)}`);
  const argCounts = [0];
  for (let i = 1; i < opcodeBase; i++) argCounts.push(c.u8());
  const u: UnitShape = { version, addressSize, offsetSize };
  let dirs: string[], files: string[];
  if (version >= 5) {
    dirs = entries(c, u, s).map((d) => d.path);
    files = entries(c, u, s).map((f) => joinPath(joinPath(compDir, dirs[f.dir] ?? ''), f.path));
  } else {
    dirs = [compDir];
    for (let d = c.cstring(); d; d = c.cstring()) dirs.push(joinPath(compDir, d));
    // Files count from 1 before DWARF 5: index 0 is unused.
    files = [''];
    for (let f = c.cstring(); f; f = c.cstring()) {
      const dir = c.uleb();
      c.uleb();
      c.uleb();
      files.push(joinPath(dirs[dir] ?? compDir, f));
    }
  }
  c.pos = programStart;
  const rows: LineRow[] = [];
  let address = 0, file = 1, line = 1, isStmt = defaultIsStmt;
  const reset = () => { address = 0; file = 1; line = 1; isStmt = defaultIsStmt; };
  const emit = (end: boolean) => rows.push({ address: address >>> 0, file: files[file] ?? `file ${file}`, line, isStmt, end });
  while (c.pos < unitEnd) {
    const op = c.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = c.uleb();
        const next = c.pos + len;
        const sub = len > 0 ? c.u8() : 0;
        if (sub === DW_LNE_end_sequence) {
          emit(true);
          reset();
        } else if (sub === DW_LNE_set_address) {
          address = c.uint(len - 1);
        } else if (sub === DW_LNE_define_file) {
          const name = c.cstring();
          const dir = c.uleb();
          files.push(joinPath(dirs[dir] ?? compDir, name));
        }
        c.pos = next;
        break;
      }
      case DW_LNS_copy: emit(false); break;
      case DW_LNS_advance_pc: address += c.uleb() * minInst; break;
      case DW_LNS_advance_line: line += c.sleb(); break;
      case DW_LNS_set_file: file = c.uleb(); break;
      case DW_LNS_negate_stmt: isStmt = !isStmt; break;
      case DW_LNS_const_add_pc: address += Math.floor((255 - opcodeBase) / lineRange) * minInst; break;
      case DW_LNS_fixed_advance_pc: address += c.u16(); break;
      default:
        // set_column, basic_block, prologue_end, epilogue_begin, isa and opcodes of later versions:
        // their operands are ULEB128s, as many as the header says.
        for (let i = 0; i < argCounts[op]; i++) c.uleb();
    }
  }
  return rows;
}
