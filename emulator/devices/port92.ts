// System control port A (0x92, "fast A20"): bit 1 gates A20, writing bit 0 as 1 pulses the CPU reset
// line. Reads return bit 1 as the current A20 state. Pure TypeScript: no Node or VS Code imports.
// Follows the PS/2 and Intel PIIX/ICH descriptions of port 92h.

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';

export class Port92 {
  /** Called on a 0→1 write of bit 0 (fast reset); the machine stops with `reset`. */
  onReset: (() => void) | null = null;
  private bits = 0;

  constructor(private readonly memory: Memory) {}

  attach(io: IoBus): void {
    io.register(0x92, 1, { in8: () => this.in8(), out8: (_p, v) => this.out8(v) });
  }

  in8(): number {
    // The register reads back as written. The A20 line itself is shared with the 8042's output
    // port, last writer wins (as on QEMU's PC, where reading 92h after the 8042 turned A20 off
    // still shows bit 1 set).
    return this.bits;
  }

  out8(v: number): void {
    const rising = (v & 1) !== 0 && (this.bits & 1) === 0;
    this.bits = v & 0xff;
    this.memory.setA20((v & 0x02) !== 0);
    if (rising) {
      this.bits &= ~1; // the reset clears the bit again
      this.onReset?.();
    }
  }
}
