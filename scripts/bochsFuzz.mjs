// Differential fuzzing campaign against Bochs: runs N seeded programs of random protected-mode cases
// (test/pm/bochsFuzz.ts) under Bochs and Bootscope and writes each divergence as a one-case NASM
// program into the folder named by --out (assemble with nasm -f bin -I test/pm/fixtures/).
// Usage: node scripts/bochsFuzz.mjs --count N [--seed S] [--out DIR]
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const USAGE = 'usage: node scripts/bochsFuzz.mjs --count N [--seed S] [--out DIR]';
const args = { count: NaN, seed: 1, out: 'bochsfuzz-divergences' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in args) || argv[i + 1] === undefined) {
    console.error(USAGE);
    process.exit(2);
  }
  args[key] = key === 'out' ? argv[i + 1] : Number(argv[i + 1]);
}
if (!Number.isInteger(args.count) || args.count < 1 || !Number.isInteger(args.seed)) {
  console.error(USAGE);
  process.exit(2);
}
if (existsSync(args.out) && !statSync(args.out).isDirectory()) {
  console.error(`bochsFuzz: --out ${args.out} is not a directory`);
  process.exit(2);
}
// The generator is TypeScript: run again with tsx loaded, as scripts/test.mjs runs the tests.
if (!process.env.BOOTSCOPE_BOCHSFUZZ_TSX) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BOOTSCOPE_BOCHSFUZZ_TSX: '1' } });
  process.exit(r.status ?? 1);
}
const { bochsMissing } = await import('../test/pm/harness.ts');
const { fuzzProgram, CASES_PER_PROGRAM } = await import('../test/pm/bochsFuzz.ts');
const missing = bochsMissing();
if (missing) {
  console.error(`bochsFuzz: ${missing}`);
  process.exit(1);
}
let diverged = 0;
const started = Date.now();
for (let seed = args.seed; seed < args.seed + args.count; seed++) {
  let d;
  try {
    d = fuzzProgram(seed);
  } catch (e) {
    console.error(`seed ${seed}: ${e.message}`);
    diverged++;
    continue;
  }
  if ((seed - args.seed + 1) % 100 === 0) console.log(`${seed - args.seed + 1} programs, ${diverged} diverged`);
  if (!d) continue;
  diverged++;
  if (!existsSync(args.out)) mkdirSync(args.out, { recursive: true });
  const file = join(args.out, `bochsfuzz-${seed}-${d.index}.asm`);
  writeFileSync(file, d.repro);
  console.log(`seed ${seed} case ${d.index}: diverges -> ${file}\n  bochs:     ${d.bochs.replace(/\n/g, ' | ')}\n  bootscope: ${d.bootscope.replace(/\n/g, ' | ')}`);
}
const s = ((Date.now() - started) / 1000).toFixed(0);
console.log(`${args.count} programs (${args.count * CASES_PER_PROGRAM} cases), seeds ${args.seed}..${args.seed + args.count - 1}: ${diverged} diverged, ${s} s`);
process.exit(diverged === 0 ? 0 : 1);
