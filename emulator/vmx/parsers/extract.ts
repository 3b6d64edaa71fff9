// Field extraction shared by the Xen and KVM dump parsers: both print the VMCS guest-state, host-state and control
// fields (SDM Vol. 3 §24.4-24.8) as hex after a label, in "key=value" or column form. Works on a joined section
// (see normalize.ts), so a value wrapped onto the next line is still found; a value split inside its digits is
// re-joined when the printed width is known. A value cut off at the end of its line, given twice with different
// values, or not hex is not guessed: the field is left out and its problem recorded, naming the line.
// Pure TypeScript: no Node or VS Code imports.
import type { GuestState, HostState, SegmentState, SegName, TableState, VmxControls } from '../guestState';
import type { DumpLine, Section } from './normalize';

/** A field the dump shows but that cannot be used, by VMCS field name → why ("is cut off at line 7: …"). */
export type FieldProblems = Map<string, string>;

type Reading = { value: bigint; line: DumpLine } | { problem: 'cut' | 'bad'; line: DumpLine };

// The value must end at a token boundary: '0x0c0zz' is malformed, not 0x0c0. A second hex token right after may be
// the rest of a value hard-wrapped inside its digits.
const VALUE = /\s*(?:0x)?([0-9a-f]+)(?![0-9a-z_])(?:\s+([0-9a-f]+)(?![0-9a-z_]))?/iyd;
const HEX_TOKEN = /^(?:0x)?([0-9a-f]+)$/i;

const quote = (l: DumpLine) => `line ${l.no}: '${l.text.length > 72 ? l.text.slice(0, 71) + '…' : l.text}'`;

/**
 * A hex token that may end its line, and the token after it (first on the next line): the whole value when the two
 * make a printed width (`joined`); cut off when the token ends its line shorter than the widths the field is
 * printed in, or than the widest when the paste cut that line. A short token with more text after it is as printed.
 */
function sized(sec: Section, tok: string, tokEnd: number, next: string | undefined, widths: number[]): { value: bigint; joined: boolean } | 'cut' {
  const plain = { value: BigInt('0x' + tok), joined: false };
  const max = Math.max(...widths);
  if (tok.length >= max) return plain;
  if (sec.lineEnd(tokEnd - 1) !== tokEnd) return plain;
  // A narrower printed width at the end of a line the paste cut may be the start of a wider one.
  if (widths.includes(tok.length) && !sec.lineAt(tokEnd - 1).cut) return plain;
  if (next !== undefined && widths.includes(tok.length + next.length)) return { value: BigInt('0x' + tok + next), joined: true };
  return 'cut';
}

/** The reading of the value that starts at `at` (just after its key). */
function valueAt(sec: Section, at: number, widths: number[]): Reading {
  VALUE.lastIndex = at;
  const m = VALUE.exec(sec.text);
  if (!m?.indices) {
    // Only "0x" or nothing left on the key's line: the line was cut right after the key.
    const rest = sec.text.slice(at, sec.lineEnd(Math.max(at - 1, 0)));
    return { problem: /^\s*(?:0x)?$/i.test(rest) ? 'cut' : 'bad', line: sec.lineAt(at) };
  }
  const [tokStart, tokEnd] = m.indices[1];
  const line = sec.lineAt(tokStart);
  const keyLine = sec.lineAt(Math.max(at - 1, 0));
  // A value on the line after its key is a wrap, unless the paste cut the key's line (the value went with it).
  if (line !== keyLine && keyLine.cut) return { problem: 'cut', line: keyLine };
  const next = m[2] !== undefined && sec.lineAt(m.indices[2]![0]) !== line ? m[2] : undefined;
  const v = sized(sec, m[1], tokEnd, next, widths);
  return v === 'cut' ? { problem: 'cut', line } : { value: v.value, line };
}

/** One value from several readings: the same everywhere, or a problem. */
function resolve(readings: Reading[], field: string, problems: FieldProblems): bigint | undefined {
  const good = readings.filter((r): r is { value: bigint; line: DumpLine } => 'value' in r);
  const distinct = [...new Map(good.map((r) => [r.value, r])).values()];
  if (distinct.length > 1) {
    const list = distinct.map((r) => `0x${r.value.toString(16)} (line ${r.line.no})`).join(', ');
    problems.set(field, `is given ${distinct.length} times with different values: ${list}`);
    return undefined;
  }
  if (distinct.length === 1) return distinct[0].value;
  const bad = readings[0];
  if (bad && 'problem' in bad) problems.set(field, `${bad.problem === 'cut' ? 'is cut off at' : 'cannot be read at'} ${quote(bad.line)}`);
  return undefined;
}

