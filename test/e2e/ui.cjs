// UI test: drives VS Code (code-server) in headless Debian chromium the way a user does — open the workspace,
// F5 on boot.asm → paused at 0000:7C00 (when dist/debugAdapter.js exists), open a pasted Xen dump and run
// "Bootscope: Check VMCS Dump…", read the "VM Entry Checks" and "VMCS" webview headings; then F5 in a folder holding
// only a raw disk image (E2E_RAW_FOLDER), the syslinux image compared with QEMU to its first divergence
// (E2E_COMPARE_FOLDER: the Compare panel) and the examples tour (E2E_EXAMPLES: the examples folder, assembled: vmentry-failure,
// then triple-fault with the Why Did It Fault? panel and "find the write that broke it").
// Screenshots in $E2E_DIR.
// Env: E2E_BASE, E2E_WORKSPACE, E2E_DIR, E2E_EXT (extension folder), CS_RUN (code-server user data), NODE_PATH,
// E2E_INSTALLED=1 when the extension is installed from the .vsix instead of loaded from E2E_EXT.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const { E2E_BASE: BASE, E2E_WORKSPACE: FOLDER, E2E_DIR: OUT, E2E_EXT: EXT, CS_RUN } = process.env;
const SHOTS = path.join(OUT, 'screenshots');
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Extension hosts that finished activating (each window that opens a folder starts one). */
function readyExtHosts() {
  const logs = path.join(CS_RUN, 'user-data', 'logs');
  let n = 0;
  for (const d of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
    for (const h of fs.readdirSync(path.join(logs, d)).filter((x) => x.startsWith('exthost'))) {
      const f = path.join(logs, d, h, 'remoteexthost.log');
      if (fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('Eager extensions activated')) n++;
    }
  }
  return n;
}

async function waitForExtHost(before = 0, timeoutMs = 60000) {
  // The remote extension host starts a few seconds after the workbench paints; F5 before that starts nothing.
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (readyExtHosts() > before) return;
    await sleep(200);
  }
  throw new Error('extension host did not start');
}

/**
 * F1, type the title, click the row whose label is the title (VS Code shows "Category: Title"). A stop that reveals
 * its source line right then takes the focus and closes the palette; so it tries again.
 */
async function runCommand(page, title) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15000 });
      await input.fill('>' + title);
      const row = page.locator('.quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*(Bootscope: )?${reEsc(title)}\\s*$`) }) });
      await row.first().click({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`command palette lost "${title}" (${String(e).split('\n')[0]}); again`);
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
}

/**
 * Debug: Stop, then waits until the session `name` has ended and its panels (tabs titled "Panel — name") have
 * closed. They close a moment after the stop, when the extension hears of the end, and VS Code focuses the editor
 * under the panel that had the focus: a quick input opened before that (Quick Open's Control+P) closed again.
 */
async function stopSession(page, name) {
  await runCommand(page, 'Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });
  await page.locator('.tabs-container .tab', { hasText: `\u2014 ${name}` }).first().waitFor({ state: 'detached', timeout: 30000 });
}

/** The webview frame whose top-level heading is `text` (webviews are iframe.webview > iframe#active-frame). */
async function webview(page, text, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        const h = await f.$('h1#heading');
        if (h && (await h.innerText()).trim() === text) return f;
      } catch { /* frame navigated away */ }
    }
    await sleep(200);
  }
  throw new Error(`no webview with heading "${text}"`);
}

/**
 * The webview `text` once `ready(frame)` is true. A panel that re-renders replaces its document (the old frame is
 * detached), so the frame is looked up again on each try.
 */
async function webviewWhen(page, text, ready, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const f = await webview(page, text, Math.max(1000, end - Date.now()));
      if (await ready(f)) return f;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    if (Date.now() > end) throw new Error(`webview "${text}" never became ready`);
    await sleep(200);
  }
}

/** Runs `act(frame)` on the webview `text`, again on a fresh frame when a re-render detached the one it used. */
async function inWebview(page, text, act, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await act(await webview(page, text, Math.max(1000, end - Date.now())));
    } catch (e) {
      if (!/detached|closed/i.test(String(e)) || Date.now() > end) throw e;
      await sleep(200);
    }
  }
}

/** Picks `name` in a panel's profile picker (a vscode-single-select: its options live in its shadow DOM). */
async function pickProfile(page, title, name) {
  await inWebview(page, title, async (f) => {
    await f.locator('vscode-single-select#profile').click({ timeout: 5000 });
    await f.locator('vscode-single-select#profile li[role="option"]', { hasText: new RegExp(`^\\s*${reEsc(name)}\\s*$`) }).click({ timeout: 5000 });
  });
}

