// Differential fuzzing campaign against Bochs: runs seeded programs of random protected-mode, ring 3,
// vm86, paging and task-switch cases (test/pm/bochsFuzz.ts) under Bochs and Bootscope and writes each
// divergence as a one-case NASM program into the folder named by --out (assemble with nasm -f bin
// -I test/pm/fixtures/). A program is the 80 cases of one seed, its own boot image, compared whole.
// Batching: --batch K programs (20 by default, at most 30) run in one Bochs launch and one Bootscope
// run, one after another, each from the state of a bare start (test/pm/fixtures/fuzzbatch.inc); each
// program's output is compared on its own, and a program that differs runs again alone, so its
// divergence names its seed and case and its reproduction is the one-case program as before (one
// that agrees alone is written too, its header naming the batch). Bochs's start-up, not the
// programs, was most of a program's time. `--count 1 --seed S` reruns one seed. At the lowest CPU
// priority. --state FILE records the next seed after every batch, so a campaign stopped at any
// point resumes at the batch it was in; --minutes bounds the run.
// Usage: node scripts/bochsFuzz.mjs (--count N | --minutes M) [--seed S] [--batch K] [--state FILE] [--out DIR]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setPriority, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const USAGE = 'usage: node scripts/bochsFuzz.mjs (--count N | --minutes M) [--seed S] [--batch K] [--state FILE] [--out DIR]';
const args = { count: Infinity, minutes: Infinity, seed: 1, batch: 20, state: '', out: 'bochsfuzz-divergences' };
const argv = process.argv.slice(2);
const fail = (why) => {
  console.error(why ? `bochsFuzz: ${why}` : USAGE);
  process.exit(2);
};
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in args) || argv[i + 1] === undefined) fail();
  args[key] = key === 'out' || key === 'state' ? argv[i + 1] : Number(argv[i + 1]);
}
if (args.count === Infinity && args.minutes === Infinity) fail();
if (!(args.count >= 1) || !(args.minutes > 0) || !Number.isInteger(args.seed) || !(Number.isInteger(args.batch) && args.batch >= 1)) fail();
if (args.count !== Infinity && !Number.isInteger(args.count)) fail();
if (existsSync(args.out) && !statSync(args.out).isDirectory()) fail(`--out ${args.out} is not a directory`);
// The machine is shared: Bochs, nasm and the emulator run at the lowest priority (children inherit it).
setPriority(19);
// The generator and the emulator are TypeScript: bundled as scripts/build.mjs bundles the product
// (under tsx every imported constant is a getter call, which made Bootscope a third slower).
const pm = fileURLToPath(new URL('../test/pm/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'bootscope-bochsfuzz-'));
const bundle = join(tmp, 'bochsFuzz.cjs');
await build({
  stdin: { contents: "export * from './bochsFuzz'; export { bochsMissing } from './harness';", resolveDir: pm, loader: 'ts' },
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'warning',
  define: { __dirname: JSON.stringify(pm) },
});
const { bochsMissing, fuzzBatch, generateCases, unfinished, BATCH_MAX, CASES_PER_PROGRAM } = createRequire(import.meta.url)(bundle);
rmSync(tmp, { recursive: true, force: true });
if (args.batch > BATCH_MAX) fail(`--batch ${args.batch}: a batch holds at most ${BATCH_MAX} programs`);
const missing = bochsMissing();
if (missing) fail(missing);

// The state file: the next seed and the totals of earlier runs of this campaign.
let total = { next: args.seed, programs: 0, diverged: 0 };
if (args.state && existsSync(args.state)) {
  try {
    total = JSON.parse(readFileSync(args.state, 'utf8'));
  } catch (e) {
    fail(`--state ${args.state} is not a campaign state file (${e.message})`);
  }
  if (!Number.isInteger(total.next)) fail(`--state ${args.state} has no next seed`);
  console.log(`resuming at seed ${total.next} (${total.programs} programs, ${total.diverged} diverged so far)`);
}
const first = total.next;
let ran = 0, diverged = 0;
const started = Date.now();
const perMinute = () => (ran / ((Date.now() - started) / 60000)).toFixed(1);
while (ran < args.count && Date.now() - started < args.minutes * 60000) {
  const seeds = Array.from({ length: Math.min(args.batch, args.count - ran) }, (_, i) => total.next + i);
  let results;
  try {
    results = await fuzzBatch(seeds.map((seed) => ({ seed, cases: generateCases(seed, CASES_PER_PROGRAM) })));
  } catch (e) {
    results = seeds.map((seed) => unfinished(seed, e.message));
  }
  for (const d of results.filter(Boolean)) {
    diverged++;
    if (!existsSync(args.out)) mkdirSync(args.out, { recursive: true });
    const file = join(args.out, `bochsfuzz-${d.seed}-${d.index}.asm`);
    writeFileSync(file, d.repro);
    console.log(`seed ${d.seed} case ${d.index}: diverges -> ${file}\n  bochs:     ${d.bochs.replace(/\n/g, ' | ')}\n` +
      `  bootscope: ${d.bootscope.replace(/\n/g, ' | ')}`);
  }
  ran += seeds.length;
  const last = seeds[seeds.length - 1];
  total = { next: last + 1, programs: total.programs + seeds.length, diverged: total.diverged + results.filter(Boolean).length };
  if (args.state) writeFileSync(args.state, `${JSON.stringify(total)}\n`);
  if (ran % 100 < seeds.length) console.log(`${ran} programs (seeds ${first}..${last}), ${diverged} diverged, ${perMinute()} programs/min`);
}
const s = ((Date.now() - started) / 1000).toFixed(0);
console.log(`${ran} programs (${ran * CASES_PER_PROGRAM} cases), seeds ${first}..${first + ran - 1}: ${diverged} diverged, ` +
  `${s} s, ${perMinute()} programs/min` + (args.state ? `; campaign total ${total.programs} programs, ${total.diverged} diverged` : ''));
process.exit(diverged === 0 ? 0 : 1);
