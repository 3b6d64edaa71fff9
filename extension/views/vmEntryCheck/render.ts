// Renders the "VM Entry Checks" panel body: the verdict under a hypervisor profile and every check as a row
// (failures first, grouped by root cause), from bootscope/checkVmEntry or `bootscope vmcheck --json`.
// Pure: no 'vscode', no Node. Checks are SDM Vol. 3 §26.2.1–26.3.1; every message is escaped.
import type { CheckRow, CheckVmEntryResponse, ProfileName, RootCause } from '../../../protocol/customRequests';
import type { VmcheckJson } from '../../../protocol/webview';

import { PROFILE_NAMES } from '../../../protocol/customRequests';
import { type Html, html, joinHtml, msgAttr, profilePicker } from '../html';

export interface ChecksView {
  profile: ProfileName;
  /** "enter" | "emulate" | "fail" for a live session; "pass" | "fail" for a dump. */
  verdict: string;
  reason?: string;
  notes?: string[];
  checks: CheckRow[];
  rootCauses?: RootCause[];
  /** Where the data came from: "live state" or "Xen dump (…)". */
  source: string;
  /** Offer "find where this started failing" (live sessions with recording). */
  canTravel: boolean;
}

/** The adapter's bootscope/checkVmEntry answer. */
export function fromLive(r: CheckVmEntryResponse): ChecksView {
  return { profile: r.profile, verdict: r.verdict, reason: r.reason, notes: r.notes, checks: r.checks, rootCauses: r.rootCauses, source: 'live state', canTravel: true };
}

export function fromDump(j: VmcheckJson, origin: string): ChecksView {
  const notes = [...(j.hints ?? []), ...(j.warnings ?? [])];
  return {
    profile: j.profile, verdict: j.verdict, checks: j.checks, rootCauses: j.rootCauses, notes,
    source: `${j.source === 'kvm' ? 'KVM' : 'Xen'} dump${j.format ? ` (${j.format})` : ''} from ${origin}`
      + (j.dump && j.dump.count > 1 ? `, dump ${j.dump.index} of ${j.dump.count} (lines ${j.dump.firstLine}-${j.dump.lastLine})` : ''),
    canTravel: false,
  };
}

function row(c: CheckRow, canTravel: boolean): Html {
  const button = canTravel && c.status === 'fail'
    ? html` <vscode-button ${msgAttr({ type: 'findFailureStart', checkId: c.id })} title="Reverse-continue to the instruction where this check last changed from pass to fail">find where this started failing</vscode-button>`
    : '';
  return html`<tr class="check ${c.status}" data-id="${c.id}"><td class="${c.status}">${c.status}</td><td class="mono">${c.id}</td><td>§${c.section}</td><td class="mono">${c.field}</td><td>${c.message}${button}</td></tr>`;
}

function table(rows: CheckRow[], canTravel: boolean): Html | '' {
  if (rows.length === 0) return '';
  return html`<table><thead><tr><th>status</th><th>id</th><th>SDM</th><th>field</th><th>explanation</th></tr></thead><tbody>${rows.map((c) => row(c, canTravel))}</tbody></table>`;
}

export function renderChecks(v: ChecksView, opts: { dumpActions?: boolean } = {}): Html {
  const failures = v.checks.filter((c) => c.status === 'fail');
  const parts: Html[] = [];
  parts.push(html`<p>${profilePicker(v.profile, PROFILE_NAMES)} <span class="verdict ${v.verdict === 'fail' ? 'fail' : 'pass'}" id="verdict">${v.verdict}</span> <span class="note">${v.source}</span></p>`);
  if (v.reason) parts.push(html`<p>${v.reason}</p>`);
  for (const n of v.notes ?? []) parts.push(html`<p class="note">${n}</p>`);
  if (opts.dumpActions) parts.push(html`<p><vscode-button ${msgAttr({ type: 'showDumpAsVmcs' })}>Show the dump's guest state as VMCS</vscode-button></p>`);
  parts.push(html`<p>${failures.length} failing, ${v.checks.filter((c) => c.status === 'pass').length} passing, ${v.checks.filter((c) => c.status === 'skip').length} not applicable.</p>`);
  // Failures first, grouped by root cause; the rest of the failures after; then passes and skips.
  const grouped = new Set<string>();
  for (const cause of v.rootCauses ?? []) {
    const rows = failures.filter((c) => cause.checks.includes(c.id));
    if (rows.length === 0) continue;
    rows.forEach((c) => grouped.add(c.id));
    parts.push(html`<h2>Root cause: ${cause.summary}</h2>${table(rows, v.canTravel)}`);
  }
  const other = failures.filter((c) => !grouped.has(c.id));
  if (other.length > 0) parts.push(html`<h2>${grouped.size > 0 ? 'Other failures' : 'Failures'}</h2>${table(other, v.canTravel)}`);
  const rest = v.checks.filter((c) => c.status !== 'fail');
  if (rest.length > 0) parts.push(html`<h2>Passing and not applicable</h2>${table([...rest.filter((c) => c.status === 'pass'), ...rest.filter((c) => c.status === 'skip')], false)}`);
  return joinHtml(parts, '\n');
}
