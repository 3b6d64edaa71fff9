// readMemory/writeMemory on linear addresses (not-present pages are unreadableBytes) and disassemble
// from the shared decoder and NASM formatter: CS.D decides 16/32-bit, instructions before the
// address are found by resynchronising a forward decode. `address` is the linear address; the
// instruction text starts with `SSSS:OOOO` relative to the current CS. Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import { readLinear, segOff, writeLinear } from '../../emulator/debug/machineView';
import { listOne } from '../../emulator/disasm/listing';
import { decoderModelFor } from '../../emulator/decode/table';
import { RequestError, type SessionContext, parseReference, refString } from '../context';

const MAX_READ = 1 << 20;

export function readMemory(ctx: SessionContext, args: DebugProtocol.ReadMemoryArguments): DebugProtocol.ReadMemoryResponse['body'] {
  const base = (parseReference(args.memoryReference, 'memoryReference') + (args.offset ?? 0)) >>> 0;
  const count = Math.max(0, Math.min(args.count, MAX_READ));
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
  const data = new Uint8Array(Buffer.from(args.data, 'base64'));
  const n = writeLinear(ctx.machine.cpu, base, data);
  if (n === 0 && data.length > 0) throw new RequestError(`linear 0x${base.toString(16)} is not mapped (page not present)`, true);
  return { bytesWritten: n, offset: 0 };
}

interface Line {
  address: number;
  length: number;
  bytes: readonly number[];
  text: string;
  ok: boolean;
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
  const l = listOne(r.bytes.subarray(0, r.readable), 0, { org: (lin - cpu.base[CS]) >>> 0, bits: cpu.code32 ? 32 : 16, model: decoderModelFor(cpu.model) });
  return { address: lin, length: l.length, bytes: l.bytes, text: l.text, ok: true };
}

/** Instructions looked for before an address at most (more are padded): keeps a request bounded. */
const MAX_BACK = 512;

/**
 * Up to `n` instructions that end exactly at `lin`: the earliest start in a window before `lin` whose
 * forward decode lands on `lin` (x86 streams resynchronise within a few instructions). Whether an
 * address leads to `lin` is memoised, so the search is linear in the window.
 */
function before(ctx: SessionContext, lin: number, n: number, memo: Map<number, Line>): Line[] {
  const window = Math.min(n, MAX_BACK) * 8 + 16;
  const leads = new Map<number, boolean>();
  const reaches = (from: number): boolean => {
    const path: number[] = [];
    let a = from, result: boolean;
    for (;;) {
      if (a === lin) { result = true; break; }
      if (a > lin) { result = false; break; }
      const known = leads.get(a);
      if (known !== undefined) { result = known; break; }
      path.push(a);
      a += decodeAt(ctx, a, memo).length;
    }
    for (const p of path) leads.set(p, result);
    return result;
  };
  for (let start = Math.max(0, lin - window); start < lin; start++) {
    if (!reaches(start)) continue;
    const lines: Line[] = [];
    for (let a = start; a < lin; ) {
      const l = decodeAt(ctx, a, memo);
      lines.push(l);
      a += l.length;
    }
    return lines.slice(-Math.min(n, MAX_BACK));
  }
  return [];
}

export function disassemble(ctx: SessionContext, args: DebugProtocol.DisassembleArguments): DebugProtocol.DisassembleResponse['body'] {
  const cpu = ctx.machine.cpu;
  const count = Math.max(0, Math.min(args.instructionCount, 4096));
  let anchor = (parseReference(args.memoryReference, 'memoryReference') + (args.offset ?? 0)) >>> 0;
  let skip = args.instructionOffset ?? 0;
  const lines: Line[] = [];
  const memo = new Map<number, Line>();
  if (skip < 0) {
    const prev = before(ctx, anchor, -skip, memo);
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
      const loc = ctx.sources.locate(l.address);
      return {
        ...(sym ? { symbol: sym } : {}),
        ...(loc ? { location: { path: loc.source }, line: loc.line } : {}),
        address: refString(l.address),
        instructionBytes: l.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' '),
        instruction: `${where}  ${l.text}`,
        ...(l.ok ? {} : { presentationHint: 'invalid' as const }),
      };
    }),
  };
}
