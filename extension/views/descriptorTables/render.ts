// Renders the "Descriptor Tables" panel body: GDT, LDT and IDT entry by entry and the current TSS, from
// bootscope/readDescriptorTables (SDM Vol. 3 §3.4.5 segment descriptors, §6.11 IDT gates, §7.2 TSS). Entries the
// segment registers hold are outlined, entries changed since the last stop highlighted. Pure: no 'vscode'.
import type { DescriptorEntry, DescriptorTable, DescriptorTablesResponse, SegmentCache, TssState } from '../../../protocol/panels';
import { esc, hex, hex16, msgAttr } from '../html';

const TITLES = { gdt: "GDT", ldt: "LDT", idt: "IDT", ivt: "IVT (real-mode interrupt vectors)" } as const;

function entryRow(t: DescriptorTable, e: DescriptorEntry): string {
  const cls = [e.changed ? 'changed' : '', e.cachedBy?.length ? 'cached' : ''].filter(Boolean).join(' ');
  const idx = t.name === "idt" || t.name === "ivt" ? `${hex(e.index, 2)}` : `${hex(e.selector, 4)}`;
  const target = e.gate
    ? `<a ${msgAttr({ type: 'disassemble', address: e.gate.linear ?? e.gate.offset })} title="Open the disassembly at the gate's target">${hex16(e.gate.selector)}:${esc(hex(e.gate.offset, e.gate.offset > 0xffff ? 8 : 4).slice(2))}</a>`
    : `${esc(hex(e.base, 8))} / ${esc(hex(e.limit, 5))}`;
  const flags = [e.present ? 'P' : '¬P', `DPL${e.dpl}`, e.db === undefined ? '' : e.db ? 'D/B=32' : 'D/B=16', e.g ? 'G' : ''].filter(Boolean).join(' ');
  return `<tr${cls ? ` class="${cls}"` : ''}><td class="mono"><a ${msgAttr({ type: 'openMemory', address: e.linear })} title="Open the memory inspector at ${esc(hex(e.linear, 8))}">${esc(idx)}</a></td>`
    + `<td>${esc(e.type)}</td><td class="mono">${target}</td><td class="mono">${esc(flags)}</td>`
    + `<td>${esc(e.explain)}${e.cachedBy?.length ? ` <span class="note">(held by ${esc(e.cachedBy.join(', '))})</span>` : ''}</td></tr>`;
}

function tableHtml(t: DescriptorTable): string {
  const head = `<h2>${TITLES[t.name]} <span class="note mono">base ${esc(hex(t.base, 8))} limit ${esc(hex(t.limit, 4))}, ${Math.floor((t.limit + 1) / (t.name === 'ivt' ? 4 : 8))} slots</span></h2>`;
  const note = t.note ? `<p class="note">${esc(t.note)}</p>` : '';
  if (t.entries.length === 0) return `${head}${note || '<p class="note">empty</p>'}`;
  const cols = t.name === "idt" || t.name === "ivt" ? '<th>vector</th><th>type</th><th>target</th><th>flags</th><th>meaning</th>' : '<th>selector</th><th>type</th><th>base / limit</th><th>flags</th><th>meaning</th>';
  return `${head}${note}<table><thead><tr>${cols}</tr></thead><tbody>${t.entries.map((e) => entryRow(t, e)).join('')}</tbody></table>`;
}

function tssHtml(s: TssState): string {
  const stacks = s.stacks.map((k) => `<tr><td>ring ${k.ring} stack</td><td class="mono">${hex16(k.ss)}:${esc(hex(k.esp, 8).slice(2))}</td></tr>`).join('');
  const io = s.ioMapBase === undefined ? '' : `<tr><td>I/O map base</td><td class="mono">${esc(hex(s.ioMapBase, 4))}</td></tr>`;
  const fields = s.fields.map((f) => `<tr><td>${esc(f.name)}</td><td class="mono">${esc(hex(f.value, 8))}</td></tr>`).join('');
  return `<h2>Current TSS <span class="note mono">TR ${esc(hex(s.selector, 4))}, ${s.width}-bit, base ${esc(hex(s.base, 8))} limit ${esc(hex(s.limit, 4))}</span></h2><table><tbody>${stacks}${io}${fields}</tbody></table>`;
}

export function renderDescriptorTables(r: DescriptorTablesResponse): string {
  const segs = (Object.entries(r.segments) as [string, SegmentCache][]).map(([n, s]) => `<td class="mono" title="base ${esc(hex(s.base, 8))} limit ${esc(hex(s.limit, 8))} access ${esc(hex(s.access, 4))}">${esc(n.toUpperCase())}=${hex16(s.selector)}</td>`).join('');
  const parts = [`<p>Mode <b>${esc(r.mode)}</b></p><table><tbody><tr>${segs}</tr></tbody></table>`];
  for (const t of r.tables) parts.push(tableHtml(t));
  if (r.tss) parts.push(tssHtml(r.tss));
  return parts.join('\n');
}
