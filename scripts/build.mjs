// One way to build: esbuild bundles for the CLI, the debug adapter and the extension.
// Type checking is separate (`tsc --noEmit`, run by `npm test`); esbuild only emits.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const release = process.argv.includes('--release');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !release,
  sourcesContent: false,
  minify: release,
  logLevel: 'warning',
  define: { __DEBUG__: release ? 'false' : 'true' },
};

const entries = [
  { entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['debug-adapter/main.ts'], outfile: 'dist/debugAdapter.js' },
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
];

// `npm run bench` bundles the benchmark like the product, so it measures the code users run.
if (process.argv.includes('--bench')) {
  entries.push({ entryPoints: ['test/bench/run.ts'], outfile: 'dist/bench.js' }, { entryPoints: ['test/record/bench.ts'], outfile: 'dist/recordBench.js' });
}

/**
 * Writes a file of dist/ whole or not at all (a temporary file renamed over it): a test that runs
 * dist/cli.js while another rebuilds dist/ (the VS Code UI test does) never reads half a bundle.
 */
function writeWhole(path, contents, mode = 0o644) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents, { mode });
  renameSync(tmp, path);
}

mkdirSync('dist', { recursive: true });
const built = await Promise.all(entries.filter((e) => existsSync(e.entryPoints[0])).map((e) => esbuild.build({ ...common, ...e, write: false })));
for (const f of built.flatMap((b) => b.outputFiles)) writeWhole(f.path, f.contents, f.path.endsWith('cli.js') ? 0o755 : 0o644);
// The webviews' controls (@vscode-elements/elements, the web components VS Code's own look is made of): its
// self-contained bundle, loaded by each panel as a nonce'd module from dist/.
writeWhole('dist/vscode-elements.js', readFileSync('node_modules/@vscode-elements/elements/dist/bundled.js'));
