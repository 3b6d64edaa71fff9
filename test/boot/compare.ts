// Control-flow comparison of a Bootscope trace (JSON Lines, `bootscope run --trace`) with a condensed
// QEMU trace (../shared/tools/qemu_trace.py), by the rule of ../shared/boot/QEMU-TRACE.md: the
// sequences of CS:EIP with consecutive duplicates collapsed (REP iterations vary under QEMU),
// keeping only linear addresses QEMU's -dfilter keeps (0x500..0x9FFFF: no BIOS ROM, no IVT/BDA).
import { readFileSync } from 'node:fs';

export interface Step {
  cs: number;
  eip: number;
  /** The whole record, for the divergence report. */
  text: string;
}

const LOW = 0x500, HIGH = 0x9ffff;

function collapse(steps: Step[]): Step[] {
  const out: Step[] = [];
  for (const s of steps) {
    const last = out[out.length - 1];
    if (!last || last.cs !== s.cs || last.eip !== s.eip) out.push(s);
  }
  return out;
}

/** Bootscope's trace: linear = CS<<4 + EIP in real mode, EIP in protected mode (the loaders' flat code segments). */
export function readBootscopeTrace(file: string, limit = Infinity): Step[] {
  const steps: Step[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, number>;
    const lin = r.cr0 & 1 ? r.eip : (r.cs << 4) + r.eip;
    if (lin < LOW || lin > HIGH) continue;
    steps.push({ cs: r.cs, eip: r.eip, text: line });
    if (steps.length >= limit) break;
  }
  return collapse(steps);
}

export function readQemuTrace(file: string): Step[] {
  const steps: Step[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*\d+ ([0-9a-f]{4}):([0-9a-f]{8}) lin=([0-9a-f]{8})/.exec(line);
    if (!m) continue;
    const lin = parseInt(m[3], 16);
    if (lin < LOW || lin > HIGH) continue;
    steps.push({ cs: parseInt(m[1], 16), eip: parseInt(m[2], 16), text: line.trim() });
  }
  return collapse(steps);
}

export interface Comparison {
  /** Collapsed steps that agree from the start. */
  matched: number;
  /** Index (in the collapsed sequences) of the first protected-mode step on the QEMU side, or -1. */
  firstPm: number;
  divergence: string | null;
}

export function compareTraces(ours: Step[], qemu: Step[]): Comparison {
  const n = Math.min(ours.length, qemu.length);
  let i = 0;
  while (i < n && ours[i].cs === qemu[i].cs && ours[i].eip === qemu[i].eip) i++;
  const firstPm = qemu.findIndex((s) => / PM$/.test(s.text));
  let divergence: string | null = null;
  if (i < n) {
    const before = i > 0 ? `last common step: ${qemu[i - 1].text}\n` : '';
    divergence = `first divergence at collapsed step ${i}:\n${before}  bootscope: ${ours[i].text}\n  qemu:      ${qemu[i].text}`;
  }
  return { matched: i, firstPm, divergence };
}

export interface ResyncComparison {
  /** Steps of ours that lined up with QEMU's, counting across resynchronisations. */
  aligned: number;
  /** Interrupt-like excursions skipped (on either side) to line the sequences up again. */
  excursions: number;
  /** Where the sequences could not be lined up again, if they could not. */
  lost: string | null;
}

/**
 * Beyond the first divergence, timer interrupts arrive at different instructions under QEMU (wall
 * clock) and Bootscope (instruction count): an excursion into a handler on one side. This lines the
 * sequences up again by skipping up to `window` steps on one side when the next `run` steps then
 * agree, and counts how far that carries.
 */
export function compareWithResync(ours: Step[], qemu: Step[], window = 3000, run = 32): ResyncComparison {
  const same = (a: Step, b: Step) => a.cs === b.cs && a.eip === b.eip;
  const agree = (i: number, j: number) => {
    for (let k = 0; k < run; k++) {
      if (i + k >= ours.length || j + k >= qemu.length) return k > 0;
      if (!same(ours[i + k], qemu[j + k])) return false;
    }
    return true;
  };
  let i = 0, j = 0, aligned = 0, excursions = 0;
  while (i < ours.length && j < qemu.length) {
    if (same(ours[i], qemu[j])) { i++; j++; aligned++; continue; }
    let found = false;
    for (let k = 1; k <= window && !found; k++) {
      if (j + k < qemu.length && agree(i, j + k)) { j += k; found = true; }
      else if (i + k < ours.length && agree(i + k, j)) { i += k; found = true; }
    }
    if (!found) {
      return { aligned, excursions, lost: `could not line up again at bootscope ${ours[i].text} / qemu ${qemu[j].text}` };
    }
    excursions++;
  }
  return { aligned, excursions, lost: null };
}
