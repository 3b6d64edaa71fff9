// Why a fault was raised, as data: one entry per SDM rule, like emulator/vmx's VM-entry checks.
// A raise site names its rule and the values it compared (cpu.faultRule fills FAULT on the fault
// path only); the explanation is computed from those values when someone asks. It covers the
// delivery path (IVT/IDT entry, gate, handler CS, inner stack, task gate), the double-fault matrix,
// and ordinary instructions: segment-register loads, LLDT, LTR, segment limit/type violations,
// paging, the I/O bitmap, far and near transfers, and every check of the instruction handlers
// (privilege, IOPL, control registers, #DE, #BR, #UD, #NM, #MF). Cpu.faultRule is the only way to
// raise a fault, so none is without a rule.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 3 §6.10-6.15, §20.1.4, Vol. 2 "INT n".

import { hex } from '../../protocol/format';
import { AC, BR, DE, DF, EXCEPTION_NAMES, GP, INT_EXC, INT_HW, INT_SOFT, MF, NM, NP, PF, SS_FAULT, TS, UD } from './faults';
import { SEG_NAMES } from './regs';

/** The values a rule compared, copied out of FAULT when the chain link is recorded. */
export interface FaultValues {
  /** Vector of the event being delivered when the rule fired, -1 outside delivery. */
  event: number;
  /** That event's kind (faults.ts INT_SOFT, INT_HW, INT_EXC), filled in by the fault chain. */
  eventKind: number;
  /** Selector involved (gate's CS, TSS, new SS), or the IDT/IVT entry's vector. */
  selector: number;
  /** Descriptor or gate bytes 0-3 and 4-7 as read. */
  lo: number;
  hi: number;
  cpl: number;
  /** The privilege level the rule checked against (the handler's ring for the TSS stack rules). */
  level: number;
  /** Table, segment or TSS limit that was compared, and the offset compared with it. */
  limit: number;
  offset: number;
  /** The segment register an ordinary instruction loads or accesses (regs.ts ES…GS), -1 for none. */
  seg: number;
}

export interface FaultRule {
  /** Stable id, e.g. 'IDT.GATE.NOT_PRESENT'. */
  id: string;
  /** SDM section or table, Vol. 3 unless it names Vol. 2. */
  section: string;
  /** The exception the rule raises. */
  vector: number;
  /** The rule in words. */
  rule: string;
  /** The violation in terms of the values. */
  explain: (v: FaultValues) => string;
}

const GATE_TYPES: Record<number, string> = {
  5: 'task gate', 6: '16-bit interrupt gate', 7: '16-bit trap gate', 14: '32-bit interrupt gate', 15: '32-bit trap gate',
};
const SYSTEM_TYPES: Record<number, string> = {
  0: 'reserved type 0', 1: 'available 16-bit TSS', 2: 'LDT', 3: 'busy 16-bit TSS', 4: '16-bit call gate', 8: 'reserved type 8',
  9: 'available 32-bit TSS', 10: 'reserved type 10', 11: 'busy 32-bit TSS', 12: '32-bit call gate', 13: 'reserved type 13',
};

/** 'vector 13 (#GP general protection)', 'vector 48 (INT 0x30)', 'vector 8 (IRQ)'. */
export function vectorName(v: number, kind = INT_EXC): string {
  const what = kind === INT_SOFT ? `INT ${hex(v, 2)}` : kind === INT_HW ? 'IRQ' : EXCEPTION_NAMES[v] ?? `INT ${hex(v, 2)}`;
  return `vector ${v} (${what})`;
}
function during(v: FaultValues): string {
  return v.event >= 0 ? `delivering ${vectorName(v.event, v.eventKind)}: ` : '';
}
function typeName(hi: number): string {
  const t = (hi >>> 8) & 0x1f;
  if (t & 0x10) return t & 8 ? 'a code segment' : 'a data segment';
  const name = GATE_TYPES[t] ?? SYSTEM_TYPES[t];
  return `${/^(?:[aeiou]|LDT)/i.test(name) ? 'an' : 'a'} ${name} (type ${t})`;
}
function dpl(hi: number): number {
  return (hi >>> 13) & 3;
}
function desc(v: FaultValues): string {
  return `descriptor ${hex(v.hi, 8)}_${hex(v.lo, 8).slice(2)}`;
}
function sel(s: number): string {
  return `selector ${hex(s, 4)} (index ${s >>> 3}, ${s & 4 ? 'LDT' : 'GDT'}, RPL ${s & 3})`;
}
function outsideTable(v: FaultValues, what: string): string {
  if (v.selector & 4 && v.limit < 0) return `${during(v)}${what} ${sel(v.selector)} points into the LDT but LDTR is null`;
  return `${during(v)}${what} ${sel(v.selector)} needs bytes ${hex(v.offset)}-${hex(v.offset + 7)} of the ${v.selector & 4 ? 'LDT' : 'GDT'}, whose limit is ${hex(v.limit)}`;
}

function rule(id: string, section: string, vector: number, text: string, explain: (v: FaultValues) => string): FaultRule {
  return { id, section, vector, rule: text, explain };
}

export const IVT_ENTRY_LIMIT = rule('IVT.ENTRY.LIMIT', '20.1.4', GP, 'a real-mode vector\'s 4-byte IVT entry lies within the IDTR limit',
  (v) => `${during(v)}IVT entry ${v.selector} needs bytes ${hex(v.offset)}-${hex(v.offset + 3)} but the IDTR limit is ${hex(v.limit)}`);
function realStack(v: FaultValues): string {
  return `${during(v)}pushing FLAGS, CS and IP needs the word at SS:${hex(v.offset)}, but stack segment ${hex(v.selector, 4)} ends at ${hex(v.limit)} (SP ${hex(v.lo)})`;
}
export const IVT_STACK_LIMIT = rule('IVT.STACK.LIMIT', '20.1.4', SS_FAULT, 'the real-mode interrupt frame fits in the stack segment',
  realStack);
export const IVT_STACK_LIMIT_80286 = rule('IVT.STACK.LIMIT.80286', '20.1.4', GP, 'the real-mode interrupt frame fits in the stack segment (the 80286 raises #GP)',
  realStack);
export const IDT_ENTRY_LIMIT = rule('IDT.ENTRY.LIMIT', '6.10', GP, 'the vector\'s 8-byte gate lies within the IDTR limit',
  (v) => `${during(v)}IDT entry ${v.selector} needs bytes ${hex(v.offset)}-${hex(v.offset + 7)} but the IDTR limit is ${hex(v.limit)}`);
