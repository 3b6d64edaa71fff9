// Recording benchmark (not a test; `npm run bench` bundles it like the product and runs dist/recordBench.js). Prints the recording
// overhead on bench.asm's images (plain run vs runRecorded), then on a 10M-instruction recording of
// fixtures/work.asm (timer IRQs, PM round trips): stepBack latency (p50/p90), seek, reverseContinue
// to a data breakpoint whose last hit is ~10M instructions back, and lastChange.

import { readFileSync } from 'node:fs';
import { Bios } from '../../emulator/bios/bios';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine } from '../../emulator/machine';
import { missingTools, syslinuxImage } from '../boot/images';
import { runRecorded } from '../../emulator/record/bench';
import { cpuMilliseconds } from '../../host/cpuTime';
import { tuneV8 } from '../../host/v8Flags';
import { assemble, boot, labels } from './harness';
import { assembleBench, BENCH_LAYOUTS } from '../bench/benchAsm';

const N = Number(process.env.BENCH_N ?? 60_000_000);

/** CPU seconds (user + system) of `f`: a loaded shared machine distorts wall time. */
function cpuSeconds<T>(f: () => T): [number, T] {
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e6, r];
}

function timePlain(bin: Uint8Array): number {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(bin, 0);
  return cpuSeconds(() => m.run({ maxInstructions: N }))[0];
}

