// "Find where this started failing" for one VM-entry check: a reader of the check's status under a hypervisor
// profile for reverse.ts's lastChange, which walks the recording back to the instruction after which the status
// last changed. The SDM checks run only where the state they read changed (vmx/monitor's sample), so a scan over
// hundreds of thousands of instructions costs little more than the replay. Pure TypeScript: no Node or VS Code.

import type { Cpu } from '../cpu/cpu';
import type { FieldReader } from '../record/fields';
import { snapshotFromCpu } from '../vmx/fromCpu';
import { sampleVerdictState, VERDICT_SAMPLE } from '../vmx/monitor';
import { evaluateProfile, type ProfileName } from '../vmx/profiles';

/** Status codes the reader returns. */
export const CHECK_PASS = 0, CHECK_FAIL = 1, CHECK_SKIP = 2, CHECK_NOT_RUN = 3;
const NAMES = ['pass', 'fail', 'skip', 'not run (the hypervisor emulates instead of entering)'];

export function checkStatusName(code: number): string {
  return NAMES[code] ?? `status ${code}`;
}

/** The status of `checkId` under `profile` on the CPU's state, as a number (CHECK_*). */
export function checkStatus(cpu: Cpu, profile: ProfileName, checkId: string): number {
  const r = evaluateProfile(profile, snapshotFromCpu(cpu));
  const c = r.report?.checks.find((k) => k.id === checkId);
  if (!c) return CHECK_NOT_RUN;
  return c.status === 'pass' ? CHECK_PASS : c.status === 'fail' ? CHECK_FAIL : CHECK_SKIP;
}

/** checkStatus memoised on the state it depends on: for scans that call it before every instruction. */
export function checkStatusReader(profile: ProfileName, checkId: string): FieldReader {
  const seen = new Float64Array(VERDICT_SAMPLE).fill(NaN);
  let last = CHECK_NOT_RUN;
  return (cpu) => {
    if (sampleVerdictState(cpu, seen)) last = checkStatus(cpu, profile, checkId);
    return last;
  };
}