/** Reads fields of one section: every occurrence of a key counts, problems go to `problems`. */
class Reader {
  constructor(readonly sec: Section | undefined, readonly problems: FieldProblems) {}

  readings(key: string, widths: number[], from = 0, to = Infinity): Reading[] {
    if (!this.sec) return [];
    const out: Reading[] = [];
    for (const m of this.sec.text.matchAll(new RegExp(key, 'gi'))) {
      if (m.index! < from || m.index! >= to) continue;
      out.push(valueAt(this.sec, m.index! + m[0].length, widths));
    }
    return out;
  }

  big(field: string, key: string, widths: number[], range?: [number, number]): bigint | undefined {
    return resolve(this.readings(key, widths, range?.[0], range?.[1]), field, this.problems);
  }

  small(field: string, key: string, widths: number[], range?: [number, number]): number | undefined {
    const v = this.big(field, key, widths, range);
    if (v !== undefined && v > 0xffffffffn) {
      this.problems.set(field, `is 0x${v.toString(16)}, wider than the 32-bit field`);
      return undefined;
    }
    return v === undefined ? undefined : Number(v);
  }

  /** Offsets of the text after `label` up to `until` (or the end), when the label is there. */
  range(label: RegExp, until: RegExp): [number, number] | undefined {
    const m = this.sec && label.exec(this.sec.text);
    if (!m || !this.sec) return undefined;
    const from = m.index + m[0].length;
    const end = until.exec(this.sec.text.slice(from));
    return [from, end ? from + end.index : this.sec.text.length];
  }
}

const LABEL = /(?<![A-Za-z])(LDTR|GDTR|IDTR|CS|DS|SS|ES|FS|GS|TR):/g;
/** Keys that end a segment line's span when no further label follows (truncated or last line). */
const SPAN_END = /\b(?:EFER|PAT|Guest PAT|DebugCtl|Interruptibility|PreemptionTimer|TSC Offset|PerfGlobCtl)\b/;

/** [from, to) of the text after each occurrence of `Name:` up to the next label. */
function spans(text: string, name: string): [number, number][] {
  const out: [number, number][] = [];
  const all = [...text.matchAll(LABEL)];
  all.forEach((m, i) => {
    if (m[1] !== name) return;
    const from = m.index! + m[0].length;
    let to = i + 1 < all.length ? all[i + 1].index! : text.length;
    const end = SPAN_END.exec(text.slice(from, to));
    if (end) to = from + end.index;
    out.push([from, to]);
  });
  return out;
}

/** Readings of a column-table line's leading hex tokens; a token cut by its line's end ends the row. */
function columns(sec: Section, [from, to]: [number, number], widths: number[]): Reading[] {
  const toks = [...sec.text.slice(from, to).matchAll(/\S+/g)].map((m) => ({ s: m[0], at: from + m.index! }));
  const out: Reading[] = [];
  let i = 0;
  for (const w of widths) {
    const t = toks[i] && HEX_TOKEN.exec(toks[i].s)?.[1];
    if (!t) break;
    const tokEnd = toks[i].at + toks[i].s.length;
    const line = sec.lineAt(toks[i].at);
    const n = toks[i + 1] && HEX_TOKEN.exec(toks[i + 1].s)?.[1];
    const next = n && sec.lineAt(toks[i + 1].at) !== line ? n : undefined;
    const v = sized(sec, t, tokEnd, next, [w]);
    if (v === 'cut') {
      out.push({ problem: 'cut', line });
      break;
    }
    out.push({ value: v.value, line });
    i += v.joined ? 2 : 1;
  }
  return out;
}

const SEG_PARTS = [
  ['selector', 'SELECTOR', 'sel\\s*=', 4],
  ['access', 'AR_BYTES', 'attr\\s*=', 5],
  ['limit', 'LIMIT', 'limit\\s*=', 8],
  ['base', 'BASE', 'base\\s*=', 16],
] as const;

