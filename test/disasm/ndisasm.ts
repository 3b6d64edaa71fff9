// Test helper: runs Debian's `ndisasm` (package nasm) and our disassembler over the same bytes and
// compares the two listings line by line. Node only (test code). Where the two disagree the difference
// must be one of the documented, classified divergences below; everything else is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disassemble, type ListingLine } from '../../emulator/disasm/listing';
import { ALL_ROWS } from '../../emulator/decode/opmap';

export interface NdLine {
  addr: number;
  len: number;
  text: string;
}

export function haveNdisasm(): boolean {
  return spawnSync('ndisasm', ['-v'], { encoding: 'utf8' }).status === 0;
}

/** ndisasm's listing; long byte columns continue on `-XXXX` lines, which are folded back in. */
export function ndisasm(bytes: Uint8Array, bits: 16 | 32, org: number): NdLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-nd-'));
  const file = join(dir, 'code.bin');
  writeFileSync(file, bytes);
  const text = execFileSync('ndisasm', [`-b${bits}`, '-o', `0x${org.toString(16)}`, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out: NdLine[] = [];
  for (const l of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^([0-9A-F]{8})  ([0-9A-F]+)\s+(.*)$/.exec(l))) out.push({ addr: parseInt(m[1], 16), len: m[2].length / 2, text: m[3] });
    else if ((m = /^\s+-([0-9A-F]+)$/.exec(l))) out[out.length - 1].len += m[1].length / 2;
  }
  return out;
}

export function assemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-nasm-'));
  const out = join(dir, 'out.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', out, source]);
  return new Uint8Array(readFileSync(out));
}

const PREFIX_WORDS = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'o16', 'o32', 'a16', 'a32', 'lock', 'rep', 'repne', 'repe', 'wait',
  'bnd', 'xacquire', 'xrelease']);
/** Every mnemonic our tables know (with size variants and wait forms). */
const OUR_MNEMONICS = new Set(ALL_ROWS.flatMap((r) => r.mnemonic.split('|')).flatMap((m) => [m, m.replace(/^fn/, 'f')])
  .concat(['pushaw', 'popaw', 'pushfw', 'popfw', 'iretw', 'retw', 'retd', 'retnw', 'retfw', 'retfd', 'xchg']));

/** The mnemonic of a listing text: the first word that is not a prefix word. */
export function mnemonicOf(text: string): string {
  const words = text.split(' ');
  let i = 0;
  while (i < words.length - 1 && PREFIX_WORDS.has(words[i])) i++;
  return words[i];
}

/**
 * Why a disagreement is acceptable, or null when it is not:
 * - 'ndisasm-undefined': ndisasm prints `db`/a lone prefix where the CPU executes a defined form that NASM
 *   has no syntax for: 82 (alias of 80), the SAL alias /6 of C0/C1/D0–D3, TEST alias F6/F7 /1, MOV CRn/DRn
 *   with ModRM.mod ≠ 11b (mod is ignored by the CPU), MOV TRn (386/486 test registers), BSWAP r16,
 *   VMCALL/VMLAUNCH/VMRESUME/VMXOFF, SETcc with ModRM.reg ≠ 0 (the CPU ignores reg), MOVZX/MOVSX r16,r/m16,
 *   0F forms behind a 66/F2/F3 prefix that ndisasm reads as a mandatory SSE prefix.
 * - 'outside-our-set': ndisasm decodes an instruction outside the integer/x87 set boot code uses (MMX, SSE,
 *   AVX/VEX, SYSCALL/SYSRET, XBEGIN, JMPE, 3DNow!, hint NOPs ...) where we report #UD, or MOV to/from
 *   `segr6`/`segr7`, or MOV CS,Ew, both #UD on every CPU from the 80286 on.
 * - 'over-15-bytes': ndisasm accepts an instruction longer than the architectural limit of 15 bytes (a
 *   long run of prefixes); the CPU raises #GP, we list the first prefix alone and go on.
 */
export function classify(ours: ListingLine, nd: NdLine): string | null {
  const ndWord = mnemonicOf(nd.text);
  const ndUndefined = nd.text.startsWith('db ') || (nd.len === 1 && PREFIX_WORDS.has(nd.text));
  if (ours.insn && ndUndefined) {
    const i = ours.insn, row = i.row!;
    const reg = i.modrm?.reg ?? -1;
    if (row.opcode === 0x82) return 'ndisasm-undefined: 82 alias of 80';
    if ([0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3].includes(row.opcode) && reg === 6) return 'ndisasm-undefined: SAL /6';
    if ((row.opcode === 0xf6 || row.opcode === 0xf7) && reg === 1) return 'ndisasm-undefined: TEST /1';
    if (row.opcode >= 0x0f20 && row.opcode <= 0x0f26) return 'ndisasm-undefined: MOV CR/DR/TR';
    if (row.opcode >= 0x0fc8 && row.opcode <= 0x0fcf && i.opSize === 16) return 'ndisasm-undefined: BSWAP r16';
    if (row.opcode === 0x0f01 && i.modrm!.mod === 3) return 'ndisasm-undefined: 0F 01 register forms';
    if (row.opcode >= 0x0f90 && row.opcode <= 0x0f9f && reg !== 0) return 'ndisasm-undefined: SETcc reg != 0';  // SETcc ignores ModRM.reg
    if ((row.opcode === 0x0fb7 || row.opcode === 0x0fbf) && i.opSize === 16) return 'ndisasm-undefined: MOVZX/MOVSX r16,r/m16';  // MOVZX/MOVSX r16,r/m16
    if (i.prefixes.opSize && row.opcode >= 0x0f00 && /^(o16|o32)$/.test(nd.text)) return 'ndisasm-undefined: 66 0F as SSE';
    if (i.prefixes.rep && row.opcode >= 0x0f00 && /^(rep|repne)$/.test(nd.text)) return 'ndisasm-undefined: F2/F3 0F as SSE';
    return null;
  }
  if (!ours.insn && nd.len > 15) return 'over-15-bytes';
  if (!ours.insn && !ndUndefined) {
    if (/\bsegr[67]\b/.test(nd.text)) return 'outside-our-set: segr6/7';
    if (/^mov cs,/.test(nd.text)) return 'outside-our-set: MOV CS,Ew';
    if (!OUR_MNEMONICS.has(ndWord)) return 'outside-our-set: ' + (/^(p|v|.*ps$|.*pd$|.*ss$|.*sd$|mov[dq]|emms)/.test(ndWord) ? 'MMX/SSE/AVX' : ndWord);
    return null;
  }
  return null;
}