async function openFile(page, name) {
  // Quick Open works whichever side bar view is showing.
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click({ timeout: 15000 });
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 15000 });
}

/**
 * The vmentry-failure example as the README tells it (the README's screenshots): open the examples folder, start
 * "vmentry-failure (xen-vm86)", which stops where the hypervisor would start emulating; the VM-entry verdict under
 * raw; "find where this started failing" on SEL.SS_RPL walks back to the load of SS; the timeline of the run.
 */
async function examplesTour(page) {
  const hosts = readyExtHosts();
  await page.goto(`${BASE}/?folder=${encodeURIComponent(process.env.E2E_EXAMPLES)}`);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'vmentry-failure' }).first().waitFor({ timeout: 60000 });
  await waitForExtHost(hosts);
  // Quick Open's "debug " prefix lists the launch configurations (what "Select and Start Debugging" opens).
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('debug vmentry-failure (xen-vm86)');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'vmentry-failure (xen-vm86)' }).first().click({ timeout: 15000 });
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: '0000:7C6A' }).first().waitFor({ timeout: 60000 });
  log('examples: vmentry-failure stopped at 0000:7C6A');
  await runCommand(page, 'Bootscope: Why Would VM Entry Fail?');
  await webviewWhen(page, 'VM Entry Checks', async (f) => (await f.locator('#verdict', { hasText: 'emulate' }).count()) > 0);
  await pickProfile(page, 'VM Entry Checks', 'raw');
  await webviewWhen(page, 'VM Entry Checks', async (f) => (await f.locator('tr.check.fail', { hasText: 'SEL.SS_RPL' }).count()) > 0);
  await page.screenshot({ path: path.join(SHOTS, '10-example-vm-entry-raw.png') });
  await inWebview(page, 'VM Entry Checks', (f) => f.locator('tr.check.fail', { hasText: 'SEL.SS_RPL' }).locator('vscode-button', { hasText: 'find where this started failing' }).first().click({ timeout: 5000 }));
  const toast = page.locator('.notifications-toasts', { hasText: /made SEL\.SS_RPL fail/ });
  await toast.first().waitFor({ timeout: 60000 });
  log('examples: find where this started:', JSON.stringify((await toast.first().innerText()).split('\n')[0]));
  await page.locator('.debug-pane .call-stack-state-message').first().waitFor({ timeout: 15000 });
  await page.screenshot({ path: path.join(SHOTS, '11-example-find-where-started.png') });
  // On past the reload of SS (new execution beyond the recording's end), typed in the Debug Console: `goto N`.
  const ssLoad = Number(/instruction (\d+)/.exec(await toast.first().innerText())[1]);
  await page.locator('.repl .repl-input-wrapper').click();
  await page.keyboard.type(`goto ${ssLoad + 14}`);
  await page.keyboard.press('Enter');
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: /(?:^\s*|\()0008:[0-9A-F]{4}/ }).first().waitFor({ timeout: 30000 });
  await runCommand(page, 'Bootscope: Show Timeline');
  await pickProfile(page, 'Timeline', 'xen-vm86');
  await webviewWhen(page, 'Timeline', async (f) => (await f.locator('td', { hasText: 'VM entry (xen-vm86)' }).count()) > 0);
  // Zoom to the last ~40 instructions: the load of SS, the switch to protected mode, xen-vm86 emulating until SS is
  // reloaded.
  for (let i = 0; i < 4; i++) {
    const before = await inWebview(page, 'Timeline', (f) => f.locator('#range').innerText());
    await inWebview(page, 'Timeline', (f) => f.locator('vscode-button', { hasText: 'Zoom in' }).click({ timeout: 5000 }));
    await webviewWhen(page, 'Timeline', async (f) => (await f.locator('#range').innerText()) !== before);
  }
  const [note, modes] = await inWebview(page, 'Timeline', async (f) => [await f.locator('#range').innerText(), await f.locator('tr', { hasText: 'CPU mode' }).locator('span').allInnerTexts()]);
  log('examples: timeline', JSON.stringify(note));
  log('examples: timeline modes', modes.join(' → '));
  if (modes.join(',') !== 'real,pm16,pm32') throw new Error(`timeline modes: ${modes.join(',')}`);
  await page.screenshot({ path: path.join(SHOTS, '12-example-timeline.png') });
  await stopSession(page, 'vmentry-failure (xen-vm86)');
  await tripleFaultTour(page);
}

