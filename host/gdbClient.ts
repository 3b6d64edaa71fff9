// A GDB remote-protocol client, as QEMU's gdbstub speaks it: one request, one reply, packets
// queued as they come; acknowledged, checksummed, no run-length decoding (QEMU sends none). Used to
// single-step QEMU under KVM (qemuGdb.ts) and to debug a running QEMU (launch request "attach").
// Node only.
import { connect as netConnect, type Socket } from 'node:net';

/** A GDB remote-protocol client: one request, one reply, packets queued as they come. */
export class GdbClient {
  private buf = '';
  private readonly packets: string[] = [];
  private waiter: { res: (p: string) => void; rej: (e: Error) => void } | null = null;
  private closed: Error | null = null;

  constructor(private readonly sock: Socket) {
    sock.on('close', () => {
      this.closed = new Error('the gdbstub connection closed');
      this.waiter?.rej(this.closed);
      this.waiter = null;
    });
    sock.on('error', () => undefined);
    sock.setEncoding('latin1').on('data', (d: string) => {
      this.buf += d;
      for (;;) {
        this.buf = this.buf.replace(/^[+-]+/, '');
        const m = /^\$([^#]*)#[0-9a-fA-F]{2}/.exec(this.buf);
        if (!m) {
          // Anything before a packet start that is not an ack is noise: drop it.
          const at = this.buf.indexOf('$');
          this.buf = at < 0 ? '' : this.buf.slice(at);
          if (!/^\$[^#]*#[0-9a-fA-F]{2}/.test(this.buf)) return;
          continue;
        }
        this.buf = this.buf.slice(m[0].length);
        sock.write('+');
        const w = this.waiter;
        if (w) {
          this.waiter = null;
          w.res(m[1]);
        } else {
          this.packets.push(m[1]);
        }
      }
    });
  }

  /** Connects over TCP to `host:port` (a QEMU started with -gdb tcp::PORT or -s); rejects naming the endpoint. */
  static connect(host: string, port: number, timeoutMs = 5000): Promise<GdbClient> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host, port });
      const t = setTimeout(() => { s.destroy(); reject(new Error(`${host}:${port}: no answer within ${timeoutMs / 1000} s`)); }, timeoutMs);
      s.once('connect', () => { clearTimeout(t); resolve(new GdbClient(s)); });
      s.once('error', (e) => { clearTimeout(t); reject(new Error(`${host}:${port}: ${e.message}`)); });
    });
  }

  /** Ctrl-C: the running target stops (its stop reply answers the pending `c` or `s`). */
  interrupt(): void {
    this.sock.write('\x03');
  }

  close(): void {
    this.sock.destroy();
  }

  /** The next packet from QEMU. */
  next(): Promise<string> {
    const p = this.packets.shift();
    if (p !== undefined) return Promise.resolve(p);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((res, rej) => { this.waiter = { res, rej }; });
  }

  request(data: string): Promise<string> {
    const sum = [...data].reduce((a, c) => a + c.charCodeAt(0), 0) & 0xff;
    this.sock.write(`$${data}#${sum.toString(16).padStart(2, '0')}`);
    return this.next();
  }

  /** A monitor command (qRcmd): its output, from the `O` packets before `OK`. */
  async monitor(command: string): Promise<string> {
    let out = '';
    let r = await this.request(`qRcmd,${Buffer.from(command).toString('hex')}`);
    while (r.startsWith('O') && r !== 'OK') {
      out += Buffer.from(r.slice(1), 'hex').toString('latin1');
      r = await this.next();
    }
    return out;
  }
}
