// Reads the last exception of a QEMU `-d int,cpu_reset` log or a Bochs log with its panic register dump, for
// `bootscope explain-fault`: the state the emulator logged at the faulting instruction (registers, segment caches,
// descriptor-table registers, control registers), the events it tried to deliver there (QEMU `v=` records, each
// with the exception `check_exception` says its delivery raised), whether it ended in a triple fault, and Bochs's
// own reason line. Tolerant of pasted logs, as the VMCS dump parsers: lines may carry prefixes (quotes, log tags,
// `file:line:`), registers are found by name anywhere on a line, and a log with no dump is a clear error.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §6.15 (vectors, error codes).

import type { SegmentCache } from '../../protocol/customRequests';
import { hex, hexDigits } from '../../protocol/format';
import { FAULT_RULES, type FaultRule } from '../cpu/faultRules';
import { CS, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GS, LDTR, SS, TR } from '../cpu/regs';
import type { Machine } from '../machine';

export class FaultLogError extends Error {}

export type LoggedSegment = SegmentCache;

/** The CPU state an emulator logged (what it logged: absent fields were not in the log). */
export interface LoggedState {
  regs: Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp' | 'esp' | 'eip' | 'eflags', number>>;
  segments: Partial<Record<'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs' | 'ldtr' | 'tr', LoggedSegment>>;
  gdtr?: { base: number; limit: number };
  idtr?: { base: number; limit: number };
  control: Partial<Record<'cr0' | 'cr2' | 'cr3' | 'cr4', number>>;
  cpl?: number;
}

/** One event the logging emulator tried to deliver at the faulting instruction. */
export interface LoggedEvent {
  vector: number;
  /** Its error code, -1 when the log gives none. */
  errorCode: number;
  /** INT n (QEMU i=1). */
  soft: boolean;
  /** The exception its delivery raised (QEMU check_exception old=vector new=…), -1 when it was delivered. */
  raised: number;
  /** The log line (1-based) of its record. */
  line: number;
}

export interface FaultLog {
  source: 'qemu' | 'bochs';
  /** The state at the faulting instruction (QEMU: the first event's dump; Bochs: the panic's dump). */
  state: LoggedState;
  /** The chain as logged, first event first (QEMU); Bochs logs no vectors but the last (`exception(): 3rd (N)`). */
  events: LoggedEvent[];
  tripleFault: boolean;
  /** Bochs's reason lines (`interrupt(): …`, `exception(): …`), or QEMU's `Triple fault`. */
  messages: string[];
  /** The mode the log names (Bochs: "CPU is in protected mode"), else from CR0/EFLAGS. */
  mode: 'real' | 'protected' | 'vm86';
  warnings: string[];
}

const hexv = (s: string) => parseInt(s, 16) >>> 0;

/** Registers by name anywhere on a line: `EAX=00000b40`, `| ESP=00007c00`, `CR0=0x60000011`. */
function scanRegs(line: string, st: LoggedState): void {
  for (const m of line.matchAll(/\b(E[A-D]X|E[SD]I|E[BS]P|EIP|EFL|CR[0234]|CPL)\s*=\s*(?:0x)?([0-9a-f]+)\b/gi)) {
    const name = m[1].toLowerCase();
    const v = name === 'cpl' ? parseInt(m[2], 10) : hexv(m[2]);
    if (name === 'efl') st.regs.eflags = v;
    else if (name === 'cpl') st.cpl = v;
    else if (name.startsWith('cr')) st.control[name as 'cr0'] = v;
    else st.regs[name as 'eax'] = v;
  }
}

const QEMU_SEG: Record<string, keyof LoggedState['segments']> = { ES: 'es', CS: 'cs', SS: 'ss', DS: 'ds', FS: 'fs', GS: 'gs', LDT: 'ldtr', TR: 'tr' };

/**
 * One QEMU dump line: `CS =0018 00000000 ffffffff 00cf9a00 …` (selector, base, limit, the descriptor's high dword
 * with the access byte in bits 8-15 and the flags in 20-23), `GDT=     00007d78 0000001f`.
 */
