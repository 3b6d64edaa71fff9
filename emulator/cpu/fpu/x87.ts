// The x87 floating-point unit (387/486/Pentium behaviour): the register stack with its tag, status
// and control words and last-instruction pointers, and one method per instruction form. Memory
// operands come in and go out as raw values (the CPU reads and writes memory, and decides when a
// pending exception becomes #MF or FERR#). Stack faults and the six exceptions get the masked
// responses; unmasked, the destination and TOP stay as they were (pre-computation IE/DE/ZE, and
// OE/UE on memory stores) or receive the bias-adjusted result (OE/UE on registers), and ES is set.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 1 ch. 8, Vol. 2 (the F* instructions).
import { CMP_EQ, CMP_LT, CMP_UN, add, compare, div, mul, sqrt } from './arith';
import { loadBcd, loadInt, loadReal32, loadReal64, storeBcd, storeInt, storeReal32, storeReal64 } from './convert';
import {
  Cls,
  FE_ALL,
  FE_DE,
  FE_IE,
  FE_SF,
  FE_ZE,
  INDEFINITE,
  ONE,
  ZERO,
  classify,
  f80,
  fromBytes,
  toBytes,
  type F80,
} from './float80';
import { RoundCtx } from './round';
import { constant, f2xm1, fpatan, fyl2x, fyl2xp1, trig } from './transcend';
import { fprem, frndint, fscale, fxtract } from './x87ops';

// Status word bits (SDM Vol. 1 §8.1.3).
export const SW_ES = 0x0080;
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** Arithmetic operations in ModRM.reg order of D8/DC: ADD MUL COM COMP SUB SUBR DIV DIVR. */
export const OP_ADD = 0, OP_MUL = 1, OP_SUB = 4, OP_SUBR = 5, OP_DIV = 6, OP_DIVR = 7;

/** Memory operand formats. */
export type MemFormat = 'm32' | 'm64' | 'm80' | 'i16' | 'i32' | 'i64' | 'bcd';
/** A memory operand's value: m32/i16/i32 as a number, m64/i64 as a bigint, m80/bcd as 10 bytes. */
export type MemValue = number | bigint | Uint8Array;

export type UnaryOp = 'fchs' | 'fabs' | 'fsqrt' | 'frndint' | 'f2xm1' | 'fsin' | 'fcos' | 'fsincos' | 'fptan' | 'fxtract';
export type St01Op = 'fscale' | 'fprem' | 'fprem1' | 'fyl2x' | 'fyl2xp1' | 'fpatan';
export type ConstName = '1' | 'z' | 'pi' | 'l2t' | 'l2e' | 'lg2' | 'ln2';

/** FXSAVE's x87 region: its length, and where ST0's 16-byte slot starts (each holds the 10-byte value). */
export const FX_X87_BYTES = 160;
const FX_REGS = 32;

/** How FSTENV/FLDENV/FSAVE/FRSTOR lay out the environment (SDM Vol. 1 §8.1.10). */
export interface EnvMode {
  op32: boolean;
  protectedMode: boolean;
}

export interface X87State {
  readonly regs: readonly F80[];
  readonly empty: number;
  readonly top: number;
  readonly cw: number;
  readonly sw: number;
  readonly ptrs: readonly [number, number, number, number, number];
}

export class X87 {
  /** Physical registers R0-R7. */
  readonly regs: F80[] = new Array<F80>(8).fill(ZERO);
  /** Bit i set: physical register i is empty. */
  empty = 0xff;
  top = 0;
  cw = 0x037f;
  /** Status word without TOP (bits 11-13) and B (mirrors ES). */
  sw = 0;
  // Last non-control instruction: pointer, CS, opcode (11 bits), operand pointer and its segment.
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;
  private readonly ctx = new RoundCtx();

  // ---- state ----

  /** The state after RESET (SDM Vol. 3 Table 9-1): CW 0040h, every register +0 with tag "zero". */
  reset(): void {
    this.fninit();
    this.cw = 0x0040;
    this.regs.fill(ZERO);
    this.empty = 0;
  }

