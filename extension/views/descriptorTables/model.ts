// Builds the Descriptor Tables view from the adapter's answers (bootscope/readDescriptorTable for gdt, ldt and
// idt/ivt, bootscope/readTss, segment selectors from `evaluate`): entry linear addresses, gate targets, the entries
// the segment registers hold, and a one-line explanation per entry (SDM Vol. 3 §3.4.5, §5.5–5.8 #NP/#GP on loads,
// §6.11 gates, §7.2 TSS). Pure: no 'vscode', no Node.
import type { ReadDescriptorTableResponse, ReadTssResponse } from '../../../protocol/customRequests';
import type { CpuMode, DescriptorEntry, DescriptorTable, DescriptorTablesResponse, SegmentCache, TssState } from '../../../protocol/panels';
import { hex } from '../html';

const SEG_NAMES = ['cs', 'ds', 'es', 'ss', 'fs', 'gs', 'ldtr', 'tr'] as const;
type SegName = (typeof SEG_NAMES)[number];

function explainSegment(e: ReadDescriptorTableResponse['entries'][number], table: 'gdt' | 'ldt'): string {
  if (e.raw.length === 2 && e.raw[0] === 0 && e.raw[1] === 0) return table === 'gdt' && e.index === 0 ? 'null descriptor (selector 0 may be loaded into DS–GS, never CS or SS)' : 'empty (all zero)';
  if (!e.present) return `not present: loading it would raise #NP(${hex(e.selector & ~3, 4)})`;
  const g = (e.accessRights >> 15) & 1, db = (e.accessRights >> 14) & 1, s = (e.accessRights >> 4) & 1, type = e.accessRights & 0xf;
  if (e.target) return `${e.typeName} → ${hex(e.target.selector, 4).slice(2)}:${hex(e.target.offset, e.target.offset > 0xffff ? 8 : 4).slice(2)}, DPL ${e.dpl}`;
  if (!s && (type === 1 || type === 3 || type === 9 || type === 11)) {
    return `${type >= 9 ? '32' : '16'}-bit ${type & 2 ? 'busy' : 'available'} TSS, limit ${hex(e.limit, 2)}${type & 2 ? '' : ' (LTR or a task switch may load it)'}`;
  }
  if (!s && type === 2) return `LDT at ${hex(e.base, 8)}, limit ${hex(e.limit, 4)}`;
  const size = s ? `${db ? '32' : '16'}-bit ` : '';
  const span = `base ${hex(e.base, 8)}, limit ${hex(e.limit, g ? 8 : 5)}${g ? ' (4 KiB granular)' : ''}`;
  return `${size}${e.typeName}, ${span}, DPL ${e.dpl}`;
}

function explainGate(e: ReadDescriptorTableResponse['entries'][number], ivt: boolean): string {
  const t = e.target;
  if (ivt) return t ? `INT ${hex(e.index, 2).slice(2)}h → ${hex(t.selector, 4).slice(2)}:${hex(t.offset, 4).slice(2)}` : 'vector';
  if (!e.present) return `not present: INT ${hex(e.index, 2).slice(2)}h would raise #NP(${hex(e.index * 8 + 2, 4)})`;
  return t ? `${e.typeName} → ${hex(t.selector, 4).slice(2)}:${hex(t.offset, t.offset > 0xffff ? 8 : 4).slice(2)}, DPL ${e.dpl}${e.dpl < 3 ? ' (INT n from ring 3 raises #GP)' : ''}` : e.typeName;
}

/** Linear address of a selector:offset through the GDT/LDT rows (real-mode style when the CPU is in real mode). */
function targetLinear(sel: number, off: number, mode: CpuMode, gdt?: DescriptorTable, ldt?: DescriptorTable): number | undefined {
  if (mode === 'real' || mode === 'vm86') return ((sel << 4) + off) >>> 0;
  const t = sel & 4 ? ldt : gdt;
  const row = t?.entries.find((r) => r.index === sel >>> 3);
  return row?.base === undefined ? undefined : (row.base + off) >>> 0;
}

export interface DescriptorInputs {
  mode: CpuMode;
  segments: Partial<Record<SegName, SegmentCache>>;
  gdt?: ReadDescriptorTableResponse;
  ldt?: ReadDescriptorTableResponse;
  idt?: ReadDescriptorTableResponse;
  tss?: ReadTssResponse;
}

