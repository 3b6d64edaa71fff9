// Assembles the examples with NASM into examples/build/: every examples/<dir>/<file>.asm becomes build/<file>.bin
// and build/<file>.lst (the listing the launch configurations and tests use); the file named after its directory is
// the bootable image, assembled last (so it can incbin the others) and written as build/<dir>.img.
// Usage: node scripts/examples.mjs [--quiet]. Exit 1 when nasm is missing or a source does not assemble.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
export const BUILD_DIR = join(EXAMPLES_DIR, 'build');

export function haveNasm() {
  return spawnSync('nasm', ['-v'], { encoding: 'utf8' }).status === 0;
}

/**
 * Assembles every example; returns the list of images written. Throws with NASM's message on failure. Output is
 * assembled in a private directory and renamed into build/ file by file, so test files that build concurrently
 * never read a half-written image.
 */
export function buildExamples({ quiet = false } = {}) {
  if (!haveNasm()) throw new Error('nasm not found on PATH: install it (apt-get install nasm, brew install nasm) to assemble the examples');
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = mkdtempSync(join(BUILD_DIR, '.tmp-'));
  try {
    const images = assembleAll(tmp, quiet);
    for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(BUILD_DIR, f));
    return images.map((f) => join(BUILD_DIR, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function assembleAll(out, quiet) {
  const images = [];
  for (const dir of readdirSync(EXAMPLES_DIR).sort()) {
    const src = join(EXAMPLES_DIR, dir);
    if (dir === 'build' || dir === 'dumps' || dir.startsWith('.') || !statSync(src).isDirectory()) continue;
    const sources = readdirSync(src).filter((f) => f.endsWith('.asm') && !f.startsWith('_'));
    const main = `${dir}.asm`;
    if (!sources.includes(main)) continue;
    for (const file of [...sources.filter((f) => f !== main).sort(), main]) {
      const stem = file.slice(0, -4);
      const bin = join(out, `${stem}.bin`);
      const r = spawnSync('nasm', ['-f', 'bin', '-w+all', '-i', `${src}/`, '-i', `${out}/`,
        '-l', join(out, `${stem}.lst`), '-o', bin, join(src, file)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nasm ${dir}/${file}:\n${r.stderr}`);
      if (r.stderr && !quiet) process.stderr.write(r.stderr);
      if (file === main) {
        renameSync(bin, join(out, `${dir}.img`));
        images.push(`${dir}.img`);
      }
    }
  }
  return images;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quiet = process.argv.includes('--quiet');
  try {
    const images = buildExamples({ quiet });
    if (!quiet) for (const i of images) console.log(`examples: ${i}`);
  } catch (e) {
    console.error(`examples: ${e.message}`);
    process.exit(1);
  }
}

/**
 * Finds the instruction on the listing line tagged `; #MARKER` (the tag followed by a space or the line's end):
 * returns its offset in the assembled file, its bytes and the source text. Header comments carry no address and
 * never match. `org` is added to the offset (0x7C00 for a boot sector, 0x600 for a relocated one).
 */
export function findMarker(listingText, marker, org = 0) {
  const tag = new RegExp(`;.*#${marker}(\\s|$)`);
  for (const line of listingText.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-F]{8})\s+([0-9A-F[\]()]+)\s+(.*)$/.exec(line);
    if (!m || !tag.test(m[4])) continue;
    const bytes = m[3].replace(/[[\]()]/g, '');
    return { line: Number(m[1]), offset: parseInt(m[2], 16), address: org + parseInt(m[2], 16), length: bytes.length / 2, source: m[4].trim() };
  }
  throw new Error(`listing has no instruction tagged #${marker}`);
}
