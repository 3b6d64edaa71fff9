// V8 settings for Bootscope's own processes (the CLI, the debug adapter run as dist/debugAdapter.js,
// the benchmark), never for a process we are loaded into (VS Code's extension host).
import { setFlagsFromString } from 'node:v8';

/**
 * Turns off on-stack replacement. A compiled block with a loop in it (emulator/cpu/jit) sometimes
 * went on running its code before the loop in V8's interpreter on every call, with optimized code
 * only from the loop on: a recording run of bench.asm's rms, pms or f32 layout took 6-8 s instead
 * of 1.0-1.4 s for 162M instructions in about one run of six (9 of 70, 2026-12-07), the 20-30 MIPS
 * cells of issue 22. Without OSR a function is optimized for its next call instead: none of 46 runs
 * fell off, and the fast runs kept their time. Set at start, before any block runs.
 */
export function tuneV8(): void {
  setFlagsFromString('--no-use-osr');
}
