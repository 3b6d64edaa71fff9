// Expressions over machine state for watch, hover and the debug console: registers and their parts
// (`ax`, `eflags.vm`, `cs.base`, `cr0.pe`), `SSSS:OOOO` and `seg:offset` pointers, memory operands
// (`[ds:si]`, `byte|word|dword [es:di+4]`), `linear(...)`, `phys(...)` and integer arithmetic.
// Errors are ExpressionError with a sentence for the user; evaluation never changes the machine.
// Pure TypeScript: no Node or VS Code imports. Segmentation per SDM Vol. 3 §3.4, §20.1.

import type { Cpu } from '../cpu/cpu';
import { CR0_PE, CS, DS, EFLAGS_VM, SEG_NAMES } from '../cpu/regs';
import { descriptorForSelector } from './descriptors';
import { peekTranslate } from '../cpu/protected/paging';
import { readLinearValue, segOff } from './machineView';
import { fieldNames, readRegister } from './registers';

export class ExpressionError extends Error {}

/** A segment part: a segment register (its cached base applies) or a literal selector/paragraph. */
export type SegmentRef = { reg: number } | { selector: number };

export type Value =
  | { kind: 'number'; value: number; size?: number; memoryReference?: number }
  | { kind: 'pointer'; seg: SegmentRef; offset: number };

export interface EvalResult {
  value: number;
  /** Display text: hex (and a pointer's SSSS:OOOO). */
  text: string;
  /** Linear address for the memory inspector, when the value names or points at memory. */
  memoryReference?: number;
  type: string;
}

type Tok = { t: 'num'; v: number } | { t: 'segoff'; seg: number; off: number } | { t: 'id'; v: string; raw: string } | { t: 'op'; v: string };

/** Extra names: values the caller binds (`port`, `vector`) and program symbols (labels from a listing, case-sensitive). */
export interface EvalScope {
  vars?: Readonly<Record<string, number>>;
  symbol?: (name: string) => number | undefined;
}

const SEGOFF = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,8})(?![\w.])/;
const NUM = /^(?:0x([0-9a-fA-F]+)|([0-9][0-9a-fA-F]*)h(?![\w])|0b([01]+)|([0-9]+))(?![\w])/;
const ID = /^[A-Za-z_][A-Za-z0-9_.]*/;
const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '&', '|', '^', '~', '(', ')', '[', ']', ':', ','];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let s = src;
  while ((s = s.replace(/^\s+/, '')).length > 0) {
    let m: RegExpExecArray | null;
    if ((m = SEGOFF.exec(s))) {
      out.push({ t: 'segoff', seg: parseInt(m[1], 16), off: parseInt(m[2], 16) });
    } else if ((m = NUM.exec(s))) {
      const v = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 16)
        : m[3] !== undefined ? parseInt(m[3], 2) : parseInt(m[4], 10);
      if (!(v <= 0xffffffff)) throw new ExpressionError(`${m[0]} does not fit in 32 bits`);
      out.push({ t: 'num', v });
    } else if (/^[0-9]/.test(s)) {
      const word = /^[0-9A-Za-z_]+/.exec(s)![0];
      throw new ExpressionError(`'${word}' is not a number: write hex as 0x${word} or ${word}h, decimal as digits`);
    } else if ((m = ID.exec(s))) {
      out.push({ t: 'id', v: m[0].toLowerCase(), raw: m[0] });
    } else {
      const op = OPS.find((o) => s.startsWith(o));
      if (!op) throw new ExpressionError(`unexpected character '${s[0]}' in '${src}'`);
      out.push({ t: 'op', v: op });
      m = [op] as unknown as RegExpExecArray;
    }
    s = s.slice(m[0].length);
  }
  return out;
}

