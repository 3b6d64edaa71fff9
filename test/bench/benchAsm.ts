// bench.asm, the benchmark boot sector (written for this project; its header derives the loop count),
// and the layouts `npm run bench`, the recording benchmark and the JIT test build from it. Paths are
// from the repository root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BENCH_ASM = resolve('test', 'bench', 'bench.asm');

/** Loop instructions of the default build, as bench.asm derives them (a REP instruction counts once). */
export const LOOP_INSTRUCTIONS = 330_000_450;

export interface BenchLayout {
  name: string;
  defines: string[];
  what: string;
}

export const BENCH_LAYOUTS: readonly BenchLayout[] = [
  { name: 'rm', defines: [], what: 'real mode, MBR layout' },
  { name: 'pm', defines: ['-DPM'], what: '16-bit PM, MBR layout' },
  { name: 'rms', defines: ['-DSEPDATA'], what: 'real mode, separate data' },
  { name: 'pms', defines: ['-DPM', '-DSEPDATA'], what: '16-bit PM, separate data' },
  { name: 'pg', defines: ['-DPM', '-DPAGING'], what: '16-bit PM + paging, MBR layout' },
  { name: 'pgs', defines: ['-DPM', '-DPAGING', '-DSEPDATA'], what: '16-bit PM + paging, separate data' },
  { name: 'f32', defines: ['-DPM32'], what: '32-bit flat PM, MBR layout' },
  { name: 'f32s', defines: ['-DPM32', '-DSEPDATA'], what: '32-bit flat PM, separate data' },
];

/** Assembles bench.asm with `defines` (extra NASM -D options) and returns the 512-byte sector. */
export function assembleBench(defines: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bench-'));
  try {
    execFileSync('nasm', ['-f', 'bin', ...defines, BENCH_ASM, '-o', join(dir, 'b.bin')]);
    return new Uint8Array(readFileSync(join(dir, 'b.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