/**
 * The triple-fault example (examples/README.md): its launch configuration stops at the triple fault; the Why Did It
 * Fault? panel shows the chain #DE → #DF → shutdown with GATE.CS.NOT_PRESENT, and "find the write that broke it" on
 * the not-present code segment's GDT entry travels back to the `and` that cleared its present bit (#RETIRE).
 */
async function tripleFaultTour(page) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('debug triple-fault');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'triple-fault' }).first().click({ timeout: 15000 });
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: /0018:7C[0-9A-F]{2}/ }).first().waitFor({ timeout: 60000 });
  log('examples: triple-fault stopped');
  await runCommand(page, 'Bootscope: Why Did It Fault?');
  await webviewWhen(page, 'Why Did It Fault?', async (f) => (await f.locator('#path', { hasText: '#DE → #DF → shutdown' }).count()) > 0);
  const rules = await inWebview(page, 'Why Did It Fault?', (f) => f.locator('p.rule').allInnerTexts());
  log('examples: fault rules', rules.join(' | '));
  // The #DE's own cause (the divide), then both deliveries' rule.
  const [cause, ...links] = rules;
  if (!cause?.startsWith('raised by DIV.ZERO') || links.length !== 2 || !links.every((r) => r.startsWith('GATE.CS.NOT_PRESENT'))) {
    throw new Error(`fault panel rules: ${rules.join(' | ')}`);
  }
  await page.screenshot({ path: path.join(SHOTS, '13-example-fault-panel.png') });
  await inWebview(page, 'Why Did It Fault?', (f) => f.locator('tr.subject', { hasText: 'GDT entry 1' }).first().locator('vscode-button', { hasText: 'find the write that broke it' }).click({ timeout: 5000 }));
  const toast = page.locator('.notifications-toasts', { hasText: /made the last write to GDT entry 1/ });
  await toast.first().waitFor({ timeout: 60000 });
  log('examples: find the write:', JSON.stringify((await toast.first().innerText()).split('\n')[0]));
  const line = await (async () => {
    for (let i = 0; i < 50; i++) {
      const l = await currentLine(page);
      if (l && l.includes('#RETIRE')) return l;
      await sleep(200);
    }
    return currentLine(page);
  })();
  log('examples: current line', JSON.stringify(line));
  if (!line || !line.includes('#RETIRE')) throw new Error(`find the write: current line ${JSON.stringify(line)}`);
  await page.screenshot({ path: path.join(SHOTS, '14-example-find-the-write.png') });
  await stopSession(page, 'triple-fault');
}

/** The text of the editor line VS Code marks as the top stack frame's (the current line), or null. */
async function currentLine(page) {
  return page.evaluate(() => {
    const mark = document.querySelector('.editor-instance .monaco-editor .debug-top-stack-frame-line');
    const editor = mark?.closest('.monaco-editor');
    const top = mark?.parentElement?.style.top;
    const line = editor && [...editor.querySelectorAll('.view-lines .view-line')].find((l) => l.style.top === top);
    return line ? line.textContent.replace(/\u00a0/g, ' ') : null;
  });
}

/**
 * A new user's first five minutes (issue 13): a folder holding only a raw disk image, no listing, no launch.json.
 * F5 (the debugger chosen with the keyboard in VS Code's "Select debugger" list) stops at 0000:7C00 and, with no
 * click, shows the registers and the disassembly document with the current line at 0000:7C00; a click in the gutter
 * of a later line sets a breakpoint there, and Continue stops on it.
 */
