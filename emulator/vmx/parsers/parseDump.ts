// parseVmcsDumps(): every VMCS dump in a Xen or KVM log, pasted as people paste it, → the VMCS as data
// (guest-state area, host-state area and controls; SDM Vol. 3 §24.4-24.8) plus warnings for what is missing or
// unusable (a value cut off, given twice, not hex: named by line, and left out so the checks needing it skip).
// Text with no dump is a VmcsDumpError that says what was expected. Pure TypeScript: no Node or VS Code imports.
import { field, isField } from '../fields';
import type { EntryState, GuestState, HostState, VmxControls } from '../guestState';
import { controlFields, guestFields, hostFields, type ExitInfo, type FieldProblems } from './extract';
import { kvmFailure, kvmFormat, kvmScore } from './kvm';
import { splitDumps, type DumpSections } from './normalize';
import { type FailureLine, xenFailure, xenFormat, xenScore } from './xen';

export class VmcsDumpError extends Error {}

export interface VmcsDump extends EntryState {
  source: 'xen' | 'kvm';
  /** Which printer and era, e.g. 'Xen 4.6+ (column table)'. */
  format: string;
  guest: GuestState;
  host?: HostState;
  controls?: VmxControls;
  /** The failure line before the dump, if the text has one. */
  failure?: FailureLine;
  /** The VM-exit information fields of the control section. */
  exit?: ExitInfo;
  /** 1-based position among the dumps of the text, how many it has, and the dump's lines there. */
  index: number;
  count: number;
  firstLine: number;
  lastLine: number;
  warnings: string[];
}

export const EXPECTED = "expected a VMCS dump: Xen's '*** Guest State ***' section (any era) or KVM's dump_vmcs output, "
  + "with segment lines such as 'CS: sel=0x0008, attr=0x0c09b, limit=0xffffffff, base=0x0000000000000000' or '  CS: 0008 0c09b ffffffff 0000000000000000'";