/** A segment register from every `CS:`-style line that has values ('sel=' form or columns). */
function segment(r: Reader, name: string): SegmentState | undefined {
  if (!r.sec) return undefined;
  const per = new Map<string, Reading[]>(SEG_PARTS.map(([k]) => [k, []]));
  const table = name === 'GDTR' || name === 'IDTR';
  const parts = table ? SEG_PARTS.slice(2) : SEG_PARTS;
  for (const span of spans(r.sec.text, name)) {
    if (/\b(?:sel|attr|limit|base)\s*=/i.test(r.sec.text.slice(span[0], span[1]))) {
      for (const [k, , key, w] of parts) per.get(k)!.push(...r.readings(`\\b${key}`, [w], span[0], span[1]));
    } else {
      columns(r.sec, span, parts.map(([, , , w]) => w)).forEach((reading, i) => per.get(parts[i][0])!.push(reading));
    }
  }
  const s: Record<string, bigint | number | undefined> = {};
  for (const [k, f] of parts) {
    const v = resolve(per.get(k)!, `GUEST_${name}_${f}`, r.problems);
    if (v !== undefined) s[k] = k === 'base' ? v : Number(v);
  }
  return Object.keys(s).length > 0 ? (s as SegmentState) : undefined;
}

function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.every((x) => x === undefined)))) as T;
}

export function guestFields(g: Section, problems: FieldProblems): GuestState {
  const r = new Reader(g, problems);
  const sysenter = 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=';
  const state: GuestState = {
    cr0: r.big('GUEST_CR0', 'CR0:\\s*actual\\s*=', [16]),
    cr4: r.big('GUEST_CR4', 'CR4:\\s*actual\\s*=', [16]),
    cr3: r.big('GUEST_CR3', 'CR3(?::\\s*actual\\s*=|\\s*=)', [16]),
    pdpte: [0, 1, 2, 3].map((i) => r.big(`GUEST_PDPTE${i}`, `PDPT[ER]${i}\\s*=`, [16])),
    rsp: r.big('GUEST_RSP', '(?<!Sysenter )\\bRSP\\s*=', [16]),
    rip: r.big('GUEST_RIP', '(?<!CS:)\\bRIP\\s*=', [16]),
    rflags: r.big('GUEST_RFLAGS', '\\bRFLAGS\\s*=', [8, 16]),
    dr7: r.big('GUEST_DR7', '\\bDR7\\s*=', [16]),
    sysenterEsp: r.big('GUEST_IA32_SYSENTER_ESP', 'Sysenter RSP\\s*=', [16]),
    sysenterCs: r.small('GUEST_IA32_SYSENTER_CS', sysenter, [4]),
    sysenterEip: r.big('GUEST_IA32_SYSENTER_EIP', `${sysenter}\\s*(?:0x)?[0-9a-f]+:`, [16]),
    efer: r.big('GUEST_IA32_EFER', '\\bEFER(?:\\([^)]*\\))?\\s*=', [16]),
    pat: r.big('GUEST_IA32_PAT', '\\b(?:Guest )?PAT\\s*=', [16]),
    debugctl: r.big('GUEST_IA32_DEBUGCTL', '\\bDebugCtl\\s*=', [16]),
    pendingDebugExceptions: r.big('GUEST_PENDING_DBG_EXCEPTIONS', '\\bDebugExceptions\\s*=', [16]),
    perfGlobalCtrl: r.big('GUEST_IA32_PERF_GLOBAL_CTRL', '\\bPerfGlobCtl\\s*=', [16]),
    bndcfgs: r.big('GUEST_BNDCFGS', '\\bBndCfgS\\s*=', [16]),
    smbase: r.small('GUEST_SMBASE', '\\bSM Base\\s*=', [8]),
    interruptibility: r.small('GUEST_INTERRUPTIBILITY_INFO', '\\bInterruptibility\\s*=', [4, 8]), // %04x in 3.4, %08x later
    activityState: r.small('GUEST_ACTIVITY_STATE', '\\bActivityState\\s*=', [4, 8]),
    vmcsLinkPointer: r.big('VMCS_LINK_POINTER', '\\blink pointer\\s*=', [16]),
  };
  const names: SegName[] = ['cs', 'ds', 'ss', 'es', 'fs', 'gs', 'ldtr', 'tr'];
  for (const n of names) state[n] = segment(r, n.toUpperCase());
  state.gdtr = segment(r, 'GDTR') as TableState | undefined;
  state.idtr = segment(r, 'IDTR') as TableState | undefined;
  return prune(state);
}

