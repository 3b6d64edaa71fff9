// Reverse execution over DAP (issue 6): stepBack, reverseContinue to the most recent earlier hit of
// any armed stop (code and conditional breakpoints, data breakpoints, the exception, INT n, I/O-port,
// mode-switch and table-load filters), go to an instruction count, and the history queries "last
// write" / "last change" of the debug console. The recorder (emulator/record) does the work; this file
// translates, and keeps the user's view (call stack, pending stops) out of the replays.
// Node only; no vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CS } from '../../emulator/cpu/regs';
import { segOff } from '../../emulator/debug/machineView';
import { MAGIC_STOP } from '../../emulator/debug/magicBreakpoint';
import type { Recorder } from '../../emulator/record/recorder';
import type { ReverseAsyncOptions, ReverseCancelled, ReverseResult, ReverseStops } from '../../emulator/record/reverse';
import { fieldReader } from '../../emulator/record/fields';
import { RequestError, type SessionContext } from '../context';
import { MAX_MEMORY_BYTES } from '../requestArgs';
import { type Stop, type StopReasonName, stopReasonFor } from '../runner';

/** Scans shorter than this report no progress (a progress bar that flashes is noise). */
const PROGRESS_AFTER_MS = 250;
const MIB = 1024 * 1024;
/** How far ahead a goto may run: about two minutes at the speed of a recording session. */
const MAX_GOTO_AHEAD = 10_000_000_000;
/** Instructions a forward goto runs between looks at the event loop (a few milliseconds). */
const GOTO_SLICE = 500_000;
/** The largest recording budget `record budget` accepts: 64 GiB. */
const MAX_BUDGET_MIB = 65536;

export function recorderOf(ctx: SessionContext): Recorder {
  if (!ctx.recorder) throw new RequestError('this session does not record (launch with "record": true to step back)');
  if (ctx.runner.isRunning) throw new RequestError('pause first: time travel needs a stopped CPU');
  return ctx.recorder;
}

/** A scan's options as a runner task gets them: cancelled by pause; progress only once it has taken a while. */
export function scanOptions(rec: Recorder, cancelled: () => boolean, progress: (instructions: number) => void): ReverseAsyncOptions {
  const from = rec.icount;
  const t0 = Date.now();
  return { cancelled, progress: (at) => { if (Date.now() - t0 >= PROGRESS_AFTER_MS) progress(from - at); } };
}

/** After moving in time the shadow call stack no longer matches; it restarts from the new position. */
export function restartStack(ctx: SessionContext): void {
  ctx.monitor.stack.clear();
  ctx.monitor.stack.settle(ctx.machine.cpu);
}

export function arrived(ctx: SessionContext, reason: StopReasonName, description: string): void {
  restartStack(ctx);
  ctx.announceStop({ reason, description: `${description} (instruction ${ctx.machine.cpu.icount})` });
}

/**
 * One instruction back, or — when the position lies on a listing or DWARF line and the client did not ask for
 * instruction granularity — back to the start of the previous source line executed: the most recent earlier
 * arrival at any other line of the listings or at a statement of another line of the DWARF, so a BIOS call or
 * code without lines in between is stepped over as forward `next` does (a callee with lines is stepped into, as
 * gdb's reverse-step does).
 */
export function stepBack(ctx: SessionContext, args?: DebugProtocol.StepBackArguments): void {
  const rec = recorderOf(ctx);
  if (ctx.machine.cpu.icount <= rec.startIcount) {
    arrived(ctx, 'step', 'at the start of the recording');
    return;
  }
  const here = ctx.sources.locate(ctx.machine.pcLinear);
  if (here && args?.granularity !== 'instruction') {
    const code = [
      ...ctx.sources.maps.flatMap((m) => m.lines.filter((l) => l.length > 0 && !(m.source === here.source && l.line === here.line)).map((l) => l.address)),
      ...ctx.sources.dwarf.statementStarts(here),
    ];
    const r = ctx.monitor.quietly(() => rec.reverseContinue({ code }));
    arrived(ctx, 'step', r.reason === 'start' ? 'no earlier source line: at the start of the recording' : 'stepped back a line');
    return;
  }
  ctx.monitor.quietly(() => rec.stepBack(1));
  arrived(ctx, 'step', 'stepped back');
}

/**
 * The user's armed stops as the recorder's: code breakpoints by linear address with their condition
 * and exact selector checked only at a hit (logpoints never stop), data breakpoints as they are, and
 * every filter of the Breakpoints view (exceptions, INT n, I/O ports, mode switches, table loads)
 * through the monitor's own hooks, which see a replay as they see a run.
 */
