// Lock-step comparison of Bootscope's trace (`bootscope run --trace`) with QEMU's (qemuTrace.ts):
// one record per guest instruction on both sides (REP iterations included), state before each
// instruction; CS:EIP and every register of the trace (EAX..ESP, EFLAGS, DS..GS, CR0) must agree
// at every instruction. Guest code only: linear 0x500..0x9FFFF as QEMU's -dfilter keeps it, so a
// BIOS service is one step from the INT to the instruction after it on both sides.
//
// Hardware interrupts into the guest's own handlers (ldlinux's protected-mode IRQ stubs) arrive at
// different instructions — QEMU's timer follows the host clock, ours the instruction count — so a
// handler run on one side only is skipped: it must start as an interrupt entry (IF set before,
// cleared after, a 6- or 12-byte frame pushed) and it ends where that side is back at the
// interrupted instruction with the same stack; from there every register is compared again.
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
  /** Instructions compared that agree (pairs of records). */
  matched: number;
  /** QEMU records up to where the comparison ended: the agreeing ones, dropped repeats and skipped handler runs. */
  qemuCovered: number;
  /** QEMU records dropped as exact repeats of the one before: QEMU logs a block, leaves it for an interrupt before it runs, and logs it again. */
  repeats: number;
  /** Interrupt handler runs skipped, by the side that took them. */
  interrupts: { bootscope: number; qemu: number };
  /** The allowances that applied, each with the instruction where it first did. */
  allowed: string[];
  /** True when the comparison ended at a difference; `end` is then the report. */
  diverged: boolean;
  /** Why the comparison ended: the divergence report, or which trace ran out. */
  end: string;
}

const IF = 0x200;

/**
 * Did `x` just enter an interrupt handler where `y` went on from `last`, the last common state: IF
 * set in `last`, clear in x, x's stack a 16-bit (6-byte) or 32-bit (12-byte) frame deeper than
 * y's — or than last's, when QEMU logged the last instruction and then took the interrupt before it.
 */
function tookInterrupt(last: TraceRecord, x: TraceRecord, y: TraceRecord): boolean {
  const frame = (r: TraceRecord) => [6, 12].includes((r.regs.esp - x.regs.esp) >>> 0);
  return (last.regs.eflags & IF) !== 0 && (x.regs.eflags & IF) === 0 && (frame(y) || frame(last));
}

/** Index of the first record of `x` after `from` that is back at `at` (CS:EIP and ESP), or x.length. */
function returnPoint(x: TraceRecord[], from: number, at: TraceRecord): number {
  let k = from + 1;
  while (k < x.length && !(x[k].cs === at.cs && x[k].eip === at.eip && x[k].regs.esp === at.regs.esp)) k++;
  return k;
}

const hex = (n: number, w = 8) => (n >>> 0).toString(16).padStart(w, '0');
const where = (r: TraceRecord) => `${hex(r.cs, 4)}:${hex(r.eip)}${r.lin !== null ? ` lin=${hex(r.lin)}` : ''}`;
const state = (r: TraceRecord) => TRACE_REGS.map((k) => `${k}=${hex(r.regs[k], k.length === 2 ? 4 : 8)}`).join(' ');
const sameRecord = (a: TraceRecord, b: TraceRecord) =>
  a.lin === b.lin && a.cs === b.cs && a.eip === b.eip && TRACE_REGS.every((k) => a.regs[k] === b.regs[k]);

/** Compares `ours` with `qemu` (both guestOnly, both starting at 0000:7C00) until they differ or one runs out. */
export function lockstep(ours: TraceRecord[], qemu: TraceRecord[], allowances: Allowance[] = []): Lockstep {
  const exempt = new Set<TraceReg>();
  const allowed: string[] = [];
  const interrupts = { bootscope: 0, qemu: 0 };
  let matched = 0, repeats = 0, i = 0, j = 0;
  /** QEMU's record of the last instruction both sides agreed on. */
  let last: TraceRecord | undefined;
  const result = (diverged: boolean, end: string): Lockstep => ({ matched, qemuCovered: j, repeats, interrupts, allowed, diverged, end });
  // Registers that differ between a (ours) and b (QEMU) and are not excused; null when CS:EIP differ.
  // `commit` records what an allowance excused and forgets exemptions once both sides agree.
  const unexcused = (a: TraceRecord, b: TraceRecord, commit: boolean): TraceReg[] | null => {
    if (a.cs !== b.cs || a.eip !== b.eip) return null;
    const out: TraceReg[] = [];
    for (const k of TRACE_REGS) {
      if (a.regs[k] === b.regs[k]) {
        if (commit) exempt.delete(k);
        continue;
      }
      if (exempt.has(k)) continue;
      const allow = last && allowances.find((x) => x.lin === last!.lin && x.regs.includes(k));
      if (!allow) {
        out.push(k);
      } else if (commit) {
        exempt.add(k);
        allowed.push(`${k} after ${where(last!)} (instruction ${i}): ${allow.why}`);
      }
    }
    return out;
  };
  while (i < ours.length && j < qemu.length) {
    while (j > 0 && j + 1 < qemu.length && sameRecord(qemu[j], qemu[j - 1]) && unexcused(ours[i], qemu[j], false)?.length !== 0) {
      j++;
      repeats++;
    }
    const a = ours[i], b = qemu[j];
    const regs = unexcused(a, b, true);
    if (regs?.length === 0) {
      matched++;
      last = b;
      i++;
      j++;
      continue;
    }
    if (!regs && last && tookInterrupt(last, b, a)) {
      interrupts.qemu++;
      j = returnPoint(qemu, j, a);
      if (j === qemu.length) return result(false, `QEMU's trace ends in the interrupt handler entered at record ${b.source} (${where(b)})`);
      continue;
    }
    if (!regs && last && tookInterrupt(last, a, b)) {
      interrupts.bootscope++;
      i = returnPoint(ours, i, b);
      if (i === ours.length) return result(false, `our trace ends in the interrupt handler entered at n=${a.source} (${where(a)})`);
      continue;
    }
    return result(true, [
      `divergence at our guest instruction ${i} (trace n=${a.source}) / QEMU's ${j} (record ${b.source}): ${regs ? 'registers differ' : 'control flow differs'}`,
      `  bootscope ${where(a)}`,
      `  qemu      ${where(b)}`,
      ...(regs ?? []).map((k) => `  ${k.padEnd(6)} bootscope=${hex(a.regs[k])} qemu=${hex(b.regs[k])}`),
      'last agreeing instructions (QEMU):',
      ...qemu.slice(Math.max(0, j - 3), j).map((r) => `  ${where(r)}`),
      'state before the instruction:',
      `  bootscope ${state(a)}`,
      `  qemu      ${state(b)}`,
    ].join('\n'));
  }
  return result(false, i === ours.length ? `our trace ends after ${i} guest instructions` : `QEMU's trace ends after ${j} records`);
}
