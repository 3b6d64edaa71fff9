// The Fault panel's requests and the console's `fault write`: bootscope/readFault gives the fault chain of the last
// exception delivery that faulted (emulator/cpu/faultChain.ts) link by link — or, for an exception delivered without a
// fault, the rule its instruction broke — each with the entries and registers its rule looked at; bootscope/findFaultWrite travels back from the fault to the last write of such an entry's bytes
// or the last change of such a register ("find the write that broke it"), through the recorder's lastWrite and
// lastChange. The chain is remembered from the stop that saw it, so the panel keeps it after time travel.
// Node only; must not import vscode.

import { chainPath, type FaultLink } from '../../emulator/cpu/faultChain';
import { CS } from '../../emulator/cpu/regs';
import { causeLink, linkView } from '../../emulator/debug/faultView';
import type { Cpu } from '../../emulator/cpu/cpu';
import { segOff } from '../../emulator/debug/machineView';
import { hex } from '../../protocol/format';
import type {
  FaultLinkView, FaultSubject, FindFaultWriteArguments, FindFaultWriteResponse, ReadFaultResponse,
} from '../../protocol/customRequests';
import { RequestError, type SessionContext } from '../context';
import { historyTask, type HistoryOutcome, recorderOf } from './timeTravel';

interface SeenFault {
  /** What identifies it: the CPU's fault chain, or the cause of an exception delivered without a fault. */
  key: object;
  chain: readonly FaultLink[];
  /** The instruction count of the stop that saw it. */
  instruction: number;
  tripleFault: boolean;
  links: FaultLinkView[];
}

const seen = new WeakMap<SessionContext, SeenFault>();

/** The last exception's chain, or the cause of one delivered without a fault (faultChain.ts), or null. */
/** Every exception's raise names a rule, so only a CPU that has raised none has nothing to show. */
export const NO_FAULT = 'no fault chain: no exception yet';

export function currentKey(cpu: Cpu): object | null {
  return cpu.faultChain.length ? cpu.faultChain : cpu.faultCause;
}

/**
 * At every stop: a new chain (or an instruction's fault through a rule, as a one-link chain) is remembered with its
 * subjects, computed from the state it was raised in.
 */
export function noteFault(ctx: SessionContext): SeenFault | null {
  const cpu = ctx.machine.cpu;
  const key = currentKey(cpu);
  const last = seen.get(ctx) ?? null;
  if (!key || key === last?.key) return last;
  const chain = cpu.faultChain.length ? cpu.faultChain : [causeLink(cpu.faultCause!)];
  const s: SeenFault = { key, chain, instruction: cpu.icount, tripleFault: cpu.shutdown, links: chain.map((l) => linkView(cpu, l)) };
  seen.set(ctx, s);
  return s;
}

export function readFault(ctx: SessionContext): ReadFaultResponse {
  if (ctx.runner.isRunning) throw new RequestError('pause first: the fault chain is read from a stopped CPU');
  const cpu = ctx.machine.cpu;
  const s = noteFault(ctx);
  if (!s) {
    return { current: true, tripleFault: false, links: [], message: NO_FAULT };
  }
  return { instruction: s.instruction, current: currentKey(cpu) === s.key, path: chainPath(s.chain), tripleFault: s.tripleFault, links: s.links };
}

/** The subject `subject` of link `link` (0-based) of the chain in view, or a RequestError saying what there is. */
function subjectOf(ctx: SessionContext, link: number, subject: number): { s: SeenFault; subject: FaultSubject } {
  const s = noteFault(ctx);
  if (!s) throw new RequestError('no fault to search from: no exception delivery has faulted and no instruction broke a fault rule (info fault)', true);
  const l = s.links[link];
  if (!l) throw new RequestError(`the fault chain has ${s.links.length} link${s.links.length === 1 ? '' : 's'}; there is no link ${link + 1}`, true);
  const sub = l.subjects[subject];
  if (!sub) {
    throw new RequestError(l.subjects.length
      ? `link ${link + 1} has ${l.subjects.length} entr${l.subjects.length === 1 ? 'y' : 'ies'} to search (info fault lists them); there is no ${link + 1}.${subject + 1}`
      : `link ${link + 1}${l.rule ? ` (${l.rule.id})` : ''} names no table entry or register to search`, true);
  }
  return { s, subject: sub };
}

