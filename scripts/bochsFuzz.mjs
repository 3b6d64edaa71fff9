// Differential fuzzing campaign against Bochs: runs seeded programs of random protected-mode, ring 3,
// vm86, paging and task-switch cases (test/pm/bochsFuzz.ts; one Bochs launch runs a whole program)
// under Bochs and Bootscope and writes each divergence as a one-case NASM program into the folder
// named by --out (assemble with nasm -f bin -I test/pm/fixtures/). One program at a time, at the
// lowest CPU priority. --state FILE remembers the next seed after every program, so a campaign
// stopped at any point resumes where it was; --minutes bounds the run.
// Usage: node scripts/bochsFuzz.mjs (--count N | --minutes M) [--seed S] [--state FILE] [--out DIR]
import { mkdirSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { spawnSync } from 'node:child_process';

const USAGE = 'usage: node scripts/bochsFuzz.mjs (--count N | --minutes M) [--seed S] [--state FILE] [--out DIR]';
const args = { count: Infinity, minutes: Infinity, seed: 1, state: '', out: 'bochsfuzz-divergences' };
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
if (!(args.count >= 1) || !(args.minutes > 0) || !Number.isInteger(args.seed)) fail();
if (args.count !== Infinity && !Number.isInteger(args.count)) fail();
if (existsSync(args.out) && !statSync(args.out).isDirectory()) fail(`--out ${args.out} is not a directory`);
// The generator is TypeScript: run again with tsx loaded, as scripts/test.mjs runs the tests.
if (!process.env.BOOTSCOPE_BOCHSFUZZ_TSX) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BOOTSCOPE_BOCHSFUZZ_TSX: '1' } });
  process.exit(r.status ?? 1);
}
// The machine is shared: Bochs, nasm and the emulator run at the lowest priority (children inherit it).
setPriority(19);
const { bochsMissing } = await import('../test/pm/harness.ts');
const { fuzzProgram, CASES_PER_PROGRAM } = await import('../test/pm/bochsFuzz.ts');
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
  const seed = total.next;
  let d = null;
  try {
    d = fuzzProgram(seed);
  } catch (e) {
    d = { seed, index: -1, bochs: e.message, bootscope: '', repro: `; seed ${seed}: ${e.message}\n` };
  }
  ran++;
  if (d) {
    diverged++;
    if (!existsSync(args.out)) mkdirSync(args.out, { recursive: true });
    const file = join(args.out, `bochsfuzz-${seed}-${d.index}.asm`);
    writeFileSync(file, d.repro);
    console.log(`seed ${seed} case ${d.index}: diverges -> ${file}\n  bochs:     ${d.bochs.replace(/\n/g, ' | ')}\n` +
      `  bootscope: ${d.bootscope.replace(/\n/g, ' | ')}`);
  }
  total = { next: seed + 1, programs: total.programs + 1, diverged: total.diverged + (d ? 1 : 0) };
  if (args.state) writeFileSync(args.state, `${JSON.stringify(total)}\n`);
  if (ran % 10 === 0) console.log(`${ran} programs (seeds ${first}..${seed}), ${diverged} diverged, ${perMinute()} programs/min`);
}
const s = ((Date.now() - started) / 1000).toFixed(0);
console.log(`${ran} programs (${ran * CASES_PER_PROGRAM} cases), seeds ${first}..${first + ran - 1}: ${diverged} diverged, ` +
  `${s} s, ${perMinute()} programs/min` + (args.state ? `; campaign total ${total.programs} programs, ${total.diverged} diverged` : ''));
process.exit(diverged === 0 ? 0 : 1);
