// Trace diff against QEMU: parses our `--trace` JSON Lines and a QEMU `-d cpu,exec,nochain[,in_asm]`
// log or qemu_trace.py's condensed format, keeps guest instructions only (a linear range, BIOS
// ranges excluded, SMM records dropped), aligns both from the first common CS:EIP one record per
// instruction (REP iterations included), and reports the first divergence with disassembly around it.

import { listOne } from '../disasm/listing';
import { undefinedFlags } from './undefinedFlags';

export const TRACE_REGS = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eflags', 'ds', 'es', 'ss', 'fs', 'gs', 'cr0'] as const;
export type TraceReg = (typeof TRACE_REGS)[number];

export interface TraceRecord {
  /** Line number (ours) or record number (QEMU) in the source, for the user to find it. */
  source: number;
  cs: number;
  eip: number;
  /** Linear address of CS:EIP when known (QEMU always; ours when `lin` is in the line or in real mode). */
  lin: number | null;
  /** CS.D when known (QEMU raw logs): selects 16- or 32-bit disassembly. */
  code32: boolean | null;
  regs: Record<TraceReg, number>;
}

export class TraceParseError extends Error {}

/** Our JSON Lines (CLI.md `--trace`); blank lines are skipped. */
export function parseOurTrace(text: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new TraceParseError(`line ${i + 1}: not a JSON object`);
    }
    const num = (k: string) => {
      const v = o[k];
      if (typeof v !== 'number') throw new TraceParseError(`line ${i + 1}: field '${k}' missing or not a number`);
      return v >>> 0;
    };
    const regs = {} as Record<TraceReg, number>;
    for (const r of TRACE_REGS) regs[r] = num(r);
    const cs = num('cs'), eip = num('eip');
    const lin = typeof o.lin === 'number' ? o.lin >>> 0 : regs.cr0 & 1 ? null : ((cs << 4) + eip) >>> 0;
    out.push({ source: typeof o.n === 'number' ? o.n : out.length, cs, eip, lin, code32: null, regs });
  }
  return out;
}

export interface QemuLog {
  format: 'raw' | 'condensed';
  records: TraceRecord[];
  /** Instruction bytes by linear address, from `in_asm` blocks of a raw log. */
  code: Map<number, number[]>;
}

const RX_TRACE = /^Trace \d+: \S+ \[([0-9a-f]+)\/([0-9a-f]+)\/([0-9a-f]+)\/([0-9a-f]+)\]/;
const RX_KV = /([A-Z][A-Z0-9]{1,2})=\s*([0-9a-f]+)/g;
const RX_SEG = /^(ES|CS|SS|DS|FS|GS) =([0-9a-f]{4}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})/;
const RX_ASM = /^0x([0-9a-f]{8,16}):\s+((?:[0-9a-f]{2} )+)/;
const RX_CONDENSED = /^\s*(\d+) ([0-9a-f]{4}):([0-9a-f]{8}) lin=([0-9a-f]{8}) (.*)$/;

