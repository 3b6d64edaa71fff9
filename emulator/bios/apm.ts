// INT 15h AH=53h, the APM 1.2 BIOS interface: installation check, real-mode and 32-bit
// protected-mode connect (the 32-bit entry is x86 code in the ROM, rom.ts APM32_CODE), disconnect,
// CPU idle/busy, set power state, enable/engage, power status, driver version. Set power state
// "off" writes PM1a_CNT as SeaBIOS does, so the machine powers off and the run ends (`poweroff`).
// There is no 16-bit protected-mode interface, no battery, no suspend or standby.
// Pure TypeScript: no Node or VS Code imports. APM BIOS Interface Specification 1.2 §4 (functions,
// error codes).

import { EBX, ESI, EDI } from '../cpu/regs';
import { ACPI_PMBA } from '../devices/i440fx';
import { SLP_EN } from '../devices/acpiPm';
import { type Bios, DONE } from './bios';
import * as L from './layout';

/** APM error codes (§4, "Error codes"). */
const PM16_NOT_SUPPORTED = 0x06, UNRECOGNIZED_DEVICE = 0x09, OUT_OF_RANGE = 0x0a, CANNOT_ENTER_STATE = 0x60, NO_EVENTS = 0x80;
/** Device IDs (§4.3): the APM BIOS itself, and all devices power-managed by the BIOS. */
const APM_BIOS = 0x0000, ALL_DEVICES = 0x0001;

function ok(b: Bios): number {
  b.setCF(false);
  return DONE;
}

function fail(b: Bios, code: number): number {
  b.ah = code;
  b.setCF(true);
  return DONE;
}

export function apm(b: Bios): number {
  const cpu = b.cpu;
  switch (b.al) {
    case 0x00:
      if (b.bx !== APM_BIOS) return fail(b, UNRECOGNIZED_DEVICE);
      // Version 1.2, "PM", flags: 32-bit protected-mode interface supported (bit 1); no 16-bit one.
      b.ax = 0x0102;
      b.bx = 0x504d;
      b.cx = 0x0002;
      return ok(b);
    case 0x01: case 0x04: case 0x05: case 0x06: case 0x08: case 0x0d: case 0x0f:
      // Real-mode connect, disconnect, CPU idle/busy (nothing to slow down), enable/disable power
      // management, device power management, engage/disengage: accepted with nothing to change.
      return ok(b);
    case 0x02:
      return fail(b, PM16_NOT_SUPPORTED);
    case 0x03:
      // 32-bit connect: code (32- and 16-bit) and data segments at F000h, entry at ENTRY_APM32.
      b.ax = L.BIOS_SEGMENT;
      cpu.r32[EBX] = L.ENTRY_APM32;
      b.cx = L.BIOS_SEGMENT;
      b.dx = L.BIOS_SEGMENT;
      cpu.r32[ESI] = 0xfff0fff0;
      cpu.r32[EDI] = (cpu.r32[EDI] & 0xffff0000) | 0xfff0;
      return ok(b);
    case 0x07:
      if (b.bx !== ALL_DEVICES) return fail(b, UNRECOGNIZED_DEVICE);
      if (b.cx > 3) return fail(b, OUT_OF_RANGE);
      if (b.cx !== 3) return ok(b); // ready, standby, suspend: the machine carries on
      b.m.io.out16(ACPI_PMBA + 4, SLP_EN);
      if (b.m.devices.pm?.poweredOff) return ok(b);
      b.logEntry(0x15, 'INT 15h AX=5307h: power off failed (the ACPI function\'s PM I/O is not at 600h or is disabled)');
      return fail(b, CANNOT_ENTER_STATE);
    case 0x0a:
      // On AC power, no battery (§4.6.10: BL=FFh unknown, CH bit 7 no system battery).
      b.bx = 0x01ff;
      b.cx = 0x80ff;
      b.dx = 0xffff;
      return ok(b);
    case 0x0b:
      return fail(b, NO_EVENTS);
    case 0x0e:
      // Driver version: the lower of the caller's and ours (1.2).
      b.ax = Math.min(b.cx, 0x0102);
      return ok(b);
  }
  return b.unsupported(0x15);
}