export function buildDescriptorView(inp: DescriptorInputs): DescriptorTablesResponse {
  const heldBy = (table: 'gdt' | 'ldt', index: number): string[] =>
    SEG_NAMES.filter((n) => {
      const s = inp.segments[n];
      if (!s || inp.mode === 'real' || inp.mode === 'vm86') return false;
      if (n === 'ldtr') return table === 'gdt' && s.selector >>> 3 === index && s.selector !== 0;
      return ((s.selector & 4) !== 0) === (table === 'ldt') && s.selector >>> 3 === index && (s.selector & ~3) !== 0;
    }).map((n) => n.toUpperCase());
  const segTable = (r: ReadDescriptorTableResponse | undefined, name: 'gdt' | 'ldt'): DescriptorTable | undefined => r && {
    name, base: r.base, limit: r.limit,
    entries: r.entries.map((e): DescriptorEntry => ({
      index: e.index, selector: e.selector, linear: (r.base + e.index * 8) >>> 0, raw: e.raw, type: e.typeName,
      base: e.target ? undefined : e.base, limit: e.target ? undefined : e.limit, dpl: e.dpl, present: e.present,
      db: (e.accessRights & 0x10) !== 0 ? ((e.accessRights >> 14) & 1) === 1 : undefined, g: ((e.accessRights >> 15) & 1) === 1,
      gate: e.target && { selector: e.target.selector, offset: e.target.offset },
      explain: explainSegment(e, name), cachedBy: heldBy(name, e.index),
    })),
  };
  const gdt = segTable(inp.gdt, 'gdt');
  const ldt = inp.ldt && inp.ldt.entries.length > 0 ? segTable(inp.ldt, 'ldt') : undefined;
  for (const t of [gdt, ldt]) for (const e of t?.entries ?? []) if (e.gate) e.gate.linear = targetLinear(e.gate.selector, e.gate.offset, inp.mode, gdt, ldt);
  const tables: DescriptorTable[] = [gdt, ldt].filter((t): t is DescriptorTable => t !== undefined);
  if (inp.idt) {
    const ivt = inp.idt.table === 'ivt';
    tables.push({
      name: ivt ? 'ivt' : 'idt', base: inp.idt.base, limit: inp.idt.limit,
      entries: inp.idt.entries.map((e): DescriptorEntry => ({
        index: e.index, selector: e.index, linear: (inp.idt!.base + e.index * (ivt ? 4 : 8)) >>> 0, raw: e.raw, type: ivt ? 'real-mode vector' : e.typeName,
        dpl: e.dpl, present: e.present,
        gate: e.target && { selector: e.target.selector, offset: e.target.offset, linear: targetLinear(e.target.selector, e.target.offset, ivt ? 'real' : inp.mode, gdt, ldt) },
        explain: explainGate(e, ivt),
      })),
    });
  }
  const segments = Object.fromEntries(SEG_NAMES.filter((n) => inp.segments[n]).map((n) => [n, inp.segments[n]!])) as DescriptorTablesResponse['segments'];
  return { mode: inp.mode, segments, tables, tss: inp.tss && tssState(inp.tss) };
}

/** Hides what would only be noise: the reset GDTR's 8192 slots and the LDT in real mode (SDM Vol. 3 §9.1.1), and
 *  all-zero entries (folded into a note). Works on the adapter's answer and on the fallback view alike. */
export function foldTables(view: DescriptorTablesResponse): DescriptorTablesResponse {
  for (const t of view.tables) {
    if (t.name === 'idt' && (view.mode === 'real' || view.mode === 'unreal')) t.name = 'ivt';
    if (t.name !== 'gdt' && t.name !== 'ldt') continue;
    if (view.mode === 'real' && t.name === 'gdt' && t.base === 0 && t.limit === 0xffff) {
      t.note = `real mode: the GDT is not in use (GDTR holds its reset value; ${t.entries.length} slots over the IVT and BDA not shown)`;
      t.entries = [];
      continue;
    }
    if (view.mode === 'real' && t.name === 'ldt') {
      t.note = 'real mode: the LDT is not in use';
      t.entries = [];
      continue;
    }
    const isEmpty = (e: DescriptorEntry) => e.index !== 0 && e.raw.length === 2 && e.raw[0] === 0 && e.raw[1] === 0;
    const empty = t.entries.filter(isEmpty).length;
    if (empty > 0) {
      t.entries = t.entries.filter((e) => !isEmpty(e));
      t.note = `${empty} empty (all-zero) entr${empty === 1 ? 'y' : 'ies'} not shown`;
    }
  }
  return view;
}

function tssState(t: ReadTssResponse): TssState {
  const f = new Map(t.fields.map((x) => [x.name.toLowerCase(), x.value]));
  const stacks = ([0, 1, 2] as const).filter((r) => f.has(`ss${r}`)).map((ring) => ({ ring, ss: f.get(`ss${ring}`)!, esp: f.get(`esp${ring}`) ?? f.get(`sp${ring}`) ?? 0 }));
  const hidden = new Set(['ss0', 'ss1', 'ss2', 'esp0', 'esp1', 'esp2', 'sp0', 'sp1', 'sp2', 'iomap']);
  return {
    selector: t.selector, base: t.base, limit: t.limit, width: t.bits, stacks,
    ioMapBase: f.get('iomap'),
    fields: t.fields.filter((x) => !hidden.has(x.name.toLowerCase())),
  };
}
