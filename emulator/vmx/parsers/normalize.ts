// Turns pasted log text into the plain lines of VMCS dumps: strips per-line prefixes (mail quoting '>' / '> >',
// '(XEN) ', kernel and Xen timestamps, syslog headers, 'kvm_intel: '), finds every dump in the text, cuts each into
// its guest, host and control sections, and joins a section into one string so a field wrapped onto the next line
// reads as if it were not, while each offset still maps back to its line (warnings name the line). Dump layouts:
// SDM Vol. 3 §24.4-24.8 fields as printed by Xen vmcs_dump_vcpu and KVM dump_vmcs. No Node or VS Code imports.

const PREFIXES: RegExp[] = [
  /^\s*>(?:\s?>)*\s?/, // mail quoting, any depth
  /^\s*\(XEN\)\s?/,
  /^\s*\[\s*\d+\.\d+\]\s?/, // dmesg [ 1234.567890]
  /^\s*\[\d{4}-\d\d-\d\d[ T][\d:.]+\]\s?/, // Xen console timestamps
  /^\s*[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [\w.\-/[\]]+:\s?/, // syslog: "Nov 25 19:00:00 host kernel:"
  /^\s*\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)? \S+ [\w.\-/[\]]+:\s?/, // ISO syslog
  /^\s*kvm_intel:\s?/,
  /^\s*kvm:\s?/,
];

/** The line without log and quoting prefixes, trimmed. */
export function stripPrefixes(line: string): string {
  // HTML mail archives escape the quoting characters.
  let s = line.replace(/\r$/, '').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of PREFIXES) {
      const t = s.replace(re, '');
      if (t !== s) {
        s = t;
        changed = true;
      }
    }
  }
  return s.trim();
}

/** One line of the pasted text: its 1-based number there, the text as pasted and without prefixes. */
export interface DumpLine {
  no: number;
  raw: string;
  text: string;
  /** The line ends at the column where many lines of the text end: a paste cut at a fixed width. */
  cut: boolean;
}

/** Lines joined by single spaces (as a wrap replaced one), each offset mapping back to its line. */
export class Section {
  readonly text: string;
  private readonly starts: number[] = [];
  readonly lines: DumpLine[];

  constructor(lines: DumpLine[]) {
    this.lines = lines.filter((l) => l.text.length > 0);
    let at = 0;
    for (const l of this.lines) {
      this.starts.push(at);
      at += l.text.length + 1;
    }
    this.text = this.lines.map((l) => l.text).join(' ');
  }

  private index(offset: number): number {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** The line the character at `offset` comes from. */
  lineAt(offset: number): DumpLine {
    return this.lines[this.index(offset)];
  }
  /** Offset just past the end of that line in `text`. */
  lineEnd(offset: number): number {
    const i = this.index(offset);
    return this.starts[i] + this.lines[i].text.length;
  }
}

export interface DumpSections {
  /** Lines before the guest section that belong to this dump (its failure line, its header). */
  preamble: string;
  /** The pasted text of this dump's stretch of the log, prefixes included (to tell Xen from KVM). */
  raw: string;
  guest: Section;
  host?: Section;
  control?: Section;
  /** First and last line of the dump in the pasted text (1-based). */
  firstLine: number;
  lastLine: number;
  /** False when no section header was found and the whole text is read as guest state. */
  headed: boolean;
}

/** '*** Title State ***', or a line ending in a start of it ('*** Guest St'): a paste whose lines were cut. */
function header(title: string): RegExp {
  const chars = `${title} State ***`.split('').map((c) => (c === ' ' ? '\\s+' : c === '*' ? '\\*' : c));
  // 'G(?:u(?:e…)?)?': the first letter, then each further one only after the one before it.
  const cut = chars.reduceRight((tail, c, i) => (i === 0 ? c + tail : `(?:${c}${tail})?`), '');
  return new RegExp(`\\*{3}\\s*(?:${title}\\s+State\\s*\\*{3}|${cut}\\s*$)`, 'i');
}
const GUEST = header('Guest');
const HOST = header('Host');
const CONTROL = header('Control');
const END = /^\*{10,}$/;
/** Lines printed just before a dump's guest section: they belong to that dump, not to the one before. */
const INTRO = /VMCS Areas?\b|Failed vm entry|vmentry failure|last attempted VM-entry|^VMCS [0-9a-fx]+|^(?:>>> )?Domain \d+ <<<|^VCPU \d|dumping .*VMCS/i;

/**
 * Raw mail (quoted-printable) encodes '=' as '=3D' and breaks long lines with a trailing '='. A dump is full of
 * "key=value", so several '=3D' are a reliable sign; the dumps print hex in lower case, so a value such as
 * 'ExceptionBitmap=3d000042' is not mistaken for it. A soft-broken line keeps the number of its first part.
 */
function decodeQuotedPrintable(raw: { no: number; raw: string }[]): { no: number; raw: string }[] {
  if (raw.reduce((n, l) => n + (l.raw.match(/=3D/g) ?? []).length, 0) < 3) return raw;
  const out: { no: number; raw: string }[] = [];
  let pending: { no: number; raw: string } | undefined;
  for (const l of raw) {
    // The continuation of a soft break drops the quoting it carries.
    const piece = pending ? l.raw.replace(/^(?:[ \t]*>+[ \t]?)*/, '') : l.raw;
    const cur = pending ? { no: pending.no, raw: pending.raw + piece } : { no: l.no, raw: piece };
    if (/=$/.test(cur.raw)) pending = { no: cur.no, raw: cur.raw.slice(0, -1) };
    else {
      pending = undefined;
      out.push(cur);
    }
  }
  if (pending) out.push(pending);
  return out.map((l) => ({ no: l.no, raw: l.raw.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) }));
}

