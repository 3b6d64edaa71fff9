// Trace diff against QEMU: parses our `--trace` JSON Lines and a QEMU `-d cpu,exec,nochain[,in_asm]`
// log or qemu_trace.py's condensed format, keeps guest instructions only (a linear range, BIOS
// ranges excluded, SMM records dropped), starts both at our first CS:EIP and compares them one record
// per instruction (REP iterations included) with the lock-step engine `bootscope compare` uses
// (lockstep.ts: what is compared, what is dropped, skipped and excused), reporting the first
// divergence as it does (divergenceReport.ts).

import { disasmRecord, divergenceLines, rulesLines, type LockstepRules } from './divergenceReport';
import { Lockstep, type LockstepDivergence, SEABIOS_ALLOWANCES, TRACE_REGS, type TraceReg, type TraceRecord, where } from './lockstep';
import { undefinedFlags } from './undefinedFlags';

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
  const code = new Map<number, number[]>();
  // A raw log has a Trace line, near its start; a condensed one has none.
  let raw = false;
  for (let at = text.indexOf('Trace '); at >= 0 && !raw; at = text.indexOf('Trace ', at + 1)) {
    const eol = text.indexOf('\n', at);
    raw = (at === 0 || text.charCodeAt(at - 1) === 0x0a) && RX_TRACE.test(text.slice(at, eol < 0 ? text.length : eol));
  }
  if (!raw) {
    const lines = text.split('\n');
    const records: TraceRecord[] = [];
    for (const l of lines) {
      const m = RX_CONDENSED.exec(l);
      if (!m) continue;
      const kv = new Map<string, number>();
      for (const [, k, v] of m[5].matchAll(RX_KV)) kv.set(k, parseInt(v, 16) >>> 0);
      const regs = {} as Record<TraceReg, number>;
      for (const r of TRACE_REGS) regs[r] = kv.get(r === 'eflags' ? 'EFL' : r.toUpperCase()) ?? 0;
      records.push({ source: Number(m[1]), cs: parseInt(m[2], 16), eip: parseInt(m[3], 16) >>> 0, lin: parseInt(m[4], 16) >>> 0, code32: null, regs });
    }
    if (records.length > 0) return { format: 'condensed', records, code };
    throw new TraceParseError('no QEMU trace records: expected `Trace N: ... [cs_base/pc/...]` blocks (-d cpu,exec,nochain) or qemu_trace.py lines');
  }
  let cur: { pc: number; kv: Map<string, number>; seg: Map<string, [number, number]> } | null = null;
  let count = 0;
  const records: TraceRecord[] = [];
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
  // Walked line by line without splitting the text, each line told apart by its first characters
  // before any regex runs: of a record's ~19 lines only the Trace line, the segment lines and the
  // four that hold the registers kept (EAX…, ESI…, EIP…, CR0…) are parsed. The lock-step reads
  // QEMU's log at the speed of this loop.
  for (let pos = 0; pos < text.length;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const c0 = text.charCodeAt(pos);
    if (c0 === 0x54 && text.startsWith('Trace ', pos)) {
      const t = RX_TRACE.exec(text.slice(pos, end));
      if (t) {
        flush();
        count++;
        cur = { pc: parseInt(t[2], 16) >>> 0, kv: new Map(), seg: new Map() };
      }
    } else if (c0 === 0x30) {
      const a = RX_ASM.exec(text.slice(pos, end));
      if (a) code.set(parseInt(a[1], 16) >>> 0, a[2].trim().split(' ').map((b) => parseInt(b, 16)));
    } else if (cur) {
      const c = cur as { kv: Map<string, number>; seg: Map<string, [number, number]> };
      if (text.charCodeAt(pos + 2) === 0x20 && text.charCodeAt(pos + 3) === 0x3d) {
        const m = RX_SEG.exec(text.slice(pos, end));
        if (m) c.seg.set(m[1], [parseInt(m[2], 16), parseInt(m[5], 16)]);
      } else if (text.startsWith('EAX=', pos) || text.startsWith('ESI=', pos) || text.startsWith('EIP=', pos) || text.startsWith('CR0=', pos)) {
        for (const [, k, v] of text.slice(pos, end).matchAll(RX_KV)) if (!c.kv.has(k)) c.kv.set(k, parseInt(v, 16) >>> 0);
      }
    }
    pos = end + 1;
  }
  flush();
  return { format: 'raw', records, code };
}

export interface DiffOptions {
  /** Guest linear range kept on both sides (default 0x500..0x9ffff, host/qemu.ts's -dfilter). */
  range?: [number, number];
  /** Linear ranges dropped (default the BIOS, 0xC0000..0xFFFFF, unless `range` is given). */
  exclude?: [number, number][];
  /** Registers not compared. */
  ignore?: TraceReg[];
  /** EFLAGS bits compared (default all). */
  flagsMask?: number;
  /** Agreeing records shown before the divergence and records of each side after it (default 3). */
  context?: number;
  /**
   * Collapse consecutive records at the same CS:EIP (REP iterations, `jmp $`) to their first on both
   * sides: QEMU logs a different number of REP records when an interrupt arrives mid-REP.
   */
  collapseRep?: boolean;
  /** Skip an interrupt handler run on one side only, by lockstep.ts's rule (as `compare` always does). */
  resync?: boolean;
  /** On a divergence, skip both sides to the first return they share and go on (lockstep.ts ReturnResync). */
  resyncReturn?: boolean;
  /** Instruction bytes at a linear address (at least 15 when available), for the disassembly and the undefined flags. */
  code?: (lin: number) => Uint8Array | null;
}

