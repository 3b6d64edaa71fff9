// Turns pasted log text into the plain lines of a VMCS dump: strips per-line prefixes (mail quoting '>' / '> >',
// '(XEN) ', kernel and Xen timestamps, syslog headers, 'kvm_intel: '), cuts the dump into its guest, host and
// control sections, and joins each section into one string so a field wrapped onto the next line reads as if it
// were not. Dump layouts: SDM Vol. 3 §24.4-24.8 fields as printed by Xen vmcs_dump_vcpu and KVM dump_vmcs.
// Pure TypeScript: no Node or VS Code imports.

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

export interface DumpSections {
  /** Text before the guest section (where the failure line is). */
  preamble: string;
  guest: string;
  host?: string;
  control?: string;
  /** How many '*** Guest State ***' headers the text has (only the first dump is read). */
  dumpCount: number;
  /** False when no section header was found and the whole text is read as guest state. */
  headed: boolean;
}

const GUEST = /\*{3}\s*Guest State\s*\*{3}/i;
const HOST = /\*{3}\s*Host State\s*\*{3}/i;
const CONTROL = /\*{3}\s*Control State\s*\*{3}/i;
const END = /^\*{10,}$/;

/** Joins wrapped lines: a single space, as the wrap replaced one. */
function join(lines: string[]): string {
  return lines.filter((l) => l.length > 0).join(' ');
}

/**
 * Raw mail (quoted-printable) encodes '=' as '=3D' and breaks long lines with a trailing '='. A dump is full of
 * "key=value", so several '=3D' are a reliable sign; the dumps print hex in lower case, so a value such as
 * 'ExceptionBitmap=3d000042' is not mistaken for it. Decode before anything else.
 */
export function decodeQuotedPrintable(text: string): string {
  if ((text.match(/=3D/g) ?? []).length < 3) return text;
  return text
    .replace(/=\r?\n(?:[ \t]*>+[ \t]?)*/g, '') // soft line break, and the quoting the next line carries
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function splitDump(text: string): DumpSections {
  const lines = decodeQuotedPrintable(text).split('\n').map(stripPrefixes);
  const starts = lines.map((l, i) => (GUEST.test(l) ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0) return { preamble: '', guest: join(lines), dumpCount: 0, headed: false };
  const start = starts[0];
  const stop = starts[1] ?? lines.length;
  let host = -1, control = -1, end = stop;
  for (let i = start + 1; i < stop; i++) {
    if (host < 0 && HOST.test(lines[i])) host = i;
    else if (control < 0 && CONTROL.test(lines[i])) control = i;
    else if (END.test(lines[i]) && (control >= 0 || host >= 0)) {
      end = i;
      break;
    }
  }
  const guestEnd = [host, control, end].filter((i) => i > start).reduce((a, b) => Math.min(a, b), end);
  const after = (from: number) => [host, control, end].filter((i) => i > from).reduce((a, b) => Math.min(a, b), end);
  // The header line itself may carry text after the marker (a wrapped line); keep only what follows it.
  const tail = (i: number, re: RegExp) => lines[i].replace(re, '').trim();
  return {
    preamble: join(lines.slice(0, start)),
    guest: join([tail(start, GUEST), ...lines.slice(start + 1, guestEnd)]),
    host: host >= 0 ? join([tail(host, HOST), ...lines.slice(host + 1, after(host))]) : undefined,
    control: control >= 0 ? join([tail(control, CONTROL), ...lines.slice(control + 1, after(control))]) : undefined,
    dumpCount: starts.length,
    headed: true,
  };
}
