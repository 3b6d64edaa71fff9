// INT 15h system services: A20 gate (2400h–2403h), keyboard intercept (4Fh), APM (53xxh, apm.ts),
// wait (86h, lets device time pass with interrupts on), block move through a GDT (87h), extended
// memory size (88h, E801h) and the memory map (E820h), device busy/post (90h/91h), the
// configuration table (C0h) and the EBDA segment (C1h). Anything else answers CF=1, AH=86h and is logged.
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT BIOS; Ralf Brown's list INT 15h; ACPI
// specification §15 (INT 15h E820h address map interface).

import { EAX, EBX, ECX, EDX, EDI, ES } from '../cpu/regs';
import { REG_B } from '../devices/cmos';
import { type Bios, DONE, WAIT } from './bios';
import * as L from './layout';
import { apm } from './apm';

/** E820 address range types (ACPI §15: 1 = usable RAM, 2 = reserved). */
export const E820_RAM = 1, E820_RESERVED = 2;
const SMAP = 0x534d4150;
/** CMOS register B bit 6: periodic interrupt enable. */
const REG_B_PIE = 0x40;

export interface E820Entry {
  base: number;
  length: number;
  type: number;
}

/**
 * The memory map for `ramBytes` of RAM: conventional memory below the EBDA, the EBDA and the BIOS
 * ROM reserved, extended memory from 1 MiB to the top of RAM, and the firmware alias below 4 GiB
 * reserved (the layout SeaBIOS reports, minus the ACPI tables we do not have).
 */
export function e820Map(ramBytes: number): E820Entry[] {
  const ebda = L.EBDA_SEGMENT << 4;
  const map: E820Entry[] = [
    { base: 0, length: ebda, type: E820_RAM },
    { base: ebda, length: 0xa0000 - ebda, type: E820_RESERVED },
    { base: 0xf0000, length: 0x10000, type: E820_RESERVED },
  ];
  if (ramBytes > 0x100000) map.push({ base: 0x100000, length: ramBytes - 0x100000, type: E820_RAM });
  map.push({ base: 0xfffc0000, length: 0x40000, type: E820_RESERVED });
  return map;
}

/** KiB of RAM from 1 MiB up (capped as INT 15h AH=88h reports it: 16-bit, at most 63 MiB). */
function extendedKib(ramBytes: number): number {
  return Math.min(0xfc00, Math.max(0, Math.floor((ramBytes - 0x100000) / 1024)));
}

export function int15(b: Bios): number {
  const cpu = b.cpu;
  const ram = b.m.mem.ramSize;
  switch (b.ah) {
    case 0x24: return a20(b);
    case 0x53: return apm(b);
    case 0x4f:
      // Keyboard intercept: CF=1 means "process the scancode in AL unchanged".
      b.setCF(true);
      return DONE;
    case 0x86: return wait(b);
    case 0x87: return blockMove(b);
    case 0x88:
      b.ax = extendedKib(ram);
      b.setCF(false);
      return DONE;
    case 0x90: case 0x91:
      b.ah = 0;
      b.setCF(false);
      return DONE;
    case 0xc0:
      cpu.setCache(ES, L.BIOS_SEGMENT, L.BIOS_SEGMENT << 4, cpu.limit[ES], cpu.ar[ES]);
      b.bx = L.CONFIG_TABLE;
      b.ah = 0;
      b.setCF(false);
      return DONE;
    case 0xc1:
      cpu.setCache(ES, L.EBDA_SEGMENT, L.EBDA_SEGMENT << 4, cpu.limit[ES], cpu.ar[ES]);
      b.setCF(false);
      return DONE;
    case 0xe8:
      if (b.al === 0x01 || b.al === 0x81) {
        // E801h (and the 32-bit E881h): KiB between 1 MiB and 16 MiB, 64 KiB blocks above 16 MiB.
        const low = Math.min(0x3c00, Math.max(0, Math.floor((ram - 0x100000) / 1024)));
        const high = Math.min(0xffff, Math.max(0, Math.floor((ram - 0x1000000) / 65536)));
        const wide = b.al === 0x81;
        cpu.r32[EAX] = wide ? low : (cpu.r32[EAX] & 0xffff0000) | low;
        cpu.r32[ECX] = wide ? low : (cpu.r32[ECX] & 0xffff0000) | low;
        cpu.r32[EBX] = wide ? high : (cpu.r32[EBX] & 0xffff0000) | high;
        cpu.r32[EDX] = wide ? high : (cpu.r32[EDX] & 0xffff0000) | high;
        b.setCF(false);
        return DONE;
      }
      if (b.al === 0x20 && cpu.r32[EDX] === SMAP) return e820(b);
      break;
  }
  return b.unsupported(0x15);
}

