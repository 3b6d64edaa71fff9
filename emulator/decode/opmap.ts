// Builds, once per CPU model, the lookup the decoder uses: for each opcode (0x000–0x0FF one-byte map,
// 0x100–0x1FF the 0F map) the rows available on that model, plus the prefix bytes it knows.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 2 §2.1 (instruction format), Appendix A.
import {
  tierRank, ONE_BYTE_ROWS, QUIRK_8086_ROWS, T_8086, T_P66, T_PF3, T_PREFIX, type DecodeTier, type OpRow,
} from './table';
import { TWO_BYTE_ROWS } from './table0f';
import { X87_ROWS } from './tableX87';

/** Every row of every map, in table order (for tests and for handler binding). */
export const ALL_ROWS: readonly OpRow[] = [...ONE_BYTE_ROWS, ...QUIRK_8086_ROWS, ...TWO_BYTE_ROWS, ...X87_ROWS];

export interface OpMap {
  readonly model: DecodeTier;
  /** Rows per map index: opcode byte, or 0x100 + second byte for the 0F map. Empty: undefined opcode. */
  readonly rows: readonly (readonly OpRow[])[];
  /** 1 where the byte is a prefix on this model (26 2E 36 3E F0 F2 F3, and 64–67 from the 386). */
  readonly isPrefix: Uint8Array;
  /** 1 where the opcode (map index) has a ModRM byte in every form. */
  readonly hasModrm: Uint8Array;
  /** Whether 0F starts the two-byte map (286+) rather than being POP CS (8086). */
  readonly twoByte: boolean;
}

/** Map index of a row: 0x00–0xFF, or 0x100 + byte for 0F xx. */
export function mapIndex(opcode: number): number {
  return opcode >= 0x0f00 ? 0x100 | (opcode & 0xff) : opcode;
}

function build(model: DecodeTier): OpMap {
  const rank = tierRank(model);
  const rows: OpRow[][] = Array.from({ length: 0x200 }, () => []);
  // On the 8086 a quirk row replaces the rows of its opcode with the same selector (all of them for '').
  const quirks = model === '8086' ? QUIRK_8086_ROWS : [];
  const replaced = (r: OpRow) => quirks.some((q) => q.opcode === r.opcode && (q.sel === '' || q.sel === r.sel));
  for (const r of [...quirks, ...ALL_ROWS.filter((x) => !(x.tags & T_8086))]) {
    if (!(r.tags & T_8086) && replaced(r)) continue;
    if (tierRank(r.model) > rank) continue;
    if (model === '8086' && r.opcode >= 0x0f00) continue;
    for (let k = 0; k < r.count; k++) rows[mapIndex(r.opcode) + k].push(r);
  }
  const isPrefix = new Uint8Array(256);
  const hasModrm = new Uint8Array(0x200);
  for (let i = 0; i < 0x200; i++) {
    const list = rows[i];
    if (i < 0x100 && list.length === 1 && (list[0].tags & T_PREFIX) !== 0) isPrefix[i] = 1;
    if (list.length > 0 && list.every((r) => r.hasModrm)) hasModrm[i] = 1;
  }
  return { model, rows, isPrefix, hasModrm, twoByte: model !== '8086' };
}

const cache = new Map<DecodeTier, OpMap>();

/** The opcode map for a model (built on first use, then shared). */
let last: OpMap | null = null;

export function opMap(model: DecodeTier): OpMap {
  if (last !== null && last.model === model) return last;
  let m = cache.get(model);
  if (!m) cache.set(model, (m = build(model)));
  return (last = m);
}

/**
 * The row of `list` that matches a ModRM byte (or -1 when the opcode has none) and the prefixes seen
 * (`p66`: an operand-size prefix, `pF3`: a REP prefix, for rows with a mandatory prefix); null when none does.
 */
export function selectRow(list: readonly OpRow[], modrm: number, p66 = false, pF3 = false): OpRow | null {
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if ((r.tags & T_P66 && !p66) || (r.tags & T_PF3 && !pF3)) continue;
    if (modrm < 0 || !r.hasModrm) return r;
    if (r.modrmLo >= 0) {
      if (modrm >= r.modrmLo && modrm <= r.modrmHi) return r;
      continue;
    }
    const mod = modrm >> 6;
    if (r.reg >= 0 && ((modrm >> 3) & 7) !== r.reg) continue;
    if (r.mod === 'mem' && mod === 3) continue;
    if (r.mod === 'reg' && mod !== 3) continue;
    if (r.rm >= 0 && (modrm & 7) !== r.rm) continue;
    return r;
  }
  return null;
}