export const IDT_GATE_TYPE = rule('IDT.GATE.TYPE', '6.11', GP, 'an IDT entry is a task, interrupt or trap gate (the 80286 has 16-bit ones only)',
  (v) => `${during(v)}IDT entry ${v.selector} (${desc(v)}) is ${typeName(v.hi)}, not a task, interrupt or trap gate this CPU has`);
export const IDT_GATE_DPL = rule('IDT.GATE.DPL', '6.12.1.1', GP, 'INT n, INT3 and INTO need gate DPL >= CPL',
  (v) => `${during(v)}software interrupt at CPL ${v.cpl} through IDT entry ${v.selector} whose gate DPL is ${dpl(v.hi)} (< CPL)`);
export const IDT_GATE_NOT_PRESENT = rule('IDT.GATE.NOT_PRESENT', '6.11', NP, 'the IDT gate is present (P = 1)',
  (v) => `${during(v)}IDT entry ${v.selector} (${desc(v)}) is not present (P = 0)`);
export const GATE_CS_NULL = rule('GATE.CS.NULL', '6.12.1', GP, 'the gate\'s code selector is not null',
  (v) => `${during(v)}the gate names the null code ${sel(v.selector)}`);
export const GATE_CS_INDEX = rule('GATE.CS.INDEX', '6.12.1', GP, 'the gate\'s code selector lies within its descriptor table',
  (v) => outsideTable(v, 'the gate\'s code'));
export const GATE_CS_NOT_CODE = rule('GATE.CS.NOT_CODE', '6.12.1', GP, 'the gate\'s selector names a code segment',
  (v) => `${during(v)}the gate's ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not a code segment`);
export const GATE_CS_DPL = rule('GATE.CS.DPL', '6.12.1', GP, 'the handler\'s code segment has DPL <= CPL',
  (v) => `${during(v)}the handler's code segment ${sel(v.selector)} has DPL ${dpl(v.hi)} > CPL ${v.cpl}`);
