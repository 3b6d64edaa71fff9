// INT 1Ah time services: the BDA tick count (00h/01h, counted by the INT 08h code in the ROM), the
// RTC time and date from the CMOS (02h–05h), the PCI BIOS (B1xxh, pciBios.ts), and the TCG BIOS
// interface (BB00h) answering "not present". Also INT 70h, the RTC interrupt: acknowledge register
// C and both PICs.
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT BIOS; Ralf Brown's list INT 1Ah; TCG PC
// Client BIOS specification (TCG_StatusCheck).

import { REG_B, REG_C, REG_DAY, REG_HOURS, REG_MINUTES, REG_MONTH, REG_SECONDS, REG_YEAR, CMOS_CENTURY } from '../devices/cmos';
import { type Bios, DONE } from './bios';
import * as L from './layout';
import { pciBios } from './pciBios';

export function int1a(b: Bios): number {
  const cmos = b.m.devices.cmos;
  switch (b.ah) {
    case 0x00:
      b.cx = b.rd16(L.BDA_TICKS + 2);
      b.dx = b.rd16(L.BDA_TICKS);
      b.al = b.rd8(L.BDA_MIDNIGHT);
      b.wr8(L.BDA_MIDNIGHT, 0);
      b.setCF(false);
      return DONE;
    case 0x01:
      b.wr16(L.BDA_TICKS + 2, b.cx);
      b.wr16(L.BDA_TICKS, b.dx);
      b.wr8(L.BDA_MIDNIGHT, 0);
      b.setCF(false);
      return DONE;
    case 0x02:
      b.syncDevices();
      b.ch = cmos.read(REG_HOURS);
      b.cl = cmos.read(REG_MINUTES);
      b.dh = cmos.read(REG_SECONDS);
      b.dl = cmos.read(REG_B) & 0x01; // daylight saving enabled
      b.setCF(false);
      return DONE;
    case 0x03:
      b.syncDevices();
      cmos.write(REG_HOURS, b.ch);
      cmos.write(REG_MINUTES, b.cl);
      cmos.write(REG_SECONDS, b.dh);
      b.setCF(false);
      return DONE;
    case 0x04:
      b.syncDevices();
      b.ch = cmos.read(CMOS_CENTURY);
      b.cl = cmos.read(REG_YEAR);
      b.dh = cmos.read(REG_MONTH);
      b.dl = cmos.read(REG_DAY);
      b.setCF(false);
      return DONE;
    case 0x05:
      b.syncDevices();
      cmos.write(CMOS_CENTURY, b.ch);
      cmos.write(REG_YEAR, b.cl);
      cmos.write(REG_MONTH, b.dh);
      cmos.write(REG_DAY, b.dl);
      b.setCF(false);
      return DONE;
    case 0xbb:
      // TCG: no TPM. EAX must be non-zero for "not present"; CF=1, AH=86h gives that.
      b.ah = 0x86;
      b.setCF(true);
      return DONE;
    case 0xb1:
      return pciBios(b);
  }
  return b.unsupported(0x1a);
}

/** IRQ 8 (RTC): reading register C acknowledges the RTC; then EOI to both PICs. */
export function int70(b: Bios): number {
  const io = b.m.io;
  io.out8(0x70, REG_C);
  io.in8(0x71);
  io.out8(0xa0, 0x20);
  io.out8(0x20, 0x20);
  return DONE;
}
