// parseVmcsDump(): a VMCS dump from a Xen or KVM log, pasted as people paste it, → the VMCS as data
// (guest-state area, host-state area and controls; SDM Vol. 3 §24.4-24.8) plus warnings for what is missing.
// Text with no dump is a VmcsDumpError that says what was expected. Pure TypeScript: no Node or VS Code imports.
import type { EntryState, GuestState, HostState, VmxControls } from '../guestState';
import { controlFields, guestFields, hostFields, type ExitInfo } from './extract';
import { kvmFailure, kvmFormat, kvmScore } from './kvm';
import { splitDump } from './normalize';
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
  warnings: string[];
}

export const EXPECTED = "expected a VMCS dump: Xen's '*** Guest State ***' section (any era) or KVM's dump_vmcs output, "
  + "with segment lines such as 'CS: sel=0x0008, attr=0x0c09b, limit=0xffffffff, base=0x0000000000000000' or '  CS: 0008 0c09b ffffffff 0000000000000000'";

const SEG_KEYS = ['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'ldtr', 'tr'] as const;

function missing(g: GuestState): string[] {
  const out: string[] = [];
  const top: [keyof GuestState, string][] = [['cr0', 'GUEST_CR0'], ['cr3', 'GUEST_CR3'], ['cr4', 'GUEST_CR4'], ['rsp', 'GUEST_RSP'],
    ['rip', 'GUEST_RIP'], ['rflags', 'GUEST_RFLAGS'], ['interruptibility', 'GUEST_INTERRUPTIBILITY_INFO'], ['activityState', 'GUEST_ACTIVITY_STATE']];
  for (const [k, f] of top) if (g[k] === undefined) out.push(f);
  for (const n of SEG_KEYS) {
    const s = g[n];
    const N = n.toUpperCase();
    if (!s) out.push(`GUEST_${N}_*`);
    else {
      if (s.selector === undefined) out.push(`GUEST_${N}_SELECTOR`);
      if (s.access === undefined) out.push(`GUEST_${N}_AR_BYTES`);
      if (s.limit === undefined) out.push(`GUEST_${N}_LIMIT`);
      if (s.base === undefined) out.push(`GUEST_${N}_BASE`);
    }
  }
  for (const t of ['gdtr', 'idtr'] as const) if (!g[t]) out.push(`GUEST_${t.toUpperCase()}_*`);
  return out;
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

export function parseVmcsDump(text: string): VmcsDump {
  const sec = splitDump(text);
  const guest = guestFields(sec.guest);
  const segs = SEG_KEYS.filter((n) => guest[n] !== undefined).length;
  if (!sec.headed && (segs < 3 || guest.cr0 === undefined && guest.rflags === undefined)) {
    if (/entry failed, hardware error/i.test(text) && /\b(?:CS|ES) =[0-9a-f]{4} [0-9a-f]{8,16} [0-9a-f]{8} [0-9a-f]{8}/i.test(text)) {
      throw new VmcsDumpError("no VMCS dump found: this is QEMU's register dump after 'KVM: entry failed' (the guest's registers, not the VMCS KVM "
        + 'entered); load kvm_intel with dump_invalid_vmcs=1, reproduce, and check the dump_vmcs output from the kernel log');
    }
    if (/dump_invalid_vmcs/.test(text)) {
      throw new VmcsDumpError('no VMCS dump found: the log says KVM did not dump it; load kvm_intel with dump_invalid_vmcs=1 and reproduce');
    }
    throw new VmcsDumpError(`no VMCS dump found: ${EXPECTED}`);
  }
  if (sec.headed && segs === 0 && guest.cr0 === undefined && guest.rflags === undefined && guest.rip === undefined) {
    throw new VmcsDumpError(`the '*** Guest State ***' section has no fields this parser knows (truncated or not a Xen/KVM dump): ${EXPECTED}`);
  }
  const xen = xenScore(text), kvm = kvmScore(text);
  const source: 'xen' | 'kvm' = xen > kvm || (xen === kvm && !/(?<![A-Za-z])(?:CS|TR):\s{2,}sel=/.test(sec.guest)) ? 'xen' : 'kvm';
  const unpacked = source === 'xen' ? unpackXenAttrs(guest) : false;
  const { controls, exit } = controlFields(sec.control);
  const host = hostFields(sec.host);
  const warnings: string[] = [];
  if (!sec.headed) warnings.push("no '*** Guest State ***' header: read the whole text as guest state");
  if (unpacked) {
    warnings.push("attr values are in Xen's 12-bit segment_register layout (Xen 3.3 and older printed hvm_get_segment_register(), "
      + 'which also shows the saved real-mode segments instead of the vm86 values in the VMCS): unpacked to the VMCS layout, not-present as unusable');
  }
  if (sec.dumpCount > 1) warnings.push(`the text has ${sec.dumpCount} dumps; checked the first`);
  if (!sec.control) warnings.push("no '*** Control State ***' section: controls (unrestricted guest, IA-32e mode guest, event injection) are unknown");
  const gone = missing(guest);
  if (gone.length) warnings.push(`not in the dump (checks that need them are skipped): ${gone.join(', ')}`);
  const failure = source === 'xen' ? xenFailure(sec.preamble || text) : kvmFailure(sec.preamble || text);
  return {
    source,
    format: source === 'xen' ? xenFormat(sec.guest) : kvmFormat(text),
    guest,
    ...(host ? { host } : {}),
    ...(controls ? { controls } : {}),
    ...(failure ? { failure } : {}),
    ...(exit ? { exit } : {}),
    warnings,
  };
}
