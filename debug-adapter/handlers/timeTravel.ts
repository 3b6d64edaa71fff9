// Reverse execution over DAP (issue 6): stepBack, reverseContinue to the most recent earlier hit of
// any armed stop (code, conditional via the breakpoint store, data, exception filters), go to an
// instruction count, and the history queries "last write" / "last change" of the debug console.
// The recorder (emulator/record) does the work; this file translates. Node only; no vscode.

import { CS } from '../../emulator/cpu/regs';
import { segOff } from '../../emulator/debug/machineView';
import type { Recorder } from '../../emulator/record/recorder';
import { lastChange, lastWrite, reverseContinue as reverseScan, type ReverseStops } from '../../emulator/record/reverse';
import { RequestError, type SessionContext } from '../context';
import type { StopReasonName } from '../runner';

function recorderOf(ctx: SessionContext): Recorder {
  if (!ctx.recorder) throw new RequestError('this session does not record (launch with "record": true to step back)');
  if (ctx.runner.isRunning) throw new RequestError('pause first: time travel needs a stopped CPU');
  return ctx.recorder;
}

/** After moving in time the shadow call stack no longer matches; it restarts from the new position. */
export function arrived(ctx: SessionContext, reason: StopReasonName, description: string): void {
  ctx.monitor.stack.clear();
  ctx.monitor.stack.settle(ctx.machine.cpu);
  ctx.announceStop({ reason, description: `${description} (instruction ${ctx.machine.cpu.icount})` });
}

export function stepBack(ctx: SessionContext): void {
  const rec = recorderOf(ctx);
  if (ctx.machine.cpu.icount <= rec.startIcount) {
    arrived(ctx, 'step', 'at the start of the recording');
    return;
  }
  rec.stepBack(1);
  arrived(ctx, 'step', 'stepped back');
}

function armedStops(ctx: SessionContext): ReverseStops {
  const cpu = ctx.machine.cpu;
  const bps = ctx.bps.all();
  const exact = bps.filter((b) => b.exact || b.condition);
  return {
    code: bps.filter((b) => !b.exact && !b.condition && !b.logMessage).map((b) => b.linear),
    data: ctx.monitor.watch.items.map((w) => ({ address: w.linear, length: w.length, access: w.access })),
    exceptions: ctx.monitor.exceptionFilter.size ? [...ctx.monitor.exceptionFilter] : undefined,
    // SSSS:OOOO and conditional breakpoints need the CPU state at the hit: evaluated per instruction.
    condition: exact.length
      ? () => {
        const lin = (cpu.base[CS] + cpu.eip) >>> 0;
        return exact.some((b) => b.linear === lin && (!b.exact || (b.exact.selector === cpu.sel[CS] && b.exact.offset === cpu.eip)) &&
          (!b.condition || ctx.bps.conditionHolds(b)));
      }
      : null,
  };
}

export function reverseContinue(ctx: SessionContext): void {
  const rec = recorderOf(ctx);
  const r = reverseScan(rec, armedStops(ctx));
  const reason: StopReasonName = r.reason === 'start' ? 'step' : r.reason === 'data' ? 'data breakpoint' : r.reason === 'exception' ? 'exception' : 'breakpoint';
  arrived(ctx, reason, r.reason === 'start' ? 'reached the start of the recording' : r.detail);
}

export function gotoInstruction(ctx: SessionContext, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RequestError(`instruction count must be a non-negative integer, not ${n}`);
  const rec = recorderOf(ctx);
  const at = rec.seek(n);
  arrived(ctx, 'goto', at === n ? `at instruction ${n}` : `instruction ${n} is outside the recording; nearest reachable`);
}

/** Debug-console commands: `last write <address> [length]`, `last change <field>`, `goto <n>`. Null when not one. */
export function historyCommand(ctx: SessionContext, text: string, addressOf: (expr: string) => number): string | null {
  const t = text.trim();
  let m = /^last\s+write\s+(.+?)(?:\s+(\d+))?$/i.exec(t);
  if (m) {
    const rec = recorderOf(ctx);
    const address = addressOf(m[1]);
    const hit = lastWrite(rec, address, m[2] ? Number(m[2]) : 1);
    if (!hit) return `no write to ${m[1]} in the recording (from instruction ${rec.startIcount})`;
    rec.seek(hit.instruction);
    arrived(ctx, 'goto', `last write to 0x${hit.address.toString(16)}`);
    return `instruction ${hit.instruction} at ${segOff(ctx.machine.cpu.sel[CS], ctx.machine.cpu.eip)} wrote 0x${hit.address.toString(16)}`;
  }
  m = /^last\s+change\s+(\S+)$/i.exec(t);
  if (m) {
    const rec = recorderOf(ctx);
    let hit;
    try {
      hit = lastChange(rec, m[1]);
    } catch (e) {
      throw new RequestError((e as Error).message);
    }
    if (!hit) return `${m[1]} did not change in the recording (from instruction ${rec.startIcount})`;
    rec.seek(hit.instruction);
    arrived(ctx, 'goto', `last change of ${m[1]}`);
    return `instruction ${hit.instruction} at ${segOff(ctx.machine.cpu.sel[CS], ctx.machine.cpu.eip)} changed ${m[1]} from 0x${hit.from.toString(16)} to 0x${hit.to.toString(16)}`;
  }
  m = /^goto\s+(\d+)$/i.exec(t);
  if (m) {
    gotoInstruction(ctx, Number(m[1]));
    return `at instruction ${ctx.machine.cpu.icount}`;
  }
  return null;
}