export interface Comparison {
  /** ndisasm lines whose start address we also produced. */
  aligned: number;
  /** ... of which with the same length and the same mnemonic. */
  sameMnemonic: number;
  /** ... of which with exactly the same text. */
  exact: number;
  /** Disagreements with an accepted reason, by reason. */
  accepted: Record<string, number>;
  /** Disagreements without one (a failure), as readable lines. */
  failures: string[];
  /** Text differences on lines that agree on boundaries and mnemonic (reported, not failures). */
  textDiffs: string[];
  ndLines: number;
}

function hexBytes(b: readonly number[]): string {
  return b.map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Compares our listing with ndisasm's over `bytes` loaded at `org`. */
export function compareWithNdisasm(bytes: Uint8Array, bits: 16 | 32, org: number): Comparison {
  const nd = ndisasm(bytes, bits, org);
  const ours = disassemble(bytes, { org, bits });
  const byAddr = new Map(ours.map((l) => [l.address, l]));
  const c: Comparison = { aligned: 0, sameMnemonic: 0, exact: 0, accepted: {}, failures: [], textDiffs: [], ndLines: nd.length };
  for (let k = 0; k < nd.length; k++) {
    const n = nd[k];
    const o = byAddr.get(n.addr);
    if (!o) continue;  // inside a divergence: both resynchronise at the next common address
    c.aligned++;
    if (o.length === n.len && mnemonicOf(o.text) === mnemonicOf(n.text)) {
      c.sameMnemonic++;
      if (o.text === n.text) c.exact++;
      else c.textDiffs.push(`${n.addr.toString(16)} ${hexBytes(o.bytes)}: ndisasm '${n.text}' ours '${o.text}'`);
      continue;
    }
    const why = classify(o, n);
    if (why) c.accepted[why] = (c.accepted[why] ?? 0) + 1;
    else c.failures.push(`${n.addr.toString(16)} ${hexBytes(o.bytes)}: ndisasm '${n.text}' (${n.len}) ours '${o.text}' (${o.length})`);
  }
  return c;
}

/** [file, bits, required]: a required file fails its test when absent, another one skips it. */
export type InstalledFile = readonly [string, 16 | 32, boolean];

export const SKIP_NDISASM = process.env.BOOTSCOPE_SKIP_NDISASM === '1';

/**
 * One test per installed file (walked whole from its start, at 7C00h when 16-bit): the listing
 * must agree with ndisasm's but for classified divergences, at most 2 % of the lines (data walked
 * as code). `compared` gets each comparison that ran to the end, for a summary over the files.
 */
export function ndisasmFileTests(files: readonly InstalledFile[], install: string, compared?: (name: string, c: Comparison, accepted: number) => void): void {
  for (const [file, bits, required] of files) {
    const present = existsSync(file);
    const skip = SKIP_NDISASM || !haveNdisasm() ? 'ndisasm unavailable' : !present && !required ? `${file} not installed` : false;
    test(`agrees with ndisasm on ${file} (${bits}-bit)`, { skip }, (t) => {
      assert.ok(present, `${file} missing: apt-get install ${install}`);
      const c = compareWithNdisasm(new Uint8Array(readFileSync(file)), bits, bits === 16 ? 0x7c00 : 0);
      const accepted = Object.values(c.accepted).reduce((a, b) => a + b, 0);
      compared?.(`${file} (${bits}-bit)`, c, accepted);
      t.diagnostic(`${c.ndLines} ndisasm lines, ${c.aligned} aligned, ${c.sameMnemonic} same boundary+mnemonic, ` +
        `${c.exact} exact (${((100 * c.exact) / c.ndLines).toFixed(2)}%), accepted divergences ${JSON.stringify(c.accepted)}`);
      assert.deepEqual(c.failures, [], 'boundary/mnemonic disagreements without an accepted reason');
      assert.deepEqual(c.textDiffs, [], 'operand text differences');
      assert.ok(accepted <= c.ndLines * 0.02, `too many accepted divergences: ${accepted}`);
    });
  }
}

/** Deterministic pseudo-random bytes (xorshift32), so every run tests the same streams. */
export function randomBytes(seed: number, n: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
