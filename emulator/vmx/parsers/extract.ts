// Field extraction shared by the Xen and KVM dump parsers: both print the VMCS guest-state, host-state and control
// fields (SDM Vol. 3 §24.4-24.8) as hex after a label, in "key=value" or column form. Works on one joined section
// string (see normalize.ts), so a value wrapped onto the next line is still found; a value split inside its digits
// is re-joined when the printed width is fixed. Pure TypeScript: no Node or VS Code imports.
import type { GuestState, HostState, SegmentState, SegName, TableState, VmxControls } from '../guestState';

// The value must end at a token boundary: '0x0c0zz' is malformed, not 0x0c0.
const HEX = '(?:0x)?([0-9a-f]+)(?![0-9a-z_])';
/** A second hex token right after, used to re-join a value hard-wrapped inside its digits. */
const CONT = '(?:\\s+([0-9a-f]+)(?![0-9a-z_]))?';

function joinWrapped(first: string, second: string | undefined, width?: number): string {
  if (width && second && first.length < width && first.length + second.length === width) return first + second;
  return first;
}

/** The hex number after `key` (a regex source ending where the value starts), as bigint. */
export function big(text: string | undefined, key: string, width?: number): bigint | undefined {
  if (!text) return undefined;
  const m = new RegExp(key + '\\s*' + HEX + CONT, 'i').exec(text);
  if (!m) return undefined;
  // A fixed-width value cut short by the end of the text is a truncated paste, not a value.
  if (width && !m[2] && m[1].length < width && m.index + m[0].length >= text.trimEnd().length) return undefined;
  return BigInt('0x' + joinWrapped(m[1], m[2], width));
}

export function small(text: string | undefined, key: string, width?: number): number | undefined {
  const v = big(text, key, width);
  return v === undefined || v > 0xffffffffn ? undefined : Number(v);
}

const LABEL = /(?<![A-Za-z])(LDTR|GDTR|IDTR|CS|DS|SS|ES|FS|GS|TR):/g;
/** Keys that end a segment line's span when no further label follows (truncated or last line). */
const SPAN_END = /\b(?:EFER|PAT|Guest PAT|DebugCtl|Interruptibility|PreemptionTimer|TSC Offset|PerfGlobCtl)\b/;

/** The text after each occurrence of `Name:` up to the next label. */
function spans(text: string, name: string): { span: string; atEnd: boolean }[] {
  const out: { span: string; atEnd: boolean }[] = [];
  const all = [...text.matchAll(LABEL)];
  all.forEach((m, i) => {
    if (m[1] !== name) return;
    const from = m.index! + m[0].length;
    const last = i + 1 >= all.length;
    let span = text.slice(from, last ? undefined : all[i + 1].index);
    const end = SPAN_END.exec(span);
    if (end) span = span.slice(0, end.index);
    out.push({ span, atEnd: last && !end });
  });
  return out;
}

/** Leading hex tokens of a column-table line, re-joining a token split by a wrap when widths are known. */
function columns(span: string, widths: number[], atEnd: boolean): (bigint | undefined)[] {
  const toks = span.trim().split(/\s+/).filter(Boolean);
  const out: (bigint | undefined)[] = [];
  let i = 0;
  for (const w of widths) {
    const t = toks[i]?.replace(/^0x/i, '');
    if (!t || !/^[0-9a-f]+$/i.test(t)) break;
    const n = toks[i + 1];
    if (atEnd && !n && t.length < w) break; // cut off by the end of a truncated paste
    if (t.length < w && n && /^[0-9a-f]+$/i.test(n) && t.length + n.length === w) {
      out.push(BigInt('0x' + t + n));
      i += 2;
    } else {
      out.push(BigInt('0x' + t));
      i += 1;
    }
  }
  return out;
}

const num = (v: bigint | undefined) => (v === undefined ? undefined : Number(v));

export function segment(text: string, name: string): SegmentState | undefined {
  for (const { span, atEnd } of spans(text, name)) {
    let s: SegmentState;
    if (/\b(?:sel|attr|limit|base)\s*=/i.test(span)) {
      s = { selector: small(span, 'sel\\s*=', 4), access: small(span, 'attr\\s*=', 5), limit: small(span, 'limit\\s*=', 8), base: big(span, 'base\\s*=', 16) };
    } else {
      const [sel, attr, limit, base] = columns(span, [4, 5, 8, 16], atEnd);
      s = { selector: num(sel), access: num(attr), limit: num(limit), base };
    }
    const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as SegmentState;
    if (Object.keys(clean).length > 0) return clean;
  }
  return undefined;
}

export function table(text: string, name: 'GDTR' | 'IDTR'): TableState | undefined {
  for (const { span, atEnd } of spans(text, name)) {
    let t: TableState;
    if (/\b(?:limit|base)\s*=/i.test(span)) t = { limit: small(span, 'limit\\s*=', 8), base: big(span, 'base\\s*=', 16) };
    else {
      const [limit, base] = columns(span, [8, 16], atEnd);
      t = { limit: num(limit), base };
    }
    const clean = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as TableState;
    if (Object.keys(clean).length > 0) return clean;
  }
  return undefined;
}

function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.every((x) => x === undefined)))) as T;
}