function scanQemuLine(line: string, st: LoggedState): void {
  const s = /\b(ES|CS|SS|DS|FS|GS|LDT|TR)\s*=\s*([0-9a-f]{4})\s+([0-9a-f]{8,16})\s+([0-9a-f]{8})\s+([0-9a-f]{8})/i.exec(line);
  if (s) {
    const flags = hexv(s[5]);
    st.segments[QEMU_SEG[s[1].toUpperCase()]] = { selector: hexv(s[2]), base: hexv(s[3].slice(-8)), limit: hexv(s[4]), access: ((flags >>> 8) & 0xf0ff) >>> 0 };
    return;
  }
  const t = /\b(GDT|IDT)\s*=\s*([0-9a-f]{8,16})\s+([0-9a-f]{8})/i.exec(line);
  if (t) {
    st[t[1].toLowerCase() === 'gdt' ? 'gdtr' : 'idtr'] = { base: hexv(t[2].slice(-8)), limit: hexv(t[3]) };
    return;
  }
  scanRegs(line, st);
}

const emptyState = (): LoggedState => ({ regs: {}, segments: {}, control: {} });

function modeOf(st: LoggedState): FaultLog['mode'] {
  if (!((st.control.cr0 ?? 0) & 1)) return 'real';
  return (st.regs.eflags ?? 0) & 0x20000 ? 'vm86' : 'protected';
}

function parseQemu(lines: string[]): FaultLog {
  // The part of the log up to the last triple fault's reset (QEMU dumps the reset state after it), else all of it.
  let end = lines.length;
  let tripleFault = false;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/\bTriple fault\b/i.test(lines[i])) {
      tripleFault = true;
      end = i;
      break;
    }
  }
  type Tok = { kind: 'check'; old: number; new: number } | { kind: 'int'; ev: LoggedEvent; cs: number; eip: number };
  const toks: Tok[] = [];
  for (let i = 0; i < end; i++) {
    const c = /check_exception\s+old:\s*(?:0x)?([0-9a-f]+)\s+new\s*(?:0x)?([0-9a-f]+)/i.exec(lines[i]);
    if (c) {
      toks.push({ kind: 'check', old: hexv(c[1]) | 0, new: hexv(c[2]) });
      continue;
    }
    const v = /\bv=([0-9a-f]{2})\s+e=([0-9a-f]{4})\s+i=([01])\s+cpl=(\d)\s+IP=([0-9a-f]{4}):([0-9a-f]{8,16})/i.exec(lines[i]);
    if (v) toks.push({ kind: 'int', ev: { vector: hexv(v[1]), errorCode: hexv(v[2]), soft: v[3] === '1', raised: -1, line: i + 1 }, cs: hexv(v[5]), eip: hexv(v[6].slice(-8)) });
  }
  const ints = toks.flatMap((t, i) => (t.kind === 'int' ? [i] : []));
  if (!ints.length) throw new FaultLogError('no exception record in the log (QEMU `-d int` prints lines with v=, e=, IP=); was it run with -d int?');
  // The chain: the last event whose delivery was not itself raised by a faulting delivery, and those after it.
  let first = ints[ints.length - 1];
  for (let k = ints.length - 1; k > 0; k--) {
    const before = toks[ints[k] - 1];
    if (before?.kind === 'check' && before.old !== -1) first = ints[k - 1];
    else {
      first = ints[k];
      break;
    }
  }
  const events: LoggedEvent[] = [];
  let at: { cs: number; eip: number } | null = null;
  for (let i = first; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'int') {
      events.push(t.ev);
      at ??= { cs: t.cs, eip: t.eip };
    } else if (events.length && t.old === events[events.length - 1].vector) {
      events[events.length - 1].raised = t.new;
    }
  }
  // The dump after the first event's record: the state at the faulting instruction.
  const state = emptyState();
  const from = events[0].line;
  for (let i = from; i < end && i < from + 40; i++) {
    if (i > from && (/\bv=[0-9a-f]{2}\s+e=/i.test(lines[i]) || /check_exception/i.test(lines[i]))) break;
    scanQemuLine(lines[i], state);
  }
  state.regs.eip ??= at!.eip;
  const warnings: string[] = [];
  if (state.segments.cs && state.segments.cs.selector !== at!.cs) warnings.push(`line ${from}: IP names CS ${at!.cs.toString(16)} but the dump's CS is ${state.segments.cs.selector.toString(16)}`);
  if (state.regs.eax === undefined) warnings.push(`line ${from}: no register dump follows the exception record (QEMU prints one with -d int)`);
  return { source: 'qemu', state, events, tripleFault, messages: tripleFault ? ['Triple fault'] : [], mode: modeOf(state), warnings };
}

