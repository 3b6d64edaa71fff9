// Lock-step comparison of Bootscope's trace (`bootscope run --trace`) with QEMU's (qemuTrace.ts):
// one record per guest instruction on both sides (REP iterations included), state before each
// instruction; CS:EIP and every register of the trace (EAX..ESP, EFLAGS, DS..GS, CR0) must agree
// at every instruction. Guest code only: linear 0x500..0x9FFFF as QEMU's -dfilter keeps it, so a
// BIOS service is one step from the INT to the instruction after it on both sides.
import { TRACE_REGS, type TraceReg, type TraceRecord } from '../../emulator/record/traceDiff';

const LOW = 0x500, HIGH = 0x9ffff;

/** Keeps guest records; ours carry no linear address in protected mode, where the loaders run flat code above 0x500. */
export function guestOnly(records: TraceRecord[]): TraceRecord[] {
  return records.filter((r) => r.lin === null || (r.lin >= LOW && r.lin <= HIGH));
}

/**
 * A register difference that is not an emulation difference: the instruction at linear `lin` loads
 * data that differs between our BIOS and SeaBIOS (a vector, a table address). The registers stay
 * exempt until both sides hold the same value again.
 */
export interface Allowance {
  lin: number;
  regs: TraceReg[];
  why: string;
}

export interface Lockstep {
  /** Leading instructions that agree (pairs of records). */
  matched: number;
  /** QEMU records those cover: `matched` plus the repeats dropped among them. */
  qemuCovered: number;
  /** QEMU records dropped as exact repeats of the one before: QEMU logs a block, leaves it for an interrupt before it runs, and logs it again. */
  repeats: number;
  /** The allowances that applied, each with the instruction where it first did. */
  allowed: string[];
  /** The report of the first divergence, or null when one side ran out without one. */
  divergence: string | null;
  /**
   * The side that took a hardware interrupt into guest code at the divergence, if that is what it
   * is: QEMU's interrupts follow the host clock and ours the instruction count, so from the first
   * one on the sequences are no longer instruction for instruction comparable.
   */
  interrupt: 'bootscope' | 'qemu' | null;
}

const IF = 0x200;

/** Did `x` just enter an interrupt handler where `y` went on: IF set before, cleared in x, x's stack 6 (16-bit) or 12 (32-bit frame) bytes deeper. */
function tookInterrupt(prev: TraceRecord, x: TraceRecord, y: TraceRecord): boolean {
  const depth = (y.regs.esp - x.regs.esp) >>> 0;
  return (prev.regs.eflags & IF) !== 0 && (x.regs.eflags & IF) === 0 && (y.regs.eflags & IF) !== 0 && (depth === 6 || depth === 12);
}

const hex = (n: number, w = 8) => (n >>> 0).toString(16).padStart(w, '0');
const where = (r: TraceRecord) => `${hex(r.cs, 4)}:${hex(r.eip)}${r.lin !== null ? ` lin=${hex(r.lin)}` : ''}`;
const state = (r: TraceRecord) => TRACE_REGS.map((k) => `${k}=${hex(r.regs[k], k.length === 2 && k !== 'cr0' ? 4 : 8)}`).join(' ');
const sameRecord = (a: TraceRecord, b: TraceRecord) =>
  a.lin === b.lin && a.cs === b.cs && a.eip === b.eip && TRACE_REGS.every((k) => a.regs[k] === b.regs[k]);

/** Compares `ours` with `qemu` (both guestOnly, both starting at 0000:7C00) up to the end of the shorter. */
export function lockstep(ours: TraceRecord[], qemu: TraceRecord[], allowances: Allowance[] = []): Lockstep {
  const exempt = new Set<TraceReg>();
  const allowed: string[] = [];
  let repeats = 0;
  let i = 0, j = 0;
  // Registers that differ at pair (i, j) and are not excused; null when CS:EIP differ.
  const unexcused = (a: TraceRecord, b: TraceRecord, prev: TraceRecord | undefined, index: number, commit: boolean): TraceReg[] | null => {
    if (a.cs !== b.cs || a.eip !== b.eip) return null;
    const out: TraceReg[] = [];
    for (const k of TRACE_REGS) {
      if (a.regs[k] === b.regs[k]) {
        if (commit) exempt.delete(k);
        continue;
      }
      if (exempt.has(k)) continue;
      const allow = prev && allowances.find((x) => x.lin === prev.lin && x.regs.includes(k));
      if (!allow) {
        out.push(k);
      } else if (commit) {
        exempt.add(k);
        allowed.push(`${k} after ${where(prev!)} (instruction ${index}): ${allow.why}`);
      }
    }
    return out;
  };
  for (; i < ours.length && j < qemu.length; i++, j++) {
    const agrees = (q: number) => unexcused(ours[i], qemu[q], qemu[q - 1], i, false)?.length === 0;
    while (j > 0 && j + 1 < qemu.length && sameRecord(qemu[j], qemu[j - 1]) && !agrees(j)) {
      j++;
      repeats++;
    }
    const a = ours[i], b = qemu[j];
    const regs = unexcused(a, b, qemu[j - 1], i, true);
    if (regs?.length === 0) continue;
    const prev = qemu[j - 1];
    const interrupt = regs || !prev ? null : tookInterrupt(prev, b, a) ? 'qemu' : tookInterrupt(prev, a, b) ? 'bootscope' : null;
    const lines = [
      `divergence at instruction ${i} from 0000:7C00 (our trace n=${a.source}, QEMU record ${b.source}): ${regs ? 'registers differ' : interrupt ? `control flow differs: ${interrupt === 'qemu' ? 'QEMU' : 'Bootscope'} took an interrupt` : 'control flow differs'}`,
      `  bootscope ${where(a)}`,
      `  qemu      ${where(b)}`,
      ...(regs ?? []).map((k) => `  ${k.padEnd(6)} bootscope=${hex(a.regs[k])} qemu=${hex(b.regs[k])}`),
      'last agreeing instructions:',
      ...qemu.slice(Math.max(0, j - 3), j).map((r) => `  ${where(r)}`),
      'state before the instruction:',
      `  bootscope ${state(a)}`,
      `  qemu      ${state(b)}`,
    ];
    return { matched: i, qemuCovered: j, repeats, allowed, divergence: lines.join('\n'), interrupt };
  }
  return { matched: i, qemuCovered: j, repeats, allowed, divergence: null, interrupt: null };
}
