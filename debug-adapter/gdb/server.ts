// The gdb remote server: a debug session's machine served on 127.0.0.1 to one gdb at a time. A detach
// leaves the machine stopped for the next connection. `startGdbServer` is `bootscope gdbserver`: its
// own session (stopped at 0000:7C00, recording), guest text (port E9h, COM1) to the server's output, and
// `kill` ends it; `serveGdb` alone serves a DAP session's machine (launch `gdbPort`). Node only; no vscode.

import { createServer, type Server, type Socket } from 'node:net';
import type { SessionContext } from '../context';
import type { Launched } from '../launch';
import { closeSession, openSession } from '../machineSession';
import type { Stop } from '../runner';
import { GdbStub } from './stub';

export interface GdbEndpointOptions {
  /** 0 picks a free port. */
  port: number;
  /** Server messages (connections, packets that failed). */
  log(text: string): void;
  /** gdb killed the target (`k`); without it a kill only ends the connection. */
  onKill?(): void;
  /** gdb resumed the machine (continue, step, reverse): another front end may show it running. */
  onResume?(): void;
}

/** A listening gdb server over a session: the session's stops and console output are forwarded to it. */
export interface GdbEndpoint {
  port: number;
  onStop(stop: Stop): void;
  /** Console output for gdb when it waits for a monitor answer or a stop; false when it does not. */
  output(text: string): boolean;
  close(): void;
}

export function serveGdb(ctx: SessionContext, opts: GdbEndpointOptions): Promise<GdbEndpoint> {
  let stub: GdbStub | null = null;
  let socket: Socket | null = null;
  let lastStop: string | undefined;

  const drop = (s: Socket) => {
    if (socket !== s) return;
    lastStop = stub?.lastStop;
    stub?.close();
    stub = null;
    socket = null;
    opts.log('gdb disconnected; the machine waits for the next connection\n');
  };

  const server: Server = createServer((s) => {
    if (socket) {
      opts.log('refused a second gdb connection: one gdb at a time\n');
      s.destroy();
      return;
    }
    socket = s;
    s.setNoDelay(true);
    s.setEncoding('latin1');
    stub = new GdbStub(ctx, {
      send: (data) => { s.write(data, 'latin1'); },
      detach: () => { s.end(); drop(s); },
      kill: () => {
        s.destroy();
        drop(s);
        opts.onKill?.();
      },
      resumed: () => opts.onResume?.(),
      log: opts.log,
    }, lastStop);
    opts.log(`gdb connected from ${s.remoteAddress}:${s.remotePort}\n`);
    s.on('data', (chunk: string) => stub?.receive(chunk));
    s.on('close', () => drop(s));
    s.on('error', () => s.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : opts.port,
        onStop: (s) => stub?.onStop(s),
        output: (t) => stub?.output(t) ?? false,
        close: () => {
          stub?.close();
          socket?.destroy();
          server.close();
        },
      });
    });
  });
}

export interface GdbServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Server messages and console output no gdb is waiting for. */
  log(text: string): void;
  /** Guest output (debug port E9h, COM1). */
  guestOutput(text: string): void;
}

export interface GdbServer {
  port: number;
  /** Settles when gdb killed the target (or close() was called). */
  closed: Promise<void>;
  close(): void;
}

/** `bootscope gdbserver`: a session of its own for `launched`, served until gdb kills it. */
export async function startGdbServer(launched: Launched, opts: GdbServerOptions): Promise<GdbServer> {
  let endpoint: GdbEndpoint | null = null;
  let pending = '';
  const ctx = openSession(launched, {
    onStop: (s) => endpoint?.onStop(s),
    announceStop: (s) => endpoint?.onStop(s),
    output: (t) => { if (!endpoint?.output(t)) opts.log(t); },
    afterBurst: () => {
      if (pending) opts.guestOutput(pending);
      pending = '';
    },
  });
  const text = (b: number) => { pending += String.fromCharCode(b); };
  launched.machine.devices.debug.onDebugByte = text;
  launched.machine.devices.com1.onTransmit = text;
  for (const n of launched.notes) opts.log(n + '\n');

  let done: () => void = () => {};
  const closed = new Promise<void>((r) => { done = r; });
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    endpoint?.close();
    closeSession(ctx, launched);
    done();
  };
  try {
    endpoint = await serveGdb(ctx, {
      port: opts.port,
      log: opts.log,
      onKill: () => {
        opts.log('gdb killed the target\n');
        close();
      },
    });
  } catch (e) {
    closeSession(ctx, launched);
    throw e;
  }
  return { port: endpoint.port, closed, close };
}
