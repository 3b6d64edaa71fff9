// JSON-safe views of VMX results for the CLI (`vmcheck --json`, `run --json` vmentry) and the DAP custom request:
// numbers as plain JSON numbers (64-bit values above 2^53 are rounded, as any JSON number is), never hex strings
// (docs/CLI.md). Checks are SDM Vol. 3 §26.2.1.3 / §26.3.1.x. Pure TypeScript: no Node or VS Code imports.
import type { EntryReport } from './entryChecks';
import type { GuestState, SegmentState } from './guestState';
import type { ProfileResult } from './profiles';
import type { RootCause } from './rootCause';
import { vmcsRows } from './vmcsView';

const n = (v: bigint | number | undefined) => (v === undefined ? undefined : Number(v));

function segJson(s: SegmentState | undefined) {
  return s && { selector: s.selector, base: n(s.base), limit: s.limit, access: s.access };
}

/** The `guest` object of `vmcheck --json`. Missing fields are left out. */
export function guestJson(g: GuestState) {
  return {
    cs: segJson(g.cs), ss: segJson(g.ss), ds: segJson(g.ds), es: segJson(g.es), fs: segJson(g.fs), gs: segJson(g.gs),
    ldtr: segJson(g.ldtr), tr: segJson(g.tr),
    gdtr: g.gdtr && { base: n(g.gdtr.base), limit: g.gdtr.limit },
    idtr: g.idtr && { base: n(g.idtr.base), limit: g.idtr.limit },
    rflags: n(g.rflags), rip: n(g.rip), rsp: n(g.rsp),
    cr0: n(g.cr0), cr3: n(g.cr3), cr4: n(g.cr4), dr7: n(g.dr7),
    interruptibility: g.interruptibility, activityState: g.activityState,
  };
}

export function checksJson(r: EntryReport) {
  return r.checks.map((x) => ({ id: x.id, section: x.section, oldSection: x.oldSection, field: x.field, status: x.status, message: x.message }));
}

export function outcomeJson(r: EntryReport) {
  return { ...r.outcome };
}

/** Everything a "VM Entry Checks" panel shows for a profile at the current instruction. */
export function profileViewJson(r: ProfileResult, causes: RootCause[]) {
  return {
    profile: r.profile,
    verdict: r.verdict,
    reason: r.reason,
    notes: r.notes,
    failures: r.failures.map((f) => ({ id: f.id, section: f.section, field: f.field, message: f.message })),
    rootCauses: causes,
    checks: r.report ? checksJson(r.report) : [],
    vmcs: r.entered ? vmcsRows(r.entered).map((row) => ({ name: row.name, encoding: row.encoding, width: row.width, group: row.group, value: n(row.value) })) : [],
  };
}
