// readMemory/writeMemory on linear addresses (not-present pages are unreadableBytes) and disassemble
// from the shared decoder and NASM formatter: CS.D decides 16/32-bit, instructions before the
// address are chosen among the decode paths that land on it, preferring known instruction starts.
// `address` is the linear address; the instruction text starts with `SSSS:OOOO` relative to the
// current CS, and a branch near a symbol ends in `; name+0x12`. Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import { readLinear, segOff, writeLinear } from '../../emulator/debug/machineView';
import { listOne } from '../../emulator/disasm/listing';
import { branchTarget } from '../../emulator/debug/symbols';
import { decodeTier } from '../../emulator/decode/table';
import { RequestError, type SessionContext, parseReference, refString } from '../context';

export function readMemory(ctx: SessionContext, args: DebugProtocol.ReadMemoryArguments): DebugProtocol.ReadMemoryResponse['body'] {
  const base = (parseReference(args.memoryReference, 'memoryReference') + (args.offset ?? 0)) >>> 0;
  const count = args.count;
  const r = readLinear(ctx.machine.cpu, base, count);
  return {
    address: refString(base),
    data: Buffer.from(r.bytes.subarray(0, r.readable)).toString('base64'),
    unreadableBytes: count - r.readable,
  };
}

export function writeMemory(ctx: SessionContext, args: DebugProtocol.WriteMemoryArguments): DebugProtocol.WriteMemoryResponse['body'] {
  if (ctx.runner.isRunning) throw new RequestError('the CPU is running: pause it to write memory', true);
  const base = (parseReference(args.memoryReference, 'memoryReference') + (args.offset ?? 0)) >>> 0;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(args.data) || args.data.length % 4 === 1) throw new RequestError("writeMemory: 'data' is not base64", true);
  const data = new Uint8Array(Buffer.from(args.data, 'base64'));
  // Through the recording, when there is one: going back past the edit and forward again repeats it.
  const rec = ctx.recorder;
  const n = writeLinear(ctx.machine.cpu, base, data, rec ? (phys, bytes) => rec.poke(phys, bytes) : undefined);
  if (n === 0 && data.length > 0) throw new RequestError(`linear 0x${base.toString(16)} is not mapped (page not present)`, true);
  return { bytesWritten: n, offset: 0 };
}

interface Line {
  address: number;
  length: number;
  bytes: readonly number[];
  text: string;
  ok: boolean;
  /** Linear target of a relative branch, to name it by a symbol. */
  branch?: number;
}

function decodeAt(ctx: SessionContext, lin: number, memo?: Map<number, Line>): Line {
  const hit = memo?.get(lin);
  if (hit) return hit;
  const line = decodeUncached(ctx, lin);
  memo?.set(lin, line);
  return line;
}

function decodeUncached(ctx: SessionContext, lin: number): Line {
  const cpu = ctx.machine.cpu;
  const r = readLinear(cpu, lin, 16);
  if (r.readable === 0) return { address: lin, length: 1, bytes: [], text: '??', ok: false };
  const l = listOne(r.bytes.subarray(0, r.readable), 0, { org: (lin - cpu.base[CS]) >>> 0, bits: cpu.code32 ? 32 : 16, model: decodeTier(cpu.model) });
  const target = branchTarget(l.tokens);
  return { address: lin, length: l.length, bytes: l.bytes, text: l.text, ok: true, ...(target === undefined ? {} : { branch: (target + cpu.base[CS]) >>> 0 }) };
}

/** Instructions looked for before an address at most (more are padded): keeps a request bounded. */
const MAX_BACK = 512;

/** Weight of an address known to start an instruction: outweighs every path through the window. */
const KNOWN = 1 << 20;

/**
 * Up to `n` instructions that end exactly at `lin`. x86 code can be decoded from any byte, and
 * different starts can reach `lin` through different instructions that never agree, so the choice is
 * made by weight: every address in a window before `lin` starts one decode path, an address known to
 * start an instruction (executed or listed: `known`) counts as many, and each address weighs as
 * much as the paths through it. From `lin` backwards, the previous instruction is the heaviest one
 * that ends exactly there.
 */
