// Breakpoint requests: function/address breakpoints (`SSSS:OOOO`, `0x…` linear, `phys 0x…`),
// instruction breakpoints from the Disassembly view, source breakpoints (through a DWARF line table or
// the NASM listing, or on CS:IP in a virtual disassembly document), data breakpoints on linear ranges and CPU-exception filters.
// Node only; must not import vscode. SDM Vol. 3 §6.15 (exception vectors).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXCEPTION_NAMES } from '../../emulator/cpu/faults';
import { evaluate, ExpressionError } from '../../emulator/debug/expression';
import type { WatchAccess } from '../../emulator/debug/watchpoints';
import { NO_EVENT_FILTERS, type EventFilterConfig } from '../../emulator/debug/eventStops';
import { type BreakpointSpec, type CodeBreakpoint, csIpBreakpoint, parseAddressSpec } from '../breakpointStore';
import { type SessionContext, parseReference, refString } from '../context';
import { MAX_MEMORY_BYTES } from '../requestArgs';

/** Exception filters offered in the Breakpoints view: each CPU exception and "all". */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'all', label: 'All CPU exceptions', default: false, description: 'Stop at the handler of any exception the CPU raises' },
  {
    filter: 'int', label: 'Software interrupt (INT n)', default: false, supportsCondition: true,
    description: 'Stop before an INT n is delivered', conditionDescription: 'e.g. vector == 0x13 && ah == 2',
  },
  {
    filter: 'io', label: 'I/O port access', default: false, supportsCondition: true,
    description: 'Stop after an IN/OUT (or INS/OUTS) instruction', conditionDescription: 'e.g. port == 0x64 && out && value == 0xd1',
  },
  { filter: 'mode-switch', label: 'Mode switch (CR0.PE/PG, vm86)', default: false, description: 'Stop after an instruction that changes CR0.PE, CR0.PG or EFLAGS.VM' },
  { filter: 'table-load', label: 'Descriptor-table load (LGDT/LIDT/LLDT/LTR)', default: false, description: 'Stop after LGDT, LIDT, LLDT or LTR' },
  ...Object.entries(EXCEPTION_NAMES).map(([v, name]) => ({
    filter: `vector-${v}`, label: name, default: false, description: `Stop when the CPU raises exception ${v} (${name})`,
  })),
];

/**
 * DAP has logMessage only on source breakpoints; function and instruction breakpoints accept it too
 * (as an extra field), so logpoints work on addresses for clients that send it.
 */
function logMessageOf(b: object): string | undefined {
  const m = (b as { logMessage?: unknown }).logMessage;
  return typeof m === 'string' ? m : undefined;
}

/**
 * Why no instruction can ever execute at an address, or null: a physical one (or a linear one with
 * paging off) outside RAM and the BIOS ROM window.
 */
function impossible(ctx: SessionContext, address: number, physical: boolean): string | null {
  if (!physical && ctx.machine.cpu.paging) return null;
  const phys = (address & ctx.machine.mem.a20Mask) >>> 0;
  if (phys < ctx.machine.mem.ramSize || phys >= 0xfff00000) return null;
  return `no memory at ${physical ? 'physical' : 'linear'} 0x${address.toString(16)}: guest RAM ends at 0x${ctx.machine.mem.ramSize.toString(16)} (memoryMB)`;
}

/** What a breakpoint's address means, for its hover in VS Code (DAP Breakpoint.message). */
function addressNote(b: CodeBreakpoint): string {
  const h = (v: number, d: number) => (v >>> 0).toString(16).toUpperCase().padStart(d, '0');
  if (b.exact) {
    return `CS:IP ${h(b.exact.selector, 4)}:${h(b.exact.offset, 4)}: stops whenever CS = ${h(b.exact.selector, 4)} and (E)IP = ${h(b.exact.offset, 4)}, ` +
      'in real mode, protected mode or vm86 alike (linear 0x' + h(b.linear, 1).toLowerCase() + ' with the CS descriptor of when it was set)';
  }
  if (b.phys !== undefined) return `physical address 0x${h(b.phys, 1).toLowerCase()}: stops where an instruction's physical address is this, under paging too`;
  return `linear address 0x${h(b.linear, 1).toLowerCase()}: stops at whatever CS:IP reaches it; an SSSS:OOOO breakpoint follows CS instead`;
}

