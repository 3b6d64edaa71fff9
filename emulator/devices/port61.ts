// System control port B (0x61) of the PC/AT: PIT channel 2 gate and speaker enable on write; on read
// also the DRAM refresh toggle (bit 4) and channel 2's OUT (bit 5). The refresh bit flips on every
// read, as in QEMU, so loops that count its edges run the same number of instructions as in the
// reference traces. Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (port 61h).

import type { IoBus } from './ioBus';
import type { Pit } from './pit';

export class SystemControlPortB {
  /** Bits 0–3 as last written: gate 2, speaker data, parity check disable, channel check disable. */
  value = 0;
  /** Bit 4 as last read. */
  private refresh = 0;

  constructor(private readonly pit: Pit) {
    pit.setGate2(false); // the gate is low until software sets bit 0
  }

  attach(io: IoBus): void {
    io.register(0x61, 1, { in8: () => this.in8(), out8: (_p, v) => this.out8(v) });
  }

  in8(): number {
    this.refresh ^= 0x10;
    return (this.value & 0x0f) | this.refresh | (this.pit.out2() ? 0x20 : 0);
  }

  out8(v: number): void {
    this.value = v & 0x0f;
    this.pit.setGate2((v & 1) !== 0);
  }

  /** True while the speaker is driven by channel 2 (gate and data enable set). */
  get speakerOn(): boolean {
    return (this.value & 3) === 3;
  }
}
