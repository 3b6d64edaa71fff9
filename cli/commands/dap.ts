// `bootscope dap [--port N]` (../shared/docs/CLI.md): the debug adapter over stdio, or a DAP server
// on 127.0.0.1:N (one session per connection) until the process is stopped.
// Node side: the adapter lives in debug-adapter/; this only parses the options.
import { portArg, runServer, runStdio } from '../../debug-adapter/main';
import { UsageError } from '../args';

export async function main(argv: string[]): Promise<number> {
  let port: number | null;
  try {
    port = portArg(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const unknown = argv.filter((a, i) => !a.startsWith('--port') && !a.startsWith('--server=') && argv[i - 1] !== '--port');
  if (unknown.length) throw new UsageError(`unexpected argument '${unknown[0]}': usage: bootscope dap [--port N]`);
  if (port === null) {
    runStdio();
    // The session keeps the process alive through stdin; resolve only when it closes.
    await new Promise<void>((done) => process.stdin.on('close', done));
    return 0;
  }
  await runServer(port, (s) => process.stderr.write(s));
  await new Promise<void>(() => {});
  return 0;
}
