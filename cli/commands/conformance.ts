// `bootscope conformance FILE... [--cpu 8086|80286|80386] [--metadata FILE] [--json]` (../shared/docs/CLI.md).

import { lastValue, parseArgs, UsageError } from '../args';
import { CPU_MODELS, type CpuModel } from '../../emulator/cpu/cpu';
import { VectorRunner, loadMetadata, runFile } from '../singleStep';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['cpu', 'metadata'], flags: ['json'] });
  const cpu = (lastValue(args, 'cpu') ?? '80386') as CpuModel;
  if (!CPU_MODELS.includes(cpu)) throw new UsageError(`--cpu must be one of ${CPU_MODELS.join(', ')}`);
  if (args.positionals.length === 0) throw new UsageError('no test vector files given');
  const meta = loadMetadata(lastValue(args, 'metadata'), args.positionals[0]);
  const runner = new VectorRunner(cpu);
  let passed = 0, failed = 0;
  const files = [];
  for (const file of args.positionals) {
    const r = runFile(runner, file, meta);
    passed += r.passed;
    failed += r.failed;
    files.push({ file: r.file, passed: r.passed, failed: r.failed, failures: r.failures });
    if (!args.flags.has('json')) process.stdout.write(`${file} passed ${r.passed} failed ${r.failed}\n`);
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ passed, failed, files }) + '\n');
  else process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return 0;
}
