// Formats a decoded instruction in NASM syntax, lowercase, the way `ndisasm` prints it (prefix words
// it did not consume, size keywords only where NASM needs them, `short`/`near`/`far`, hex numbers).
// Pure TypeScript: no Node or VS Code imports. Emits tokens (tokens.ts); SDM Vol. 2 Chapter 2 names.
import { relTarget, type Instruction } from '../decode/decoder';
import { K, specsOf, type MemOperand, type Operand, type RegOperand } from '../decode/operands';
import {
  T_CALL, T_FAR, T_JCC, T_JMP, T_LOCK, T_NOSZ, T_OSIZE_MNEM, T_PF3, T_REPE, T_RET, T_SHORT, T_NEAR, T_SX, T_SZ, T_X87, type OpRow,
} from '../decode/table';
import type { Token, TokenKind } from './tokens';
import { hex } from '../../protocol/format';

const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'segr6', 'segr7'];
const SIZE_WORD: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword', 10: 'tword' };

export function regName(r: RegOperand): string {
  switch (r.cls) {
    case 'gpr': return (r.size === 1 ? GPR8 : r.size === 2 ? GPR16 : GPR32)[r.index];
    case 'seg': return SEG[r.index];
    case 'cr': return `cr${r.index}`;
    case 'dr': return `dr${r.index}`;
    case 'tr': return `tr${r.index}`;
    case 'st': return `st${r.index}`;
  }
}

function signedHex(n: number): string {
  return n < 0 ? '-0x' + (-n).toString(16) : '+0x' + n.toString(16);
}

class Out {
  readonly tokens: Token[] = [];
  push(kind: TokenKind, text: string): void {
    this.tokens.push({ kind, text });
  }
  word(kind: TokenKind, text: string): void {
    this.push(kind, text);
    this.push('space', ' ');
  }
}

/** Does the row's operand size change what it does, as ndisasm judges it (else a 66 prefix prints `o32`)? */
function usesOpSize(insn: Instruction, row: OpRow): boolean {
  if (row.tags & T_OSIZE_MNEM) return true;
  const op = row.opcode;
  if (op === 0xc2 || op === 0xc3 || op === 0xca || op === 0xcb) return true;  // retd / retfd
  for (const s of specsOf(row)) {
    if (s.k === K.AccV || (s.k === K.E && s.regSize === -1 && insn.modrm?.mod === 3)) return true;
    if ((s.k === K.E || s.k === K.G || s.k === K.Z || s.k === K.M || s.k === K.O) && /[vzpa]/.test(s.size)) return true;
    if ((s.k === K.I || s.k === K.J) && (s.size === 'z' || s.size === 'v')) return true;
    if (s.k === K.A) return true;
  }
  return false;
}

/** Does the instruction use its address size (memory operand through ModRM or moffs, JCXZ, LOOP)? */
function usesAddrSize(insn: Instruction, row: OpRow): boolean {
  if (row.opcode >= 0xe0 && row.opcode <= 0xe3) return true;
  return insn.operands.some((o) => o.kind === 'mem' && !o.implicit);
}

function sizeKeyword(bytes: number): string {
  return SIZE_WORD[bytes] ?? '';
}

/** Whether ndisasm writes the memory operand's size keyword. */
function memNeedsSize(insn: Instruction, row: OpRow, mem: MemOperand): boolean {
  if (row.tags & T_SZ) return true;
  if (row.tags & T_NOSZ) return false;
  const mn = row.mnemonic;
  if (mn === 'movzx' || mn === 'movsx') return !(mem.size === 1 && insn.opSize === 16);
  // No keyword for sizeless operands (LEA's M) and pseudo-descriptors / far pointers (Ms, Mp, Ma).
  if (mem.size === 0 || row.operands.includes('Ms') || row.operands.includes('Mp') || row.operands.includes('Ma')) return false;
  // A register operand fixes the size for NASM; a CL shift count does not.
  return !specsOf(row).some((s) =>
    s.k === K.G || s.k === K.Z || s.k === K.S || s.k === K.AccV || s.k === K.R || s.k === K.FixedSeg ||
    (s.k === K.Fixed && !(s.reg === 1 && s.regSize === 1)));
}

