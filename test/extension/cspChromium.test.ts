// @tier full
// The panels' pages in headless Debian chromium under their own CSP (style-src with a nonce, no 'unsafe-inline'):
// no CSP violation, the @vscode-elements controls defined and styled (their shadow roots use constructable
// stylesheets, which CSP does not govern), the nonce'd stylesheet applied, timeline positions set through the CSSOM.
// Needs chromium (as the e2e test does) and dist/vscode-elements.js (node scripts/build.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html, page } from '../../extension/views/html';
import { renderScreen } from '../../extension/views/screen/render';
import { renderTimeline } from '../../extension/views/timeline/render';
import { renderFault } from '../../extension/views/fault/render';
import { renderCompare } from '../../extension/views/compare/render';
import { fromDump, renderChecks } from '../../extension/views/vmEntryCheck/render';

const CHROMIUM = '/usr/bin/chromium';
const NONCE = 'Y3NwY2hlY2s=';

// Runs before the page's own script (same nonce): a stand-in for the webview API, and a report of what rendered.
const PROBE = `<script nonce="${NONCE}">
window.acquireVsCodeApi = () => ({ postMessage() {} });
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
window.addEventListener('load', () => setTimeout(() => {
  const b = document.querySelector('vscode-button'), sel = document.querySelector('vscode-single-select');
  const strip = document.querySelector('.c-pm32'), fg = document.querySelector('.fg14');
  const out = {
    violations,
    button: !!customElements.get('vscode-button') && b.shadowRoot.adoptedStyleSheets.length > 0 && getComputedStyle(b).display,
    select: !!customElements.get('vscode-single-select') && sel.shadowRoot.adoptedStyleSheets.length > 0,
    strip: [strip.style.left, strip.style.width, getComputedStyle(strip).position],
    fg: getComputedStyle(fg).color,
  };
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
}, 1000));
</script>`;

const missing = !existsSync(CHROMIUM) ? 'chromium not installed' : !existsSync('dist/vscode-elements.js') ? 'dist/ not built' : false;

test('panels under the strict CSP in chromium: no violation, controls styled, positions and colours applied', { skip: missing }, async () => {
  const timeline = renderTimeline({ first: 0, last: 1000, recordedFirst: 0, recordedLast: 2000, current: 500,
    modes: [{ from: 0, to: 250, value: 'pm32' }], verdicts: [], events: [{ at: 10, kind: 'bios', label: 'int 13h' }] }, 'raw');
  const checks = renderChecks(fromDump({ source: 'xen', profile: 'raw', verdict: 'fail', guest: {},
    checks: [{ id: 'A', section: '26.3.1.2', field: 'F', status: 'fail', message: 'm' }] }, 'x.log'), { dumpActions: true });
  const screen = renderScreen({ columns: 2, rows: 1, text: ['ab'], attributes: [0x1e, 0x4f], cursor: { row: 0, column: 0, visible: false } }, false);
  const fault = renderFault({ instruction: 9, current: true, path: '#DE → #DF → shutdown', tripleFault: true, links: [{ vector: 0, name: '#DE', kind: 'exception', errorCode: -1,
    cs: 8, eip: 0x7c00, rule: { id: 'R', section: '6.12.1', text: 't', explanation: 'e' }, subjects: [{ kind: 'memory', label: 'GDT entry 1', linear: 0x7d80, physical: 0x7d80, length: 8, table: 'gdt', index: 1 }] }] }, true);
  const compare = renderCompare({ state: 'diverged', summary: 's', rows: [{ name: 'eax', ours: '1', qemu: '2', mark: 'differs' }],
    instruction: { index: 1, where: 'w', text: 'inc bx', instruction: 1, qemuWhere: 'w', controlFlow: false }, history: [] });
  const server = createServer((req, res) => {
    if (req.url === '/vscode-elements.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(readFileSync('dist/vscode-elements.js'));
      return;
    }
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const doc = page({ title: 'Timeline', body: html`${checks}${screen}${timeline}${fault}${compare}`, nonce: NONCE, cspSource: origin, elementsScript: '/vscode-elements.js' });
    res.setHeader('content-type', 'text/html');
    res.end(doc.replace('<body>', `<body>${PROBE}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const r = await new Promise<string>((resolve) => {
      // Asynchronous: the server answering chromium runs in this process.
      const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=5000', '--dump-dom', url], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill(), 60_000);
      child.on('close', () => { clearTimeout(timer); resolve(out); });
    });
    const m = /<pre id="probe">(.*?)<\/pre>/.exec(r);
    assert.ok(m, 'the probe did not report');
    const probe = JSON.parse(m[1].replaceAll('&quot;', '"'));
    assert.deepEqual(probe, {
      violations: [], button: 'inline-block', select: true, strip: ['0%', '25%', 'absolute'], fg: 'rgb(255, 255, 85)',
    });
  } finally {
    server.close();
  }
});
