// examples/.vscode/launch.json: one configuration per example, each accepted by the adapter's own launch validation
// (debug-adapter/launch.ts) with its image and listings (or ELF symbols) present after the examples are built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launch, validateConfig } from '../../debug-adapter/launch';
import { image, NO_NASM } from './helpers';

const EXAMPLES = join(process.cwd(), 'examples');
const configs: Array<Record<string, unknown>> = JSON.parse(readFileSync(join(EXAMPLES, '.vscode', 'launch.json'), 'utf8')).configurations;
const expand = (v: unknown): unknown =>
  typeof v === 'string' ? v.replaceAll('${workspaceFolder}', EXAMPLES) : Array.isArray(v) ? v.map(expand) : v;

test('every example directory and vm86-compare has a launch configuration', () => {
  const dirs = readdirSync(EXAMPLES).filter((d) => !d.startsWith('.') && d !== 'build' && d !== 'dumps' && statSync(join(EXAMPLES, d)).isDirectory());
  for (const d of [...dirs, 'vm86-compare']) assert.ok(configs.some((c) => String(c.name).startsWith(d)), `${d}: no configuration`);
  for (const c of configs) assert.equal(c.type, 'bootscope');
});

for (const c of configs) {
  test(`launch configuration "${c.name}" validates and launches`, { skip: NO_NASM }, () => {
    image('hello');
    const cfg = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, expand(v)]));
    const valid = validateConfig(cfg);
    const l = launch(cfg, EXAMPLES);
    assert.ok(valid.listing.length > 0 || !l.sourceMaps.dwarf.empty, 'a listing or an ELF file with DWARF for source breakpoints');
    assert.equal(l.machine.hardDisks.length, 1, 'the image is the first hard disk');
    l.dispose();
  });
}
