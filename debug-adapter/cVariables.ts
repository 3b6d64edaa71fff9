// C variables in the Variables view, watch, hover and the debug console: the Locals of a frame in a
// function of the DWARF (parameters and locals, at their frame-base or register locations; a caller's
// registers recovered through .debug_frame) and the Globals, with struct members, array elements and
// pointer targets as children, and `name.member`, `name[i]`, `name->member`, `*name` expressions.
// Node only; must not import vscode. DWARF 5 §2.5, §2.6, §6.4.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { DS, SS } from '../emulator/cpu/regs';
import { CallFrameTable } from '../emulator/debug/dwarfFrame';
import type { DebugInfo, DwarfFunction } from '../emulator/debug/debugInfo';
import type { DwarfType, DwarfVariable } from '../emulator/debug/dwarfTypes';
import { type FrameRegisters, type Place, formatValue, placeOf, unwind } from '../emulator/debug/dwarfValues';
import { readLinear } from '../emulator/debug/machineView';
import type { Machine } from '../emulator/machine';
import type { ShadowCallStack } from '../emulator/debug/callStack';
import type { DwarfSources } from './dwarfSources';
import { refString } from './context';

/** Variable references of C values start here, above the register tree's. */
const FIRST_REF = 0x100000;
/** References kept before the oldest are dropped (each stop makes new ones). */
const MAX_REFS = 20000;
const MAX_CHILDREN = 256;

/** A value somewhere: its type and place (memory, or a register of a frame). */
interface Value {
  type: DwarfType | null;
  place: Place;
  regs?: FrameRegisters;
}

type Container = { kind: 'locals'; frameId: number } | { kind: 'globals' } | { kind: 'value'; value: Value };

export const enum CScope {
  Locals = 'Locals',
  Globals = 'Globals',
}

export class CVariables {
  private readonly refs = new Map<number, Container>();
  private next = FIRST_REF;

  constructor(private readonly machine: Machine, private readonly stack: ShadowCallStack, private readonly dwarf: DwarfSources) {}

  private ref(c: Container): number {
    if (this.refs.size >= MAX_REFS) this.refs.delete(this.refs.keys().next().value!);
    this.refs.set(this.next, c);
    return this.next++;
  }

  private read = (linear: number, n: number): Uint8Array | null => {
    const r = readLinear(this.machine.cpu, linear, n);
    return r.readable >= n ? r.bytes.subarray(0, n) : null;
  };

  /**
   * A frame's registers and function: the CPU's for frame 0, a caller's by unwinding through the call
   * frame information, as long as every frame up to it was entered by a call from described code.
   */
  frame(frameId: number): { regs: FrameRegisters; fn: DwarfFunction; info: DebugInfo } | undefined {
    const cpu = this.machine.cpu;
    let regs: FrameRegisters = { r32: Array.from(cpu.r32), pc: this.machine.pcLinear, ssBase: cpu.base[SS] };
    for (let k = 0; k < frameId; k++) {
      const f = this.stack.frame(this.stack.depth - 1 - k);
      const info = this.dwarf.infoAt(regs.pc);
      if (!f || (f.kind !== 'call' && f.kind !== 'callf') || !info) return undefined;
      const up = unwind(info.frames, regs, f.callerLinear, this.read);
      if (!up) return undefined;
      regs = up;
    }
    const info = this.dwarf.infoAt(regs.pc);
    const fn = info?.functionAt(regs.pc);
    return info && fn ? { regs, fn, info } : undefined;
  }

  /** Locals of the frame (when it is in a function of the DWARF) and the Globals. */
  scopes(frameId: number): DebugProtocol.Scope[] {
    const out: DebugProtocol.Scope[] = [];
    const f = this.frame(frameId);
    if (f && f.fn.locals.length) out.push({ name: CScope.Locals, presentationHint: 'locals', variablesReference: this.ref({ kind: 'locals', frameId }), expensive: false });
    if (this.dwarf.globals().length) out.push({ name: CScope.Globals, variablesReference: this.ref({ kind: 'globals' }), expensive: false });
    return out;
  }

  /** The children of a C reference, or null when the reference is not one of these. */
  variables(ref: number): DebugProtocol.Variable[] | null {
    const c = this.refs.get(ref);
    if (!c) return ref >= FIRST_REF ? [] : null;
    if (c.kind === 'globals') return this.dwarf.globals().map((g) => this.variable(g.name, this.valueOf(g)));
    if (c.kind === 'locals') {
      const f = this.frame(c.frameId);
      if (!f) return [];
      return f.fn.locals.map((v) => this.variable(v.name, this.valueOf(v, f)));
    }
    return this.children(c.value);
  }

  private valueOf(v: DwarfVariable, f?: { regs: FrameRegisters; fn: DwarfFunction; info: DebugInfo }): Value {
    const info = f?.info ?? this.dwarf.infoAt(this.machine.pcLinear);
    const regs = f?.regs ?? { r32: Array.from(this.machine.cpu.r32), pc: this.machine.pcLinear, ssBase: this.machine.cpu.base[SS] };
    return { type: v.type, place: info ? placeOf(v, f?.fn, info.frames, regs) : placeOf(v, undefined, NO_FRAMES, regs), regs };
  }

  private bytes(v: Value): Uint8Array | string {
    const size = Math.max(1, Math.min(v.type?.size ?? 1, 4096));
    if (v.place.kind === 'none') return `<${v.place.why}>`;
    if (v.place.kind === 'register') {
      const r = v.regs?.r32[v.place.reg] ?? 0;
      return new Uint8Array([r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, (r >>> 24) & 0xff, 0, 0, 0, 0]).subarray(0, Math.max(size, 4));
    }
    return this.read(v.place.linear, size) ?? `<no memory at linear 0x${v.place.linear.toString(16)}>`;
  }

