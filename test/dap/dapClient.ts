// The adapter tests' session helper over @vscode/debugadapter-testsupport's DebugClient, which does
// all the protocol work (framing, request/response matching, events): it spawns the adapter (or
// `bootscope dap`) or connects to a port, keeps an event log so a test can wait for an event that
// may already have arrived, and launches to the entry stop (codelldb's DebugTestSession idea). It
// also assembles NASM fixtures with listings for `; #MARK` lookups.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

/**
 * The adapter bundle and the CLI bundle in dist/, which scripts/test.mjs builds before it starts the
 * test files (none rebuilds it, so parallel files never read a bundle being written).
 */
export const ADAPTER = resolve('dist', 'debugAdapter.js');
export const CLI = resolve('dist', 'cli.js');

export interface Fixture {
  image: string;
  /** The NASM listing and the source copy it was made from (side by side, as a user has them). */
  listing: string;
  source: string;
  /** 1-based source line of `; #NAME`. */
  line(name: string): number;
  /** Linear address of the line with `; #NAME`. */
  marker(name: string): number;
}

const fixtureDir = mkdtempSync(join(tmpdir(), 'bootscope-dap-'));
process.on('exit', () => {
  rmSync(fixtureDir, { recursive: true, force: true });
});

/** Assembles test/dap/fixtures/<name>.asm (nasm -f bin with a listing) into a temp directory. */
export function assemble(name: string, org = 0x7c00): Fixture {
  const orig = resolve('test/dap/fixtures', `${name}.asm`);
  const src = join(fixtureDir, `${name}.asm`);
  const image = join(fixtureDir, `${name}.bin`);
  const lst = join(fixtureDir, `${name}.lst`);
  if (!existsSync(image) || statSync(image).mtimeMs < statSync(orig).mtimeMs) {
    copyFileSync(orig, src);
    const r = spawnSync('nasm', ['-f', 'bin', '-o', image, '-l', lst, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nasm ${name}: ${r.stderr || r.error}`);
  }
  const lines = readFileSync(lst, 'utf8').split('\n');
  const source = readFileSync(src, 'utf8').split('\n');
  return {
    image,
    listing: lst,
    source: src,
    line(mark: string): number {
      const i = source.findIndex((l) => l.includes(`; #${mark}`));
      if (i < 0) throw new Error(`marker #${mark} not found in ${name}.asm`);
      return i + 1;
    },
    marker(mark: string): number {
      const line = lines.find((l) => l.includes(`; #${mark}`) && /^\s*\d+\s+[0-9A-F]{8}\s/.test(l));
      if (!line) throw new Error(`marker #${mark} not found in ${name}.asm`);
      return org + parseInt(line.trim().split(/\s+/)[1], 16);
    },
  };
}

/** The adapter tests' client: @vscode/debugadapter-testsupport's DebugClient (the protocol client) with an event log. */
class AdapterClient extends DebugClient {
  /** Every event in arrival order (DebugClient only emits them). */
  readonly events: DebugProtocol.Event[] = [];

  constructor() {
    super(process.execPath, ADAPTER, 'bootscope');
  }

  /** Speaks DAP over these streams: an adapter process we spawned ourselves (with arguments) or a socket. */
  attach(readable: Readable, writable: Writable): void {
    this.connect(readable, writable);
  }

  override emit(name: string | symbol, ...args: unknown[]): boolean {
    const e = args[0] as DebugProtocol.Event | undefined;
    if (e?.type === 'event') this.events.push(e);
    return super.emit(name, ...args);
  }

  /**
   * The whole response, failed or not. DebugClient.send rejects a failed one with its message only,
   * and the error tests check the error id and the body, so this goes one level down to its sender.
   */
  respond(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const sender = this as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void };
    return new Promise((res) => sender.doSend(command, args, res));
  }
}

/** One adapter session for a test: `dc` for DebugClient's typed requests, helpers for the common steps. */
export class DapClient {
  readonly dc = new AdapterClient();
  private proc: ChildProcess | null = null;
  private closeTransport: () => void = () => {};
  /** The adapter's answer to `initialize` (after launch). */
  capabilities: DebugProtocol.Capabilities = {};
  /** The adapter process when this client spawned it. */
  get process(): ChildProcess | null {
    return this.proc;
  }
  get events(): DebugProtocol.Event[] {
    return this.dc.events;
  }

