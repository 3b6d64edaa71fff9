// @tier full
// The DAP fuzzer for a minute (fuzzer.ts); BOOTSCOPE_FUZZ_SEED / BOOTSCOPE_FUZZ_MS choose another run.
import { test } from 'node:test';
import { fuzz } from './fuzzer';

const seed = Number(process.env.BOOTSCOPE_FUZZ_SEED ?? 14);
const ms = Number(process.env.BOOTSCOPE_FUZZ_MS ?? 60_000);

test(`DAP fuzzing (seed ${seed}, ${ms} ms)`, async () => {
  const r = await fuzz(seed, ms);
  console.log(`${r.requests} requests, RSS ${r.rssMiB.toFixed(0)} MiB`);
});