/** A QEMU log: raw (`Trace` blocks, SMM records dropped) or condensed (qemu_trace.py); detected from the text. */
export function parseQemuLog(text: string): QemuLog {
  const lines = text.split('\n');
  const code = new Map<number, number[]>();
  const condensed = lines.some((l) => RX_CONDENSED.test(l)) && !lines.some((l) => RX_TRACE.test(l));
  const records: TraceRecord[] = [];
  if (condensed) {
    for (const l of lines) {
      const m = RX_CONDENSED.exec(l);
      if (!m) continue;
      const kv = new Map<string, number>();
      for (const [, k, v] of m[5].matchAll(RX_KV)) kv.set(k, parseInt(v, 16) >>> 0);
      const regs = {} as Record<TraceReg, number>;
      for (const r of TRACE_REGS) regs[r] = kv.get(r === 'eflags' ? 'EFL' : r.toUpperCase()) ?? 0;
      records.push({ source: Number(m[1]), cs: parseInt(m[2], 16), eip: parseInt(m[3], 16) >>> 0, lin: parseInt(m[4], 16) >>> 0, code32: null, regs });
    }
    return { format: 'condensed', records, code };
  }
  let cur: { pc: number; kv: Map<string, number>; seg: Map<string, [number, number]> } | null = null;
  let count = 0;
  const flush = () => {
    if (!cur) return;
    const c = cur;
    cur = null;
    if (c.kv.get('SMM') === 1) return;
    const regs = {} as Record<TraceReg, number>;
    for (const r of TRACE_REGS) {
      if (r === 'eflags') regs[r] = c.kv.get('EFL') ?? 0;
      else if (r === 'ds' || r === 'es' || r === 'ss' || r === 'fs' || r === 'gs') regs[r] = c.seg.get(r.toUpperCase())?.[0] ?? 0;
      else regs[r] = c.kv.get(r.toUpperCase()) ?? 0;
    }
    const cs = c.seg.get('CS');
    records.push({
      source: count, cs: cs?.[0] ?? 0, eip: c.kv.get('EIP') ?? 0, lin: c.pc,
      code32: cs ? (cs[1] & 0x400000) !== 0 : null, regs,
    });
  };
  for (const l of lines) {
    const t = RX_TRACE.exec(l);
    if (t) {
      flush();
      count++;
      cur = { pc: parseInt(t[2], 16) >>> 0, kv: new Map(), seg: new Map() };
      continue;
    }
    const a = RX_ASM.exec(l);
    if (a) {
      code.set(parseInt(a[1], 16) >>> 0, a[2].trim().split(' ').map((b) => parseInt(b, 16)));
      continue;
    }
    if (!cur) continue;
    const s = RX_SEG.exec(l);
    if (s) {
      (cur as { seg: Map<string, [number, number]> }).seg.set(s[1], [parseInt(s[2], 16), parseInt(s[5], 16)]);
      continue;
    }
    for (const [, k, v] of l.matchAll(RX_KV)) {
      const kv = (cur as { kv: Map<string, number> }).kv;
      if (!kv.has(k)) kv.set(k, parseInt(v, 16) >>> 0);
    }
  }
  flush();
  if (records.length === 0 && !lines.some((l) => RX_TRACE.test(l))) {
    throw new TraceParseError('no QEMU trace records: expected `Trace N: ... [cs_base/pc/...]` blocks (-d cpu,exec,nochain) or qemu_trace.py lines');
  }
  return { format: 'raw', records, code };
}

export interface DiffOptions {
  /** Guest linear range kept on both sides (default 0x500..0x9ffff, host/qemu.ts's -dfilter). */
  range?: [number, number];
  /** Linear ranges dropped (default the BIOS, 0xC0000..0xFFFFF). */
  exclude?: [number, number][];
  /** Registers not compared. */
  ignore?: TraceReg[];
  /** EFLAGS bits compared (default all): e.g. clear the arithmetic flags an instruction leaves undefined. */
  flagsMask?: number;
  /** Records shown before and after the divergence (default 3). */
  context?: number;
  /**
   * Collapse consecutive records at the same CS:EIP (REP iterations, `jmp $`) to their first on both
   * sides: QEMU logs a different number of REP records when an interrupt arrives mid-REP.
   */
  collapseRep?: boolean;
  /**
   * On a control-flow difference, look ahead (up to 100,000 records) on either side for the record
   * that matches the other side exactly (CS:EIP and the compared registers) and carry on from there:
   * an interrupt handler that ran on one side only (interrupt timing is not comparable with QEMU,
   * which follows the host clock). Each skip is listed in `resyncs`.
   */
  resync?: boolean;
  /** Instruction bytes at a linear address (at least 15 when available), for the disassembly. */
  code?: (lin: number) => Uint8Array | null;
}

