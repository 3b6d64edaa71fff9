// `bootscope disasm FILE [--org ADDR] [--bits 16|32] [--symbols FILE]` (docs/CLI.md): one line per
// instruction, linear address as 8 hex digits, two spaces, the bytes in hex, two spaces, NASM syntax
// (lowercase); with symbols, a `name:` line before each symbol's address and `; name+0x12` after a branch.
// Node side (may not import vscode): reads the file, hands the bytes to emulator/disasm line by
// line and streams the listing.
import { Command } from 'commander';
import { listOne } from '../../emulator/disasm/listing';
import { readInputFile } from '../../host/files';
import { loadSymbolTable } from '../../host/symbolFiles';
import { branchComment } from '../../emulator/debug/symbols';
import { collect, exitWith, parseChoice, parseWhole } from '../args';
import { ChunkedOutput } from '../stdout';

export interface DisasmOptions {
  org?: string;
  bits?: string;
  symbols?: string[];
}

export function command(): Command {
  return new Command('disasm')
    .summary('disassemble a file in NASM syntax')
    .description('Disassemble FILE: one line per instruction, address, bytes in hex and NASM syntax.')
    .argument('<file>', 'the bytes to disassemble (a boot sector, a raw binary)')
    .option('--org <ADDR>', 'address of the first byte, decimal or 0x hex (default 0)')
    .option('--bits <16|32>', 'code size (default 16)')
    .option('--symbols <FILE>', 'symbol file (ELF, ld -Map, nm output, Bochs ldsym; linear addresses, FILE@OFFSET relocates): labels and branch targets by name; repeatable', collect)
    .action((file: string, opts: DisasmOptions) => exitWith(main(file, opts)));
}

export async function main(file: string, opts: DisasmOptions): Promise<number> {
  const org = opts.org === undefined ? 0 : parseWhole(opts.org, '--org', 0, 0xffffffff);
  const bits = parseChoice(opts.bits ?? '16', '--bits', ['16', '32'] as const) === '16' ? 16 : 32;
  const symbols = opts.symbols ? loadSymbolTable(opts.symbols) : null;
  const data = readInputFile(file, 'file');
  // Line by line into chunks: the whole listing of a floppy image held at once took over 1 GB.
  const out = new ChunkedOutput();
  for (let offset = 0; offset < data.length;) {
    const l = listOne(data, offset, { org, bits });
    const addr = (l.address >>> 0).toString(16).padStart(8, '0');
    const hexBytes = l.bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    const label = symbols?.at(l.address);
    if (label) out.add(`${label}:\n`);
    out.add(`${addr}  ${hexBytes}  ${l.text}${symbols ? branchComment(l.tokens, symbols) : ''}\n`);
    if (out.full) await out.flush();
    offset += l.length;
  }
  await out.flush();
  return 0;
}
