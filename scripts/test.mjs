// Runs the test files (test/**/*.test.ts) with node's test runner; TypeScript is loaded through tsx.
// Tiers: a file whose first line is exactly `// @tier full` belongs to the full tier (slow, or needs
// QEMU/Bochs/VS Code); without arguments only the fast tier runs, `--full` runs both.
// Other arguments narrow the run to files whose path contains one of them, from both tiers: a file
// named on purpose runs. `--list` prints the chosen files instead of running them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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

const args = process.argv.slice(2);
const full = args.includes('--full');
const list = args.includes('--list');
const filters = args.filter((a) => a !== '--full' && a !== '--list');
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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