  /** A variable row: its value, type, children and memory reference. */
  private variable(name: string, v: Value): DebugProtocol.Variable {
    const b = this.bytes(v);
    const value = typeof b === 'string' ? b : formatValue(v.type, b);
    const t = v.type;
    const expandable = typeof b !== 'string' && t !== null
      && (t.kind === 'struct' || t.kind === 'array' || (t.kind === 'pointer' && t.target !== null && t.target.size > 0));
    return {
      name, value, type: t?.name ?? 'void', variablesReference: expandable ? this.ref({ kind: 'value', value: v }) : 0,
      ...(v.place.kind === 'memory' ? { memoryReference: refString(v.place.linear) } : {}),
    };
  }

  private children(v: Value): DebugProtocol.Variable[] {
    const t = v.type;
    const at = (off: number, type: DwarfType | null): Value => (v.place.kind === 'memory'
      ? { type, place: { kind: 'memory', linear: (v.place.linear + off) >>> 0 }, regs: v.regs } : { type, place: { kind: 'none', why: 'not in memory' } });
    if (t?.kind === 'struct') return t.members.map((m) => this.variable(m.name, at(m.offset, m.type)));
    if (t?.kind === 'array') {
      const size = t.element?.size ?? 0;
      return Array.from({ length: Math.min(t.count, MAX_CHILDREN) }, (_, i) => this.variable(`[${i}]`, at(i * size, t.element)));
    }
    if (t?.kind === 'pointer') {
      const target = this.pointee(v);
      return target ? [this.variable(`*`, target)] : [];
    }
    return [];
  }

  /** What a pointer value points at (the pointer is an offset in DS, the data segment of the stop). */
  private pointee(v: Value): Value | undefined {
    const t = v.type;
    if (t?.kind !== 'pointer') return undefined;
    const b = this.bytes(v);
    if (typeof b === 'string') return undefined;
    let p = 0;
    for (let i = Math.min(t.size, 4) - 1; i >= 0; i--) p = p * 256 + b[i];
    // Flat C code addresses data through DS; in real mode DS.base is its segment's.
    const base = this.machine.cpu.base[DS];
    return { type: t.target, place: { kind: 'memory', linear: (base + p) >>> 0 }, regs: v.regs };
  }

  /**
   * A C expression over the variables in scope of `frameId` (locals first, then globals): `name`,
   * `.member`, `[index]`, `->member` and a leading `*`. Undefined when its first name is no C variable.
   */
  evaluate(expr: string, frameId: number): DebugProtocol.EvaluateResponse['body'] | undefined {
    const v = this.resolve(expr, frameId);
    if (!v) return undefined;
    const row = this.variable(expr, v);
    return { result: row.value, type: row.type, variablesReference: row.variablesReference, memoryReference: row.memoryReference };
  }

  /** Linear address and size of a C variable expression in memory (data breakpoints), or undefined. */
  memoryOf(expr: string, frameId: number): { linear: number; bytes: number } | undefined {
    const v = this.resolve(expr, frameId);
    return v?.place.kind === 'memory' ? { linear: v.place.linear, bytes: Math.max(1, v.type?.size ?? 1) } : undefined;
  }

  private resolve(expr: string, frameId: number): Value | undefined {
    const m = /^(\*\s*)?([A-Za-z_]\w*)((?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\s*\[\s*\d+\s*\])*)$/.exec(expr.trim());
    if (!m) return undefined;
    const f = this.frame(frameId);
    const local = f?.fn.locals.find((v) => v.name === m[2]);
    const root = local ?? this.dwarf.global(m[2]);
    if (!root) return undefined;
    let v: Value = this.valueOf(root, local ? f : undefined);
    for (const step of m[3].matchAll(/(\.|->)\s*([A-Za-z_]\w*)|\[\s*(\d+)\s*\]/g)) {
      if (step[1] === '->') {
        const p = this.pointee(v);
        if (!p) throw new Error(`'${expr}': not a pointer before ->${step[2]}`);
        v = p;
      }
      const t = v.type;
      if (step[2] !== undefined) {
        const mem = t?.kind === 'struct' ? t.members.find((x) => x.name === step[2]) : undefined;
        if (!mem) throw new Error(`'${expr}': ${t?.name ?? 'void'} has no member ${step[2]}`);
        v = this.offset(v, mem.offset, mem.type);
      } else {
        const i = +step[3];
        if (t?.kind === 'array') {
          if (i >= t.count) throw new Error(`'${expr}': index ${i} is past the end of ${t.name}`);
          v = this.offset(v, i * (t.element?.size ?? 0), t.element);
        } else if (t?.kind === 'pointer') {
          const p = this.pointee(v);
          if (!p) throw new Error(`'${expr}': cannot read the pointer`);
          v = this.offset(p, i * (t.target?.size ?? 1), t.target);
        } else throw new Error(`'${expr}': ${t?.name ?? 'void'} is not an array or a pointer`);
      }
    }
    if (m[1]) {
      const p = this.pointee(v);
      if (!p) throw new Error(`'${expr}': not a pointer`);
      v = p;
    }
    return v;
  }

  private offset(v: Value, off: number, type: DwarfType | null): Value {
    if (v.place.kind !== 'memory') throw new Error('a member of a value not in memory');
    return { type, place: { kind: 'memory', linear: (v.place.linear + off) >>> 0 }, regs: v.regs };
  }

  /** Names for completions: the globals and the top frame's locals. */
  names(): string[] {
    return [...(this.frame(0)?.fn.locals.map((v) => v.name) ?? []), ...this.dwarf.globals().map((g) => g.name)];
  }
}

const NO_FRAMES = new CallFrameTable([]);