function isMoffs(insn: Instruction): boolean {
  return insn.opcode >= 0xa0 && insn.opcode <= 0xa3;
}

function formatMem(out: Out, insn: Instruction, mem: MemOperand): void {
  out.push('punct', '[');
  const regs = mem.addrSize === 16 ? GPR16 : GPR32;
  // ndisasm marks addresses whose size NASM could not infer back: a SIB byte or a bare displacement under
  // a 67 prefix, and a 32-bit ModRM bare disp32 (NASM would pick the shorter SIB-less form either way).
  const bare = mem.base < 0 && mem.index < 0;
  const moffs = isMoffs(insn);
  if (moffs && mem.segOverride) {
    out.push('register', SEG[mem.seg]);
    out.push('punct', ':');
  }
  if (mem.addrSize !== insn.bits) {
    if (insn.sib !== null && mem.addrSize === 32 || bare) out.word('keyword', mem.addrSize === 32 ? 'dword' : 'word');
  } else if (mem.addrSize === 32 && bare && insn.sib === null && insn.modrm !== null && !moffs) {
    out.word('keyword', 'dword');
  }
  if (mem.segOverride && !moffs) {
    out.push('register', SEG[mem.seg]);
    out.push('punct', ':');
  }
  let first = true;
  if (mem.base >= 0) {
    out.push('register', regs[mem.base]);
    first = false;
  }
  if (mem.index >= 0) {
    if (!first) out.push('punct', '+');
    out.push('register', regs[mem.index]);
    if (mem.scale !== 1) {
      out.push('punct', '*');
      out.push('number', String(mem.scale));
    }
    first = false;
  }
  if (mem.dispSize > 0) {
    if (first) {
      const mask = mem.addrSize === 16 ? 0xffff : 0xffffffff;
      out.push('address', hex(mem.disp & mask));
    } else {
      const d = mem.disp;
      out.push('punct', d < 0 ? '-' : '+');
      out.push('number', hex(Math.abs(d)));
    }
  }
  out.push('punct', ']');
}

function formatOperand(out: Out, insn: Instruction, row: OpRow, op: Operand, ip: number, i: number): void {
  switch (op.kind) {
    case 'reg':
      out.push('register', regName(op));
      return;
    case 'mem': {
      if (row.tags & T_FAR) {
        if (insn.opSize !== insn.bits) out.word('keyword', sizeKeyword(insn.opSize >> 3));
        out.word('keyword', 'far');
      } else if ((row.opcode === 0xff && (row.reg === 2 || row.reg === 4)) && insn.opSize !== insn.bits) {
        out.word('keyword', sizeKeyword(insn.opSize >> 3));
      } else if (memNeedsSize(insn, row, op)) {
        out.word('keyword', sizeKeyword(op.size));
      }
      formatMem(out, insn, op);
      return;
    }
    case 'imm': {
      if (op.implicit) {
        out.push('number', '1');
        return;
      }
      if (op.signExtended && row.tags & T_SX) {
        const v = op.size === 1 ? (((op.value & 0xff) << 24) >> 24) : op.value;
        out.word('keyword', 'byte');
        out.push('number', signedHex(v));
        return;
      }
      const opc = row.opcode;
      if (opc === 0x68 || (opc === 0x69 && i === 2)) out.word('keyword', sizeKeyword(op.size));
      else if ((opc === 0xc0 || opc === 0xc1 || opc === 0x0fba) && i === 1) out.word('keyword', 'byte');
      out.push('number', hex(op.value));
      return;
    }
    case 'rel': {
      if (row.tags & T_SHORT) out.word('keyword', 'short');
      else if (insn.opSize !== insn.bits && (row.opcode === 0xe8 || row.opcode === 0xe9 || row.tags & T_NEAR)) {
        out.word('keyword', sizeKeyword(insn.opSize >> 3));
      } else if (row.tags & T_NEAR) out.word('keyword', 'near');
      // A rel8 branch under an unused 66 prefix wraps at the code's default size in ndisasm's listing.
      const wrap = row.operands === 'Jb' ? insn.bits >> 3 : op.size;
      out.push('address', hex(relTarget(insn, ip, op.disp, wrap)));
      return;
    }
    case 'far':
      if (insn.opSize !== insn.bits) out.word('keyword', sizeKeyword(insn.opSize >> 3));
      out.push('number', hex(op.selector));
      out.push('punct', ':');
      out.push('address', hex(op.offset));
      return;
  }
}

