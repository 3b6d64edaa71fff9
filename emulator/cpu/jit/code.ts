// Generated code as data: JavaScript text with typed holes that the block emitter (emit.ts) fills
// from what it knows where the code lands, so nothing ever reads generated text back. A hole is a
// call out of an inline fast path (it may fault, read the instruction count or raise an attention
// bit, so the state around it must be settled), the current value of one status flag, the physical
// address of a memory operand (linear = physical, or through the TLB under paging), or a function
// the code calls (each becomes a constant of the block's closure: a fixed call target).
// Pure TypeScript: no Node or VS Code imports.

/** Any function generated code may call: helpers, flag formulas, dispatch entries. */
export type Callee = (...args: never[]) => unknown;

/** A call that leaves the inline fast path. */
export interface Slow {
  readonly slow: Code;
}

/** The value of one status flag (an EFLAGS bit), as a boolean expression. */
export interface FlagRead {
  readonly flag: number;
}

/**
 * The physical address of the access at segment `seg`, offset `off` (a plain name), as an
 * expression that also leaves it in $a: one the fast path cannot take (a TLB miss or a missing
 * permission under paging) gives the RAM size, the first page without RAM (PF_NO_RAM), so the
 * access's page-flag test sends it to its slow hole, as it does any address outside RAM.
 */
export interface Phys {
  readonly phys: { seg: number; off: string; write: boolean };
}

/**
 * A field of a segment register's cache as the block holds it (emit.ts keeps it in a local, read
 * again after anything that may load the register): `base`; `read` and `write`, the highest offset an
 * access of that kind may reach on the fast path (-1: none), from offset 0 (Cpu.fastReadHi/fastWriteHi).
 */
export type SegFieldName = 'base' | 'read' | 'write';
export interface SegField {
  readonly segField: { seg: number; field: SegFieldName };
}

/** A function the code calls, by reference. */
export interface Ref {
  readonly ref: Callee;
}

export type Piece = string | Slow | FlagRead | Phys | SegField | Ref;
export type Code = readonly Piece[];

type Part = string | number | boolean | Slow | FlagRead | Phys | SegField | Ref | Code;

/** Code from a template: interpolated strings and numbers become text, holes and code stay as they are. */
export function js(strings: TemplateStringsArray, ...parts: Part[]): Code {
  const out: Piece[] = [];
  for (let i = 0; i < strings.length; i++) {
    append(out, strings[i]);
    if (i < parts.length) append(out, parts[i]);
  }
  return out;
}

function append(out: Piece[], p: Part): void {
  if (Array.isArray(p)) {
    for (const q of p as Code) append(out, q);
  } else if (typeof p === 'object') {
    out.push(p as Piece);
  } else {
    const t = String(p);
    const k = out.length - 1;
    if (t === '') return;
    if (k >= 0 && typeof out[k] === 'string') out[k] += t;
    else out.push(t);
  }
}

/** Code joined with `sep` between the pieces. */
export function join(codes: readonly Code[], sep: string): Code {
  return codes.flatMap((c, i) => (i === 0 ? c : [sep, ...c]));
}

export const slow = (call: Code): Slow => ({ slow: call });
export const flag = (bit: number): FlagRead => ({ flag: bit });
export const ref = (fn: Callee): Ref => ({ ref: fn });
export const phys = (seg: number, off: string, write: boolean): Phys => ({ phys: { seg, off, write } });
export const segField = (seg: number, field: SegFieldName): SegField => ({ segField: { seg, field } });

/** Whether the code leaves its fast path anywhere. */
export function hasSlow(code: Code): boolean {
  return code.some((p) => typeof p === 'object' && 'slow' in p);
}

/** How a block fills the holes at one place in it. */
export interface Fill {
  slow(call: string): Code;
  flag(bit: number): Code;
  phys(seg: number, off: string, write: boolean): string;
  segField(seg: number, field: SegFieldName): string;
  ref(fn: Callee): string;
}

/** The text of `code` with its holes filled (a filling may itself hold holes). */
export function render(code: Code, fill: Fill): string {
  let s = '';
  for (const p of code) {
    if (typeof p === 'string') s += p;
    else if ('slow' in p) s += render(fill.slow(render(p.slow, fill)), fill);
    else if ('flag' in p) s += render(fill.flag(p.flag), fill);
    else if ('phys' in p) s += fill.phys(p.phys.seg, p.phys.off, p.phys.write);
    else if ('segField' in p) s += fill.segField(p.segField.seg, p.segField.field);
    else s += fill.ref(p.ref);
  }
  return s;
}