function toDap(b: CodeBreakpoint | null, message?: string, extra: Partial<DebugProtocol.Breakpoint> = {}): DebugProtocol.Breakpoint {
  if (!b) return { verified: false, message, ...extra };
  const note = b.origin === 'source' && !b.exact ? {} : { message: addressNote(b) };
  return { id: b.id, verified: true, instructionReference: refString(b.linear), ...note, ...extra };
}

export function setFunctionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetFunctionBreakpointsArguments): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
  const specs: (BreakpointSpec | string)[] = args.breakpoints.map((fb) => {
    try {
      const sym = ctx.sources.symbol(fb.name.trim());
      const a = sym !== undefined ? { linear: sym, exact: null } : parseAddressSpec(ctx.machine.cpu, fb.name);
      const extra = { condition: fb.condition, hitCondition: fb.hitCondition, logMessage: logMessageOf(fb) };
      // A CS:IP breakpoint lies wherever its selector's descriptor will put it: nothing to check now.
      if (a.exact) return csIpBreakpoint(ctx.machine.cpu, 'function', a.exact.selector, a.exact.offset, extra);
      const why = impossible(ctx, a.linear, a.phys !== undefined);
      if (why) return `'${fb.name}': ${why}`;
      return { origin: 'function', linear: a.linear, exact: null, ...(a.phys !== undefined ? { phys: a.phys } : {}), ...extra };
    } catch (e) {
      return `'${fb.name}' is not an address or a known label (${(e as Error).message.replace(/ \(registers such as.*\)$/, '')}): use SSSS:OOOO, 0x… linear, phys 0x…, a label from the listing or a symbol`;
    }
  });
  const set = ctx.bps.replace('function', specs.filter((s): s is BreakpointSpec => typeof s !== 'string'));
  let k = 0;
  return { breakpoints: specs.map((s) => (typeof s === 'string' ? toDap(null, s) : toDap(set[k++]))) };
}

export function setInstructionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetInstructionBreakpointsArguments): DebugProtocol.SetInstructionBreakpointsResponse['body'] {
  const specs: (BreakpointSpec | string)[] = args.breakpoints.map((ib) => {
    try {
      const ref = ib.instructionReference.trim(), offset = ib.offset ?? 0;
      const a = /^(0x[0-9a-f]+|[0-9]+)$/i.test(ref)
        ? { linear: parseReference(ib.instructionReference, 'instructionReference'), exact: null, phys: undefined }
        : parseAddressSpec(ctx.machine.cpu, ib.instructionReference);
      const extra = { condition: ib.condition, hitCondition: ib.hitCondition, logMessage: logMessageOf(ib) };
      if (a.exact) return csIpBreakpoint(ctx.machine.cpu, 'instruction', a.exact.selector, a.exact.offset + offset, extra);
      const linear = (a.linear + offset) >>> 0;
      const why = impossible(ctx, linear, a.phys !== undefined);
      if (why) return why;
      return { origin: 'instruction', linear, exact: null, ...(a.phys !== undefined ? { phys: linear } : {}), ...extra };
    } catch (e) {
      return `'${ib.instructionReference}': ${(e as Error).message}`;
    }
  });
  const set = ctx.bps.replace('instruction', specs.filter((s): s is BreakpointSpec => typeof s !== 'string'));
  let k = 0;
  return { breakpoints: specs.map((s) => (typeof s === 'string' ? toDap(null, s) : toDap(set[k++]))) };
}

