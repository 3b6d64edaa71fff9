// Launch `compareWith`: the session runs in lock-step with QEMU (host/qemu.ts) and stops at the first
// divergence with stop reason "diverged from QEMU"; the Compare panel reads the last comparison
// (bootscope/readCompare) and `compare again` (console, panel, bootscope/compareAgain) runs it anew.
//
// A lock-step run is a runner task: QEMU boots the image from reset while Bootscope goes back to the
// first 0000:7C00 of its recording and comes forward again through it (replaying the history there
// is, with the user's edits to registers and memory), then on into new code, both compared at every
// guest instruction by emulator/record/lockstep.ts. It ends at the first divergence (Bootscope then
// stands before the diverging instruction), at a breakpoint past the position it started from, at
// the budget (`max`), where a side's run ends, or at pause; the last three leave Bootscope after the
// last instruction the two agreed on. After a divergence `continue` runs Bootscope alone (the two no
// longer agree) until `compare again`. Node only; must not import vscode.

import { where } from '../../emulator/record/lockstep';
import { disasmRecord, divergenceLines, rulesLines, stateRows } from '../../emulator/record/divergenceReport';
import { type GuestRecord, GuestRun, guestUndefinedFlags } from '../../emulator/record/guestRun';
import { Lockstep, SEABIOS_ALLOWANCES } from '../../emulator/record/lockstep';
import { segOff } from '../../emulator/debug/machineView';
import { CS } from '../../emulator/cpu/regs';
import { ICOUNT_SHIFT, IDLE_SECONDS, streamQemu } from '../../host/qemu';
import { type CompareInstruction, DIVERGED_FROM_QEMU, type ReadCompareResponse } from '../../protocol/customRequests';
import type { HitDecision } from '../breakpointStore';
import { RequestError, type SessionContext } from '../context';
import type { QemuReference } from '../launch';
import { type Stop, stopReasonFor } from '../runner';
import { recorderOf, restartStack } from './timeTravel';

/** Agreeing instructions the panel shows before a divergence. */
const HISTORY = 20;

/** A session's comparison with QEMU (launch `compareWith`). */
export class LiveCompare {
  /** Forward runs go in lock-step; false after a divergence, until `compare again`. */
  active = true;
  running = false;
  last: ReadCompareResponse;

  /**
   * `entry`: Bootscope's instruction count at the first 0000:7C00 (where QEMU's records start); null
   * when launch `bios` boots a firmware from the reset vector, until the first lock-step run finds it.
   */
  constructor(readonly reference: QemuReference, public entry: number | null) {
    this.last = { state: 'idle', summary: 'no lock-step run yet: continue runs one', reference: this.label };
  }

  get label(): string {
    const r = this.reference;
    return `${r.binary} (${r.accel === 'kvm' ? 'kvm, gdbstub single steps' : `tcg, -icount shift=${ICOUNT_SHIFT}`})`;
  }
}

function liveCompare(ctx: SessionContext): LiveCompare {
  if (!ctx.compare) throw new RequestError('this session does not compare with QEMU: add "compareWith": { "qemu": { "accel": "tcg" } } to the launch configuration', true);
  return ctx.compare;
}

/** Starts a lock-step run as the runner's task (continue in a comparing session, `compare again`). */
export function lockstepRun(ctx: SessionContext): void {
  const lc = liveCompare(ctx);
  const rec = recorderOf(ctx);
  if (rec.startIcount > (lc.entry ?? 0)) {
    const at = lc.entry === null ? 'the reset vector' : `0000:7C00 (instruction ${lc.entry})`;
    throw new RequestError(`compare: the recording no longer reaches ${at}: its oldest part was dropped to stay within its budget ('record budget' raises it)`, true);
  }
  lc.running = true;
  ctx.runner.travel(async (cancelled, progress) => {
    try {
      return await run(ctx, lc, cancelled, progress);
    } finally {
      lc.running = false;
    }
  });
}

/** `compare again` / bootscope/compareAgain: the lock-step run, comparing again from 0000:7C00 whatever ended the last. */
export function compareAgain(ctx: SessionContext): string {
  const lc = liveCompare(ctx);
  if (ctx.runner.isRunning) throw new RequestError('the CPU is running: pause first', true);
  lc.active = true;
  lockstepRun(ctx);
  return `comparing with ${lc.label} from 0000:7C00 (pause cancels)…`;
}

export function readCompare(ctx: SessionContext): ReadCompareResponse {
  if (!ctx.compare) return { state: 'unavailable', summary: 'this session does not compare with QEMU (launch attribute compareWith)' };
  const lc = ctx.compare;
  return lc.running ? { state: 'running', summary: `comparing with ${lc.label}…`, reference: lc.label } : lc.last;
}

const instruction = (index: number, r: GuestRecord): CompareInstruction => ({ index, where: where(r), text: disasmRecord(r, r.bytes), instruction: r.source });

/** Instructions a firmware (launch `bios`) may take to reach 0000:7C00 (SeaBIOS takes about 6 million). */
const FIRMWARE_BUDGET = 100_000_000;
/** Stops of the debugger's own that the search for 0000:7C00 runs past. */
const PASSED = new Set(['breakpoint', 'watchpoint', 'vmentry-failure', 'emulation']);

/**
 * Where a firmware first runs 0000:7C00: the recording from its start (the reset vector) replayed and
 * run on to there. Its instruction count, or why it was not reached.
 */
