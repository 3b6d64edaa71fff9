// `npm run test:electron`: the extension test module (test/e2e/suite) inside VS Code desktop through
// @vscode/test-electron's runTests, the usual runner of VS Code extension tests. VS Code VERSION is
// downloaded once into .vscode-test/. Where its download server cannot be reached this stops within
// seconds, saying so: the same module runs in code-server (test/e2e/run.sh, in `npm run test:full`),
// which installs from npm alone. On Linux VS Code needs a display (e.g. `xvfb-run -a npm run test:electron`).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { download, runTests } from '@vscode/test-electron';

/** The VS Code release code-server 4.100.3 (test/e2e) is built from, so both runs see the same API. */
const VERSION = '1.100.3';
/** Where the download starts; BOOTSCOPE_VSCODE_RELEASES points elsewhere (the test uses an unreachable one). */
const RELEASES = process.env.BOOTSCOPE_VSCODE_RELEASES || 'https://update.code.visualstudio.com/api/releases/stable';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test', '.out', 'electron');
const CODE_SERVER_RUN = 'bash test/e2e/run.sh (part of npm run test:full; BOOTSCOPE_SKIP_E2E=1 skips it there)';

function fail(message) {
  console.error(`test:electron: ${message}`);
  process.exit(1);
}

/** True when VERSION is in .vscode-test/ already (runTests then needs no network). */
function cached() {
  const dir = join(ROOT, '.vscode-test');
  return existsSync(dir) && readdirSync(dir).some((name) => name.includes(VERSION));
}

async function reachable() {
  try {
    const r = await fetch(RELEASES, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return r.ok ? null : `HTTP ${r.status}`;
  } catch (e) {
    return e?.cause?.code ?? e?.name ?? String(e);
  }
}

if (!cached()) {
  const problem = await reachable();
  if (problem) {
    fail(`VS Code ${VERSION} cannot be downloaded (${new URL(RELEASES).host}: ${problem}), and .vscode-test/ ` +
      `holds no copy. The same extension tests run in code-server, installed from npm: ${CODE_SERVER_RUN}.`);
  }
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('VS Code needs a display: run `xvfb-run -a npm run test:electron`, or use the headless code-server run: ' +
    `${CODE_SERVER_RUN}.`);
}

const build = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed`);
};
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'user-data', 'User'), { recursive: true });
build(process.execPath, ['scripts/build.mjs']);
build(join(ROOT, 'node_modules', '.bin', 'esbuild'), ['test/e2e/suite/index.ts', '--bundle', '--platform=node', '--format=cjs',
  '--target=node20', '--external:vscode', '--log-level=warning', `--outfile=${join(OUT, 'suite', 'index.js')}`]);
cpSync(join(ROOT, 'test', 'e2e', 'workspace'), join(OUT, 'workspace'), { recursive: true });
cpSync(join(ROOT, 'test', 'e2e', 'settings.json'), join(OUT, 'user-data', 'User', 'settings.json'));

try {
  const vscodeExecutablePath = await download({ version: VERSION, cachePath: join(ROOT, '.vscode-test'), timeout: 15000 });
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(OUT, 'suite', 'index.js'),
    launchArgs: [join(OUT, 'workspace'), '--user-data-dir', join(OUT, 'user-data'), '--extensions-dir', join(OUT, 'extensions'),
      '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (e) {
  fail(`the extension tests failed in VS Code ${VERSION}: ${e instanceof Error ? e.message : String(e)}`);
}