/**
 * Source breakpoints through the DWARF line table (C, `nasm -F dwarf`) or the NASM listing of the file:
 * each line moves to the next line that has code.
 */
export function setSourceBreakpoints(ctx: SessionContext, args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.SetBreakpointsResponse['body'] {
  const path = args.source.path ?? args.source.name ?? '?';
  const lines: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
  if (args.source.sourceReference) return setDisassemblyBreakpoints(ctx, args.source.sourceReference, lines);
  const resolved = lines.map((b) => ({ b, at: ctx.sources.resolveSourceLine(path, b.line) }));
  const found = (r: (typeof resolved)[number]) => ('address' in r.at ? r.at : null);
  const set = ctx.bps.replace(`source:${path}`, resolved.flatMap((r) => {
    const at = found(r);
    return at ? [{ origin: 'source' as const, linear: at.address, exact: null, condition: r.b.condition, hitCondition: r.b.hitCondition, logMessage: r.b.logMessage }] : [];
  }));
  let k = 0;
  return {
    breakpoints: resolved.map((r) => {
      const at = found(r);
      return at ? toDap(set[k++], undefined, { line: at.line, source: { path: at.source } })
        : { verified: false, line: r.b.line, message: (r.at as { problem: string }).problem };
    }),
  };
}

/**
 * Gutter breakpoints in a virtual disassembly document: each line moves to the next instruction line
 * and becomes an `SSSS:OOOO` breakpoint on that instruction's CS:IP.
 */
function setDisassemblyBreakpoints(ctx: SessionContext, ref: number, lines: DebugProtocol.SourceBreakpoint[]): DebugProtocol.SetBreakpointsResponse['body'] {
  const group = `disasm:${ref}`;
  const doc = ctx.disasm.get(ref);
  if (!doc) {
    ctx.bps.replace(group, []);
    return { breakpoints: lines.map((b) => ({ verified: false, line: b.line, message: 'this disassembly belongs to an earlier session: set the breakpoint in the current one' })) };
  }
  const resolved = lines.map((b) => {
    const at = ctx.disasm.resolveLine(doc, b.line);
    return { b, at };
  });
  const set = ctx.bps.replace(group, resolved.flatMap((r) => (r.at ? [csIpBreakpoint(ctx.machine.cpu, 'source', doc.seg.selector, r.at.offset, {
    condition: r.b.condition, hitCondition: r.b.hitCondition, logMessage: r.b.logMessage,
  })] : [])));
  let k = 0;
  return {
    breakpoints: resolved.map((r) => (r.at
      // No `source`: VS Code would move a verified breakpoint to the URI it makes from it, which uses
      // source.path (a document's has none, its URI uses the name), and show it in no editor.
      ? toDap(set[k++], undefined, { line: r.at.line })
      : { verified: false, line: r.b.line, message: `no instruction at or after line ${r.b.line}` })),
  };
}

/** dataId format: `<linear hex>/<bytes>`. */
export function dataBreakpointInfo(ctx: SessionContext, args: DebugProtocol.DataBreakpointInfoArguments): DebugProtocol.DataBreakpointInfoResponse['body'] {
  const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['read', 'write', 'readWrite'];
  const cpu = ctx.machine.cpu;
  let linear: number, bytes: number;
  try {
    if (args.asAddress) {
      const a = /^(0x[0-9a-f]+|[0-9]+)$/i.test(args.name.trim()) ? null : parseAddressSpec(cpu, args.name);
      if (a?.phys !== undefined && cpu.paging) return { dataId: null, description: 'physical data breakpoints need paging off (CR0.PG=0): watch a linear address' };
      linear = a ? a.linear : parseReference(args.name, 'address');
      bytes = args.bytes ?? 1;
    } else {
      // A C variable of the DWARF (its bytes), else a register variable or an expression: watch the
      // memory it names (`[ds:si]`, `word [es:di]`) or points at.
      const c = ctx.cvars.memoryOf(args.name, args.frameId ?? 0);
      if (c) {
        linear = c.linear;
        bytes = args.bytes ?? c.bytes;
      } else {
        const r = evaluate(cpu, args.name, { symbol: ctx.sources.lookup });
        if (r.memoryReference === undefined) {
          return { dataId: null, description: `'${args.name}' is not in memory; watch an address such as word [ds:si] or 0000:7E00` };
        }
        linear = r.memoryReference;
        bytes = args.bytes ?? (r.type === 'pointer' ? 1 : Math.max(1, parseInt(r.type, 10) / 8 || 1));
      }
    }
  } catch (e) {
    return { dataId: null, description: e instanceof ExpressionError ? e.message : String((e as Error).message) };
  }
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_MEMORY_BYTES) {
    return { dataId: null, description: `cannot watch ${bytes} bytes: a data breakpoint watches 1 to ${MAX_MEMORY_BYTES} bytes` };
  }
  return {
    dataId: dataIdOf(linear, bytes),
    description: `${bytes} byte${bytes === 1 ? '' : 's'} at linear 0x${linear.toString(16)}`,
    accessTypes, canPersist: true,
  };
}

