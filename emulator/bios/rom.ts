// The 64 KiB image of segment F000: trap stubs at the IBM PC/AT entry points (0F 37 nn = "run BIOS
// service nn", then IRET), the real x86 code of the timer, keyboard and default IRQ handlers (so they
// run as instructions and are traced), and the data tables loaders read (diskette and fixed-disk
// parameters, the INT 15h C0h configuration table, the ROM font, the SMBIOS tables, the reset vector, date and model byte).
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (ROM map).

import type { DiskImage } from '../disk/diskImage';
import * as L from './layout';
import { putSmbios, type SmbiosMachine } from './smbios';
import { vbeRomData } from './vbe';
import { FONT_8X8, FONT_8X14, FONT_8X16 } from './romFont';

/** Trap ids beyond the interrupt numbers: the POST entry (a guest jumping to F000:FFF0 reboots). */
export const TRAP_POST = 0xff;

/**
 * INT 08h: count the tick (wrap at 1800B0h and set the midnight flag), call INT 1Ch, EOI the master
 * PIC. Assembled with NASM from this source (kept here so the bytes can be checked):
 *   push ds / push ax / mov ax,0x40 / mov ds,ax / inc word [0x6c] / jnz .1 / inc word [0x6e]
 *   .1: cmp word [0x6e],0x18 / jne .2 / cmp word [0x6c],0xb0 / jb .2 / xor ax,ax / mov [0x6c],ax
 *   mov [0x6e],ax / mov byte [0x70],1 / .2: int 0x1c / mov al,0x20 / out 0x20,al / pop ax / pop ds / iret
 */
export const INT08_CODE = hex('1e50b840008ed8ff066c007504ff066e00833e6e00187515813e6c00b000720d31c0a36c00a36e00c606700001cd1cb020e620581fcf');
/**
 * INT 09h (IRQ 1): read the scancode, offer it to INT 15h AH=4Fh (the keyboard intercept a guest may
 * hook; CF=0 on return means "consumed"), let the BIOS service (trap 09h) process AL, EOI. From:
 *   push ax / in al,0x60 / mov ah,0x4f / stc / int 0x15 / jnc .1 / db 0x0f,0x37,0x09
 *   .1: mov al,0x20 / out 0x20,al / pop ax / iret
 */
export const INT09_CODE = hex('50e460b44ff9cd1573030f3709b020e62058cf');
/**
 * APM 32-bit protected-mode entry (INT 15h AX=5303h gives F000 as its segment base and this offset):
 * set power state (5307h) "off" for all devices writes SLP_EN with sleep type 0 to PM1a_CNT, which
 * powers off (an APM error 60h if it did not); other states and 5304h–5308h succeed; the rest is
 * 86h. A 32-bit far return, as the caller made a 32-bit far call. From:
 *   cmp ax,0x5307 / jne .1 / cmp cx,3 / jne .2 / mov dx,0x604 / mov ax,0x2000 / out dx,ax
 *   mov ah,0x60 / stc / retf / .1: cmp ax,0x5304 / jb .3 / cmp ax,0x5308 / ja .3 / .2: clc / retf
 *   .3: mov ah,0x86 / stc / retf
 */
export const APM32_CODE = hex('663d075375146683f903751a66ba040666b8002066efb460f9cb663d04537208663d08537702f8cbb486f9cb');
/** Default handler for IRQs 1–7 nobody claimed: EOI the master PIC (push ax / mov al,20h / out 20h,al / pop ax / iret). */
export const IRQ_MASTER_CODE = hex('50b020e62058cf');
/** Default handler for IRQs 8–15: EOI both PICs. */
export const IRQ_SLAVE_CODE = hex('50b020e6a0e62058cf');

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A stub that traps to service `id` and returns with IRET (the service edits the FLAGS image on the stack). */
function trapStub(id: number): number[] {
  return [L.TRAP_OPCODE[0], L.TRAP_OPCODE[1], id, 0xcf];
}

