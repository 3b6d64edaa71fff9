// Renders the "Why Did It Fault?" panel body from bootscope/readFault: the fault chain (#X → #DF → shutdown), each
// link's rule with its SDM section and explanation, the error code decoded, and what the rule looked at — a
// descriptor-table entry (click → Descriptor Tables), bytes (click → memory) or a register — each with "find the
// write that broke it". Pure: no 'vscode', no Node; every value is escaped (html tag).
import type { FaultLinkView, FaultSubject, ReadFaultResponse } from '../../../protocol/customRequests';
import { type Html, hex, html, joinHtml, messageBox, msgAttr } from '../html';

function place(cs: number, eip: number): string {
  return `${hex(cs, 4).slice(2)}:${hex(eip, eip > 0xffff ? 8 : 4).slice(2)}`;
}

function subjectRow(s: FaultSubject, link: number, index: number, canTravel: boolean): Html {
  const where = s.kind === 'register'
    ? html`register <code>${s.field}</code>`
    : s.linear !== undefined
      ? html`<a ${msgAttr({ type: 'openMemory', address: s.linear })} title="Open the memory inspector at this linear address">${s.length} bytes at linear ${hex(s.linear, 8)}</a>`
      : html`${s.length} bytes at physical ${hex(s.physical, 8)}`;
  const table = s.table && s.table !== 'ivt'
    ? html` <a ${msgAttr({ type: 'showDescriptorTables' })} title="Show the Descriptor Tables panel">${s.table.toUpperCase()} entry ${s.index}</a>`
    : '';
  const what = s.kind === 'register' ? `the last change of ${s.field}` : 'the last write to these bytes';
  const button = canTravel
    ? html`<vscode-button ${msgAttr({ type: 'findFaultWrite', link, subject: index })} title="${`Travel back from the fault to ${what}`}">find the write that broke it</vscode-button>`
    : '';
  return html`<tr class="subject"><td>${s.label}</td><td class="mono">${where}${table}</td><td>${button}</td></tr>`;
}

function linkBlock(l: FaultLinkView, i: number, canTravel: boolean): Html {
  const code = l.errorCode >= 0 ? html` error code <code>${hex(l.errorCode, 4)}</code>${l.errorCodeText ? html` <span class="note">(${l.errorCodeText})</span>` : ''}` : '';
  const parts: Html[] = [html`<h2 id="${`link-${i + 1}`}">${i + 1}. ${l.name} (vector ${l.vector})${code} at <code>${place(l.cs, l.eip)}</code></h2>`];
  if (l.cause) {
    parts.push(html`<p class="rule">raised by <span class="fail mono">${l.cause.id}</span> <span class="note">SDM ${l.cause.section}: ${l.cause.text}</span></p>`);
    parts.push(html`<p class="explanation">${l.cause.explanation}</p>`);
  }
  if (l.rule) {
    parts.push(html`<p class="rule"><span class="fail mono">${l.rule.id}</span> <span class="note">SDM ${l.rule.section}: ${l.rule.text}</span></p>`);
    parts.push(html`<p class="explanation">${l.rule.explanation}</p>`);
  } else {
    parts.push(html`<p class="pass">delivered</p>`);
  }
  if (l.raised) parts.push(html`<p>→ raised ${l.raised.name}${l.raised.errorCode >= 0 ? html` error code <code>${hex(l.raised.errorCode, 4)}</code>` : ''}</p>`);
  if (l.then) parts.push(html`<p>→ <span class="mono">${l.then.id}</span> <span class="note">SDM ${l.then.section}</span>: ${l.then.explanation}</p>`);
  if (l.subjects.length) {
    parts.push(html`<table><thead><tr><th>what the rule looked at</th><th>where</th><th></th></tr></thead><tbody>${l.subjects.map((s, j) => subjectRow(s, i, j, canTravel))}</tbody></table>`);
  }
  return joinHtml(parts, '\n');
}

/** `canTravel`: the session records, so "find the write that broke it" can travel back. */
export function renderFault(r: ReadFaultResponse, canTravel: boolean): Html {
  if (!r.links.length) return messageBox(r.message ?? 'no fault chain');
  const delivered = r.links.length === 1 && !r.links[0].rule;
  const head = html`<p><span class="verdict fail" id="path">${r.path ?? ''}</span> ${r.tripleFault ? html`<span class="fail">triple fault: the CPU shut down; stopped before the reset</span>` : delivered ? html`<span class="note">the last exception, delivered to its handler</span>` : ''}</p>`;
  const seen = r.current
    ? html`<p class="note">At instruction ${r.instruction}.</p>`
    : html`<p class="note">Seen at instruction ${r.instruction}; the CPU has moved since. <a ${msgAttr({ type: 'travel', instruction: r.instruction ?? 0 })}>Go back to the fault</a></p>`;
  const travel = canTravel ? '' : html`<p class="note">This session does not record: launch with "record": true to find the writes.</p>`;
  return joinHtml([head, seen, travel, ...r.links.map((l, i) => linkBlock(l, i, canTravel))].filter((p) => p !== '') as Html[], '\n');
}
