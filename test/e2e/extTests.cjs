// Runs the extensionTestsPath module (test-electron `run()` contract) in code-server's Node extension host,
// headless, as VS Code's own browser integration runner does: `payload` URL parameter with vscode-remote:// URIs;
// the exit code arrives through window.codeAutomationExit. Usage: node extTests.cjs <extDevPath> <testsPath.js>
// Env: E2E_BASE (code-server URL), E2E_WORKSPACE (folder), E2E_DIR (artifacts), NODE_PATH (playwright-core).
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const [devPath, testsPath] = process.argv.slice(2);
const base = process.env.E2E_BASE, folder = process.env.E2E_WORKSPACE, out = process.env.E2E_DIR;
if (!devPath || !testsPath || !base || !folder || !out) { console.error('usage: E2E_BASE=… E2E_WORKSPACE=… E2E_DIR=… node extTests.cjs <devPath> <testsPath>'); process.exit(2); }
const t0 = Date.now();
const host = new URL(base).host;
const remote = (p) => `vscode-remote://${host}${path.resolve(p)}`;

(async () => {
  const profile = fs.mkdtempSync(path.join(out, 'chrome-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    env: { ...process.env, HOME: path.join(out, 'xdg/home') },
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let done;
  const exited = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = args.map(String).join(' ');
    if (line.includes('[bootscope]') || type === 'error') console.log(`  ${line.slice(0, 2000)}`);
  });
  await page.exposeFunction('codeAutomationExit', async (code, logs) => {
    try {
      for (const l of logs || []) {
        const f = path.join(out, 'ext-test-logs', l.relativePath);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, l.contents);
      }
    } catch { /* logs are a convenience */ }
    done(code);
  });
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(devPath)], ['extensionTestsPath', remote(testsPath)], ['skipWelcome', 'true']]);
  await page.goto(`${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 120000))]);
  await page.screenshot({ path: path.join(out, 'screenshots', '00-ext-tests.png') }).catch(() => {});
  console.log(`extension tests exit code: ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(code === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
