// Syntax tokens the disassembler emits instead of bare strings, so a view can colour them (as
// MartyPC's syntax tokens do), and the joiner that turns them into NASM text.
// Pure TypeScript: no Node or VS Code imports.

export type TokenKind =
  | 'prefix'    // lock, rep, es, o32 ...
  | 'mnemonic'
  | 'register'
  | 'number'    // immediates, displacements, far pointer parts
  | 'address'   // a resolved branch target or an absolute memory address
  | 'keyword'   // byte, word, dword, short, near, far, to
  | 'punct'     // [ ] : + - * ,
  | 'space';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

/** The tokens as one string (what `bootscope disasm` prints after the bytes). */
export function joinTokens(tokens: readonly Token[]): string {
  let s = '';
  for (const t of tokens) s += t.text;
  return s;
}