export interface DiffResult {
  /** Instructions compared: those that agree, and the diverging one. */
  compared: number;
  /** Records of each side after filtering. */
  ours: number;
  qemu: number;
  /** Records skipped at the start of the QEMU side to reach our first instruction. */
  qemuSkipped: number;
  /** What the lock-step rules skipped, dropped and excused. */
  rules: LockstepRules;
  divergence: LockstepDivergence | null;
  /** The records of each side after the divergence (the context after it). */
  following: { ours: TraceRecord[]; qemu: TraceRecord[] };
  /** Why the comparison ended without a divergence (which side ran out). */
  end: string | null;
}

function keep(r: TraceRecord, range: [number, number], exclude: [number, number][]): boolean {
  if (r.lin === null) return true;
  if (r.lin < range[0] || r.lin > range[1]) return false;
  for (const [lo, hi] of exclude) if (r.lin >= lo && r.lin <= hi) return false;
  return true;
}

/** The bytes of a record's instruction: from `code`, else from the QEMU log's in_asm lines. */
export function traceCode(log: QemuLog, code?: DiffOptions['code']): (r: TraceRecord) => Uint8Array | null {
  return (r) => {
    if (r.lin === null) return null;
    const bytes = code?.(r.lin);
    if (bytes) return bytes;
    const asm = log.code.get(r.lin);
    return asm ? Uint8Array.from(asm) : null;
  };
}

/** Compares `ours` with a QEMU log from our first instruction and finds the first divergence. */
export function diffTraces(oursAll: TraceRecord[], qemuLog: QemuLog, opts: DiffOptions = {}): DiffResult {
  const range = opts.range ?? [0x500, 0x9ffff];
  const exclude = opts.exclude ?? (opts.range ? [] : [[0xc0000, 0xfffff]]);
  const collapse = (rs: TraceRecord[]) => (opts.collapseRep ? rs.filter((r, i) => i === 0 || r.cs !== rs[i - 1].cs || r.eip !== rs[i - 1].eip || r.lin !== rs[i - 1].lin) : rs);
  const ours = collapse(oursAll.filter((r) => keep(r, range, exclude)));
  const qemu = collapse(qemuLog.records.filter((r) => keep(r, range, exclude)));
  let j = 0;
  if (ours.length > 0) {
    const f = ours[0];
    j = Math.max(0, qemu.findIndex((q) => (f.lin !== null && q.lin !== null ? q.lin === f.lin : q.cs === f.cs && q.eip === f.eip)));
  }
  const qemuSkipped = j;
  const ctx = opts.context ?? 3;
  const code = traceCode(qemuLog, opts.code);
  let i = 0;
  const l = new Lockstep(() => ours[i++] ?? null, {
    allowances: SEABIOS_ALLOWANCES, history: ctx, ignore: opts.ignore, flagsMask: opts.flagsMask, resync: opts.resync === true, returnResync: opts.resyncReturn === true,
    undefinedFlags: (last, lastQemu) => {
      const bytes = code(last);
      return bytes ? undefinedFlags((k) => bytes[k] ?? 0, (last.code32 ?? lastQemu.code32) ? 32 : 16) : 0;
    },
    code,
  });
  while (j < qemu.length && l.push(qemu[j])) j++;
  l.finish();
  const d = l.divergence;
  return {
    compared: l.matched + (d ? 1 : 0), ours: ours.length, qemu: qemu.length, qemuSkipped,
    rules: { interrupts: l.interrupts, resyncs: l.resyncs, returns: l.returns, busy: l.busy, busyPolls: l.busyPolls, repeats: l.repeats, repEnds: l.repEnds, undefinedFlags: l.undefinedFlags, allowed: l.allowed },
    divergence: d,
    following: d ? { ours: ours.slice(i, i + ctx), qemu: qemu.slice(j + 1, j + 1 + ctx) } : { ours: [], qemu: [] },
    end: l.end,
  };
}

/** The human-readable report; `code` gives the instructions' bytes for their disassembly (traceCode). */
export function formatDiff(r: DiffResult, code: (r: TraceRecord) => Uint8Array | null = () => null): string {
  const out = [`compared ${r.compared} guest instructions (ours: ${r.ours} records, QEMU: ${r.qemu} after filtering${r.qemuSkipped ? `, ${r.qemuSkipped} skipped to reach our first instruction` : ''})`];
  const d = r.divergence;
  if (!d) {
    out.push(`no divergence; ${r.end}`);
  } else {
    out.push(...divergenceLines(d, {
      origin: 'from our first record', sources: (x) => `ours: record n=${x.ours.source}; QEMU: record ${x.qemu.source}`,
    }, code));
    if (r.following.ours.length || r.following.qemu.length) out.push('then:');
    for (const [name, rs] of [['ours', r.following.ours], ['qemu', r.following.qemu]] as const) {
      for (const x of rs) out.push(`  ${name} ${where(x)}  ${disasmRecord(x, code(x))}`);
    }
  }
  out.push(...rulesLines(r.rules));
  return out.join('\n') + '\n';
}
