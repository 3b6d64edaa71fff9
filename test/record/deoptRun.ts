// The child process of deopt.test.ts (run bundled, under `node --trace-deopt`): the recording
// benchmark's runs — each layout of bench.asm on a new machine with recording on, as
// dist/recordBench.js makes them — for REPS repetitions of N instructions each, with a marker line
// after every million instructions so the parent can place each deoptimization V8 reports. The
// snapshot interval is INTERVAL instructions instead of adaptive: where an interval begins decides
// which store of a loop meets its page's first write, so many intervals give every store its turn.
import { Machine } from '../../emulator/machine';
import { Recorder } from '../../emulator/record/recorder';
import { assembleBench, BENCH_LAYOUTS } from '../bench/benchAsm';
import { tuneV8 } from '../../host/v8Flags';

tuneV8();
const REPS = Number(process.env.REPS), N = Number(process.env.N), INTERVAL = Number(process.env.INTERVAL);
const SLICE = 1_000_000;
const images = BENCH_LAYOUTS.map((l) => ({ name: l.name, bin: assembleBench(l.defines) }));
for (let rep = 1; rep <= REPS; rep++) {
  for (const { name, bin } of images) {
    const m = new Machine({ cpu: '80386', memoryMB: 16 });
    m.loadBootSector(bin, 0);
    const rec = new Recorder(m, { interval: INTERVAL }).attach();
    console.log(`@@run ${rep} ${name}`);
    while (m.cpu.icount < N && !m.cpu.halted) {
      rec.run({ maxInstructions: SLICE });
      console.log(`@@at ${m.cpu.icount}`);
    }
  }
}
