// Exceptions as values: handlers throw the single preallocated FAULT sentinel (no stack capture),
// the burst loop catches it and delivers the exception. Vector numbers, the contributory/benign
// classes that decide a double fault, and which exceptions push an error code: SDM Vol. 3 §6.15, Table 6-5.
// Pure TypeScript: no Node or VS Code imports.

import type { FaultRule, FaultValues } from './faultRules';

export const DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8;
export const TS = 10, NP = 11, SS_FAULT = 12, GP = 13, PF = 14, MF = 16, AC = 17;

/** Event kinds: software INT n / INT3 / INTO, hardware IRQ, or an exception raised by the CPU. */
export const INT_SOFT = 0, INT_HW = 1, INT_EXC = 2;

export const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range',
  6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault', 10: '#TS invalid TSS',
  11: '#NP segment not present', 12: '#SS stack fault', 13: '#GP general protection', 14: '#PF page fault',
  16: '#MF x87 error', 17: '#AC alignment check',
};

const enum Klass { Benign, Contributory, PageFault }

function classOf(vector: number): Klass {
  if (vector === DE || (vector >= TS && vector <= GP)) return Klass.Contributory;
  if (vector === PF) return Klass.PageFault;
  return Klass.Benign;
}

/** SDM Vol. 3 Table 6-5: does raising `second` while delivering `first` make a double fault? */
export function isDoubleFault(first: number, second: number): boolean {
  const a = classOf(first), b = classOf(second);
  if (a === Klass.Contributory && b === Klass.Contributory) return true;
  if (a === Klass.PageFault && (b === Klass.Contributory || b === Klass.PageFault)) return true;
  return false;
}

/**
 * The sentinel thrown by handlers: fields are set just before the throw. Not an Error, so no stack
 * is captured. Cpu.faultRule, the only way to raise one, sets every field from its rule
 * (faultRules.ts).
 */
export interface Fault extends FaultValues {
  vector: number;
  /** Error code, or -1 when the exception pushes none. */
  errorCode: number;
  /** The SDM rule that fired; null only before the first fault. */
  rule: FaultRule | null;
}
export const FAULT: Fault = {
  vector: 0, errorCode: -1, rule: null, event: -1, eventKind: 0, selector: 0, lo: 0, hi: 0, cpl: 0, level: 0, limit: 0, offset: 0, seg: -1,
};
