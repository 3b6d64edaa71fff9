// Renders the "VMCS" panel body: the guest-state area grouped like SDM Vol. 3 §25.4 (control registers, segment
// registers with access rights decoded, descriptor-table registers, RIP/RSP/RFLAGS, non-register state), changed
// fields highlighted, and optionally a dump beside the live state with differences marked. Pure: no 'vscode'.
import type { ProfileName, SegmentCache, VmcsRow } from '../../../protocol/customRequests';
import type { VmcheckJson } from '../../../protocol/webview';
import { PROFILE_NAMES } from '../../../protocol/customRequests';
import { type Html, hex, html, joinHtml, profilePicker } from '../html';

/** SDM Vol. 3 §24.4.1 access-rights layout, decoded in one line: "code RX, DPL 0, P, D/B=32, G". */
export function describeAccess(ar: number): string {
  if (ar & 0x10000) return 'unusable';
  const type = ar & 0xf, s = (ar >> 4) & 1, dpl = (ar >> 5) & 3, p = (ar >> 7) & 1;
  const l = (ar >> 13) & 1, db = (ar >> 14) & 1, g = (ar >> 15) & 1;
  let kind: string;
  if (s) kind = type & 8 ? `code ${type & 2 ? 'RX' : 'X'}${type & 4 ? ' conforming' : ''}` : `data ${type & 2 ? 'RW' : 'R'}${type & 4 ? ' expand-down' : ''}`;
  else kind = ['reserved', '16-bit TSS (avail)', 'LDT', '16-bit TSS (busy)', '16-bit call gate', 'task gate', '16-bit int gate', '16-bit trap gate',
    'reserved', '32-bit TSS (avail)', 'reserved', '32-bit TSS (busy)', '32-bit call gate', 'reserved', '32-bit int gate', '32-bit trap gate'][type];
  return `${kind}${s && type & 1 ? ', accessed' : ''}, DPL ${dpl}${p ? ', P' : ', not present'}${l ? ', L' : ''}${s ? `, D/B=${db ? 32 : 16}` : ''}${g ? ', G' : ''}`;
}

/** Guest-state sub-group of a field name, in SDM order. */
export function guestGroup(name: string): string {
  if (/^GUEST_CR|^GUEST_DR7/.test(name)) return 'Control registers';
  if (/^GUEST_(ES|CS|SS|DS|FS|GS|LDTR|TR)_/.test(name)) return 'Segment registers';
  if (/^GUEST_(GDTR|IDTR)_/.test(name)) return 'Descriptor-table registers';
  if (/^GUEST_R(IP|SP|FLAGS)$/.test(name)) return 'RIP, RSP, RFLAGS';
  if (/^GUEST_(IA32_|SYSENTER|BNDCFGS|PDPTE)/.test(name)) return 'MSRs';
  if (/^(GUEST_|VMCS_LINK)/.test(name)) return 'Non-register state';
  return name.startsWith('HOST_') ? 'Host state' : 'Controls';
}

const GROUP_ORDER = ['Control registers', 'Segment registers', 'Descriptor-table registers', 'RIP, RSP, RFLAGS', 'MSRs', 'Non-register state', 'Controls', 'Host state'];

export interface VmcsView {
  profile: ProfileName;
  source: string;
  rows: VmcsRow[];
  /** Right-hand column for "Compare with VMCS Dump…": field name → dump value. */
  compare?: { label: string; values: Map<string, number | undefined> };
  showPicker: boolean;
}

function value(name: string, v: number | undefined): Html {
  if (v === undefined) return html`<span class="skip">—</span>`;
  const ar = /_AR_BYTES$/.test(name) ? html` <span class="note">${describeAccess(v)}</span>` : '';
  return html`<span class="mono">${hex(v, /_(SELECTOR|AR_BYTES)$/.test(name) ? 4 : 8)}</span>${ar}`;
}