export interface SideInfo {
  source: number;
  cs: number;
  eip: number;
  lin: number | null;
  text: string | null;
}

export interface ContextRow {
  index: number;
  ours: SideInfo | null;
  qemu: SideInfo | null;
}

export interface Divergence {
  index: number;
  /** CS:EIP differ (control flow); otherwise only registers do. */
  controlFlow: boolean;
  ours: SideInfo;
  qemu: SideInfo;
  registers: { name: TraceReg; ours: number; qemu: number }[];
  context: ContextRow[];
}

export interface Resync {
  /** Index (in our filtered trace) where the sides stopped matching. */
  index: number;
  /** The side whose extra records were skipped. */
  side: 'ours' | 'qemu';
  records: number;
  /** Where the skipped run starts. */
  cs: number;
  eip: number;
}

export interface DiffResult {
  /** Runs of records skipped on one side to line the traces up again (with `resync`). */
  resyncs: Resync[];
  /** Guest records compared (aligned pairs). */
  compared: number;
  ours: number;
  qemu: number;
  /** Records skipped at the start of the QEMU side to reach our first CS:EIP. */
  qemuSkipped: number;
  /** QEMU records dropped as exact repeats of the previous one (a TB logged twice). */
  qemuDuplicates: number;
  /** Records whose EFLAGS differed only in bits an earlier instruction left undefined (excused). */
  flagsExcused: number;
  divergence: Divergence | null;
  /** Which side ran out first, when no divergence was found in the common part. */
  shorter: 'ours' | 'qemu' | null;
}

function keep(r: TraceRecord, range: [number, number], exclude: [number, number][]): boolean {
  if (r.lin === null) return true;
  if (r.lin < range[0] || r.lin > range[1]) return false;
  for (const [lo, hi] of exclude) if (r.lin >= lo && r.lin <= hi) return false;
  return true;
}

function disasmAt(r: TraceRecord, code: DiffOptions['code'], other: QemuLog['code'] | null): string | null {
  if (r.lin === null) return null;
  let bytes = code?.(r.lin) ?? null;
  if (!bytes && other?.has(r.lin)) bytes = Uint8Array.from(other.get(r.lin)!);
  if (!bytes || bytes.length === 0) return null;
  const bits = r.code32 ? 32 : 16;
  try {
    return listOne(bytes, 0, { org: r.eip, bits, model: '80386' }).text;
  } catch {
    return null;
  }
}

function side(r: TraceRecord, code: DiffOptions['code'], asm: QemuLog['code'] | null): SideInfo {
  return { source: r.source, cs: r.cs, eip: r.eip, lin: r.lin, text: disasmAt(r, code, asm) };
}

