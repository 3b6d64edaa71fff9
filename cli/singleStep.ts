// Runs SingleStepTests vectors (github.com/SingleStepTests, format in the suites' README) against
// the emulator's CPU: load the initial registers and RAM, execute one instruction (the 80286 suite
// also executes the trailing HLT), compare with the final state under the metadata's flag masks.

import { gunzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Cpu, type CpuModel } from '../emulator/cpu/cpu';
import { MODEL_TRAITS, installModel } from '../emulator/cpu/dispatch';
import { stepSlow } from '../emulator/cpu/execute';
import { CS, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, SS } from '../emulator/cpu/regs';
import { IoBus } from '../emulator/devices/ioBus';
import { Memory } from '../emulator/memory/bus';
import { InputError } from './args';
import { readInputFile } from '../host/files';
import { hex } from '../protocol/format';

interface VectorState {
  regs: Record<string, number>;
  ram: [number, number][];
}
export interface Vector {
  name: string;
  bytes: number[];
  initial: VectorState;
  final: VectorState;
  exception?: { number: number; flag_address: number };
  idx?: number;
}

interface OpcodeMeta {
  status?: string;
  'flags-mask'?: number;
  reg?: Record<string, OpcodeMeta>;
}
export interface Metadata {
  opcodes: Record<string, OpcodeMeta>;
}

export interface VectorFailure {
  idx: number;
  name: string;
  diff: string;
}

export interface FileResult {
  file: string;
  passed: number;
  failed: number;
  failures: VectorFailure[];
  /** Failures that an exceptions list excused. */
  excused: number;
}

const REG16: [string, number][] = [['ax', EAX], ['bx', EBX], ['cx', ECX], ['dx', EDX], ['sp', ESP], ['bp', EBP], ['si', ESI], ['di', EDI]];
const SEGS: [string, number][] = [['cs', CS], ['ss', SS], ['ds', DS], ['es', ES]];

/** One reusable machine per model: vectors only touch the RAM they list, which is restored after each. */
export class VectorRunner {
  readonly cpu: Cpu;
  readonly mem: Memory;
  private readonly model: CpuModel;

  constructor(model: CpuModel) {
    this.model = model;
    const traits = MODEL_TRAITS[model];
    // 8086: 1 MiB, addresses wrap at 1 MiB. 80286 suite: 16 MiB and no wrap (README).
    const ramSize = model === '8086' ? 0x100000 : 0x1000000;
    this.mem = new Memory({ ramSize });
    this.mem.a20Mask = traits.addressMask & (ramSize - 1);
    this.cpu = new Cpu(model, traits, this.mem, new IoBus());
    installModel(this.cpu);
  }

  run(v: Vector, flagsMask: number): string | null {
    const { cpu, mem } = this;
    cpu.reset();
    installModel(cpu);
    const r = v.initial.regs;
    for (const [name, idx] of REG16) cpu.r16[idx * 2] = r[name];
    for (const [name, seg] of SEGS) cpu.setCache(seg, r[name], r[name] << 4, 0xffff, seg === CS ? 0x9b : 0x93);
    cpu.eip = r.ip;
    // The 80286 suite's initial FLAGS has random bits 12-15, which real mode cannot hold (README).
    cpu.setFlags(this.model === '80286' ? r.flags & 0x0fff : r.flags);
    for (const [a, b] of v.initial.ram) mem.ram[a] = b;
    try {
      if (this.model === '80286') {
        // Instruction, then the HLT (at the next instruction or at the handler), then stop.
        for (let i = 0; i < 4 && !cpu.halted; i++) {
          cpu.repEnd = 0x7fffffff;
          stepSlow(cpu);
        }
      } else {
        cpu.repEnd = 0x7fffffff;
        stepSlow(cpu);
      }
    } catch (e) {
      return `threw ${e instanceof Error ? e.message : String(e)}`;
    }
    const diffs: string[] = [];
    const f = v.final.regs;
    for (const [name, idx] of REG16) {
      const want = f[name] ?? r[name];
      const got = cpu.r16[idx * 2];
      if (got !== want) diffs.push(`${name} ${hex(got)} != ${hex(want)}`);
    }
    for (const [name, seg] of SEGS) {
      const want = f[name] ?? r[name];
      if (cpu.sel[seg] !== want) diffs.push(`${name} ${hex(cpu.sel[seg])} != ${hex(want)}`);
    }
    const wantIp = f.ip ?? r.ip;
    if ((cpu.eip & 0xffff) !== wantIp) diffs.push(`ip ${hex(cpu.eip)} != ${hex(wantIp)}`);
    const wantFlags = f.flags ?? (this.model === '80286' ? r.flags & 0x0fff : r.flags);
    const gotFlags = cpu.getFlags() & 0xffff;
    if ((gotFlags & flagsMask) !== (wantFlags & flagsMask)) diffs.push(`flags ${hex(gotFlags)} != ${hex(wantFlags)} (mask ${hex(flagsMask)})`);
    // The FLAGS image an exception pushed sits at SS:SP+4 of the final state (the suite's flag_address
    // is off by one when SP is odd), and its undefined bits are masked like FLAGS itself.
    // The 8086 suite does not mark exceptions, so use the one our CPU delivered (its frame is at SS:SP).
    const pushedFlags = v.exception
      ? ((f.ss ?? r.ss) << 4) + (((f.sp ?? r.sp) + 4) & 0xffff)
      : cpu.lastException >= 0 ? (cpu.base[SS] + ((cpu.r16[ESP * 2] + 4) & 0xffff)) & mem.a20Mask : undefined;
    for (const [a, b] of v.final.ram) {
      let got = mem.ram[a], want = b;
      if (pushedFlags !== undefined && (a === pushedFlags || a === pushedFlags + 1)) {
        const m = a === pushedFlags ? flagsMask & 0xff : flagsMask >> 8;
        got &= m;
        want &= m;
      }
      if (got !== want) diffs.push(`[${hex(a)}] ${hex(mem.ram[a])} != ${hex(b)}`);
    }
    // Restore the RAM this vector touched so the next one starts from zeros.
    for (const [a] of v.initial.ram) mem.ram[a] = 0;
    for (const [a] of v.final.ram) mem.ram[a] = 0;
    return diffs.length ? diffs.join(', ') : null;
  }
}

