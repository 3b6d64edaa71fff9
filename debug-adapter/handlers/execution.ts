// Execution control: continue, pause, next (over CALL/INT/REP), stepIn, stepOut, goto targets
// (set CS:IP to an address in the current code segment). next and stepIn move by source line on a
// line of a DWARF line table, else by one instruction; the runner does the work. Node only; must not
// import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import { segOff } from '../../emulator/debug/machineView';
import { RequestError, type SessionContext, parseReference, refString } from '../context';
import { lockstepRun } from './compare';

function idle(ctx: SessionContext): void {
  if (ctx.runner.isRunning) throw new RequestError('the CPU is already running');
}

/** Continue: in lock-step with QEMU while launch `compareWith` compares (handlers/compare.ts), else Bootscope alone. */
export function continueRun(ctx: SessionContext): DebugProtocol.ContinueResponse['body'] {
  idle(ctx);
  if (ctx.compare?.active) lockstepRun(ctx);
  else ctx.runner.continue();
  return { allThreadsContinued: true };
}

export function pause(ctx: SessionContext): void {
  ctx.runner.pause();
}

/**
 * Whether a step moves by source line: not asked for by instruction (the Disassembly view asks so), and
 * the CPU is on a line of a DWARF line table. NASM listings step by instruction: each line is one.
 */
function byLine(ctx: SessionContext, granularity: DebugProtocol.SteppingGranularity | undefined): boolean {
  return granularity !== 'instruction' && ctx.sources.dwarf.lineSpan(ctx.machine.pcLinear) !== undefined;
}

export function next(ctx: SessionContext, args: DebugProtocol.NextArguments): void {
  idle(ctx);
  if (byLine(ctx, args.granularity)) ctx.runner.stepLine(ctx.sources.dwarf, true);
  else ctx.runner.next();
}

export function stepIn(ctx: SessionContext, args: DebugProtocol.StepInArguments): void {
  idle(ctx);
  if (byLine(ctx, args.granularity)) ctx.runner.stepLine(ctx.sources.dwarf, false);
  else ctx.runner.stepIn();
}

export function stepOut(ctx: SessionContext): void {
  idle(ctx);
  ctx.runner.stepOut();
}

/**
 * Goto targets: a source line (through a DWARF line table, the NASM listing or a virtual disassembly document) or, as an extension for the Disassembly
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
    const at = ctx.sources.resolveSourceLine(args.source?.path ?? 'this source', args.line);
    if ('problem' in at) throw new RequestError(at.problem);
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