/** Bochs: `|  CS:0018( 0003| 0|  0) 00000000 ffffffff 1 1`, `| EIP=00007c91 (00007c91)`, `CR0=0x60000011 CR2=…`. */
function scanBochsLine(line: string, st: LoggedState): void {
  const s = /\b(ES|CS|SS|DS|FS|GS):([0-9a-f]{4})\(\s*[0-9a-f]+\|\s*\d\|\s*\d\)\s+([0-9a-f]{8,16})\s+([0-9a-f]{8})\s+([01])\s+([01])/i.exec(line);
  if (s) {
    // Bochs's dump has no access byte: a present, accessed segment of the kind the register holds, with G and D.
    const code = s[1].toUpperCase() === 'CS';
    st.segments[s[1].toLowerCase() as 'cs'] = {
      selector: hexv(s[2]), base: hexv(s[3].slice(-8)), limit: hexv(s[4]),
      access: (code ? 0x9b : 0x93) | (s[6] === '1' ? 0x4000 : 0) | (s[5] === '1' ? 0x8000 : 0),
    };
    return;
  }
  const t = /\b(GDTR|IDTR)\s*[:=]\s*(?:base\s*=\s*)?(?:0x)?([0-9a-f]{8,16}),?\s*(?:limit\s*=\s*)?(?:0x)?([0-9a-f]{1,8})/i.exec(line);
  if (t) {
    st[t[1].toLowerCase() as 'gdtr'] = { base: hexv(t[2].slice(-8)), limit: hexv(t[3]) };
    return;
  }
  const flags = /\bIOPL=(\d)\s+((?:\w+\s+){8,}\w+)/.exec(line);
  if (flags) {
    // `id vip vif ac vm RF nt of df if tf sf ZF af PF cf`: capitals are set bits.
    const bits: Record<string, number> = { ID: 21, VIP: 20, VIF: 19, AC: 18, VM: 17, RF: 16, NT: 14, OF: 11, DF: 10, IF: 9, TF: 8, SF: 7, ZF: 6, AF: 4, PF: 2, CF: 0 };
    let v = 2 | (Number(flags[1]) << 12);
    for (const w of flags[2].split(/\s+/)) if (w === w.toUpperCase() && bits[w] !== undefined) v |= 1 << bits[w];
    st.regs.eflags = v >>> 0;
    return;
  }
  scanRegs(line, st);
}

