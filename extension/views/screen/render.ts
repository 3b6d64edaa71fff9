// Renders the "Screen" panel body: the 80×25 VGA text screen with its 16 colours and the cursor, from
// bootscope/readScreen; keys typed into it go to the guest (bootscope/sendKeys). Pure: no 'vscode', no Node.
// Text from guest memory is escaped cell by cell.
import type { ScreenResponse } from '../../../protocol/panels';
import { esc } from '../html';

// The standard CGA/VGA text palette (attribute nibble → RGB).
export const VGA_PALETTE = ['#000000', '#0000AA', '#00AA00', '#00AAAA', '#AA0000', '#AA00AA', '#AA5500', '#AAAAAA',
  '#555555', '#5555FF', '#55FF55', '#55FFFF', '#FF5555', '#FF55FF', '#FFFF55', '#FFFFFF'];

export function renderScreen(s: ScreenResponse, live: boolean): string {
  const lines: string[] = [];
  for (let row = 0; row < s.rows; row++) {
    const text = (s.text[row] ?? '').padEnd(s.columns).slice(0, s.columns);
    let html = '', runAttr = -1, run = '';
    const flush = () => {
      if (run === '') return;
      html += runAttr < 0 ? esc(run) : `<span style="color:${VGA_PALETTE[runAttr & 15]};background:${VGA_PALETTE[(runAttr >> 4) & 7]}">${esc(run)}</span>`;
      run = '';
    };
    for (let col = 0; col < s.columns; col++) {
      const attr = s.attributes ? s.attributes[row * s.columns + col] ?? 7 : 7;
      const ch = text[col] ?? ' ';
      const isCursor = s.cursor?.visible && s.cursor.row === row && s.cursor.column === col;
      if (isCursor) {
        flush();
        html += `<span class="cursor" id="cursor" style="color:${VGA_PALETTE[attr & 15]};background:${VGA_PALETTE[(attr >> 4) & 7]}">${esc(ch)}</span>`;
        runAttr = -2;
        continue;
      }
      if (attr !== runAttr) { flush(); runAttr = attr; }
      run += ch;
    }
    flush();
    lines.push(html);
  }
  return `<p class="note">${live ? 'Live (the guest is running).' : 'Paused.'} Click the screen and type: keys go to the guest's keyboard.</p>`
    + `<div class="screen" id="screen" tabindex="0" aria-label="guest text screen">${lines.join('\n')}</div>`;
}
