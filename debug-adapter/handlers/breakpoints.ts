// Breakpoint requests: function/address breakpoints (`SSSS:OOOO`, `0x…` linear, `phys 0x…`),
// instruction breakpoints from the Disassembly view, source breakpoints (reported unverified until
// listings are read), data breakpoints on linear ranges and CPU-exception filters.
// Node only; must not import vscode. SDM Vol. 3 §6.15 (exception vectors).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXCEPTION_NAMES } from '../../emulator/cpu/faults';
import { evaluate, ExpressionError } from '../../emulator/debug/expression';
import type { WatchAccess } from '../../emulator/debug/watchpoints';
import { parseAddressSpec, type CodeBreakpoint } from '../breakpointStore';
import { type SessionContext, parseReference, refString } from '../context';

/** Exception filters offered in the Breakpoints view: each CPU exception and "all". */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'all', label: 'All CPU exceptions', default: false, description: 'Stop at the handler of any exception the CPU raises' },
  ...Object.entries(EXCEPTION_NAMES).map(([v, name]) => ({
    filter: `vector-${v}`, label: name, default: false, description: `Stop when the CPU raises exception ${v} (${name})`,
  })),
];

type BpSpec = Omit<CodeBreakpoint, 'id' | 'hits'>;

function toDap(b: CodeBreakpoint | null, message?: string, extra: Partial<DebugProtocol.Breakpoint> = {}): DebugProtocol.Breakpoint {
  if (!b) return { verified: false, message, ...extra };
  return { id: b.id, verified: true, instructionReference: refString(b.linear), ...extra };
}

export function setFunctionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetFunctionBreakpointsArguments): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
  const specs: (BpSpec | string)[] = args.breakpoints.map((fb) => {
    try {
      const a = parseAddressSpec(ctx.machine.cpu, fb.name);
      return { origin: 'function', linear: a.linear, exact: a.exact, condition: fb.condition, hitCondition: fb.hitCondition };
    } catch (e) {
      return `'${fb.name}': ${(e as Error).message} (use SSSS:OOOO, 0x… linear or phys 0x…)`;
    }
  });
  const set = ctx.bps.replace('function', specs.filter((s): s is BpSpec => typeof s !== 'string'));
  let k = 0;
  return { breakpoints: specs.map((s) => (typeof s === 'string' ? toDap(null, s) : toDap(set[k++]))) };
}

export function setInstructionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetInstructionBreakpointsArguments): DebugProtocol.SetInstructionBreakpointsResponse['body'] {
  const specs: (BpSpec | string)[] = args.breakpoints.map((ib) => {
    try {
      let linear: number;
      let exact: CodeBreakpoint['exact'] = null;
      if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(ib.instructionReference.trim())) linear = parseReference(ib.instructionReference, 'instructionReference');
      else ({ linear, exact } = parseAddressSpec(ctx.machine.cpu, ib.instructionReference));
      linear = (linear + (ib.offset ?? 0)) >>> 0;
      if (exact) exact = { ...exact, offset: exact.offset + (ib.offset ?? 0) };
      return { origin: 'instruction', linear, exact, condition: ib.condition, hitCondition: ib.hitCondition };
    } catch (e) {
      return `'${ib.instructionReference}': ${(e as Error).message}`;
    }
  });
  const set = ctx.bps.replace('instruction', specs.filter((s): s is BpSpec => typeof s !== 'string'));
  let k = 0;
  return { breakpoints: specs.map((s) => (typeof s === 'string' ? toDap(null, s) : toDap(set[k++]))) };
}

export function setSourceBreakpoints(ctx: SessionContext, args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.SetBreakpointsResponse['body'] {
  const path = args.source.path ?? args.source.name ?? '?';
  ctx.bps.replace(`source:${path}`, []);
  const lines = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
  return {
    breakpoints: lines.map((b) => ({
      verified: false, line: b.line,
      message: 'source breakpoints need a NASM listing (launch "listing"), which this build does not read yet; set an address breakpoint (SSSS:OOOO) instead',
    })),
  };
}

/** dataId format: `<linear hex>/<bytes>`. */
export function dataBreakpointInfo(ctx: SessionContext, args: DebugProtocol.DataBreakpointInfoArguments): DebugProtocol.DataBreakpointInfoResponse['body'] {
  const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['read', 'write', 'readWrite'];
  const cpu = ctx.machine.cpu;
  let linear: number, bytes: number;
  try {
    if (args.asAddress) {
      linear = /^(0x[0-9a-f]+|[0-9]+)$/i.test(args.name.trim()) ? parseReference(args.name, 'address') : parseAddressSpec(cpu, args.name).linear;
      bytes = args.bytes ?? 1;
    } else {
      // A register variable or an expression: watch the memory it names (`[ds:si]`, `word [es:di]`) or points at.
      const r = evaluate(cpu, args.name);
      if (r.memoryReference === undefined) {
        return { dataId: null, description: `'${args.name}' is not in memory; watch an address such as word [ds:si] or 0000:7E00` };
      }
      linear = r.memoryReference;
      bytes = args.bytes ?? (r.type === 'pointer' ? 1 : Math.max(1, parseInt(r.type, 10) / 8 || 1));
    }
  } catch (e) {
    return { dataId: null, description: e instanceof ExpressionError ? e.message : String((e as Error).message) };
  }
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 0x100000) return { dataId: null, description: `cannot watch ${bytes} bytes` };
  return {
    dataId: `${linear.toString(16)}/${bytes}`,
    description: `${bytes} byte${bytes === 1 ? '' : 's'} at linear 0x${linear.toString(16)}`,
    accessTypes, canPersist: true,
  };
}

export function setDataBreakpoints(ctx: SessionContext, args: DebugProtocol.SetDataBreakpointsArguments): DebugProtocol.SetDataBreakpointsResponse['body'] {
  const items: { id: number; linear: number; length: number; access: WatchAccess }[] = [];
  const out: DebugProtocol.Breakpoint[] = [];
  let nextId = 100000;
  for (const db of args.breakpoints) {
    const m = /^([0-9a-f]+)\/(\d+)$/i.exec(db.dataId);
    if (!m) {
      out.push({ verified: false, message: `data breakpoint id '${db.dataId}' is not one dataBreakpointInfo returned` });
      continue;
    }
    const id = nextId++;
    items.push({ id, linear: parseInt(m[1], 16), length: +m[2], access: db.accessType ?? 'write' });
    out.push({ id, verified: true, instructionReference: refString(parseInt(m[1], 16)) });
  }
  ctx.monitor.watch.set(items);
  return { breakpoints: out };
}

export function setExceptionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
  const f = ctx.monitor.exceptionFilter;
  f.clear();
  const filters = [...args.filters, ...(args.filterOptions ?? []).map((o) => o.filterId)];
  for (const id of filters) {
    if (id === 'all') for (let v = 0; v < 32; v++) f.add(v);
    const m = /^vector-(\d+)$/.exec(id);
    if (m) f.add(+m[1]);
  }
  return { breakpoints: filters.map(() => ({ verified: true })) };
}
