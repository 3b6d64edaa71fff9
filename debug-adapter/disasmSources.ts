// Virtual disassembly documents: a stack frame that no NASM listing covers gets a DAP source with a
// sourceReference, one per 512-byte block of its code segment, in NASM syntax that follows CS.D, so
// VS Code shows the code and focuses the frame at every stop. A document's text never changes under
// its reference: when the bytes under a block change (the VBR read over the MBR at 7C00,
// self-modifying code), the block gets a new document with a new reference. Lines map to CS:IP for
// gutter breakpoints and goto. Node only; must not import vscode. SDM Vol. 2 Chapter 2 (encoding).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { AR_DB, CS } from '../emulator/cpu/regs';
import { descriptorForSelector } from '../emulator/debug/descriptors';
import { type CpuMode, cpuMode, readLinear, segOff } from '../emulator/debug/machineView';
import type { Cpu } from '../emulator/cpu/cpu';
import { decodeTier } from '../emulator/decode/table';
import { listOne } from '../emulator/disasm/listing';
import { hexDigits } from '../protocol/format';

/** A block: 512 bytes, the size of the boot sectors whose code it shows (MBR at 0600, VBR at 7C00). */
const BLOCK = 0x200;
/** A run of at least this many equal bytes is one `times` line (padding, zeroed buffers). */
const RUN = 16;
/** Documents kept for a session: older ones answer `source` with a note (bounded memory). */
const MAX_DOCS = 256;
/** MIME type of the `bootscope-disassembly` language (package.json), which allows breakpoints. */
export const DISASM_MIME = 'text/x-bootscope-disassembly';

/** The code segment a frame runs in: what decides addresses and operand size in its document. */
export interface CodeSegment {
  selector: number;
  base: number;
  /** Offsets above this are outside the segment. */
  limit: number;
  bits: 16 | 32;
  mode: CpuMode;
}

export interface DisasmDocument {
  ref: number;
  name: string;
  text: string;
  seg: CodeSegment;
  /** 1-based line → segment offset of the instruction (or data) the line starts. */
  lineOffsets: Map<number, number>;
  /** Segment offset → 1-based line. */
  offsetLines: Map<number, number>;
  /** The bytes and instruction starts the text was made from: equal ones reuse the document. */
  fingerprint: string;
}

export type SourceEventReason = 'new' | 'removed';

export class DisasmSources {
  private nextRef = 1;
  private readonly byRef = new Map<number, DisasmDocument>();
  /** The newest document of each block (key: selector, base, bits, block). */
  private readonly current = new Map<string, DisasmDocument>();
  private readonly versions = new Map<string, number>();

  /** `onSource` reports documents made and replaced (DAP loadedSource). */
  constructor(private readonly model: Cpu['model'], private readonly onSource: (reason: SourceEventReason, source: DebugProtocol.Source) => void = () => {}) {}

  /**
   * The document holding `offset` of `seg` as memory is now, and the offset's line. `starts` are
   * linear addresses known to start instructions: the text is decoded in step with them.
   */
  locate(read: (linear: number, n: number) => Uint8Array, seg: CodeSegment, offset: number, starts: Iterable<number>): { doc: DisasmDocument; line: number } {
    const lin = (seg.base + offset) >>> 0;
    const blockLin = (lin - (lin % BLOCK)) >>> 0;
    // The block in offsets, clipped to the segment.
    const from = blockLin > seg.base ? blockLin - seg.base : 0;
    const to = Math.min(seg.limit, from + BLOCK - 1 - (((seg.base + from) >>> 0) % BLOCK));
    const bytes = read((seg.base + from) >>> 0, to - from + 1 + 15);
    const sync: number[] = [];
    for (const s of starts) {
      const o = (s - seg.base) >>> 0;
      if (o >= from && o <= to) sync.push(o);
    }
    sync.push(offset);
    const syncs = [...new Set(sync)].sort((a, b) => a - b);
    const key = `${seg.selector}:${seg.base}:${seg.bits}:${blockLin}`;
    const fingerprint = `${Buffer.from(bytes).toString('base64')}|${syncs.join(',')}`;
    let doc = this.current.get(key);
    if (!doc || doc.fingerprint !== fingerprint || !doc.offsetLines.has(offset)) {
      const made = this.render(seg, from, to, bytes, syncs);
      if (doc && made.text === doc.text) doc.fingerprint = fingerprint;
      else doc = this.add(key, seg, from, to, made, fingerprint, doc);
    }
    return { doc, line: doc.offsetLines.get(offset)! };
  }

  get(ref: number): DisasmDocument | undefined {
    return this.byRef.get(ref);
  }

  /** The DAP source of a document. */
  source(doc: DisasmDocument): DebugProtocol.Source {
    return { name: doc.name, sourceReference: doc.ref, presentationHint: 'normal', origin: 'disassembly (Bootscope)' };
  }

  /** The line at or after `line` that starts an instruction, with its segment offset. */
  resolveLine(doc: DisasmDocument, line: number): { line: number; offset: number } | null {
    let best: number | null = null;
    for (const l of doc.lineOffsets.keys()) if (l >= line && (best === null || l < best)) best = l;
    return best === null ? null : { line: best, offset: doc.lineOffsets.get(best)! };
  }