export function armedStops(ctx: SessionContext): ReverseStops {
  const { bps, monitor } = ctx;
  const stopping = bps.all().filter((b) => !b.logMessage);
  return {
    code: [...new Set(stopping.filter((b) => !b.exact && b.phys === undefined).map((b) => b.linear))],
    csip: stopping.flatMap((b) => (b.exact ? [b.exact] : [])),
    phys: stopping.flatMap((b) => (b.phys !== undefined ? [b.phys] : [])),
    acceptCode: () => bps.at().some((b) => !b.logMessage && bps.conditionHolds(b)),
    data: monitor.watch.items.map((w) => ({ address: w.linear, length: w.length, access: w.access })),
    requested: () => {
      // The monitor's watchpoints see the replay too; their hits are the recorder's data scan's to report.
      monitor.watch.takeHit();
      return monitor.takeExceptionHit()?.description ?? monitor.events.takeHit() ?? monitor.magic.takeHit();
    },
  };
}

/** DAP stop reasons; filter stops say 'exception' as forward runs do (the adapter arms no mode or condition scan itself). */
const REASONS: Record<(ReverseResult | ReverseCancelled)['reason'], StopReasonName> = {
  breakpoint: 'breakpoint', data: 'data breakpoint', requested: 'exception', exception: 'exception', mode: 'exception', condition: 'breakpoint',
  start: 'step', cancelled: 'pause',
};

/** Runs as the runner's task: pause cancels it (back where it started), long scans report progress. */
export function reverseContinue(ctx: SessionContext): void {
  const rec = recorderOf(ctx);
  const stops = armedStops(ctx);
  ctx.runner.travel(async (cancelled, progress) => {
    const r = await rec.reverseContinueAsync(stops, scanOptions(rec, cancelled, progress));
    // What the replays raised (stop requests, hits, call frames) is history, not news: drop it.
    ctx.monitor.quietly(() => undefined);
    restartStack(ctx);
    const stop: Stop = {
      reason: REASONS[r.reason],
      description: `${r.reason === 'start' ? 'reached the start of the recording' : r.detail} (instruction ${rec.icount})`,
    };
    // A magic breakpoint is a breakpoint, as forward (the other hook stops are filters: exception).
    if (r.reason === 'requested' && r.detail.startsWith(MAGIC_STOP)) stop.reason = 'breakpoint';
    if (r.reason === 'breakpoint') {
      // As a forward stop: the origins of the breakpoints here decide what VS Code shows.
      const hits = ctx.bps.at().filter((b) => !b.logMessage);
      stop.reason = stopReasonFor(new Set(hits.map((b) => b.origin)));
      stop.hitBreakpointIds = hits.map((b) => b.id);
    }
    return stop;
  });
}

/**
 * Goes to instruction n as the runner's task, and settles with the answer once it has stopped there. Back within the
 * recording it restores a snapshot and replays at most one interval; forward it runs as a continue does (replaying the
 * recording, then running new code): in slices, between which `threads` and `disconnect` are answered and `pause`
 * stops it where it got to, with progress for long ones. A target further ahead than MAX_GOTO_AHEAD is refused, and
 * one the CPU cannot reach (halted with interrupts off, shut down) ends the goto where it stopped, saying so.
 */
export function gotoInstruction(ctx: SessionContext, n: number): Promise<string> {
  if (!Number.isSafeInteger(n) || n < 0) throw new RequestError(`goto: the instruction count must be a non-negative integer, not ${n}`);
  const rec = recorderOf(ctx);
  const ahead = n - rec.icount;
  if (ahead > MAX_GOTO_AHEAD) {
    throw new RequestError(`goto ${n}: that is ${ahead.toLocaleString('en-US')} instructions ahead; a goto runs at most ${MAX_GOTO_AHEAD.toLocaleString('en-US')} (use a breakpoint and continue)`, true);
  }
  const cpu = ctx.machine.cpu;
  return new Promise((settle) => {
    ctx.runner.travel(async (cancelled, progress) => {
      let text = '';
      let reason: StopReasonName = 'goto';
      try {
        const from = rec.icount, t0 = Date.now();
        const target = Math.max(n, rec.startIcount);
        while (rec.icount !== target) {
          const to = target < rec.icount ? target : Math.min(target, rec.icount + GOTO_SLICE);
          if (ctx.monitor.quietly(() => rec.seek(to)) !== to) break;
          if (rec.icount === target) break;
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (cancelled()) {
            reason = 'pause';
            break;
          }
          if (Date.now() - t0 >= PROGRESS_AFTER_MS) progress(rec.icount - from);
        }
        restartStack(ctx);
        const at = rec.icount;
        text = reason === 'pause' ? `goto ${n}: paused at instruction ${at}`
          : at === n ? `at instruction ${at}`
            : n < at ? `instruction ${n} is before the recording: at instruction ${at}`
              : `goto ${n}: the CPU cannot go on (${cpu.shutdown ? 'it shut down' : 'it is halted and no interrupt can wake it'}); stopped at instruction ${at}`;
      } catch (e) {
        text = `goto ${n}: adapter error: ${(e as Error).message}`;
        reason = 'exception';
      }
      settle(text);
      return { reason, description: `${text} (instruction ${rec.icount})` };
    });
  });
}

/** How a history task ended: its answer's text, and whether it found something (false when cancelled). */
export interface HistoryOutcome {
  text: string;
  found: boolean;
  cancelled: boolean;
  icount: number;
}

