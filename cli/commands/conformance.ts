// `bootscope conformance FILE... [--cpu MODEL] [--metadata FILE] [--json]` (docs/CLI.md).
import { Command } from 'commander';
import { CPU_MODELS } from '../../emulator/cpu/cpu';
import { LAUNCH_DEFAULTS } from '../../protocol/launchConfig';
import { CPU_OPTION_HELP, exitWith, parseChoice } from '../args';
import { VectorRunner, loadMetadata, runFile } from '../singleStep';

export interface ConformanceOptions {
  cpu?: string;
  metadata?: string;
  json?: boolean;
}

export function command(): Command {
  return new Command('conformance')
    .summary('run SingleStepTests single-instruction vectors')
    .description('Run SingleStepTests vectors (.json or .json.gz) one instruction each and compare the final state.')
    .argument('<files...>', 'test vector files')
    .option('--cpu <MODEL>', CPU_OPTION_HELP)
    .option('--metadata <FILE>', "the suite's metadata.json, for undefined-flag masks (default: beside the first file)")
    .option('--json', 'print the results as one JSON object')
    .action((files: string[], opts: ConformanceOptions) => exitWith(main(files, opts)));
}

export async function main(fileList: string[], opts: ConformanceOptions): Promise<number> {
  const cpu = parseChoice(opts.cpu ?? LAUNCH_DEFAULTS.cpu, '--cpu', CPU_MODELS);
  const meta = loadMetadata(opts.metadata, fileList[0]);
  const runner = new VectorRunner(cpu);
  let passed = 0, failed = 0;
  const files = [];
  for (const file of fileList) {
    const r = runFile(runner, file, meta);
    passed += r.passed;
    failed += r.failed;
    files.push({ file: r.file, passed: r.passed, failed: r.failed, failures: r.failures });
    if (!opts.json) process.stdout.write(`${file} passed ${r.passed} failed ${r.failed}\n`);
  }
  if (opts.json) process.stdout.write(JSON.stringify({ passed, failed, files }) + '\n');
  else process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return 0;
}
