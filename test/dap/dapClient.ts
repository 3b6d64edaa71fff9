// A small DAP client for the adapter tests: speaks Content-Length framed JSON over the adapter's
// stdio (or a socket), matches responses to requests, and lets a test wait for events. It also
// builds dist/debugAdapter.js once and assembles NASM fixtures with listings for `; #MARK` lookups.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';

const buildDir = mkdtempSync(join(tmpdir(), 'bootscope-dap-build-'));
/** The adapter bundle and the CLI bundle, built from this tree like scripts/build.mjs builds dist/. */
export const ADAPTER = join(buildDir, 'debugAdapter.js');
export const CLI = join(buildDir, 'cli.js');
let built = false;

/**
 * Bundles debug-adapter/main.ts and cli/main.ts with esbuild, with the options scripts/build.mjs uses
 * for dist/, into a directory of this test process: test files run in parallel and must not read a
 * bundle another one is writing.
 */
export function buildAdapter(): void {
  if (built) return;
  const script = `require('esbuild').buildSync({ entryPoints: { debugAdapter: 'debug-adapter/main.ts', cli: 'cli/main.ts' }, outdir: ${JSON.stringify(buildDir)},
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, define: { __DEBUG__: 'true' }, logLevel: 'error' })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  built = true;
}

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
  rmSync(buildDir, { recursive: true, force: true });
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

type Message = DebugProtocol.ProtocolMessage & Record<string, unknown>;

export class DapClient {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  readonly events: DebugProtocol.Event[] = [];
  /** Every message in arrival order as `response:<command>` / `event:<event>`. */
  readonly order: string[] = [];
  private waiters: { pred: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void }[] = [];
  private proc: ChildProcess | null = null;
  get process(): ChildProcess | null {
    return this.proc;
  }
  private socket: Socket | null = null;
  private write: (data: string) => void = () => {};

  /** Spawns the adapter bundle (extra args for the process), or with `viaCli` the CLI's `bootscope dap`. */
  static spawn(args: string[] = [], viaCli = false): DapClient {
    buildAdapter();
    const c = new DapClient();
    const p = spawn(process.execPath, viaCli ? [CLI, 'dap', ...args] : [ADAPTER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    c.proc = p;
    p.stdout!.on('data', (d: Buffer) => c.onData(d));
    c.write = (s) => p.stdin!.write(s);
    return c;
  }

  static connect(port: number): Promise<DapClient> {
    return new Promise((res, rej) => {
      const c = new DapClient();
      const s = connect(port, '127.0.0.1', () => res(c));
      s.on('error', rej);
      s.on('data', (d: Buffer) => c.onData(d));
      c.socket = s;
      c.write = (x) => s.write(x);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const head = this.buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString());
      const len = m ? +m[1] : 0;
      if (this.buf.length < head + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString()) as Message;
      this.buf = this.buf.subarray(head + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    this.order.push(msg.type === 'response' ? `response:${String(msg.command)}` : `${msg.type}:${String(msg.event ?? msg.command)}`);
    if (msg.type === 'response') {
      const r = msg as unknown as DebugProtocol.Response;
      this.pending.get(r.request_seq)?.(r);
      this.pending.delete(r.request_seq);
    } else if (msg.type === 'event') {
      const e = msg as unknown as DebugProtocol.Event;
      this.events.push(e);
      const hit = this.waiters.filter((x) => x.pred(e));
      this.waiters = this.waiters.filter((x) => !hit.includes(x));
      for (const w of hit) w.resolve(e);
    }
  }

  /** Sends a request; resolves with the response whether it succeeded or not. */
  raw(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timeout waiting for '${command}' response`)), 10000);
      this.pending.set(seq, (r) => { clearTimeout(t); res(r); });
      this.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /** Sends a request and fails on an error response. */
  async request<B = any>(command: string, args?: unknown): Promise<NonNullable<B>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await this.raw(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message} ${JSON.stringify(r.body ?? {})}`);
    return r.body as NonNullable<B>;
  }

  /** Resolves with the first event (already received since `from`, or future) matching. */
  waitFor(event: string, pred: (e: DebugProtocol.Event) => boolean = () => true, timeoutMs = 10000, from = 0): Promise<DebugProtocol.Event> {
    const seen = this.events.slice(from).find((e) => e.event === event && pred(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timeout waiting for '${event}' event`)), timeoutMs);
      this.waiters.push({ pred: (e) => e.event === event && pred(e), resolve: (e) => { clearTimeout(t); res(e); } });
    });
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
    await this.request('initialize', {
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

  async close(): Promise<void> {
    try {
      await Promise.race([this.raw('disconnect', {}), new Promise((r) => setTimeout(r, 2000))]);
    } catch { /* the adapter may be gone already */ }
    this.socket?.destroy();
    if (this.proc && this.proc.exitCode === null) {
      this.proc.stdin?.end();
      await new Promise<void>((r) => {
        const t = setTimeout(() => { this.proc?.kill(); r(); }, 2000);
        this.proc!.on('exit', () => { clearTimeout(t); r(); });
      });
    }
  }
}
