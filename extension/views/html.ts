// HTML building blocks for the panels' webviews: the `html` template tag that escapes every interpolated value,
// number formatting and the page shell with a strict Content-Security-Policy (default-src 'none'; one nonce for
// the stylesheet and the scripts, no 'unsafe-inline', no remote content). Pure: imports neither 'vscode' nor Node,
// so node:test checks that guest strings, pasted dumps and adapter answers stay text.
import { hexDigits } from '../../protocol/format';

/** Escapes any value for HTML element content and quoted attribute values (numbers too: an adapter answer is
 *  data, whatever its declared type). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markup built by `html`: its values are escaped already, so it is inserted as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** One interpolated value: Html as is, an array item by item, anything else escaped. */
function part(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

/** Template tag for panel markup: every `${value}` is escaped unless it is Html built the same way. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += part(v) + strings[i + 1]));
  return new Html(out);
}

/** Html fragments joined by a separator. */
export function joinHtml(parts: Html[], sep = ''): Html {
  return new Html(parts.map((p) => p.text).join(sep));
}

/** A panel's number: 0x and upper-case digits, or '—' for a value the answer lacks (or that is not a number). */
export function hex(v: number | undefined, digits = 4): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return '0x' + hexDigits(Math.trunc(v), digits);
}

/** A data-msg attribute: the message a click posts, JSON in an escaped attribute (the script parses it). */
export function msgAttr(message: object): Html {
  return html`data-msg="${JSON.stringify(message)}"`;
}

export interface PageOptions {
  title: string;
  /** Element id of the top-level heading, for tests. */
  headingId?: string;
  body: Html;
  nonce: string;
  cspSource: string;
  /** Webview URI of dist/vscode-elements.js (the controls); absent in tests that render without a webview. */
  elementsScript?: string;
}

/** dist/ file the build copies from @vscode-elements/elements. */
export const ELEMENTS_BUNDLE = 'vscode-elements.js';

// The standard CGA/VGA text palette (attribute nibble → RGB), as classes fg0-fg15 / bg0-bg7 for the Screen panel.
export const VGA_PALETTE = ['#000000', '#0000AA', '#00AA00', '#00AAAA', '#AA0000', '#AA00AA', '#AA5500', '#AAAAAA',
  '#555555', '#5555FF', '#55FF55', '#55FFFF', '#FF5555', '#FF55FF', '#FFFF55', '#FFFFFF'];
const PALETTE_STYLE = VGA_PALETTE.map((c, i) => `.fg${i}{color:${c}}` + (i < 8 ? `.bg${i}{background:${c}}` : '')).join('');

// Timeline strip colours by CPU mode and verdict (class names are fixed; values from data only select them).
export const STRIP_CLASSES: Record<string, string> = {
  real: 'c-real', pm16: 'c-pm16', pm32: 'c-pm32', vm86: 'c-vm86', unreal: 'c-unreal', enter: 'c-enter', emulate: 'c-emulate', fail: 'c-fail',
};
const STRIP_STYLE = '.c-real{background:var(--vscode-charts-blue)}.c-pm16{background:var(--vscode-charts-purple)}'
  + '.c-pm32{background:var(--vscode-charts-green)}.c-vm86{background:var(--vscode-charts-orange)}.c-unreal{background:var(--vscode-charts-yellow)}'
  + '.c-enter{background:var(--vscode-charts-green)}.c-emulate{background:var(--vscode-charts-yellow)}.c-fail{background:var(--vscode-charts-red)}';

