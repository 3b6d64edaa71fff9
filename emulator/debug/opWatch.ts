// Wraps the dispatch entries whose opcode-table rows a query picks ("loads a segment register", "is a
// call"), so a debugger watches instructions by what they do, not by opcode numbers: a new row is
// watched by the queries it matches. Where only some forms of an opcode match (FF /3 among INC, JMP,
// PUSH), the wrapper is a FormWatcher: the other forms run unwrapped and stay compilable.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 2 Appendix A (opcode map).

import { type AfterWatcher, type Cpu, type CpuModel, type FormWatcher, type Handler } from '../cpu/cpu';
import { reachableRows } from '../cpu/dispatch';
import { OP32 } from '../cpu/exec/table';
import { opMap, selectRow } from '../decode/opmap';
import { decodeTier, type OpRow } from '../decode/table';

export interface WatchedEntry {
  /** Index into cpu.ops (0F map | 0x100, 32-bit operand size | 0x200). */
  readonly index: number;
  /** The rows that decode there (selectRow picks a group's form by ModRM). */
  readonly rows: readonly OpRow[];
  /** 1 per ModRM byte whose form matches; null when every form does. */
  readonly forms: Uint8Array | null;
}

/** The dispatch entries of a CPU model with a row `pick` selects. */
export function entriesWhere(model: CpuModel, pick: (row: OpRow) => boolean): WatchedEntry[] {
  const map = opMap(decodeTier(model));
  const out: WatchedEntry[] = [];
  for (let i = 0; i < 0x200; i++) {
    const rows = map.rows[i];
    const reachable = reachableRows(rows);
    const picked = reachable.filter(pick);
    if (picked.length === 0) continue;
    let forms: Uint8Array | null = null;
    if (picked.length < reachable.length) {
      forms = new Uint8Array(256);
      for (let m = 0; m < 256; m++) {
        const any = [false, true].some((p66) => [false, true].some((pF3) => {
          const r = selectRow(rows, m, p66, pF3);
          return r !== null && pick(r);
        }));
        forms[m] = any ? 1 : 0;
      }
    }
    out.push({ index: i, rows, forms }, { index: i | OP32, rows, forms });
  }
  return out;
}

/** The ModRM byte of the instruction a handler is about to run (eip is past the opcode). */
export function peekModrm(cpu: Cpu): number {
  const at = cpu.eip;
  const m = cpu.fetch8();
  cpu.eip = at;
  return m;
}

/** Runs `h`, then `after`: a compiled block keeps a transfer's native code and calls `after` behind it. */
export function afterWatcher(h: Handler, after: Handler): AfterWatcher {
  return Object.assign((c: Cpu) => {
    h(c);
    after(c);
  }, { inner: h, after });
}

/**
 * Replaces each entry `pick` selects, and the `extra` indexes no row describes (the BIOS trap), by
 * `wrap(handler, entry)`, run only for the matching forms; returns the function that puts the
 * replaced entries back (undo watches in reverse order).
 */
export function watchOps(
  cpu: Cpu, pick: (row: OpRow) => boolean, wrap: (h: Handler, entry: WatchedEntry) => Handler,
  extra: readonly number[] = [],
): () => void {
  const saved = new Map<number, Handler>();
  const entries = [...entriesWhere(cpu.model, pick), ...extra.map((index) => ({ index, rows: [], forms: null }))];
  for (const e of entries) {
    const h = cpu.ops[e.index];
    saved.set(e.index, h);
    const w = wrap(h, e);
    const forms = e.forms;
    cpu.ops[e.index] = forms === null ? w : Object.assign((c: Cpu) => (forms[peekModrm(c)] ? w(c) : h(c)), {
      inner: h, watches: (m: number) => forms[m] === 1,
    }) satisfies FormWatcher;
  }
  cpu.opsChanged();
  return () => {
    for (const [i, h] of saved) cpu.ops[i] = h;
    cpu.opsChanged();
  };
}
