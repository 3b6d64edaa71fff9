// Entry point of the headless `bootscope` CLI (contract: docs/CLI.md), parsed by commander: each
// command declares its arguments and options once, in cli/commands/, and `--help` shows them.
// Exit codes: 0 the command did its job, 1 an input could not be used, 2 usage error.
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { FileError } from '../host/files';
import { ReaderGoneError } from '../host/outputFile';
import { tuneV8 } from '../host/v8Flags';
import { commandPath, InputError, UsageError } from './args';
import { command as compare } from './commands/compare';
import { command as conformance } from './commands/conformance';
import { command as dap } from './commands/dap';
import { command as disasm } from './commands/disasm';
import { command as explainFault } from './commands/explainFault';
import { command as gdbserver } from './commands/gdbserver';
import { command as run } from './commands/run';
import { command as traceDiff } from './commands/traceDiff';
import { command as vmcheck } from './commands/vmcheck';
import { watchStdout } from './stdout';

/** Usage errors on one line, named by command: "bootscope run: unknown option '--bogus' (...)". */
function configure(c: Command): Command {
  return c
    .exitOverride()
    .helpOption('-h, --help', 'show this help')
    .configureOutput({
      outputError: (text, write) => {
        const message = text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
        write(`${commandPath(c)}: ${message} (see ${commandPath(c)} --help)\n`);
      },
    });
}

function program(): Command {
  const p = configure(new Command('bootscope'))
    .description('Debug x86 boot code: boot disk images in an emulator, disassemble, check VMCS dumps, serve the debug adapter.')
    .version(version, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText('after', '\nExit codes: 0 done, 1 an input could not be used, 2 usage error.');
  for (const c of [run(), compare(), disasm(), vmcheck(), explainFault(), conformance(), traceDiff(), dap(), gdbserver()]) p.addCommand(configure(c));
  return p;
}

async function main(argv: string[]): Promise<number> {
  watchStdout();
  const p = program();
  if (argv.length === 0) {
    process.stderr.write(p.helpInformation());
    return 2;
  }
  let current = p;
  p.hook('preAction', (_, action) => { current = action; });
  try {
    await p.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // commander has already printed its message (or the help, or the version).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // Like standard output's reader (stdout.ts), an output pipe's reader may stop reading.
    if (e instanceof ReaderGoneError) return 0;
    const code = e instanceof UsageError ? 2 : e instanceof InputError || e instanceof FileError ? 1 : null;
    if (code === null) throw e;
    // One line, even when the message quotes a piece of the input (JSON.parse does).
    process.stderr.write(`${commandPath(current)}: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    return code;
  }
}

tuneV8();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bootscope: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
