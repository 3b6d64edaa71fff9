// The gdb tests' fixture and gdb driver: test/gdb/fixtures/<name>.asm assembled once as ELF with DWARF
// (`nasm -f elf32 -F dwarf`, linked at 0x7C00: the symbols gdb reads) and objcopied to the flat boot
// sector the server boots, with `; #MARK` lookups; and Debian's gdb run in batch mode on a command list.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export interface GdbFixture {
  image: string;
  elf: string;
  /** Linear address of the line with `; #NAME`. */
  marker(name: string): number;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

export function assembleElf(name: string): GdbFixture {
  const src = resolve('test/gdb/fixtures', `${name}.asm`);
  const obj = join(dir, `${name}.o`), elf = join(dir, `${name}.elf`), image = join(dir, `${name}.bin`), lst = join(dir, `${name}.lst`);
  run('nasm', ['-f', 'elf32', '-F', 'dwarf', '-g', '-l', lst, '-o', obj, src]);
  run('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '-e', 'start', '-o', elf, obj]);
  run('objcopy', ['-O', 'binary', '-j', '.text', elf, image]);
  const lines = readFileSync(lst, 'utf8').split('\n');
  return {
    image, elf,
    marker(mark: string): number {
      const line = lines.find((l) => l.includes(`; #${mark}`) && /^\s*\d+\s+[0-9A-F]{8}\s/.test(l));
      if (!line) throw new Error(`marker #${mark} not found in ${name}.asm`);
      return 0x7c00 + parseInt(line.trim().split(/\s+/)[1], 16);
    },
  };
}

/** Runs `gdb -batch` with these commands (-ex each); resolves with stdout + stderr. */
export function gdbBatch(commands: string[], timeoutMs = 60_000): Promise<string> {
  const args = ['-nx', '-batch', ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((res, rej) => {
    execFile('gdb', args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && err.killed) rej(new Error(`gdb timed out:\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

/** Hex address as gdb prints it in `p $pc` (`0x7c0e`). */
export function h(n: number): string {
  return `0x${n.toString(16)}`;
}
