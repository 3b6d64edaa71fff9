// Disassembles a byte range into listing lines the way `ndisasm` walks it: one line per instruction,
// `db 0x..` for an undefined byte, a lone prefix word when the instruction after a prefix is undefined,
// and WAIT (9B) folded into the instruction it precedes. Pure TypeScript: no Node or VS Code imports.
// SDM Vol. 2 Chapter 2; the decoder is the one execution uses.
import { decode, type Instruction } from '../decode/decoder';
import type { DecodeTier } from '../decode/table';
import { formatInstruction } from './nasm';
import { opMap } from '../decode/opmap';
import { joinTokens, type Token } from './tokens';
import { hex } from '../../protocol/format';

export interface ListingLine {
  /** Address of the first byte (org + offset). */
  readonly address: number;
  readonly length: number;
  readonly bytes: readonly number[];
  readonly tokens: readonly Token[];
  readonly text: string;
  /** The decoded instruction; null for a `db` line or a lone prefix. */
  readonly insn: Instruction | null;
}

export interface ListingOptions {
  /** Address of bytes[0]; relative targets resolve against it (default 0). */
  readonly org?: number;
  readonly bits?: 16 | 32;
  readonly model?: DecodeTier;
}

const PREFIX_WORD: Record<number, string> = {
  0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs', 0xf0: 'lock', 0xf2: 'repne', 0xf3: 'rep',
};

function prefixWord(b: number, bits: 16 | 32): string {
  if (b === 0x66) return bits === 16 ? 'o32' : 'o16';
  if (b === 0x67) return bits === 16 ? 'a32' : 'a16';
  return PREFIX_WORD[b] ?? 'db';
}

/** One listing line at `offset` of `bytes`. */
export function listOne(bytes: Uint8Array, offset: number, opts: ListingOptions = {}): ListingLine {
  const org = opts.org ?? 0, bits = opts.bits ?? 16;
  const address = org + offset;
  const isPrefix = opMap(opts.model ?? 'later').isPrefix;
  // ndisasm reads WAIT (9B) among the prefixes: `wait fld ...`, `finit`. Skip those bytes for the decoder.
  let run = 0, waits = 0;
  while (offset + run < bytes.length && (isPrefix[bytes[offset + run]] || bytes[offset + run] === 0x9b)) {
    if (bytes[offset + run] === 0x9b) waits++;
    run++;
  }
  let fetch = (i: number) => bytes[offset + i] ?? 0;
  let skipped = 0;
  if (waits > 0 && offset + run < bytes.length) {
    const kept: number[] = [];
    for (let i = 0; i < run; i++) if (bytes[offset + i] !== 0x9b) kept.push(bytes[offset + i]);
    skipped = waits;
    fetch = (i: number) => (i < kept.length ? kept[i] : bytes[offset + run + i - kept.length] ?? 0);
  }
  const insn = decode(fetch, bits, opts.model);
  const length = insn.length + skipped;
  if (insn.valid && (skipped === 0 || insn.opcode !== 0x9b) && offset + length <= bytes.length) {
    return line(address, bytes, offset, length, formatInstruction(insn, (address + skipped) >>> 0, skipped > 0), insn);
  }
  const b = bytes[offset];
  const word = b === 0x9b ? 'wait' : run > 0 ? prefixWord(b, bits) : 'db';
  const tokens: Token[] = word === 'db'
    ? [{ kind: 'mnemonic', text: 'db' }, { kind: 'space', text: ' ' }, { kind: 'number', text: hex(b, 2) }]
    : [{ kind: b === 0x9b ? 'mnemonic' : 'prefix', text: word }];
  return line(address, bytes, offset, 1, tokens, null);
}

function line(address: number, bytes: Uint8Array, offset: number, length: number, tokens: Token[], insn: Instruction | null): ListingLine {
  return { address, length, bytes: Array.from(bytes.subarray(offset, offset + length)), tokens, text: joinTokens(tokens), insn };
}

/** The whole range as listing lines. */
export function disassemble(bytes: Uint8Array, opts: ListingOptions = {}): ListingLine[] {
  const out: ListingLine[] = [];
  for (let off = 0; off < bytes.length; ) {
    const l = listOne(bytes, off, opts);
    out.push(l);
    off += l.length;
  }
  return out;
}
