// How a lock-step divergence (lockstep.ts) is shown, one definition for `bootscope compare`,
// `bootscope trace-diff` and the debug adapter's Compare panel: both states side by side as rows
// with a mark (differs, differs but excused), the instruction both executed with the last agreeing
// ones before it, and what the rules skipped, dropped and excused on the way.
import { listOne } from '../disasm/listing';
import { type Lockstep, type LockstepDivergence, TRACE_REGS, type TraceRecord, where } from './lockstep';
import { hexLower } from '../../protocol/format';


/** `same`, `differs` (the divergence), `excused` (differs, but a rule excuses it). */
export type StateMark = 'same' | 'differs' | 'excused';

export interface StateRow {
  /** `cs:eip` or a TRACE_REGS name. */
  name: string;
  ours: string;
  qemu: string;
  mark: StateMark;
}

/** Both states before the diverging instruction, CS:EIP first, then TRACE_REGS in order. */
export function stateRows(d: LockstepDivergence): StateRow[] {
  const { ours: a, qemu: b } = d;
  const rows: StateRow[] = [{
    name: 'cs:eip', ours: `${hexLower(a.cs, 4)}:${hexLower(a.eip, 8)}`, qemu: `${hexLower(b.cs, 4)}:${hexLower(b.eip, 8)}`,
    mark: a.cs !== b.cs || a.eip !== b.eip ? 'differs' : 'same',
  }];
  for (const k of TRACE_REGS) {
    const w = k.length === 2 ? 4 : 8;
    const same = a.regs[k] === b.regs[k];
    rows.push({ name: k, ours: hexLower(a.regs[k], w), qemu: hexLower(b.regs[k], w), mark: same ? 'same' : d.controlFlow || d.registers.includes(k) ? 'differs' : 'excused' });
  }
  return rows;
}

/** One instruction in NASM syntax from its bytes (empty when they are unknown or do not decode). */
export function disasmRecord(r: TraceRecord, bytes: Uint8Array | null): string {
  if (!bytes || bytes.length === 0) return '';
  try {
    return listOne(bytes, 0, { org: r.eip, bits: r.code32 ? 32 : 16 }).text;
  } catch {
    return '';
  }
}

/** What the summary line says of the two runs. */
export interface DivergenceLabels {
  /** Where the index counts from, e.g. `from 0000:7C00`. */
  origin: string;
  /** Where each side's record is in its own numbering, e.g. `Bootscope instruction 12, QEMU guest record 10`. */
  sources(d: LockstepDivergence): string;
}

/**
 * The report of a divergence: the summary line, the last agreeing instructions and the diverging
 * one with their disassembly (`code`: an instruction's bytes), both states side by side (`*`
 * differs, `~` differs but excused).
 */
export function divergenceLines<R extends TraceRecord>(d: LockstepDivergence<R>, labels: DivergenceLabels, code: (r: R) => Uint8Array | null): string[] {
  const what = d.controlFlow ? 'control flow differs' : `${d.registers.join(', ')} differ${d.registers.length === 1 ? 's' : ''}`;
  const cells = stateRows(d).map((r) => `${r.mark === 'differs' ? '*' : r.mark === 'excused' ? '~' : ' '} ${r.name.padEnd(6)} ${r.ours.padStart(13)} ${r.qemu.padStart(13)}`);
  const state = [`state before it:  ${'bootscope'.padStart(13)} ${'qemu'.padStart(13)}    ${'bootscope'.padStart(13)} ${'qemu'.padStart(13)}`];
  for (let i = 0; i < cells.length; i += 2) state.push(`  ${cells[i]}${cells[i + 1] ? `   ${cells[i + 1]}` : ''}`);
  return [
    `divergence at instruction ${d.index} ${labels.origin}, at ${where(d.qemu)}: ${what}`,
    `  (${labels.sources(d)})`,
    ...(d.history.length ? ['last agreeing instructions:'] : []),
    ...d.history.map((r, k) => `  ${String(d.index - d.history.length + k).padStart(9)}  ${where(r)}  ${disasmRecord(r, code(r))}`),
    `> ${String(d.index).padStart(9)}  ${where(d.ours)}  ${disasmRecord(d.ours, code(d.ours))}${d.controlFlow ? `   (QEMU: ${where(d.qemu)})` : ''}`,
    ...state,
    `  (* differs, ~ differs but excused${d.flagsExcused ? `: EFLAGS ${hexLower(d.flagsExcused, 8)} left undefined by the instruction before` : ''})`,
  ];
}

/** What a comparison's rules did: its counts (a Lockstep is one). */
export type LockstepRules = Pick<Lockstep, 'interrupts' | 'resyncs' | 'returns' | 'busy' | 'busyPolls' | 'repeats' | 'repEnds' | 'undefinedFlags' | 'allowed'>;

/** Resyncs listed one a line; the rest are counted. */
const RESYNC_LINES = 3;

/** What the rules did on the way: interrupt handler runs skipped, QEMU records dropped, what was excused. */
export function rulesLines(l: LockstepRules): string[] {
  const out = [`resyncs: ${l.interrupts.qemu + l.interrupts.bootscope} interrupt handler runs on one side only skipped (QEMU ${l.interrupts.qemu}, ` +
    `Bootscope ${l.interrupts.bootscope}); QEMU records dropped: ${l.repeats} repeats, ${l.repEnds} REP ends`];
  for (const r of l.resyncs.slice(0, RESYNC_LINES)) {
    out.push(`  at instruction ${r.index}: ${r.records} ${r.side === 'qemu' ? 'QEMU' : 'Bootscope'} records from ${where(r.from)} skipped`);
  }
  const more = l.interrupts.qemu + l.interrupts.bootscope - Math.min(l.resyncs.length, RESYNC_LINES);
  if (more > 0) out.push(`  … (${more} more)`);
  for (const r of l.returns) {
    out.push(`skipped to a common return: at instruction ${r.index} from ${where(r.from)}, ${r.ours} Bootscope and ${r.qemu} QEMU records` +
      (r.to ? `, to ${where(r.to)}${r.scratch.length ? ` (${r.scratch.join(', ')} left by the callee, excused until they agree)` : ''}` : ', no common return'));
  }
  if (l.busyPolls) {
    out.push(`drive busy under QEMU only (its I/O thread still reading): ${l.busyPolls} status polls skipped, our clock moved on by the instructions QEMU spent`);
    for (const p of l.busy.slice(0, RESYNC_LINES)) {
      out.push(`  at instruction ${p.index}: ${p.records} QEMU records from ${where(p.from)}${p.scratch.length ? ` (${p.scratch.join(', ')} left by its polls, excused until they agree)` : ''}`);
    }
  }
  const u = l.undefinedFlags;
  if (u.count) out.push(`excused: EFLAGS bits left undefined by the instruction before, ${u.count} times (the first: ${u.first})`);
  for (const a of l.allowed) out.push(`excused: ${a}`);
  return out;
}