  private add(key: string, seg: CodeSegment, from: number, to: number, made: Omit<DisasmDocument, 'ref' | 'name' | 'seg' | 'fingerprint'>, fingerprint: string, old: DisasmDocument | undefined): DisasmDocument {
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const w = seg.bits === 32 ? 8 : 4;
    const name = `${hexDigits(seg.selector, 4)}:${hexDigits(from, w)}-${hexDigits(to, w)} ${seg.mode}${version > 1 ? ` v${version}` : ''}`;
    const doc: DisasmDocument = { ...made, ref: this.nextRef++, name, seg, fingerprint };
    this.byRef.set(doc.ref, doc);
    this.current.set(key, doc);
    if (this.byRef.size > MAX_DOCS) {
      const [oldest] = this.byRef.values();
      this.byRef.delete(oldest.ref);
      // A dropped document that is still its block's newest is made again (new reference) when next needed.
      for (const [k, d] of this.current) if (d === oldest) this.current.delete(k);
    }
    if (old) this.onSource('removed', this.source(old));
    this.onSource('new', this.source(doc));
    return doc;
  }

  /**
   * NASM-syntax lines from offset `from` to `to`: `SSSS:OOOO  bytes  instruction`, in step with the
   * sync offsets (an instruction that would run over one is shown as `db` bytes up to it, as
   * ndisasm -s does), runs of equal bytes as `times N db`.
   */
  private render(seg: CodeSegment, from: number, to: number, bytes: Uint8Array, syncs: number[]): Pick<DisasmDocument, 'text' | 'lineOffsets' | 'offsetLines'> {
    const w = seg.bits === 32 ? 8 : 4;
    const rows: string[] = [
      `; ${segOff(seg.selector, from)}-${segOff(seg.selector, to)} (linear ${hexDigits((seg.base + from) >>> 0, 8)}), ${seg.mode}, ${seg.bits}-bit code (CS.D=${seg.bits === 32 ? 1 : 0})`,
      '; disassembled from guest memory by Bootscope; a breakpoint here stops at its CS:IP',
      '',
    ];
    const lineOffsets = new Map<number, number>(), offsetLines = new Map<number, number>();
    const row = (off: number, len: number, text: string, byteText?: string) => {
      lineOffsets.set(rows.length + 1, off);
      offsetLines.set(off, rows.length + 1);
      const b = byteText ?? Array.from(bytes.subarray(off - from, off - from + len), (x) => x.toString(16).padStart(2, '0')).join('');
      rows.push(`${hexDigits(seg.selector, 4)}:${hexDigits(off, w)}  ${b.padEnd(16)}  ${text}`);
    };
    const opts = { bits: seg.bits, model: decodeTier(this.model) };
    let k = 0;
    for (let off = from; off <= to;) {
      while (k < syncs.length && syncs[k] <= off) k++;
      const nextSync = k < syncs.length ? syncs[k] : Infinity;
      const limit = Math.min(to + 1, nextSync);
      const i = off - from;
      let run = 1;
      while (off + run < limit && bytes[i + run] === bytes[i]) run++;
      // A known instruction start is never folded into a run: the CPU may be executing zeros.
      if (run >= RUN && !(k > 0 && syncs[k - 1] === off)) {
        const b = bytes[i].toString(16).padStart(2, '0');
        row(off, run, `times ${run} db 0x${b}`, b);
        off += run;
        continue;
      }
      const l = listOne(bytes, i, { ...opts, org: from });
      if (off + l.length > nextSync) {
        row(off, 1, `db 0x${bytes[i].toString(16).padStart(2, '0')}`);
        off += 1;
      } else {
        row(off, l.length, l.text);
        off += l.length;
      }
    }
    rows.push('');
    return { text: rows.join('\n'), lineOffsets, offsetLines };
  }
}

/**
 * The code segment a selector names now: a paragraph in real mode and vm86, else its GDT/LDT
 * descriptor (SDM Vol. 3 §3.4.5: D/B is the default operand size of code).
 */
export function codeSegment(cpu: Cpu, selector: number): CodeSegment {
  const mode = cpuMode(cpu);
  if (mode === 'real' || mode === 'vm86') return { selector, base: (selector << 4) >>> 0, limit: 0xffff, bits: 16, mode };
  if (selector === cpu.sel[CS]) return { selector, base: cpu.base[CS], limit: cpu.limit[CS], bits: cpu.code32 ? 32 : 16, mode };
  const d = descriptorForSelector(cpu, selector);
  if (!d) throw new Error(`selector ${hexDigits(selector, 4)} names no descriptor in the GDT/LDT`);
  const bits = d.ar & AR_DB ? 32 : 16;
  return { selector, base: d.base, limit: d.limit, bits, mode: bits === 32 ? 'pm32' : 'pm16' };
}

/** Reads guest memory for a document: unreadable bytes (pages not present) read as zero. */
export function guestReader(cpu: Cpu): (linear: number, n: number) => Uint8Array {
  return (linear, n) => readLinear(cpu, linear, n).bytes;
}
