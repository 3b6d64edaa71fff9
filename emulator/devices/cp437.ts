// Code page 437 (the VGA ROM font's character set) to Unicode, for rendering text-mode screens.
// Bytes 01h–1Fh and 7Fh are shown as the glyphs the VGA draws for them (☺, ♥, ►, ⌂ …), not as
// control characters; 00h and FFh are drawn blank and rendered as a space.
// Pure TypeScript: no Node or VS Code imports. IBM PC character set (CP437).

const LOW = ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';
const HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';

/** The 256 characters, indexed by byte. */
export const CP437: readonly string[] = (() => {
  const t: string[] = [];
  for (let i = 0; i < 256; i++) {
    if (i < 0x20) t.push(LOW[i]);
    else if (i === 0x7f) t.push('⌂');
    else if (i < 0x80) t.push(String.fromCharCode(i));
    else t.push(HIGH[i - 0x80]);
  }
  return t;
})();

/** Decodes CP437 bytes to a Unicode string. */
export function cp437ToString(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += CP437[bytes[i] & 0xff];
  return s;
}
