// Execution control: continue, pause, next (over CALL/INT/REP), stepIn, stepOut, goto targets
// (set CS:IP to an address in the current code segment). Stepping granularity is always one
// instruction; the runner does the work. Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import { segOff } from '../../emulator/debug/machineView';
import { RequestError, type SessionContext, parseReference, refString } from '../context';

function idle(ctx: SessionContext): void {
  if (ctx.runner.isRunning) throw new RequestError('the CPU is already running');
}

export function continueRun(ctx: SessionContext): DebugProtocol.ContinueResponse['body'] {
  idle(ctx);
  ctx.runner.continue();
  return { allThreadsContinued: true };
}

export function pause(ctx: SessionContext): void {
  ctx.runner.pause();
}

export function next(ctx: SessionContext): void {
  idle(ctx);
  ctx.runner.next();
}

export function stepIn(ctx: SessionContext): void {
  idle(ctx);
  ctx.runner.stepIn();
}

export function stepOut(ctx: SessionContext): void {
  idle(ctx);
  ctx.runner.stepOut();
}

/**
 * Goto targets: a source line (through the NASM listing or a virtual disassembly document) or, as an extension for the Disassembly
 * view, an `instructionReference`; the target is that linear address as an offset into the current CS.
 */
export function gotoTargets(ctx: SessionContext, args: DebugProtocol.GotoTargetsArguments & { instructionReference?: string }): DebugProtocol.GotoTargetsResponse['body'] {
  const cpu = ctx.machine.cpu;
  let lin: number, line = 0;
  const doc = args.source?.sourceReference ? ctx.disasm.get(args.source.sourceReference) : undefined;
  if (args.instructionReference) {
    lin = parseReference(args.instructionReference, 'instructionReference');
  } else if (doc) {
    const at = ctx.disasm.resolveLine(doc, args.line);
    if (!at) throw new RequestError(`no instruction at or after line ${args.line}`);
    lin = (doc.seg.base + at.offset) >>> 0;
    line = at.line;
  } else {
    const map = args.source?.path ? ctx.sources.forSource(args.source.path) : null;
    if (!map) throw new RequestError(`no NASM listing for ${args.source?.path ?? 'this source'}: add "listing" to the launch configuration`);
    const at = ctx.sources.resolveLine(map, args.line);
    if (!at) throw new RequestError(`no code at or after line ${args.line}`);
    lin = at.address;
    line = at.line;
  }
  const off = (lin - cpu.base[CS]) >>> 0;
  if (off > cpu.limit[CS]) throw new RequestError(`0x${lin.toString(16)} is outside the current code segment`);
  return { targets: [{ id: lin + 1, label: segOff(cpu.sel[CS], off), line, instructionPointerReference: refString(lin) }] };
}

export function goto(ctx: SessionContext, args: DebugProtocol.GotoArguments): void {
  idle(ctx);
  const cpu = ctx.machine.cpu;
  const off = (args.targetId - 1 - cpu.base[CS]) >>> 0;
  if (off > cpu.limit[CS]) throw new RequestError('goto target is outside the current code segment');
  cpu.eip = off;
  cpu.halted = false;
}