async function rawImageTour(page) {
  const hosts = readyExtHosts();
  await page.goto(`${BASE}/?folder=${encodeURIComponent(process.env.E2E_RAW_FOLDER)}`);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'syslinux.img' }).first().waitFor({ timeout: 60000 });
  await waitForExtHost(hosts);
  await page.locator('.explorer-folders-view').first().focus();
  await page.keyboard.press('F5');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('Bootscope');
  await page.keyboard.press('Enter');
  // "Bootscope (x86 boot code)..." lists the workspace's configurations: the only one is the image.
  await sleep(500);
  if (await input.isVisible()) await page.keyboard.press('Enter');
  log('raw image: F5');
  await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused|stopped/i }).waitFor({ timeout: 60000 });
  const vars = page.locator('.debug-pane', { has: page.locator('.pane-header', { hasText: /^\s*variables/i }) });
  await vars.locator('.monaco-list-row', { hasText: /^\s*eax\b/ }).first().waitFor({ timeout: 30000 });
  await page.locator('.tabs-container .tab', { hasText: '0000:7C00-7DFF real' }).first().waitFor({ timeout: 30000 });
  let line = null;
  for (let end = Date.now() + 15000; Date.now() < end && !line; await sleep(200)) line = await currentLine(page);
  log('raw image: variables', JSON.stringify((await vars.locator('.pane-body').innerText()).slice(0, 160)));
  log('raw image: current line', JSON.stringify(line));
  if (!line || !line.startsWith('0000:7C00  33c0')) throw new Error(`the current line is not 0000:7C00: ${line}`);
  await page.screenshot({ path: path.join(SHOTS, '20-raw-image-f5.png') });
  // The gutter of the far jump to the relocated copy (a later line of the same document).
  const editor = page.locator('.editor-instance .monaco-editor', { has: page.locator('.debug-top-stack-frame-line') }).first();
  const target = editor.locator('.view-lines .view-line', { hasText: /jmp\s+0x0:0x61f/ }).first();
  const targetText = (await target.innerText()).replace(/\u00a0/g, ' ');
  const lineBox = await target.boundingBox();
  // The glyph margin (where breakpoints go) is the editor's leftmost column: hover shows the hint, a press sets it.
  const box = await editor.boundingBox();
  const [x, y] = [box.x + 9, lineBox.y + lineBox.height / 2];
  const set = editor.locator('.codicon-debug-breakpoint');
  for (let attempt = 1; (await set.count()) === 0; attempt++) {
    if (attempt > 3) {
      const bps = await page.locator('.debug-breakpoints').first().innerText().catch(() => '?');
      const glyphs = await editor.evaluate((ed) => [...ed.querySelectorAll('.cgmr')].map((g) => g.className).join(' | '));
      throw new Error(`no breakpoint after clicking the gutter at ${x},${y}: glyphs ${glyphs}; breakpoints view ${JSON.stringify(bps)}`);
    }
    await page.mouse.move(x, y);
    await sleep(300);
    await page.mouse.down();
    await page.mouse.up();
    await sleep(1000);
  }
  log('raw image: breakpoint on', JSON.stringify(targetText));
  await page.keyboard.press('F5');
  const at = targetText.slice(0, 9);
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: `${at} real` }).first().waitFor({ timeout: 30000 });
  await page.locator('.debug-pane .call-stack-state-message', { hasText: /breakpoint/i }).waitFor({ timeout: 15000 });
  line = null;
  for (let end = Date.now() + 15000; Date.now() < end && line !== targetText; await sleep(200)) line = await currentLine(page);
  log('raw image: stopped on', JSON.stringify(line));
  if (line !== targetText) throw new Error(`the gutter breakpoint did not stop on its line: ${line}`);
  await page.screenshot({ path: path.join(SHOTS, '21-raw-image-gutter-breakpoint.png') });
  await stopSession(page, 'Bootscope: boot syslinux.img');
}

/**
 * Compare with QEMU (issue 18): a folder holding the syslinux image and a launch configuration with
 * compareWith.qemu (E2E_COMPARE_FOLDER); F5 stops at 0000:7C00, Continue runs in lock-step with QEMU to the first
 * divergence (ldlinux's E820 walk: SeaBIOS's map has more entries, so EBX differs after the INT 15h call), where
 * the Compare panel opens by itself with both states side by side.
 */
async function compareTour(page) {
  const hosts = readyExtHosts();
  await page.goto(`${BASE}/?folder=${encodeURIComponent(process.env.E2E_COMPARE_FOLDER)}`);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'syslinux.img' }).first().waitFor({ timeout: 60000 });
  await waitForExtHost(hosts);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill('debug Compare syslinux with QEMU');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Compare syslinux with QEMU' }).first().click({ timeout: 15000 });
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: '0000:7C00' }).first().waitFor({ timeout: 60000 });
  log('compare: stopped at 0000:7C00; continue in lock-step with QEMU');
  await runCommand(page, 'Debug: Continue');
  // About 1.19 M compared instructions: tens of seconds on a quiet machine, minutes on a loaded one.
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: '0000:8C2F' }).first().waitFor({ timeout: 600000 });
  log('compare: diverged at 0000:8C2F');
  const panel = await webviewWhen(page, 'Compare', async (f) => (await f.locator('#compare-state', { hasText: 'diverged' }).count()) > 0, 30000);
  const summary = (await panel.locator('#compare-summary').innerText()).trim();
  const marked = await panel.locator('#states tr.diff td:first-child').allInnerTexts();
  log('compare:', JSON.stringify(summary), 'differs:', marked.join(','));
  if (!/at instruction 1188524 from 0000:7C00, 0000:00008c2f/.test(summary) || marked.join(',') !== 'ebx') throw new Error(`compare panel: ${summary} (${marked})`);
  await page.screenshot({ path: path.join(SHOTS, '15-compare-panel.png') });
  await stopSession(page, 'Compare syslinux with QEMU');
}

