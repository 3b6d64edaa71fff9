// Shared pieces of the recording tests: assembles fixtures/work.asm with nasm into a temp
// directory, boots it on a Machine with the PIC/PIT programmed as the BIOS leaves them, reads the
// label table the program stores at the end of its sector, and captures per-instruction traces.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cpu } from '../../emulator/cpu/cpu';
import { Machine } from '../../emulator/machine';

// From the repository root (tests and `npm run bench` run there; the bench is bundled into dist/).
const FIXTURES = resolve('test', 'record', 'fixtures');

export function assemble(name: string, defines: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-rec-'));
  try {
    const out = join(dir, `${name}.bin`);
    const r = spawnSync('nasm', ['-f', 'bin', ...defines, '-o', out, join(FIXTURES, `${name}.asm`)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nasm failed for ${name}:\n${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function boot(bin: Uint8Array, memoryMB = 4): Machine {
  const m = new Machine({ cpu: '80386', memoryMB });
  m.devices.programAsBios(m.io);
  m.loadBootSector(bin, 0x80);
  return m;
}

export const LABELS = ['timer', 'store_sum', 'rep_stos', 'set_pe', 'set_ds', 'sum', 'ticks', 'done'] as const;

export function labels(bin: Uint8Array): Record<(typeof LABELS)[number], number> {
  const out = {} as Record<(typeof LABELS)[number], number>;
  LABELS.forEach((l, i) => { out[l] = bin[494 + 2 * i] | (bin[495 + 2 * i] << 8); });
  return out;
}

/** Fields of one trace row: CS, EIP, the eight general registers, EFLAGS, DS, CR0. */
export const ROW = 13;

export function row(cpu: Cpu, out: Uint32Array, at: number): void {
  out[at] = cpu.sel[1];
  out[at + 1] = cpu.eip;
  for (let r = 0; r < 8; r++) out[at + 2 + r] = cpu.r32[r];
  out[at + 10] = cpu.getFlags();
  out[at + 11] = cpu.sel[3];
  out[at + 12] = cpu.cr0;
}

/** A trace indexed by instruction count (positions never reached, inside HLT, stay marked unset). */
export class Trace {
  readonly data: Uint32Array;
  readonly set: Uint8Array;
  constructor(readonly length: number) {
    this.data = new Uint32Array(length * ROW);
    this.set = new Uint8Array(length);
  }
  /** The first state seen at each count: before an interrupt delivered there (as seek(n) shows it). */
  capture(cpu: Cpu): void {
    if (cpu.icount >= this.length || this.set[cpu.icount]) return;
    row(cpu, this.data, cpu.icount * ROW);
    this.set[cpu.icount] = 1;
  }
  at(i: number): Uint32Array {
    return this.data.subarray(i * ROW, i * ROW + ROW);
  }
  pc(i: number): number {
    return this.data[i * ROW + 1];
  }
}

export function rowOf(cpu: Cpu): number[] {
  const a = new Uint32Array(ROW);
  row(cpu, a, 0);
  return [...a];
}