/** Aligns `ours` with a QEMU log and finds the first divergence. */
export function diffTraces(oursAll: TraceRecord[], qemuLog: QemuLog, opts: DiffOptions = {}): DiffResult {
  const range = opts.range ?? [0x500, 0x9ffff];
  const exclude = opts.exclude ?? [[0xc0000, 0xfffff]];
  const collapse = (rs: TraceRecord[]) => (opts.collapseRep ? rs.filter((r, i) => i === 0 || r.cs !== rs[i - 1].cs || r.eip !== rs[i - 1].eip || r.lin !== rs[i - 1].lin) : rs);
  const ours = collapse(oursAll.filter((r) => keep(r, range, exclude)));
  let qemu = collapse(qemuLog.records.filter((r) => keep(r, range, exclude)));
  let skipped = 0;
  if (ours.length > 0) {
    const f = ours[0];
    const at = qemu.findIndex((q) => (f.lin !== null && q.lin !== null ? q.lin === f.lin : q.cs === f.cs && q.eip === f.eip));
    if (at > 0) {
      skipped = at;
      qemu = qemu.slice(at);
    }
  }
  const ignore = new Set(opts.ignore ?? []);
  const flagsMask = opts.flagsMask ?? 0xffffffff;
  const ctx = opts.context ?? 3;
  // EFLAGS bits an instruction leaves undefined may differ between two correct CPUs (SDM Vol. 1
  // Appendix A): excused from the record after it until both sides agree again, as `compare` does.
  // Needs the instruction's bytes (opts.code, or QEMU's in_asm lines).
  const undefinedAfter = (r: TraceRecord, q: TraceRecord | null): number => {
    if (r.lin === null) return 0;
    const asm = qemuLog.code.get(r.lin);
    const bytes = opts.code?.(r.lin) ?? (asm ? Uint8Array.from(asm) : null);
    return bytes ? undefinedFlags((k) => bytes[k] ?? 0, (r.code32 ?? q?.code32) ? 32 : 16) : 0;
  };
  let excused = 0;
  let flagsExcused = 0;
  const regDiffs = (a: TraceRecord, b: TraceRecord, excuse = 0) => {
    const out: Divergence['registers'] = [];
    for (const r of TRACE_REGS) {
      if (ignore.has(r)) continue;
      const mask = r === 'eflags' ? flagsMask & ~excuse : 0xffffffff;
      if (((a.regs[r] ^ b.regs[r]) & mask) !== 0) out.push({ name: r, ours: a.regs[r], qemu: b.regs[r] });
    }
    return out;
  };
  const sameRecord = (a: TraceRecord, b: TraceRecord) => a.lin === b.lin && a.cs === b.cs && a.eip === b.eip && TRACE_REGS.every((r) => a.regs[r] === b.regs[r]);
  // QEMU sometimes logs a TB that it then leaves before executing it (an exit request at the TB
  // start) and logs it again: an exact repeat of the previous record. Such repeats are dropped when
  // they do not line up with our trace.
  let duplicates = 0;
  const aligned: (TraceRecord | null)[] = [];
  const resyncs: Resync[] = [];
  const match = (x: TraceRecord, y: TraceRecord) => x.cs === y.cs && x.eip === y.eip && regDiffs(x, y).length === 0;
  const LOOKAHEAD = 100_000;
  let j = 0;
  for (let i = 0; i < ours.length && j < qemu.length; i++, j++) {
    while (j > 0 && j + 1 < qemu.length && sameRecord(qemu[j], qemu[j - 1]) && !match(ours[i], qemu[j])) {
      j++;
      duplicates++;
    }
    aligned[i] = qemu[j];
    const a = ours[i], b = qemu[j];
    const controlFlow = a.cs !== b.cs || a.eip !== b.eip;
    const prev = i > 0 ? ours[i - 1] : null;
    if (!controlFlow && prev && aligned[i - 1]) excused |= undefinedAfter(prev, aligned[i - 1]);
    excused &= a.regs.eflags ^ b.regs.eflags;
    const registers = regDiffs(a, b, controlFlow ? 0 : excused);
    if (!controlFlow && registers.length === 0) {
      if (excused) flagsExcused++;
      continue;
    }
    if (controlFlow && opts.resync) {
      let k = j + 1;
      while (k < qemu.length && k <= j + LOOKAHEAD && !match(a, qemu[k])) k++;
      if (k < qemu.length && k <= j + LOOKAHEAD) {
        resyncs.push({ index: i, side: 'qemu', records: k - j, cs: b.cs, eip: b.eip });
        j = k;
        aligned[i] = qemu[k];
        continue;
      }
      k = i + 1;
      while (k < ours.length && k <= i + LOOKAHEAD && !match(ours[k], b)) k++;
      if (k < ours.length && k <= i + LOOKAHEAD) {
        resyncs.push({ index: i, side: 'ours', records: k - i, cs: a.cs, eip: a.eip });
        for (let x = i; x < k; x++) aligned[x] = null;
        aligned[k] = b;
        i = k;
        continue;
      }
    }
    // Context: the aligned records before, the raw ones after.
    const context: ContextRow[] = [];
    for (let k = Math.max(0, i - ctx); k <= i + ctx; k++) {
      const qk = k <= i ? aligned[k] ?? null : qemu[j + (k - i)] ?? null;
      if (k >= ours.length && !qk) break;
      context.push({
        index: k,
        ours: k < ours.length ? side(ours[k], opts.code, qemuLog.code) : null,
        qemu: qk ? side(qk, opts.code, qemuLog.code) : null,
      });
    }
    return {
      compared: i + 1, ours: ours.length, qemu: qemu.length, qemuSkipped: skipped, qemuDuplicates: duplicates, flagsExcused, resyncs,
      divergence: { index: i, controlFlow, ours: side(a, opts.code, qemuLog.code), qemu: side(b, opts.code, qemuLog.code), registers, context },
      shorter: null,
    };
  }
  const n = aligned.length;
  const qLeft = qemu.length - j;
  const oLeft = ours.length - n;
  return {
    compared: n, ours: ours.length, qemu: qemu.length, qemuSkipped: skipped, qemuDuplicates: duplicates, flagsExcused, resyncs,
    divergence: null,
    shorter: oLeft === qLeft ? null : oLeft < qLeft ? 'ours' : 'qemu',
  };
}