/**
 * A history query as the runner's task (as reverseContinue): pause cancels it, a long scan reports progress, and
 * the answer goes to the debug console and into the stop it ends with — at the instruction found, or where it was.
 * The promise settles with the outcome once the stop is decided (for requests that answer with it).
 */
export function historyTask<T>(
  ctx: SessionContext, what: string,
  scan: (opts: ReverseAsyncOptions) => Promise<T | null | ReverseCancelled>,
  answer: (hit: T | null) => { at?: number; text: () => string },
): Promise<HistoryOutcome> {
  const rec = ctx.recorder!;
  return new Promise((settle) => {
    ctx.runner.travel(async (cancelled, progress) => {
      const r = await scan(scanOptions(rec, cancelled, progress));
      ctx.monitor.quietly(() => undefined);
      if (r !== null && (r as ReverseCancelled).reason === 'cancelled') {
        restartStack(ctx);
        const text = `${what}: cancelled`;
        ctx.output(`${text}\n`);
        settle({ text, found: false, cancelled: true, icount: rec.icount });
        return { reason: 'pause', description: `${what} cancelled (instruction ${rec.icount})` };
      }
      const a = answer(r as T | null);
      if (a.at !== undefined) ctx.monitor.quietly(() => rec.seek(a.at!));
      restartStack(ctx);
      const text = a.text();
      ctx.output(`${text}\n`);
      settle({ text, found: r !== null, cancelled: false, icount: rec.icount });
      return { reason: 'goto', description: `${text} (instruction ${rec.icount})` };
    });
  });
}

/**
 * Debug-console commands: `last write <address> [length]`, `last change <field>`, `goto <n>`, and
 * `record budget [MiB]` (what the recording holds; with a size, the new bound: the launch contract
 * has no field for it). Null when not one. The history queries answer at once that they are searching; the
 * result follows in the console and in the stop they end with. `goto` answers once it has arrived.
 */
export function historyCommand(ctx: SessionContext, text: string, addressOf: (expr: string) => number): string | Promise<string> | null {
  const t = text.trim();
  const cpu = ctx.machine.cpu;
  let m = /^last\s+write\s+(.+?)(?:\s+(\d+))?$/i.exec(t);
  if (m) {
    const rec = recorderOf(ctx);
    const what = m[1];
    const address = addressOf(what);
    const length = m[2] ? Number(m[2]) : 1;
    if (length < 1 || length > MAX_MEMORY_BYTES) throw new RequestError(`last write: the length must be 1 to ${MAX_MEMORY_BYTES} bytes, not ${m[2]}`);
    void historyTask(ctx, `last write to ${what}`, (opts) => rec.lastWriteAsync(address, length, opts), (hit) => hit
      ? { at: hit.instruction, text: () => `instruction ${hit.instruction} at ${segOff(cpu.sel[CS], cpu.eip)} wrote 0x${hit.address.toString(16)}` }
      : { text: () => `no write to ${what} in the recording (from instruction ${rec.startIcount})` });
    return `searching the recording for the last write to ${what} (pause cancels)…`;
  }
  m = /^last\s+change\s+(\S+)$/i.exec(t);
  if (m) {
    const rec = recorderOf(ctx);
    const field = m[1];
    try {
      fieldReader(field);
    } catch (e) {
      throw new RequestError((e as Error).message);
    }
    void historyTask(ctx, `last change of ${field}`, (opts) => rec.lastChangeAsync(field, opts), (hit) => hit
      ? { at: hit.instruction, text: () => `instruction ${hit.instruction} at ${segOff(cpu.sel[CS], cpu.eip)} changed ${field} from 0x${hit.from.toString(16)} to 0x${hit.to.toString(16)}` }
      : { text: () => `${field} did not change in the recording (from instruction ${rec.startIcount})` });
    return `searching the recording for the last change of ${field} (pause cancels)…`;
  }
  m = /^record\s+budget(?:\s+(.*))?$/i.exec(t);
  if (m) {
    const rec = recorderOf(ctx);
    if (m[1] !== undefined) {
      if (!/^\d{1,7}$/.test(m[1]) || Number(m[1]) < 1 || Number(m[1]) > MAX_BUDGET_MIB) {
        throw new RequestError(`record budget: give a whole number of MiB from 1 to ${MAX_BUDGET_MIB}, not '${m[1]}'`);
      }
      // Applied at the next snapshot: dropping history never happens in the middle of a request.
      rec.budgetBytes = Number(m[1]) * MIB;
    }
    const s = rec.stats();
    return `recording: ${(rec.bytesUsed / MIB).toFixed(1)} of ${Math.round(rec.budgetBytes / MIB)} MiB, ${s.snapshots} snapshots, instructions ${s.start} to ${s.frontier}`;
  }
  m = /^goto(?:\s+(.*))?$/i.exec(t);
  if (m) {
    if (!/^\d{1,16}$/.test(m[1] ?? '')) throw new RequestError(`goto: give an instruction count (a whole number), not '${m[1] ?? ''}'`);
    return gotoInstruction(ctx, Number(m[1]));
  }
  return null;
}
