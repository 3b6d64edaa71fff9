// Keyboard: INT 09h (IRQ 1, x86 code in the ROM) reads the scancode from port 60h and offers it to
// INT 15h AH=4Fh; the service here keeps the shift state and puts ASCII/scan pairs into the BDA's
// 16-entry ring buffer; INT 16h reads it: 00h/10h wait for a key
// (halting with interrupts on until INT 09h delivers one), 01h/11h peek (ZF=1 when empty), 02h/12h
// shift status, 03h typematic rate (accepted), 05h store a key. Pure TypeScript: no Node or VS Code
// imports. IBM PC/AT BIOS keyboard listing; Ralf Brown's list INT 09h, INT 16h.

import { type Bios, DONE, WAIT } from './bios';
import * as L from './layout';
import { hexDigits } from '../../protocol/format';

// Shift flags (BDA 0417h) and the set 1 make codes that change them.
const RSHIFT = 0x01, LSHIFT = 0x02, CTRL = 0x04, ALT = 0x08;
const MODIFIERS: Record<number, number> = { 0x36: RSHIFT, 0x2a: LSHIFT, 0x1d: CTRL, 0x38: ALT };
/** BDA 0496h bit 1: the last byte was the E0 prefix. */
const KB_MODE_E0 = 0x02;

/** Appends a key (AH=scan, AL=ASCII) to the ring buffer; false when it is full. */
export function pushKey(b: Bios, key: number): boolean {
  const start = b.rd16(L.BDA_KB_BUF_START), end = b.rd16(L.BDA_KB_BUF_END);
  const tail = b.rd16(L.BDA_KB_TAIL);
  let next = tail + 2;
  if (next >= end) next = start;
  if (next === b.rd16(L.BDA_KB_HEAD)) return false;
  b.wr16(L.BDA + tail, key);
  b.wr16(L.BDA_KB_TAIL, next);
  return true;
}

function peekKey(b: Bios): number | null {
  const head = b.rd16(L.BDA_KB_HEAD);
  return head === b.rd16(L.BDA_KB_TAIL) ? null : b.rd16(L.BDA + head);
}

function popKey(b: Bios): number | null {
  const head = b.rd16(L.BDA_KB_HEAD);
  if (head === b.rd16(L.BDA_KB_TAIL)) return null;
  const key = b.rd16(L.BDA + head);
  let next = head + 2;
  if (next >= b.rd16(L.BDA_KB_BUF_END)) next = b.rd16(L.BDA_KB_BUF_START);
  b.wr16(L.BDA_KB_HEAD, next);
  return key;
}

/**
 * Trap 09h inside the ROM's INT 09h code: AL holds the byte read from port 60h (the code has
 * already offered it to INT 15h AH=4Fh, and sends the EOI after this returns).
 */
export function int09(b: Bios): number {
  const code = b.al;
  const mode = b.rd8(L.BDA_KB_MODE);
  if (code === 0xe0) {
    b.wr8(L.BDA_KB_MODE, mode | KB_MODE_E0);
    return DONE;
  }
  b.wr8(L.BDA_KB_MODE, mode & ~KB_MODE_E0);
  const make = code & 0x7f;
  const mod = MODIFIERS[make];
  if (mod !== undefined) {
    const f = b.rd8(L.BDA_KB_FLAGS);
    b.wr8(L.BDA_KB_FLAGS, code & 0x80 ? f & ~mod : f | mod);
  } else if (!(code & 0x80) && code !== 0xfa && code !== 0xaa) {
    // The 8042 model tells which keystroke this make code belongs to (and so its ASCII value).
    const k = b.m.devices.kbc.lastKeystroke;
    const key = k && k.scan === code ? (k.scan << 8) | k.ascii : code << 8;
    if (!pushKey(b, key)) b.logEntry(0x09, 'keyboard buffer full: keystroke dropped');
  }
  return DONE;
}

export function int16(b: Bios): number {
  switch (b.ah) {
    case 0x00: case 0x10: {
      const key = popKey(b);
      if (key === null) return WAIT;
      b.ax = key;
      return DONE;
    }
    case 0x01: case 0x11: {
      const key = peekKey(b);
      b.setZF(key === null);
      if (key !== null) b.ax = key;
      return DONE;
    }
    case 0x02: b.al = b.rd8(L.BDA_KB_FLAGS); return DONE;
    case 0x12: b.al = b.rd8(L.BDA_KB_FLAGS); b.ah = b.rd8(L.BDA_KB_FLAGS2); return DONE;
    case 0x03: return DONE;
    case 0x05: b.al = pushKey(b, b.cx) ? 0 : 1; return DONE;
  }
  b.logEntry(0x16, `INT 16h AX=${hexDigits(b.ax, 4)}h: function not supported`);
  return DONE;
}
