// Threads, stack trace (from the emulator's shadow call stack), scopes and variables (the register
// tree), setVariable. Frames are named `SSSS:OOOO mode`, `name+0x12 (SSSS:OOOO mode)` near a symbol,
// `function (SSSS:OOOO mode)` in a function of the DWARF, and carry the linear address as their
// instructionPointerReference, so VS Code opens the Disassembly view at CS:IP; their source is the
// listing or DWARF line, else a virtual disassembly document (disasmSources.ts).
// Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import type { ShadowFrame } from '../../emulator/debug/callStack';
import { cpuMode, segOff } from '../../emulator/debug/machineView';
import { type CodeSegment, guestReader } from '../disasmSources';
import { knownStarts } from './memoryAndDisasm';
import { EXCEPTION_NAMES } from '../../emulator/cpu/faults';
import { writeRegister } from '../../emulator/debug/registers';
import { RequestError, type SessionContext, THREAD_ID, THREAD_NAME, refString } from '../context';
import { hexDigits } from '../../protocol/format';

export function threads(): DebugProtocol.ThreadsResponse['body'] {
  return { threads: [{ id: THREAD_ID, name: THREAD_NAME }] };
}

function frameLabel(f: ShadowFrame): string {
  switch (f.kind) {
    case 'call': return 'call';
    case 'callf': return 'call far';
    case 'int': return `int ${hexDigits(f.vector, 2)}h`;
    case 'irq': return `hardware interrupt ${hexDigits(f.vector, 2)}h`;
    default: return `exception ${EXCEPTION_NAMES[f.vector] ?? f.vector}`;
  }
}

/** The code segment of the caller of a shadow frame (its limit is not recorded: the mode's usual one). */
function callerSegment(f: ShadowFrame): CodeSegment {
  const small = f.callerMode === 'real' || f.callerMode === 'vm86';
  return {
    selector: f.callerCs, base: (f.callerLinear - f.callerEip) >>> 0, limit: small ? 0xffff : 0xffffffff,
    bits: f.callerMode === 'pm32' ? 32 : 16, mode: f.callerMode,
  };
}

export function stackTrace(ctx: SessionContext, args: DebugProtocol.StackTraceArguments): DebugProtocol.StackTraceResponse['body'] {
  const cpu = ctx.machine.cpu;
  const shadow = ctx.monitor.stack.frames();
  const top = shadow[shadow.length - 1];
  // `function (SSSS:OOOO mode)` in a DWARF function, `name+0x12 (SSSS:OOOO mode)` where a symbol is
  // near, else `SSSS:OOOO mode`.
  const place = (lin: number, cs: number, eip: number, mode: string): string => {
    const s = ctx.sources.dwarf.functionAt(lin)?.name ?? ctx.sources.nearestSymbol(lin);
    return s ? `${s} (${segOff(cs, eip)} ${mode})` : `${segOff(cs, eip)} ${mode}`;
  };
  // Each frame: its name and where its instruction is (CS:EIP in its code segment).
  const frames: { name: string; linear: number; seg: CodeSegment; offset: number }[] = [{
    name: `${place(ctx.machine.pcLinear, cpu.sel[CS], cpu.eip, cpuMode(cpu))}${top ? ` (in ${frameLabel(top)} from ${segOff(top.callerCs, top.callerEip)})` : ''}`,
    linear: ctx.machine.pcLinear,
    seg: { selector: cpu.sel[CS], base: cpu.base[CS], limit: cpu.limit[CS], bits: cpu.code32 ? 32 : 16, mode: cpuMode(cpu) },
    offset: cpu.eip,
  }];
  for (let i = shadow.length - 1; i >= 0; i--) {
    const f = shadow[i];
    const below = shadow[i - 1];
    frames.push({
      name: `${place(f.callerLinear, f.callerCs, f.callerEip, f.callerMode)}${below ? ` (in ${frameLabel(below)})` : ''}`,
      linear: f.callerLinear, seg: callerSegment(f), offset: f.callerEip,
    });
  }
  const start = args.startFrame ?? 0;
  const end = args.levels ? start + args.levels : frames.length;
  let starts: Set<number> | null = null;
  const read = guestReader(cpu);
  // A listing or DWARF line where there is one, else the frame's virtual disassembly document: every frame has a
  // source, so VS Code focuses the top frame at every stop and shows its registers.
  const where = (f: (typeof frames)[number]): Partial<DebugProtocol.StackFrame> => {
    const loc = ctx.sources.locate(f.linear);
    if (loc) return { source: { path: loc.source, name: loc.source.split(/[\\/]/).pop() }, line: loc.line, column: 1 };
    starts ??= knownStarts(ctx);
    const { doc, line } = ctx.disasm.locate(read, f.seg, f.offset, starts);
    return { source: ctx.disasm.source(doc), line, column: 1 };
  };
  const stackFrames = frames.slice(start, end).map((f, k): DebugProtocol.StackFrame => ({
    id: start + k, name: f.name, line: 0, column: 0, instructionPointerReference: refString(f.linear), ...where(f),
  }));
  return { stackFrames, totalFrames: frames.length };
}

/** C Locals and Globals where the DWARF has them (cVariables.ts), then the register scopes. */
export function scopes(ctx: SessionContext, args: DebugProtocol.ScopesArguments): DebugProtocol.ScopesResponse['body'] {
  return { scopes: [...ctx.cvars.scopes(args.frameId), ...ctx.registers.scopes()] };
}

export function variables(ctx: SessionContext, args: DebugProtocol.VariablesArguments): DebugProtocol.VariablesResponse['body'] {
  const vars = ctx.cvars.variables(args.variablesReference) ?? ctx.registers.variables(args.variablesReference);
  if (!vars) throw new RequestError(`no variables with reference ${args.variablesReference}`);
  return { variables: vars };
}

export function setVariable(ctx: SessionContext, args: DebugProtocol.SetVariableArguments): DebugProtocol.SetVariableResponse['body'] {
  if (ctx.runner.isRunning) throw new RequestError('the CPU is running: pause it to change registers', true);
  try {
    // Through the recording, when there is one: going back past the edit and forward again repeats it.
    const rec = ctx.recorder;
    const write = rec ? (path: string, v: number) => {
      let note = '';
      rec.input('register', `${path} = 0x${(v >>> 0).toString(16)}`, (m) => { note = writeRegister(m.cpu, path, v); });
      return note;
    } : undefined;
    const { variable, note } = ctx.registers.set(args.variablesReference, args.name, args.value, write);
    if (note) ctx.output(`${args.name}: ${note}\n`, 'console');
    return { value: variable.value, variablesReference: variable.variablesReference, memoryReference: variable.memoryReference };
  } catch (e) {
    throw new RequestError(`cannot set ${args.name}: ${(e as Error).message}`, true);
  }
}
