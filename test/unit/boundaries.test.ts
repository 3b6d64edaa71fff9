// Module boundaries (docs/ARCHITECTURE.md): emulator/ imports neither 'vscode' nor Node
// built-ins (it must run in a browser or worker); debug-adapter/, host/, protocol/ and cli/ never import 'vscode'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

function sources(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  const found: string[] = [];
  for (let m; (m = re.exec(text)); ) found.push(m[1] ?? m[2] ?? m[3]);
  return found;
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

test('emulator/ imports no vscode and no Node built-ins', () => {
  const bad: string[] = [];
  for (const f of sources('emulator')) {
    for (const spec of imports(f)) {
      if (spec === 'vscode' || nodeBuiltins.has(spec) || spec.startsWith('node:')) bad.push(`${f}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('debug-adapter/, host/, protocol/ and cli/ do not import vscode', () => {
  const bad: string[] = [];
  for (const dir of ['debug-adapter', 'host', 'protocol', 'cli']) {
    for (const f of sources(dir)) for (const spec of imports(f)) if (spec === 'vscode') bad.push(`${f}: ${spec}`);
  }
  assert.deepEqual(bad, []);
});

test('the boundary scanner sees imports (self-check)', () => {
  assert.ok(imports('test/unit/boundaries.test.ts').includes('node:fs'));
});
