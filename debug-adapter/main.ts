// Debug adapter process entry (esbuild → dist/debugAdapter.js, and `bootscope dap`): DAP over
// stdio, or with `--port N` / `--server=N` a TCP server on 127.0.0.1 with one session per connection.
// Node only; must not import vscode. Modelled on vscode-mock-debug's debugAdapter.ts.

import { createServer, type Server } from 'node:net';
import { tuneV8 } from '../host/v8Flags';
import { X86DebugSession } from './session';

/** How often a stdio adapter looks whether its parent (the client) is still there. */
const PARENT_POLL_MS = 1000;

/**
 * Starts a session on stdio. It ends when stdin closes (the base class exits then), on SIGTERM, and when
 * the parent process has gone: a client that crashed may leave our stdin open in a process it started.
 */
export function runStdio(): void {
  const session = new X86DebugSession();
  process.on('SIGTERM', () => session.shutdown());
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    process.stderr.write(`bootscope dap: the client (process ${parent}) has gone; exiting\n`);
    session.shutdown();
  }, PARENT_POLL_MS).unref();
  session.start(process.stdin, process.stdout);
}

/** Listens on 127.0.0.1:port; resolves with the server once listening (port 0 picks a free port). */
export function runServer(port: number, log: (s: string) => void = () => {}): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = createServer((socket) => {
      const session = new X86DebugSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
      socket.on('error', () => socket.destroy());
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      log(`bootscope dap: listening on 127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
      resolveServer(server);
    });
  });
}

/** Parses `--port N` / `--server=N`; returns the port or null for stdio. Throws on a bad value. */
export function portArg(argv: string[]): number | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = a === '--port' ? argv[++i] : a.startsWith('--port=') ? a.slice(7) : a.startsWith('--server=') ? a.slice(9) : null;
    if (v === null) continue;
    if (v === undefined || !/^\d+$/.test(v) || +v > 65535) throw new Error(`--port: '${v ?? ''}' is not a port number (0-65535)`);
    return +v;
  }
  return null;
}

// Run directly as dist/debugAdapter.js (not when bundled into the CLI, which calls the exports).
if (/debugAdapter\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  tuneV8();
  let port: number | null = null;
  try {
    port = portArg(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (port === null) runStdio();
  else runServer(port, (s) => process.stderr.write(s)).catch((e: Error) => { process.stderr.write(`${e.message}\n`); process.exit(1); });
}