const SIZES: Record<string, number> = { byte: 1, word: 2, dword: 4 };

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[], private readonly cpu: Cpu, private readonly src: string,
    private readonly scope: EvalScope = {},
  ) {}

  parse(): Value {
    if (this.toks.length === 0) throw new ExpressionError('empty expression');
    const v = this.pointerExpr();
    if (this.i < this.toks.length) throw new ExpressionError(`unexpected '${this.show(this.toks[this.i])}' in '${this.src}'`);
    return v;
  }

  private show(t: Tok): string {
    return t.t === 'segoff' ? segOff(t.seg, t.off) : String(t.v);
  }

  private peekOp(...ops: string[]): string | null {
    const t = this.toks[this.i];
    return t && t.t === 'op' && ops.includes(t.v) ? t.v : null;
  }

  private expect(op: string): void {
    if (!this.peekOp(op)) {
      const t = this.toks[this.i];
      throw new ExpressionError(t ? `expected '${op}' but found '${this.show(t)}'` : `expected '${op}' at the end of '${this.src}'`);
    }
    this.i++;
  }

  /** seg:offset binds loosest, so `es:di+4` is ES:(DI+4). */
  private pointerExpr(): Value {
    const start = this.i;
    const left = this.binary(0);
    if (!this.peekOp(':')) return left;
    const leftEnd = this.i++;
    const off = this.num(this.binary(0));
    const t = this.toks[start];
    if (leftEnd === start + 1 && t.t === 'id' && SEG_NAMES.indexOf(t.v as never) >= 0 && SEG_NAMES.indexOf(t.v as never) < 6) {
      return { kind: 'pointer', seg: { reg: SEG_NAMES.indexOf(t.v as never) }, offset: off >>> 0 };
    }
    return { kind: 'pointer', seg: { selector: this.num(left) & 0xffff }, offset: off >>> 0 };
  }

  private static readonly LEVELS = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Value {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (let op; (op = this.peekOp(...Parser.LEVELS[level])); ) {
      this.i++;
      const right = this.binary(level + 1);
      left = this.apply(op, left, right);
    }
    return left;
  }

  private apply(op: string, a: Value, b: Value): Value {
    if (a.kind === 'pointer' && (op === '+' || op === '-') && b.kind === 'number') {
      return { ...a, offset: (op === '+' ? a.offset + b.value : a.offset - b.value) >>> 0 };
    }
    const x = this.num(a), y = this.num(b);
    let r: number;
    switch (op) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = Number((BigInt(x) * BigInt(y)) & 0xffffffffn); break;
      case '/': case '%':
        if (y === 0) throw new ExpressionError('division by zero');
        r = op === '/' ? Math.floor(x / y) : x % y;
        break;
      case '&': r = x & y; break;
      case '|': r = x | y; break;
      case '^': r = x ^ y; break;
      case '<<': r = y >= 32 ? 0 : x << y; break;
      case '==': r = +(x === y); break;
      case '!=': r = +(x !== y); break;
      case '<': r = +(x < y); break;
      case '<=': r = +(x <= y); break;
      case '>': r = +(x > y); break;
      case '>=': r = +(x >= y); break;
      case '&&': r = +(x !== 0 && y !== 0); break;
      case '||': r = +(x !== 0 || y !== 0); break;
      default: r = y >= 32 ? 0 : x >>> y;
    }
    // Comparisons and logical operators give 0 or 1, shown in decimal.
    return { kind: 'number', value: r >>> 0, ...(['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(op) ? { size: 0 } : {}) };
  }

  private unary(): Value {
    const op = this.peekOp('-', '~', '+', '!');
    if (op) {
      this.i++;
      const v = this.num(this.unary());
      if (op === '!') return { kind: 'number', value: +(v === 0), size: 0 };
      return { kind: 'number', value: (op === '-' ? -v : op === '~' ? ~v : v) >>> 0 };
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.toks[this.i++];
    if (!t) throw new ExpressionError(`'${this.src}' ends too early`);
    if (t.t === 'num') return { kind: 'number', value: t.v >>> 0 };
    if (t.t === 'segoff') return { kind: 'pointer', seg: { selector: t.seg }, offset: t.off };
    if (t.t === 'op') {
      if (t.v === '(') {
        const v = this.pointerExpr();
        this.expect(')');
        return v;
      }
      if (t.v === '[') return this.memory(0);
      throw new ExpressionError(`unexpected '${t.v}' in '${this.src}'`);
    }
    if (t.v in SIZES) {
      const size = SIZES[t.v];
      if (this.toks[this.i]?.t === 'id' && (this.toks[this.i] as { v: string }).v === 'ptr') this.i++;
      this.expect('[');
      return this.memory(size);
    }
    if (t.v === 'linear' || t.v === 'phys') {
      this.expect('(');
      const v = this.pointerExpr();
      this.expect(')');
      const lin = this.linearOf(v);
      if (t.v === 'linear') return { kind: 'number', value: lin, size: 4, memoryReference: lin };
      const p = peekTranslate(this.cpu, lin);
      if (p < 0) throw new ExpressionError(`linear address 0x${lin.toString(16)} is not mapped (page not present)`);
      return { kind: 'number', value: p, size: 4 };
    }
    const vars = this.scope.vars;
    if (vars && Object.hasOwn(vars, t.v)) return { kind: 'number', value: vars[t.v] >>> 0 };
    const reg = readRegister(this.cpu, t.v);
    const sym = reg === null ? this.scope.symbol?.(t.raw) : undefined;
    if (sym !== undefined) return { kind: 'number', value: sym >>> 0, size: 4, memoryReference: sym >>> 0 };
    if (reg === null) {
      throw new ExpressionError(`unknown name '${t.v}' (registers such as ax, eflags.zf, cs.base, cr0.pe; functions linear(), phys(); try 'help')`);
    }
    return { kind: 'number', value: reg.value, size: reg.size };
  }

  /** `[expr]` after the opening bracket: reads `size` bytes (0 = the default for CS.D). */
  private memory(size: number): Value {
    const v = this.pointerExpr();
    this.expect(']');
    const lin = v.kind === 'pointer' ? this.linearOf(v) : this.linearOf({ kind: 'pointer', seg: { reg: DS }, offset: v.value });
    const n = size || (this.cpu.code32 ? 4 : 2);
    const value = readLinearValue(this.cpu, lin, n);
    if (value === null) throw new ExpressionError(`cannot read ${n} bytes at linear 0x${lin.toString(16)}: page not present`);
    return { kind: 'number', value, size: n, memoryReference: lin };
  }

  private num(v: Value): number {
    if (v.kind === 'number') return v.value;
    return this.linearOf(v);
  }

  linearOf(v: Value): number {
    if (v.kind === 'number') return v.value >>> 0;
    return (segmentBase(this.cpu, v.seg) + v.offset) >>> 0;
  }
}

/** Base of a segment part: a register's cached base, or for a literal the real-mode/vm86 paragraph or its descriptor. */
export function segmentBase(cpu: Cpu, seg: SegmentRef): number {
  if ('reg' in seg) return cpu.base[seg.reg];
  if (!(cpu.cr0 & CR0_PE) || cpu.flags & EFLAGS_VM) return (seg.selector << 4) >>> 0;
  if (seg.selector === cpu.sel[CS]) return cpu.base[CS];
  const d = descriptorForSelector(cpu, seg.selector);
  if (!d) throw new ExpressionError(`selector ${seg.selector.toString(16).padStart(4, '0')} names no descriptor in the GDT/LDT`);
  return d.base;
}

/** Parses an expression into a value (registers and memory read now); `scope` adds names. */
export function evaluateValue(cpu: Cpu, src: string, scope?: EvalScope): { value: Value; linear: (v: Value) => number } {
  const p = new Parser(lex(src), cpu, src.trim(), scope);
  const value = p.parse();
  return { value, linear: (v) => p.linearOf(v) };
}

/** Evaluates for display. */
export function evaluate(cpu: Cpu, src: string, scope?: EvalScope): EvalResult {
  const { value, linear } = evaluateValue(cpu, src, scope);
  if (value.kind === 'pointer') {
    const lin = linear(value);
    const segText = 'reg' in value.seg ? SEG_NAMES[value.seg.reg] : value.seg.selector.toString(16).toUpperCase().padStart(4, '0');
    const off = value.offset.toString(16).toUpperCase().padStart(value.offset > 0xffff ? 8 : 4, '0');
    return { value: lin, text: `${segText}:${off} (linear 0x${lin.toString(16)})`, memoryReference: lin, type: 'pointer' };
  }
  const size = value.size ?? (value.value > 0xffff ? 4 : value.value > 0xff ? 2 : 1);
  const text = size === 0 ? String(value.value) : `0x${value.value.toString(16).padStart(size * 2, '0')}`;
  return { value: value.value, text, memoryReference: value.memoryReference, type: size ? `${size * 8}-bit` : 'bit' };
}

/** Linear address an expression names (`0000:7C00`, `0x7c00`, `cs:ip`, `[ds:bx]` reads the pointer's target). */
export function evaluateAddress(cpu: Cpu, src: string, scope?: EvalScope): number {
  const { value, linear } = evaluateValue(cpu, src, scope);
  return linear(value);
}

/** Names the evaluator knows, for completions and help. */
export function knownNames(): string[] {
  return fieldNames();
}
