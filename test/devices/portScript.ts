// A tiny port-I/O script language for differential device tests: the same script runs against our
// devices (through an IoBus) and, compiled to a boot program with nasm, against QEMU + SeaBIOS; the
// bytes read must agree. A script is a list of OUT, IN (optionally masked) and wait-for-bit steps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IoBus } from '../../emulator/devices/ioBus';

export type Step =
  | { out: number; value: number }
  | { in: number; mask?: number; label: string }
  /** Poll `port` until `(in & bit) !== 0` (at most 65535 reads). */
  | { waitSet: number; bit: number };

export const out = (port: number, value: number): Step => ({ out: port, value });
export const inp = (port: number, label: string, mask = 0xff): Step => ({ in: port, label, mask });
export const waitSet = (port: number, bit: number): Step => ({ waitSet: port, bit });

/** Runs the script against our devices; returns the bytes read (unmasked). */
export function runOurs(io: IoBus, script: Step[]): number[] {
  const got: number[] = [];
  for (const s of script) {
    if ('out' in s) io.out8(s.out, s.value);
    else if ('in' in s) got.push(io.in8(s.in));
    else for (let i = 0; i < 65535 && (io.in8(s.waitSet) & s.bit) === 0; i++);
  }
  return got;
}

/** nasm source: stage 1 loads stage 2 (LBA 1–16) to 0000:7E00; stage 2 runs the script and prints. */
function program(script: Step[]): string {
  const lines: string[] = [];
  let n = 0;
  for (const s of script) {
    if ('out' in s) lines.push(`  mov dx, 0x${s.out.toString(16)}`, `  mov al, 0x${s.value.toString(16)}`, '  out dx, al');
    else if ('in' in s) lines.push(`  mov dx, 0x${s.in.toString(16)}`, '  in al, dx', '  stosb');
    else {
      n++;
      lines.push('  mov cx, 0xffff', `.w${n}:`, `  mov dx, 0x${s.waitSet.toString(16)}`, '  in al, dx', `  test al, 0x${s.bit.toString(16)}`,
        `  jnz .d${n}`, `  loop .w${n}`, `.d${n}:`);
    }
  }
  return `%include "com1.inc"
bits 16
org 0x7c00
  LOAD_STAGE2 16
  cli
  mov di, buf
${lines.join('\n')}
  mov [cnt], di
  COM1_INIT
  mov dx, 0x3fc
  mov al, 0
  out dx, al
  HEX_BYTES_EXIT buf, cnt
  COM1_ROUTINES
cnt: dw 0
buf:
`;
}

/** Assembles a probe (fixtures/*.asm, or a script's program) into `bin`, with fixtures/com1.inc on the include path. */
export function assembleProbe(asm: string, bin: string): void {
  const r = spawnSync('nasm', ['-f', 'bin', '-i', `${join(__dirname, 'fixtures')}/`, '-o', bin, asm], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nasm: ${r.stderr}`);
}

export const qemuAvailable = (): boolean =>
  ['qemu-system-i386', 'nasm'].every((t) => spawnSync('bash', ['-c', `command -v ${t}`]).status === 0);

/** Runs the script in QEMU (SeaBIOS boots it from an IDE disk); returns the bytes read. */
export function runQemu(name: string, script: Step[], extraArgs: string[] = []): number[] {
  const dir = join('test', '.out', 'probe');
  mkdirSync(dir, { recursive: true });
  const asm = join(dir, `${name}.asm`);
  const bin = join(dir, `${name}.bin`);
  writeFileSync(asm, program(script));
  assembleProbe(asm, bin);
  const img = new Uint8Array(3 << 20);
  img.set(readFileSync(bin));
  const path = join(dir, `${name}.img`);
  writeFileSync(path, img);
  const log = `${path}.serial`;
  rmSync(log, { force: true });
  spawnSync('qemu-system-i386', [
    '-nodefaults', '-display', 'none', '-m', '64', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${path},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`, ...extraArgs,
  ], { timeout: 20000 });
  const text = existsSync(log) ? readFileSync(log, 'latin1').trim() : '';
  return text.split(/\s+/).filter(Boolean).map((w) => parseInt(w, 16));
}

/** Differences between two runs, as readable lines (masked bits ignored). */
export function compareRuns(script: Step[], qemu: number[], ours: number[]): string[] {
  const reads = script.filter((s): s is Extract<Step, { in: number }> => 'in' in s);
  if (qemu.length !== reads.length) return [`QEMU printed ${qemu.length} bytes, the script reads ${reads.length}`];
  const diff: string[] = [];
  reads.forEach((s, i) => {
    const m = s.mask ?? 0xff;
    if ((qemu[i] & m) !== (ours[i] & m)) diff.push(`${s.label} (port ${s.in.toString(16)}h): QEMU ${qemu[i].toString(16)}, ours ${ours[i].toString(16)}`);
  });
  return diff;
}
