// The fault chain (emulator/cpu/faultChain.ts) as the front ends show it: one JSON object per link
// for `bootscope run --json`, text lines for the CLI, `info fault` and the triple-fault stop.
// Pure TypeScript: no Node or VS Code imports.

import { hex } from '../../protocol/format';
import { explainLink, explainThen, type FaultLink } from '../cpu/faultChain';
import type { FaultRule } from '../cpu/faultRules';
import { INT_EXC } from '../cpu/faults';
import { vectorName } from '../cpu/faultRules';
import { segOff } from './machineView';

const KIND_NAMES = ['int', 'irq', 'exception'];

/** One link as `bootscope run --json` gives it (docs/CLI.md "fault"). */
export function linkJson(l: FaultLink): Record<string, unknown> {
  return {
    vector: l.vector, kind: KIND_NAMES[l.kind], errorCode: l.errorCode, cs: l.cs, eip: l.eip,
    rule: l.rule?.id ?? null, section: l.rule?.section ?? null, explanation: explainLink(l),
    ...(l.raised ? { raised: l.raised } : {}),
    ...(l.then ? { then: { rule: l.then.id, section: l.then.section, explanation: explainThen(l) } } : {}),
  };
}

function withCode(vector: number, errorCode: number, kind = INT_EXC): string {
  return `${vectorName(vector, kind)}${errorCode >= 0 ? ` error code ${hex(errorCode, 4)}` : ''}`;
}

/** The chain as text lines (CLI text output, `info fault`). */
export function formatChain(chain: readonly FaultLink[]): string[] {
  const lines: string[] = [];
  chain.forEach((l, i) => {
    lines.push(`${i + 1}. ${withCode(l.vector, l.errorCode, l.kind)} at ${segOff(l.cs, l.eip)}${l.rule ? '' : ': delivered'}`);
    if (l.rule) lines.push(`   ${l.rule.id} (SDM ${l.rule.section}): ${explainLink(l)}`);
    if (l.raised) lines.push(`   → raised ${withCode(l.raised.vector, l.raised.errorCode)}`);
    if (l.then) lines.push(`   → ${l.then.id} (SDM ${l.then.section}): ${explainThen(l)}`);
  });
  return lines;
}

/**
 * The rule whose delivery fault raised exception `vector` in the chain (the exception stop names
 * it: "#NP … raised by IDT.GATE.NOT_PRESENT"), or null when the chain did not raise it.
 */
export function raisedBy(chain: readonly FaultLink[], vector: number): FaultRule | null {
  for (let i = chain.length - 1; i >= 0; i--) {
    const l = chain[i];
    if (l.raised?.vector === vector && l.then === null) return l.rule;
  }
  return null;
}
