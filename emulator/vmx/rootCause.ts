// Groups VM-entry check failures that share one cause and says in one sentence what the state looks like
// (e.g. RFLAGS.VM=1 over protected-mode segments fails 18 v86 checks: one root cause). The sections cited are
// those of the grouped checks (SDM Vol. 3 §26.2.1.3, §26.3.1.x). Pure TypeScript: no Node or VS Code imports.
import { decodeAr, describeAr } from './accessRights';
import type { Assumptions } from './view';
import type { CheckResult, EntryReport } from './entryChecks';
import { hex, SEGS6, type EntryState, type SegName, PROC_ACTIVATE_SECONDARY, PROC2_UNRESTRICTED_GUEST } from './guestState';

export interface RootCause {
  id: string;
  /** One sentence describing the state. */
  summary: string;
  /** Ids of the failing checks this cause explains. */
  checks: string[];
}

const SEG_OF = /\.(CS|SS|DS|ES|FS|GS|LDTR|TR)$/;

function segOf(f: CheckResult): SegName | undefined {
  const m = SEG_OF.exec(f.id) ?? /^(TR|LDTR)\./.exec(f.id);
  return m ? (m[1].toLowerCase() as SegName) : undefined;
}

function ugOf(s: EntryState, assume: Assumptions): boolean | undefined {
  const c = s.controls;
  if (c?.procBased !== undefined && (c.procBased & PROC_ACTIVATE_SECONDARY) === 0) return false;
  return c?.procBased2 === undefined ? assume.unrestrictedGuest : (c.procBased2 & PROC2_UNRESTRICTED_GUEST) !== 0;
}

/** A segment as protected mode leaves it: 32-bit or page-granular, a code type in CS, or a base unrelated to the selector. */
function protectedModeLike(s: EntryState, n: SegName): boolean {
  const r = s.guest[n];
  if (r?.access === undefined) return false;
  const a = decodeAr(r.access);
  if (a.g || a.db || a.l) return true;
  if (n === 'cs' && a.s && (a.type & 8) !== 0) return true;
  // A DPL-3 data segment is the v86 shape; a lower DPL with a base unrelated to the selector is a descriptor load.
  return a.dpl !== 3 && r.selector !== undefined && r.base !== undefined && r.base !== BigInt(r.selector << 4);
}

type Rule = (s: EntryState, pending: CheckResult[], assume: Assumptions) => RootCause | undefined;

