// @tier full
// `npm pack` is the CLI's package: the tarball holds dist/cli.js (everything it runs is bundled in
// it) and no other code, and installed offline into an empty prefix, `bootscope` runs with nothing
// but Node on the PATH and no node_modules around it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * A copy of the repository without its tests and build output, sharing node_modules: npm pack runs
 * prepack (a release build into dist/) there, so this tree's dist/, which the test files running
 * beside this one use, stays the build scripts/test.mjs made.
 */
function sourceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-pack-src-'));
  const skip = new Set(['.git', 'node_modules', 'dist', 'test', '.bench', '.vscode-test']);
  cpSync('.', dir, { recursive: true, filter: (src) => !skip.has(relative('.', src).split(/[\\/]/)[0]) });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('npm pack, npm install -g --offline into a temporary prefix, then bootscope --version and run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { encoding: 'utf8', cwd: sourceCopy() }));
  const files = (packed[0].files as { path: string }[]).map((f) => f.path).sort();
  assert.ok(files.includes('dist/cli.js') && files.includes('THIRD_PARTY.md'), files.join(' '));
  const allowed = new Set(['package.json', 'README.md', 'LICENSE', 'THIRD_PARTY.md', 'CHANGELOG.md', 'dist/cli.js']);
  assert.deepEqual(files.filter((f) => !allowed.has(f)), [], 'only the CLI and the package documents');
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

  const prefix = join(dir, 'prefix');
  execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, packed[0].filename)], { encoding: 'utf8' });
  const work = mkdtempSync(join(tmpdir(), 'bootscope-packed-run-'));
  // Only Node: its own directory on the PATH (no npm, nasm or the repository's node_modules).
  const env = { PATH: dirname(process.execPath), HOME: work };
  const bootscope = join(prefix, 'bin', 'bootscope');
  const v = spawnSync(bootscope, ['--version'], { encoding: 'utf8', cwd: work, env });
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout, `${version}\n`);

  // mov al,'o'; out 0xe9,al; mov al,'k'; out 0xe9,al; cli; hlt — and the boot signature.
  const boot = Buffer.alloc(512);
  boot.set([0xb0, 0x6f, 0xe6, 0xe9, 0xb0, 0x6b, 0xe6, 0xe9, 0xfa, 0xf4]);
  boot.set([0x55, 0xaa], 510);
  writeFileSync(join(work, 'boot.img'), boot);
  const r = spawnSync(bootscope, ['run', 'boot.img', '--json'], { encoding: 'utf8', cwd: work, env });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'halt');
  assert.equal(s.debugText, 'ok');
  assert.equal(spawnSync(bootscope, ['run', '--help'], { encoding: 'utf8', cwd: work, env }).status, 0);
});
