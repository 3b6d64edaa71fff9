// The small services: INT 11h equipment word, INT 12h conventional memory size, INT 14h serial port
// (COM1 through the UART's ports), INT 17h printer (none), INT 18h boot failure, INT 19h bootstrap
// (reload sector 0 of the boot drive to 0000:7C00 and jump, without resetting the instruction count).
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT BIOS; Ralf Brown's list.

import { CS, EAX, EDX, ESP } from '../cpu/regs';
import { type Bios, DONE } from './bios';
import * as L from './layout';

export function int11(b: Bios): number {
  b.ax = b.rd16(L.BDA_EQUIPMENT);
  return DONE;
}

export function int12(b: Bios): number {
  b.ax = b.rd16(L.BDA_MEMORY_KIB);
  return DONE;
}

/** INT 14h for COM1 (DX=0): 00h init, 01h send, 02h receive, 03h status. AH = line status. */
export function int14(b: Bios): number {
  const io = b.m.io;
  const port = b.dx === 0 ? b.rd16(L.BDA_COM1) : 0;
  if (!port) {
    b.ah = 0x80; // time-out: no such port
    return DONE;
  }
  switch (b.ah) {
    case 0x00: case 0x03:
      b.ah = io.in8(port + 5);
      b.al = io.in8(port + 6);
      return DONE;
    case 0x01:
      io.out8(port, b.al);
      b.ah = io.in8(port + 5);
      return DONE;
    case 0x02: {
      const lsr = io.in8(port + 5);
      if (lsr & 0x01) {
        b.al = io.in8(port);
        b.ah = lsr & 0x1e;
      } else b.ah = 0x80 | lsr;
      return DONE;
    }
  }
  b.logEntry(0x14, `INT 14h AH=${b.ah.toString(16)}h: function not supported`);
  b.ah = 0x80;
  return DONE;
}

export function int17(b: Bios): number {
  b.logEntry(0x17, 'INT 17h: no printer port');
  b.ah = 0x01; // time-out
  return DONE;
}

/** Boot failure: say so; the stub then stops the CPU with CLI/HLT. */
export function int18(b: Bios): number {
  b.logEntry(0x18, 'INT 18h: no bootable device (boot failure); halting');
  return DONE;
}

/** Bootstrap loader: the device booted at power-on again (sector 0 of its disk to 0000:7C00, DL = drive, registers as then; or the CD). */
export function int19(b: Bios): number {
  const m = b.m;
  const cpu = b.cpu;
  if (m.bootChoice?.device === 'cdrom') {
    if (!b.bootCdrom(true)) return int18(b);
    b.logEntry(0x19, `INT 19h: booting the CD (${m.cdrom!.name}) again`);
    return DONE;
  }
  const drive = m.bootDrive;
  if (!drive) return int18(b);
  const sector = drive.disk.sector(0);
  for (let i = 0; i < 512; i++) m.mem.write8(0x7c00 + i, sector[i]);
  for (const s of [0, 2, 3, 4, 5]) cpu.setCache(s, 0, 0, 0xffff, 0x93);
  cpu.setCache(CS, 0, 0, 0xffff, 0x9b);
  cpu.eip = 0x7c00;
  cpu.r32.fill(0);
  cpu.r32[EAX] = 0xaa55;
  cpu.r32[EDX] = drive.number;
  cpu.r32[ESP] = L.BOOT_SP;
  cpu.setFlags(0x202);
  b.logEntry(0x19, `INT 19h: booting drive ${drive.number.toString(16).padStart(2, '0')}h again`);
  return DONE;
}