export function hostFields(h: Section | undefined, problems: FieldProblems): HostState | undefined {
  if (!h) return undefined;
  const r = new Reader(h, problems);
  const sysenter = 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=';
  const selectors = prune(Object.fromEntries(
    (['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'tr'] as const).map((n) => {
      const N = n.toUpperCase();
      return [n, r.small(`HOST_${N}_SELECTOR`, `(?<![A-Za-z:])${N}\\s*=`, [4])];
    }),
  ) as HostState['selectors'] & object);
  return prune({
    rsp: r.big('HOST_RSP', '(?<!Sysenter )\\bRSP\\s*=', [16]),
    rip: r.big('HOST_RIP', '(?<!CS:)\\bRIP\\s*=', [16]),
    cr0: r.big('HOST_CR0', '\\bCR0\\s*=', [16]),
    cr3: r.big('HOST_CR3', '\\bCR3\\s*=', [16]),
    cr4: r.big('HOST_CR4', '\\bCR4\\s*=', [16]),
    selectors: Object.keys(selectors).length ? selectors : undefined,
    fsBase: r.big('HOST_FS_BASE', '\\bFSBase\\s*=', [16]),
    gsBase: r.big('HOST_GS_BASE', '\\bGSBase\\s*=', [16]),
    trBase: r.big('HOST_TR_BASE', '\\bTRBase\\s*=', [16]),
    gdtrBase: r.big('HOST_GDTR_BASE', '\\bGDTBase\\s*=', [16]),
    idtrBase: r.big('HOST_IDTR_BASE', '\\bIDTBase\\s*=', [16]),
    sysenterEsp: r.big('HOST_IA32_SYSENTER_ESP', 'Sysenter RSP\\s*=', [16]),
    sysenterCs: r.small('HOST_IA32_SYSENTER_CS', sysenter, [4]),
    sysenterEip: r.big('HOST_IA32_SYSENTER_EIP', `${sysenter}\\s*(?:0x)?[0-9a-f]+:`, [16]),
    efer: r.big('HOST_IA32_EFER', '\\bEFER\\s*=', [16]),
    pat: r.big('HOST_IA32_PAT', '\\b(?:Host )?PAT\\s*=', [16]),
  });
}

/** What the control section shows of the VM-exit information fields (for display). */
export interface ExitInfo {
  reason?: number;
  qualification?: bigint;
  intrInfo?: number;
}

export function controlFields(c: Section | undefined, problems: FieldProblems): { controls?: VmxControls; exit?: ExitInfo } {
  if (!c) return {};
  const r = new Reader(c, problems);
  const entry = r.range(/VMEntry:/i, /VMExit:/i);
  const exit = r.range(/VMExit:/i, /IDTVectoring/i);
  const inEntry = (field: string, key: string) => (entry ? r.small(field, key, [8], entry) : undefined);
  const inExit = (field: string, key: string, w: number[]) => (exit ? r.big(field, key, w, exit) : undefined);
  const controls = prune<VmxControls>({
    pinBased: r.small('PIN_BASED_VM_EXEC_CONTROL', '\\bPinBased\\s*=', [8]),
    procBased: r.small('CPU_BASED_VM_EXEC_CONTROL', '\\bCPUBased\\s*=', [8]),
    procBased2: r.small('SECONDARY_VM_EXEC_CONTROL', '\\bSecondaryExec\\s*=', [8]),
    entry: r.small('VM_ENTRY_CONTROLS', '\\bEntryControls\\s*=', [8]),
    exit: r.small('VM_EXIT_CONTROLS', '\\bExitControls\\s*=', [8]),
    exceptionBitmap: r.small('EXCEPTION_BITMAP', '\\bExceptionBitmap\\s*=', [8]),
    entryIntrInfo: inEntry('VM_ENTRY_INTR_INFO_FIELD', 'intr_info\\s*='),
    entryErrorCode: inEntry('VM_ENTRY_EXCEPTION_ERROR_CODE', 'errcode\\s*='),
    entryInstrLen: inEntry('VM_ENTRY_INSTRUCTION_LEN', 'ilen\\s*='),
    eptPointer: r.big('EPT_POINTER', '\\bEPT pointer\\s*=', [16]),
  });
  const reason = inExit('VM_EXIT_REASON', 'reason\\s*=', [8]);
  const intrInfo = inExit('VM_EXIT_INTR_INFO', 'intr_info\\s*=', [8]);
  const exitInfo = prune<ExitInfo>({
    reason: reason === undefined ? undefined : Number(reason),
    qualification: inExit('EXIT_QUALIFICATION', 'qualification\\s*=', [8, 16]),
    intrInfo: intrInfo === undefined ? undefined : Number(intrInfo),
  });
  return { controls: Object.keys(controls).length ? controls : undefined, exit: Object.keys(exitInfo).length ? exitInfo : undefined };
}