function parseBochs(lines: string[]): FaultLog {
  // The last panic or shutdown message, and the register dump next to it (Bochs prints one before and one after).
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/exception\(\):\s*3rd\s*\(\d+\)\s*exception with no resolution/i.test(lines[i])) {
      at = i;
      break;
    }
  }
  const tripleFault = at >= 0;
  if (!tripleFault) {
    for (let i = lines.length - 1; i >= 0; i--) if (/>>PANIC<<|\bexception\(\)|interrupt\(\):/.test(lines[i])) { at = i; break; }
  }
  if (at < 0) throw new FaultLogError('no Bochs panic or exception line in the log (Bochs prints "exception(): 3rd (N) exception with no resolution" at a triple fault)');
  // The dump: the lines of `| …` registers just before the panic line (or just after it), and the mode line.
  const dumpLine = (l: string) => /\|\s*(E[A-D]X=|ESP=|EIP=|CR0=|CR3=|IOPL=|\s*(ES|CS|SS|DS|FS|GS):[0-9a-f]{4}\(|GDTR|IDTR)/i.test(l);
  let lo = at - 1;
  while (lo >= 0 && !dumpLine(lines[lo])) if (--lo < at - 4) break;
  let start = -1, stop = -1;
  if (lo >= 0 && dumpLine(lines[lo])) {
    stop = lo + 1;
    start = lo;
    while (start > 0 && (dumpLine(lines[start - 1]) || /CPU is in|\.mode\s*=|EFER|SEG\s+sltr/i.test(lines[start - 1]))) start--;
  } else {
    start = at + 1;
    stop = Math.min(lines.length, at + 30);
  }
  const state = emptyState();
  let mode: FaultLog['mode'] | null = null;
  for (let i = start; i < stop; i++) {
    const m = /CPU is in (real|protected|v8086) mode/i.exec(lines[i]);
    if (m) mode = m[1].toLowerCase() === 'v8086' ? 'vm86' : (m[1].toLowerCase() as 'real' | 'protected');
    scanBochsLine(lines[i], state);
  }
  const messages: string[] = [];
  const events: LoggedEvent[] = [];
  const third = tripleFault ? /3rd\s*\((\d+)\)/.exec(lines[at]) : null;
  // The reason lines before the panic at the same tick (the number that starts each Bochs log line).
  const tick = /^\s*(\d{8,})/.exec(lines[at])?.[1];
  for (let i = Math.max(0, at - 200); i <= at; i++) {
    const r = /(interrupt\(\):.*|exception\(\):.*|fetch_raw_descriptor.*|task_switch.*|load_seg_reg.*)$/i.exec(lines[i]);
    if (r && (!tick || lines[i].includes(tick))) messages.push(r[1].trim());
  }
  if (third) events.push({ vector: 8, errorCode: 0, soft: false, raised: Number(third[1]), line: at + 1 });
  const warnings: string[] = [];
  if (state.regs.eip === undefined) warnings.push(`line ${at + 1}: no register dump next to the panic line (Bochs prints one with each panic)`);
  return { source: 'bochs', state, events, tripleFault, messages: [...new Set(messages)], mode: mode ?? modeOf(state), warnings };
}

/** Parses a QEMU or Bochs log; throws FaultLogError when it is neither or holds no exception. */
export function parseFaultLog(text: string): FaultLog {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.some((l) => /\bv=[0-9a-f]{2}\s+e=[0-9a-f]{4}\s+i=[01]/i.test(l) || /check_exception\s+old:/i.test(l))) return parseQemu(lines);
  if (lines.some((l) => /\[CPU\d*\s*\]|exception\(\):|interrupt\(\):|CPU is in (real|protected|v8086) mode/i.test(l))) return parseBochs(lines);
  throw new FaultLogError('not a QEMU `-d int` log (lines with v=, e=, IP= and check_exception) or a Bochs log (a panic with its register dump)');
}

/**
 * The rules of the table that raise `raised` in the logged mode (a log has no memory to check them against),
 * narrowed by the words of Bochs's reason line when it has one ("not present", "limit", "null", …).
 */
export function candidateRules(raised: number, mode: FaultLog['mode'], messages: readonly string[]): FaultRule[] {
  const real = mode === 'real';
  const rules = FAULT_RULES.filter((r) => r.vector === raised && r.id.startsWith('IVT.') === real && !r.id.startsWith('DF.') && r.id !== 'SHUTDOWN');
  const text = messages.join(' ').toLowerCase();
  const hints: [RegExp, RegExp][] = [
    [/not present|segment not present/, /NOT_PRESENT$/], [/limit|outside|beyond/, /LIMIT$|INDEX$/], [/null/, /NULL$/],
    [/dpl|rpl|cpl|privilege/, /DPL$|RPL$|PRIVILEGE$/], [/not (?:a )?code|code segment|accessible/, /NOT_CODE$|DPL$/],
    [/gate|sys seg|type/, /TYPE$/], [/room|stack/, /ROOM$|STACK/],
  ];
  for (const [words, ids] of hints) {
    if (!words.test(text)) continue;
    const narrowed = rules.filter((r) => ids.test(r.id));
    if (narrowed.length) return narrowed;
  }
  return rules;
}

