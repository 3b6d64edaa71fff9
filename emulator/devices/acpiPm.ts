// The PIIX4 power-management registers the ACPI function (00:01.3) decodes at its PMBA when PMIOSE
// is set: PM1a status, enable and control, and the 24-bit ACPI PM timer. Writing PM1a_CNT with
// SLP_EN and sleep type 0 powers the machine off, as on QEMU's PIIX4 (the BIOS's APM power-off
// does exactly that). Other sleep types, GPEs and SMBus are not modelled.
// Pure TypeScript: no Node or VS Code imports. ACPI 1.0b §4.7.3 (PM1 registers), §4.7.3.3 (PM
// timer); 82371AB PIIX4 datasheet §7.2 (PMBA, PMREGMISC).

import type { Clock } from './clock';
import type { IoBus, PortHandler } from './ioBus';
import type { PciFunction } from './pci';

/** The PM timer's clock (ACPI §4.7.3.3): 3.579545 MHz. */
export const PM_TIMER_HZ = 3_579_545;
/** PM1a_CNT bits: SLP_EN (13) and SLP_TYP (10–12). */
export const SLP_EN = 0x2000;
const SLP_TYP_SHIFT = 10;
/** PM1a_STS TMR_STS and the write-1-to-clear status bits QEMU keeps. */
const STS_BITS = 0x8d31;
const PMBA = 0x40, PMREGMISC = 0x80, PM_SIZE = 64;

export class AcpiPm {
  status = 0;
  enable = 0;
  control = 0;
  /** Set when the guest powered the machine off (the machine stops with `poweroff`). */
  poweredOff = false;
  /** Called once when the guest powers the machine off. */
  onPowerOff: (() => void) | null = null;
  /** Where the registers are decoded now (base -1: PMIOSE clear); wiring, rebuilt by remap() after a snapshot load. */
  private readonly ports: { base: number; handler: PortHandler };

  constructor(private readonly clock: Clock, private readonly fn: PciFunction, private readonly io: IoBus) {
    const at = (p: number) => p - this.ports.base;
    this.ports = {
      base: -1,
      handler: {
        in8: (p) => (this.dword(at(p) & ~3) >>> (8 * (at(p) & 3))) & 0xff,
        out8: (p, v) => {
          const off = at(p) & ~1, shift = 8 * (at(p) & 1);
          this.write(off, ((this.dword(off & ~3) >>> (8 * (off & 2))) & ~(0xff << shift)) | (v << shift));
        },
        in16: (p) => (this.dword(at(p) & ~3) >>> (8 * (at(p) & 2))) & 0xffff,
        out16: (p, v) => this.write(at(p), v),
        in32: (p) => this.dword(at(p) & ~3),
        out32: (p, v) => { this.write(at(p), v & 0xffff); this.write(at(p) + 2, v >>> 16); },
      },
    };
    fn.onConfigWrite = (off) => {
      if ((off >= PMBA && off < PMBA + 4) || off === PMREGMISC) this.remap();
    };
  }

  /** Decodes the registers where the ACPI function's PMBA and PMIOSE say (after a config write or a snapshot load). */
  remap(): void {
    const base = this.fn.config[PMREGMISC] & 1 ? this.fn.get32(PMBA) & 0xffc0 : -1;
    if (base === this.ports.base) return;
    if (this.ports.base >= 0) this.io.unregister(this.ports.base, PM_SIZE);
    this.ports.base = base;
    if (base >= 0) this.io.register(base, PM_SIZE, this.ports.handler);
  }

  /** The PM timer: 24 bits counting at 3.579545 MHz of device time. */
  timer(): number {
    return Math.floor((this.clock.now / this.clock.instructionsPerSecond) * PM_TIMER_HZ) & 0xffffff;
  }

  /** The register dword at `off` (PM1a_STS | PM1a_EN << 16, PM1a_CNT, PM_TMR); others read as all ones. */
  private dword(off: number): number {
    switch (off) {
      case 0: return (this.status | (this.enable << 16)) >>> 0;
      case 4: return this.control;
      case 8: return this.timer();
      default: return 0xffffffff;
    }
  }

  /** A 16-bit register write. */
  private write(off: number, v: number): void {
    switch (off) {
      case 0: this.status &= ~(v & STS_BITS); return;
      case 2: this.enable = v & 0x0521; return;
      case 4:
        this.control = v & ~SLP_EN;
        if (v & SLP_EN && ((v >>> SLP_TYP_SHIFT) & 7) === 0 && !this.poweredOff) {
          this.poweredOff = true;
          this.onPowerOff?.();
        }
        return;
    }
  }
}
