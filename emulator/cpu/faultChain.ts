// The fault chain of one exception delivery: the event the CPU tried to deliver, the rule that made
// its delivery fault (faultRules.ts) and what the CPU did next (deliver the new fault, #DF, or shut
// down), link by link. Recorded by raiseFault only when a delivery faults (slow path); read by the
// CLI, the debug console and the stop description. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 3 §6.15 Interrupt 8, Table 6-5.

import { hex } from '../../protocol/format';
import type { Cpu } from './cpu';
import { EXCEPTION_NAMES, type Fault, INT_EXC, INT_HW } from './faults';
import { type FaultRule, type FaultValues, SHUTDOWN } from './faultRules';
import { CS } from './regs';

export interface FaultLink {
  /** The event being delivered: an exception, or the INT n / IRQ whose delivery started the chain. */
  vector: number;
  /** INT_SOFT, INT_HW or INT_EXC (faults.ts). */
  kind: number;
  /** Its error code, -1 when it has none. */
  errorCode: number;
  /** Where it happened (the faulting instruction, or the return address of INT n). */
  cs: number;
  eip: number;
  /** Why its delivery faulted; null for the last link of a chain whose end was delivered. */
  rule: FaultRule | null;
  values: FaultValues | null;
  /** The fault that delivery raised. */
  raised: { vector: number; errorCode: number } | null;
  /** How the CPU went on (Table 6-5 double fault, shutdown), null when it delivered `raised` as is. */
  then: FaultRule | null;
  /** Why the instruction raised this event, when a rule says (the first link only). */
  cause: FaultCause | null;
}

/** Why an ordinary instruction raised an exception, when its raise site names a rule; kept by raiseFault. */
export interface FaultCause {
  vector: number;
  errorCode: number;
  rule: FaultRule;
  values: FaultValues;
  /** The faulting instruction. */
  cs: number;
  eip: number;
}

/** FAULT's values, copied (the sentinel is reused by the next fault). */
export function valuesOf(f: Fault, kind: number): FaultValues {
  return { event: f.event, eventKind: kind, selector: f.selector, lo: f.lo, hi: f.hi, cpl: f.cpl, level: f.level, limit: f.limit, offset: f.offset, seg: f.seg };
}

/** The cause FAULT names, for raiseFault (slow path: an instruction's exception). */
export function causeOf(cpu: Cpu, f: Fault): FaultCause {
  return { vector: f.vector, errorCode: f.errorCode, rule: f.rule!, values: valuesOf(f, INT_EXC), cs: cpu.sel[CS], eip: cpu.eip >>> 0 };
}

/** A link for `vector` that faulted with FAULT `f`. */
export function failedLink(cpu: Cpu, vector: number, kind: number, errorCode: number, f: Fault): FaultLink {
  return {
    vector, kind, errorCode, cs: cpu.sel[CS], eip: cpu.eip >>> 0, rule: f.rule, values: valuesOf(f, kind),
    raised: { vector: f.vector, errorCode: f.errorCode }, then: null, cause: null,
  };
}

export function deliveredLink(vector: number, errorCode: number, cs: number, eip: number): FaultLink {
  return { vector, kind: INT_EXC, errorCode, cs, eip, rule: null, values: null, raised: null, then: null, cause: null };
}

/** The explanation of a cause (the instruction's fault). */
export function explainCause(c: FaultCause): string {
  return c.rule.explain(c.values);
}

/** The explanation of a link's rule, or of its `then` step (the first and second vectors as values). */
export function explainLink(l: FaultLink): string | null {
  return l.rule && l.values ? l.rule.explain(l.values) : null;
}
export function explainThen(l: FaultLink): string | null {
  if (!l.then || !l.raised) return null;
  return l.then.explain({ event: l.vector, eventKind: l.kind, selector: l.raised.vector, lo: 0, hi: 0, cpl: 0, level: 0, limit: 0, offset: 0, seg: -1 });
}

/** '#GP → #DF → shutdown' (INT n and IRQ links as 'INT 0x30'). */
export function chainPath(chain: readonly FaultLink[]): string {
  const names = chain.map((l) => (l.kind === INT_EXC ? EXCEPTION_NAMES[l.vector]?.split(' ')[0] : undefined)
    ?? `${l.kind === INT_HW ? 'IRQ vector' : 'INT'} ${hex(l.vector, 2)}`);
  if (chain.length && chain[chain.length - 1].then === SHUTDOWN) names.push('shutdown');
  return names.join(' → ');
}

/** The rule that ended the chain (the last link's), for one-line stop descriptions. */
export function lastRule(chain: readonly FaultLink[]): FaultRule | null {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i].rule) return chain[i].rule;
  return null;
}
