// HTML building blocks for the panels' webviews: escaping, number formatting and the page shell with a strict
// Content-Security-Policy (default-src 'none', styles and one nonce'd script, no remote content). Pure: imports
// neither 'vscode' nor Node, so node:test checks that guest strings and pasted dumps stay text.

/** Escapes text for HTML element content and quoted attribute values. Every string from the guest, a disk or a
 *  pasted log goes through this. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function hex(v: number | undefined, digits = 4): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return '0x' + Math.trunc(v).toString(16).toUpperCase().padStart(digits, '0');
}

export function hex16(v: number): string {
  return (v & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/** A data-msg attribute: the message a click posts, JSON in an escaped attribute (the script parses it). */
export function msgAttr(message: object): string {
  return `data-msg="${esc(JSON.stringify(message))}"`;
}

export interface PageOptions {
  title: string;
  /** Element id of the top-level heading, for tests. */
  headingId?: string;
  body: string;
  nonce: string;
  cspSource: string;
  /** Webview URI of dist/vscode-elements.js (the controls); absent in tests that render without a webview. */
  elementsScript?: string;
}

/** dist/ file the build copies from @vscode-elements/elements. */
export const ELEMENTS_BUNDLE = 'vscode-elements.js';

const STYLE = `
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
.cursor{text-decoration:underline}
.strip{position:relative;height:18px;margin:2px 0;background:var(--vscode-editorWidget-background);cursor:pointer}
.strip span{position:absolute;top:0;bottom:0;overflow:hidden;font-size:11px;white-space:nowrap}
.marker{position:absolute;top:0;bottom:0;width:2px;background:var(--vscode-editorCursor-foreground)}
.diff td{background:var(--vscode-diffEditor-removedTextBackground)}
`;

/** The whole document. The script only forwards clicks and keys as typed messages (protocol/panels.ts FromWebview). */
export function page(o: PageOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(o.title)}</title><style>${STYLE}</style></head>
<body><h1 id="${esc(o.headingId ?? 'heading')}">${esc(o.title)}</h1>
${o.body}
${o.elementsScript ? `<script type="module" nonce="${o.nonce}" src="${esc(o.elementsScript)}"></script>\n` : ''}<script nonce="${o.nonce}">${SCRIPT}</script></body></html>`;
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
  const screen = document.getElementById('screen');
  if (screen) screen.addEventListener('keydown', function(e){
    let t = e.key === 'Enter' ? '\\n' : e.key === 'Backspace' ? '\\b' : e.key === 'Tab' ? '\\t' : e.key === 'Escape' ? '\\x1b' : e.key.length === 1 ? e.key : '';
    if (t) { e.preventDefault(); vscode.postMessage({ type: 'keys', text: t }); }
  });
})();`;

export function profilePicker(current: string, profiles: readonly string[]): string {
  return `<label>Profile <vscode-single-select id="profile">${profiles.map((p) => `<vscode-option value="${esc(p)}"${p === current ? ' selected' : ''}>${esc(p)}</vscode-option>`).join('')}</vscode-single-select></label>`;
}

/** A panel body saying why there is nothing to show (no session, adapter lacks the request, …). */
export function messageBox(text: string): string {
  return `<p class="message" id="message">${esc(text)}</p>`;
}