/** AX=2400h disable, 2401h enable, 2402h status, 2403h support — through port 92h, as the hardware sees it. */
function a20(b: Bios): number {
  const io = b.m.io;
  switch (b.al) {
    case 0x00: case 0x01: {
      const v = io.in8(0x92) & ~0x03; // never pulse the reset bit
      io.out8(0x92, b.al === 0x01 ? v | 0x02 : v);
      b.ah = 0;
      b.setCF(false);
      return DONE;
    }
    case 0x02:
      b.ah = 0;
      b.al = b.m.mem.a20Enabled ? 1 : 0;
      b.cx = 0;
      b.setCF(false);
      return DONE;
    case 0x03:
      b.ah = 0;
      b.bx = 0x0003; // keyboard controller and port 92h
      b.setCF(false);
      return DONE;
  }
  return b.unsupported(0x15);
}

/** EAX=E820h: entry EBX of the map into ES:DI (20 bytes), EBX = next index or 0 after the last. */
function e820(b: Bios): number {
  const cpu = b.cpu;
  const map = e820Map(b.m.mem.ramSize);
  const i = cpu.r32[EBX];
  if (i >= map.length || cpu.r32[ECX] < 20) return b.unsupported(0x15, `INT 15h E820h: bad continuation ${i} or buffer size ${cpu.r32[ECX]}`);
  const e = map[i];
  const a = b.lin(ES, cpu.r32[EDI]);
  cpu.writeLin32(a, e.base >>> 0);
  cpu.writeLin32(a + 4, Math.floor(e.base / 0x1_0000_0000));
  cpu.writeLin32(a + 8, e.length >>> 0);
  cpu.writeLin32(a + 12, Math.floor(e.length / 0x1_0000_0000));
  cpu.writeLin32(a + 16, e.type);
  cpu.r32[EAX] = SMAP;
  cpu.r32[ECX] = 20;
  cpu.r32[EBX] = i + 1 < map.length ? i + 1 : 0;
  b.setCF(false);
  return DONE;
}

/**
 * AH=86h: wait CX:DX microseconds. Device time passes with interrupts enabled (the timer keeps
 * counting through INT 08h) by halting until the deadline; the trap re-runs after each interrupt.
 * As AT BIOSes do, the RTC's 1024 Hz periodic interrupt is switched on for the wait, so it ends
 * within about a millisecond of the deadline rather than at the next 55 ms timer tick.
 */
function wait(b: Bios): number {
  b.syncDevices();
  const clock = b.m.devices.clock;
  const cmos = b.m.devices.cmos;
  if (b.waitUntil < 0) {
    const us = ((b.cx << 16) | b.dx) >>> 0;
    b.waitUntil = clock.now + Math.ceil(us * clock.instructionsPerSecond / 1e6);
    b.waitSavedRegB = cmos.read(REG_B);
    cmos.write(REG_B, b.waitSavedRegB | REG_B_PIE);
  }
  if (clock.now < b.waitUntil) return WAIT;
  b.waitUntil = -1;
  cmos.write(REG_B, (cmos.read(REG_B) & ~REG_B_PIE) | (b.waitSavedRegB & REG_B_PIE));
  b.ah = 0;
  b.setCF(false);
  return DONE;
}

/**
 * AH=87h: copy CX words between the source (descriptor 2, at ES:SI+10h) and destination
 * (descriptor 3, ES:SI+18h) of the GDT the caller built, by physical address with A20 enabled, as
 * the BIOS's protected-mode copy does; A20 is restored afterwards.
 */
function blockMove(b: Bios): number {
  const cpu = b.cpu;
  const mem = b.m.mem;
  const gdt = b.lin(ES, b.si);
  const baseOf = (d: number) => (cpu.readLin16(d + 2) | (cpu.readLin8(d + 4) << 16) | (cpu.readLin8(d + 7) << 24)) >>> 0;
  const limitOf = (d: number) => cpu.readLin16(d);
  const src = baseOf(gdt + 0x10), dst = baseOf(gdt + 0x18);
  const bytes = b.cx * 2;
  if (b.cx > 0x8000 || bytes - 1 > limitOf(gdt + 0x10) || bytes - 1 > limitOf(gdt + 0x18)) {
    if (bytes > 0) {
      b.logEntry(0x15, `INT 15h AH=87h: ${b.cx} words exceed a descriptor limit or 8000h`);
      b.ah = 0x02;
      b.setCF(true);
      return DONE;
    }
  }
  const a20 = mem.a20Enabled;
  mem.setA20(true);
  for (let i = 0; i < bytes; i++) mem.write8((dst + i) >>> 0, mem.read8((src + i) >>> 0));
  mem.setA20(a20);
  b.ah = 0;
  b.setCF(false);
  b.setZF(true);
  return DONE;
}
