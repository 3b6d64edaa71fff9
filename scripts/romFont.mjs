// Converts Terminus Font PSF files (Debian's console-setup-linux: /usr/share/consolefonts, SIL Open
// Font License 1.1, notice in THIRD_PARTY.md) into emulator/bios/romFont.ts: the built-in BIOS's
// 8x16 and 8x14 fonts in code page 437 order, and an 8x8 font derived from the 8x16 one (Terminus
// has no 8-line size). Run once; the generated module is committed, so nothing needs the PSF files:
//   node scripts/romFont.mjs [DIR]   (DIR defaults to /usr/share/consolefonts)
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/usr/share/consolefonts';

// Code page 437 → Unicode (00h is blank; 20h–7Eh are ASCII).
const CP437 = [
  0x0000, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a, 0x266b, 0x263c,
  0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8, 0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
  ...Array.from({ length: 0x5f }, (_, i) => 0x20 + i), 0x2302,
  0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
  0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
  0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
  0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
  0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
  0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
  0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
  0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
];

/** Reads a PSF1/PSF2 file with a Unicode table: glyph bitmaps (8 pixels wide) by code point. */
function readPsf(file) {
  const b = gunzipSync(readFileSync(file));
  let count, height, start, hasTable, utf8;
  if (b[0] === 0x36 && b[1] === 0x04) {
    count = b[2] & 1 ? 512 : 256; height = b[3]; start = 4; hasTable = (b[2] & 2) !== 0; utf8 = false;
  } else if (b.readUInt32LE(0) === 0x864ab572) {
    start = b.readUInt32LE(8); hasTable = (b.readUInt32LE(12) & 1) !== 0; count = b.readUInt32LE(16);
    height = b.readUInt32LE(24); utf8 = true;
    if (b.readUInt32LE(28) !== 8) throw new Error(`${file}: glyphs are not 8 pixels wide`);
  } else throw new Error(`${file}: not a PSF font`);
  if (!hasTable) throw new Error(`${file}: no Unicode table`);
  const glyphs = new Map();
  let p = start + count * height;
  for (let g = 0; g < count; g++) {
    const bitmap = b.subarray(start + g * height, start + (g + 1) * height);
    let inSeq = false;
    for (;;) {
      let cp;
      if (utf8) {
        const c = b[p];
        if (c === 0xff) { p++; break; }
        if (c === 0xfe) { inSeq = true; p++; continue; }
        const n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        cp = n === 1 ? c : c & (0xff >> (n + 1));
        for (let i = 1; i < n; i++) cp = (cp << 6) | (b[p + i] & 0x3f);
        p += n;
      } else {
        cp = b.readUInt16LE(p); p += 2;
        if (cp === 0xffff) break;
        if (cp === 0xfffe) { inSeq = true; continue; }
      }
      if (!inSeq && !glyphs.has(cp)) glyphs.set(cp, bitmap);
    }
  }
  return { height, glyphs };
}

/**
 * The block elements Terminus lacks are plain geometry, drawn here: dark shade (B2h) is light shade
 * (B0h) inverted; lower/left/right/upper half blocks (DCh–DFh) fill half the cell.
 */
function drawBlocks(out, h) {
  for (let r = 0; r < h; r++) {
    out[0xb2 * h + r] = ~out[0xb0 * h + r] & 0xff;
    out[0xdc * h + r] = r >= h / 2 ? 0xff : 0;
    out[0xdd * h + r] = 0xf0;
    out[0xde * h + r] = 0x0f;
    out[0xdf * h + r] = r < h / 2 ? 0xff : 0;
  }
}

function cp437Table(font) {
  const out = new Uint8Array(256 * font.height);
  const missing = [];
  CP437.forEach((cp, ch) => {
    const g = font.glyphs.get(cp);
    if (g) out.set(g, ch * font.height);
    else if (ch !== 0 && ch !== 0xb2 && (ch < 0xdc || ch > 0xdf)) missing.push(ch);
  });
  drawBlocks(out, font.height);
  return { table: out, missing };
}

/**
 * 8x16 → 8x8: each output row is the OR of a pair of rows, so one-pixel strokes survive; the shades
 * (B0h–B2h) keep rows 0, 3, 4, 7, ... instead, so their dither alternates as in 8x16.
 */
function halve(t16) {
  const out = new Uint8Array(256 * 8);
  for (let i = 0; i < out.length; i++) {
    const ch = i >> 3;
    out[i] = ch >= 0xb0 && ch <= 0xb2 ? t16[i * 2 + (i & 1)] : t16[i * 2] | t16[i * 2 + 1];
  }
  return out;
}

const f16 = cp437Table(readPsf(join(dir, 'Uni2-Terminus16.psf.gz')));
const f14 = cp437Table(readPsf(join(dir, 'Uni2-Terminus14.psf.gz')));
const hex = (a) => Buffer.from(a).toString('hex').replace(/.{1,96}/g, (s) => `  '${s}' +\n`).replace(/ \+\n$/, ',\n');
const hexList = (l) => l.map((c) => c.toString(16).padStart(2, '0') + 'h').join(', ') || 'none';
const src = `// Generated by scripts/romFont.mjs from Terminus Font (Uni2-Terminus16/14 of Debian's
// console-setup-linux). Do not edit. Copyright (c) 2010 Dimitar Toshkov Zhekov, with Reserved Font
// Name "Terminus Font"; SIL Open Font License 1.1 (THIRD_PARTY.md). The ROM font of the built-in
// BIOS: 256 glyphs in code page 437 order, one byte a row (bit 7 = leftmost pixel).
// Blank for want of a Terminus glyph, 8x16: ${hexList(f16.missing)}
// 8x14: ${hexList(f14.missing)}
// Half blocks and the dark shade are drawn by the script; the 8x8 font is derived from the 8x16
// one (each row the OR of two; the shades one row of each two, alternating).
// Pure TypeScript: no Node or VS Code imports.

function decode(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** 8x16 glyphs, 4096 bytes. */
export const FONT_8X16 = decode(
${hex(f16.table)});

/** 8x14 glyphs, 3584 bytes. */
export const FONT_8X14 = decode(
${hex(f14.table)});

/** 8x8 glyphs, 2048 bytes. */
export const FONT_8X8 = decode(
${hex(halve(f16.table))});
`;
writeFileSync(new URL('../emulator/bios/romFont.ts', import.meta.url), src);
console.log(`emulator/bios/romFont.ts: missing 8x16 ${hexList(f16.missing)}; 8x14 ${hexList(f14.missing)}`);