/** A data breakpoint's id: `<linear hex>/<bytes>` (also the attach mode's, debug-adapter/attach.ts). */
export function dataIdOf(linear: number, bytes: number): string {
  return `${(linear >>> 0).toString(16)}/${bytes}`;
}

/** The watched range of a data breakpoint id, or a message saying it is not one dataIdOf made. */
export function parseDataId(id: string, maxBytes = MAX_MEMORY_BYTES): { linear: number; length: number } | string {
  const m = /^([0-9a-f]{1,8})\/(\d{1,8})$/i.exec(id);
  const linear = m ? parseInt(m[1], 16) : 0, length = m ? +m[2] : 0;
  return !m || length < 1 || length > maxBytes ? `data breakpoint id '${id}' is not one dataBreakpointInfo returned (<linear hex>/<1 to ${maxBytes} bytes>)` : { linear, length };
}

export function setDataBreakpoints(ctx: SessionContext, args: DebugProtocol.SetDataBreakpointsArguments): DebugProtocol.SetDataBreakpointsResponse['body'] {
  const items: { id: number; linear: number; length: number; access: WatchAccess }[] = [];
  const out: DebugProtocol.Breakpoint[] = [];
  let nextId = 100000;
  for (const db of args.breakpoints) {
    const range = parseDataId(db.dataId);
    if (typeof range === 'string') {
      out.push({ verified: false, message: range });
      continue;
    }
    const { linear, length } = range;
    const id = nextId++;
    items.push({ id, linear, length, access: db.accessType ?? 'write' });
    out.push({ id, verified: true, instructionReference: refString(linear) });
  }
  ctx.monitor.watch.set(items);
  return { breakpoints: out };
}

export function setExceptionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
  const f = ctx.monitor.exceptionFilter;
  f.clear();
  const options = [...args.filters.map((filterId) => ({ filterId, condition: '' })), ...(args.filterOptions ?? [])];
  const events: EventFilterConfig = { ...NO_EVENT_FILTERS };
  for (const { filterId: id, condition } of options) {
    if (id === 'all') for (let v = 0; v < 32; v++) f.add(v);
    else if (id === 'int') events.softInt = condition ?? '';
    else if (id === 'io') events.io = condition ?? '';
    else if (id === 'mode-switch') events.modeSwitch = true;
    else if (id === 'table-load') events.tableLoad = true;
    const m = /^vector-(\d+)$/.exec(id);
    if (m) f.add(+m[1]);
  }
  ctx.monitor.events.configure(events);
  return {
    breakpoints: options.map((o) => (EXCEPTION_FILTERS.some((x) => x.filter === o.filterId)
      ? { verified: true } : { verified: false, message: `unknown exception filter '${o.filterId}'` })),
  };
}