/** Finds the metadata entry for a file named like `F6.2.json.gz`. */
export function flagsMaskFor(meta: Metadata | null, file: string): number {
  if (!meta) return 0xffff;
  const m = /^([0-9A-F]{2,4})(?:\.(\d))?\.json(?:\.gz)?$/i.exec(basename(file));
  if (!m) return 0xffff;
  const entry = meta.opcodes[m[1].toUpperCase()];
  if (!entry) return 0xffff;
  const sub = m[2] !== undefined ? entry.reg?.[m[2]] : undefined;
  return (sub ?? entry)['flags-mask'] ?? 0xffff;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isState(v: unknown): boolean {
  return isObject(v) && isObject(v.regs) && Object.values(v.regs).every((n) => typeof n === 'number')
    && Array.isArray(v.ram) && v.ram.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number'));
}

/** Why `v` is not a SingleStepTests vector, or null. */
function vectorProblem(v: unknown): string | null {
  if (!isObject(v)) return 'is not an object';
  if (typeof v.name !== 'string') return "has no 'name' string";
  if (!isState(v.initial)) return "has no 'initial' state ({regs: {...}, ram: [[address, byte], ...]})";
  if (!isState(v.final)) return "has no 'final' state ({regs: {...}, ram: [[address, byte], ...]})";
  return null;
}

export function loadVectors(file: string): Vector[] {
  const raw = readInputFile(file, 'test vectors');
  let data: unknown;
  try {
    data = JSON.parse(file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8'));
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new InputError(`${file}: not a JSON array of test vectors`);
  data.forEach((v, i) => {
    const problem = vectorProblem(v);
    if (problem) throw new InputError(`${file}: vector ${i} ${problem}`);
  });
  return data as Vector[];
}

/**
 * The metadata named by `path`, else `metadata.json` beside the first file when there is one.
 * A file that exists but is not SingleStepTests metadata is an error naming it.
 */
export function loadMetadata(path: string | undefined, firstFile: string): Metadata | null {
  const p = path ?? join(dirname(firstFile), 'metadata.json');
  if (path === undefined && !existsSync(p)) return null;
  const text = readInputFile(p, 'metadata').toString('utf8');
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new InputError(`metadata ${p}: ${(e as Error).message}`);
  }
  if (!isObject(meta) || !isObject(meta.opcodes) || !Object.values(meta.opcodes).every(isObject)) {
    throw new InputError(`metadata ${p}: no 'opcodes' object of opcode entries (expected SingleStepTests metadata.json)`);
  }
  return meta as unknown as Metadata;
}

/** Runs one file; `excused` holds "idx" strings from an exceptions list for this file. */
export function runFile(runner: VectorRunner, file: string, meta: Metadata | null, excused?: Set<number>): FileResult {
  const vectors = loadVectors(file);
  const mask = flagsMaskFor(meta, file);
  const result: FileResult = { file, passed: 0, failed: 0, failures: [], excused: 0 };
  for (const v of vectors) {
    const diff = runner.run(v, mask);
    if (diff === null) result.passed++;
    else if (excused?.has(v.idx ?? -1)) result.excused++;
    else {
      result.failed++;
      if (result.failures.length < 20) result.failures.push({ idx: v.idx ?? -1, name: v.name, diff });
    }
  }
  return result;
}