/** The vectors whose stubs trap, with their entry offset in F000 and the service id they call. */
export const TRAP_ENTRIES: readonly { vector: number; offset: number; id: number }[] = [
  { vector: 0x10, offset: L.ENTRY_INT10, id: 0x10 },
  { vector: 0x11, offset: L.ENTRY_INT11, id: 0x11 },
  { vector: 0x12, offset: L.ENTRY_INT12, id: 0x12 },
  { vector: 0x13, offset: L.ENTRY_INT13, id: 0x13 },
  { vector: 0x14, offset: L.ENTRY_INT14, id: 0x14 },
  { vector: 0x15, offset: L.ENTRY_INT15, id: 0x15 },
  { vector: 0x16, offset: L.ENTRY_INT16, id: 0x16 },
  { vector: 0x17, offset: L.ENTRY_INT17, id: 0x17 },
  { vector: 0x18, offset: L.ENTRY_INT18, id: 0x18 },
  { vector: 0x19, offset: L.ENTRY_INT19, id: 0x19 },
  { vector: 0x1a, offset: L.ENTRY_INT1A, id: 0x1a },
  // INT 40h is where an AT BIOS moves the diskette service when a hard disk BIOS takes INT 13h.
  { vector: 0x40, offset: L.ENTRY_INT13_FLOPPY, id: 0x13 },
  { vector: 0x70, offset: L.ENTRY_INT70, id: 0x70 },
];

/** Fixed-disk parameter table (INT 41h/46h) for one drive, in the AT layout. */
function hdParams(disk: DiskImage): number[] {
  const g = disk.geometry;
  const c = Math.min(g.cylinders, 0xffff), h = Math.min(g.heads, 0xff);
  return [c & 0xff, c >> 8, h, 0, 0, 0xff, 0xff, 0, h > 8 ? 0x08 : 0, 0, 0, 0, c & 0xff, c >> 8, g.sectors & 0xff, 0];
}

/** Builds the F000 segment for the given hard disks (their parameter tables live in the ROM) and machine (SMBIOS). */
export function buildRom(hardDisks: readonly DiskImage[], machine: SmbiosMachine): Uint8Array {
  const rom = new Uint8Array(L.ROM_SIZE);
  const put = (off: number, bytes: ArrayLike<number>) => rom.set(bytes, off);
  for (const e of TRAP_ENTRIES) put(e.offset, trapStub(e.id));
  // INT 18h (no bootable disk) and INT 19h never return to their stub: 18h stops the machine with
  // CLI/HLT after the service has logged why, 19h jumps to the boot sector.
  put(L.ENTRY_INT18, [0x0f, 0x37, 0x18, 0xfa, 0xf4, 0xeb, 0xfd]);
  put(L.ENTRY_POST, [0x0f, 0x37, TRAP_POST, 0xfa, 0xf4]);
  put(L.ENTRY_INT08, INT08_CODE);
  put(L.ENTRY_INT09, INT09_CODE);
  put(L.ENTRY_IRQ_MASTER, IRQ_MASTER_CODE);
  put(L.ENTRY_APM32, APM32_CODE);
  put(L.VBE_DATA, vbeRomData().bytes);
  put(L.ENTRY_IRQ_SLAVE, IRQ_SLAVE_CODE);
  put(L.FONT_8X16, FONT_8X16);
  put(L.FONT_8X14, FONT_8X14);
  put(L.FONT_8X8, FONT_8X8);
  put(L.FONT_ALT, [0]);
  put(L.FONT_8X8_LOW, FONT_8X8.subarray(0, 128 * 8));
  put(L.ENTRY_INT0E, IRQ_MASTER_CODE);
  put(L.ENTRY_NMI, [0xcf]);
  put(L.ENTRY_IRET, [0xcf]);
  put(L.ENTRY_INT05, [0xcf]);
  if (hardDisks[0]) put(L.ENTRY_HD_PARAMS, hdParams(hardDisks[0]));
  if (hardDisks[1]) put(L.ENTRY_HD_PARAMS + 16, hdParams(hardDisks[1]));
  // INT 15h C0h: length 8, model FCh (AT), submodel 01h, revision 0, feature byte 1 = second PIC,
  // RTC, INT 09h calls INT 15h/4Fh, EBDA allocated (74h); feature byte 2 = INT 16h/09h extended (40h).
  put(L.CONFIG_TABLE, [0x08, 0x00, 0xfc, 0x01, 0x00, 0x74, 0x40, 0x00, 0x00, 0x00]);
  // INT 1Eh diskette parameters for a 1.44M drive: SRT/HUT, DMA/HLT, motor off, 512-byte sectors,
  // 18 sectors per track, gap, DTL, format gap, fill byte, head settle, motor start.
  put(L.DISKETTE_PARAMS, [0xaf, 0x02, 0x25, 0x02, 0x12, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08]);
  put(L.RESET_VECTOR, [0xea, L.ENTRY_POST & 0xff, L.ENTRY_POST >> 8, 0x00, 0xf0]);
  put(L.ROM_DATE, [...'01/01/24'].map((c) => c.charCodeAt(0)));
  rom[L.MODEL_BYTE] = 0xfc;
  putSmbios(rom, machine);
  return rom;
}
