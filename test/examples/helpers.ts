// Shared by the example tests: assembles examples/ once (scripts/examples.mjs, needs nasm), runs the built CLI
// (dist/, which scripts/test.mjs builds from the sources first), finds `; #MARKER` instructions in the NASM listings.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain ES module without types
import { buildExamples, BUILD_DIR, EXAMPLES_DIR, findMarker as findInListing, haveNasm } from '../../scripts/examples.mjs';
export { EXAMPLES_DIR };

export const nasm: boolean = haveNasm();
export const NO_NASM = !nasm && 'nasm not installed (scripts/examples.mjs needs it)';
let built = false;

function buildOnce(): void {
  if (built) return;
  buildExamples({ quiet: true });
  built = true;
}

export function image(name: string): string {
  buildOnce();
  const file = join(BUILD_DIR, `${name}.img`);
  // A linked example (c-loader) is skipped when gcc or binutils are missing: say so, not 'no such file'.
  if (!existsSync(file)) throw new Error(`examples/build/${name}.img was not built: scripts/examples.mjs said why on stderr (gcc and binutils missing?)`);
  return file;
}

export const dumpPath = (name: string): string => join(EXAMPLES_DIR, 'dumps', name);

export interface Marker { line: number; offset: number; address: number; length: number; source: string }

/** The instruction tagged `; #marker` in build/<listing>.lst, at `org` + its offset. */
export function marker(listing: string, name: string, org = 0x7c00): Marker {
  buildOnce();
  return findInListing(readFileSync(join(BUILD_DIR, `${listing}.lst`), 'utf8'), name, org) as Marker;
}

export const segoff = (seg: number, off: number): string => `${seg.toString(16).padStart(4, '0')}:${off.toString(16).padStart(4, '0')}`;

export function cli(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `bootscope run ... --json`, parsed; fails the test with stderr when the run is not exit 0. */
export function runJson(args: string[]): any {
  const r = cli(['run', ...args, '--json']);
  if (r.code !== 0) throw new Error(`bootscope run ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out);
}
