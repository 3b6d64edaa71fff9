// The shape of one VM-entry check (SDM Vol. 3 §26.2.1.3 and §26.3.1.x), shared by the check lists and the runner.
// A check is data: id, section, the VMCS fields it reads, when it applies, a predicate and an explanation.
// Pure TypeScript: no Node or VS Code imports.
import type { View } from './view';

export interface EntryCheck {
  /** Stable id, e.g. 'V86.BASE.CS' (per-segment checks end in the segment name). */
  id: string;
  /** Section in the 26.x numbering (Vol. 3C, ≈2011-2021); see oldSection() for the 2009 22.x form. */
  section: string;
  /** 'control' failures are VMfailValid with VM-instruction error 7; 'guest' failures are VM exit 0x80000021. */
  kind: 'guest' | 'control';
  /** VMCS fields read (names from fields.ts); the first is the one the failure is about. */
  fields: string[];
  /** The rule in words, shown when the check passes. */
  rule: string;
  /** Why the rule does not apply to this state (→ skip), or undefined when it applies. */
  skip?: (v: View) => string | undefined;
  /** True when the rule holds. */
  ok: (v: View) => boolean;
  /** The failure in terms of the values; only called when ok() is false. */
  explain: (v: View) => string;
  /** Exit qualification of the VM exit this failure causes (SDM §26.8): 2 PDPTEs, 3 NMI vs STI, 4 link pointer. */
  exitQualification?: number;
}

/** The 2008-2010 Vol. 3B editions number the same text 22.x. */
export function oldSection(section: string): string {
  return section.replace(/^26\./, '22.');
}
