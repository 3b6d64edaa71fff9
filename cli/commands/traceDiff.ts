// `bootscope trace-diff OURS QEMU_LOG [--json] [--image FILE [--org ADDR]] [--range LO..HI]
// [--ignore REG,..] [--flags-mask HEX] [--context N] [--collapse-rep] [--resync]`: the first divergence between our `--trace`
// JSON Lines and a QEMU -d cpu,exec,nochain log (or qemu_trace.py output). Node side: reads the
// files and hands the text to emulator/record/traceDiff. Exit 0 whether or not the traces diverge.
import { readInputFile } from '../../host/files';
import {
  type DiffOptions, TRACE_REGS, type TraceReg, TraceParseError, diffTraces, formatDiff, parseOurTrace, parseQemuLog,
} from '../../emulator/record/traceDiff';
import { InputError, lastValue, parseArgs, parseNumber, UsageError } from '../args';

const USAGE = 'usage: bootscope trace-diff OURS.jsonl QEMU_LOG [--json] [--image FILE [--org ADDR]] [--range LO..HI] [--ignore REG,..] [--flags-mask HEX] [--context N] [--collapse-rep] [--resync]';

/** Reads and parses one trace; a parse error names the file (the parser names the line). */
function parse<T>(file: string, parser: (text: string) => T): T {
  const text = readInputFile(file, 'trace').toString('utf8');
  try {
    return parser(text);
  } catch (e) {
    if (e instanceof TraceParseError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['image', 'org', 'range', 'ignore', 'flags-mask', 'context'], flags: ['json', 'collapse-rep', 'resync'] });
  if (args.positionals.length !== 2) throw new UsageError(USAGE);
  const opts: DiffOptions = { collapseRep: args.flags.has('collapse-rep'), resync: args.flags.has('resync') };
  const range = lastValue(args, 'range');
  if (range !== undefined) {
    const m = /^(\S+?)\.\.(\S+)$/.exec(range);
    if (!m) throw new UsageError(`--range: '${range}' is not LO..HI`);
    opts.range = [parseNumber(m[1], '--range'), parseNumber(m[2], '--range')];
  }
  const ignore = args.values.get('ignore')?.flatMap((v) => v.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean) ?? [];
  for (const r of ignore) if (!(TRACE_REGS as readonly string[]).includes(r)) throw new UsageError(`--ignore: unknown register '${r}' (one of ${TRACE_REGS.join(', ')})`);
  opts.ignore = ignore as TraceReg[];
  const mask = lastValue(args, 'flags-mask');
  if (mask !== undefined) opts.flagsMask = parseNumber(mask.startsWith('0x') ? mask : `0x${mask}`, '--flags-mask');
  const context = lastValue(args, 'context');
  if (context !== undefined) opts.context = parseNumber(context, '--context');
  const image = lastValue(args, 'image');
  if (image !== undefined) {
    const bytes = readInputFile(image, '--image');
    const orgText = lastValue(args, 'org');
    const org = orgText === undefined ? 0x7c00 : parseNumber(orgText, '--org');
    opts.code = (lin) => (lin >= org && lin < org + bytes.length ? bytes.subarray(lin - org, Math.min(bytes.length, lin - org + 15)) : null);
  }
  const [oursFile, qemuFile] = args.positionals;
  const ours = parse(oursFile, parseOurTrace);
  const qemu = parse(qemuFile, parseQemuLog);
  const result = diffTraces(ours, qemu, opts);
  process.stdout.write(args.flags.has('json') ? JSON.stringify(result) + '\n' : formatDiff(result));
  return 0;
}
