// Differential harness for the protected-mode fixtures: assembles a NASM program (into a temp
// dir), runs it under QEMU (floppy boot after SeaBIOS, debugcon on port 0xE9, isa-debug-exit on
// 0xF4) and under Bootscope bare (whole image copied to 0000:7C00, no BIOS), and returns the text
// each wrote to port 0xE9. Node-only test code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu, type CpuModel, ATTN_STOP } from '../../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../../emulator/cpu/dispatch';
import { runCpu } from '../../emulator/cpu/execute';
import { Memory } from '../../emulator/memory/bus';
import { IoBus } from '../../emulator/devices/ioBus';
import { EDX, ESP } from '../../emulator/cpu/regs';

export const FIXTURES = join(__dirname, 'fixtures');

export function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Assembles fixtures/<name>.asm with nasm into a temp directory and returns the flat binary. */
export function assemble(name: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-pm-'));
  try {
    const out = join(dir, `${name}.bin`);
    const r = spawnSync('nasm', ['-f', 'bin', '-I', `${FIXTURES}/`, '-o', out, join(FIXTURES, `${name}.asm`)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nasm failed for ${name}:\n${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the program under QEMU and returns its port 0xE9 text. */
export function runQemu(bin: Uint8Array, timeoutMs = 20000): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
  try {
    const img = join(dir, 'floppy.img');
    const out = join(dir, 'e9.txt');
    const image = new Uint8Array(1474560);
    image.set(bin.subarray(0, Math.min(bin.length, image.length)));
    writeFileSync(img, image);
    spawnSync('qemu-system-i386', [
      '-nodefaults', '-display', 'none', '-m', '16', '-drive', `file=${img},format=raw,if=floppy`, '-boot', 'a',
      '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
    ], { timeout: timeoutMs });
    return existsSync(out) ? readFileSync(out, 'latin1') : '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface EmuResult {
  text: string;
  cpu: Cpu;
  stopped: boolean;
}

/** Runs the program bare under Bootscope: 16 MiB, CS:IP = 0000:7C00, SP = 7C00, DL = 0. */
export function runBootscope(bin: Uint8Array, model: CpuModel = '80386', budget = 20_000_000): EmuResult {
  const mem = new Memory({ ramSize: 16 << 20 });
  const io = new IoBus();
  let text = '';
  let stopped = false;
  const cpu: Cpu = new Cpu(model, MODEL_TRAITS[model], mem, io);
  io.register(0xe9, 1, { in8: () => 0xe9, out8: (_p, v) => { text += String.fromCharCode(v); } });
  io.register(0xf4, 4, { in8: () => 0xff, out8: () => { stopped = true; cpu.attn |= ATTN_STOP; } });
  installModel(cpu);
  mem.poke(0x7c00, bin);
  cpu.eip = 0x7c00;
  cpu.r32[ESP] = 0x7c00;
  cpu.r32[EDX] = 0;
  let left = budget;
  while (left > 0 && !stopped && !cpu.halted) {
    const n = runCpu(cpu, Math.min(left, 1_000_000));
    left -= n;
    if (n === 0) break;
  }
  return { text, cpu, stopped };
}
