// Renders the "Descriptor Tables" panel body: GDT, LDT and IDT entry by entry and the current TSS, from
// bootscope/readDescriptorTables (SDM Vol. 3 §3.4.5 segment descriptors, §6.11 IDT gates, §7.2 TSS). Entries the
// segment registers hold are outlined, entries changed since the last stop highlighted. Pure: no 'vscode'; every
// value is escaped (html tag).
import type { DescriptorEntry, DescriptorTable, DescriptorTablesResponse, SegmentCache, TssState } from '../../../protocol/customRequests';
import { hexDigits } from '../../../protocol/format';
import { type Html, hex, html, joinHtml, msgAttr } from '../html';

const TITLES = { gdt: "GDT", ldt: "LDT", idt: "IDT", ivt: "IVT (real-mode interrupt vectors)" } as const;

function entryRow(t: DescriptorTable, e: DescriptorEntry): Html {
  const cls = [e.changed ? 'changed' : '', e.cachedBy?.length ? 'cached' : ''].filter(Boolean).join(' ');
  const idx = t.name === "idt" || t.name === "ivt" ? hex(e.index, 2) : hex(e.selector, 4);
  const target = e.gate
    ? html`<a ${msgAttr({ type: 'disassemble', selector: e.gate.selector, offset: e.gate.offset })} title="Open the disassembly at the gate's target">${hexDigits(e.gate.selector & 0xffff, 4)}:${hexDigits(e.gate.offset, e.gate.offset > 0xffff ? 8 : 4)}</a>`
    : html`${hex(e.base, 8)} / ${hex(e.limit, 5)}`;
  const flags = [e.present ? 'P' : '¬P', `DPL${e.dpl}`, e.db === undefined ? '' : e.db ? 'D/B=32' : 'D/B=16', e.g ? 'G' : ''].filter(Boolean).join(' ');
  const held = e.cachedBy?.length ? html` <span class="note">(held by ${e.cachedBy.join(', ')})</span>` : '';
  return html`<tr${cls ? html` class="${cls}"` : ''}><td class="mono"><a ${msgAttr({ type: 'openMemory', address: e.linear })} title="Open the memory inspector at ${hex(e.linear, 8)}">${idx}</a></td><td>${e.type}</td><td class="mono">${target}</td><td class="mono">${flags}</td><td>${e.explain}${held}</td></tr>`;
}

function tableHtml(t: DescriptorTable): Html {
  const head = html`<h2>${TITLES[t.name]} <span class="note mono">base ${hex(t.base, 8)} limit ${hex(t.limit, 4)}, ${Math.floor((t.limit + 1) / (t.name === 'ivt' ? 4 : 8))} slots</span></h2>`;
  const note = t.note ? html`<p class="note">${t.note}</p>` : '';
  if (t.entries.length === 0) return html`${head}${note || html`<p class="note">empty</p>`}`;
  const cols = t.name === "idt" || t.name === "ivt" ? html`<th>vector</th><th>type</th><th>target</th><th>flags</th><th>meaning</th>` : html`<th>selector</th><th>type</th><th>base / limit</th><th>flags</th><th>meaning</th>`;
  return html`${head}${note}<table><thead><tr>${cols}</tr></thead><tbody>${t.entries.map((e) => entryRow(t, e))}</tbody></table>`;
}

function tssHtml(s: TssState): Html {
  const stacks = s.stacks.map((k) => html`<tr><td>ring ${k.ring} stack</td><td class="mono">${hexDigits(k.ss & 0xffff, 4)}:${hexDigits(k.esp, 8)}</td></tr>`);
  const io = s.ioMapBase === undefined ? '' : html`<tr><td>I/O map base</td><td class="mono">${hex(s.ioMapBase, 4)}</td></tr>`;
  const fields = s.fields.map((f) => html`<tr><td>${f.name}</td><td class="mono">${hex(f.value, 8)}</td></tr>`);
  return html`<h2>Current TSS <span class="note mono">TR ${hex(s.selector, 4)}, ${s.width}-bit, base ${hex(s.base, 8)} limit ${hex(s.limit, 4)}</span></h2><table><tbody>${stacks}${io}${fields}</tbody></table>`;
}

export function renderDescriptorTables(r: DescriptorTablesResponse): Html {
  const segs = (Object.entries(r.segments) as [string, SegmentCache][]).map(([n, s]) => html`<td class="mono" title="base ${hex(s.base, 8)} limit ${hex(s.limit, 8)} access ${hex(s.access, 4)}">${n.toUpperCase()}=${hexDigits(s.selector & 0xffff, 4)}</td>`);
  const parts = [html`<p>Mode <b>${r.mode}</b></p><table><tbody><tr>${segs}</tr></tbody></table>`];
  for (const t of r.tables) parts.push(tableHtml(t));
  if (r.tss) parts.push(tssHtml(r.tss));
  return joinHtml(parts, '\n');
}