  /** A copy of the architectural state (registers are immutable values), for snapshots. */
  saveState(): X87State {
    return { regs: this.regs.slice(), empty: this.empty, top: this.top, cw: this.cw, sw: this.sw, ptrs: [this.fip, this.fcs, this.fop, this.fdp, this.fds] };
  }

  loadState(s: X87State): void {
    for (let i = 0; i < 8; i++) this.regs[i] = s.regs[i];
    this.empty = s.empty;
    this.top = s.top;
    this.cw = s.cw;
    this.sw = s.sw;
    [this.fip, this.fcs, this.fop, this.fdp, this.fds] = s.ptrs;
  }

  fninit(): void {
    this.cw = 0x037f;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xff;
    this.fip = this.fcs = this.fop = this.fdp = this.fds = 0;
  }

  fnclex(): void {
    this.sw &= ~(FE_ALL | FE_SF | SW_ES);
  }

  /** The status word as FNSTSW stores it. */
  status(): number {
    const es = this.sw & SW_ES ? SW_B : 0;
    return (this.sw | (this.top << 11) | es) & 0xffff;
  }

  /** Whether an unmasked exception is pending: the next waiting instruction reports it (#MF/FERR#). */
  pending(): boolean {
    return (this.sw & SW_ES) !== 0;
  }

  fldcw(w: number): void {
    this.cw = (w & 0x1f3f) | 0x0040;
    this.updateEs();
  }

  /** ES follows the exception flags and the masks (FLDCW/FLDENV unmasking a raised flag sets it). */
  private updateEs(): void {
    if (this.sw & ~this.cw & FE_ALL) this.sw |= SW_ES;
    else this.sw &= ~SW_ES;
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return ((this.empty >>> this.phys(i)) & 1) !== 0;
  }

  /** ST(i)'s contents (whatever an empty register holds). */
  st(i: number): F80 {
    return this.regs[this.phys(i)];
  }

  setSt(i: number, v: F80): void {
    const p = this.phys(i);
    this.regs[p] = v;
    this.empty &= ~(1 << p);
  }

  /** Tag of physical register p: 0 valid, 1 zero, 2 special, 3 empty. */
  tag(p: number): number {
    if ((this.empty >>> p) & 1) return 3;
    const c = classify(this.regs[p]);
    return c === Cls.Normal ? 0 : c === Cls.Zero ? 1 : 2;
  }

  tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tag(p) << (2 * p);
    return tw;
  }

  /** Only "empty" survives a tag-word load: the other tags are recomputed from the contents. */
  setTagWord(tw: number): void {
    let e = 0;
    for (let p = 0; p < 8; p++) if (((tw >>> (2 * p)) & 3) === 3) e |= 1 << p;
    this.empty = e;
  }

  // ---- instruction framing ----

  private begin(): RoundCtx {
    this.ctx.begin(this.cw);
    return this.ctx;
  }

  /** Whether the instruction's result may be written: no unmasked IE/DE/ZE was raised. */
  private writable(): boolean {
    return !this.ctx.unmasked(FE_IE | FE_DE | FE_ZE);
  }

  /** Merges the instruction's exceptions into the status word; C1 from the rounding unless given. */
  private end(c1 = this.ctx.up): void {
    this.sw = (this.sw & ~SW_C1) | (c1 ? SW_C1 : 0) | this.ctx.flags;
    this.updateEs();
  }

  private setCC(c3: number, c2: number, c1: number, c0: number): void {
    this.sw = (this.sw & ~SW_CC) | (c0 ? SW_C0 : 0) | (c1 ? SW_C1 : 0) | (c2 ? SW_C2 : 0) | (c3 ? SW_C3 : 0);
  }

  /** Stack underflow (an empty operand): IE|SF, C1 = 0; whether the masked response applies. */
  private underflow(): boolean {
    this.ctx.flags |= FE_IE | FE_SF;
    this.end(false);
    return (this.cw & FE_IE) !== 0;
  }

  /** Stack overflow (push onto a full ST7): IE|SF, C1 = 1; masked, the indefinite is pushed. */
  private overflow(): void {
    this.ctx.flags |= FE_IE | FE_SF;
    this.end(true);
    if (this.cw & FE_IE) this.push(INDEFINITE);
  }

  private push(v: F80): void {
    this.top = (this.top - 1) & 7;
    this.setSt(0, v);
  }

  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Whether a push has room (ST7 empty); otherwise takes the overflow response. */
  private room(): boolean {
    if (this.isEmpty(7)) return true;
    this.overflow();
    return false;
  }

  // ---- loads and stores ----

  /** FLD ST(i). */
  fld(i: number): void {
    this.begin();
    if (this.isEmpty(i)) {
      if (this.underflow() && this.room()) this.push(INDEFINITE);
      return;
    }
    const v = this.st(i);
    if (!this.room()) return;
    this.push(v);
    this.end(false);
  }

  /** FLD/FILD/FBLD from memory. */
  fldMem(fmt: MemFormat, raw: MemValue): void {
    const ctx = this.begin();
    if (!this.room()) return;
    const v = this.convertIn(ctx, fmt, raw);
    if (!this.writable()) return this.end(false);
    this.push(v);
    this.end(false);
  }

  private convertIn(ctx: RoundCtx, fmt: MemFormat, raw: MemValue): F80 {
    switch (fmt) {
      case 'm32': return loadReal32(ctx, raw as number);
      case 'm64': return loadReal64(ctx, raw as bigint);
      case 'm80': return fromBytes(raw as Uint8Array);
      case 'i16': return loadInt(BigInt.asIntN(16, BigInt(raw as number)));
      case 'i32': return loadInt(BigInt.asIntN(32, BigInt(raw as number)));
      case 'i64': return loadInt(BigInt.asIntN(64, raw as bigint));
      case 'bcd': return loadBcd(raw as Uint8Array);
    }
  }

  fldConst(which: ConstName): void {
    const ctx = this.begin();
    if (!this.room()) return;
    this.push(which === '1' ? ONE : which === 'z' ? ZERO : constant(ctx, which));
    this.end(false);
  }

  /** FST/FSTP ST(i). */
  fst(i: number, pop: boolean): void {
    this.begin();
    if (this.isEmpty(0)) {
      if (!this.underflow()) return;
      this.setSt(i, INDEFINITE);
    } else {
      this.setSt(i, this.st(0));
      this.end(false);
    }
    if (pop) this.pop();
  }

  /**
   * FST/FSTP/FIST/FISTP/FBSTP to memory: the value to write, or null to leave memory as it is
   * (an unmasked exception). Pops when `pop` and the store was not suppressed.
   */
  fstMem(fmt: MemFormat, pop: boolean): MemValue | null {
    const ctx = this.begin();
    let out: MemValue | null;
    if (this.isEmpty(0)) {
      if (!this.underflow()) return null;
      out = this.convertOut(ctx, fmt, INDEFINITE);
    } else {
      out = this.convertOut(ctx, fmt, this.st(0));
      this.end();
      if (out === null) return null;
    }
    if (pop) this.pop();
    return out;
  }

  private convertOut(ctx: RoundCtx, fmt: MemFormat, v: F80): MemValue | null {
    switch (fmt) {
      case 'm32': return storeReal32(ctx, v);
      case 'm64': return storeReal64(ctx, v);
      case 'm80': {
        const b = new Uint8Array(10);
        toBytes(v, b);
        return b;
      }
      case 'i16': { const n = storeInt(ctx, v, 16); return n === null ? null : Number(n); }
      case 'i32': { const n = storeInt(ctx, v, 32); return n === null ? null : Number(n); }
      case 'i64': return storeInt(ctx, v, 64);
      case 'bcd': return storeBcd(ctx, v);
    }
  }

  fxch(i: number): void {
    this.begin();
    const e0 = this.isEmpty(0), ei = this.isEmpty(i);
    if (e0 || ei) {
      if (!this.underflow()) return;
      // Masked: an empty side reads as the indefinite.
      const a = e0 ? INDEFINITE : this.st(0), b = ei ? INDEFINITE : this.st(i);
      this.setSt(0, b);
      this.setSt(i, a);
      return;
    }
    const a = this.st(0);
    this.setSt(0, this.st(i));
    this.setSt(i, a);
    this.end(false);
  }

  ffree(i: number): void {
    this.empty |= 1 << this.phys(i);
  }

  fincstp(): void {
    this.top = (this.top + 1) & 7;
    this.sw &= ~SW_C1;
  }

  fdecstp(): void {
    this.top = (this.top - 1) & 7;
    this.sw &= ~SW_C1;
  }

  // ---- arithmetic ----

  private binop(op: number, a: F80, b: F80): F80 {
    const ctx = this.ctx;
    switch (op) {
      case OP_ADD: return add(ctx, a, b, false);
      case OP_MUL: return mul(ctx, a, b);
      case OP_SUB: return add(ctx, a, b, true);
      case OP_SUBR: return add(ctx, b, a, true);
      case OP_DIV: return div(ctx, a, b);
      default: return div(ctx, b, a);
    }
  }

  /**
   * Register forms: ST(dst) ← ST(dst) op ST(src) (op per OP_*: SUBR/DIVR reverse), then pop if `pop`.
   * D8 forms have dst = 0; DC/DE forms dst = i, src = 0.
   */
  arith(op: number, dst: number, src: number, pop: boolean): void {
    this.begin();
    if (this.isEmpty(dst) || this.isEmpty(src)) {
      if (!this.underflow()) return;
      this.setSt(dst, INDEFINITE);
    } else {
      const r = this.binop(op, this.st(dst), this.st(src));
      if (!this.writable()) return this.end();
      this.setSt(dst, r);
      this.end();
    }
    if (pop) this.pop();
  }

  /** Memory forms: ST0 ← ST0 op m (reals and integers). */
  arithMem(op: number, fmt: MemFormat, raw: MemValue): void {
    const ctx = this.begin();
    const m = this.convertIn(ctx, fmt, raw);
    if (this.isEmpty(0)) {
      if (this.underflow()) this.setSt(0, INDEFINITE);
      return;
    }
    if (!this.writable()) return this.end();
    const r = this.binop(op, this.st(0), m);
    if (!this.writable()) return this.end();
    this.setSt(0, r);
    this.end();
  }

  private setCompare(r: number): void {
    this.setCC(r === CMP_EQ || r === CMP_UN ? 1 : 0, r === CMP_UN ? 1 : 0, 0, r === CMP_LT || r === CMP_UN ? 1 : 0);
  }

  /**
   * FCOM/FCOMP/FUCOM/FUCOMP ST(i) (`quiet`: FUCOM), popping `pops` times (FCOMPP: 2). The condition
   * codes are set also when the exception is unmasked (then nothing is popped), as Bochs does.
   */
  fcom(i: number, pops: number, quiet: boolean): void {
    this.begin();
    if (this.isEmpty(0) || this.isEmpty(i)) {
      const masked = this.underflow();
      this.setCompare(CMP_UN);
      if (!masked) return;
    } else {
      const r = compare(this.ctx, this.st(0), this.st(i), quiet);
      this.end(false);
      this.setCompare(r);
      if (!this.writable()) return;
    }
    for (let n = 0; n < pops; n++) this.pop();
  }

  /**
   * FCOMI/FUCOMI (`quiet`) ST(0), ST(i), popping once for FCOMIP/FUCOMIP: the comparison EFLAGS
   * take (CMP_*; unordered for an empty operand), or null when an unmasked exception leaves EFLAGS
   * and the stack as they were (SDM Vol. 2 FCOMI). C1 = 0; C0, C2 and C3 are not changed.
   */
  fcomi(i: number, pop: boolean, quiet: boolean): number | null {
    this.begin();
    let r = CMP_UN;
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (!this.underflow()) return null;
    } else {
      r = compare(this.ctx, this.st(0), this.st(i), quiet);
      this.end(false);
      if (!this.writable()) return null;
    }
    if (pop) this.pop();
    return r;
  }

  /**
   * FCMOVcc ST(0), ST(i), `move` when the condition holds (SDM Vol. 2 FCMOVcc). An empty operand
   * underflows whether or not it holds; masked, ST0 takes the indefinite (as Bochs).
   */
  fcmov(i: number, move: boolean): void {
    this.begin();
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.underflow()) this.setSt(0, INDEFINITE);
      return;
    }
    if (move) this.setSt(0, this.st(i));
  }

  /** FCOM/FCOMP/FICOM/FICOMP with a memory operand. */
  fcomMem(fmt: MemFormat, raw: MemValue, pop: boolean): void {
    const ctx = this.begin();
    const m = this.convertIn(ctx, fmt, raw);
    if (this.isEmpty(0)) {
      const masked = this.underflow();
      this.setCompare(CMP_UN);
      if (!masked) return;
    } else {
      const r = compare(ctx, this.st(0), m, false); // compared even after an unmasked DE/IE from the load (as Bochs)
      this.end(false);
      this.setCompare(r);
      if (!this.writable()) return;
    }
    if (pop) this.pop();
  }

  ftst(): void {
    this.begin();
    if (this.isEmpty(0)) {
      this.underflow();
      this.setCompare(CMP_UN);
      return;
    }
    const r = compare(this.ctx, this.st(0), ZERO, false);
    this.end(false);
    this.setCompare(r);
  }

  /** FXAM: the class of ST0 in C3/C2/C0, its sign in C1 (an empty register included). */
  fxam(): void {
    const v = this.st(0);
    if (this.isEmpty(0)) return this.setCC(1, 0, v.sign, 1);
    const c = classify(v);
    const code = {
      [Cls.Unsupported]: 0b000, [Cls.QNaN]: 0b001, [Cls.SNaN]: 0b001, [Cls.Normal]: 0b010, [Cls.Inf]: 0b011,
      [Cls.Zero]: 0b100, [Cls.Denormal]: 0b110, [Cls.PseudoDenormal]: 0b110,
    }[c];
    this.setCC(code >> 2, (code >> 1) & 1, v.sign, code & 1);
  }

  /** One-operand instructions on ST0; FSINCOS, FPTAN and FXTRACT push a second result. */
  unary(op: UnaryOp): void {
    const ctx = this.begin();
    const pushes = op === 'fsincos' || op === 'fptan' || op === 'fxtract';
    if (this.isEmpty(0)) {
      if (!this.underflow()) return;
      this.setSt(0, INDEFINITE);
      if (pushes && this.room()) this.push(INDEFINITE);
      return;
    }
    if (pushes && !this.isEmpty(7)) {
      // Masked, both results are the indefinite: ST0 is replaced, then the push overflows (as Bochs).
      if (this.cw & FE_IE) this.setSt(0, INDEFINITE);
      return this.overflow();
    }
    const a = this.st(0);
    let r: F80[] | null;
    switch (op) {
      case 'fchs': r = [f80(a.sign ^ 1, a.exp, a.sig)]; break;
      case 'fabs': r = [f80(0, a.exp, a.sig)]; break;
      case 'fsqrt': r = [sqrt(ctx, a)]; break;
      case 'frndint': r = [frndint(ctx, a)]; break;
      case 'f2xm1': r = [f2xm1(ctx, a)]; break;
      case 'fsin': r = trig(ctx, a, 'sin'); break;
      case 'fcos': r = trig(ctx, a, 'cos'); break;
      case 'fsincos': r = trig(ctx, a, 'sincos'); break;
      case 'fptan': r = trig(ctx, a, 'tan'); break;
      case 'fxtract': r = fxtract(ctx, a); break;
    }
    if (r === null) {
      // FSIN & co: |ST0| ≥ 2^63 is not reduced; C2 says so.
      this.end(false);
      this.sw |= SW_C2;
      return;
    }
    if (!this.writable()) return this.end();
    this.setSt(0, r[0]);
    if (r.length === 2) this.push(r[1]);
    this.end();
    if (op === 'fsin' || op === 'fcos' || op === 'fsincos' || op === 'fptan') this.sw &= ~SW_C2;
  }

  /** Instructions on ST0 and ST1: FSCALE, FPREM and FPREM1 leave ST0; FYL2X, FYL2XP1, FPATAN write ST1 and pop. */
  st01(op: St01Op): void {
    const ctx = this.begin();
    const pops = op === 'fyl2x' || op === 'fyl2xp1' || op === 'fpatan';
    const dst = pops ? 1 : 0;
    // FPREM/FPREM1 clear C2 first: an exception or a NaN leaves no "incomplete" behind (as Bochs).
    if (op === 'fprem' || op === 'fprem1') this.sw &= ~SW_C2;
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (!this.underflow()) return;
      this.setSt(dst, INDEFINITE);
      if (pops) this.pop();
      return;
    }
    const a = this.st(0), b = this.st(1);
    let r: F80;
    let cc = -1;
    switch (op) {
      case 'fscale': r = fscale(ctx, a, b); break;
      case 'fyl2x': r = fyl2x(ctx, a, b); break;
      case 'fyl2xp1': r = fyl2xp1(ctx, a, b); break;
      case 'fpatan': r = fpatan(ctx, a, b); break;
      default: {
        const rem = fprem(ctx, a, b, op === 'fprem1');
        r = rem.value;
        cc = rem.incomplete ? 4 << 3 : rem.q;
      }
    }
    if (!this.writable()) return this.end();
    this.setSt(dst, r);
    this.end();
    if (cc >= 0) {
      // Quotient bits: Q2 → C0, Q1 → C3, Q0 → C1; C2 = 1 while the reduction is incomplete.
      const incomplete = cc >> 5;
      this.setCC((cc >> 1) & 1, incomplete, cc & 1, (cc >> 2) & 1);
    }
    if (pops) this.pop();
  }

  // ---- environment and state images ----

  /** FNSTENV: 14 (16-bit) or 28 (32-bit) bytes; afterwards every exception is masked. */
  fnstenv(mode: EnvMode): Uint8Array {
    const out = this.envImage(mode);
    this.cw |= FE_ALL;
    this.updateEs();
    return out;
  }

  private envImage(mode: EnvMode): Uint8Array {
    const size = mode.op32 ? 28 : 14;
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    const w = mode.op32 ? 4 : 2;
    const put16 = (slot: number, v: number): void => dv.setUint16(slot * w, v & 0xffff, true);
    const put32 = (slot: number, v: number): void => dv.setUint32(slot * 4, v >>> 0, true);
    put16(0, this.cw);
    put16(1, this.status());
    put16(2, this.tagWord());
    if (mode.op32) {
      // Reserved halves read as ones on the 387+.
      for (const s of [0, 1, 2]) dv.setUint16(s * 4 + 2, 0xffff, true);
      if (mode.protectedMode) {
        put32(3, this.fip);
        put32(4, (this.fcs & 0xffff) | ((this.fop & 0x7ff) << 16));
        put32(5, this.fdp);
        put32(6, (this.fds & 0xffff) | 0xffff0000);
      } else {
        put32(3, (this.fip & 0xffff) | 0xffff0000);
        put32(4, (this.fop & 0x7ff) | ((this.fip >>> 16) << 12));
        put32(5, (this.fdp & 0xffff) | 0xffff0000);
        put32(6, (this.fdp >>> 16) << 12);
      }
    } else if (mode.protectedMode) {
      put16(3, this.fip);
      put16(4, this.fcs);
      put16(5, this.fdp);
      put16(6, this.fds);
    } else {
      put16(3, this.fip);
      put16(4, (this.fop & 0x7ff) | (((this.fip >>> 16) & 0xf) << 12));
      put16(5, this.fdp);
      put16(6, ((this.fdp >>> 16) & 0xf) << 12);
    }
    return out;
  }

  /** FLDENV from the image FNSTENV writes. */
  fldenv(img: Uint8Array, mode: EnvMode): void {
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    const w = mode.op32 ? 4 : 2;
    const get16 = (slot: number): number => dv.getUint16(slot * w, true);
    const get32 = (slot: number): number => dv.getUint32(slot * 4, true);
    this.cw = (get16(0) & 0x1f3f) | 0x0040;
    const sw = get16(1);
    this.top = (sw >>> 11) & 7;
    this.sw = sw & ~(0x3800 | SW_B);
    this.setTagWord(get16(2));
    if (mode.op32) {
      if (mode.protectedMode) {
        this.fip = get32(3);
        this.fcs = get32(4) & 0xffff;
        this.fop = (get32(4) >>> 16) & 0x7ff;
        this.fdp = get32(5);
        this.fds = get32(6) & 0xffff;
      } else {
        this.fip = ((get32(3) & 0xffff) | ((get32(4) >>> 12) << 16)) >>> 0;
        this.fop = get32(4) & 0x7ff;
        this.fdp = ((get32(5) & 0xffff) | ((get32(6) >>> 12) << 16)) >>> 0;
      }
    } else if (mode.protectedMode) {
      this.fip = get16(3);
      this.fcs = get16(4);
      this.fdp = get16(5);
      this.fds = get16(6);
    } else {
      this.fip = get16(3) | ((get16(4) >>> 12) << 16);
      this.fop = get16(4) & 0x7ff;
      this.fdp = get16(5) | ((get16(6) >>> 12) << 16);
    }
    this.updateEs();
  }

  /** FNSAVE: the environment, then ST0-ST7 (10 bytes each); the unit is then initialised. */
  fnsave(mode: EnvMode): Uint8Array {
    const env = this.envImage(mode);
    const out = new Uint8Array(env.length + 80);
    out.set(env);
    for (let i = 0; i < 8; i++) toBytes(this.st(i), out, env.length + 10 * i);
    this.fninit();
    return out;
  }

  frstor(img: Uint8Array, mode: EnvMode): void {
    const envLen = mode.op32 ? 28 : 14;
    this.fldenv(img.subarray(0, envLen), mode);
    for (let i = 0; i < 8; i++) this.regs[this.phys(i)] = fromBytes(img, envLen + 10 * i);
  }

  /**
   * FXSAVE's x87 region, the image's first 160 bytes (SDM Vol. 2 FXSAVE, the legacy region of the
   * 512-byte area): FCW, FSW, the abridged tag (bit p set: physical register p is not empty), FOP,
   * FIP and FCS, FDP and FDS, then ST0-ST7 in 16-byte slots. Unlike FNSAVE it leaves the unit as it
   * is. Outside protected mode the pointers are offsets (the unit keeps linear addresses there, as
   * the 16-bit real-mode images want), so CS and the operand's segment are taken off.
   */
  fxsave(mode: EnvMode): Uint8Array {
    const out = new Uint8Array(FX_X87_BYTES);
    const dv = new DataView(out.buffer);
    const rm = !mode.protectedMode;
    dv.setUint16(0, this.cw, true);
    dv.setUint16(2, this.status(), true);
    out[4] = ~this.empty & 0xff;
    dv.setUint16(6, this.fop & 0x7ff, true);
    dv.setUint32(8, rm ? this.fip - (this.fcs << 4) : this.fip, true);
    dv.setUint16(12, this.fcs, true);
    dv.setUint32(16, rm ? this.fdp - (this.fds << 4) : this.fdp, true);
    dv.setUint16(20, this.fds, true);
    for (let i = 0; i < 8; i++) toBytes(this.st(i), out, FX_REGS + 16 * i);
    return out;
  }

  /** FXRSTOR from the region FXSAVE writes: the tags of non-empty registers come from their contents. */
  fxrstor(img: Uint8Array, mode: EnvMode): void {
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    const rm = !mode.protectedMode;
    this.cw = (dv.getUint16(0, true) & 0x1f3f) | 0x0040;
    const sw = dv.getUint16(2, true);
    this.top = (sw >>> 11) & 7;
    this.sw = sw & ~(0x3800 | SW_B);
    this.empty = ~img[4] & 0xff;
    this.fop = dv.getUint16(6, true) & 0x7ff;
    this.fcs = dv.getUint16(12, true);
    this.fds = dv.getUint16(20, true);
    this.fip = (dv.getUint32(8, true) + (rm ? this.fcs << 4 : 0)) >>> 0;
    this.fdp = (dv.getUint32(16, true) + (rm ? this.fds << 4 : 0)) >>> 0;
    for (let i = 0; i < 8; i++) this.regs[this.phys(i)] = fromBytes(img, FX_REGS + 16 * i);
    this.updateEs();
  }
}