let page, profile;
(async () => {
  profile = fs.mkdtempSync(path.join(OUT, 'chrome-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    env: { ...process.env, HOME: path.join(OUT, 'xdg/home') },
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error' && !/vsda|open-vsx|ENOTFOUND/.test(m.text())) log('  [browser error]', m.text().slice(0, 200)); });
  // E2E_INSTALLED=1: the extension is installed from the .vsix; else load the folder as a development extension.
  const payload = [['extensionDevelopmentPath', `vscode-remote://${new URL(BASE).host}${path.resolve(EXT)}`]];
  await page.goto(`${BASE}/?folder=${encodeURIComponent(FOLDER)}${process.env.E2E_INSTALLED ? '' : `&payload=${encodeURIComponent(JSON.stringify(payload))}`}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'boot.asm' }).waitFor({ timeout: 60000 });
  await waitForExtHost();
  log('workbench and extension host ready');
  await page.screenshot({ path: path.join(SHOTS, '01-workbench.png') });

  if (fs.existsSync(path.join(EXT, 'dist', 'debugAdapter.js'))) {
    await openFile(page, 'boot.asm');
    await page.locator('.monaco-workbench .part.editor .monaco-editor').first().click({ position: { x: 300, y: 100 } });
    await page.keyboard.press('F5');
    log('F5 on boot.asm');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused|stopped/i }).waitFor({ timeout: 60000 });
    const stack = await page.locator('.debug-pane', { has: page.locator('.call-stack-state-message') }).innerText();
    await page.screenshot({ path: path.join(SHOTS, '02a-stopped.png') });
    const vars = page.locator('.debug-pane', { has: page.locator('.pane-header', { hasText: /^\s*variables/i }) });
    await vars.locator('.monaco-list-row').first().waitFor({ timeout: 30000 });
    const varsText = await vars.locator('.pane-body').innerText();
    log('call stack:', JSON.stringify(stack));
    log('variables:', JSON.stringify(varsText.slice(0, 300)));
    if (!/7C00/i.test(stack + varsText)) throw new Error('not paused at 0000:7C00');
    await page.screenshot({ path: path.join(SHOTS, '02-paused-7c00.png') });
    await runCommand(page, 'Bootscope: Why Would VM Entry Fail?');
    await webview(page, 'VM Entry Checks');
    await page.screenshot({ path: path.join(SHOTS, '03-session-vm-entry-checks.png') });
    await runCommand(page, 'Bootscope: Show VMCS');
    const vm = await webview(page, 'VMCS');
    log('session VMCS groups:', (await vm.locator('h2').allInnerTexts()).join(' | '));
    await page.screenshot({ path: path.join(SHOTS, '03a-session-vmcs.png') });
    await runCommand(page, 'Bootscope: Show Descriptor Tables');
    const dt = await webview(page, 'Descriptor Tables');
    log('Descriptor Tables:', (await dt.locator('h2').allInnerTexts()).join(' | '));
    await page.screenshot({ path: path.join(SHOTS, '03b-session-descriptor-tables.png') });
    await runCommand(page, 'Bootscope: Show Screen');
    await webview(page, 'Screen');
    // Continue: the guest prints through INT 10h and the Screen panel follows it live (throttled refresh).
    await runCommand(page, 'Debug: Continue');
    const end = Date.now() + 30000;
    let text = '';
    while (Date.now() < end && !text.includes('Hello from Bootscope')) {
      const f = await webview(page, 'Screen').catch(() => null);
      text = f ? await f.locator('#screen').innerText().catch(() => '') : '';
      await sleep(250);
    }
    log('screen while running:', JSON.stringify(text.trim().split('\n')[0] ?? ''));
    if (!text.includes('Hello from Bootscope')) throw new Error('the Screen panel did not show the guest output');
    await page.screenshot({ path: path.join(SHOTS, '03c-session-screen.png') });
    await runCommand(page, 'Debug: Pause');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused|stopped/i }).waitFor({ timeout: 30000 });
    await runCommand(page, 'Bootscope: Show Timeline');
    // The guest spun for seconds (hundreds of millions of instructions): the first timeline replays all of them.
    await webviewWhen(page, 'Timeline', async (f) => (await f.locator('td', { hasText: 'CPU mode' }).count()) > 0, 240000);
    await page.screenshot({ path: path.join(SHOTS, '03d-session-timeline.png') });
    // Disassembly view: set a breakpoint on the `jmp .done` spin loop (the 3rd row after stosw), continue, stop there.
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: '0000:7C' }).first().click();
    await runCommand(page, 'Open Disassembly View');
    const rows = page.locator('.disassembly-view .monaco-list-row');
    await rows.first().waitFor({ timeout: 30000 });
    const loopRow = rows.filter({ hasText: '0000:7C19' }).first();
    log('disassembly row:', JSON.stringify((await loopRow.innerText()).replace(/\s+/g, ' ')));
    // The breakpoint column; with a listing a row shows the source line above the instruction, so
    // click beside the instruction line (the row's bottom line).
    const box = await loopRow.boundingBox();
    await loopRow.click({ position: { x: 8, y: Math.max(8, (box ? box.height : 16) - 8) } });
    await page.locator('.debug-breakpoints .monaco-list-row', { hasText: /7c19/i }).first().waitFor({ timeout: 15000 }).catch(() => {});
    await runCommand(page, 'Debug: Continue');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /breakpoint/i }).waitFor({ timeout: 30000 });
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: '0000:7C19' }).first().waitFor({ timeout: 15000 });
    const hit = await page.locator('.debug-pane', { has: page.locator('.call-stack-state-message') }).innerText();
    log('after continue:', JSON.stringify(hit));
    if (!/7C19/i.test(hit)) throw new Error('the disassembly breakpoint at 0000:7C19 was not hit');
    await page.screenshot({ path: path.join(SHOTS, '03e-disassembly-breakpoint.png') });
    // End the session: its adapter holds a recording of the guest's spin (over a billion instructions on a
    // quiet machine), which the next tours should not compete with.
    await stopSession(page, 'Bootscope: boot boot.asm');
    log('session stopped');
  } else {
    log('dist/debugAdapter.js not built: skipping F5 (the dump panels need no adapter)');
  }

  await openFile(page, 'xen-dump.txt');
  await runCommand(page, 'Bootscope: Check VMCS Dump…');
  const checks = await webview(page, 'VM Entry Checks');
  const verdict = (await checks.locator('#verdict').innerText()).trim();
  const failing = await checks.locator('tr.check.fail').count();
  const title = await checks.evaluate(() => document.title);
  const imgs = await checks.locator('img').count();
  log(`VM Entry Checks: verdict ${verdict}, ${failing} failing rows, document.title ${JSON.stringify(title)}, ${imgs} <img>`);
  if (verdict !== 'fail' || failing === 0) throw new Error('the Xen dump should fail VM entry');
  if (title === 'pwned' || title === '1' || imgs > 0) throw new Error('pasted HTML ran in the webview');
  await page.screenshot({ path: path.join(SHOTS, '04-dump-vm-entry-checks.png') });

  await checks.locator('vscode-button', { hasText: "Show the dump's guest state as VMCS" }).click();
  const vmcs = await webview(page, 'VMCS');
  const groups = await vmcs.locator('h2').allInnerTexts();
  log('VMCS groups:', groups.join(' | '));
  if (!groups.includes('Segment registers')) throw new Error('VMCS panel lacks the segment registers');
  await page.screenshot({ path: path.join(SHOTS, '05-dump-vmcs.png') });
  if (process.env.E2E_RAW_FOLDER && fs.existsSync(path.join(EXT, 'dist', 'debugAdapter.js'))) await rawImageTour(page);
  if (process.env.E2E_COMPARE_FOLDER && fs.existsSync(path.join(EXT, 'dist', 'debugAdapter.js'))) await compareTour(page);
  if (process.env.E2E_EXAMPLES && fs.existsSync(path.join(EXT, 'dist', 'debugAdapter.js'))) await examplesTour(page);
  log('PASS');
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
})().catch(async (e) => {
  log('FAIL', e);
  if (page) await page.screenshot({ path: path.join(SHOTS, '99-failure.png') }).catch(() => {});
  if (page) await page.context().close().catch(() => {});
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  process.exit(1);
});