/** Runs the search as the runner's task (pause cancels it); settles once the CPU has arrived. */
function findWrite(ctx: SessionContext, link: number, subject: number): Promise<HistoryOutcome> {
  const rec = recorderOf(ctx);
  const { s, subject: sub } = subjectOf(ctx, link, subject);
  const cpu = ctx.machine.cpu;
  const at = () => segOff(cpu.sel[CS], cpu.eip);
  const from = s.instruction;
  // Searches go back from the fault, wherever the CPU is now.
  const toFault = () => { if (rec.icount !== from) ctx.monitor.quietly(() => rec.seek(from)); };
  if (sub.kind === 'register') {
    const field = sub.field!;
    return historyTask(ctx, `last change of ${field}`, (opts) => { toFault(); return rec.lastChangeAsync(field, opts); }, (hit) => hit
      ? { at: hit.instruction, text: () => `instruction ${hit.instruction} at ${at()} changed ${field} from ${hex(hit.from)} to ${hex(hit.to)} (${sub.label}, link ${link + 1})` }
      : { text: () => `${field} did not change in the recording before the fault (from instruction ${rec.startIcount})` });
  }
  if (sub.physical === undefined) throw new RequestError(`${sub.label}: its page is not present, so there are no bytes to search`, true);
  const phys = sub.physical, length = sub.length ?? 1;
  return historyTask(ctx, `last write to ${sub.label}`, (opts) => { toFault(); return rec.lastWriteAsync(phys, length, opts); }, (hit) => hit
    ? { at: hit.instruction, text: () => `instruction ${hit.instruction} at ${at()} made the last write to ${sub.label} before the fault` }
    : { text: () => `no write to ${sub.label} in the recording before the fault (from instruction ${rec.startIcount}): its bytes are as they were when recording began` });
}

export async function findFaultWrite(ctx: SessionContext, args: FindFaultWriteArguments): Promise<FindFaultWriteResponse> {
  const r = await findWrite(ctx, args.link, args.subject);
  if (r.cancelled) throw new RequestError('the search was cancelled');
  return { found: r.found, instruction: r.icount, message: r.text };
}

/** `fault write [N[.M]]` (1-based; default the first entry of the first link that names one). Null when not one. */
export function faultCommand(ctx: SessionContext, text: string): string | null {
  const m = /^fault\s+write(?:\s+(\S+))?$/i.exec(text.trim());
  if (!m) return null;
  let link = -1, subject = 0;
  if (m[1] !== undefined) {
    const n = /^(\d{1,3})(?:\.(\d{1,3}))?$/.exec(m[1]);
    if (!n || +n[1] < 1 || (n[2] !== undefined && +n[2] < 1)) throw new RequestError(`fault write: give a link and entry as info fault numbers them (e.g. 1.1), not '${m[1]}'`, true);
    link = +n[1] - 1;
    subject = n[2] ? +n[2] - 1 : 0;
  } else {
    link = noteFault(ctx)?.links.findIndex((l) => l.subjects.length > 0) ?? -1;
    if (link < 0) throw new RequestError('fault write: no link of the fault chain names a table entry or register to search (info fault)', true);
  }
  const { subject: sub } = subjectOf(ctx, link, subject);
  void findWrite(ctx, link, subject);
  return `searching the recording for the ${sub.kind === 'register' ? `last change of ${sub.field}` : `last write to ${sub.label}`} before the fault (pause cancels)…`;
}
