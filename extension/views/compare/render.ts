// Renders the "Compare" panel body (launch compareWith): how the last lock-step run with QEMU ended;
// at a divergence both states side by side (the differing registers marked, the excused ones noted),
// the instruction both executed and the agreeing ones before it (a click travels there), what the
// rules skipped and excused; a "compare again" button. From bootscope/readCompare. Pure: no 'vscode',
// no Node; every value escaped.
import type { CompareInstruction, CompareStateRow, ReadCompareResponse } from '../../../protocol/customRequests';
import { type Html, html, joinHtml, msgAttr } from '../html';

const MARK_TEXT: Record<CompareStateRow['mark'], string> = { same: '', differs: 'differs', excused: 'differs, excused' };

function stateTable(rows: CompareStateRow[]): Html {
  const row = (r: CompareStateRow) => html`<tr class="${r.mark === 'differs' ? 'diff' : r.mark === 'excused' ? 'excused' : ''}" data-register="${r.name}"><td class="mono">${r.name}</td><td class="mono">${r.ours}</td><td class="mono">${r.qemu}</td><td>${MARK_TEXT[r.mark] ?? ''}</td></tr>`;
  return html`<table id="states"><thead><tr><th>register</th><th>Bootscope</th><th>QEMU</th><th></th></tr></thead><tbody>${rows.map(row)}</tbody></table>`;
}

function instructionRow(i: CompareInstruction, current: boolean): Html {
  const travel = msgAttr({ type: 'travel', instruction: i.instruction });
  return html`<tr class="${current ? 'diff' : ''}"><td class="num">${i.index}</td><td class="mono"><a ${travel} title="Travel to Bootscope's instruction ${i.instruction}">${i.where}</a></td><td class="mono">${i.text}</td></tr>`;
}

export function renderCompare(r: ReadCompareResponse): Html {
  const parts: Html[] = [];
  const again = r.state === 'unavailable' || r.state === 'running' ? '' : html` <vscode-button id="compare-again" ${msgAttr({ type: 'compareAgain' })} title="Run the lock-step comparison again from 0000:7C00 on the history as it is now (edits included)">compare again</vscode-button>`;
  parts.push(html`<p><span class="verdict ${r.state === 'diverged' || r.state === 'failed' ? 'fail' : r.state === 'agreed' ? 'pass' : ''}" id="compare-state">${r.state}</span> <span id="compare-summary">${r.summary}</span>${again}</p>`);
  if (r.reference) parts.push(html`<p class="note">reference: ${r.reference}</p>`);
  const i = r.instruction;
  if (i) {
    parts.push(html`<h2>The instruction both executed</h2><p class="mono" id="compare-instruction">${i.index}: ${i.where} ${i.text}${i.controlFlow ? html` <span class="fail">(QEMU at ${i.qemuWhere})</span>` : ''}</p>`);
  }
  if (r.rows?.length) parts.push(html`<h2>State before it</h2>${stateTable(r.rows)}`);
  if (i && r.history) {
    parts.push(html`<h2>The last agreeing instructions</h2><table id="compare-history"><thead><tr><th>#</th><th>CS:EIP</th><th>instruction</th></tr></thead><tbody>${r.history.map((h) => instructionRow(h, false))}${instructionRow(i, true)}</tbody></table>`);
  }
  if (r.rules?.length) parts.push(html`<h2>Rules applied</h2>${joinHtml(r.rules.map((x) => html`<p class="note mono">${x}</p>`))}`);
  return joinHtml(parts, '\n');
}
