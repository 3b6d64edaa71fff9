// bench.asm, the benchmark boot sector (written for this project; its header derives the loop count),
// as `npm run bench`, the recording benchmark and the JIT test build it. Paths are from the repository root.
import { resolve } from 'node:path';

export const BENCH_ASM = resolve('test', 'bench', 'bench.asm');