const h = (n: number, w: number) => (n >>> 0).toString(16).padStart(w, '0');

function where(s: SideInfo | null): string {
  if (!s) return '(end of trace)';
  return `${h(s.cs, 4)}:${h(s.eip, 8)}${s.lin !== null ? ` lin=${h(s.lin, 8)}` : ''}`;
}

/** The human-readable report. */
export function formatDiff(r: DiffResult): string {
  const out: string[] = [];
  out.push(`compared ${r.compared} guest instructions (ours: ${r.ours} records, QEMU: ${r.qemu} after filtering${r.qemuSkipped ? `, ${r.qemuSkipped} skipped to reach our first instruction` : ''}${r.qemuDuplicates ? `, ${r.qemuDuplicates} repeated records dropped` : ''})`);
  if (r.flagsExcused) out.push(`EFLAGS differed only in bits left undefined by the instruction before (excused) at ${r.flagsExcused} records`);
  for (const x of r.resyncs) out.push(`resynchronised at index ${x.index}: skipped ${x.records} ${x.side === 'ours' ? 'of our' : 'QEMU'} records from ${h(x.cs, 4)}:${h(x.eip, 8)} (an interrupt on one side only?)`);
  const d = r.divergence;
  if (!d) {
    out.push(r.shorter ? `no divergence; the ${r.shorter === 'ours' ? 'our' : 'QEMU'} trace ends first` : 'no divergence');
    return out.join('\n') + '\n';
  }
  out.push(`first divergence at index ${d.index} (ours: record n=${d.ours.source}, QEMU: record ${d.qemu.source})${d.controlFlow ? ': control flow differs' : ''}`);
  out.push(`  ours: ${where(d.ours)}`);
  out.push(`  qemu: ${where(d.qemu)}`);
  for (const x of d.registers) out.push(`  ${x.name.padEnd(6)} ours=${h(x.ours, 8)} qemu=${h(x.qemu, 8)}`);
  out.push('context (state before each instruction):');
  for (const c of d.context) {
    const mark = c.index === d.index ? '>' : ' ';
    const o = c.ours ? `${where(c.ours)}  ${c.ours.text ?? ''}` : '(end)';
    const q = c.qemu ? `${where(c.qemu)}  ${c.qemu.text ?? ''}` : '(end)';
    out.push(`${mark} ${String(c.index).padStart(7)}  ours ${o}`);
    if (c.qemu && c.ours && c.qemu.lin === c.ours.lin && c.qemu.cs === c.ours.cs && c.qemu.eip === c.ours.eip) continue;
    out.push(`${mark} ${' '.repeat(7)}  qemu ${q}`);
  }
  return out.join('\n') + '\n';
}
