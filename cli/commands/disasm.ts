// `bootscope disasm FILE [--org ADDR] [--bits 16|32]` (../shared/docs/CLI.md): one line per instruction,
// linear address as 8 hex digits, two spaces, the bytes in hex, two spaces, NASM syntax (lowercase).
// Node side (may not import vscode): reads the file and hands the bytes to emulator/disasm.
import { disassemble } from '../../emulator/disasm/listing';
import { readInputFile } from '../../host/files';
import { lastValue, parseArgs, parseNumber, UsageError } from '../args';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['org', 'bits'] });
  if (args.positionals.length !== 1) throw new UsageError('usage: bootscope disasm FILE [--org ADDR] [--bits 16|32]');
  const orgText = lastValue(args, 'org');
  const org = orgText === undefined ? 0 : parseNumber(orgText, '--org');
  if (org > 0xffffffff) throw new UsageError(`--org: '${orgText}' is above 0xffffffff`);
  const bitsText = lastValue(args, 'bits') ?? '16';
  if (bitsText !== '16' && bitsText !== '32') throw new UsageError(`--bits: '${bitsText}' is not 16 or 32`);
  const file = args.positionals[0];
  const data = readInputFile(file, 'file');
  const lines = disassemble(data, { org, bits: bitsText === '16' ? 16 : 32 });
  const text = lines.map((l) => {
    const addr = (l.address >>> 0).toString(16).padStart(8, '0');
    const hexBytes = l.bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${addr}  ${hexBytes}  ${l.text}\n`;
  });
  process.stdout.write(text.join(''));
  return 0;
}
