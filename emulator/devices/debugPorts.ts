// Diagnostic output ports: POST codes on port 0x80 (every byte kept, in order) and the Bochs/QEMU
// debug console on port 0xE9 and on 0x402, where Debian's SeaBIOS writes its log (QEMU's
// isa-debugcon,iobase=0x402). Both feed one text; reading either returns 0xE9 so guests can detect it,
// as Bochs and QEMU do (SeaBIOS stays silent otherwise). CPU test ROMs and firmware report progress
// here; the CLI summary shows both.
// Pure TypeScript: no Node or VS Code imports. Bochs "port E9 hack" documentation.

import type { IoBus } from './ioBus';

/** POST codes kept at most (some code writes port 0x80 only as an I/O delay, millions of times). */
export const MAX_POST_CODES = 1 << 20;

/** The debug console's ports: Bochs's port E9h hack and SeaBIOS's CONFIG_DEBUG_IO port. */
export const DEBUGCON_PORTS = [0xe9, 0x402] as const;

export class DebugPorts {
  /** Bytes written to port 0x80, in order (the first MAX_POST_CODES of them). */
  readonly postCodes: number[] = [];
  /** POST codes written after the list was full. */
  postCodesDropped = 0;
  /** Text written to port 0xE9 (one char per byte, Latin-1). */
  debugText = '';
  /** Live hooks for front ends. */
  onPostCode: ((code: number) => void) | null = null;
  onDebugByte: ((byte: number) => void) | null = null;

  attach(io: IoBus): void {
    io.register(0x80, 1, {
      // Reading the POST port returns the last code written (what a POST card displays).
      in8: () => this.last,
      out8: (_p, v) => {
        if (this.postCodes.length < MAX_POST_CODES) this.postCodes.push(v);
        else this.postCodesDropped++;
        this.last = v;
        this.onPostCode?.(v);
      },
    });
    for (const port of DEBUGCON_PORTS) {
      io.register(port, 1, {
        in8: () => 0xe9,
        out8: (_p, v) => {
          this.debugText += String.fromCharCode(v);
          this.onDebugByte?.(v);
        },
      });
    }
  }

  /** The last byte written to port 0x80 (0xFF before any). */
  get lastPostCode(): number {
    return this.last;
  }
  private last = 0xff;
}