export interface ReplayResult {
  /** The instruction count at the logged faulting instruction, or null when the run did not get there. */
  instruction: number | null;
  /** Why not, or what differs from the log there ("eflags: logged 0x46, here 0x246"). */
  notes: string[];
}

const GP: (keyof LoggedState['regs'])[] = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp'];
const GP_INDEX: Record<string, number> = { eax: EAX, ecx: ECX, edx: EDX, ebx: EBX, esp: ESP, ebp: EBP, esi: ESI, edi: EDI };
const SEG_INDEX: Record<string, number> = { es: ES, cs: CS, ss: SS, ds: DS, fs: FS, gs: GS, ldtr: LDTR, tr: TR };

/**
 * Runs `m` (booted) to the logged faulting instruction: the first time CS:EIP is there with the logged general
 * registers and CS selector; then the state there beside the log's, each difference a note. At most `max`
 * instructions. The machine is left before the faulting instruction.
 */
export function replayToLoggedFault(m: Machine, log: FaultLog, max: number): ReplayResult {
  const s = log.state;
  const cs = s.segments.cs;
  if (!cs || s.regs.eip === undefined) return { instruction: null, notes: ['the log gives no CS and EIP to run to'] };
  const target = (cs.base + s.regs.eip) >>> 0;
  const cpu = m.cpu;
  const matches = () => cpu.sel[CS] === cs.selector && GP.every((r) => s.regs[r] === undefined || cpu.r32[GP_INDEX[r]] >>> 0 === s.regs[r]);
  for (;;) {
    const left = max - cpu.icount;
    if (left <= 0) return { instruction: null, notes: [`not at ${hexDigits(cs.selector, 4)}:${hexDigits(s.regs.eip, 8)} with the logged registers within ${max} instructions`] };
    const r = m.run({ maxInstructions: left, until: [{ kind: 'linear', address: target }] });
    if (r.reason === 'until') {
      if (matches()) break;
      continue;
    }
    if (r.reason !== 'max') return { instruction: null, notes: [`the run stopped (${r.reason}${r.detail ? `: ${r.detail}` : ''}) before the logged state`] };
  }
  const notes: string[] = [];
  const differ = (what: string, logged: number | undefined, here: number) => {
    if (logged !== undefined && logged >>> 0 !== here >>> 0) notes.push(`${what}: logged ${hex(logged)}, here ${hex(here)}`);
  };
  for (const [name, seg] of Object.entries(s.segments)) {
    const i = SEG_INDEX[name];
    differ(`${name}.selector`, seg.selector, cpu.sel[i]);
    differ(`${name}.base`, seg.base, cpu.base[i]);
    // A Bochs dump has no access byte of its own (faultLog guesses one): compare what it does give.
    if (log.source === 'qemu') differ(`${name}.limit`, seg.limit, cpu.limit[i]);
  }
  differ('gdtr.base', s.gdtr?.base, cpu.gdtrBase);
  differ('gdtr.limit', s.gdtr?.limit, cpu.gdtrLimit);
  differ('idtr.base', s.idtr?.base, cpu.idtrBase);
  differ('idtr.limit', s.idtr?.limit, cpu.idtrLimit);
  // CR0's ET/NE/CD/NW bits and EFLAGS's undefined arithmetic flags differ between emulators: compare PE, PG, VM, IF.
  differ('cr0 (PE, PG)', s.control.cr0 === undefined ? undefined : s.control.cr0 & 0x80000001, cpu.cr0 & 0x80000001);
  differ('cr3', s.control.cr3, cpu.cr3);
  differ('eflags (VM, IF)', s.regs.eflags === undefined ? undefined : s.regs.eflags & 0x20200, cpu.getFlags() & 0x20200);
  return { instruction: cpu.icount, notes };
}
