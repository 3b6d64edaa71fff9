// Assembles the examples with NASM into examples/build/: every examples/<dir>/<file>.asm becomes build/<file>.bin
// and build/<file>.lst (the listing the launch configurations and tests use); the file named after its directory is
// the bootable image, assembled last (so it can incbin the others) and written as build/<dir>.img.
// A directory with a linker script <dir>.ld is linked instead: its .asm files assembled as ELF with DWARF
// (nasm -f elf32 -F dwarf), its .c files compiled by gcc with -g (-m32 for a name ending in 32.c, else -m16),
// linked by ld -T <dir>.ld into build/<dir>.elf (the launch configuration's symbols) and objcopied to build/<dir>.img.
// A linked example is skipped, with a line on stderr saying why, where gcc, ld or objcopy is missing (the NASM
// examples still build). Usage: node scripts/examples.mjs [--quiet]. Exit 1 when nasm is missing or a source does
// not build.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
    if (existsSync(join(src, `${dir}.ld`))) {
      const missing = ['gcc', 'ld', 'objcopy'].filter((t) => spawnSync(t, ['--version'], { encoding: 'utf8' }).error);
      if (missing.length) {
        process.stderr.write(`examples: ${dir} skipped: ${missing.join(', ')} not found on PATH (apt-get install gcc binutils)\n`);
        continue;
      }
      linkExample(dir, src, out, quiet);
      images.push(`${dir}.img`);
      continue;
    }
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

/** gcc flags of a linked example: freestanding boot code with DWARF, no PIC, no stack protector, i386 instructions. */
const CFLAGS = ['-O0', '-g', '-ffreestanding', '-fno-pic', '-fno-pie', '-fno-stack-protector', '-fno-asynchronous-unwind-tables',
  '-march=i386', '-nostdlib', '-Wall', '-Wextra', '-Werror'];

function run(tool, args, cwd, what, quiet) {
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') throw new Error(`${tool} not found on PATH: install it (apt-get install nasm gcc binutils) to build ${what}`);
  if (r.status !== 0) throw new Error(`${tool} ${what}:\n${r.stderr}`);
  if (r.stderr && !quiet) process.stderr.write(r.stderr);
}

/**
 * Builds an example from C and NASM sources with its linker script. Tools run in the source directory with
 * relative names, so the DWARF names the sources where they are (compilation directory + name).
 */
function linkExample(dir, src, out, quiet) {
  const objs = mkdtempSync(join(out, '.obj-'));
  try {
    const inputs = [];
    for (const file of readdirSync(src).sort()) {
      const obj = join(objs, file.replace(/\.(asm|c)$/, '.o'));
      if (file.endsWith('.asm')) {
        run('nasm', ['-f', 'elf32', '-F', 'dwarf', '-g', '-w+all', '-o', obj, file], src, `${dir}/${file}`, quiet);
      } else if (file.endsWith('.c')) {
        run('gcc', [file.endsWith('32.c') ? '-m32' : '-m16', ...CFLAGS, '-c', '-o', obj, file], src, `${dir}/${file}`, quiet);
      } else continue;
      inputs.push(basename(obj));
    }
    const elf = join(out, `${dir}.elf`);
    // In the objects' directory, so the script can name an object (`mbr.o(.text)`).
    run('ld', ['-m', 'elf_i386', '-z', 'noexecstack', '--no-warn-rwx-segments', '-T', join(src, `${dir}.ld`), '-o', elf, ...inputs], objs, `${dir} (link)`, quiet);
    run('objcopy', ['-O', 'binary', elf, join(out, `${dir}.img`)], src, `${dir} (objcopy)`, quiet);
  } finally {
    rmSync(objs, { recursive: true, force: true });
  }
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