  /** Spawns the adapter bundle (extra args for the process), or with `viaCli` the CLI's `bootscope dap`. */
  static spawn(args: string[] = [], viaCli = false): DapClient {
    const c = new DapClient();
    const p = spawn(process.execPath, viaCli ? [CLI, 'dap', ...args] : [ADAPTER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    c.proc = p;
    c.dc.attach(p.stdout!, p.stdin!);
    return c;
  }

  /** Connects to an adapter serving DAP on 127.0.0.1:port. */
  static connect(port: number): Promise<DapClient> {
    return new Promise((res, rej) => {
      const c = new DapClient();
      const s = connect(port, '127.0.0.1', () => res(c));
      s.on('error', rej);
      c.dc.attach(s, s);
      c.closeTransport = () => s.destroy();
    });
  }

  /** Sends a request; resolves with the response whether it succeeded or not. */
  raw(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    return withTimeout(this.dc.respond(command, args), `'${command}' response`);
  }

  /** Sends a request and fails on an error response; resolves with its body. */
  async request<B = any>(command: string, args?: unknown): Promise<NonNullable<B>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await withTimeout(this.dc.send(command, args), `'${command}' response`);
    return r.body as NonNullable<B>;
  }

  /** Resolves with the first event (already received since `from`, or future) matching. */
  waitFor(event: string, pred: (e: DebugProtocol.Event) => boolean = () => true, timeoutMs = 10000, from = 0): Promise<DebugProtocol.Event> {
    const seen = this.events.slice(from).find((e) => e.event === event && pred(e));
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise((res) => {
      const on = (e: DebugProtocol.Event) => {
        if (!pred(e)) return;
        this.dc.off(event, on);
        res(e);
      };
      this.dc.on(event, on);
    }), `'${event}' event`, timeoutMs);
  }

  /** Waits for the next `stopped` event after the current point. */
  nextStop(timeoutMs = 10000): Promise<DebugProtocol.StoppedEvent> {
    return this.waitFor('stopped', () => true, timeoutMs, this.events.length) as Promise<DebugProtocol.StoppedEvent>;
  }

  output(): string {
    return this.events.filter((e) => e.event === 'output').map((e) => (e as DebugProtocol.OutputEvent).body.output).join('');
  }

  /** initialize + launch + configurationDone, with `setup` between initialized and configurationDone. */
  async launch(
    config: Record<string, unknown>, setup: () => Promise<void> = async () => {}, init: Record<string, unknown> = {},
  ): Promise<DebugProtocol.StoppedEvent | null> {
    this.capabilities = await this.request<DebugProtocol.Capabilities>('initialize', {
      adapterID: 'bootscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsMemoryReferences: true, ...init,
    });
    const mark = this.events.length;
    await this.request('launch', { type: 'bootscope', request: 'launch', ...config });
    await this.waitFor('initialized');
    await setup();
    if (config.stopOnEntry === false) {
      await this.request('configurationDone');
      return null;
    }
    const stop = this.waitFor('stopped', () => true, 10000, mark);
    await this.request('configurationDone');
    return stop as Promise<DebugProtocol.StoppedEvent>;
  }

  /** Closes the socket without a disconnect request, as a client that crashed does. */
  drop(): void {
    this.closeTransport();
  }

  /** Disconnects and makes sure the adapter process is gone (killed after 2 s). */
  async close(): Promise<void> {
    try {
      await Promise.race([this.dc.disconnectRequest({}), new Promise((r) => setTimeout(r, 2000))]);
    } catch { /* the adapter may be gone already */ }
    this.closeTransport();
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.stdin?.end();
      await new Promise<void>((r) => {
        const t = setTimeout(() => { p.kill(); r(); }, 2000);
        p.on('exit', () => { clearTimeout(t); r(); });
      });
    }
  }
}

/** Rejects after `ms` (DebugClient itself waits for a response forever). */
function withTimeout<T>(p: Promise<T>, what: string, ms = 10000): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`timeout waiting for ${what}`)), ms);
    p.then((v) => { clearTimeout(t); res(v); }, (e: unknown) => { clearTimeout(t); rej(e); });
  });
}

/** The instruction pointer of the top frame (the linear address the adapter reports). */
export async function pc(c: DapClient): Promise<number> {
  const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
  return parseInt(stackFrames[0].instructionPointerReference!, 16);
}

/**
 * bootscope/readTimeline asked again while it answers `building` (a request replays for a bounded time), as the panel
 * does; the whole timeline.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function wholeTimeline(c: DapClient, args: Record<string, unknown>): Promise<any> {
  for (let n = 0; ; n++) {
    const t = await c.request<{ building?: unknown }>('bootscope/readTimeline', args);
    if (!t.building) return t;
    if (n > 10_000) throw new Error(`the timeline was still being built after ${n} requests`);
  }
}

/** Sends a request that resumes the CPU and waits for the stop it ends in. */
export async function act(c: DapClient, command: string, args: Record<string, unknown> = { threadId: 1 }): Promise<DebugProtocol.StoppedEvent> {
  const stop = c.nextStop();
  await c.request(command, args);
  return stop;
}

/** The debug console's answer to `expression`. */
export async function repl(c: DapClient, expression: string): Promise<string> {
  return (await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, context: 'repl', frameId: 0 })).result;
}
