// The fault chain (emulator/cpu/faultChain.ts) as the front ends show it: one JSON object per link
// for `bootscope run --json`, text lines for the CLI, `info fault` and the triple-fault stop, the
// Fault panel's links with the entries and registers each rule looked at (its "subjects").
// Pure TypeScript: no Node or VS Code imports.

import type { FaultLinkView, FaultSubject } from '../../protocol/customRequests';
import { hex } from '../../protocol/format';
import type { Cpu } from '../cpu/cpu';
import { explainCause, explainLink, explainThen, type FaultCause, type FaultLink } from '../cpu/faultChain';
import type { FaultRule, FaultValues } from '../cpu/faultRules';
import { DF, EXCEPTION_NAMES, INT_EXC, INT_HW, PF } from '../cpu/faults';
import { vectorName } from '../cpu/faultRules';
import { CR0_PE, CR0_PG, CR4_PSE, LDTR, SEG_NAMES, TR } from '../cpu/regs';
import { peekTranslate } from '../cpu/protected/paging';
import { segOff } from './machineView';

const KIND_NAMES = ['int', 'irq', 'exception'];

/** One link as `bootscope run --json` gives it (docs/CLI.md "fault"). */
export function linkJson(l: FaultLink): Record<string, unknown> {
  return {
    vector: l.vector, kind: KIND_NAMES[l.kind], errorCode: l.errorCode, cs: l.cs, eip: l.eip,
    rule: l.rule?.id ?? null, section: l.rule?.section ?? null, explanation: explainLink(l),
    ...(l.cause ? { cause: causeJson(l.cause) } : {}),
    ...(l.raised ? { raised: l.raised } : {}),
    ...(l.then ? { then: { rule: l.then.id, section: l.then.section, explanation: explainThen(l) } } : {}),
  };
}

/** Why the instruction raised its exception, as `run --json` and bootscope/readFault give it. */
export function causeJson(c: FaultCause): { rule: string; section: string; text: string; explanation: string } {
  return { rule: c.rule.id, section: c.rule.section, text: c.rule.rule, explanation: explainCause(c) };
}

function withCode(vector: number, errorCode: number, kind = INT_EXC): string {
  return `${vectorName(vector, kind)}${errorCode >= 0 ? ` error code ${hex(errorCode, 4)}` : ''}`;
}

