// `bootscope disasm FILE [--org ADDR] [--bits 16|32]` (docs/CLI.md): one line per instruction,
// linear address as 8 hex digits, two spaces, the bytes in hex, two spaces, NASM syntax (lowercase).
// Node side (may not import vscode): reads the file and hands the bytes to emulator/disasm.
import { Command } from 'commander';
import { disassemble } from '../../emulator/disasm/listing';
import { readInputFile } from '../../host/files';
import { exitWith, parseChoice, parseWhole } from '../args';

export interface DisasmOptions {
  org?: string;
  bits?: string;
}

export function command(): Command {
  return new Command('disasm')
    .summary('disassemble a file in NASM syntax')
    .description('Disassemble FILE: one line per instruction, address, bytes in hex and NASM syntax.')
    .argument('<file>', 'the bytes to disassemble (a boot sector, a raw binary)')
    .option('--org <ADDR>', 'address of the first byte, decimal or 0x hex (default 0)')
    .option('--bits <16|32>', 'code size (default 16)')
    .action((file: string, opts: DisasmOptions) => exitWith(main(file, opts)));
}

export async function main(file: string, opts: DisasmOptions): Promise<number> {
  const org = opts.org === undefined ? 0 : parseWhole(opts.org, '--org', 0, 0xffffffff);
  const bits = parseChoice(opts.bits ?? '16', '--bits', ['16', '32'] as const) === '16' ? 16 : 32;
  const data = readInputFile(file, 'file');
  const lines = disassemble(data, { org, bits });
  const text = lines.map((l) => {
    const addr = (l.address >>> 0).toString(16).padStart(8, '0');
    const hexBytes = l.bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${addr}  ${hexBytes}  ${l.text}\n`;
  });
  process.stdout.write(text.join(''));
  return 0;
}
