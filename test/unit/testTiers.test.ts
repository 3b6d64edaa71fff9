// scripts/test.mjs's tiers: a file is full-tier only when its first line is exactly `// @tier full`;
// `npm test` runs the rest, `--full` everything, a path filter whatever it names. And what its loader
// (tsx's require hook) needs of the tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/test.mjs');

function listed(dir: string, ...args: string[]): string[] {
  const r = spawnSync(process.execPath, [SCRIPT, '--list', ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => l.replace(/\\/g, '/'));
}

test('the first line decides the tier; --full and path filters take both tiers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-tiers-'));
  try {
    mkdirSync(join(dir, 'test', 'x'), { recursive: true });
    const files: Record<string, string> = {
      'test/x/slow.test.ts': '// @tier full\n// a slow test\n',
      'test/x/slowCrlf.test.ts': '// @tier full\r\n',
      'test/x/second.test.ts': '// a fast test\n// @tier full\n',
      'test/x/spaced.test.ts': '// @tier full (slow)\n',
      'test/x/helper.ts': '// @tier full\n',
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    assert.deepEqual(listed(dir), ['test/x/second.test.ts', 'test/x/spaced.test.ts']);
    assert.deepEqual(listed(dir, '--full'), ['test/x/second.test.ts', 'test/x/slow.test.ts', 'test/x/slowCrlf.test.ts', 'test/x/spaced.test.ts']);
    assert.deepEqual(listed(dir, 'slow'), ['test/x/slow.test.ts', 'test/x/slowCrlf.test.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the slow suites are in the full tier, and the fast tier keeps one real boot', () => {
  const fast = listed('.');
  const full = listed('.', '--full');
  for (const f of ['test/e2e/e2e.test.ts', 'test/boot/qemu.test.ts', 'test/pm/differential.test.ts', 'test/cpu/jit.test.ts']) {
    assert.ok(full.includes(f) && !fast.includes(f), `${f} is full-tier only`);
  }
  for (const f of ['test/conformance/conformance.test.ts', 'test/boot/loaders.test.ts', 'test/dap/session.test.ts', 'test/unit/testTiers.test.ts']) {
    assert.ok(fast.includes(f), `${f} is in the fast tier`);
  }
});

test('no test code imports a module dynamically: the runner loads TypeScript through require, and a dynamic import goes around it', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk('test');
  assert.ok(files.includes(join('test', 'unit', 'testTiers.test.ts')), 'the walk finds the test files');
  // A type query (typeof import) is erased; any other dynamic import reaches Node's ESM loader.
  const dynamic = files.filter((f) => /(?<!typeof )\bimport\(/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(dynamic, [], 'import statically (a dynamic import of a .ts file fails under scripts/test.mjs)');
});
