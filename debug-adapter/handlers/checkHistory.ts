// bootscope/findCheckFailureStart: the VM-entry panel's "find where this started failing" — travels back to the
// instruction after which a failing check last changed status (emulator/debug/checkHistory.ts over the recording).
// Node only; must not import vscode.

import { CHECK_FAIL, checkStatus, checkStatusName, checkStatusReader } from '../../emulator/debug/checkHistory';
import { segOff } from '../../emulator/debug/machineView';
import { CS } from '../../emulator/cpu/regs';
import { profileOf } from './panels';
import type { FindCheckFailureStartArguments, FindCheckFailureStartResponse } from '../../protocol/customRequests';
import { RequestError, type SessionContext } from '../context';
import { historyTask, recorderOf } from './timeTravel';

/** Runs as the runner's task (pause cancels it, progress for long scans); answers once it has arrived. */
export async function findCheckFailureStart(ctx: SessionContext, args: FindCheckFailureStartArguments): Promise<FindCheckFailureStartResponse> {
  const rec = recorderOf(ctx);
  const { checkId } = args ?? ({} as FindCheckFailureStartArguments);
  const profile = profileOf(args?.profile);
  if (typeof checkId !== 'string' || !checkId) throw new RequestError("findCheckFailureStart needs 'checkId' (e.g. SEL.SS_RPL)");
  const cpu = ctx.machine.cpu;
  const now = checkStatus(cpu, profile, checkId);
  if (now !== CHECK_FAIL) throw new RequestError(`${checkId} does not fail here under ${profile} (it is ${checkStatusName(now)})`);
  const start = rec.startIcount;
  const r = await historyTask(ctx, `where ${checkId} started failing (${profile})`, (opts) => rec.lastChangeAsync(checkStatusReader(profile, checkId), opts), (hit) => hit
    ? { at: hit.instruction, text: () => `instruction ${hit.instruction} at ${segOff(cpu.sel[CS], cpu.eip)} made ${checkId} fail (${profile}); before it the check was ${checkStatusName(hit.from)}` }
    : { at: start, text: () => `${checkId} fails (${profile}) since the start of the recording, instruction ${start}` });
  if (r.cancelled) throw new RequestError(`${checkId}: the search was cancelled`);
  return { found: r.found, instruction: r.icount, message: r.text };
}