function pct(a: number[], p: number): number {
  const s = a.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

function main(): void {
  console.log(`recording overhead, ${(N / 1e6).toFixed(0)}M instructions per run (best of 3, CPU seconds)`);
  for (const { name, defines } of BENCH_LAYOUTS) {
    const bin = assembleBench(defines);
    let plain = Infinity, rec = Infinity, snaps = 0, bytes = 0;
    for (let i = 0; i < 3; i++) {
      plain = Math.min(plain, timePlain(bin));
      const m = new Machine({ cpu: '80386', memoryMB: 16 });
      m.loadBootSector(bin, 0);
      const [secs, r] = cpuSeconds(() => runRecorded(m, { maxInstructions: N, clock: cpuMilliseconds }));
      rec = Math.min(rec, secs);
      snaps = r.snapshots;
      bytes = r.bytesUsed;
    }
    console.log(`  ${name.padEnd(4)} plain ${(N / plain / 1e6).toFixed(1)} MIPS, recording ${(N / rec / 1e6).toFixed(1)} MIPS, overhead ×${(rec / plain).toFixed(3)}, ${snaps} snapshots, ${(bytes / 1048576).toFixed(1)} MiB`);
  }

  if (!missingTools('syslinux')) {
    // The measure: a 100-million-instruction recording of the syslinux image (memtest86+ running by then).
    const SN = Number(process.env.BENCH_SYSLINUX_N ?? 100_000_000);
    const img = new Uint8Array(readFileSync(syslinuxImage()));
    const boot = () => {
      const m = new Machine({ cpu: '80386', memoryMB: 64, hardDisks: [new DiskImage(img, { kind: 'hard', name: 'syslinux' })] });
      const bios = new Bios();
      bios.install(m);
      bios.boot();
      return { m, bios };
    };
    // Alternating, best of two each: the first run of either also warms the JIT up for the other.
    let plain = Infinity, recSecs = Infinity;
    let plainRun: { m: Machine; reason: string } | null = null;
    let r: ReturnType<typeof runRecorded> | null = null;
    for (let i = 0; i < 2; i++) {
      const a = boot();
      const [p, stop] = cpuSeconds(() => a.m.run({ maxInstructions: SN }));
      plain = Math.min(plain, p);
      plainRun = { m: a.m, reason: stop.reason };
      const b = boot();
      const [q, rr] = cpuSeconds(() => runRecorded(b.m, { maxInstructions: SN, extraState: [b.bios], clock: cpuMilliseconds }));
      if (q < recSecs) [recSecs, r] = [q, rr];
    }
    if (!plainRun || !r) throw new Error('no syslinux run');
    console.log(`syslinux: ${plainRun.m.cpu.icount.toLocaleString('en')} instructions (${plainRun.reason}), plain ${plain.toFixed(2)} CPU s, recording ${recSecs.toFixed(2)} CPU s (×${(recSecs / plain).toFixed(2)}), ${r.snapshots} snapshots, ${(r.bytesUsed / 1048576).toFixed(1)} MiB held for ${(r.icount / 1e6).toFixed(0)}M instructions`);
    const st = r.recorder.stats();
    console.log(`  of which CPU/device state ${(st.stateBytes / 1048576).toFixed(1)} MiB, ${st.pages} page copies ${(st.pageBytes / 1048576).toFixed(1)} MiB; interval now ${r.recorder.interval}`);
    const lat: number[] = [];
    for (let i = 0; i < 50; i++) { const t = performance.now(); r.recorder.stepBack(); lat.push(performance.now() - t); }
    console.log(`syslinux stepBack ×50: p50 ${pct(lat, 0.5).toFixed(2)} ms, p90 ${pct(lat, 0.9).toFixed(2)} ms`);
  }

  const bin = assemble('work', ['-DITER=10000']);
  const L = labels(bin);
  const m = boot(bin, 16);
  const r = runRecorded(m, { maxInstructions: 20_000_000, clock: cpuMilliseconds });
  const rec = r.recorder;
  const end = rec.icount;
  console.log(`\nwork.asm: ${end.toLocaleString('en')} instructions recorded in ${r.seconds.toFixed(2)} s, ${r.snapshots} snapshots, ${(r.bytesUsed / 1048576).toFixed(1)} MiB (${r.stop.reason})`);
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    rec.stepBack();
    lat.push(performance.now() - t0);
  }
  console.log(`stepBack from the end, 200 times: p50 ${pct(lat, 0.5).toFixed(2)} ms, p90 ${pct(lat, 0.9).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms`);
  const lat2: number[] = [];
  for (let i = 0; i < 50; i++) {
    rec.seek(Math.floor(end * ((i * 0.618) % 1)));
    const t0 = performance.now();
    rec.stepBack();
    lat2.push(performance.now() - t0);
  }
  console.log(`stepBack at 50 spread positions: p50 ${pct(lat2, 0.5).toFixed(2)} ms, p90 ${pct(lat2, 0.9).toFixed(2)} ms`);
  rec.seek(end);
  let t0 = performance.now();
  rec.seek(end / 2);
  console.log(`seek from the end to the middle: ${(performance.now() - t0).toFixed(1)} ms`);
  rec.seek(end);
  t0 = performance.now();
  const hit = rec.reverseContinue({ data: [{ address: 8 * 4, length: 4, access: 'write' }] });
  console.log(`reverseContinue to a data write ${(end - hit.icount).toLocaleString('en')} instructions back (${hit.reason} at ${hit.icount}): ${(performance.now() - t0).toFixed(0)} ms`);
  rec.seek(end);
  t0 = performance.now();
  const worst = rec.reverseContinue({ data: [{ address: 0x7f00, length: 2, access: 'write' }] });
  console.log(`reverseContinue to a data write on a page written in every interval, never hit (${worst.reason}): replays all ${end.toLocaleString('en')} instructions in ${(performance.now() - t0).toFixed(0)} ms`);
  rec.seek(end);
  t0 = performance.now();
  const code = rec.reverseContinue({ code: [L.set_pe] });
  console.log(`reverseContinue to a code breakpoint ${(end - code.icount).toLocaleString('en')} back: ${(performance.now() - t0).toFixed(0)} ms`);
  rec.seek(end);
  t0 = performance.now();
  const ch = rec.lastChange('cr0.pe');
  console.log(`lastChange(cr0.pe) ${(end - (ch?.after ?? 0)).toLocaleString('en')} back: ${(performance.now() - t0).toFixed(0)} ms`);
  t0 = performance.now();
  const ss = rec.lastChange('ss');
  console.log(`lastChange(ss) (${ss ? ss.after : 'never'}; scans the whole recording): ${(performance.now() - t0).toFixed(0)} ms`);
}

tuneV8();
main();