/** The chain as text lines (CLI text output, `info fault`); `more` adds lines after link i's. */
export function formatChain(chain: readonly FaultLink[], more?: (i: number) => string[]): string[] {
  const lines: string[] = [];
  chain.forEach((l, i) => {
    lines.push(`${i + 1}. ${withCode(l.vector, l.errorCode, l.kind)} at ${segOff(l.cs, l.eip)}${l.rule ? '' : ': delivered'}`);
    if (l.cause) lines.push(`   raised by ${l.cause.rule.id} (SDM ${l.cause.rule.section}): ${explainCause(l.cause)}`);
    if (l.rule) lines.push(`   ${l.rule.id} (SDM ${l.rule.section}): ${explainLink(l)}`);
    if (l.raised) lines.push(`   → raised ${withCode(l.raised.vector, l.raised.errorCode)}`);
    if (l.then) lines.push(`   → ${l.then.id} (SDM ${l.then.section}): ${explainThen(l)}`);
    if (more) lines.push(...more(i));
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

/**
 * What a link's rule looked at, most likely culprit first (the Fault panel's "find the write that broke it" and
 * `fault write`): the bytes of the IDT/IVT entry, the descriptor, the TSS stack field or the page-table entry, or the
 * register (IDTR, SS:ESP, TR, CR3). Computed from the state where the chain was raised (the stop).
 */
export function faultSubjects(cpu: Cpu, rule: FaultRule | null, v: FaultValues | null): FaultSubject[] {
  if (!rule || !v) return [];
  const id = rule.id;
  const out: FaultSubject[] = [];
  const pm = (cpu.cr0 & CR0_PE) !== 0;
  const memory = (label: string, linear: number, length: number, extra: Partial<FaultSubject> = {}): FaultSubject => {
    const phys = peekTranslate(cpu, linear);
    return { kind: 'memory', label, linear: linear >>> 0, length, ...(phys >= 0 ? { physical: phys } : {}), ...extra };
  };
  const register = (field: string, label = field): FaultSubject => ({ kind: 'register', label, field });
  const gate = (vector: number) => {
    if (vector < 0) return;
    if (pm) out.push(memory(`IDT entry ${vector} (the gate of ${vectorName(vector, v.eventKind)})`, cpu.idtrBase + vector * 8, 8, { table: 'idt', index: vector }));
    else out.push(memory(`IVT entry ${vector} (${vectorName(vector, v.eventKind)})`, cpu.idtrBase + vector * 4, 4, { table: 'ivt', index: vector }));
  };
  const descriptor = (selector: number, what: string) => {
    const ldt = (selector & 4) !== 0;
    const base = ldt ? cpu.base[LDTR] : cpu.gdtrBase;
    out.push(memory(`${ldt ? 'LDT' : 'GDT'} entry ${selector >>> 3} (selector ${hex(selector, 4)}): ${what}`, base + (selector & ~7), 8,
      { table: ldt ? 'ldt' : 'gdt', index: selector >>> 3 }));
  };
  const tableLimit = (selector: number) => out.push(register(selector & 4 ? 'ldtr' : 'gdtr.limit'));
  const segReg = SEG_NAMES[v.seg];
  if (id.startsWith('SEG.LOAD.') || id.startsWith('LLDT.') || id.startsWith('LTR.')) {
    // The descriptor the load checked, then the register it was for (its last change: where the old value came from).
    if (/\.(TYPE|DPL|RPL|PRIVILEGE|NOT_PRESENT)$/.test(id)) descriptor(v.selector, `named by ${id.startsWith('SEG.') ? `the new ${segReg?.toUpperCase()}` : id.split('.')[0]}`);
    if (id.endsWith('.INDEX')) tableLimit(v.selector);
  } else if (id.startsWith('IRET.LINK.')) {
    // The back link IRET read, and the descriptor it names.
    out.push(memory('the current TSS\'s back link (offset 0)', cpu.base[TR], 2));
    if (id.endsWith('.INDEX')) tableLimit(v.selector);
    else if (!id.endsWith('.TI')) descriptor(v.selector, 'the previous task\'s TSS');
  } else if (id.startsWith('FAR.') || id.startsWith('RET.')) {
    // The descriptor the transfer checked (the target, or the CS / SS a return popped).
    if (id.endsWith('.INDEX')) tableLimit(v.selector);
    else if (!id.endsWith('.NULL') && (v.selector & 0xfffc) !== 0) descriptor(v.selector, id.startsWith('RET.SS') ? 'the stack a return popped' : id.startsWith('RET.') ? 'the code segment a return popped' : 'the far transfer\'s target');
  } else if (id.startsWith('SEG.ACCESS') && segReg) out.push(register(segReg), register(`${segReg}.limit`));
  else if (id === 'IO.BITMAP.DENIED') out.push(memory(`I/O permission bitmap bytes of port ${hex(v.selector, 4)} (TSS offset ${hex(v.lo)})`, cpu.base[TR] + v.lo, 2));
  else if (id === 'IO.BITMAP.LIMIT') {
    out.push(memory('the TSS\'s I/O map base (offset 66H)', cpu.base[TR] + 0x66, 2));
    descriptor(cpu.sel[TR], 'the current TSS');
  } else if (id === 'IO.TSS') {
    descriptor(cpu.sel[TR], 'the current TSS');
    out.push(register('tr'));
  }
  else if (id === 'IVT.ENTRY.LIMIT' || id === 'IDT.ENTRY.LIMIT') out.push(register('idtr.limit'));
  else if (id.startsWith('IVT.STACK') || id === 'STACK.ROOM') out.push(register('esp'), register('ss'));
  else if (id.startsWith('IDT.GATE.')) {
    gate(v.selector);
    out.push(register('idtr.base'));
  } else if (id === 'GATE.CS.NULL') gate(v.event);
  else if (id === 'GATE.CS.INDEX') {
    gate(v.event);
    tableLimit(v.selector);
  } else if (id.startsWith('GATE.')) {
    descriptor(v.selector, 'the handler\'s code segment');
    gate(v.event);
  } else if (id === 'STACK.TSS.LIMIT') {
    descriptor(cpu.sel[TR], 'the current TSS');
    out.push(register('tr'));
  } else if (id.startsWith('STACK.TSS.SS.')) {
    const t32 = (cpu.ar[TR] & 0xf) !== 1 && (cpu.ar[TR] & 0xf) !== 3;
    const stackField = memory(`TSS ring-${v.level} stack (${t32 ? `ESP${v.level}, SS${v.level}` : `SP${v.level}, SS${v.level}`})`,
      cpu.base[TR] + (t32 ? 4 + 8 * v.level : 2 + 4 * v.level), t32 ? 8 : 4);
    if (/\.(DPL|TYPE|NOT_PRESENT)$/.test(id)) descriptor(v.selector, `the ring-${v.level} stack segment`);
    out.push(stackField);
  } else if (id === 'TASK.TSS.LDT' || id === 'TASK.TSS.INDEX') gate(v.event);
  else if (id.startsWith('TASK.TSS.')) {
    descriptor(v.selector, 'the TSS');
    gate(v.event);
  } else if (id.startsWith('TASK.') && !/\.(NULL|INDEX)$/.test(id)) descriptor(v.selector, 'named by the new task\'s TSS');
  else if ((id === 'DELIVERY.PAGE_FAULT' || id.startsWith('PAGE.')) && cpu.cr0 & CR0_PG) {
    const lin = v.offset >>> 0;
    const pdeAddr = ((cpu.cr3 & 0xfffff000) + ((lin >>> 22) << 2)) >>> 0;
    out.push({ kind: 'memory', label: `page-directory entry ${lin >>> 22} for linear ${hex(lin, 8)}`, physical: pdeAddr, length: 4 });
    const pde = readPhys32(cpu, pdeAddr);
    if (pde & 1 && !(pde & 0x80 && cpu.cr4 & CR4_PSE)) {
      const pteAddr = ((pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
      out.unshift({ kind: 'memory', label: `page-table entry ${(lin >>> 12) & 0x3ff} for linear ${hex(lin, 8)}`, physical: pteAddr, length: 4 });
    }
    out.push(register('cr3'));
  }
  return out;
}

function readPhys32(cpu: Cpu, addr: number): number {
  const b = cpu.mem.peek(addr, 4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** An error code in words: selector form (EXT, IDT, TI, index) or #PF's bits (SDM Vol. 3 §6.13, §4.7). */
export function errorCodeText(vector: number, code: number): string | undefined {
  if (code < 0) return undefined;
  if (vector === PF) {
    return `P=${code & 1} W/R=${(code >> 1) & 1} U/S=${(code >> 2) & 1} RSVD=${(code >> 3) & 1} I/D=${(code >> 4) & 1}`
      + ` (${code & 1 ? 'protection violation' : 'page not present'} on a ${code & 16 ? 'fetch' : code & 2 ? 'write' : 'read'})`;
  }
  if (vector === DF) return 'always 0';
  const idt = (code >> 1) & 1;
  const where = idt ? `IDT vector ${code >>> 3}` : `${code & 4 ? 'LDT' : 'GDT'} index ${code >>> 3} (selector ${hex(code & 0xfffc, 4)})`;
  return `EXT=${code & 1} IDT=${idt}${idt ? '' : ` TI=${(code >> 2) & 1}`}: ${code === 0 ? 'no selector (null or none)' : where}`;
}

function eventName(vector: number, kind: number): string {
  if (kind === INT_EXC) return EXCEPTION_NAMES[vector] ?? `exception ${vector}`;
  return `${kind === INT_HW ? 'IRQ vector' : 'INT'} ${hex(vector, 2)}`;
}

/** One link as the Fault panel shows it (bootscope/readFault), with its subjects from the state at the fault: the
 *  cause's first (what the instruction broke), then those of its delivery's rule. */
export function linkView(cpu: Cpu, l: FaultLink): FaultLinkView {
  const explanation = explainLink(l);
  const code = errorCodeText(l.vector, l.errorCode);
  return {
    vector: l.vector, name: eventName(l.vector, l.kind), kind: KIND_NAMES[l.kind] as FaultLinkView['kind'], errorCode: l.errorCode,
    ...(code ? { errorCodeText: code } : {}), cs: l.cs, eip: l.eip,
    ...(l.rule && explanation !== null ? { rule: { id: l.rule.id, section: l.rule.section, text: l.rule.rule, explanation } } : {}),
    ...(l.raised ? { raised: { vector: l.raised.vector, name: eventName(l.raised.vector, INT_EXC), errorCode: l.raised.errorCode } } : {}),
    ...(l.then ? { then: { id: l.then.id, section: l.then.section, explanation: explainThen(l) ?? '' } } : {}),
    ...(l.cause ? { cause: (({ rule, ...c }) => ({ id: rule, ...c }))(causeJson(l.cause)) } : {}),
    subjects: [...(l.cause ? faultSubjects(cpu, l.cause.rule, l.cause.values) : []), ...faultSubjects(cpu, l.rule, l.values)],
  };
}

/** An exception an instruction raised through a rule and that was delivered: a one-link chain for the panel. */
export function causeLink(c: FaultCause): FaultLink {
  return { vector: c.vector, kind: INT_EXC, errorCode: c.errorCode, cs: c.cs, eip: c.eip, rule: null, values: null, raised: null, then: null, cause: c };
}

/** `info fault`'s list of a link's subjects, numbered as `fault write N.M` takes them. */
export function formatSubjects(link: number, subjects: readonly FaultSubject[]): string[] {
  return subjects.map((s, j) => `   ${link + 1}.${j + 1} ${s.label}${s.kind === 'memory'
    ? ` — ${s.length} bytes at ${s.linear !== undefined ? `linear ${hex(s.linear, 8)}` : `physical ${hex(s.physical ?? 0, 8)}`}`
    : ' (register)'}: fault write ${link + 1}.${j + 1}`);
}
