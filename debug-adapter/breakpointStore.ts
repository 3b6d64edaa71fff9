// Code breakpoints of the session by origin (function/address, instruction, source), each a linear
// address, a CS:IP one (`SSSS:OOOO`, Bochs `vb`: CS.selector and (E)IP in any mode) or a physical
// one (`phys 0x…`, Bochs `pb`), armed in Machine.breakpoints as such, with its condition, hit
// condition and log message. The runner asks `onHit` whether a hit should stop.
// Node only; must not import vscode. Addresses as in docs/CLI.md.

import type { Cpu } from '../emulator/cpu/cpu';
import type { CsIp } from '../emulator/cpu/execute';
import { peekPhysical } from '../emulator/cpu/protected/paging';
import { CS } from '../emulator/cpu/regs';
import { evaluate, evaluateAddress, segmentBase } from '../emulator/debug/expression';
import type { Machine } from '../emulator/machine';

export type BreakpointOrigin = 'function' | 'instruction' | 'source';

export interface CodeBreakpoint {
  id: number;
  origin: BreakpointOrigin;
  /** The linear address (for a CS:IP breakpoint: where it lies with the CS descriptor of when it was set, for display). */
  linear: number;
  /** `SSSS:OOOO`: stop whenever CS.selector and (E)IP are these, whatever the mode; null: a linear breakpoint. */
  exact: CsIp | null;
  /** `phys 0x…` (Bochs `pb`): stop where the instruction's physical address is this (also under paging); linear is the same number. */
  phys?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
}

export interface HitDecision {
  stop: boolean;
  ids: number[];
  /** Where the stopping breakpoints came from (the DAP stop reason depends on it). */
  origins: Set<BreakpointOrigin>;
  /** Log lines to print (logpoints) and condition errors. */
  messages: string[];
}

/** A breakpoint as BreakpointStore.replace takes it. */
export type BreakpointSpec = Omit<CodeBreakpoint, 'id' | 'hits'>;

let nextId = 1;

/** Where SSSS:OOOO lies now: the selector's base in the current mode (selector << 4 when there is no descriptor). */
function linearNow(cpu: Cpu, selector: number, offset: number): number {
  let base: number;
  try {
    base = segmentBase(cpu, { selector });
  } catch {
    base = selector << 4;
  }
  return (base + offset) >>> 0;
}

/**
 * A CS:IP breakpoint (Bochs `vb`) for BreakpointStore.replace: stops whenever CS.selector = `selector`
 * and (E)IP = `offset`, in real mode, protected mode or vm86 alike, across mode switches and
 * descriptor changes. Every `SSSS:OOOO` breakpoint is made here.
 */
export function csIpBreakpoint(
  cpu: Cpu, origin: BreakpointOrigin, selector: number, offset: number,
  extra: Pick<CodeBreakpoint, 'condition' | 'hitCondition' | 'logMessage'> = {},
): BreakpointSpec {
  selector &= 0xffff;
  offset >>>= 0;
  return { origin, linear: linearNow(cpu, selector, offset), exact: { selector, offset }, ...extra };
}

/** `0000:7C3E` (hex selector:offset), `0x7c3e`/`31806` (linear), `phys 0x7c3e` (physical). */
export function parseAddressSpec(cpu: Cpu, text: string): Pick<BreakpointSpec, 'linear' | 'exact' | 'phys'> {
  const t = text.trim();
  const so = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,8})$/.exec(t);
  if (so) {
    const { linear, exact } = csIpBreakpoint(cpu, 'function', parseInt(so[1], 16), parseInt(so[2], 16));
    return { linear, exact };
  }
  const phys = /^phys\s+(.+)$/i.exec(t);
  if (phys) {
    const addr = evaluateAddress(cpu, phys[1]);
    return { linear: addr, exact: null, phys: addr };
  }
  return { linear: evaluateAddress(cpu, t), exact: null };
}