const RULES: Rule[] = [
  // RFLAGS.VM=1 over segments that are not in real-mode shape.
  (s, pending) => {
    const hit = pending.filter((f) => f.id.startsWith('V86.'));
    if (hit.length === 0) return undefined;
    const pmSegs = SEGS6.filter((n) => protectedModeLike(s, n));
    const onlyAr = hit.every((f) => f.id.startsWith('V86.AR.'));
    const summary = pmSegs.length > 0
      ? `protected-mode segment state with EFLAGS.VM set (RFLAGS ${hex(s.guest.rflags ?? 0n)}): ${pmSegs.map((n) => n.toUpperCase()).join(', ')} hold${pmSegs.length === 1 ? 's' : ''} protected-mode descriptor${pmSegs.length === 1 ? '' : 's'}, but virtual-8086 mode needs base = selector << 4, limit 0xFFFF and access rights 0xF3 in all six`
      : onlyAr
        ? 'real-mode segments entered as virtual-8086 mode without setting their access rights to 0xF3 (DPL 3 read/write data)'
        : 'virtual-8086 mode with segment registers out of real-mode shape (base = selector << 4, limit 0xFFFF, access rights 0xF3)';
    return { id: 'v86-segments', summary, checks: hit.map((f) => f.id) };
  },
  // Real mode without unrestricted guest: CR0.PE=0 fails CR0.FIXED, and the real-mode segment caches fail the protected-mode rules.
  (s, pending, assume) => {
    if (s.guest.cr0 === undefined || (s.guest.cr0 & 1n) !== 0n || ugOf(s, assume) !== false) return undefined;
    if ((s.guest.rflags ?? 0n) & (1n << 17n)) return undefined;
    const hit = pending.filter((f) => f.id === 'CR0.FIXED' || f.section === '26.3.1.2');
    if (!hit.some((f) => f.id === 'CR0.FIXED')) return undefined;
    return {
      id: 'real-mode-without-ug',
      summary: `real-mode state (CR0 ${hex(s.guest.cr0)}, PE=0) entered without the "unrestricted guest" control: VM entry needs CR0.PE=1 and PG=1, so real mode must run as virtual-8086 mode or be emulated`,
      checks: hit.map((f) => f.id),
    };
  },
  // CR0.PE set while SS still holds a real-mode value whose low selector bits (RPL) are not CS's.
  (s, pending) => {
    const ids = ['SEL.SS_RPL', 'DPL.SS', 'DPL.CS_NONCONF', 'DPL.CS_CONF'];
    const hit = pending.filter((f) => ids.includes(f.id));
    if (!hit.some((f) => f.id === 'SEL.SS_RPL')) return undefined;
    const ss = s.guest.ss;
    const realCache = ss?.selector !== undefined && ss.base === BigInt(ss.selector << 4);
    const sel = ss?.selector !== undefined ? hex(ss.selector, 4) : '?';
    return {
      id: 'ss-rpl',
      summary: realCache
        ? `real-mode SS (selector ${sel}, base = selector << 4) still loaded after CR0.PE was set: its low bits act as RPL ${ss!.selector! & 3}, so SS must be reloaded before VM entry can succeed`
        : `SS selector ${sel} has an RPL different from CS's, so the guest has no consistent CPL`,
      checks: hit.map((f) => f.id),
    };
  },
  // TR never loaded.
  (s, pending) => {
    const hit = pending.filter((f) => f.id.startsWith('TR.'));
    if (hit.length === 0 || s.guest.tr?.selector !== 0) return undefined;
    return { id: 'tr-not-loaded', summary: 'TR was never loaded (selector 0): VM entry needs a busy TSS in TR', checks: hit.map((f) => f.id) };
  },
  // An injected event that the state or the controls cannot take.
  (s, pending) => {
    const hit = pending.filter((f) => f.id.startsWith('INJ.') || f.fields.includes('VM_ENTRY_INTR_INFO_FIELD'));
    if (hit.length < 2) return undefined;
    return { id: 'injection', summary: `the injected event (interruption information ${hex(s.controls?.entryIntrInfo ?? 0)}) cannot be delivered in this state`, checks: hit.map((f) => f.id) };
  },
];

/** Failures left after the rules are grouped per segment register when one register fails several rules. */
function perSegment(s: EntryState, pending: CheckResult[]): RootCause[] {
  const out: RootCause[] = [];
  for (const n of [...SEGS6, 'ldtr', 'tr'] as SegName[]) {
    const hit = pending.filter((f) => segOf(f) === n);
    if (hit.length < 2) continue;
    const r = s.guest[n];
    const N = n.toUpperCase();
    const what = n === 'tr' ? 'a busy TSS' : n === 'ldtr' ? 'an LDT' : n === 'cs' ? 'a code segment' : n === 'ss' ? 'a writable data segment' : 'a data segment';
    out.push({
      id: `segment-${n}`,
      summary: `${N} (selector ${r?.selector !== undefined ? hex(r.selector, 4) : '?'}, access rights ${r?.access !== undefined ? describeAr(r.access) : '?'}) is not ${what} VM entry accepts`,
      checks: hit.map((f) => f.id),
    });
  }
  return out;
}

/** `assume` is what the checks assumed for controls the state lacks (CheckOptions.assume). */
export function rootCauses(state: EntryState, report: EntryReport, assume: Assumptions = {}): RootCause[] {
  let pending = [...report.failures];
  const out: RootCause[] = [];
  const take = (rc: RootCause | undefined) => {
    if (!rc || rc.checks.length === 0) return;
    out.push(rc);
    pending = pending.filter((f) => !rc.checks.includes(f.id));
  };
  for (const rule of RULES) take(rule(state, pending, assume));
  for (const rc of perSegment(state, pending)) take(rc);
  for (const f of pending) out.push({ id: f.id, summary: f.message, checks: [f.id] });
  return out;
}
