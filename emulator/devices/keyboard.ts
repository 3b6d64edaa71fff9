// Keystrokes for a US PC keyboard: text → scancode set 1 make/break sequences (with Shift or Ctrl
// wrapped around them) plus the ASCII/scan pair BIOS INT 16h returns. Used by the 8042 (kbc.ts) and
// the BIOS. Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (keyboard
// scan codes, set 1) and the IBM BIOS INT 16h ASCII/scan code table.

/** One key press and release, as the keyboard sends it and as INT 16h reports it. */
export interface Keystroke {
  /** ASCII code INT 16h returns in AL (0 for keys without one, such as F1 or the arrows). */
  ascii: number;
  /** Set 1 make code INT 16h returns in AH. */
  scan: number;
  /** The bytes the keyboard sends (through the 8042 with translation on), make and break. */
  bytes: number[];
  /** A grey key of the enhanced keyboard (E0 prefix): INT 16h AH=10h returns AL=E0h for it, AH=00h AL=00h. */
  extended?: boolean;
}

const SHIFT_MAKE = 0x2a, CTRL_MAKE = 0x1d;

/** Unshifted and shifted characters of the main block, indexed by make code. */
const MAIN: [number, string, string][] = [
  [0x02, '1', '!'], [0x03, '2', '@'], [0x04, '3', '#'], [0x05, '4', '$'], [0x06, '5', '%'], [0x07, '6', '^'],
  [0x08, '7', '&'], [0x09, '8', '*'], [0x0a, '9', '('], [0x0b, '0', ')'], [0x0c, '-', '_'], [0x0d, '=', '+'],
  [0x10, 'q', 'Q'], [0x11, 'w', 'W'], [0x12, 'e', 'E'], [0x13, 'r', 'R'], [0x14, 't', 'T'], [0x15, 'y', 'Y'],
  [0x16, 'u', 'U'], [0x17, 'i', 'I'], [0x18, 'o', 'O'], [0x19, 'p', 'P'], [0x1a, '[', '{'], [0x1b, ']', '}'],
  [0x1e, 'a', 'A'], [0x1f, 's', 'S'], [0x20, 'd', 'D'], [0x21, 'f', 'F'], [0x22, 'g', 'G'], [0x23, 'h', 'H'],
  [0x24, 'j', 'J'], [0x25, 'k', 'K'], [0x26, 'l', 'L'], [0x27, ';', ':'], [0x28, "'", '"'], [0x29, '`', '~'],
  [0x2b, '\\', '|'], [0x2c, 'z', 'Z'], [0x2d, 'x', 'X'], [0x2e, 'c', 'C'], [0x2f, 'v', 'V'], [0x30, 'b', 'B'],
  [0x31, 'n', 'N'], [0x32, 'm', 'M'], [0x33, ',', '<'], [0x34, '.', '>'], [0x35, '/', '?'], [0x39, ' ', ' '],
];

/** Character → [make code, needs shift]. */
const CHAR_KEYS = new Map<string, [number, boolean]>();
for (const [make, plain, shifted] of MAIN) {
  CHAR_KEYS.set(plain, [make, false]);
  if (shifted !== plain) CHAR_KEYS.set(shifted, [make, true]);
}

/** Keys with no printable character: name → [make, ascii, extended (E0 prefix)]. */
const NAMED: Record<string, [number, number, boolean]> = {
  Enter: [0x1c, 0x0d, false], Tab: [0x0f, 0x09, false], Backspace: [0x0e, 0x08, false], Escape: [0x01, 0x1b, false],
  F1: [0x3b, 0, false], F2: [0x3c, 0, false], F3: [0x3d, 0, false], F4: [0x3e, 0, false], F5: [0x3f, 0, false],
  F6: [0x40, 0, false], F7: [0x41, 0, false], F8: [0x42, 0, false], F9: [0x43, 0, false], F10: [0x44, 0, false],
  F11: [0x57, 0, false], F12: [0x58, 0, false],
  Home: [0x47, 0, true], Up: [0x48, 0, true], PageUp: [0x49, 0, true], Left: [0x4b, 0, true], Right: [0x4d, 0, true],
  End: [0x4f, 0, true], Down: [0x50, 0, true], PageDown: [0x51, 0, true], Insert: [0x52, 0, true], Delete: [0x53, 0, true],
};

