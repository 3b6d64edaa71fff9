// INT 1Ah AH=B1h, the PCI BIOS real-mode interface over the machine's PCI bus (devices/pci.ts):
// installation check, find device, find class code, configuration reads and writes. There is no
// 32-bit protected-mode entry (BIOS32 service directory), no special cycles and no IRQ routing
// table (B10Eh): those answer "function not supported" and are logged.
// Pure TypeScript: no Node or VS Code imports. PCI BIOS Specification 2.1 §3 (functions, return codes).

import { ECX, EDI, EDX } from '../cpu/regs';
import { type Bios, DONE } from './bios';
import { hexDigits } from '../../protocol/format';

/** PCI BIOS return codes (§3.3). */
const SUCCESSFUL = 0x00, FUNC_NOT_SUPPORTED = 0x81, BAD_VENDOR_ID = 0x83, DEVICE_NOT_FOUND = 0x86;
/** "PCI " in EDX after the installation check. */
const PCI_SIGNATURE = 0x20494350;

function answer(b: Bios, code: number): number {
  b.ah = code;
  b.setCF(code !== SUCCESSFUL);
  return DONE;
}

export function pciBios(b: Bios): number {
  const cpu = b.cpu;
  const bus = b.m.devices.pci;
  switch (b.al) {
    case 0x01:
      // Present; configuration mechanism #1 (bit 0), no special cycles; version 2.10; last bus 0.
      cpu.r32[EDX] = PCI_SIGNATURE;
      b.al = 0x01;
      b.bx = 0x0210;
      b.cl = 0;
      cpu.r32[EDI] = 0; // no 32-bit entry point
      return answer(b, SUCCESSFUL);
    case 0x02: {
      // CX device, DX vendor, SI index → BH bus, BL device/function.
      if (b.dx === 0xffff) return answer(b, BAD_VENDOR_ID);
      const hit = bus.all().filter((f) => f.get16(0) === b.dx && f.get16(2) === b.cx)[b.si];
      if (!hit) return answer(b, DEVICE_NOT_FOUND);
      b.bh = 0;
      b.bl = hit.devfn;
      return answer(b, SUCCESSFUL);
    }
    case 0x03: {
      // ECX bits 0–23 class code (class, subclass, interface), SI index.
      const want = cpu.r32[ECX] & 0xffffff;
      const hit = bus.all().filter((f) => (f.get32(8) >>> 8) === want)[b.si];
      if (!hit) return answer(b, DEVICE_NOT_FOUND);
      b.bh = 0;
      b.bl = hit.devfn;
      return answer(b, SUCCESSFUL);
    }
    case 0x08: case 0x09: case 0x0a:
    case 0x0b: case 0x0c: case 0x0d: {
      // BH bus, BL device/function, DI register; through CF8h/CFCh as SeaBIOS does it, without an
      // alignment check (a word at an odd register reads the aligned word, as under QEMU), so a
      // missing function reads as all ones and ignores writes.
      const io = b.m.io;
      const write = b.al >= 0x0b;
      const size = 1 << (b.al - (write ? 0x0b : 0x08));
      io.out32(0xcf8, (0x80000000 | (b.bx << 8) | (b.di & 0xfc)) >>> 0);
      if (size === 1) {
        if (write) io.out8(0xcfc + (b.di & 3), b.cl);
        else b.cl = io.in8(0xcfc + (b.di & 3));
      } else if (size === 2) {
        if (write) io.out16(0xcfc + (b.di & 2), b.cx);
        else b.cx = io.in16(0xcfc + (b.di & 2));
      } else if (write) io.out32(0xcfc, cpu.r32[ECX]);
      else cpu.r32[ECX] = io.in32(0xcfc);
      return answer(b, SUCCESSFUL);
    }
  }
  b.logEntry(0x1a, `INT 1Ah AX=${hexDigits(b.ax, 4)}h: PCI BIOS function not supported`);
  return answer(b, FUNC_NOT_SUPPORTED);
}
