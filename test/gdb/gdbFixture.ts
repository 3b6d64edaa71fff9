// The gdb tests' fixture and gdb driver: test/gdb/fixtures/<name>.asm assembled once as ELF with DWARF
// (`nasm -f elf32 -F dwarf`, linked at 0x7C00: the symbols gdb reads) and objcopied to the flat boot
// sector the server boots, with `; #MARK` lookups; Debian's gdb run in batch mode on a command list; and
// a raw protocol client for packet-level tests.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checksum, frame } from '../../debug-adapter/gdb/packet';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export interface GdbFixture {
  image: string;
  elf: string;
  /** Linear address of the line with `; #NAME`. */
  marker(name: string): number;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

export function assembleElf(name: string): GdbFixture {
  const src = resolve('test/gdb/fixtures', `${name}.asm`);
  const obj = join(dir, `${name}.o`), elf = join(dir, `${name}.elf`), image = join(dir, `${name}.bin`), lst = join(dir, `${name}.lst`);
  run('nasm', ['-f', 'elf32', '-F', 'dwarf', '-g', '-l', lst, '-o', obj, src]);
  run('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '-e', 'start', '-o', elf, obj]);
  run('objcopy', ['-O', 'binary', '-j', '.text', elf, image]);
  const lines = readFileSync(lst, 'utf8').split('\n');
  return {
    image, elf,
    marker(mark: string): number {
      const line = lines.find((l) => l.includes(`; #${mark}`) && /^\s*\d+\s+[0-9A-F]{8}\s/.test(l));
      if (!line) throw new Error(`marker #${mark} not found in ${name}.asm`);
      return 0x7c00 + parseInt(line.trim().split(/\s+/)[1], 16);
    },
  };
}

/** Runs `gdb -batch` with these commands (-ex each); resolves with stdout + stderr. */
export function gdbBatch(commands: string[], timeoutMs = 60_000): Promise<string> {
  const args = ['-nx', '-batch', ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((res, rej) => {
    execFile('gdb', args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && err.killed) rej(new Error(`gdb timed out:\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

/** Hex address as gdb prints it in `p $pc` (`0x7c0e`). */
export function h(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A raw protocol client: sends bytes, reads acks and packet payloads in arrival order. */
export class RawClient {
  private buf = '';
  private wake: (() => void) | null = null;
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { this.buf += d; this.wake?.(); });
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = connect(port, '127.0.0.1', () => res(new RawClient(s)));
      s.on('error', rej);
    });
  }

  send(bytes: string): void {
    this.sock.write(bytes, 'latin1');
  }

  /** A packet whose body is sent as given (already escaped), with its checksum. */
  sendRaw(body: string): void {
    this.send(`$${body}#${checksum(body).toString(16).padStart(2, '0')}`);
  }

  private async until<T>(take: () => T | null, what: string): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = take();
      if (v !== null) return v;
      if (Date.now() - t0 > 10_000) throw new Error(`timeout waiting for ${what}; have ${JSON.stringify(this.buf.slice(0, 200))}`);
      await new Promise<void>((r) => { this.wake = r; setTimeout(r, 200); });
    }
  }

  /** The next ack character (`+` or `-`). */
  ack(): Promise<string> {
    return this.until(() => {
      if (this.buf[0] !== '+' && this.buf[0] !== '-') return null;
      const c = this.buf[0];
      this.buf = this.buf.slice(1);
      return c;
    }, 'an ack');
  }

  /** The next packet's payload (acks before it are skipped), checksum verified. */
  packet(): Promise<string> {
    return this.until(() => {
      const m = /^[+-]*\$([^#]*)#([0-9a-f]{2})/.exec(this.buf);
      if (!m) return null;
      this.buf = this.buf.slice(m[0].length);
      assert.equal(frame(m[1]).slice(-2), m[2], 'reply checksum');
      return m[1];
    }, 'a packet');
  }

  /** Sends a packet and returns the reply payload. */
  async ask(payload: string): Promise<string> {
    this.send(frame(payload));
    return this.packet();
  }

  pending(): string {
    return this.buf;
  }

  close(): void {
    this.sock.destroy();
  }
}