const STYLE = PALETTE_STYLE + STRIP_STYLE + `
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);background:var(--vscode-editor-background);padding:0 12px 12px}
h1{font-size:1.4em;margin:.6em 0 .3em}h2{font-size:1.1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.3em 0}th,td{text-align:left;padding:2px 8px;border-bottom:1px solid var(--vscode-panel-border);vertical-align:top}
th{color:var(--vscode-descriptionForeground);font-weight:normal}
code,.mono,td.num{font-family:var(--vscode-editor-font-family);font-size:var(--vscode-editor-font-size)}
.changed{background:var(--vscode-diffEditor-insertedTextBackground)}
.cached{outline:1px solid var(--vscode-focusBorder)}
.fail{color:var(--vscode-errorForeground)}.pass{color:var(--vscode-testing-iconPassed)}.skip{color:var(--vscode-disabledForeground)}
.verdict{font-weight:bold;padding:2px 8px;border-radius:3px;border:1px solid var(--vscode-panel-border)}
.note{color:var(--vscode-descriptionForeground)}
.message{padding:8px;border-left:3px solid var(--vscode-editorWarning-foreground);background:var(--vscode-textBlockQuote-background)}
select{color:var(--vscode-dropdown-foreground);background:var(--vscode-dropdown-background);border:1px solid var(--vscode-dropdown-border)}
a[data-msg]{cursor:pointer;color:var(--vscode-textLink-foreground)}
.screen{display:inline-block;font-family:var(--vscode-editor-font-family);line-height:1.15;white-space:pre;background:#000;padding:4px;outline:none}
.screen:focus{outline:1px solid var(--vscode-focusBorder)}
.screen.graphics{max-width:100%;height:auto;padding:0}
.cursor{text-decoration:underline}
.strip{position:relative;height:18px;margin:2px 0;background:var(--vscode-editorWidget-background);cursor:pointer}
.strip span{position:absolute;top:0;bottom:0;overflow:hidden;font-size:11px;white-space:nowrap;background:var(--vscode-charts-foreground)}
.strip span.tick{width:3px}
.marker{position:absolute;top:0;bottom:0;width:2px;background:var(--vscode-editorCursor-foreground)}
.full{width:100%}
.diff td{background:var(--vscode-diffEditor-removedTextBackground)}
.excused td{color:var(--vscode-descriptionForeground);font-style:italic}
`;

/** The whole document. The script only forwards clicks and keys as typed messages (protocol/webview.ts FromWebview)
 *  and places what data positions (timeline strips) through the CSSOM, which style-src does not govern. */
export function page(o: PageOptions): string {
  // No 'unsafe-inline': the one <style> element carries the nonce and markup has no style attributes. The
  // @vscode-elements controls style their shadow roots with constructable stylesheets (adoptedStyleSheets),
  // which CSP does not restrict either.
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${o.title}</title><style nonce="${o.nonce}">${new Html(STYLE)}</style></head>
<body><h1 id="${o.headingId ?? 'heading'}">${o.title}</h1>
${o.body}
${o.elementsScript ? html`<script type="module" nonce="${o.nonce}" src="${o.elementsScript}"></script>\n` : ''}<script nonce="${o.nonce}">${new Html(SCRIPT)}</script></body></html>`.text;
}

// Runs inside the webview. Kept small and static: it never builds HTML from data, it only posts messages.
const SCRIPT = `
(function(){
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', function(e){
    const el = e.target.closest('[data-msg]');
    if (el) { vscode.postMessage(JSON.parse(el.getAttribute('data-msg'))); return; }
    const strip = e.target.closest('[data-travel-first]');
    if (strip) {
      const r = strip.getBoundingClientRect();
      const first = Number(strip.getAttribute('data-travel-first')), last = Number(strip.getAttribute('data-travel-last'));
      const at = Math.round(first + (last - first) * Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)));
      vscode.postMessage({ type: 'travel', instruction: at });
    }
  });
  // vscode-single-select's change event does not bubble: listen on the element itself.
  const profile = document.getElementById('profile');
  if (profile) profile.addEventListener('change', function(){ vscode.postMessage({ type: 'setProfile', profile: profile.value }); });
  // Positions from data (percentages of the timeline): set through the CSSOM, never as style attributes.
  document.querySelectorAll('[data-left]').forEach(function(el){
    el.style.left = Number(el.getAttribute('data-left')) + '%';
    if (el.hasAttribute('data-width')) el.style.width = Number(el.getAttribute('data-width')) + '%';
  });
  const screen = document.getElementById('screen');
  if (screen) screen.addEventListener('keydown', function(e){
    let t = e.key === 'Enter' ? '\\n' : e.key === 'Backspace' ? '\\b' : e.key === 'Tab' ? '\\t' : e.key === 'Escape' ? '\\x1b' : e.key.length === 1 ? e.key : '';
    if (t) { e.preventDefault(); vscode.postMessage({ type: 'keys', text: t }); }
  });
})();`;

export function profilePicker(current: string, profiles: readonly string[]): Html {
  const options = profiles.map((p) => html`<vscode-option value="${p}"${p === current ? html` selected` : ''}>${p}</vscode-option>`);
  return html`<label>Profile <vscode-single-select id="profile">${options}</vscode-single-select></label>`;
}

/** A panel body saying why there is nothing to show (no session, adapter lacks the request, …). */
export function messageBox(text: string): Html {
  return html`<p class="message" id="message">${text}</p>`;
}