export class BreakpointStore {
  private readonly groups = new Map<string, CodeBreakpoint[]>();

  /** `symbol` resolves labels in conditions and log messages. */
  constructor(private readonly machine: Machine, private readonly symbol: (name: string) => number | undefined = () => undefined) {}

  /** Replaces a group (one per origin, or per source file) and updates the machine's filter. */
  replace(group: string, items: BreakpointSpec[]): CodeBreakpoint[] {
    const set = this.machine.breakpoints;
    for (const b of this.groups.get(group) ?? []) {
      if (b.exact) set.deleteCsIp(b.exact.selector, b.exact.offset);
      else if (b.phys !== undefined) set.deletePhys(b.phys);
      else set.delete(b.linear);
    }
    const list = items.map((b) => ({ ...b, id: nextId++, hits: 0 }));
    for (const b of list) {
      if (b.exact) set.addCsIp(b.exact.selector, b.exact.offset);
      else if (b.phys !== undefined) set.addPhys(b.phys);
      else set.add(b.linear);
    }
    this.groups.set(group, list);
    return list;
  }

  all(): CodeBreakpoint[] {
    return [...this.groups.values()].flat();
  }

  /** Breakpoints at the current CS:EIP: linear ones by address, CS:IP ones by selector and offset, physical ones by the instruction's physical address. */
  at(): CodeBreakpoint[] {
    const cpu = this.machine.cpu, lin = this.machine.pcLinear;
    const phys = peekPhysical(cpu, lin);
    return this.all().filter((b) => (b.exact ? b.exact.selector === cpu.sel[CS] && b.exact.offset === cpu.eip
      : b.phys !== undefined ? b.phys === phys : b.linear === lin));
  }

  /** Whether a breakpoint's condition holds now (an erroring condition counts as true, as a hit does). */
  conditionHolds(b: CodeBreakpoint): boolean {
    if (!b.condition || !b.condition.trim()) return true;
    try {
      return evaluate(this.machine.cpu, b.condition).value !== 0;
    } catch {
      return true;
    }
  }

  /** Applies conditions, hit counts and log messages of the breakpoints at CS:EIP. */
  onHit(): HitDecision {
    const cpu = this.machine.cpu;
    const d: HitDecision = { stop: false, ids: [], origins: new Set(), messages: [] };
    for (const b of this.at()) {
      if (b.condition && b.condition.trim()) {
        try {
          if (evaluate(cpu, b.condition, { symbol: this.symbol }).value === 0) continue;
        } catch (e) {
          d.messages.push(`breakpoint condition '${b.condition}': ${(e as Error).message}`);
          d.stop = true;
          d.ids.push(b.id);
          d.origins.add(b.origin);
          continue;
        }
      }
      b.hits++;
      if (b.hitCondition && !hitMatches(b.hitCondition, b.hits)) continue;
      if (b.logMessage !== undefined && b.logMessage !== '') {
        d.messages.push(interpolate(cpu, b.logMessage, this.symbol));
        continue;
      }
      d.stop = true;
      d.ids.push(b.id);
      d.origins.add(b.origin);
    }
    return d;
  }
}

/** `5` / `== 5` (the 5th hit), `>= 5`, `> 5`, `% 5` (every 5th). Unparseable conditions always stop. */
export function hitMatches(cond: string, hits: number): boolean {
  const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) return true;
  const n = +m[2];
  switch (m[1]) {
    case '>=': return hits >= n;
    case '>': return hits > n;
    case '<=': return hits <= n;
    case '<': return hits < n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits === n;
  }
}

/** Logpoint text: `{expr}` is replaced by the expression's value. */
export function interpolate(cpu: Cpu, msg: string, symbol?: (name: string) => number | undefined): string {
  return msg.replace(/\{([^}]+)\}/g, (_m, expr: string) => {
    try {
      return evaluate(cpu, expr, { symbol }).text;
    } catch (e) {
      return `<${(e as Error).message}>`;
    }
  });
}
