// `bootscope dap [--port N]` (docs/CLI.md): the debug adapter over stdio, or a DAP server on
// 127.0.0.1:N (one session per connection) until the process is stopped.
// Node side: the adapter lives in debug-adapter/; this only parses the options.
import { Command } from 'commander';
import { portArg, runServer, runStdio } from '../../debug-adapter/main';
import { errnoText } from '../../host/files';
import { exitWith, InputError, UsageError } from '../args';

export interface DapOptions {
  port?: string;
  server?: string;
}

export function command(): Command {
  return new Command('dap')
    .summary('serve the debug adapter (DAP)')
    .description('Serve the debug adapter (DAP) on stdio, or on a TCP port of 127.0.0.1.')
    .option('--port <N>', 'listen on 127.0.0.1:N, one session per connection (0 picks a free port)')
    .option('--server <N>', 'the same as --port (the name VS Code adapters take)')
    .action((opts: DapOptions) => exitWith(main(opts)));
}

export async function main(opts: DapOptions): Promise<number> {
  const portText = opts.port ?? opts.server;
  let port: number | null = null;
  try {
    if (portText !== undefined) port = portArg(['--port', portText]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (port === null) {
    runStdio();
    // The session keeps the process alive through stdin; resolve only when it closes.
    await new Promise<void>((done) => process.stdin.on('close', done));
    return 0;
  }
  try {
    await runServer(port, (s) => process.stderr.write(s));
  } catch (e) {
    throw new InputError(`cannot listen on 127.0.0.1:${port}: ${errnoText(e)}`);
  }
  await new Promise<void>(() => {});
  return 0;
}