function before(ctx: SessionContext, lin: number, n: number, memo: Map<number, Line>, known: ReadonlySet<number>): Line[] {
  const want = Math.min(n, MAX_BACK);
  const lo = Math.max(0, lin - (want * 8 + 16));
  const weight = new Float64Array(lin - lo + 1);
  for (let a = lo; a < lin; a++) {
    weight[a - lo] += known.has(a) ? KNOWN : 1;
    const next = a + decodeAt(ctx, a, memo).length;
    if (next <= lin) weight[next - lo] += weight[a - lo];
  }
  const lines: Line[] = [];
  for (let end = lin; lines.length < want;) {
    let best: Line | null = null;
    for (let a = Math.max(lo, end - 15); a < end; a++) {
      const l = decodeAt(ctx, a, memo);
      if (a + l.length === end && (!best || weight[a - lo] > weight[best.address - lo])) best = l;
    }
    if (!best) break;
    lines.unshift(best);
    end = best.address;
  }
  return lines;
}

/** Addresses known to start instructions: where the CPU stopped, the shadow stack's callers, listing lines. */
export function knownStarts(ctx: SessionContext): Set<number> {
  const known = new Set(ctx.visited);
  known.add(ctx.machine.pcLinear);
  for (const f of ctx.monitor.stack.frames()) known.add(f.callerLinear);
  for (const m of ctx.sources.maps) for (const l of m.lines) if (l.length > 0) known.add(l.address);
  return known;
}

export function disassemble(ctx: SessionContext, args: DebugProtocol.DisassembleArguments): DebugProtocol.DisassembleResponse['body'] {
  const cpu = ctx.machine.cpu;
  const count = args.instructionCount;
  let anchor = (parseReference(args.memoryReference, 'memoryReference') + (args.offset ?? 0)) >>> 0;
  let skip = args.instructionOffset ?? 0;
  const lines: Line[] = [];
  const memo = new Map<number, Line>();
  if (skip < 0) {
    const prev = before(ctx, anchor, -skip, memo, knownStarts(ctx));
    // Pad with placeholders below the first decodable instruction so the count is exact.
    for (let i = prev.length; i < -skip; i++) {
      const address = ((prev[0]?.address ?? anchor) - (-skip - i)) >>> 0;
      lines.push({ address, length: 1, bytes: [], text: '??', ok: false });
    }
    lines.push(...prev);
    skip = 0;
  }
  for (; skip > 0; skip--) anchor = (anchor + decodeAt(ctx, anchor, memo).length) >>> 0;
  for (let a = anchor; lines.length < count; ) {
    const l = decodeAt(ctx, a, memo);
    lines.push(l);
    a = (a + l.length) >>> 0;
  }
  const csBase = cpu.base[CS], csLimit = cpu.limit[CS];
  return {
    instructions: lines.slice(0, count).map((l): DebugProtocol.DisassembledInstruction => {
      const off = (l.address - csBase) >>> 0;
      const where = off <= csLimit ? segOff(cpu.sel[CS], off) : `linear ${refString(l.address)}`;
      const sym = ctx.sources.symbolAt(l.address);
      const branchTo = l.branch === undefined ? undefined : ctx.sources.nearestSymbol(l.branch);
      const loc = ctx.sources.locate(l.address);
      return {
        ...(sym ? { symbol: sym } : {}),
        ...(loc ? { location: { path: loc.source }, line: loc.line } : {}),
        address: refString(l.address),
        instructionBytes: l.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' '),
        instruction: `${where}  ${l.text}${branchTo ? ` ; ${branchTo}` : ''}`,
        ...(l.ok ? {} : { presentationHint: 'invalid' as const }),
      };
    }),
  };
}