function firstBootSector(ctx: SessionContext): number | string {
  const rec = ctx.recorder!;
  const m = ctx.machine;
  ctx.monitor.quietly(() => rec.seek(rec.startIcount));
  for (;;) {
    const left = FIRMWARE_BUDGET - m.cpu.icount;
    if (left <= 0) return `the firmware did not reach 0000:7C00 within ${FIRMWARE_BUDGET} instructions`;
    const s = ctx.monitor.quietly(() => rec.run({ maxInstructions: left, until: [{ kind: 'linear', address: 0x7c00 }] }));
    if (s.reason === 'until') return m.cpu.icount;
    if (!PASSED.has(s.reason)) return `the firmware stopped (${s.reason}) before it reached 0000:7C00 at instruction ${m.cpu.icount}`;
  }
}

async function run(ctx: SessionContext, lc: LiveCompare, cancelled: () => boolean, progress: (n: number) => void): Promise<Stop> {
  const rec = ctx.recorder!;
  const m = ctx.machine;
  const from = m.cpu.icount;
  const ref = lc.reference;
  const bp: { hit: HitDecision | null } = { hit: null };
  if (lc.entry === null) {
    const entry = firstBootSector(ctx);
    if (typeof entry === 'string') {
      lc.last = { state: 'failed', summary: entry, reference: lc.label };
      return { reason: 'exception', description: entry };
    }
    lc.entry = entry;
  }
  const entry = lc.entry;
  ctx.monitor.quietly(() => rec.seek(entry));
  const ours = new GuestRun(m, (o) => ctx.monitor.quietly(() => rec.run(o)), {
    // Breakpoints stop the run only past where it started, as a continue's.
    onBreakpoint: () => {
      if (m.cpu.icount <= from) return false;
      const d = ctx.bps.onHit();
      for (const msg of d.messages) ctx.output(msg + '\n');
      if (d.stop) bp.hit = d;
      return d.stop;
    },
  });
  const l = new Lockstep<GuestRecord>(ours.next, { allowances: SEABIOS_ALLOWANCES, history: HISTORY, undefinedFlags: guestUndefinedFlags });
  const started = Date.now();
  let failure: string | null = null;
  let idle = false;
  let records = 0;
  try {
    ({ idle } = await streamQemu(ref.boot, (rs) => {
      for (const r of rs) {
        if (l.matched >= ref.max) return false;
        records++;
        if (!l.push(r)) return false;
      }
      if (cancelled()) return false;
      progress(l.matched);
      return l.matched < ref.max;
    }, 120_000 + ref.max / 10));
  } catch (e) {
    failure = (e as Error).message;
  }
  l.finish(idle ? `QEMU logged no guest instruction (linear 0x500..0x9FFFF) for ${IDLE_SECONDS} s` : null);
  const seconds = (Date.now() - started) / 1000;
  const speed = `${records} QEMU records in ${seconds.toFixed(1)} s`;
  const rules = rulesLines(l);
  const d = l.divergence;
  if (d) {
    ctx.monitor.quietly(() => rec.seek(d.ours.source, d.ours.lin ?? undefined));
    restartStack(ctx);
    lc.active = false;
    const what = d.controlFlow ? `control flow differs (QEMU at ${where(d.qemu)})` : `${d.registers.join(', ')} differ${d.registers.length === 1 ? 's' : ''}`;
    const summary = `diverged from QEMU at instruction ${d.index} from 0000:7C00, ${where(d.ours)}: ${what}`;
    lc.last = {
      state: 'diverged', summary, reference: lc.label, rows: stateRows(d),
      instruction: { ...instruction(d.index, d.ours), qemuWhere: where(d.qemu), controlFlow: d.controlFlow },
      history: d.history.map((r, k) => instruction(d.index - d.history.length + k, r)), rules: [...rules, `speed: ${speed}`],
    };
    const report = divergenceLines(d, {
      origin: 'from 0000:7C00', sources: (x) => `Bootscope instruction ${x.ours.source}; QEMU guest record ${x.qemu.source}`,
    }, (r) => r.bytes);
    return { reason: DIVERGED_FROM_QEMU, description: summary, text: [...report, ...rules].join('\n') };
  }
  // No divergence: Bootscope stands at the breakpoint it reached, or after the last instruction both agreed on.
  const agreed = `${l.matched} instructions from 0000:7C00 agree with QEMU`;
  const hit = ours.exhausted ? bp.hit : null;
  const at = hit ? null : Math.max(from, l.lastAgreed ? l.lastAgreed.source + 1 : from);
  if (at !== null) ctx.monitor.quietly(() => rec.seek(at));
  restartStack(ctx);
  const why = cancelled() ? 'paused' : l.matched >= ref.max ? `the budget (${ref.max})` : l.end ?? 'ended';
  const summary = failure ? `QEMU failed after ${agreed}: ${failure}` : `no divergence: ${agreed} (${why})`;
  lc.last = { state: failure ? 'failed' : 'agreed', summary, reference: lc.label, rules: [...rules, `speed: ${speed}`] };
  ctx.output(`${summary}\n`);
  if (hit) return { reason: stopReasonFor(hit.origins), hitBreakpointIds: hit.ids, description: `breakpoint at ${segOff(m.cpu.sel[CS], m.cpu.eip)}; ${agreed}` };
  return { reason: failure ? 'exception' : 'pause', description: summary };
}
