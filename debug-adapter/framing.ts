// DAP's base protocol on a byte stream (`Content-Length: N\r\n\r\n` then N bytes of JSON), read so that
// nothing a client sends is dropped silently: a frame that is not JSON or not a DAP message, a header
// without a usable length and bytes outside any frame each come back as a problem to report, and the
// reader goes on at the next header. A header claiming more than MAX_FRAME_BYTES cannot be skipped
// safely and is fatal. (@vscode/debugadapter's own reader ends the adapter on the first bad frame.)
// Node only; must not import vscode.

import type { DebugProtocol } from '@vscode/debugprotocol';

/** The largest frame accepted: far above any request (writeMemory of 1 MiB is about 1.4 MB). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Bytes kept while looking for a header before the ones seen are reported as skipped. */
const MAX_HEADER_BYTES = 8192;

const HEADER_END = '\r\n\r\n';
/** A complete header: JSON never holds a raw CR LF CR LF, so one inside a body means its length was wrong. */
const HEADER = /Content-Length:[ \t]*([^\r\n]*)\r\n(?:[^\r\n]+\r\n)*\r\n/i;

export type Frame =
  | { message: DebugProtocol.ProtocolMessage }
  /** `request` is set when the frame was a request whose seq and command could be read (it gets an error response). */
  | { problem: string; fatal?: boolean; request?: { seq: number; command: string } };

function describe(bytes: Buffer): string {
  const s = bytes.toString('utf8', 0, Math.min(bytes.length, 40)).replace(/[\r\n]/g, ' ');
  return `'${s}${bytes.length > 40 ? '…' : ''}'`;
}

/** Why a parsed body is not a DAP message, or null. */
function notAMessage(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `a DAP message must be a JSON object, not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`;
  const m = v as Record<string, unknown>;
  if (m.type !== 'request' && m.type !== 'response' && m.type !== 'event') return `'type' must be request, response or event (got ${JSON.stringify(m.type) ?? 'nothing'})`;
  if (!Number.isInteger(m.seq)) return `'seq' must be an integer (got ${JSON.stringify(m.seq) ?? 'nothing'})`;
  if (m.type === 'request' && (typeof m.command !== 'string' || m.command === '')) return `a request needs a 'command' string (got ${JSON.stringify(m.command) ?? 'nothing'})`;
  return null;
}

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  /** The body length of the header just read, or -1 while looking for a header. */
  private need = -1;

  /** Takes bytes as they arrive; returns the frames (and problems) they complete. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.need < 0) {
        if (!this.readHeader(out)) break;
        continue;
      }
      // A header inside the bytes meant for this body: the length was too long; the body ends there.
      const next = this.buf.subarray(0, Math.min(this.buf.length, this.need)).toString('latin1').search(HEADER);
      if (next < 0 && this.buf.length < this.need) break;
      const end = next >= 0 ? next : this.need;
      const body = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.need = -1;
      out.push(this.parse(body, next >= 0));
    }
    return out;
  }

  /** Consumes one header (and any bytes before it); false when more bytes are needed. */
  private readHeader(out: Frame[]): boolean {
    const text = this.buf.toString('latin1');
    const m = HEADER.exec(text);
    if (!m) {
      if (text.indexOf(HEADER_END) >= 0 || this.buf.length > MAX_HEADER_BYTES) {
        // No header in what came: keep a tail that may be the start of one.
        const keep = Math.max(0, text.lastIndexOf('Content-Length'));
        const cut = keep > 0 ? keep : text.indexOf(HEADER_END) >= 0 ? text.lastIndexOf(HEADER_END) + HEADER_END.length : this.buf.length;
        if (cut > 0) {
          out.push({ problem: `skipped ${cut} bytes that are not a DAP frame (${describe(this.buf.subarray(0, cut))}): each message needs a 'Content-Length: N' header` });
          this.buf = this.buf.subarray(cut);
          return true;
        }
      }
      return false;
    }
    if (m.index > 0) out.push({ problem: `skipped ${m.index} bytes before a header (${describe(this.buf.subarray(0, m.index))}): the previous frame's Content-Length was wrong` });
    this.buf = this.buf.subarray(m.index + m[0].length);
    const value = m[1].trim();
    if (!/^\d{1,12}$/.test(value)) {
      out.push({ problem: `a header with Content-Length '${value}' (not a byte count): the frame after it is skipped` });
      return true;
    }
    const n = Number(value);
    if (n > MAX_FRAME_BYTES) {
      out.push({ problem: `a frame of ${n} bytes (Content-Length) is over the limit of ${MAX_FRAME_BYTES}; the stream cannot be followed past it`, fatal: true });
      this.buf = Buffer.alloc(0);
      return false;
    }
    this.need = n;
    return true;
  }

  private parse(body: Buffer, cut: boolean): Frame {
    const why = cut ? ` (its Content-Length claimed more than the ${body.length} bytes before the next header)` : '';
    let v: unknown;
    try {
      v = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return { problem: `a DAP frame that is not valid JSON${why} was skipped: ${(e as Error).message} in ${describe(body)}` };
    }
    const bad = notAMessage(v);
    if (!bad) return { message: v as DebugProtocol.ProtocolMessage };
    const r = v as { seq?: unknown; command?: unknown } | null;
    const request = r && typeof r === 'object' && Number.isInteger(r.seq) && typeof r.command === 'string' ? { seq: r.seq as number, command: r.command } : undefined;
    return { problem: `a DAP frame was skipped: ${bad}${why}`, ...(request ? { request } : {}) };
  }
}