export const GATE_CS_NOT_PRESENT = rule('GATE.CS.NOT_PRESENT', '6.12.1', NP, 'the handler\'s code segment is present',
  (v) => `${during(v)}the handler's code segment ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const GATE_CS_LIMIT = rule('GATE.CS.LIMIT', 'Vol. 2 INT n', GP, 'the gate\'s offset lies within the handler\'s code segment limit',
  (v) => `${during(v)}the handler offset ${hex(v.offset)} is beyond the limit ${hex(v.limit)} of code ${sel(v.selector)}`);
export const GATE_VM86_CS = rule('GATE.VM86.CS', '20.3.1.1', GP, 'an interrupt from vm86 goes to a non-conforming DPL 0 code segment',
  (v) => `${during(v)}interrupt from vm86 to code ${sel(v.selector)} which is ${(v.hi & 0x400) !== 0 ? 'conforming' : `DPL ${dpl(v.hi)}`}; it must be non-conforming with DPL 0`);
export const STACK_TSS_LIMIT = rule('STACK.TSS.LIMIT', '7.2.1', TS, 'the TSS holds the SS:ESP of the handler\'s privilege level',
  (v) => `${during(v)}ring-${v.level} SS:ESP is at TSS offset ${hex(v.offset)} but the TSS ${sel(v.selector)} limit is ${hex(v.limit)}`);
export const STACK_TSS_SS_NULL = rule('STACK.TSS.SS.NULL', '6.12.1', TS, 'the TSS\'s stack selector for the new level is not null',
  (v) => `${during(v)}the TSS gives the null ${sel(v.selector)} as the ring-${v.level} stack`);
export const STACK_TSS_SS_INDEX = rule('STACK.TSS.SS.INDEX', '6.12.1', TS, 'the TSS\'s stack selector lies within its descriptor table',
  (v) => outsideTable(v, 'the TSS\'s ring-n stack'));
export const STACK_TSS_SS_RPL = rule('STACK.TSS.SS.RPL', '6.12.1', TS, 'the new stack selector\'s RPL equals the new CPL',
  (v) => `${during(v)}the TSS's ring-${v.level} stack ${sel(v.selector)} has RPL ${v.selector & 3}, not ${v.level}`);
export const STACK_TSS_SS_DPL = rule('STACK.TSS.SS.DPL', '6.12.1', TS, 'the new stack segment\'s DPL equals the new CPL',
  (v) => `${during(v)}the TSS's ring-${v.level} stack ${sel(v.selector)} has DPL ${dpl(v.hi)}, not ${v.level}`);
export const STACK_TSS_SS_TYPE = rule('STACK.TSS.SS.TYPE', '6.12.1', TS, 'the new stack segment is a writable data segment',
  (v) => `${during(v)}the TSS's ring-${v.level} stack ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not writable data`);
export const STACK_TSS_SS_NOT_PRESENT = rule('STACK.TSS.SS.NOT_PRESENT', '6.12.1', SS_FAULT, 'the new stack segment is present',
  (v) => `${during(v)}the TSS's ring-${v.level} stack ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const STACK_ROOM = rule('STACK.ROOM', '6.12.1', SS_FAULT, 'the interrupt frame fits in the stack segment',
  (v) => `${during(v)}pushing ${v.offset} bytes below ESP ${hex(v.lo)} leaves stack segment ${sel(v.selector)} (limit ${hex(v.limit)})`);
export const TASK_TSS_LDT = rule('TASK.TSS.LDT', 'Vol. 2 INT n', GP, 'a task gate\'s TSS selector points into the GDT',
  (v) => `${during(v)}the task gate's TSS ${sel(v.selector)} has TI = 1; a TSS descriptor must be in the GDT`);
export const TASK_TSS_INDEX = rule('TASK.TSS.INDEX', 'Vol. 2 INT n', GP, 'a task gate\'s TSS selector lies within the GDT',
  (v) => outsideTable(v, 'the task gate\'s TSS'));
export const TASK_TSS_TYPE = rule('TASK.TSS.TYPE', 'Vol. 2 INT n', GP, 'a task gate names an available TSS',
  (v) => `${during(v)}the task gate's TSS ${sel(v.selector)} names ${typeName(v.hi)}, not an available TSS`);
export const TASK_TSS_NOT_PRESENT = rule('TASK.TSS.NOT_PRESENT', 'Vol. 2 INT n', NP, 'a task gate\'s TSS is present',
  (v) => `${during(v)}the task gate's TSS ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
// Task switch through a task gate (also JMP/CALL to a TSS; event -1 then): SDM Vol. 3 §7.3 Table 7-1.
export const TASK_TSS_LIMIT = rule('TASK.TSS.LIMIT', 'Table 7-1', TS, 'the new TSS limit is at least 67H (32-bit) or 2BH (16-bit)',
  (v) => `${during(v)}the new TSS ${sel(v.selector)} has limit ${hex(v.limit)}, below the minimum ${hex(v.offset)}`);
export const TASK_TSS_CURRENT_LIMIT = rule('TASK.TSS.CURRENT_LIMIT', 'Table 7-1', TS, 'the current TSS can hold the saved state',
  (v) => `${during(v)}the current TSS ${sel(v.selector)} has limit ${hex(v.limit)}, below the ${hex(v.offset)} the saved state needs`);
export const TASK_TSS_CURRENT_INDEX = rule('TASK.TSS.CURRENT_INDEX', '7.3', GP, 'the current TSS\'s descriptor (TR) still lies within the GDT when JMP or IRET clears its busy bit',
  (v) => outsideTable(v, 'the current task\'s TSS (TR)'));
export const TASK_LDT_TYPE = rule('TASK.LDT.TYPE', 'Table 7-1', TS, 'the new task\'s LDT selector names an LDT descriptor in the GDT',
  (v) => `${during(v)}the new task's LDT ${sel(v.selector)} ${v.selector & 4 ? 'has TI = 1' : `names ${typeName(v.hi)}`}; it must name an LDT in the GDT`);
export const TASK_LDT_INDEX = rule('TASK.LDT.INDEX', 'Table 7-1', TS, 'the new task\'s LDT selector lies within the GDT',
  (v) => outsideTable(v, 'the new task\'s LDT'));
export const TASK_LDT_NOT_PRESENT = rule('TASK.LDT.NOT_PRESENT', 'Table 7-1', TS, 'the new task\'s LDT is present',
  (v) => `${during(v)}the new task's LDT ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const TASK_CS_NULL = rule('TASK.CS.NULL', 'Table 7-1', TS, 'the new task\'s CS is not null',
  (v) => `${during(v)}the new task's CS is the null ${sel(v.selector)}`);
export const TASK_CS_INDEX = rule('TASK.CS.INDEX', 'Table 7-1', TS, 'the new task\'s CS lies within its descriptor table',
  (v) => outsideTable(v, 'the new task\'s CS'));
export const TASK_CS_NOT_CODE = rule('TASK.CS.NOT_CODE', 'Table 7-1', TS, 'the new task\'s CS names a code segment',
  (v) => `${during(v)}the new task's CS ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not a code segment`);
export const TASK_CS_DPL = rule('TASK.CS.DPL', 'Table 7-1', TS, 'the new task\'s CS has DPL = RPL (conforming: DPL <= RPL)',
  (v) => `${during(v)}the new task's CS ${sel(v.selector)} is ${(v.hi & 0x400) !== 0 ? 'conforming' : 'non-conforming'} with DPL ${dpl(v.hi)} but RPL ${v.selector & 3}`);
export const TASK_CS_NOT_PRESENT = rule('TASK.CS.NOT_PRESENT', 'Table 7-1', NP, 'the new task\'s code segment is present',
  (v) => `${during(v)}the new task's CS ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const TASK_SS_NULL = rule('TASK.SS.NULL', 'Table 7-1', TS, 'the new task\'s SS is not null',
  (v) => `${during(v)}the new task's SS is the null ${sel(v.selector)}`);
export const TASK_SS_INDEX = rule('TASK.SS.INDEX', 'Table 7-1', TS, 'the new task\'s SS lies within its descriptor table',
  (v) => outsideTable(v, 'the new task\'s SS'));
export const TASK_SS_TYPE = rule('TASK.SS.TYPE', 'Table 7-1', TS, 'the new task\'s SS names a writable data segment',
  (v) => `${during(v)}the new task's SS ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not writable data`);
export const TASK_SS_PRIVILEGE = rule('TASK.SS.PRIVILEGE', 'Table 7-1', TS, 'the new task\'s SS has RPL = DPL = the new CPL',
  (v) => `${during(v)}the new task's SS ${sel(v.selector)} has RPL ${v.selector & 3} and DPL ${dpl(v.hi)} but the new CPL is ${v.cpl}`);
export const TASK_SS_NOT_PRESENT = rule('TASK.SS.NOT_PRESENT', 'Table 7-1', SS_FAULT, 'the new task\'s stack segment is present',
  (v) => `${during(v)}the new task's SS ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const TASK_DATA_INDEX = rule('TASK.DATA.INDEX', 'Table 7-1', TS, 'the new task\'s DS, ES, FS, GS lie within their descriptor tables',
  (v) => outsideTable(v, 'the new task\'s data segment'));
export const TASK_DATA_TYPE = rule('TASK.DATA.TYPE', 'Table 7-1', TS, 'the new task\'s DS, ES, FS, GS name data or readable code with DPL >= max(CPL, RPL)',
  (v) => `${during(v)}the new task's data segment ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}) with DPL ${dpl(v.hi)}; it must be data or readable code with DPL >= max(CPL ${v.cpl}, RPL ${v.selector & 3})`);
export const TASK_DATA_NOT_PRESENT = rule('TASK.DATA.NOT_PRESENT', 'Table 7-1', NP, 'the new task\'s data segments are present',
  (v) => `${during(v)}the new task's data segment ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
export const TASK_EIP_LIMIT = rule('TASK.EIP.LIMIT', 'Table 7-1', GP, 'the new task\'s EIP lies within its CS limit',
  (v) => `${during(v)}the new task's EIP ${hex(v.offset)} is beyond the limit ${hex(v.limit)} of its CS ${sel(v.selector)}`);
export const DELIVERY_PAGE_FAULT = rule('DELIVERY.PAGE_FAULT', '6.15 Interrupt 14', PF, 'the tables and stack that delivery touches are mapped',
  (v) => `${during(v)}the access to linear ${hex(v.offset, 8)} (CR2) faulted: a descriptor table, TSS or stack page is not mapped or not writable`);

// Ordinary instructions (event -1, `seg` the register): segment-register loads by MOV/POP/LDS…LSS (SDM Vol. 2
// "MOV", "POP"; Vol. 3 §5.5-5.6), LLDT and LTR (Vol. 2 "LLDT", "LTR"), and accesses beyond a segment's limit or
// against its type (Vol. 3 §5.3, §6.15 Interrupts 12 and 13).
function reg(v: FaultValues): string {
  return (SEG_NAMES[v.seg] ?? 'a segment register').toUpperCase();
}
export const SEG_LOAD_SS_NULL = rule('SEG.LOAD.SS.NULL', 'Vol. 2 MOV', GP, 'SS cannot be loaded with a null selector',
  (v) => `loading SS with the null ${sel(v.selector)}`);
export const SEG_LOAD_INDEX = rule('SEG.LOAD.INDEX', 'Vol. 2 MOV', GP, 'a segment selector lies within its descriptor table',
  (v) => outsideTable(v, `loading ${reg(v)}: the new`));
export const SEG_LOAD_SS_RPL = rule('SEG.LOAD.SS.RPL', 'Vol. 2 MOV', GP, 'SS\'s selector has RPL = CPL',
  (v) => `loading SS with ${sel(v.selector)} at CPL ${v.cpl}: its RPL ${v.selector & 3} is not the CPL`);
export const SEG_LOAD_SS_TYPE = rule('SEG.LOAD.SS.TYPE', 'Vol. 2 MOV', GP, 'SS is loaded with a writable data segment',
  (v) => `loading SS with ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)})${v.hi & 0x1000 && !(v.hi & 0x800) ? ' that is read-only' : ''}, not writable data`);
export const SEG_LOAD_SS_DPL = rule('SEG.LOAD.SS.DPL', 'Vol. 2 MOV', GP, 'SS\'s segment has DPL = CPL',
  (v) => `loading SS with ${sel(v.selector)} at CPL ${v.cpl}: its segment has DPL ${dpl(v.hi)} (${desc(v)})`);
export const SEG_LOAD_SS_NOT_PRESENT = rule('SEG.LOAD.SS.NOT_PRESENT', 'Vol. 2 MOV', SS_FAULT, 'SS\'s segment is present',
  (v) => `loading SS with ${sel(v.selector)}: its segment (${desc(v)}) is not present (P = 0)`);
export const SEG_LOAD_DATA_TYPE = rule('SEG.LOAD.DATA.TYPE', 'Vol. 2 MOV', GP, 'DS, ES, FS and GS are loaded with data or readable code segments',
  (v) => `loading ${reg(v)} with ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)})${v.hi & 0x1000 ? ' that is execute-only' : ''}`);
export const SEG_LOAD_DATA_PRIVILEGE = rule('SEG.LOAD.DATA.PRIVILEGE', 'Vol. 2 MOV', GP, 'a data or non-conforming code segment has DPL >= max(CPL, RPL)',
  (v) => `loading ${reg(v)} with ${sel(v.selector)} at CPL ${v.cpl}: its segment has DPL ${dpl(v.hi)} < max(CPL ${v.cpl}, RPL ${v.selector & 3})`);
export const SEG_LOAD_DATA_NOT_PRESENT = rule('SEG.LOAD.DATA.NOT_PRESENT', 'Vol. 2 MOV', NP, 'a data segment register\'s new segment is present',
  (v) => `loading ${reg(v)} with ${sel(v.selector)}: its segment (${desc(v)}) is not present (P = 0)`);
export const LLDT_TI = rule('LLDT.TI', 'Vol. 2 LLDT', GP, 'LLDT\'s selector points into the GDT',
  (v) => `LLDT ${sel(v.selector)}: TI = 1; an LDT descriptor must be in the GDT`);
export const LLDT_INDEX = rule('LLDT.INDEX', 'Vol. 2 LLDT', GP, 'LLDT\'s selector lies within the GDT',
  (v) => outsideTable(v, 'LLDT\'s'));
export const LLDT_TYPE = rule('LLDT.TYPE', 'Vol. 2 LLDT', GP, 'LLDT\'s selector names an LDT descriptor',
  (v) => `LLDT ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not an LDT`);
export const LLDT_NOT_PRESENT = rule('LLDT.NOT_PRESENT', 'Vol. 2 LLDT', NP, 'LLDT\'s LDT is present',
  (v) => `LLDT ${sel(v.selector)}: the LDT (${desc(v)}) is not present (P = 0)`);
export const LTR_NULL = rule('LTR.NULL', 'Vol. 2 LTR', GP, 'LTR\'s selector is not null',
  (v) => `LTR with the null ${sel(v.selector)}`);
export const LTR_TI = rule('LTR.TI', 'Vol. 2 LTR', GP, 'LTR\'s selector points into the GDT',
  (v) => `LTR ${sel(v.selector)}: TI = 1; a TSS descriptor must be in the GDT`);
export const LTR_INDEX = rule('LTR.INDEX', 'Vol. 2 LTR', GP, 'LTR\'s selector lies within the GDT',
  (v) => outsideTable(v, 'LTR\'s'));
export const LTR_TYPE = rule('LTR.TYPE', 'Vol. 2 LTR', GP, 'LTR\'s selector names an available TSS this CPU has',
  (v) => `LTR ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not an available TSS${(v.hi >>> 8 & 0x1f) === 9 ? ' this CPU has' : ''}`);
export const LTR_NOT_PRESENT = rule('LTR.NOT_PRESENT', 'Vol. 2 LTR', NP, 'LTR\'s TSS is present',
  (v) => `LTR ${sel(v.selector)}: the TSS (${desc(v)}) is not present (P = 0)`);
function access(v: FaultValues): string {
  if (v.lo & 0x10000) return `an access through ${reg(v)}, which holds the null ${sel(v.selector)} (unusable)`;
  return `an access through ${reg(v)} (${sel(v.selector)}, base ${hex(v.hi, 8)}, limit ${hex(v.limit)}, access rights ${hex(v.lo, 4)}) falls outside its limit or is not allowed by its type`;
}
export const SEG_ACCESS = rule('SEG.ACCESS', '5.3, 6.15 Interrupt 13', GP, 'an access lies within its segment\'s limit, through a usable segment whose type allows it',
  access);
export const SEG_ACCESS_SS = rule('SEG.ACCESS.SS', '5.3, 6.15 Interrupt 12', SS_FAULT, 'a stack access lies within SS\'s limit',
  access);

// Far JMP/CALL to a code segment and far RET/IRET (SDM Vol. 2 "JMP", "CALL", "RET", "IRET"; Vol. 3 §5.8): `selector`
// the target (or return CS / SS), `lo`/`hi` its descriptor, `level` the return's RPL (the new CPL).
export const FAR_NULL = rule('FAR.NULL', 'Vol. 2 JMP', GP, 'a far JMP or CALL names a non-null selector',
  (v) => `far JMP/CALL to the null ${sel(v.selector)}`);
export const FAR_INDEX = rule('FAR.INDEX', 'Vol. 2 JMP', GP, 'a far JMP or CALL target lies within its descriptor table',
  (v) => outsideTable(v, 'the far JMP/CALL target'));
export const FAR_TYPE = rule('FAR.TYPE', 'Vol. 2 JMP', GP, 'a far JMP or CALL names a code segment, a call gate, a task gate or an available TSS',
  (v) => `far JMP/CALL to ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)})`);
export const FAR_CS_NOT_CODE = rule('FAR.CS.NOT_CODE', 'Vol. 2 JMP', GP, 'a far JMP or CALL to a segment names a code segment',
  (v) => `far JMP/CALL to ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)}), not code`);
export const FAR_CS_PRIVILEGE = rule('FAR.CS.PRIVILEGE', '5.8.2', GP, 'a direct far JMP/CALL goes to non-conforming code with DPL = CPL and RPL <= CPL, or conforming code with DPL <= CPL',
  (v) => `far JMP/CALL at CPL ${v.cpl} to ${sel(v.selector)}: ${(v.hi & 0x400) !== 0 ? 'conforming' : 'non-conforming'} code with DPL ${dpl(v.hi)}`);
export const FAR_CS_NOT_PRESENT = rule('FAR.CS.NOT_PRESENT', 'Vol. 2 JMP', NP, 'the far JMP or CALL\'s code segment is present',
  (v) => `far JMP/CALL to ${sel(v.selector)}: its code segment (${desc(v)}) is not present (P = 0)`);
export const FAR_EIP_LIMIT = rule('FAR.EIP.LIMIT', 'Vol. 2 JMP', GP, 'a far transfer\'s new EIP lies within the new code segment\'s limit',
  (v) => `far transfer to ${sel(v.selector)}: EIP ${hex(v.offset)} is beyond its limit ${hex(v.limit)}`);
export const NEAR_EIP_LIMIT = rule('NEAR.EIP.LIMIT', 'Vol. 2 JMP', GP, 'a near JMP, CALL, RET, Jcc or LOOP target lies within the CS limit',
  (v) => `near transfer to EIP ${hex(v.offset)}, beyond the limit ${hex(v.limit)} of CS ${sel(v.selector)}`);
export const FETCH_LIMIT = rule('FETCH.LIMIT', '5.3, Vol. 2 2.3.11', GP, 'every byte of an instruction lies within the CS limit, and a prefixed instruction within the length limit (80286: 10, 80386: 15 bytes)',
  (v) => v.offset > v.limit
    ? `the instruction at EIP ${hex(v.lo)} needs its byte at ${hex(v.offset)}, beyond the limit ${hex(v.limit)} of CS ${sel(v.selector)}`
    : `the instruction at EIP ${hex(v.lo)} reaches ${hex(v.offset)}: longer than this CPU's instruction length limit`);
export const FAR_GATE_DPL = rule('FAR.GATE.DPL', '5.8.4', GP, 'a call gate, task gate or TSS named by JMP/CALL has DPL >= CPL and >= RPL',
  (v) => `far JMP/CALL at CPL ${v.cpl} through ${sel(v.selector)}: its ${typeName(v.hi).replace(/^an? /, '')} has DPL ${dpl(v.hi)}`);
export const FAR_GATE_NOT_PRESENT = rule('FAR.GATE.NOT_PRESENT', '5.8.4', NP, 'a call gate, task gate or TSS named by JMP/CALL is present',
  (v) => `far JMP/CALL through ${sel(v.selector)}: ${typeName(v.hi)} (${desc(v)}) that is not present (P = 0)`);
export const FAR_GATE_CS_NULL = rule('FAR.GATE.CS.NULL', 'Vol. 2 CALL', GP, 'a call gate names a non-null code selector',
  (v) => `the call gate names the null code ${sel(v.selector)}`);
export const FAR_GATE_CS_INDEX = rule('FAR.GATE.CS.INDEX', 'Vol. 2 CALL', GP, 'a call gate\'s code selector lies within its descriptor table',
  (v) => outsideTable(v, 'the call gate\'s code'));
export const FAR_GATE_CS_NOT_CODE = rule('FAR.GATE.CS.NOT_CODE', 'Vol. 2 CALL', GP, 'a call gate names a code segment',
  (v) => `the call gate's ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not code`);
export const FAR_GATE_CS_DPL = rule('FAR.GATE.CS.DPL', '5.8.4', GP, 'a call gate\'s code segment has DPL <= CPL (JMP: = CPL unless conforming)',
  (v) => `far JMP/CALL at CPL ${v.cpl} through a call gate to ${sel(v.selector)}: ${(v.hi & 0x400) !== 0 ? 'conforming' : 'non-conforming'} code with DPL ${dpl(v.hi)}`);
export const FAR_GATE_CS_NOT_PRESENT = rule('FAR.GATE.CS.NOT_PRESENT', 'Vol. 2 CALL', NP, 'a call gate\'s code segment is present',
  (v) => `the call gate's code ${sel(v.selector)} (${desc(v)}) is not present (P = 0)`);
// IRET with EFLAGS.NT: the return to the previous task through the TSS back link (SDM Vol. 2 "IRET", Vol. 3 §7.4).
export const IRET_LINK_TI = rule('IRET.LINK.TI', 'Vol. 2 IRET', TS, 'the TSS back link of an IRET with NT = 1 points into the GDT',
  (v) => `IRET with NT = 1: the back link ${sel(v.selector)} has TI = 1; a TSS descriptor must be in the GDT`);
export const IRET_LINK_INDEX = rule('IRET.LINK.INDEX', 'Vol. 2 IRET', TS, 'the TSS back link lies within the GDT',
  (v) => outsideTable(v, 'IRET with NT = 1: the back link'));
export const IRET_LINK_TYPE = rule('IRET.LINK.TYPE', 'Vol. 2 IRET', TS, 'the TSS back link names a busy TSS',
  (v) => `IRET with NT = 1: the back link ${sel(v.selector)} names ${typeName(v.hi)} (${desc(v)}), not a busy TSS`);
export const IRET_LINK_NOT_PRESENT = rule('IRET.LINK.NOT_PRESENT', 'Vol. 2 IRET', NP, 'the back link\'s TSS is present',
  (v) => `IRET with NT = 1: the back link ${sel(v.selector)}'s TSS (${desc(v)}) is not present (P = 0)`);
export const RET_CS_NULL = rule('RET.CS.NULL', 'Vol. 2 RET', GP, 'a far RET or IRET pops a non-null CS',
  (v) => `far RET/IRET popped the null CS ${sel(v.selector)}`);
export const RET_CS_INDEX = rule('RET.CS.INDEX', 'Vol. 2 RET', GP, 'the popped CS lies within its descriptor table',
  (v) => outsideTable(v, 'far RET/IRET: the popped CS'));
export const RET_CS_RPL = rule('RET.CS.RPL', 'Vol. 2 RET', GP, 'a return does not go to a more privileged level (popped CS RPL >= CPL)',
  (v) => `far RET/IRET at CPL ${v.cpl} popped CS ${sel(v.selector)}: RPL ${v.selector & 3} < CPL`);
export const RET_CS_NOT_CODE = rule('RET.CS.NOT_CODE', 'Vol. 2 RET', GP, 'the popped CS names a code segment',
  (v) => `far RET/IRET popped CS ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)})`);
export const RET_CS_DPL = rule('RET.CS.DPL', 'Vol. 2 RET', GP, 'the popped CS\'s segment has DPL = RPL (conforming: DPL <= RPL)',
  (v) => `far RET/IRET popped CS ${sel(v.selector)}: ${(v.hi & 0x400) !== 0 ? 'conforming' : 'non-conforming'} code with DPL ${dpl(v.hi)} but RPL ${v.selector & 3}`);
export const RET_CS_NOT_PRESENT = rule('RET.CS.NOT_PRESENT', 'Vol. 2 RET', NP, 'the popped CS\'s segment is present',
  (v) => `far RET/IRET popped CS ${sel(v.selector)}: its code segment (${desc(v)}) is not present (P = 0)`);
export const RET_SS_NULL = rule('RET.SS.NULL', 'Vol. 2 RET', GP, 'a return to an outer level pops a non-null SS',
  (v) => `far RET/IRET to ring ${v.level} popped the null SS ${sel(v.selector)}`);
export const RET_SS_INDEX = rule('RET.SS.INDEX', 'Vol. 2 RET', GP, 'the popped SS lies within its descriptor table',
  (v) => outsideTable(v, 'far RET/IRET: the popped SS'));
export const RET_SS_TYPE = rule('RET.SS.TYPE', 'Vol. 2 RET', GP, 'the popped SS names a writable data segment',
  (v) => `far RET/IRET to ring ${v.level} popped SS ${sel(v.selector)}, which names ${typeName(v.hi)} (${desc(v)}), not writable data`);
export const RET_SS_PRIVILEGE = rule('RET.SS.PRIVILEGE', 'Vol. 2 RET', GP, 'the popped SS has RPL = DPL = the return CS\'s RPL',
  (v) => `far RET/IRET to ring ${v.level} popped SS ${sel(v.selector)}: RPL ${v.selector & 3}, DPL ${dpl(v.hi)}`);
export const RET_SS_NOT_PRESENT = rule('RET.SS.NOT_PRESENT', 'Vol. 2 RET, 6.15 Interrupt 12', SS_FAULT, 'the popped SS\'s segment is present',
  (v) => `far RET/IRET to ring ${v.level} popped SS ${sel(v.selector)}: its segment (${desc(v)}) is not present (P = 0)`);

// Paging (SDM Vol. 3 §4.3, §4.6, §4.7): `offset` the linear address (CR2), `selector` the error code, `lo`/`hi` the
// page-directory and page-table entries read (hi 0 for a 4 MiB page or a PDE that is not present), `level` the level
// that decided (1 the PDE, 2 the PTE). Outside delivery only (a delivery's page fault is DELIVERY.PAGE_FAULT).
function pfAccess(v: FaultValues): string {
  return `a ${v.selector & 4 ? 'user' : 'supervisor'} ${v.selector & 2 ? 'write to' : 'read of'} linear ${hex(v.offset, 8)}`;
}
function pfEntry(v: FaultValues): string {
  return v.level === 1 ? `page-directory entry ${v.offset >>> 22} (${hex(v.lo, 8)})` : `page-table entry ${(v.offset >>> 12) & 0x3ff} (${hex(v.hi, 8)}) under page-directory entry ${v.offset >>> 22} (${hex(v.lo, 8)})`;
}
export const PAGE_NOT_PRESENT = rule('PAGE.NOT_PRESENT', '4.7', PF, 'the page-directory and page-table entries of the address are present',
  (v) => `${pfAccess(v)}: its ${pfEntry(v)} is not present (P = 0)`);
export const PAGE_USER = rule('PAGE.USER', '4.6', PF, 'user-mode accesses go to user pages (U/S = 1 at both levels)',
  (v) => `${pfAccess(v)} at CPL ${v.cpl}: the page is a supervisor page (U/S = 0 in ${pfEntry(v)})`);
export const PAGE_WRITE = rule('PAGE.WRITE', '4.6', PF, 'writes go to writable pages (R/W = 1 at both levels), from user mode or with CR0.WP = 1',
  (v) => `${pfAccess(v)}: the page is read-only (R/W = 0 in ${pfEntry(v)})${v.selector & 4 ? '' : ' and CR0.WP = 1'}`);

// I/O permission (SDM Vol. 1 §19.5.2, Vol. 3 §20.2.8), when CPL > IOPL or in vm86: `selector` the port, `offset` the
// access size, `limit` the TSS limit, `lo` the bitmap byte's offset in the TSS, `hi` the two bitmap bytes read.
export const IO_TSS = rule('IO.TSS', 'Vol. 1 19.5.2', GP, 'an I/O access above IOPL needs a 32-bit TSS of at least 68H bytes (its bitmap)',
  (v) => `port ${hex(v.selector, 4)} at CPL ${v.cpl} above IOPL: TR holds ${v.lo === 9 || v.lo === 11 ? 'a 32-bit TSS' : 'no 32-bit TSS'} with limit ${hex(v.limit)}`);
export const IO_BITMAP_LIMIT = rule('IO.BITMAP.LIMIT', 'Vol. 1 19.5.2', GP, 'the bitmap bytes of the port lie within the TSS limit',
  (v) => `port ${hex(v.selector, 4)} at CPL ${v.cpl} above IOPL: its bitmap bytes at TSS offset ${hex(v.lo)}-${hex(v.lo + 1)} are beyond the TSS limit ${hex(v.limit)}`);
export const IO_BITMAP_DENIED = rule('IO.BITMAP.DENIED', 'Vol. 1 19.5.2', GP, 'the port\'s bits in the I/O permission bitmap are clear',
  (v) => `${v.offset}-byte access to port ${hex(v.selector, 4)} at CPL ${v.cpl} above IOPL: its bit${v.offset > 1 ? 's' : ''} in the bitmap (TSS offset ${hex(v.lo)}, bytes ${hex(v.hi, 4)}) ${v.offset > 1 ? 'are not all' : 'is not'} clear`);

// Instructions that check the privilege level or a control register (SDM Vol. 3 §5.9, §20.2.7; Vol. 2 "CLI",
// "MOV CRn", "RDTSC", "RDMSR"): `lo` EFLAGS, or the value the check read (CR4, the value written to CR0/CR4, the
// MSR index).
function iopl(v: FaultValues): number {
  return (v.lo >>> 12) & 3;
}
export const PRIV_CPL = rule('PRIV.CPL', '5.9', GP, 'privileged instructions (LGDT, LIDT, LMSW, CLTS, MOV CRn/DRn, HLT, INVD, RDMSR…) need CPL 0; in vm86 they are #GP',
  (v) => `a privileged instruction ${v.lo & 0x20000 ? 'in virtual-8086 mode (CPL 3)' : `at CPL ${v.cpl}`}; it needs CPL 0`);
export const IOPL_VM86 = rule('IOPL.VM86', '20.2.7', GP, 'in vm86, CLI, STI, PUSHF, POPF, INT n and IRET need IOPL = 3',
  (v) => `an IOPL-sensitive instruction (CLI, STI, PUSHF, POPF, INT n or IRET) in virtual-8086 mode with IOPL ${iopl(v)} (EFLAGS ${hex(v.lo, 8)}), not 3`);
export const IOPL_CPL = rule('IOPL.CPL', 'Vol. 2 CLI', GP, 'in protected mode, CLI and STI need CPL <= IOPL',
  (v) => `CLI/STI at CPL ${v.cpl} with IOPL ${iopl(v)} (EFLAGS ${hex(v.lo, 8)}): CPL > IOPL`);
export const CR0_PG_NO_PE = rule('CR0.PG_NO_PE', 'Vol. 2 MOV CRn', GP, 'CR0.PG = 1 needs CR0.PE = 1',
  (v) => `writing ${hex(v.lo, 8)} to CR0 sets PG but clears PE`);
export const CR0_NW_NO_CD = rule('CR0.NW_NO_CD', 'Vol. 2 MOV CRn', GP, 'CR0.NW = 1 needs CR0.CD = 1 (486 and later)',
  (v) => `writing ${hex(v.lo, 8)} to CR0 sets NW (not write-through) but clears CD (cache disable)`);
export const CR4_RESERVED = rule('CR4.RESERVED', 'Vol. 2 MOV CRn', GP, 'MOV to CR4 sets only bits this CPU model implements',
  (v) => `writing ${hex(v.lo, 8)} to CR4 sets bits ${hex(v.lo & ~v.hi, 8)} this CPU model does not implement (it has ${hex(v.hi, 8)})`);
export const RDTSC_TSD = rule('RDTSC.TSD', 'Vol. 2 RDTSC', GP, 'RDTSC at CPL > 0 needs CR4.TSD = 0',
  (v) => `RDTSC at CPL ${v.cpl} with CR4.TSD = 1 (CR4 ${hex(v.lo, 8)})`);
export const FXSAVE_ALIGN = rule('FXSAVE.ALIGN', 'Vol. 2 FXSAVE', GP, 'FXSAVE and FXRSTOR name a 512-byte area at a linear address that is a multiple of 16',
  (v) => `FXSAVE/FXRSTOR of the area at linear ${hex(v.offset >>> 0, 8)}, not a multiple of 16`);
export const MSR_INDEX = rule('MSR.INDEX', 'Vol. 2 RDMSR', GP, 'RDMSR and WRMSR name an MSR this CPU has',
  (v) => `RDMSR/WRMSR with ECX ${hex(v.lo, 8)}, an MSR this CPU does not have`);

// Instruction exceptions without a descriptor (SDM Vol. 3 §6.15 Interrupts 0, 5, 6, 7, 16; Vol. 2 "DIV", "IDIV",
// "BOUND", "WAIT"). Divide: `hi`:`lo` the dividend, `offset` the divisor, `limit` the operand size in bits. BOUND:
// `offset` the signed index, `lo`/`hi` the signed bounds. #NM and #MF: `lo` CR0, #MF `hi` the x87 status word.
function dividend(v: FaultValues): string {
  return v.hi ? `${hex(v.hi, 8)}_${hex(v.lo, 8).slice(2)}` : hex(v.lo);
}
export const DIV_ZERO = rule('DIV.ZERO', '6.15 Interrupt 0', DE, 'the divisor of DIV, IDIV or AAM is not 0',
  (v) => `dividing ${dividend(v)} by 0 (${v.limit}-bit operand)`);
export const DIV_OVERFLOW = rule('DIV.OVERFLOW', '6.15 Interrupt 0', DE, 'the quotient of DIV or IDIV fits in AL, AX or EAX (signed for IDIV)',
  (v) => `dividing ${dividend(v)} by ${hex(v.offset >>> 0)}: the quotient does not fit in ${v.limit} bits`);
export const BOUND_RANGE = rule('BOUND.RANGE', 'Vol. 2 BOUND', BR, 'BOUND\'s signed index lies within the bounds in memory',
  (v) => `BOUND: index ${v.offset} is outside the bounds ${v.lo}..${v.hi}`);
export const UD_OPCODE = rule('UD.OPCODE', '6.15 Interrupt 6', UD, 'the bytes at CS:EIP are an instruction this CPU has: a defined opcode and ModRM form, LOCK only on a memory form that takes it',
  () => 'the instruction at CS:EIP is not one this CPU has (an undefined opcode, a register operand where memory is needed, a reserved ModRM.reg or control register, or LOCK on a form that does not take it)');
export const UD_MODE = rule('UD.MODE', 'Vol. 2 LLDT', UD, 'LLDT, SLDT, LTR, STR, LAR, LSL, VERR, VERW and ARPL exist in protected mode only',
  (v) => `a protected-mode-only instruction in ${v.lo & 0x20000 ? 'virtual-8086' : 'real-address'} mode`);
function cr0Bit(v: FaultValues, bit: number, name: string): string {
  return `CR0.${name} = ${v.lo & bit ? 1 : 0}`;
}
export const NM_ESCAPE = rule('NM.ESCAPE', '6.15 Interrupt 7', NM, 'an x87 instruction needs CR0.EM = 0 and CR0.TS = 0',
  (v) => `an x87 instruction with ${cr0Bit(v, 4, 'EM')} and ${cr0Bit(v, 8, 'TS')} (CR0 ${hex(v.lo, 8)})`);
export const NM_WAIT = rule('NM.WAIT', '6.15 Interrupt 7', NM, 'WAIT with CR0.MP = 1 needs CR0.TS = 0',
  (v) => `WAIT with CR0.MP = 1 and CR0.TS = 1 (CR0 ${hex(v.lo, 8)})`);
export const MF_PENDING = rule('MF.PENDING', '6.15 Interrupt 16', MF, 'with CR0.NE = 1 a waiting x87 instruction finds no unmasked exception pending',
  (v) => `an x87 exception is pending (status word ${hex(v.hi, 4)}, ES = 1) with CR0.NE = 1 (CR0 ${hex(v.lo, 8)})`);

// Alignment checking (486+): `offset` the linear address, `limit` the operand size in bytes, `seg` the segment register.
export const AC_ALIGN = rule('AC.ALIGN', '6.15 Interrupt 17', AC, 'with CR0.AM = 1 and EFLAGS.AC = 1, a CPL 3 access is aligned to its operand size',
  (v) => `a ${v.limit}-byte access at linear ${hex(v.offset >>> 0, 8)}, not a multiple of ${v.limit}, at CPL 3 with CR0.AM = 1 and EFLAGS.AC = 1`);

// How two faults combine (SDM Vol. 3 §6.15 Interrupt 8, Table 6-5): `event` is the first, `selector` the second.
export const DF_CONTRIBUTORY = rule('DF.CONTRIBUTORY', 'Table 6-5', DF, 'a contributory exception while delivering a contributory one is a double fault',
  (v) => `${vectorName(v.selector)} was raised while delivering ${vectorName(v.event)}; both are contributory, so the CPU raises #DF`);
export const DF_PAGE_FAULT = rule('DF.PAGE_FAULT', 'Table 6-5', DF, 'a page fault or contributory exception while delivering a page fault is a double fault',
  (v) => `${vectorName(v.selector)} was raised while delivering ${vectorName(v.event)}; after a page fault that makes #DF`);
export const SHUTDOWN = rule('SHUTDOWN', '6.15 Interrupt 8', DF, 'an exception while delivering #DF shuts the CPU down (triple fault)',
  (v) => `${vectorName(v.selector)} was raised while delivering #DF: triple fault, the CPU shuts down`);

/** Every rule, in table order (ids are unique; a test checks it). */
export const FAULT_RULES: readonly FaultRule[] = [
  IVT_ENTRY_LIMIT, IVT_STACK_LIMIT, IVT_STACK_LIMIT_80286, IDT_ENTRY_LIMIT, IDT_GATE_TYPE, IDT_GATE_DPL, IDT_GATE_NOT_PRESENT,
  GATE_CS_NULL, GATE_CS_INDEX, GATE_CS_NOT_CODE, GATE_CS_DPL, GATE_CS_NOT_PRESENT, GATE_CS_LIMIT, GATE_VM86_CS,
  STACK_TSS_LIMIT, STACK_TSS_SS_NULL, STACK_TSS_SS_INDEX, STACK_TSS_SS_RPL, STACK_TSS_SS_DPL, STACK_TSS_SS_TYPE,
  STACK_TSS_SS_NOT_PRESENT, STACK_ROOM, TASK_TSS_LDT, TASK_TSS_INDEX, TASK_TSS_TYPE, TASK_TSS_NOT_PRESENT,
  TASK_TSS_LIMIT, TASK_TSS_CURRENT_LIMIT, TASK_TSS_CURRENT_INDEX, TASK_LDT_TYPE, TASK_LDT_INDEX, TASK_LDT_NOT_PRESENT,
  TASK_CS_NULL, TASK_CS_INDEX, TASK_CS_NOT_CODE, TASK_CS_DPL, TASK_CS_NOT_PRESENT,
  TASK_SS_NULL, TASK_SS_INDEX, TASK_SS_TYPE, TASK_SS_PRIVILEGE, TASK_SS_NOT_PRESENT,
  TASK_DATA_INDEX, TASK_DATA_TYPE, TASK_DATA_NOT_PRESENT, TASK_EIP_LIMIT,
  DELIVERY_PAGE_FAULT, DF_CONTRIBUTORY, DF_PAGE_FAULT, SHUTDOWN,
  SEG_LOAD_SS_NULL, SEG_LOAD_INDEX, SEG_LOAD_SS_RPL, SEG_LOAD_SS_TYPE, SEG_LOAD_SS_DPL, SEG_LOAD_SS_NOT_PRESENT,
  SEG_LOAD_DATA_TYPE, SEG_LOAD_DATA_PRIVILEGE, SEG_LOAD_DATA_NOT_PRESENT,
  LLDT_TI, LLDT_INDEX, LLDT_TYPE, LLDT_NOT_PRESENT, LTR_NULL, LTR_TI, LTR_INDEX, LTR_TYPE, LTR_NOT_PRESENT, SEG_ACCESS, SEG_ACCESS_SS,
  PAGE_NOT_PRESENT, PAGE_USER, PAGE_WRITE, IO_TSS, IO_BITMAP_LIMIT, IO_BITMAP_DENIED,
  FAR_NULL, FAR_INDEX, FAR_TYPE, FAR_CS_NOT_CODE, FAR_CS_PRIVILEGE, FAR_CS_NOT_PRESENT, FAR_EIP_LIMIT, NEAR_EIP_LIMIT, FETCH_LIMIT,
  FAR_GATE_DPL, FAR_GATE_NOT_PRESENT, FAR_GATE_CS_NULL, FAR_GATE_CS_INDEX, FAR_GATE_CS_NOT_CODE, FAR_GATE_CS_DPL, FAR_GATE_CS_NOT_PRESENT,
  IRET_LINK_TI, IRET_LINK_INDEX, IRET_LINK_TYPE, IRET_LINK_NOT_PRESENT,
  RET_CS_NULL, RET_CS_INDEX, RET_CS_RPL, RET_CS_NOT_CODE, RET_CS_DPL, RET_CS_NOT_PRESENT,
  RET_SS_NULL, RET_SS_INDEX, RET_SS_TYPE, RET_SS_PRIVILEGE, RET_SS_NOT_PRESENT,
  PRIV_CPL, IOPL_VM86, IOPL_CPL, CR0_PG_NO_PE, CR0_NW_NO_CD, CR4_RESERVED, RDTSC_TSD, FXSAVE_ALIGN, MSR_INDEX,
  DIV_ZERO, DIV_OVERFLOW, BOUND_RANGE, UD_OPCODE, UD_MODE, NM_ESCAPE, NM_WAIT, MF_PENDING, AC_ALIGN,
];
