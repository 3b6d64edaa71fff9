// Differential harness for the protected-mode fixtures: assembles a NASM program (into a temp
// dir), runs it under QEMU (floppy boot after SeaBIOS, debugcon on port 0xE9, isa-debug-exit on
// 0xF4), under Bochs (port E9 hack, shutdown port 0x8900) and under Bootscope bare (whole image
// copied to 0000:7C00, no BIOS), and returns the text each wrote to port 0xE9. Node-only test code.
import { X87 } from '../../emulator/cpu/fpu/x87';
import { installFpu } from '../../emulator/cpu/exec/x87';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu, type CpuModel, ATTN_STOP } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { runCpu } from '../../emulator/cpu/execute';
import { Memory } from '../../emulator/memory/bus';
import { IoBus } from '../../emulator/devices/ioBus';
import { EDX, ESP } from '../../emulator/cpu/regs';
import { defaultFpu } from '../../protocol/launchConfig';

export const FIXTURES = join(__dirname, 'fixtures');

export function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Assembles fixtures/<name>.asm with nasm into a temp directory and returns the flat binary. */
export function assemble(name: string): Uint8Array {
  return assembleSource(readFileSync(join(FIXTURES, `${name}.asm`), 'utf8'), name);
}

/** Assembles NASM source (its includes found in fixtures/) into a temp directory. */
export function assembleSource(source: string, name: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-pm-'));
  try {
    const src = join(dir, `${name}.asm`);
    const out = join(dir, `${name}.bin`);
    writeFileSync(src, source);
    const r = spawnSync('nasm', ['-f', 'bin', '-I', `${FIXTURES}/`, '-o', out, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nasm failed for ${name}:\n${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the program under QEMU (its default CPU, or `-cpu cpu`) and returns its port 0xE9 text. */
export function runQemu(bin: Uint8Array, timeoutMs = 20000, cpu?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
  try {
    const img = floppy(dir, bin);
    const out = join(dir, 'e9.txt');
    spawnSync('qemu-system-i386', [
      '-nodefaults', '-display', 'none', '-m', '16', '-drive', `file=${img},format=raw,if=floppy`, '-boot', 'a',
      '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', ...(cpu ? ['-cpu', cpu] : []),
    ], { timeout: timeoutMs });
    return existsSync(out) ? readFileSync(out, 'latin1') : '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function floppy(dir: string, bin: Uint8Array): string {
  const img = join(dir, 'floppy.img');
  const image = new Uint8Array(1474560);
  image.set(bin.subarray(0, Math.min(bin.length, image.length)));
  writeFileSync(img, image);
  return img;
}

export const BOCHS_BIOS = '/usr/share/bochs/BIOS-bochs-latest';
export const BOCHS_VGA = '/usr/share/bochs/VGABIOS-lgpl-latest';

/** Why Bochs cannot run here (null when it can): the binary, its BIOS or its VGA BIOS is missing. */
export function bochsMissing(): string | null {
  if (!haveTool('bochs')) return 'bochs is not installed (apt-get install bochs bochsbios vgabios)';
  if (!existsSync(BOCHS_BIOS)) return `${BOCHS_BIOS} is missing (apt-get install bochsbios)`;
  // Debian's bochs ships this as a link into vgabios, a package it only recommends.
  if (!existsSync(BOCHS_VGA)) return `${BOCHS_VGA} is missing (apt-get install vgabios)`;
  return null;
}

/**
 * A 64 KiB system ROM for bare Bochs runs: its reset vector sets what runBootscope sets (EDX = 0,
 * SP = 7C00h) and jumps to 0000:7C00, where `optramimage1` has placed the program; HLT elsewhere.
 */
function bareRom(): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xf4);
  // xor edx, edx; mov sp, 0x7c00; jmp 0x0000:0x7c00
  rom.set([0x66, 0x31, 0xd2, 0xbc, 0x00, 0x7c, 0xea, 0x00, 0x7c, 0x00, 0x00], 0xfff0);
  return rom;
}

/** Bytes in RAM at a physical address when the run starts (a batch's program store). */
export interface RamImage {
  address: number;
  bytes: Uint8Array;
}

export interface BochsOptions {
  timeoutMs?: number;
  /** Bochs's `cpu: model=` (its default CPU without it). */
  cpuModel?: string;
  /**
   * Start as runBootscope does, the image at 0000:7C00 and no BIOS, with these images in RAM too
   * (at most three); without it the Bochs BIOS boots the image from a floppy. The BIOS's POST was
   * two thirds of a Bochs fuzzing program's instructions.
   */
  bare?: RamImage[];
  /** The text runs to the `ends`th "END" line (a batch prints one per program); 1 by default. */
  ends?: number;
}

/** How a Bochs process ended, its stdout read from the file it wrote. */
interface BochsExit {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: string | null;
  error?: Error;
}

/** Attempt `attempt`'s timeout: doubled after a run its timeout killed. */
const timeoutAt = (timeoutMs: number, attempt: number): number => timeoutMs * 2 ** attempt;

/** A Bochs run's directory, arguments and the file its stdout goes to, and how its text is read. */
interface BochsRun {
  dir: string;
  args: string[];
  stdout: string;
  timeoutMs: number;
  /** The port E9h text, or null when Bochs should run again (`attempt` counts from 0). */
  text(exit: BochsExit, attempt: number): string | null;
}

function prepareBochs(bin: Uint8Array, { timeoutMs = 30000, cpuModel, bare, ends = 1 }: BochsOptions): BochsRun {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-bochs-'));
  let boot: string[];
  if (bare) {
    if (bare.length > 3) throw new Error('Bochs loads at most four RAM images: the program and three more');
    writeFileSync(join(dir, 'rom.bin'), bareRom());
    boot = [`romimage: file=${join(dir, 'rom.bin')}, address=0xffff0000`];
    [{ address: 0x7c00, bytes: bin }, ...bare].forEach((image, i) => {
      writeFileSync(join(dir, `ram${i}.bin`), image.bytes);
      boot.push(`optramimage${i + 1}: file=${join(dir, `ram${i}.bin`)}, address=0x${image.address.toString(16)}`);
    });
  } else {
    boot = [`romimage: file=${BOCHS_BIOS}`, `floppya: 1_44=${floppy(dir, bin)}, status=inserted`, 'boot: floppy'];
  }
  writeFileSync(join(dir, 'bochsrc'), [
    'megs: 16', ...boot, `vgaromimage: file=${BOCHS_VGA}`, 'display_library: rfb, options="timeout=0"',
    'clock: sync=none, time0=local', `cpu: count=1, ips=2000000${cpuModel ? `, model=${cpuModel}` : ''}`, 'port_e9_hack: enabled=1',
    `log: ${join(dir, 'bochs.log')}`, 'panic: action=fatal', 'error: action=report', 'info: action=ignore',
    'debug: action=ignore', 'speaker: enabled=0',
    // With sync=none the BIOS's timed waits last ips-proportional instruction counts: a low
    // rate boots about three times faster and the guests here use no timer.
    // Without dummy sound drivers Bochs 2.7 probes ALSA and, where it finds none, aborts with
    // "buffer overflow detected" before reading the rest of the configuration.
    'sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy', '',
  ].join('\n'));
  writeFileSync(join(dir, 'debug.rc'), 'c\nquit\n');
  const text = (r: BochsExit, attempt: number): string | null => {
    // Debian's Bochs has no display-less GUI; its RFB server listens on the first free port of
    // 5900-5949 and Bochs exits when none is free for the moment (seen once in 3,300 campaign programs
    // with many Bochs and QEMU instances running): a busy machine, not the guest, so try again.
    if (attempt < 3 && /RFB could not bind/.test(`${r.stdout}${r.stderr}`)) return null;
    const out = r.stdout;
    const start = out.search(/^\(0\) \[0x0+fffffff0\].*\n/m);
    if (start < 0) {
      const why = r.error ? r.error.message : r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`bochs did not start the guest (exit ${r.status ?? r.signal}): ${why}`);
    }
    let e9 = out.slice(out.indexOf('\n', start) + 1);
    let found = 0;
    for (let end = -1; found < ends; found++) {
      end = e9.indexOf('END\n', end + 1);
      if (end < 0) break;
      if (found === ends - 1) e9 = e9.slice(0, end + 4);
    }
    // Killed by its timeout before the last END: the machine was too busy (a guest that loops
    // stays unfinished too), not a text to compare. Again with twice the time, once; then an error.
    if (found < ends && (r.signal !== null || r.error !== undefined)) {
      if (attempt < 1) return null;
      throw new Error(`bochs did not finish in ${timeoutAt(timeoutMs, attempt) / 1000} s (${r.error?.message ?? r.signal}) after ${found} of ${ends} END lines; its text ends: ${JSON.stringify(e9.slice(-200))}`);
    }
    return e9;
  };
  // Bochs writes each port E9h byte on its own: into a file, not a pipe that wakes this process for each.
  return { dir, args: ['-q', '-f', join(dir, 'bochsrc'), '-rc', join(dir, 'debug.rc')], stdout: join(dir, 'stdout'), timeoutMs, text };
}

/**
 * Runs the program under Bochs (Debian's build has the internal debugger: `-rc` continues and
 * quits) and returns its port 0xE9 text up to and including "END\n". The debugger prints its
 * first prompt line before the guest starts; the E9 text follows it.
 */
export function runBochs(bin: Uint8Array, options: BochsOptions = {}): string {
  const run = prepareBochs(bin, options);
  try {
    for (let attempt = 0; ; attempt++) {
      const fd = openSync(run.stdout, 'w');
      let r;
      try {
        r = spawnSync('bochs', run.args, { timeout: timeoutAt(run.timeoutMs, attempt), encoding: 'latin1', stdio: ['ignore', fd, 'pipe'] });
      } finally {
        closeSync(fd);
      }
      const text = run.text({ ...r, stderr: r.stderr ?? '', stdout: readFileSync(run.stdout, 'latin1') }, attempt);
      if (text !== null) return text;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

/**
 * runBochs in the background: Bochs starts before this returns, so the caller can run Bootscope
 * meanwhile (the machine has two cores).
 */
export async function runBochsAsync(bin: Uint8Array, options: BochsOptions = {}): Promise<string> {
  const run = prepareBochs(bin, options);
  try {
    for (let attempt = 0; ; attempt++) {
      const fd = openSync(run.stdout, 'w');
      const r = await new Promise<Omit<BochsExit, 'stdout'>>((resolve) => {
        const child = spawn('bochs', run.args, { timeout: timeoutAt(run.timeoutMs, attempt), stdio: ['ignore', fd, 'pipe'] });
        let stderr = '';
        child.stderr?.setEncoding('latin1').on('data', (chunk: string) => { stderr += chunk; });
        child.on('error', (error) => resolve({ stderr, status: null, signal: null, error }));
        child.on('close', (status, signal) => resolve({ stderr, status, signal }));
      }).finally(() => closeSync(fd));
      const text = run.text({ ...r, stdout: readFileSync(run.stdout, 'latin1') }, attempt);
      if (text !== null) return text;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

export interface EmuResult {
  text: string;
  cpu: Cpu;
  stopped: boolean;
}

/**
 * Runs the program bare under Bootscope: 16 MiB, CS:IP = 0000:7C00, SP = 7C00, DL = 0; by default the
 * model's FPU; `images` are in RAM too (as runBochs's `bare` ones).
 */
export function runBootscope(bin: Uint8Array, model: CpuModel = '80386', budget = 20_000_000, fpu = defaultFpu(model) !== 'none',
  images: RamImage[] = []): EmuResult {
  const mem = new Memory({ ramSize: 16 << 20 });
  const io = new IoBus();
  let text = '';
  let stopped = false;
  const cpu: Cpu = new Cpu(model, MODEL_TRAITS[model], mem, io);
  io.register(0xe9, 1, { in8: () => 0xe9, out8: (_p, v) => { text += String.fromCharCode(v); } });
  io.register(0xf4, 4, { in8: () => 0xff, out8: () => { stopped = true; cpu.attn |= ATTN_STOP; } });
  installModel(cpu);
  if (fpu) {
    cpu.fpu = new X87();
    cpu.fpu.fninit();
    installFpu(cpu);
  }
  mem.poke(0x7c00, bin);
  for (const image of images) mem.poke(image.address, image.bytes);
  cpu.eip = 0x7c00;
  cpu.r32[ESP] = 0x7c00;
  cpu.r32[EDX] = 0;
  // runCpu stops at the budget, a HLT or the exit port's ATTN_STOP.
  runCpu(cpu, budget);
  return { text, cpu, stopped };
}
