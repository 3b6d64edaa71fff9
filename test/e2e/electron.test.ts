// `npm run test:electron` where VS Code cannot be downloaded (an unreachable release server stands in
// for this machine's network): it fails within seconds, says why, and points at the code-server run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const cached = existsSync('.vscode-test') && readdirSync('.vscode-test').length > 0;

test('test:electron without a reachable VS Code download fails at once and names the code-server run',
  { skip: cached && '.vscode-test holds a VS Code: test:electron would run it' }, () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['scripts/testElectron.mjs'], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, BOOTSCOPE_VSCODE_RELEASES: 'http://127.0.0.1:9/api/releases/stable' },
    });
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(r.status, 1, r.stderr);
    assert.ok(seconds < 10, `took ${seconds} s`);
    assert.match(r.stderr, /VS Code 1\.100\.3 cannot be downloaded \(127\.0\.0\.1:9: /);
    assert.match(r.stderr, /code-server/);
    assert.match(r.stderr, /test\/e2e\/run\.sh/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });
