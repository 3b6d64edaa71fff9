// The VM-entry checks as one declarative list in SDM order (controls §26.2.1.3, then guest state §26.3.1.1-6),
// and the runner that evaluates all of them (pass/fail/skip, each with a message) and derives what VM entry would
// do: VMfailValid error 7 for a control failure, else VM exit 0x80000021 for a guest-state failure (SDM §26.1, §26.8).
// Pure TypeScript: no Node or VS Code imports.
import { type EntryCheck, oldSection } from './checkTypes';
import { INJECTION_CHECKS } from './checksInjection';
import { NON_REGISTER_CHECKS } from './checksNonRegister';
import { REGISTER_CHECKS } from './checksRegisters';
import { SEGMENT_CHECKS } from './checksSegments';
import { DEFAULT_CAPS, type EntryState, type VmxCaps } from './guestState';
import { type Assumptions, MissingField, View } from './view';

export type { EntryCheck } from './checkTypes';

/** Every check, in the order VM entry performs them. */
export const ENTRY_CHECKS: readonly EntryCheck[] = [
  ...INJECTION_CHECKS,
  ...REGISTER_CHECKS.filter((c) => c.section === '26.3.1.1'),
  ...SEGMENT_CHECKS,
  ...REGISTER_CHECKS.filter((c) => c.section !== '26.3.1.1'),
  ...NON_REGISTER_CHECKS,
];

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  section: string;
  /** The same section in the 2009 (22.x) numbering. */
  oldSection: string;
  kind: 'guest' | 'control';
  /** The VMCS field the result is about (first of `fields`). */
  field: string;
  fields: string[];
  status: CheckStatus;
  /** pass: the rule; fail: the explanation naming the values; skip: why. */
  message: string;
  exitQualification?: number;
}

export type EntryOutcome =
  | { result: 'enter' }
  | { result: 'vmfail'; vmInstructionError: 7; firstFailure: string }
  | { result: 'vm-exit'; exitReason: number; exitQualification: number; firstFailure: string };

export interface EntryReport {
  checks: CheckResult[];
  failures: CheckResult[];
  outcome: EntryOutcome;
}

export interface CheckOptions {
  caps?: Partial<VmxCaps>;
  /** Values for controls the state lacks (e.g. a dump without the control section). */
  assume?: Assumptions;
}

/** VM exit "VM-entry failure due to invalid guest state" (basic reason 33 with bit 31 set; SDM Appendix C). */
export const EXIT_REASON_INVALID_GUEST_STATE = 0x80000021;

function runOne(check: EntryCheck, v: View): CheckResult {
  const base = {
    id: check.id, section: check.section, oldSection: oldSection(check.section), kind: check.kind,
    field: check.fields[0], fields: check.fields,
    ...(check.exitQualification !== undefined ? { exitQualification: check.exitQualification } : {}),
  };
  try {
    const why = check.skip?.(v);
    if (why !== undefined) return { ...base, status: 'skip', message: why };
    if (check.ok(v)) return { ...base, status: 'pass', message: check.rule };
    return { ...base, status: 'fail', message: check.explain(v) };
  } catch (e) {
    if (e instanceof MissingField) {
      const bad = v.state.unreadable?.[e.field];
      const why = e.why ? ` (${e.why})` : '';
      return { ...base, status: 'skip', message: bad ? `needs ${e.field}${why}, which ${bad}` : `needs ${e.field}${why}, which the state does not have` };
    }
    throw e;
  }
}

/** Runs every check (never stops at the first failure) and says what VM entry would do. */
export function runEntryChecks(state: EntryState, options: CheckOptions = {}): EntryReport {
  const v = new View(state, { ...DEFAULT_CAPS, ...options.caps }, options.assume ?? {});
  const checks = ENTRY_CHECKS.map((c) => runOne(c, v));
  const failures = checks.filter((c) => c.status === 'fail');
  return { checks, failures, outcome: outcomeOf(failures) };
}

/** Controls are checked before guest state (SDM §26.2 before §26.3), so any control failure wins. */
export function outcomeOf(failures: CheckResult[]): EntryOutcome {
  const control = failures.find((f) => f.kind === 'control');
  if (control) return { result: 'vmfail', vmInstructionError: 7, firstFailure: control.id };
  const guest = failures.find((f) => f.kind === 'guest');
  if (guest) {
    return { result: 'vm-exit', exitReason: EXIT_REASON_INVALID_GUEST_STATE, exitQualification: guest.exitQualification ?? 0, firstFailure: guest.id };
  }
  return { result: 'enter' };
}
