// Entry point of the headless `bootscope` CLI; the contract is ../shared/docs/CLI.md.
// Exit codes: 0 the command did its job, 1 an input could not be used, 2 usage error.

import { InputError, UsageError } from './args';
import { FileError } from '../host/files';

type Command = (argv: string[]) => Promise<number>;

// Each command lives in its own module under cli/commands/.
const COMMANDS: Record<string, () => Promise<{ main: Command }>> = {
  conformance: () => import('./commands/conformance'),
  disasm: () => import('./commands/disasm'),
  'trace-diff': () => import('./commands/traceDiff'),
  vmcheck: () => import('./commands/vmcheck'),
  run: () => import('./commands/run'),
  dap: () => import('./commands/dap'),
};

const USAGE = `usage: bootscope <command> [options]
commands: ${Object.keys(COMMANDS).join(', ')}
see ../shared/docs/CLI.md for each command's options`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`bootscope: unknown command '${name}'\n${USAGE}\n`);
    return 2;
  }
  try {
    return await (await load()).main(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bootscope ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof FileError) {
      process.stderr.write(`bootscope ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bootscope: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
