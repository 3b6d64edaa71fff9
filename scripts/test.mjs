// Runs the test files (test/**/*.test.ts) with node's test runner, as many at once as there are
// cores. TypeScript is loaded through tsx's require hook (`--require tsx/cjs`: a test file's process
// starts on a third of the CPU `--import tsx`'s module hooks take), so tests import TypeScript
// statically: a dynamic import() goes to Node's own ESM loader, which cannot load .ts. The runner
// first builds dist/ (scripts/build.mjs): the tests run the built CLI and adapter, built once per
// run instead of once per test file, and none rebuilds it.
// Tiers: a file whose first line is exactly `// @tier full` belongs to the full tier (slow, or needs
// QEMU/Bochs/VS Code); without arguments only the fast tier runs, `--full` runs both.
// Other arguments narrow the run to files whose path contains one of them, from both tiers: a file
// named on purpose runs. `--list` prints the chosen files instead of running them. `--times` then
// prints each file's wall and CPU seconds (children included), slowest first, and the run's totals:
// CPU time is the measure to compare on a loaded machine (a process that outlives its parent, such
// as esbuild's service, escapes it: `perf stat -e task-clock` counts the whole tree).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './testTimes.cjs';

const FULL_TIER_MARK = '// @tier full';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    // Dot folders hold artifacts (test/.out: the UI test's, changing while it runs), no tests.
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function isFullTier(file) {
  const text = readFileSync(file, 'utf8');
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '') === FULL_TIER_MARK;
}

delete process.env.BOOTSCOPE_TEST_TIMES;
const args = process.argv.slice(2);
const full = args.includes('--full');
const list = args.includes('--list');
const times = args.includes('--times');
const filters = args.filter((a) => !['--full', '--list', '--times'].includes(a));
const all = walk('test', []).sort();
const files = filters.length > 0
  ? all.filter((f) => filters.some((x) => f.includes(x)))
  : all.filter((f) => full || !isFullTier(f));
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(', ')}`);
  process.exit(1);
}
if (list) {
  console.log(files.join('\n'));
  process.exit(0);
}
if (filters.length === 0 && !full) {
  console.log(`fast tier: ${files.length} of ${all.length} test files (npm run test:full runs all of them)`);
}
const started = performance.now();
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const timesDir = times ? mkdtempSync(join(tmpdir(), 'bootscope-times-')) : null;
const timesFile = timesDir && join(timesDir, 'times.jsonl');
const preload = times ? ['--require', fileURLToPath(new URL('testTimes.cjs', import.meta.url))] : [];
// node --test runs one file fewer than the cores at once by default: one on a 2-core machine.
const concurrency = `--test-concurrency=${availableParallelism()}`;
const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', ...preload, '--test', concurrency, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: timesFile ? { ...process.env, BOOTSCOPE_TEST_TIMES: timesFile } : process.env,
});
if (timesFile) {
  const wall = (performance.now() - started) / 1000;
  let rows = [];
  try {
    rows = readFileSync(timesFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    // No test process got as far as exiting: the totals below still hold.
  }
  rmSync(timesDir, { recursive: true, force: true });
  rows.sort((a, b) => b.cpu - a.cpu);
  console.log('\n    cpu s   wall s  file');
  for (const t of rows) console.log(`${t.cpu.toFixed(1).padStart(9)}${t.wall.toFixed(1).padStart(9)}  ${relative('.', t.file)}`);
  console.log(`${cpuSeconds().toFixed(1).padStart(9)}${wall.toFixed(1).padStart(9)}  total (${rows.length} files)`);
}
process.exit(r.status ?? 1);
