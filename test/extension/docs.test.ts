// docs/CLI.md against the code it documents: every option of the built CLI's --help, every launch
// attribute package.json contributes, every custom request protocol/ declares and every command id
// appears in it, and the CPU models and FPUs it lists are protocol/'s; user-facing files never point at
// a folder beside the repository (a clone has nothing beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CPU_MODEL_NAMES, FPU_NAMES } from '../../protocol/launchConfig';

const cli = readFileSync('docs/CLI.md', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

test('docs/CLI.md describes every command and option of the built CLI (dist/cli.js)', () => {
  const help = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args, '--help'], { encoding: 'utf8' }).stdout;
  const commands = [...help().matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 6, `commands from bootscope --help: ${commands.join(', ')}`);
  const missing: string[] = [];
  for (const c of commands) {
    if (!cli.includes(`## bootscope ${c} `)) missing.push(c);
    for (const [, opt] of help(c).matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)) {
      if (opt !== '--help' && !new RegExp(`${opt}(?![a-z-])`).test(cli)) missing.push(`${c} ${opt}`);
    }
  }
  assert.deepEqual(missing, [], 'missing from docs/CLI.md');
});

test('docs/CLI.md describes every launch attribute of package.json', () => {
  const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'bootscope');
  const missing = Object.keys(dbg.configurationAttributes.launch.properties).filter((a) => !cli.includes(`\`${a}\``));
  assert.deepEqual(missing, [], 'launch attributes missing from docs/CLI.md');
});

test('docs/CLI.md describes every custom request of protocol/', () => {
  const names = [...readFileSync('protocol/customRequests.ts', 'utf8').matchAll(/'(bootscope\/\w+)'/g)].map((m) => m[1]);
  assert.ok(names.length >= 10, `found only ${names.length} request names in protocol/`);
  assert.deepEqual([...new Set(names)].filter((n) => !cli.includes(`\`${n}\``)), [], 'custom requests missing from docs/CLI.md');
});

test('docs/CLI.md names every contributed command and setting', () => {
  const ids = [
    ...pkg.contributes.commands.map((c: { command: string }) => c.command),
    ...Object.keys(pkg.contributes.configuration.properties),
  ];
  assert.deepEqual(ids.filter((id: string) => !cli.includes(`\`${id}\``)), []);
});

test('README and docs link files of the repository, never ../shared', () => {
  for (const f of ['README.md', 'docs/CLI.md', 'docs/ARCHITECTURE.md', 'examples/README.md']) {
    const lines = readFileSync(f, 'utf8').split('\n').filter((l) => /\.\.\/shared|\/work\/shared/.test(l));
    assert.deepEqual(lines, [], `${f} points outside the repository`);
  }
  const readme = readFileSync('README.md', 'utf8');
  for (const doc of ['docs/CLI.md', 'docs/ARCHITECTURE.md']) {
    assert.ok(readme.includes(`](${doc})`), `README links ${doc}`);
    assert.ok(existsSync(doc), doc);
  }
});

test('docs/CLI.md lists the CPU models and FPUs of protocol/launchConfig.ts: --cpu, --fpu, the launch table, "CPU models"', () => {
  assert.ok(cli.includes(`\`--cpu ${CPU_MODEL_NAMES.join('|')}\``), '--cpu line');
  assert.ok(cli.includes(`\`--fpu ${FPU_NAMES.join('|')}\``), '--fpu line');
  const row = (attr: string) => cli.split('\n').find((l) => l.startsWith(`| \`${attr}\` |`)) ?? '';
  assert.ok(row('cpu').includes(CPU_MODEL_NAMES.map((m) => `\`${m}\``).join(', ')), row('cpu'));
  assert.ok(row('fpu').includes(FPU_NAMES.map((m) => `\`${m}\``).join(', ')), row('fpu'));
  const section = cli.slice(cli.indexOf('## CPU models'), cli.indexOf('\n## ', cli.indexOf('## CPU models') + 1));
  const models = [...section.matchAll(/^\| `([\w]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(models, [...CPU_MODEL_NAMES]);
});
