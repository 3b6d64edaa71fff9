// The gdb remote server: one launched machine (stopped at 0000:7C00, recording) served on 127.0.0.1
// to one gdb at a time. A detach leaves the machine stopped for the next connection; `kill` ends the
// server. Guest text (port E9h, COM1) goes to the server's own output, as a console would show it.
// Node only; no vscode.

import { createServer, type Server, type Socket } from 'node:net';
import type { SessionContext } from '../context';
import type { Launched } from '../launch';
import { closeSession, openSession } from '../machineSession';
import { GdbStub } from './stub';

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

export function startGdbServer(launched: Launched, opts: GdbServerOptions): Promise<GdbServer> {
  let stub: GdbStub | null = null;
  let socket: Socket | null = null;
  let pending = '';
  let lastStop: string | undefined;
  const ctx: SessionContext = openSession(launched, {
    onStop: (s) => stub?.onStop(s),
    announceStop: (s) => stub?.onStop(s),
    output: (t) => (stub ? stub.output(t) : opts.log(t)),
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
  let server: Server;
  const close = () => {
    stub?.close();
    socket?.destroy();
    server.close();
    closeSession(ctx, launched);
    done();
  };

  const drop = (s: Socket) => {
    if (socket !== s) return;
    lastStop = stub?.lastStop;
    stub?.close();
    stub = null;
    socket = null;
    opts.log('gdb disconnected; the machine waits for the next connection\n');
  };

  server = createServer((s) => {
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
      kill: () => { opts.log('gdb killed the target\n'); close(); },
      log: opts.log,
    }, lastStop);
    opts.log(`gdb connected from ${s.remoteAddress}:${s.remotePort}\n`);
    s.on('data', (chunk: string) => stub?.receive(chunk));
    s.on('close', () => drop(s));
    s.on('error', () => s.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => {
      closeSession(ctx, launched);
      reject(e);
    });
    server.listen(opts.port, '127.0.0.1', () => {
      const a = server.address();
      resolve({ port: typeof a === 'object' && a ? a.port : opts.port, closed, close });
    });
  });
}
