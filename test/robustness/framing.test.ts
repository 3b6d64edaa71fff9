// Malformed DAP input (issue 14): a frame with invalid JSON, a `null` body, a wrong Content-Length or
// `Content-Length: abc` used to end the stdio adapter silently or leave it stuck. Now each is reported
// (an error response when the frame was a request, else an error output event) and the adapter goes on
// at the next header; a frame too large to skip ends it with a message on stderr and exit code 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { ADAPTER } from '../dap/dapClient';

interface Message { type: string; seq: number; command?: string; event?: string; success?: boolean; message?: string; request_seq?: number; body?: { output?: string; category?: string } }

/** A raw client: writes bytes, collects the adapter's frames. */
class Raw {
  readonly p: ChildProcess;
  readonly got: Message[] = [];
  stderr = '';
  private buf = Buffer.alloc(0);
  constructor() {
    this.p = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.p.stderr!.on('data', (d: Buffer) => { this.stderr += String(d); });
    this.p.stdout!.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const h = this.buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const n = Number(/Content-Length: (\d+)/.exec(this.buf.toString('latin1', 0, h))![1]);
        if (this.buf.length < h + 4 + n) return;
        this.got.push(JSON.parse(this.buf.toString('utf8', h + 4, h + 4 + n)));
        this.buf = this.buf.subarray(h + 4 + n);
      }
    });
  }
  write(s: string): void { this.p.stdin!.write(s); }
  frame(body: string, length = Buffer.byteLength(body)): void { this.write(`Content-Length: ${length}\r\n\r\n${body}`); }
  request(seq: number, command: string, args?: unknown): void { this.frame(JSON.stringify({ seq, type: 'request', command, arguments: args })); }
  async until(pred: (m: Message) => boolean, what: string): Promise<Message> {
    for (let t = 0; t < 100; t++) {
      const m = this.got.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.got.map((m) => m.command ?? m.event))}`);
  }
  response(seq: number): Promise<Message> { return this.until((m) => m.type === 'response' && m.request_seq === seq, `the response to ${seq}`); }
  problem(re: RegExp): Promise<Message> { return this.until((m) => m.event === 'output' && m.body?.category === 'stderr' && re.test(m.body.output ?? ''), String(re)); }
}

test('bad frames are reported and the stdio adapter goes on', async () => {
  const c = new Raw();
  try {
    c.request(1, 'initialize', { adapterID: 'bootscope', pathFormat: 'path' });
    assert.equal((await c.response(1)).success, true);
    c.frame('{"seq": 2, "type": "request", "command": "threads"');
    await c.problem(/a DAP frame that is not valid JSON was skipped/);
    c.frame('null');
    await c.problem(/a DAP message must be a JSON object, not null/);
    c.frame(JSON.stringify({ seq: 3, type: 'request', command: 'evaluate', arguments: null }));
    assert.match((await c.response(3)).message ?? '', /evaluate: the arguments must be an object \(got null\)/);
    c.frame(JSON.stringify({ seq: 4, type: 'request' }));
    await c.problem(/a request needs a 'command' string/);
    c.frame(JSON.stringify({ seq: 5, type: 'request', command: 42 }));
    await c.problem(/'command'/);
    // Too short: the body is cut, the rest is skipped up to the next header.
    c.request(6, 'threads');
    const body = JSON.stringify({ seq: 7, type: 'request', command: 'threads' });
    c.frame(body, body.length - 5);
    c.request(8, 'threads');
    assert.equal((await c.response(8)).success, true);
    await c.problem(/skipped 5 bytes before a header/);
    // Too long: the next header shows where the frame really ended.
    c.frame(JSON.stringify({ seq: 9, type: 'request', command: 'threads' }), 500);
    c.request(10, 'threads');
    assert.equal((await c.response(10)).success, true);
    assert.equal((await c.response(9)).success, true, 'the frame up to the next header was a whole request');
    // Not a length: the frame after it is skipped, the next one answered.
    c.write('Content-Length: abc\r\n\r\n{"seq": 11}');
    c.request(12, 'threads');
    assert.equal((await c.response(12)).success, true);
    await c.problem(/Content-Length 'abc' \(not a byte count\)/);
    c.write('garbage without a header\r\n\r\n');
    c.request(13, 'threads');
    assert.equal((await c.response(13)).success, true);
    await c.problem(/skipped 28 bytes (that are not a DAP frame|before a header)/);
    assert.equal(c.p.exitCode, null, 'still running');
  } finally {
    c.p.kill();
  }
});

test('a frame too large to skip ends the adapter with a message on stderr and exit code 1', async () => {
  const c = new Raw();
  c.request(1, 'initialize', { adapterID: 'bootscope', pathFormat: 'path' });
  await c.response(1);
  c.write('Content-Length: 99999999999\r\n\r\n{');
  const code = await new Promise<number | null>((res) => c.p.on('exit', (n) => res(n)));
  assert.equal(code, 1);
  assert.match(c.stderr, /bootscope dap: a frame of 99999999999 bytes \(Content-Length\) is over the limit of 67108864; the stream cannot be followed past it; ending the adapter/);
});