export function guestFields(g: string): GuestState {
  const state: GuestState = {
    cr0: big(g, 'CR0:\\s*actual\\s*=', 16),
    cr4: big(g, 'CR4:\\s*actual\\s*=', 16),
    cr3: big(g, 'CR3(?::\\s*actual\\s*=|\\s*=)', 16),
    pdpte: [0, 1, 2, 3].map((i) => big(g, `PDPT[ER]${i}\\s*=`, 16)),
    rsp: big(g, '(?<!Sysenter )\\bRSP\\s*=', 16),
    rip: big(g, '(?<!CS:)\\bRIP\\s*=', 16),
    rflags: big(g, '\\bRFLAGS\\s*=', 8),
    dr7: big(g, '\\bDR7\\s*=', 16),
    sysenterEsp: big(g, 'Sysenter RSP\\s*=', 16),
    sysenterCs: small(g, 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=', 4),
    sysenterEip: big(g, 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=\\s*(?:0x)?[0-9a-f]+:', 16),
    efer: big(g, '\\bEFER(?:\\([^)]*\\))?\\s*=', 16),
    pat: big(g, '\\b(?:Guest )?PAT\\s*=', 16),
    debugctl: big(g, '\\bDebugCtl\\s*=', 16),
    pendingDebugExceptions: big(g, '\\bDebugExceptions\\s*=', 16),
    perfGlobalCtrl: big(g, '\\bPerfGlobCtl\\s*=', 16),
    bndcfgs: big(g, '\\bBndCfgS\\s*=', 16),
    smbase: small(g, '\\bSM Base\\s*=', 8),
    interruptibility: small(g, '\\bInterruptibility\\s*=', 4), // %04x in 3.4, %08x later
    activityState: small(g, '\\bActivityState\\s*=', 4),
    vmcsLinkPointer: big(g, '\\blink pointer\\s*=', 16),
  };
  const names: SegName[] = ['cs', 'ds', 'ss', 'es', 'fs', 'gs', 'ldtr', 'tr'];
  for (const n of names) state[n] = segment(g, n.toUpperCase());
  state.gdtr = table(g, 'GDTR');
  state.idtr = table(g, 'IDTR');
  return prune(state);
}

export function hostFields(h: string | undefined): HostState | undefined {
  if (!h) return undefined;
  const selectors = prune(Object.fromEntries(
    (['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'tr'] as const).map((n) => [n, small(h, `(?<![A-Za-z:])${n.toUpperCase()}\\s*=`, 4)]),
  ) as HostState['selectors'] & object);
  return prune({
    rsp: big(h, '(?<!Sysenter )\\bRSP\\s*=', 16),
    rip: big(h, '(?<!CS:)\\bRIP\\s*=', 16),
    cr0: big(h, '\\bCR0\\s*=', 16),
    cr3: big(h, '\\bCR3\\s*=', 16),
    cr4: big(h, '\\bCR4\\s*=', 16),
    selectors: Object.keys(selectors).length ? selectors : undefined,
    fsBase: big(h, '\\bFSBase\\s*=', 16),
    gsBase: big(h, '\\bGSBase\\s*=', 16),
    trBase: big(h, '\\bTRBase\\s*=', 16),
    gdtrBase: big(h, '\\bGDTBase\\s*=', 16),
    idtrBase: big(h, '\\bIDTBase\\s*=', 16),
    sysenterEsp: big(h, 'Sysenter RSP\\s*=', 16),
    sysenterCs: small(h, 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=', 4),
    sysenterEip: big(h, 'Sysenter RSP\\s*=\\s*(?:0x)?[0-9a-f]+\\s+CS:RIP\\s*=\\s*(?:0x)?[0-9a-f]+:', 16),
    efer: big(h, '\\bEFER\\s*=', 16),
    pat: big(h, '\\b(?:Host )?PAT\\s*=', 16),
  });
}

/** What the control section shows of the VM-exit information fields (for display). */
export interface ExitInfo {
  reason?: number;
  qualification?: bigint;
  intrInfo?: number;
}

export function controlFields(c: string | undefined): { controls?: VmxControls; exit?: ExitInfo } {
  if (!c) return {};
  const entry = /VMEntry:(.*?)(?:VMExit:|$)/i.exec(c)?.[1];
  const exit = /VMExit:(.*?)(?:IDTVectoring|$)/i.exec(c)?.[1];
  const controls = prune<VmxControls>({
    pinBased: small(c, '\\bPinBased\\s*=', 8),
    procBased: small(c, '\\bCPUBased\\s*=', 8),
    procBased2: small(c, '\\bSecondaryExec\\s*=', 8),
    entry: small(c, '\\bEntryControls\\s*=', 8),
    exit: small(c, '\\bExitControls\\s*=', 8),
    exceptionBitmap: small(c, '\\bExceptionBitmap\\s*=', 8),
    entryIntrInfo: small(entry, 'intr_info\\s*=', 8),
    entryErrorCode: small(entry, 'errcode\\s*=', 8),
    entryInstrLen: small(entry, 'ilen\\s*=', 8),
    eptPointer: big(c, '\\bEPT pointer\\s*=', 16),
  });
  const exitInfo = prune<ExitInfo>({
    reason: small(exit, 'reason\\s*=', 8),
    qualification: big(exit, 'qualification\\s*=', 16),
    intrInfo: small(exit, 'intr_info\\s*=', 8),
  });
  return { controls: Object.keys(controls).length ? controls : undefined, exit: Object.keys(exitInfo).length ? exitInfo : undefined };
}