/** The mnemonic with ndisasm's size suffixes (retd, retfw) and wait-form names (finit for fninit). */
function mnemonicText(insn: Instruction, row: OpRow, waitPrefix: boolean): string {
  let mn = insn.mnemonic;
  if (insn.opSize !== insn.bits && (row.opcode === 0xc2 || row.opcode === 0xc3 || row.opcode === 0xca || row.opcode === 0xcb)) {
    mn += insn.opSize === 32 ? 'd' : 'w';
  }
  if (waitPrefix && row.tags & T_X87 && mn.startsWith('fn') && mn !== 'fnop') mn = 'f' + mn.slice(2);
  // PUSHA/POPA/PUSHF/POPF/IRET carry a size suffix only when it differs from the code's default.
  if (/^(pushf|popf|pusha|popa|iret)d?$/.test(mn)) mn = mn.replace(/d$/, '') + (insn.opSize === insn.bits ? '' : insn.opSize === 32 ? 'd' : 'w');
  if (mn === 'retw' && row.opcode === 0xc2) mn = 'retnw';
  // NASM reads a size-prefixed NOP as XCHG (e)AX,(e)AX.
  if (insn.opcode === 0x90 && (insn.prefixes.opSize || insn.prefixes.addrSize) && !(row.tags & T_PF3)) mn = 'xchg';
  return mn;
}

const SEG_NAME = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/**
 * Does ndisasm print an unused 67 prefix (`a32`/`a16`)? It does for forms without operands, string forms,
 * and, in 16-bit code, forms whose operands all come from ModRM/opcode (no immediates or fixed registers).
 */
function showsAddrPrefix(insn: Instruction, row: OpRow): boolean {
  const specs = specsOf(row);
  if (specs.length === 0 || specs.some((s) => s.k === K.X || s.k === K.Y)) return true;
  if (insn.bits === 32) return false;
  return specs.every((s) => s.k === K.E || s.k === K.G || s.k === K.Z || s.k === K.S || s.k === K.M || s.k === K.R ||
    s.k === K.C || s.k === K.D || s.k === K.T || (s.k === K.STi && specs.length === 1));
}

const BRANCH = T_JCC | T_JMP | T_CALL | T_RET;
/** Far, interrupt-return and short-jump branches: ndisasm prints `repne`, not MPX's `bnd`. */
const NOT_BND = new Set([0x9a, 0xea, 0xca, 0xcb, 0xcf, 0xeb]);

/** Prefix words ndisasm prints for prefixes the instruction does not consume, in its fixed order. */
function prefixWords(insn: Instruction, row: OpRow, waitPrefix: boolean): string[] {
  const p = insn.prefixes;
  const words: string[] = [];
  if (p.seg >= 0 && !insn.operands.some((o) => o.kind === 'mem' && !o.implicit)) {
    words.push(SEG_NAME[p.seg]);
  }
  if (waitPrefix) words.push('wait');
  // HLE hints: F2/F3 read as XACQUIRE/XRELEASE on a lockable read-modify-write (XCHG locks implicitly)
  // and F3 as XRELEASE on a plain store (MOV to memory).
  const memDest = insn.operands[0]?.kind === 'mem';
  const isXchg = row.opcode === 0x86 || row.opcode === 0x87;
  const lockable = (memDest && p.lock && (row.tags & T_LOCK) !== 0) || (isXchg && insn.operands.some((o) => o.kind === 'mem'));
  const hleStore = memDest && p.rep === 0xf3 && [0x88, 0x89, 0xc6, 0xc7].includes(row.opcode);
  if (p.rep !== 0) {
    const loopish = row.opcode >= 0xe0 && row.opcode <= 0xe3;
    if (lockable) words.push(p.rep === 0xf3 ? 'xrelease' : 'xacquire');
    else if (hleStore) words.push('xrelease');
    else if (p.rep === 0xf2 && row.tags & BRANCH && !loopish && !(row.tags & T_FAR) && !NOT_BND.has(row.opcode)) words.push('bnd');
    else if (row.tags & T_REPE) words.push(p.rep === 0xf3 ? 'repe' : 'repne');
    else words.push(p.rep === 0xf3 ? 'rep' : 'repne');
  }
  if (p.lock) words.push('lock');
  if (p.opSize && !usesOpSize(insn, row) && !(insn.opcode === 0x90 && !(row.tags & T_PF3))) words.push(insn.bits === 16 ? 'o32' : 'o16');
  if (p.addrSize && !usesAddrSize(insn, row) && showsAddrPrefix(insn, row) && !x87Explicit(insn, row) && !(insn.opcode === 0x90 && !(row.tags & T_PF3))) words.push(insn.bits === 16 ? 'a32' : 'a16');
  return words;
}

