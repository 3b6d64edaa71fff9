// Test helpers for the BIOS: assemble a NASM boot sector at test time (nasm is a CI dependency),
// boot it on a Machine with the built-in BIOS, run to HLT, and read what it printed to port E9h.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bios } from '../../emulator/bios/bios';
import { DiskImage } from '../../emulator/disk/diskImage';
import { Machine, type MachineOptions, type StopInfo } from '../../emulator/machine';

let dir = '';

/** Common macros for test programs: PUTC/PUTS/PUTHEX write to port E9h. Included before the source. */
export const PRELUDE = `
bits 16
org 0x7c00
%macro PUTC 1
  push ax
  mov al, %1
  out 0xe9, al
  pop ax
%endmacro
`;

/** Subroutines appended after the source: puthex16 (AX), puthex8 (AL), puts (DS:SI, 0-terminated). */
export const ROUTINES = `
puthex16:
  push ax
  mov al, ah
  call puthex8
  pop ax
  call puthex8
  ret
puthex8:
  push ax
  push cx
  mov cx, 2
.l:
  rol al, 4
  push ax
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .d
  add al, 7
.d:
  out 0xe9, al
  pop ax
  loop .l
  pop cx
  pop ax
  ret
puthex32:
  push eax
  shr eax, 16
  call puthex16
  pop eax
  call puthex16
  ret
`;

/** Assembles `source` (with PRELUDE and ROUTINES) to a flat binary; pads to 512 bytes with 55AA unless `raw`. */
export function assemble(source: string, opts: { raw?: boolean; size?: number } = {}): Uint8Array {
  if (!dir) dir = mkdtempSync(join(tmpdir(), 'bootscope-bios-'));
  const name = `t${Math.random().toString(36).slice(2)}`;
  const size = opts.size ?? 512;
  const tail = opts.raw ? '' : `\ntimes ${size - 2}-($-$$) db 0\ndw 0xaa55\n`;
  writeFileSync(join(dir, `${name}.asm`), PRELUDE + source + '\n' + ROUTINES + tail);
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, `${name}.bin`), join(dir, `${name}.asm`)]);
  return new Uint8Array(readFileSync(join(dir, `${name}.bin`)));
}

export interface BootResult {
  m: Machine;
  bios: Bios;
  stop: StopInfo;
  out: string;
}

/** Boots `image` (a hard disk unless `floppy`) with the built-in BIOS and runs it to a stop. */
export function bootImage(image: Uint8Array, opts: Omit<MachineOptions, 'floppy' | 'hardDisks'> & { asFloppy?: boolean; max?: number; extraDisk?: Uint8Array } = {}): BootResult {
  const disk = new DiskImage(image, { kind: opts.asFloppy ? 'floppy' : 'hard', name: 'test' });
  const m = new Machine({
    cpu: opts.cpu, fpu: opts.fpu, memoryMB: opts.memoryMB, keys: opts.keys, icountShift: opts.icountShift,
    floppy: opts.asFloppy ? disk : null,
    hardDisks: opts.asFloppy ? (opts.extraDisk ? [new DiskImage(opts.extraDisk)] : []) : [disk],
  });
  const bios = new Bios();
  bios.install(m);
  bios.boot();
  const stop = m.run({ maxInstructions: opts.max ?? 5_000_000 });
  return { m, bios, stop, out: m.devices.output().debugText };
}

/** Assembles and boots `source`; see bootImage. */
export function runProgram(source: string, opts: Parameters<typeof bootImage>[1] = {}): BootResult {
  return bootImage(assemble(source), opts);
}