/**
 * The column a paste was cut at: the longest line length, when a fifth of the lines (and at least three) have it.
 * Dumps print lines of many lengths, and a mail client's soft wrap ends few lines exactly at its width; a text cut
 * at a fixed width (a terminal, a form field) has many of its lines end there.
 */
function cutColumn(lines: { raw: string }[]): number | undefined {
  const max = Math.max(0, ...lines.map((l) => l.raw.trimEnd().length));
  const at = lines.filter((l) => l.raw.length >= max).length;
  return max > 0 && at >= 3 && at * 5 >= lines.filter((l) => l.raw.trim() !== '').length ? max : undefined;
}

export function textLines(text: string): DumpLine[] {
  const raw = decodeQuotedPrintable(text.split('\n').map((r, i) => ({ no: i + 1, raw: r.replace(/\r$/, '') })));
  const at = cutColumn(raw);
  return raw.map((l) => ({ ...l, text: stripPrefixes(l.raw), cut: at !== undefined && l.raw.length >= at }));
}

/** Every dump in the text, in order; one unheaded dump (the whole text) when there is no '*** Guest State ***'. */
export function splitDumps(text: string): DumpSections[] {
  const lines = textLines(text);
  const rawOf = (from: number, to: number) => lines.slice(from, to).map((l) => l.raw).join('\n');
  const starts = lines.map((l, i) => (GUEST.test(l.text) ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0) {
    return [{
      preamble: '', raw: text, guest: new Section(lines), headed: false,
      firstLine: 1, lastLine: lines.length ? lines[lines.length - 1].no : 1,
    }];
  }
  // A dump's intro lines (failure line, "VMCS Area" banner) just above its guest header.
  const introOf = (start: number, floor: number) => {
    let i = start;
    while (i - 1 > floor && (INTRO.test(lines[i - 1].text) || lines[i - 1].text === '')) i--;
    return i;
  };
  const out: DumpSections[] = [];
  let from = 0; // where this dump's stretch of the log begins
  starts.forEach((start, k) => {
    const nextStart = starts[k + 1];
    const stop = nextStart === undefined ? lines.length : introOf(nextStart, start);
    let host = -1, control = -1, end = stop;
    for (let i = start + 1; i < stop; i++) {
      if (host < 0 && HOST.test(lines[i].text)) host = i;
      else if (control < 0 && CONTROL.test(lines[i].text)) control = i;
      else if (END.test(lines[i].text) && (control >= 0 || host >= 0)) {
        end = i;
        break;
      }
    }
    const after = (i0: number) => [host, control, end].filter((i) => i > i0).reduce((a, b) => Math.min(a, b), end);
    // The header line itself may carry text after the marker (a wrapped line); keep only what follows it.
    const tail = (i: number, re: RegExp): DumpLine => ({ ...lines[i], text: lines[i].text.replace(re, '').trim() });
    const section = (i: number, re: RegExp) => new Section([tail(i, re), ...lines.slice(i + 1, after(i))]);
    // The first dump's preamble is everything before it (a log's failure line may be far above the dump).
    const pre = k === 0 ? 0 : introOf(start, from - 1);
    const last = end < stop ? end : stop - 1; // the END line, or the line before the next dump's intro
    out.push({
      preamble: lines.slice(pre, start).map((l) => l.text).filter((t) => t).join(' '),
      raw: rawOf(k === 0 ? 0 : pre, last + 1),
      guest: section(start, GUEST),
      host: host >= 0 ? section(host, HOST) : undefined,
      control: control >= 0 ? section(control, CONTROL) : undefined,
      firstLine: lines[pre === 0 && k === 0 ? introOf(start, -1) : pre].no,
      lastLine: lines[last].no,
      headed: true,
    });
    from = end < stop ? end + 1 : stop;
  });
  return out;
}
