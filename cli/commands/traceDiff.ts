// `bootscope trace-diff OURS QEMU_LOG [options]` (docs/CLI.md): the first divergence between our
// `--trace` JSON Lines and a QEMU -d cpu,exec,nochain log (or qemu_trace.py output). Node side:
// reads the files and hands the text to emulator/record/traceDiff. Exit 0 whether or not the traces
// diverge.
import { readInputFile } from '../../host/files';
import { TRACE_REGS, type TraceReg } from '../../emulator/record/lockstep';
import { type DiffOptions, TraceParseError, diffTraces, formatDiff, parseOurTrace, parseQemuLog, traceCode } from '../../emulator/record/traceDiff';
import { Command } from 'commander';
import { collect, exitWith, InputError, parseWhole, UsageError } from '../args';

export interface TraceDiffOptions {
  json?: boolean;
  image?: string;
  org?: string;
  range?: string;
  ignore?: string[];
  flagsMask?: string;
  context?: string;
  collapseRep?: boolean;
  resync?: boolean;
  resyncReturn?: boolean;
}

export function command(): Command {
  return new Command('trace-diff')
    .summary('find where a run\'s trace and a QEMU log diverge')
    .description('Find the first divergence between a `bootscope run --trace` file and a QEMU -d cpu,exec,nochain log.')
    .argument('<ours>', 'our JSON Lines trace (bootscope run --trace)')
    .argument('<qemu-log>', 'the QEMU log (-d cpu,exec,nochain) or qemu_trace.py output')
    .option('--json', 'print the result as one JSON object')
    .option('--image <FILE>', 'the boot image, to disassemble the instructions around the divergence')
    .option('--org <ADDR>', 'linear address of the image\'s first byte (default 0x7c00)')
    .option('--range <LO..HI>', 'compare only instructions at linear addresses LO to HI')
    .option('--ignore <REG,..>', `registers not compared (${TRACE_REGS.join(', ')}); repeatable`, collect)
    .option('--flags-mask <HEX>', 'EFLAGS bits compared (default all)')
    .option('--context <N>', 'agreeing records shown before the divergence, and each side\'s after it, 0 to 1000 (default 3)')
    .option('--collapse-rep', 'count consecutive records at one CS:EIP (REP iterations) once on both sides')
    .option('--resync', 'skip an interrupt handler that ran on one side only (as compare does) and carry on')
    .option('--resync-return', 'on a divergence, skip both sides to the first return they share (same CS:EIP, SS:ESP) and carry on')
    .action((ours: string, qemu: string, opts: TraceDiffOptions) => exitWith(main(ours, qemu, opts)));
}

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

export async function main(oursFile: string, qemuFile: string, o: TraceDiffOptions): Promise<number> {
  const opts: DiffOptions = { collapseRep: o.collapseRep === true, resync: o.resync === true, resyncReturn: o.resyncReturn === true };
  if (o.range !== undefined) {
    const m = /^(\S+?)\.\.(\S+)$/.exec(o.range);
    if (!m) throw new UsageError(`--range: '${o.range}' is not LO..HI`);
    opts.range = [parseWhole(m[1], '--range', 0, 0xffffffff), parseWhole(m[2], '--range', 0, 0xffffffff)];
  }
  const ignore = (o.ignore ?? []).flatMap((v) => v.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const r of ignore) if (!(TRACE_REGS as readonly string[]).includes(r)) throw new UsageError(`--ignore: unknown register '${r}' (one of ${TRACE_REGS.join(', ')})`);
  opts.ignore = ignore as TraceReg[];
  const mask = o.flagsMask;
  if (mask !== undefined) opts.flagsMask = parseWhole(/^0x/i.test(mask) ? mask : `0x${mask}`, '--flags-mask', 0, 0xffffffff);
  if (o.context !== undefined) opts.context = parseWhole(o.context, '--context', 0, 1000);
  const org = o.org === undefined ? 0x7c00 : parseWhole(o.org, '--org', 0, 0xffffffff);
  if (o.org !== undefined && o.image === undefined) throw new UsageError('--org needs --image FILE');
  if (o.image !== undefined) {
    const bytes = readInputFile(o.image, 'image');
    opts.code = (lin) => (lin >= org && lin < org + bytes.length ? bytes.subarray(lin - org, Math.min(bytes.length, lin - org + 15)) : null);
  }
  const ours = parse(oursFile, parseOurTrace);
  if (ours.length === 0) throw new InputError(`${oursFile}: no trace records (expected the JSON Lines of bootscope run --trace)`);
  const qemu = parse(qemuFile, parseQemuLog);
  const result = diffTraces(ours, qemu, opts);
  process.stdout.write(o.json ? JSON.stringify(result) + '\n' : formatDiff(result, traceCode(qemu, opts.code)));
  return 0;
}
