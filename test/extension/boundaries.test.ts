// STYLE D2 for extension/: it may import 'vscode', Node built-ins, protocol/ and its own files — never emulator/,
// debug-adapter/ or cli/ (the panels reach the emulator only through DAP or the CLI's JSON). Node only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('extension/ imports only vscode, node:*, protocol/ and extension/', () => {
  const bad: string[] = [];
  for (const f of sources('extension')) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec === 'vscode' || spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) { bad.push(`${f}: ${spec}`); continue; }
      const top = relative('.', resolve(dirname(f), spec)).split(/[\\/]/)[0];
      if (top !== 'extension' && top !== 'protocol') bad.push(`${f}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('protocol/ imports only protocol/ (types and constants only)', () => {
  for (const f of ['customRequests.ts', 'launchConfig.ts', 'webview.ts']) {
    const from = [...readFileSync(`protocol/${f}`, 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
    assert.ok(from.every((m) => /^\.\/\w+$/.test(m)), `${f} imports ${from.join(', ')}`);
  }
});
