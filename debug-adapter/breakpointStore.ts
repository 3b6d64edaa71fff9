// Code breakpoints of the session by origin (function/address, instruction, source), each with its
// linear filter address in Machine.breakpoints, an exact CS:IP match for `SSSS:OOOO` ones, and its
// condition, hit condition and log message. The runner asks `onHit` whether a hit should stop.
// Node only; must not import vscode. Addresses as in ../shared/docs/CLI.md.

import type { Cpu } from '../emulator/cpu/cpu';
import { CS } from '../emulator/cpu/regs';
import { evaluate, evaluateAddress, ExpressionError, segmentBase } from '../emulator/debug/expression';
import type { Machine } from '../emulator/machine';

export type BreakpointOrigin = 'function' | 'instruction' | 'source';

export interface CodeBreakpoint {
  id: number;
  origin: BreakpointOrigin;
  /** Linear address in the page filter. */
  linear: number;
  /** `SSSS:OOOO`: stop only when CS (selector) and IP are exactly these. */
  exact: { selector: number; offset: number } | null;
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

let nextId = 1;

/** `0000:7C3E` (hex selector:offset), `0x7c3e`/`31806` (linear), `phys 0x7c3e` (physical, paging off). */
export function parseAddressSpec(cpu: Cpu, text: string): { linear: number; exact: CodeBreakpoint['exact'] } {
  const t = text.trim();
  const so = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,8})$/.exec(t);
  if (so) {
    const selector = parseInt(so[1], 16), offset = parseInt(so[2], 16);
    let base: number;
    try {
      base = segmentBase(cpu, { selector });
    } catch {
      base = selector << 4;
    }
    return { linear: (base + offset) >>> 0, exact: { selector, offset } };
  }
  const phys = /^phys\s+(.+)$/i.exec(t);
  if (phys) {
    if (cpu.paging) throw new ExpressionError('physical-address breakpoints need paging off (CR0.PG=0)');
    return { linear: evaluateAddress(cpu, phys[1]), exact: null };
  }
  return { linear: evaluateAddress(cpu, t), exact: null };
}

export class BreakpointStore {
  private readonly groups = new Map<string, CodeBreakpoint[]>();

  /** `symbol` resolves labels in conditions and log messages. */
  constructor(private readonly machine: Machine, private readonly symbol: (name: string) => number | undefined = () => undefined) {}

  /** Replaces a group (one per origin, or per source file) and updates the machine's filter. */
  replace(group: string, items: Omit<CodeBreakpoint, 'id' | 'hits'>[]): CodeBreakpoint[] {
    for (const b of this.groups.get(group) ?? []) this.machine.breakpoints.delete(b.linear);
    const list = items.map((b) => ({ ...b, id: nextId++, hits: 0 }));
    for (const b of list) this.machine.breakpoints.add(b.linear);
    this.groups.set(group, list);
    return list;
  }

  all(): CodeBreakpoint[] {
    return [...this.groups.values()].flat();
  }

  /** Breakpoints at the current CS:EIP whose address matches (exact ones compare the selector too). */
  at(): CodeBreakpoint[] {
    const cpu = this.machine.cpu, lin = this.machine.pcLinear;
    return this.all().filter((b) => b.linear === lin && (!b.exact || (b.exact.selector === cpu.sel[CS] && b.exact.offset === cpu.eip)));
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