/**
 * Tokens of one valid instruction at offset `ip` (relative targets resolve against it).
 * `waitPrefix`: a preceding 9B is printed with it (ndisasm's `wait fld ...`, `finit`).
 */
export function formatInstruction(insn: Instruction, ip: number, waitPrefix = false): Token[] {
  const out = new Out();
  const row = insn.row;
  if (!row) {
    out.word('mnemonic', 'db');
    out.push('number', hex(insn.bytes[0] ?? 0, 2));
    return out.tokens;
  }
  const mn = mnemonicText(insn, row, waitPrefix);
  const waitFolded = waitPrefix && row.tags & T_X87 && insn.mnemonic.startsWith('fn') && mn.startsWith('f') && !mn.startsWith('fn');
  for (const w of prefixWords(insn, row, waitPrefix && !waitFolded)) out.word('prefix', w);
  out.push('mnemonic', mn);
  const shown = insn.opcode === 0x90 && mn === 'xchg' ? [acc(insn), acc(insn)] : visibleOperands(insn, row);
  shown.forEach((op, i) => {
    out.push(i === 0 ? 'space' : 'punct', i === 0 ? ' ' : ',');
    if (i === 0 && row.tags & T_X87 && row.operands === 'STi,ST' && row.opcode === 0xdc && !x87Explicit(insn, row)) out.word('keyword', 'to');
    formatOperand(out, insn, row, op, ip, insn.operands.indexOf(op));
  });
  if (row.opcode >= 0xe0 && row.opcode <= 0xe2 && insn.addrSize !== insn.bits) {
    out.push('punct', ',');
    out.push('register', insn.addrSize === 32 ? 'ecx' : 'cx');
  }
  return out.tokens;
}

function acc(insn: Instruction): RegOperand {
  return { kind: 'reg', cls: 'gpr', index: 0, size: insn.opSize >> 3 };
}

/** x87 register forms with an ST(0) that NASM writes out: ndisasm uses them under a 67 prefix in 16-bit code. */
const X87_TWO_OPERAND = new Set(['fcom', 'fcomp', 'fucom', 'fucomp', 'fxch']);
function x87Explicit(insn: Instruction, row: OpRow): boolean {
  if (!(row.tags & T_X87) || insn.bits !== 16 || !insn.prefixes.addrSize || insn.modrm === null || insn.modrm.mod !== 3) return false;
  return row.operands.includes(',') || X87_TWO_OPERAND.has(row.mnemonic);
}

/** Operands NASM writes: no implicit string operands, no AAM/AAD base 10, x87 ST(0) left implicit. */
function visibleOperands(insn: Instruction, row: OpRow): Operand[] {
  let ops = insn.operands.filter((o) => !(o.kind === 'mem' && o.implicit));
  if (row.opcode === 0xd4 || row.opcode === 0xd5) return ops[0]?.kind === 'imm' && ops[0].value === 10 ? [] : ops;
  if (specsOf(row).some((s) => s.k === K.X || s.k === K.Y)) return [];
  if (row.tags & T_X87) {
    if (x87Explicit(insn, row)) {
      const st0: RegOperand = { kind: 'reg', cls: 'st', index: 0, size: 10 };
      if (row.operands === 'STi') return row.mnemonic === 'fxch' ? [ops[0], st0] : [st0, ops[0]];
      return ops;
    }
    if (row.operands === 'ST,STi') ops = ops.slice(1);
    else if (row.operands === 'STi,ST') ops = ops.slice(0, 1);
  }
  return ops;
}
