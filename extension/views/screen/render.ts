// Renders the "Screen" panel body: the 80×25 VGA text screen with its 16 colours and the cursor, or in
// a VBE graphics mode the picture (a PNG), from bootscope/readScreen; keys typed into it go to the
// guest (bootscope/typeKeys). Pure: no 'vscode', no Node.
// Text from guest memory is escaped cell by cell.
import type { ScreenResponse } from '../../../protocol/customRequests';
import { type Html, html, joinHtml } from '../html';

/** Colours as palette classes (fgN / bgN in the page stylesheet): no style attributes under the CSP. */
const colours = (attr: number) => `fg${attr & 15} bg${(attr >> 4) & 7}`;

export function renderScreen(s: ScreenResponse, live: boolean): Html {
  const note = live ? 'Live (the guest is running).' : 'Paused.';
  if (s.graphics) {
    const g = s.graphics;
    // The picture as a data: image (the page's CSP allows img-src data:); the id keeps typing working.
    const what = g.bpp === undefined ? 'QEMU\'s screendump' : `${g.bpp} bits a pixel (VBE)`;
    return html`<p class="note">${note} ${g.width}x${g.height}, ${what}. Click the screen and type: keys go to the guest's keyboard.</p>
<img class="screen graphics" id="screen" tabindex="0" width="${g.width}" height="${g.height}" alt="guest graphics screen" src="data:image/png;base64,${g.png}">`;
  }
  const lines: Html[] = [];
  for (let row = 0; row < s.rows; row++) {
    const text = (s.text[row] ?? '').padEnd(s.columns).slice(0, s.columns);
    const cells: Html[] = [];
    let runAttr = -1, run = '';
    const flush = () => {
      if (run === '') return;
      cells.push(runAttr < 0 ? html`${run}` : html`<span class="${colours(runAttr)}">${run}</span>`);
      run = '';
    };
    for (let col = 0; col < s.columns; col++) {
      const attr = s.attributes[row * s.columns + col] ?? 7;
      const ch = text[col] ?? ' ';
      const isCursor = s.cursor.visible && s.cursor.row === row && s.cursor.column === col;
      if (isCursor) {
        flush();
        cells.push(html`<span class="cursor ${colours(attr)}" id="cursor">${ch}</span>`);
        runAttr = -2;
        continue;
      }
      if (attr !== runAttr) { flush(); runAttr = attr; }
      run += ch;
    }
    flush();
    lines.push(joinHtml(cells));
  }
  return html`<p class="note">${note} Click the screen and type: keys go to the guest's keyboard.</p>
<div class="screen" id="screen" tabindex="0" aria-label="guest text screen">${joinHtml(lines, '\n')}</div>`;
}