export function renderVmcs(v: VmcsView): Html {
  const parts: Html[] = [];
  parts.push(html`<p>${v.showPicker ? html`${profilePicker(v.profile, PROFILE_NAMES)} ` : ''}<span class="note">${v.source}</span></p>`);
  const groups = new Map<string, VmcsRow[]>();
  for (const r of v.rows) {
    if (r.value === undefined && !v.compare?.values.has(r.name)) continue;
    const g = guestGroup(r.name);
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(r);
  }
  let differences = 0;
  for (const g of GROUP_ORDER) {
    const rows = groups.get(g);
    if (!rows) continue;
    if (g === 'Segment registers' && !v.compare) {
      parts.push(html`<h2>${g}</h2>${segmentTable(rows)}`);
      continue;
    }
    const head = v.compare ? html`<th>field</th><th>encoding</th><th>live</th><th>${v.compare.label}</th>` : html`<th>field</th><th>encoding</th><th>value</th>`;
    const body = rows.map((r) => {
      const other = v.compare?.values.get(r.name);
      const differs = v.compare !== undefined && v.compare.values.has(r.name) && other !== r.value;
      if (differs) differences++;
      const cls = [r.changed ? 'changed' : '', differs ? 'diff' : ''].filter(Boolean).join(' ');
      return html`<tr${cls ? html` class="${cls}"` : ''} data-field="${r.name}"><td class="mono">${r.name}</td><td class="mono">${hex(r.encoding, 4)}</td><td>${value(r.name, r.value)}</td>${v.compare ? html`<td>${value(r.name, other)}</td>` : ''}</tr>`;
    });
    parts.push(html`<h2>${g}</h2><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }
  if (v.compare) parts.splice(1, 0, html`<p id="differences">${differences} field${differences === 1 ? '' : 's'} differ.</p>`);
  if (groups.size === 0) parts.push(html`<p class="note">No VMCS fields to show.</p>`);
  return joinHtml(parts, '\n');
}

const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'] as const;

/** One row per segment register (selector, base, limit, access rights decoded), as SDM Vol. 3 §25.4.1 lists them. */
function segmentTable(rows: VmcsRow[]): Html {
  const by = new Map(rows.map((r) => [r.name, r]));
  const cell = (name: string, digits: number) => {
    const r = by.get(name);
    return html`<td class="mono${r?.changed ? ' changed' : ''}" data-field="${name}">${r?.value === undefined ? '—' : hex(r.value, digits)}</td>`;
  };
  const body = SEGS.filter((s) => [...by.keys()].some((k) => k.startsWith(`GUEST_${s.toUpperCase()}_`))).map((s) => {
    const u = s.toUpperCase(), ar = by.get(`GUEST_${u}_AR_BYTES`);
    return html`<tr><td>${u}</td>${cell(`GUEST_${u}_SELECTOR`, 4)}${cell(`GUEST_${u}_BASE`, 8)}${cell(`GUEST_${u}_LIMIT`, 8)}${cell(`GUEST_${u}_AR_BYTES`, 4)}<td class="note">${ar?.value === undefined ? '' : describeAccess(ar.value)}</td></tr>`;
  });
  return html`<table><thead><tr><th>segment</th><th>selector</th><th>base</th><th>limit</th><th>access rights</th><th>decoded</th></tr></thead><tbody>${body}</tbody></table>`;
}
const SIMPLE: Record<string, string> = { cr0: 'GUEST_CR0', cr3: 'GUEST_CR3', cr4: 'GUEST_CR4', dr7: 'GUEST_DR7', rsp: 'GUEST_RSP', rip: 'GUEST_RIP', rflags: 'GUEST_RFLAGS', interruptibility: 'GUEST_INTERRUPTIBILITY_INFO', activityState: 'GUEST_ACTIVITY_STATE' };
// Field encodings from SDM Vol. 3 Appendix B, for rows built from a dump's `guest` object.
const ENC: Record<string, number> = {
  GUEST_ES_SELECTOR: 0x800, GUEST_CS_SELECTOR: 0x802, GUEST_SS_SELECTOR: 0x804, GUEST_DS_SELECTOR: 0x806, GUEST_FS_SELECTOR: 0x808, GUEST_GS_SELECTOR: 0x80a, GUEST_LDTR_SELECTOR: 0x80c, GUEST_TR_SELECTOR: 0x80e,
  GUEST_ES_LIMIT: 0x4800, GUEST_CS_LIMIT: 0x4802, GUEST_SS_LIMIT: 0x4804, GUEST_DS_LIMIT: 0x4806, GUEST_FS_LIMIT: 0x4808, GUEST_GS_LIMIT: 0x480a, GUEST_LDTR_LIMIT: 0x480c, GUEST_TR_LIMIT: 0x480e,
  GUEST_GDTR_LIMIT: 0x4810, GUEST_IDTR_LIMIT: 0x4812,
  GUEST_ES_AR_BYTES: 0x4814, GUEST_CS_AR_BYTES: 0x4816, GUEST_SS_AR_BYTES: 0x4818, GUEST_DS_AR_BYTES: 0x481a, GUEST_FS_AR_BYTES: 0x481c, GUEST_GS_AR_BYTES: 0x481e, GUEST_LDTR_AR_BYTES: 0x4820, GUEST_TR_AR_BYTES: 0x4822,
  GUEST_INTERRUPTIBILITY_INFO: 0x4824, GUEST_ACTIVITY_STATE: 0x4826,
  GUEST_CR0: 0x6800, GUEST_CR3: 0x6802, GUEST_CR4: 0x6804,
  GUEST_ES_BASE: 0x6806, GUEST_CS_BASE: 0x6808, GUEST_SS_BASE: 0x680a, GUEST_DS_BASE: 0x680c, GUEST_FS_BASE: 0x680e, GUEST_GS_BASE: 0x6810, GUEST_LDTR_BASE: 0x6812, GUEST_TR_BASE: 0x6814,
  GUEST_GDTR_BASE: 0x6816, GUEST_IDTR_BASE: 0x6818, GUEST_DR7: 0x681a, GUEST_RSP: 0x681c, GUEST_RIP: 0x681e, GUEST_RFLAGS: 0x6820,
};

/** VMCS rows from the `guest` object of `bootscope vmcheck --json`, in encoding order. */
export function rowsFromDump(guest: VmcheckJson['guest']): VmcsRow[] {
  const out: VmcsRow[] = [];
  const add = (name: string, v: number | undefined) => { if (v !== undefined) out.push({ name, encoding: ENC[name] ?? 0, width: '', group: 'guest', value: v }); };
  for (const s of SEGS) {
    const seg = guest[s] as SegmentCache | undefined;
    if (!seg || typeof seg !== 'object') continue;
    const u = s.toUpperCase();
    add(`GUEST_${u}_SELECTOR`, seg.selector); add(`GUEST_${u}_BASE`, seg.base); add(`GUEST_${u}_LIMIT`, seg.limit); add(`GUEST_${u}_AR_BYTES`, seg.access);
  }
  for (const t of ['gdtr', 'idtr'] as const) {
    const d = guest[t] as { base: number; limit: number } | undefined;
    if (d && typeof d === 'object') { add(`GUEST_${t.toUpperCase()}_BASE`, d.base); add(`GUEST_${t.toUpperCase()}_LIMIT`, d.limit); }
  }
  for (const [k, name] of Object.entries(SIMPLE)) { const v = guest[k]; if (typeof v === 'number') add(name, v); }
  return out.sort((a, b) => a.encoding - b.encoding);
}