/** The make code and shift state that type a character, or undefined (not on a US keyboard). */
export function keyForChar(ch: string): [number, boolean] | undefined {
  return CHAR_KEYS.get(ch);
}

function wrap(make: number, modifier: number | null, extended: boolean): number[] {
  const press = extended ? [0xe0, make] : [make];
  const release = extended ? [0xe0, make | 0x80] : [make | 0x80];
  return modifier === null ? [...press, ...release] : [modifier, ...press, ...release, modifier | 0x80];
}

/** A named key (see NAMED: Enter, Tab, Backspace, Escape, F1–F12, arrows, Home/End, PageUp/Down, Insert, Delete). */
export function namedKey(name: string): Keystroke {
  const k = NAMED[name];
  if (!k) throw new Error(`unknown key name '${name}'`);
  const [make, ascii, extended] = k;
  const key: Keystroke = { ascii, scan: make, bytes: wrap(make, null, extended) };
  if (extended) key.extended = true;
  return key;
}

/** The keystroke for one character: printable ASCII, Enter (\n or \r), Tab, Backspace, Escape or Ctrl+letter. */
export function keystrokeForChar(ch: string): Keystroke {
  if (ch === '\n' || ch === '\r') return namedKey('Enter');
  if (ch === '\t') return namedKey('Tab');
  if (ch === '\b') return namedKey('Backspace');
  if (ch === '\x1b') return namedKey('Escape');
  const code = ch.charCodeAt(0);
  if (code >= 1 && code <= 26) {
    const make = CHAR_KEYS.get(String.fromCharCode(code + 0x60))![0];
    return { ascii: code, scan: make, bytes: wrap(make, CTRL_MAKE, false) };
  }
  const k = CHAR_KEYS.get(ch);
  if (!k) throw new Error(`no key on a US keyboard types '${ch}' (U+${code.toString(16).toUpperCase().padStart(4, '0')})`);
  return { ascii: code, scan: k[0], bytes: wrap(k[0], k[1] ? SHIFT_MAKE : null, false) };
}

/**
 * Keystrokes for a text. Besides literal characters it understands the escapes a command line
 * passes through unchanged: `\n` and `\r` (Enter), `\t` (Tab), `\b` (Backspace), `\e` (Escape),
 * `\\` (a backslash) and `\{Name}` for a named key such as `\{F1}` or `\{Down}`.
 */
export function textToKeystrokes(text: string): Keystroke[] {
  const out: Keystroke[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\' || i + 1 >= text.length) {
      out.push(keystrokeForChar(ch));
      continue;
    }
    const next = text[++i];
    switch (next) {
      case 'n': case 'r': out.push(namedKey('Enter')); break;
      case 't': out.push(namedKey('Tab')); break;
      case 'b': out.push(namedKey('Backspace')); break;
      case 'e': out.push(namedKey('Escape')); break;
      case '\\': out.push(keystrokeForChar('\\')); break;
      case '{': {
        const end = text.indexOf('}', i);
        if (end < 0) throw new Error(`unterminated \\{ in key text at offset ${i - 1}`);
        out.push(namedKey(text.slice(i + 1, end)));
        i = end;
        break;
      }
      default: // an unknown escape types the backslash and the character
        out.push(keystrokeForChar('\\'), keystrokeForChar(next));
    }
  }
  return out;
}

/** The scancode bytes for a text, in order (what a guest polling port 0x60 reads). */
export function textToScancodes(text: string): number[] {
  return textToKeystrokes(text).flatMap((k) => k.bytes);
}
