// The GDB remote serial protocol's framing: `$payload#cs` packets with a modulo-256 checksum, `+`/`-`
// acknowledgements, the 0x03 interrupt byte, `}`-escaped binary data, and hex encoding. Pure: no Node
// imports, so it is unit-tested alone. Payloads are latin1 strings (one char per byte) so binary data
// (X packets, qXfer replies) passes unchanged. GDB manual, "Overview" and "Packets" of Remote Protocol.

/** What a chunk of input contained, in order. */
export type WireEvent =
  | { kind: 'packet'; payload: string }
  /** A packet whose checksum did not match: the peer should resend (`-`). */
  | { kind: 'bad-checksum'; payload: string }
  /** A packet longer than the reader accepts: dropped whole, answered with `-`. */
  | { kind: 'overflow' }
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** The interrupt byte (Ctrl-C in gdb) outside a packet. */
  | { kind: 'interrupt' };

export function checksum(payload: string): number {
  let s = 0;
  for (let i = 0; i < payload.length; i++) s = (s + payload.charCodeAt(i)) & 0xff;
  return s;
}

/** `$` `#` `}` and `*` cannot appear raw inside a packet: `}` then the byte XOR 0x20. */
export function escapeBinary(data: string): string {
  return data.replace(/[$#}*]/g, (c) => '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

/** Undoes escapeBinary (X packets); null when the data ends in a lone `}`. */
export function unescapeBinary(data: string): string | null {
  if (!data.includes('}')) return data;
  let out = '';
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== '}') { out += data[i]; continue; }
    if (++i >= data.length) return null;
    out += String.fromCharCode(data.charCodeAt(i) ^ 0x20);
  }
  return out;
}

/** A whole packet on the wire, payload escaped. */
export function frame(payload: string): string {
  const body = escapeBinary(payload);
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`;
}

export function toHex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] & 0xff).toString(16).padStart(2, '0');
  return s;
}

/** Hex digits to bytes; null for an odd length or a non-hex digit. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

export function textToHex(text: string): string {
  return toHex(new TextEncoder().encode(text));
}

export function hexToText(hex: string): string | null {
  const b = fromHex(hex);
  return b === null ? null : new TextDecoder().decode(b);
}

/** A little-endian value of `bytes` bytes as hex (register contents). */
export function leHex(value: number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += (i < 4 ? (value >>> (8 * i)) & 0xff : 0).toString(16).padStart(2, '0');
  return s;
}

/** Reads a little-endian value from hex (the first 4 bytes count); null when not hex. */
export function parseLeHex(hex: string): number | null {
  const b = fromHex(hex);
  if (b === null || b.length === 0) return null;
  let v = 0;
  for (let i = Math.min(b.length, 4) - 1; i >= 0; i--) v = v * 256 + b[i];
  return v >>> 0;
}

const enum State { Idle, Body, Check1, Check2 }

/**
 * Splits the incoming byte stream into events. It keeps at most `maxPacket` payload bytes: a longer
 * packet is skipped to its end and reported as an overflow, so no input can grow it without bound.
 */
export class PacketReader {
  private state = State.Idle;
  private body: string[] = [];
  private size = 0;
  private overflow = false;
  private sum = '';

  constructor(readonly maxPacket: number) {}

  /** Feeds bytes (latin1: one char per byte); returns the events they complete. */
  push(chunk: string): WireEvent[] {
    const out: WireEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      switch (this.state) {
        case State.Idle:
          if (c === '$') this.begin();
          else if (c === '+') out.push({ kind: 'ack' });
          else if (c === '-') out.push({ kind: 'nack' });
          else if (c === '\x03') out.push({ kind: 'interrupt' });
          // Anything else between packets is line noise: ignored, as gdbserver does.
          break;
        case State.Body: {
          // Take the run of plain bytes up to the next `#` or `$` at once.
          let j = i;
          while (j < chunk.length && chunk[j] !== '#' && chunk[j] !== '$') j++;
          if (j > i) {
            const n = j - i;
            if (!this.overflow && this.size + n <= this.maxPacket) this.body.push(chunk.slice(i, j));
            else this.overflow = true;
            this.size += n;
            i = j - 1;
            break;
          }
          if (c === '$') this.begin(); // a new packet before the end of this one: the old one is lost
          else this.state = State.Check1;
          break;
        }
        case State.Check1:
          this.sum = c;
          this.state = State.Check2;
          break;
        case State.Check2: {
          this.state = State.Idle;
          if (this.overflow) {
            out.push({ kind: 'overflow' });
            break;
          }
          const payload = this.body.join('');
          const want = parseInt(this.sum + c, 16);
          out.push(/^[0-9a-fA-F]{2}$/.test(this.sum + c) && want === checksum(payload)
            ? { kind: 'packet', payload }
            : { kind: 'bad-checksum', payload });
          break;
        }
      }
    }
    return out;
  }

  private begin(): void {
    this.state = State.Body;
    this.body = [];
    this.size = 0;
    this.overflow = false;
  }
}