const SEG_KEYS = ['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'ldtr', 'tr'] as const;

function missing(g: GuestState, unreadable: FieldProblems): string[] {
  const out: string[] = [];
  const top: [keyof GuestState, string][] = [['cr0', 'GUEST_CR0'], ['cr3', 'GUEST_CR3'], ['cr4', 'GUEST_CR4'], ['rsp', 'GUEST_RSP'],
    ['rip', 'GUEST_RIP'], ['rflags', 'GUEST_RFLAGS'], ['interruptibility', 'GUEST_INTERRUPTIBILITY_INFO'], ['activityState', 'GUEST_ACTIVITY_STATE']];
  for (const [k, f] of top) if (g[k] === undefined) out.push(f);
  for (const n of SEG_KEYS) {
    const s = g[n];
    const N = n.toUpperCase();
    const parts = ['SELECTOR', 'AR_BYTES', 'LIMIT', 'BASE'];
    if (!s && parts.every((p) => !unreadable.has(`GUEST_${N}_${p}`))) out.push(`GUEST_${N}_*`);
    else {
      if (s?.selector === undefined) out.push(`GUEST_${N}_SELECTOR`);
      if (s?.access === undefined) out.push(`GUEST_${N}_AR_BYTES`);
      if (s?.limit === undefined) out.push(`GUEST_${N}_LIMIT`);
      if (s?.base === undefined) out.push(`GUEST_${N}_BASE`);
    }
  }
  for (const t of ['gdtr', 'idtr'] as const) if (!g[t]) out.push(`GUEST_${t.toUpperCase()}_*`);
  return out.filter((f) => !unreadable.has(f));
}

/**
 * Xen before 3.4 printed attr from its own segment_register, whose 12-bit layout keeps AVL/L/D-B/G in bits 11:8
 * (VMCS bits 15:12) and has no unusable bit. Such a dump has attr bits 11:8 set (reserved in the VMCS) and nothing
 * above bit 11; unpack it as Xen's vmx_set_segment_register does. Returns whether it did.
 */
function unpackXenAttrs(g: GuestState): boolean {
  const attrs = SEG_KEYS.map((n) => g[n]?.access).filter((a): a is number => a !== undefined);
  if (!attrs.some((a) => (a & 0xf00) !== 0) || attrs.some((a) => a >>> 12 !== 0)) return false;
  for (const n of SEG_KEYS) {
    const s = g[n];
    if (s?.access === undefined) continue;
    const a = s.access;
    s.access = ((a & 0xff) | ((a & 0xf00) << 4) | ((a & 0x80) === 0 ? 0x10000 : 0)) >>> 0;
  }
  return true;
}

function noDump(text: string): VmcsDumpError {
  if (/entry failed, hardware error/i.test(text) && /\b(?:CS|ES) =[0-9a-f]{4} [0-9a-f]{8,16} [0-9a-f]{8} [0-9a-f]{8}/i.test(text)) {
    return new VmcsDumpError("no VMCS dump found: this is QEMU's register dump after 'KVM: entry failed' (the guest's registers, not the VMCS KVM "
      + 'entered); load kvm_intel with dump_invalid_vmcs=1, reproduce, and check the dump_vmcs output from the kernel log');
  }
  if (/dump_invalid_vmcs/.test(text)) {
    return new VmcsDumpError('no VMCS dump found: the log says KVM did not dump it; load kvm_intel with dump_invalid_vmcs=1 and reproduce');
  }
  return new VmcsDumpError(`no VMCS dump found: ${EXPECTED}`);
}

function parseOne(sec: DumpSections, text: string, index: number, count: number): VmcsDump {
  const problems: FieldProblems = new Map();
  const guest = guestFields(sec.guest, problems);
  const segs = SEG_KEYS.filter((n) => guest[n] !== undefined).length;
  if (!sec.headed && (segs < 3 || guest.cr0 === undefined && guest.rflags === undefined)) throw noDump(text);
  if (sec.headed && segs === 0 && guest.cr0 === undefined && guest.rflags === undefined && guest.rip === undefined && problems.size === 0) {
    throw new VmcsDumpError(`the '*** Guest State ***' section${count > 1 ? ` of dump ${index}` : ''} has no fields this parser knows `
      + `(truncated or not a Xen/KVM dump): ${EXPECTED}`);
  }
  // Each dump is labelled from its own stretch of the log: a KVM dump and a Xen dump in one text keep their sources.
  const xen = xenScore(sec.raw), kvm = kvmScore(sec.raw);
  const source: 'xen' | 'kvm' = xen > kvm || (xen === kvm && !/(?<![A-Za-z])(?:CS|TR):\s{2,}sel=/.test(sec.guest.text)) ? 'xen' : 'kvm';
  const unpacked = source === 'xen' ? unpackXenAttrs(guest) : false;
  const { controls, exit } = controlFields(sec.control, problems);
  const controlsCut = !!sec.control && (sec.control.lines.some((l) => l.cut) || [...problems.keys()].some((f) => isField(f) && field(f).group === 'control'));
  const host = hostFields(sec.host, problems);
  const warnings: string[] = [];
  if (!sec.headed) warnings.push("no '*** Guest State ***' header: read the whole text as guest state");
  if (unpacked) {
    warnings.push("attr values are in Xen's 12-bit segment_register layout (Xen 3.3 and older printed hvm_get_segment_register(), "
      + 'which also shows the saved real-mode segments instead of the vm86 values in the VMCS): unpacked to the VMCS layout, not-present as unusable');
  }
  if (!sec.control) warnings.push("no '*** Control State ***' section: controls (unrestricted guest, IA-32e mode guest, event injection) are unknown");
  for (const [field, why] of problems) warnings.push(`${field} ${why}: checks that need it are skipped`);
  const gone = missing(guest, problems);
  if (gone.length) warnings.push(`not in the dump (checks that need them are skipped): ${gone.join(', ')}`);
  const context = sec.preamble || (count === 1 ? text : '');
  const failure = source === 'xen' ? xenFailure(context) : kvmFailure(context);
  return {
    source,
    format: source === 'xen' ? xenFormat(sec.guest.text) : kvmFormat(sec.raw),
    guest,
    ...(host ? { host } : {}),
    ...(controls ? { controls } : {}),
    ...(failure ? { failure } : {}),
    ...(exit ? { exit } : {}),
    ...(problems.size ? { unreadable: Object.fromEntries(problems) } : {}),
    ...(controlsCut ? { controlsCut } : {}),
    index, count, firstLine: sec.firstLine, lastLine: sec.lastLine,
    warnings,
  };
}

/** Every dump in the text, in order. Throws VmcsDumpError when there is none. */
export function parseVmcsDumps(text: string): VmcsDump[] {
  const secs = splitDumps(text);
  return secs.map((s, i) => parseOne(s, text, i + 1, secs.length));
}

/** The first dump in the text (the others: parseVmcsDumps). */
export function parseVmcsDump(text: string): VmcsDump {
  return parseVmcsDumps(text)[0];
}
