// System control port B (0x61) of the PC/AT: PIT channel 2 gate and speaker enable on write; on read
// also the DRAM refresh toggle (bit 4) and channel 2's OUT (bit 5). Time comes from the instruction
// count. Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (port 61h).

import type { IoBus } from './ioBus';
import type { Clock } from './clock';
import type { Pit } from './pit';

/** PIT ticks per refresh-request toggle (15.085 µs on the AT ≈ 18 ticks of 838 ns). */
export const REFRESH_TOGGLE_TICKS = 18;

export class SystemControlPortB {
  /** Bits 0–3 as last written: gate 2, speaker data, parity check disable, channel check disable. */
  value = 0;

  constructor(private readonly pit: Pit, private readonly clock: Clock) {
    pit.setGate2(false); // the gate is low until software sets bit 0
  }

  attach(io: IoBus): void {
    io.register(0x61, 1, { in8: () => this.in8(), out8: (_p, v) => this.out8(v) });
  }

  in8(): number {
    const refresh = Math.floor(this.clock.pitTicks() / REFRESH_TOGGLE_TICKS) & 1;
    return (this.value & 0x0f) | (refresh << 4) | (this.pit.out2() ? 0x20 : 0);
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
